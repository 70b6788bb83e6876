"""Input fingerprints of the core model and of each period's marts.

A layer is a pure function of its inputs: core of the files in force (the registry), the
reference files, the rules and the conform code; a period's marts of the part of core that period
reads (its slices, below), the file registry up to it, the rules and the marts code.  The fingerprint of those inputs is stored in the same transaction as the tables it
describes, so a run whose inputs are unchanged can skip the rebuild (issue 9, re-run with nothing
changed) and still leave exactly the tables a rebuild would have written.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from runtime.reference import places_file

_ROOT = Path(__file__).resolve().parents[1]
CODE = {
    "core": [_ROOT / "assets" / "conform", _ROOT / "runtime" / "reference.py"],
    "marts": [_ROOT / "assets" / "marts", _ROOT / "runtime" / "rules.py"],
}
# registry columns that say nothing about content (a re-run rewrites them)
_VOLATILE = {"first_seen_at", "parsed_at"}


def _hash_paths(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for base in paths:
        files = sorted(base.rglob("*")) if base.is_dir() else [base]
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.name.encode())
                h.update(f.read_bytes())
    return h.hexdigest()


@cache
def code_hash(layer: str) -> str:
    """The layer's source code, hashed once per process: it is the code this process runs."""
    return _hash_paths(CODE[layer])


def core_fingerprint(wh, rules, reference_dir: Path) -> str:
    """Registry (every column but the run timestamps) + reference + rules + conform code."""
    cols = [c for c in wh.columns("staging.files") if c not in _VOLATILE]
    registry = wh.read(f"SELECT {', '.join(cols)} FROM staging.files ORDER BY file_id")
    h = hashlib.sha256()
    h.update(registry.astype(str).to_csv(index=False).encode())
    h.update(settings_fingerprint(rules, reference_dir).encode())
    return h.hexdigest()


def settings_fingerprint(rules, reference_dir: Path) -> str:
    """Reference files + rules + conform code: what core depends on beyond the registry."""
    h = hashlib.sha256()
    h.update(_hash_paths([reference_dir]).encode())
    h.update(_hash_paths([places_file(reference_dir)]).encode())  # may live outside it
    h.update(repr(rules).encode())
    h.update(code_hash("core").encode())
    return h.hexdigest()


def marts_fingerprint(core_fp: str | None, rules, period: str) -> str | None:
    if core_fp is None:
        return None
    parts = [core_fp, repr(rules), code_hash("marts"), period]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# --- core slices: the part of core the marts of a period read (issue 17) -----------------------
#
# The marts of period P (assets/marts, "A mart at period P reads only core rows with period <= P")
# read: fact rows of months <= P (year-to-date, the previous December, last year's same month,
# the quarter); bridge rows credited from a month <= P (their first_period, else the project's);
# the dim_project rows of the projects known at P (first fact, credit or first_period <= P);
# targets and the 三企入桂 list of P's year and earlier; activities and reserve rows of months
# <= P; every dim_unit row.  Each core row is put in the bucket of the earliest period that can
# read it ("YYYY-MM", "YYYY" for yearly rows, "" for rows every period reads), each bucket is
# hashed (row order does not matter), and the marts of P depend on the buckets <= P only: a
# resubmission of month m changes the buckets of m and later, so only those periods rebuild.
SLICE = "core_slice"
_MONTH = r"\d{4}-(0[1-9]|1[0-2])"


def _months(values: pd.Series) -> pd.Series:
    """period text -> "YYYY-MM" (the marts compare str[:7]); missing -> ""."""
    text = values.astype(str).str[:7]
    return text.where(values.notna(), "")


def _years(values: pd.Series) -> pd.Series:
    years = pd.to_numeric(values, errors="coerce").astype("Int64")
    return years.astype(str).where(years.notna(), "")


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype=object)


_TEXT = ("string", "empty")  # infer_dtype of an object column of text and missing values only
_NUMPY_KINDS = "biuf"  # numpy flags, integers and floats
_HASH_ROWS = 100_000  # rows turned into text at a time by row_hashes


def row_hashes(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """One uint64 per row of `df[cols]`, values compared as text (Decimal('1.50') is not
    Decimal('1.5')).  A column holding only text and missing values, and a column of numpy
    numbers or flags (its bits tell its values apart as exactly), is hashed as it is (perf,
    issue 17: no str() of every cell; a missing value is not the text "None"); the others are
    turned into text `_HASH_ROWS` rows at a time (memory: not a text copy of a whole table)."""
    as_is = [c for c in cols if df[c].dtype.kind in _NUMPY_KINDS or (
             df[c].dtype == object and infer_dtype(df[c], skipna=True) in _TEXT)]
    parts = []
    for start in range(0, len(df), _HASH_ROWS):
        chunk = df.iloc[start:start + _HASH_ROWS]
        frame = pd.DataFrame({c: chunk[c] if c in as_is else chunk[c].astype(str) for c in cols},
                             index=chunk.index)
        parts.append(pd.util.hash_pandas_object(frame, index=False).to_numpy())
    return np.concatenate(parts) if parts else np.empty(0, np.uint64)


def _digest(cols: list[str], hashes: np.ndarray) -> str:
    h = hashlib.sha256(",".join(cols).encode())
    if len(hashes):
        h.update(np.sort(hashes).tobytes())
    return h.hexdigest()


def frame_digest(df: pd.DataFrame) -> str:
    """The rows of `df` as a set (order-free), with its column names."""
    cols = sorted(df.columns)
    return _digest(cols, row_hashes(df, cols))


def bucket_digests(df: pd.DataFrame, bucket: pd.Series) -> dict[str, str]:
    """bucket value -> the digest of `df`'s rows in it: `frame_digest` of each group, with the
    rows hashed once for the whole table and split by bucket (not a frame per group)."""
    if not len(df):
        return {}
    cols = sorted(df.columns)
    hashes = row_hashes(df, cols)
    keys = bucket.astype(str).to_numpy()
    order = np.argsort(keys, kind="stable")
    keys, hashes = keys[order], hashes[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    return {str(keys[a]): _digest(cols, hashes[a:b]) for a, b in zip(starts, ends, strict=True)}


def _project_buckets(projects, facts, bridge) -> tuple[pd.Series, pd.Series]:
    """(dim_project bucket, bridge bucket): the first month a project or credit is known."""
    dim_first = pd.Series(_months(_col(projects, "first_period")).to_numpy(),
                          index=_col(projects, "project_id").to_numpy())
    dim_first = dim_first[dim_first != ""]
    dim_first = dim_first[~dim_first.index.duplicated()]
    b_month = _months(_col(bridge, "first_period"))
    fallback = _col(bridge, "project_id").map(dim_first).fillna("")
    b_month = b_month.where(b_month != "", fallback)
    known = pd.concat([
        pd.DataFrame({"pid": dim_first.index, "m": dim_first.to_numpy()}),
        pd.DataFrame({"pid": _col(facts, "project_id"), "m": _months(_col(facts, "period"))}),
        pd.DataFrame({"pid": _col(bridge, "project_id"), "m": b_month}),
    ])
    known = known[(known["m"] != "") & known["pid"].notna()]
    # the earliest month of each project: "YYYY-MM" texts sort as months; the min of their sorted
    # codes (an integer groupby) instead of a min over Python strings (perf, issue 17)
    codes, months = pd.factorize(known["m"], sort=True)
    first = pd.Series(codes, index=known.index).groupby(known["pid"].to_numpy()).min().map(
        lambda c: months[c])
    p_month = _col(projects, "project_id").map(first).fillna("")
    return p_month, b_month


def table_digests(tables: dict[str, pd.DataFrame]) -> dict[tuple[str, str], str]:
    """(table, bucket) -> digest of the core rows of that table in that bucket (see above);
    `tables` are the core tables by name (dim_unit, dim_project, bridge_project_unit,
    fact_project_period, fact_target, fact_activity, fact_reserve_project, fact_cohort)."""
    empty = pd.DataFrame()
    get = {name: tables.get(name, empty) for name in (
        "dim_unit", "dim_project", "bridge_project_unit", "fact_project_period", "fact_target",
        "fact_activity", "fact_reserve_project", "fact_cohort")}
    facts, projects, bridge = (get["fact_project_period"], get["dim_project"],
                               get["bridge_project_unit"])
    p_bucket, b_bucket = _project_buckets(projects, facts, bridge)
    buckets = {
        "dim_unit": pd.Series("", index=get["dim_unit"].index),
        "dim_project": p_bucket,
        "bridge_project_unit": b_bucket,
        "fact_project_period": _months(_col(facts, "period")),
        "fact_target": _years(_col(get["fact_target"], "year")),
        "fact_activity": _months(_col(get["fact_activity"], "period")),
        "fact_reserve_project": _months(_col(get["fact_reserve_project"], "period")),
        "fact_cohort": _years(_col(get["fact_cohort"], "year")),
    }
    return {(name, key): digest for name, bucket in buckets.items()
            for key, digest in bucket_digests(get[name], bucket).items()}


def core_slices(digests: dict[tuple[str, str], str], everywhere: str = "") -> dict[str, str]:
    """bucket -> digest of the core rows in it, from `table_digests`.  `everywhere` goes into
    bucket "" (what every period's marts depend on beyond core rows: reference files, rules,
    conform code)."""
    parts: dict[str, list[str]] = {"": [f"everywhere:{everywhere}"]}
    for (name, key), digest in sorted(digests.items()):
        parts.setdefault(key, []).append(f"{name}:{digest}")
    return {k: hashlib.sha256("|".join(sorted(v)).encode()).hexdigest()
            for k, v in parts.items()}


# --- core rows by month: write only the months whose rows changed (issue 17) -------------------
#
# The monthly fact tables are most of core.  When every row of such a table carries an exact month
# in `period`, its per-month digests (the same as its slices) are stored with core; the next build
# deletes and inserts only the months whose digest changed (or that appeared or vanished) and
# leaves the other months' rows, which are equal row for row, in place.  A table with another
# period value, a first build, or a forced build is replaced whole.
ROWS = "core_rows"
BY_MONTH = ("fact_project_period", "fact_activity", "fact_reserve_project")


def month_digests(tables: dict[str, pd.DataFrame], digests: dict[tuple[str, str], str]
                  ) -> dict[str, str]:
    """'table|YYYY-MM' -> digest, and 'table|' for each table written by month."""
    out = {}
    for name in BY_MONTH:
        df = tables.get(name)
        if df is None or not _col(df, "period").astype(str).str.fullmatch(_MONTH).all():
            continue
        out[f"{name}|"] = "by month"
        out.update({f"{name}|{key}": d for (t, key), d in digests.items() if t == name})
    return out


def changed_months(table: str, old: dict[str, str], new: dict[str, str]) -> list[str] | None:
    """The months of `table` to rewrite, or None when the table must be replaced whole."""
    if f"{table}|" not in old or f"{table}|" not in new:
        return None
    prefix = f"{table}|"
    keys = {k for k in (*old, *new) if k.startswith(prefix) and k != prefix}
    return sorted(k[len(prefix):] for k in keys if old.get(k) != new.get(k))


def store_map(tx, layer: str, mapping: dict[str, str]) -> None:
    """Inside the transaction that writes core: scope -> fingerprint rows of one layer."""
    tx.delete("staging.build_state", {"layer": layer})
    tx.insert("staging.build_state", pd.DataFrame(
        [{"layer": layer, "scope": k, "fingerprint": v} for k, v in sorted(mapping.items())],
        columns=["layer", "scope", "fingerprint"]))


def stored_map(wh, layer: str) -> dict[str, str]:
    df = wh.read("SELECT scope, fingerprint FROM staging.build_state WHERE layer = :l",
                 {"l": layer})
    return {("" if s is None else str(s)): str(f) for s, f in zip(df["scope"], df["fingerprint"])}


def slices_upto(slices: dict[str, str], period: str) -> str:
    """The digest of the buckets period P reads ("" ≤ "2022" ≤ "2022-03" as text)."""
    keys = sorted(k for k in slices if k <= period)
    return hashlib.sha256("|".join(f"{k}:{slices[k]}" for k in keys).encode()).hexdigest()


def registry_slices(files: pd.DataFrame) -> dict[str, str]:
    """The file registry as the marts read it (arrivals, month folders), bucketed by month
    folder; a folder that is not a month (targets/) goes into "" (every period)."""
    if not len(files):
        return {}
    folder = _col(files, "folder_month")
    bucket = folder.astype(str).where(folder.notna() & folder.astype(str).str.fullmatch(_MONTH),
                                      "")
    return bucket_digests(files, bucket)


def stored(wh, layer: str, scope: str = "") -> str | None:
    value = wh.scalar("SELECT fingerprint FROM staging.build_state WHERE layer = :l AND "
                      "scope = :s", {"l": layer, "s": scope})
    return None if value is None else str(value)


def store(tx, layer: str, scope: str, fingerprint: str) -> None:
    """Inside the transaction that writes the layer's tables."""
    tx.delete("staging.build_state", {"layer": layer, "scope": scope})
    tx.insert("staging.build_state", pd.DataFrame(
        [{"layer": layer, "scope": scope, "fingerprint": fingerprint}]))
