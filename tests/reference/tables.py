"""Core tables as plain DataFrames, read with plain SQL (no runtime/ or assets/ code).

`RefCore` has the attribute names tests/marts/reference_impl.py reads, so that independent
indicator / 四率 reference runs on it too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

BASELINE_CSV = Path(__file__).resolve().parents[2] / "reference" / "four_rates_baseline.csv"
RATES = ("performance_rate", "funds_rate", "start_rate", "completion_rate")


@dataclass
class RefCore:
    units: pd.DataFrame
    projects: pd.DataFrame
    bridge: pd.DataFrame
    facts: pd.DataFrame
    targets: pd.DataFrame
    activities: pd.DataFrame
    reserve: pd.DataFrame
    cohort: pd.DataFrame
    four_rates_baseline: pd.DataFrame
    # marts.submission_status: the reporting duty's months (input of the `reporting` item)
    submissions: pd.DataFrame = field(default_factory=pd.DataFrame)
    # staging.files: the file registry (arrival times, for the reference submission_status)
    files: pd.DataFrame = field(default_factory=pd.DataFrame)


def read_baseline(path: Path = BASELINE_CSV) -> pd.DataFrame:
    """The office's baseline file: `#` comments, rates as fractions or with a % sign."""
    rows = []
    if path.exists():
        df = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
        for r in df.to_dict("records"):
            try:
                row = {"year": int(r["year"]), "unit_name": r["unit_name"].strip()}
                for k in RATES:
                    text = r[k].strip()
                    row[k] = float(text[:-1]) / 100 if text.endswith("%") else float(text)
            except (ValueError, KeyError, AttributeError):
                continue  # a bad row is ignored (the marts raise a finding for it)
            rows.append(row)
    return pd.DataFrame(rows, columns=["year", "unit_name", *RATES])


def from_sql(read: Callable[[str], pd.DataFrame], baseline: Path = BASELINE_CSV) -> RefCore:
    """`read(sql)` runs one SELECT on the warehouse and returns a DataFrame."""
    try:
        cohort = read("SELECT * FROM core.fact_cohort")
    except Exception:  # a warehouse without the revision-2 table has no cohort list
        cohort = pd.DataFrame(columns=["year", "project_id"])
    return RefCore(
        units=read("SELECT unit_name, unit_type, parent_name FROM core.dim_unit"),
        projects=read("SELECT * FROM core.dim_project"),
        bridge=read("SELECT project_id, unit_name, role, first_period "
                    "FROM core.bridge_project_unit"),
        facts=read("SELECT * FROM core.fact_project_period"),
        targets=read("SELECT year, unit_name, indicator, target FROM core.fact_target"),
        activities=read("SELECT * FROM core.fact_activity"),
        reserve=read("SELECT * FROM core.fact_reserve_project"),
        cohort=cohort,
        four_rates_baseline=read_baseline(baseline),
        submissions=read("SELECT period, unit_name, kind, status FROM marts.submission_status"),
        files=read("SELECT source_file, folder_month, unit_name, kind, status, modified_at, "
                   "first_seen_at FROM staging.files"),
    )


def from_frames(frames: object) -> RefCore:
    """Any object with the nine DataFrame attributes (e.g. a random test world)."""
    return RefCore(**{k: getattr(frames, k) for k in RefCore.__dataclass_fields__
                      if hasattr(frames, k)})
