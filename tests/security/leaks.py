"""Search for a secret everywhere it could have been written: text, bytes, zip members
(xlsx), zlib-compressed blobs (Dagster's snapshots), files under a folder, rows of a database."""

from __future__ import annotations

import io
import urllib.parse
import zipfile
import zlib
from pathlib import Path

import sqlalchemy as sa

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


def needles(secret: str) -> list[str]:
    """The secret as text, URL-encoded (it travels in WAREHOUSE_URL) and SQL-quoted."""
    forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret),
             urllib.parse.quote(secret), secret.replace("'", "''")}
    return sorted(forms)


def texts_of_bytes(data: bytes) -> list[str]:
    """What a reader could get from the bytes: the bytes themselves, a zip's members, a zlib
    stream's content."""
    out = [data.decode("utf-8", errors="replace")]
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                out += [z.read(n).decode("utf-8", errors="replace") for n in z.namelist()]
        except zipfile.BadZipFile:
            pass
    try:
        out.append(zlib.decompress(data).decode("utf-8", errors="replace"))
    except zlib.error:
        pass
    return out


def _hit(place: str, text: str, secrets: list[str]) -> list[str]:
    found = []
    for secret in secrets:
        for needle in needles(secret):
            at = text.find(needle)
            if at >= 0:
                found.append(f"{place}: …{text[max(0, at - 80):at + len(needle) + 20]!r}…")
    return found


def search_text(place: str, text: str, secrets: list[str]) -> list[str]:
    return _hit(place, text, secrets)


def search_folder(folder: Path, secrets: list[str]) -> tuple[list[str], int]:
    """Every file under `folder` (recursively); returns the hits and the number of files read."""
    hits, count = [], 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        count += 1
        for text in texts_of_bytes(path.read_bytes()):
            hits += _hit(str(path), text, secrets)
    return hits, count


def _value_texts(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return texts_of_bytes(value)
    return [str(value)]


def search_database(url: str, secrets: list[str], extra_tables: tuple[str, ...] = ()
                    ) -> tuple[list[str], dict[str, int]]:
    """Every row of every table outside the system schemas (plus `extra_tables`), every
    column, compressed values opened; returns the hits and the rows read per table."""
    engine = sa.create_engine(url)
    hits, rows = [], {}
    try:
        with engine.connect() as conn:
            tables = [f"{s}.{t}" for s, t in conn.exec_driver_sql(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_schema <> ALL(%s)",
                (list(SYSTEM_SCHEMAS),))]
            for table in [*tables, *extra_tables]:
                result = conn.exec_driver_sql(f"SELECT * FROM {table}")
                n = 0
                for row in result:
                    n += 1
                    for value in row:
                        for text in _value_texts(value):
                            hits += _hit(f"{table} row {n}", text, secrets)
                rows[table] = n
    finally:
        engine.dispose()
    return hits, rows
