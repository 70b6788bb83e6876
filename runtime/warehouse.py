"""The warehouse: one SQLAlchemy engine, DuckDB (embedded default) or PostgreSQL (production).

Everything the pipeline writes goes through `Warehouse.transaction()`: a period's rows (or a
whole table) are deleted and bulk-inserted in one transaction, so a reader never sees half a
mart and a failed run leaves the previous rows in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from pandas.api.types import infer_dtype
from sqlalchemy.engine import Connection, Engine

from runtime.indicators import load_indicators
from runtime.settings import REPO_ROOT, Settings

SQL_DIR = REPO_ROOT / "warehouse_sql"
# PostgreSQL: every write transaction (and the schema DDL) first takes this transaction-scoped
# advisory lock, so two runs at once take turns instead of each deleting the rows it saw and
# inserting on top of the other's (duplicated marts), or racing on CREATE SCHEMA IF NOT EXISTS.
WRITE_LOCK_KEY = 2_021_000_010
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")


def _cell(value: object) -> object:
    """A Python value fit for a bound parameter: NaN/NaT → None, numpy scalars → Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes, Decimal)):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


_CHUNK_ROWS = 50_000
_TEXT = {str, type(None)}


def _rows_sharing_texts(result) -> list[tuple]:
    """The result's rows as tuples, equal texts of a column one Python object (memory, issue 17):
    the drivers return a new str for every cell, and a province's ledger repeats its file names,
    units, months, statuses and project names on every row.  Only all-text columns are shared
    (an equal Decimal or float can differ in scale or sign); values are unchanged."""
    rows: list[tuple] = []
    pools: dict[int, dict] = {}
    while chunk := result.fetchmany(_CHUNK_ROWS):
        columns = list(zip(*chunk))
        del chunk
        for i, values in enumerate(columns):
            if set(map(type, values)) <= _TEXT:
                pool = pools.setdefault(i, {})
                columns[i] = tuple(map(pool.setdefault, values, values))
        rows.extend(zip(*columns))
    return rows


# DuckDB column types whose Arrow → pandas form equals the row-by-row read's once the fixes in
# `_arrow_frame` are made.  Any other type is read row by row: HUGEINT sums (decimal128(38, 0) in
# Arrow, int row by row), JSON (text in Arrow, parsed row by row), NULL literals, lists, …
_COLUMNAR_TYPES = re.compile(
    r"VARCHAR|BIGINT|INTEGER|SMALLINT|TINYINT|DOUBLE|FLOAT|BOOLEAN|DATE|TIMESTAMP"
    r"|DECIMAL\(\d+,\s*[1-9]\d*\)")


_PARAM_TYPES = (str, int, float, bool, Decimal, type(None))


def _duckdb_columnar(conn: Connection, sql: str, params: dict) -> pd.DataFrame | None:
    """The rows of a DuckDB query read in columns (`_arrow_frame`), or None to read them row by
    row: a column type outside `_COLUMNAR_TYPES`, a parameter of another type, or any error
    (the row-by-row read then runs the query and raises the usual error).

    The query runs as a DuckDB relation, its parameters bound by DuckDB ($1, $2 …, never
    written into the text), and streams into Arrow: the DB-API result would first hold every
    row in DuckDB (its "extra copy", ≈ 800 MB more at the peak for a province's ledger)."""
    import duckdb

    try:
        compiled = sa.text(sql).compile(dialect=conn.dialect)
        values = compiled.construct_params(params)
        args = [values[name] for name in (compiled.positiontup or [])]
    except sa.exc.SQLAlchemyError:
        return None
    if not all(isinstance(a, _PARAM_TYPES) for a in args):
        return None
    try:
        relation = conn.connection.driver_connection.sql(compiled.string, params=args or None)
        if relation is None:  # not a query
            return None
        names = list(relation.columns)
        if len(set(names)) != len(names) or not all(
                _COLUMNAR_TYPES.fullmatch(str(t)) for t in relation.types):
            return None
        table = relation.to_arrow_table()
    except duckdb.Error:
        return None
    if not table.num_rows:  # as row by row: every column object
        return pd.DataFrame([], columns=names)
    df = _arrow_frame(table)
    del table
    _release_arrow_memory()
    return df


def _arrow_frame(table) -> pd.DataFrame:
    """A DuckDB result read in columns (perf, issue 17: ~8× faster than a tuple per row), as the
    same frame `pd.DataFrame(rows, columns=…)` makes of its rows (columns of `_COLUMNAR_TYPES`,
    at least one row): dtypes, values and missing values alike, equal texts of a column one
    Python object (pyarrow deduplicates them)."""
    import pyarrow as pa

    df = table.to_pandas(deduplicate_objects=True)
    for field in table.schema:
        col, t = field.name, field.type
        if table.column(col).null_count == table.num_rows:  # row by row: a column of None
            if not (pa.types.is_string(t) or pa.types.is_decimal(t) or pa.types.is_date32(t)
                    or pa.types.is_boolean(t)):
                df[col] = pd.Series([None] * len(df), index=df.index, dtype=object)
        elif pa.types.is_integer(t) and df[col].dtype != np.int64 and df[col].dtype.kind in "iu":
            df[col] = df[col].astype(np.int64)
        elif pa.types.is_floating(t) and df[col].dtype != np.float64:  # FLOAT: float32 in Arrow
            df[col] = df[col].astype(np.float64)
        elif pa.types.is_timestamp(t):
            df[col] = df[col].astype("datetime64[ns]")
    return df


def _release_arrow_memory() -> None:
    """Hand the conversion's buffers back to the system: pyarrow's allocator keeps freed memory
    for reuse (≈ 100 MB after reading core at province scale), which would only raise the peak
    of the Python work that follows."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _text(value: object) -> str | None:
    """Text form for DuckDB's bulk path (cast back to the column type inside SQL)."""
    value = _cell(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _text_column(series: pd.Series) -> np.ndarray | list:
    """`_text` of every value, with a fast path (perf, issues 9 and 17) for the common object
    column that holds only text and missing values (pandas' C type inference, no Python loop):
    those values are already their text form, a missing one becomes None."""
    if series.dtype == object and infer_dtype(series, skipna=True) in ("string", "empty"):
        values = series.to_numpy(dtype=object)
        missing = pd.isna(values)
        if missing.any():  # NaN, NaT, pd.NA → None
            values = values.copy()
            values[missing] = None
        return values
    # the other columns: the commonest types inline, `_text` for the rest (same texts; perf,
    # issue 17: a function call per value was 2.6 s for a province's monthly facts)
    return [v if (t := type(v)) is str else str(v) if t is Decimal or t is int else
            ("true" if v else "false") if t is bool else None if v is None else _text(v)
            for v in series.tolist()]


def in_list(name: str, values) -> tuple[str, dict]:
    """`(:name0, :name1, …)` and its parameters: an IN list for `Warehouse.read` (non-empty)."""
    values = list(values)
    return ("(" + ", ".join(f":{name}{i}" for i in range(len(values))) + ")",
            {f"{name}{i}": v for i, v in enumerate(values)})


def split_sql(text: str) -> list[str]:
    """Statements of a DDL file (no semicolons inside our string literals)."""
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in body.split(";\n") if s.strip().strip(";")]


def indicator_glossary() -> str:
    """'funds_in_place 区外境内到位资金、…' from the indicator registry, for the DDL comments of
    the `indicator` columns (a BI user reads the Chinese name of every code)."""
    return "、".join(f"{i.key} {i.label}" for i in load_indicators())


def ddl_files() -> list[Path]:
    return sorted(SQL_DIR.glob("[0-9]*.sql"))


def ddl_statements(files: list[Path] | None = None) -> list[str]:
    """The DDL's statements in order, the indicator glossary filled into its comments: what
    create_schema runs and what the column schemas and bi views are read from."""
    glossary = indicator_glossary()
    return [stmt.replace("{indicators}", glossary)
            for path in (files if files is not None else ddl_files())
            for stmt in split_sql(path.read_text(encoding="utf-8"))]


class Warehouse:
    def __init__(self, url: str):
        self.url = url
        if url.startswith("duckdb:///"):
            Path(url.removeprefix("duckdb:///")).parent.mkdir(parents=True, exist_ok=True)

    @cached_property
    def engine(self) -> Engine:
        if self.is_duckdb:
            # DuckDB's buffer pool defaults to 80% of RAM and counts in our RSS; bounded, it
            # spills to disk instead ($DUCKDB_MEMORY_LIMIT, e.g. "2GB").
            limit = Settings.from_env().duckdb_memory_limit
            return sa.create_engine(self.url, connect_args={"config": {"memory_limit": limit}})
        return sa.create_engine(self.url, pool_pre_ping=True)

    @property
    def is_duckdb(self) -> bool:
        return self.url.startswith("duckdb")

    @property
    def dialect(self) -> str:
        return "duckdb" if self.is_duckdb else "postgresql"

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
            del self.__dict__["engine"]

    # --- schema -----------------------------------------------------------------------------
    def create_schema(self) -> list[str]:
        """Run every warehouse_sql/*.sql in name order; idempotent. Returns the files run."""
        files = ddl_files()
        with self.engine.begin() as conn:
            self.lock_for_writing(conn)
            for stmt in ddl_statements(files):
                conn.exec_driver_sql(stmt)
        return [p.name for p in files]

    # --- reading ----------------------------------------------------------------------------
    def read(self, sql: str, params: Mapping | None = None) -> pd.DataFrame:
        with self.engine.connect() as conn:
            if self.is_duckdb:
                df = _duckdb_columnar(conn, sql, dict(params or {}))
                if df is not None:
                    return df
            result = conn.execute(sa.text(sql), dict(params or {}))
            columns = list(result.keys())
            return pd.DataFrame(_rows_sharing_texts(result), columns=columns)

    def scalar(self, sql: str, params: Mapping | None = None) -> object:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), dict(params or {})).scalar()

    def columns(self, table: str) -> dict[str, str]:
        """column name → SQL type, in table order."""
        schema, name = table.split(".")
        df = self.read(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = :s AND table_name = :t ORDER BY ordinal_position",
            {"s": schema, "t": name},
        )
        return dict(zip(df["column_name"], df["data_type"]))

    # --- writing ----------------------------------------------------------------------------
    def lock_for_writing(self, conn: Connection) -> None:
        """One writer at a time (PostgreSQL; DuckDB allows a single writer process anyway)."""
        if not self.is_duckdb:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self.engine.begin() as conn:
            self.lock_for_writing(conn)
            yield Tx(self, conn)

    def replace(self, table: str, df: pd.DataFrame, where: Mapping | None = None) -> int:
        with self.transaction() as tx:
            return tx.replace(table, df, where)


class Tx:
    """Writes inside one open transaction."""

    def __init__(self, wh: Warehouse, conn: Connection):
        self.wh = wh
        self.conn = conn
        self._columns: dict[str, dict[str, str]] = {}

    def execute(self, sql: str, params: Mapping | None = None) -> None:
        self.conn.execute(sa.text(sql), dict(params or {}))

    def values(self, sql: str, params: Mapping | None = None) -> list:
        """The first column of a query, read inside the transaction (under its write lock); on
        DuckDB in columns (perf, issue 17: a core build reads each per-project table's 100,000
        project ids, a tuple per row took most of a second)."""
        if self.wh.is_duckdb:  # a column of texts (numbers with a NULL would be NaN there)
            df = _duckdb_columnar(self.conn, sql, dict(params or {}))
            if df is not None and len(df.columns) and df.dtypes.iloc[0].kind == "O":
                return df.iloc[:, 0].tolist()
        return [row[0] for row in self.conn.execute(sa.text(sql), dict(params or {}))]

    def delete(self, table: str, where: Mapping | None = None) -> None:
        _check_ident(table)
        where = dict(where or {})
        clauses = []
        params = {}
        for i, (col, val) in enumerate(where.items()):
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", col):
                raise ValueError(f"bad column {col!r}")
            if isinstance(val, (list, tuple, set)):
                if not val:
                    return
                # one array parameter, however many ids (an IN list would bind one each)
                params[f"p{i}"] = list(val)
                clauses.append(f"list_contains(:p{i}, {col})" if self.wh.is_duckdb
                               else f"{col} = ANY(:p{i})")
            else:
                params[f"p{i}"] = val
                clauses.append(f"{col} = :p{i}")
        sql = f"DELETE FROM {table}" + (" WHERE " + " AND ".join(clauses) if clauses else "")
        self.execute(sql, params)

    def replace(self, table: str, df: pd.DataFrame, where: Mapping | None = None) -> int:
        """Delete the rows matching `where` (all rows when None) and insert `df`."""
        self.delete(table, where)
        return self.insert(table, df)

    def insert(self, table: str, df: pd.DataFrame) -> int:
        _check_ident(table)
        if df is None or df.empty:
            return 0
        if table not in self._columns:
            self._columns[table] = self.wh.columns(table)
        types = self._columns[table]
        unknown = [c for c in df.columns if c not in types]
        if unknown:
            raise ValueError(f"{table} has no column(s) {unknown}")
        cols = list(df.columns)
        if self.wh.is_duckdb:
            self._insert_duckdb(table, df, cols, types)
        else:
            self._insert_postgres(table, df, cols, types)
        return len(df)

    def _insert_duckdb(self, table, df, cols, types) -> None:
        # Register the frame as text and cast inside DuckDB: exact for decimals, and one
        # vectorised INSERT instead of a round trip per row.  The texts go as Arrow strings,
        # not a frame of Python objects: DuckDB keeps a registered frame's str objects alive
        # until the transaction commits (measured, issue 17: a province's ingest, one
        # transaction, grew by every cell's str object to 3.3 GB).
        text = pa.table({c: pa.array(_text_column(df[c]), type=pa.string()) for c in cols})
        raw = self.conn.connection.driver_connection
        view = "_incoming"
        raw.register(view, text)
        try:
            select = ", ".join(f'CAST("{c}" AS {types[c]})' for c in cols)
            raw.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM {view}")
        finally:
            try:
                raw.unregister(view)
            except Exception:  # noqa: BLE001 — an aborted transaction; the insert error wins
                pass

    def _insert_postgres(self, table, df, cols, types) -> None:
        # pandas turns an integer column with gaps into floats; COPY wants 12, not 12.0
        ints = [types[c] in ("integer", "bigint", "smallint") for c in cols]
        raw = self.conn.connection.driver_connection
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in df.itertuples(index=False, name=None):
                    values = [_cell(v) for v in row]
                    for i, is_int in enumerate(ints):
                        if is_int and isinstance(values[i], float):
                            values[i] = int(values[i])
                    copy.write_row(values)


def _check_ident(table: str) -> None:
    if not _IDENT.match(table):
        raise ValueError(f"bad table name {table!r}")
