"""Settings from the environment, with defaults that work on a fresh clone.

SUBMISSIONS_DIR  the drop folder (default: the bundled raw_samples/)
WAREHOUSE_URL    a SQLAlchemy URL (default: an embedded DuckDB file under data/)
REPORTS_DIR      where the 通报 workbooks and pages go (default: data/reports/)
DAGSTER_HOME     the Dagster instance folder (default: .dagster_home/, so run history survives)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    submissions_dir: Path
    warehouse_url: str
    reports_dir: Path
    dagster_home: Path

    @staticmethod
    def from_env() -> Settings:
        data = REPO_ROOT / "data"
        submissions = Path(os.environ.get("SUBMISSIONS_DIR") or REPO_ROOT / "raw_samples")
        url = os.environ.get("WAREHOUSE_URL") or f"duckdb:///{data / 'warehouse.duckdb'}"
        reports = Path(os.environ.get("REPORTS_DIR") or data / "reports")
        home = Path(os.environ.get("DAGSTER_HOME") or REPO_ROOT / ".dagster_home")
        return Settings(submissions.resolve(), url, reports.resolve(), home.resolve())


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
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def month_problem(text: str) -> str | None:
    """Why `text` is not a reporting month ('YYYY-MM'), in plain Chinese; None when it is one."""
    if not re.fullmatch(r"\d{4}-\d{2}", text):
        return f"月份需要 YYYY-MM 格式（如 2022-05），收到 {text!r}"
    if not 1 <= int(text[5:]) <= 12:
        return f"月份 {text} 无效：月份只能是 01 到 12，收到 {text[5:]}"
    return None
