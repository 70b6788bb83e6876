"""Every setting of the pipeline, read from the environment in one place (`Settings.from_env`).

Nothing else in the code reads `os.environ` for a setting: entry points (the Dagster resources,
the CLI, the benchmarks) build one `Settings` and pass it, or what they derive from it, down.

| variable            | default                          | meaning                                   |
| ------------------- | -------------------------------- | ----------------------------------------- |
| SUBMISSIONS_DIR     | raw_samples/                     | the drop folder                           |
| WAREHOUSE_URL       | duckdb:///data/warehouse.duckdb  | SQLAlchemy URL of the warehouse (secret)  |
| REPORTS_DIR         | data/reports/                    | where the 通报 files go                    |
| DAGSTER_HOME        | .dagster_home/                   | the Dagster instance folder               |
| REFERENCE_DIR       | reference/                       | units, industries, columns, indicators …  |
| RULES_FILE          | <REFERENCE_DIR>/rules.yaml       | weights, thresholds, caps                 |
| MAX_FILE_MB         | 50                               | a bigger file becomes a finding           |
| MAX_ROWS_PER_SHEET  | 200000                           | a longer sheet becomes a finding          |
| MAX_COLS_PER_SHEET  | 256                              | cells right of it are cut, with a finding |
| MAX_UNPACKED_MB     | 500                              | an .xlsx unpacking to more is refused     |
| MAX_ZIP_RATIO       | 200                              | a zip member compressed more is refused   |
| INGEST_WORKERS      | 1                                | processes parsing workbooks               |
| DUCKDB_MEMORY_LIMIT | 1GB                              | the embedded warehouse's buffer pool      |
| BI_ROLE             | bi_reader                        | read-only PostgreSQL role for BI tools    |
| BI_PASSWORD         | (none: the role cannot log in)   | its password (secret)                     |
| BI_UNIT_ROLE_PREFIX | bi_unit_                         | prefix of the per-unit BI roles           |
| CHROMIUM            | (searched on the PATH)           | the browser that prints the 通报 PDF       |
| ZS_FAULT_AT         | (none)                           | test-only: die at a named write point     |
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE_DIR = REPO_ROOT / "reference"


class SettingsError(ValueError):
    """A setting somebody meant to set is malformed: never silently replaced by the default."""


def _positive(env: Mapping[str, str], var: str, default: float) -> float:
    raw = (env.get(var) or "").strip()
    if not raw:
        return default
    try:
        number = float(raw)
    except ValueError:
        number = float("nan")
    if not math.isfinite(number) or number <= 0:
        raise SettingsError(f"环境变量 {var}={raw!r} 不是正数")
    return number


@dataclass(frozen=True)
class Settings:
    submissions_dir: Path
    warehouse_url: str
    reports_dir: Path
    dagster_home: Path
    reference_dir: Path = DEFAULT_REFERENCE_DIR
    rules_file: Path = DEFAULT_REFERENCE_DIR / "rules.yaml"
    max_file_mb: float = 50
    max_rows_per_sheet: int = 200_000
    max_cols_per_sheet: int = 256
    max_unpacked_mb: float = 500
    max_zip_ratio: float = 200
    ingest_workers: int = 1
    duckdb_memory_limit: str = "1GB"
    bi_role: str = "bi_reader"
    bi_password: str | None = None
    bi_unit_role_prefix: str = "bi_unit_"
    chromium: str | None = None
    fault_at: str | None = None
    warehouse_url_given: bool = False  # WAREHOUSE_URL set (else the default DuckDB file)

    @staticmethod
    def from_env(env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data = REPO_ROOT / "data"

        def path(var: str, default: Path) -> Path:
            return Path(env.get(var) or default).resolve()

        reference = path("REFERENCE_DIR", DEFAULT_REFERENCE_DIR)
        return Settings(
            submissions_dir=path("SUBMISSIONS_DIR", REPO_ROOT / "raw_samples"),
            warehouse_url=env.get("WAREHOUSE_URL") or f"duckdb:///{data / 'warehouse.duckdb'}",
            reports_dir=path("REPORTS_DIR", data / "reports"),
            dagster_home=path("DAGSTER_HOME", REPO_ROOT / ".dagster_home"),
            reference_dir=reference,
            rules_file=path("RULES_FILE", reference / "rules.yaml"),
            max_file_mb=_positive(env, "MAX_FILE_MB", 50),
            max_rows_per_sheet=max(1, int(_positive(env, "MAX_ROWS_PER_SHEET", 200_000))),
            max_cols_per_sheet=max(1, int(_positive(env, "MAX_COLS_PER_SHEET", 256))),
            max_unpacked_mb=_positive(env, "MAX_UNPACKED_MB", 500),
            max_zip_ratio=_positive(env, "MAX_ZIP_RATIO", 200),
            ingest_workers=max(1, int(_positive(env, "INGEST_WORKERS", 1))),
            duckdb_memory_limit=env.get("DUCKDB_MEMORY_LIMIT") or "1GB",
            bi_role=env.get("BI_ROLE") or "bi_reader",
            bi_password=env.get("BI_PASSWORD") or None,
            bi_unit_role_prefix=env.get("BI_UNIT_ROLE_PREFIX") or "bi_unit_",
            chromium=env.get("CHROMIUM") or None,
            fault_at=env.get("ZS_FAULT_AT") or None,
            warehouse_url_given=bool(env.get("WAREHOUSE_URL")),
        )


def warehouse_tag(url: str) -> str:
    """A short, stable name of a warehouse for the `warehouse` run tag (run queue limits).

    `duckdb-warehouse` for duckdb:///…/warehouse.duckdb, `postgresql-127.0.0.1-zhaoshang` for a
    PostgreSQL URL (host and database; never the user or password).
    """
    if url.startswith("duckdb"):
        parts = ["duckdb", Path(url.split(":///", 1)[-1]).stem or "memory"]
    else:
        from sqlalchemy.engine import make_url

        try:
            u = make_url(url)
            parts = [u.get_backend_name(), u.host or "local", u.database or ""]
        except Exception:  # noqa: BLE001 — a broken URL is reported by the run, not here
            parts = ["unknown"]
    tag = re.sub(r"[^A-Za-z0-9_.\-]+", "_", "-".join(p for p in parts if p))
    return tag[:63]


def ensure_dagster_home(settings: Settings | None = None) -> Path:
    """Create DAGSTER_HOME (with an empty dagster.yaml) and export it for Dagster."""
    settings = settings or Settings.from_env()
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        # freshness: the daemon evaluates the freshness policies (marts and 通报 overdue → red)
        config.write_text("telemetry:\n  enabled: false\nfreshness:\n  enabled: true\n",
                          encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)  # Dagster reads it from the environment
    return home


def month_problem(text: str) -> str | None:
    """Why `text` is not a reporting month ('YYYY-MM'), in plain Chinese; None when it is one."""
    if not re.fullmatch(r"\d{4}-\d{2}", text):
        return f"月份需要 YYYY-MM 格式（如 2022-05），收到 {text!r}"
    if not 1 <= int(text[5:]) <= 12:
        return f"月份 {text} 无效：月份只能是 01 到 12，收到 {text[5:]}"
    return None
