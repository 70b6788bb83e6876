"""Ground-truth marts: the independent reference run on the TRUTH world, never on production's
core. The core is rebuilt from the generator's ground-truth CSVs (tests/ground_truth/README.md:
projects, credits, project_periods, targets, activity_rows, reserve_rows, cohort and, when the
generator wrote it, submission_status) and the unit list reference/units.yaml, all read here with
csv/yaml alone; project ids are the true ids (`true_project_id`).

    python -m tests.reference.truth_marts tests/ground_truth

writes red_black_list.csv, performance_assessment.csv, interview_list.csv, early_warning.csv,
project_pipeline.csv and industry_summary.csv next to the inputs. Without submission_status.csv
the `reporting` item is absent, so the totals, ranks and grades of performance_assessment.csv
leave it out (the bundled test compares them only when the file exists)."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import yaml

from . import rules as ref_rules
from .assessment import performance_assessment
from .pipeline_views import industry_summary, project_pipeline
from .red_black import red_black_list
from .tables import RefCore, read_baseline
from .watch import early_warning, interview_list

UNITS_YAML = Path(__file__).resolve().parents[2] / "reference" / "units.yaml"
OUTPUTS = {
    "red_black_list": ["period", "list_group", "unit_name", "score", "rank", "list",
                       "gate_completion"],
    "performance_assessment": ["period", "year", "unit_name", "unit_type", "item", "score",
                               "max_score", "rank", "grade"],
    "interview_list": ["quarter", "period", "list_group", "unit_name", "black_list_months",
                       "gate_completion", "time_progress"],
    "early_warning": ["period", "warning_type", "unit_name", "project_id", "project_name",
                      "months"],
    "project_pipeline": ["period", "unit_name", "stage", "projects", "total_investment",
                         "funds_this_year", "entered_this_period"],
    "industry_summary": ["period", "industry", "chain", "new_projects", "total_investment",
                         "funds_in_place", "actual_last_year"],
}


def _csv(truth: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(truth / f"{name}.csv", dtype=str, keep_default_na=False)


def _dec(text: str):
    return Decimal(text) if text != "" else None


def _bool(text: str):
    return {"true": True, "false": False}.get(text)


def _none(text: str):
    return text if text != "" else None


def _units() -> pd.DataFrame:
    data = yaml.safe_load(UNITS_YAML.read_text(encoding="utf-8"))
    return pd.DataFrame([dict(unit_name=u["name"], unit_type=u["type"], parent_name=u["parent"])
                         for u in data["units"]])


def _latest_lists(rows: pd.DataFrame, files: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Activity / reserve lists are cumulative for the year (submissions.md): at P a unit's list
    is its latest loaded file of P's year up to P."""
    loaded = set(files.loc[files["expected_status"] == "loaded", "source_file"])
    rows = rows[rows["source_file"].isin(loaded)]
    parts = []
    for unit, mine in rows.groupby("unit_name"):
        months = sorted(set(mine["period"]))
        for p in periods:
            have = [m for m in months if m[:4] == p[:4] and m <= p]
            if have:
                parts.append(mine[mine["period"] == have[-1]].assign(period=p, unit_name=unit))
    return pd.concat(parts, ignore_index=True) if parts else rows.iloc[0:0]


def periods_of(truth: Path) -> list[str]:
    months = set(_csv(truth, "files")["folder_month"])
    return sorted(m for m in months if len(m) == 7 and m[4] == "-")


def truth_core(truth: Path) -> RefCore:
    periods = periods_of(truth)
    files = _csv(truth, "files")
    p = _csv(truth, "projects")
    # the 产业链 as written: a project whose ledgers leave the column empty has none
    rows = _csv(truth, "ledger_rows")
    written = set(rows.loc[rows["chain"] != "", "true_project_id"])
    p["chain"] = [c if i in written else "" for i, c in zip(p["true_project_id"], p["chain"])]
    projects = pd.DataFrame(dict(
        project_id=p["true_project_id"], project_name=p["project_name"],
        investor=p["investor"], industry=p["industry"].map(_none), chain=p["chain"].map(_none),
        total_investment=p["total_investment"].map(_dec),
        is_industrial=p["is_industrial"].map(_bool), is_emerging=p["is_emerging"].map(_bool),
        is_sanqi=p["is_sanqi"].map(_bool), signed_month=p["signed_month"].map(_none),
        territorial_unit=p["territorial_unit"].map(_none),
        below_threshold=p["below_threshold"].map(_bool),
        source_region=p["source_region"].map(_none), source_class=p["source_class"].map(_none)))
    c = _csv(truth, "credits")
    bridge = pd.DataFrame(dict(project_id=c["true_project_id"], unit_name=c["unit_name"],
                               role=c["role"], first_period=c["first_period"]))
    f = _csv(truth, "project_periods")
    facts = pd.DataFrame(dict(
        project_id=f["true_project_id"], period=f["period"], stage=f["stage"].map(_none),
        status=f["stage"].map(_none), funds_this_year=f["funds_this_year"].map(_dec),
        funds_cumulative=f["funds_cumulative"].map(_dec), reported_by=f["reported_by"],
        in_library=f["in_library"].map(_bool)))
    t = _csv(truth, "targets")
    targets = pd.DataFrame(dict(year=t["year"].astype(int), unit_name=t["unit_name"],
                                indicator=t["indicator"], target=t["target"].map(_dec)))
    a = _latest_lists(_csv(truth, "activity_rows"), files, periods)
    activities = a.assign(
        activity_date=a["activity_date"].map(_none), activity_type=a["activity_type"].map(_none),
        led_by_principal=a["led_by_principal"].map(_bool),
        enterprises_docked=[int(Decimal(x)) if x else None for x in a["enterprises_docked"]])
    r = _latest_lists(_csv(truth, "reserve_rows"), files, periods)
    reserve = r.assign(entered_on=r["entered_on"].map(_none),
                       planned_investment=r["planned_investment"].map(_dec))
    k = _csv(truth, "cohort")
    cohort = pd.DataFrame(dict(year=k["year"].astype(int),
                               project_id=k["true_project_id"].map(_none)))
    status = truth / "submission_status.csv"
    submissions = _csv(truth, "submission_status") if status.exists() else pd.DataFrame()
    return RefCore(units=_units(), projects=projects, bridge=bridge, facts=facts,
                   targets=targets, activities=activities, reserve=reserve, cohort=cohort,
                   four_rates_baseline=read_baseline(), submissions=submissions)


def _text(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, Fraction):
        if v.denominator == 1 or (v * 100).denominator == 1:
            v = Decimal(v.numerator) / Decimal(v.denominator)
        else:
            return format(Decimal(v.numerator) / Decimal(v.denominator), ".12f").rstrip("0")
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def truth_marts(truth: Path) -> dict[str, pd.DataFrame]:
    core, rules = truth_core(truth), ref_rules.load()
    builders = {"red_black_list": red_black_list,
                "performance_assessment": performance_assessment,
                "interview_list": interview_list, "early_warning": early_warning,
                "project_pipeline": project_pipeline, "industry_summary": industry_summary}
    out = {}
    for name, build in builders.items():
        rows = [r for period in periods_of(truth)
                for r in build(core, period, rules).to_dict("records")]
        out[name] = pd.DataFrame(rows, columns=OUTPUTS[name])
    return out


def write(truth: Path) -> dict[str, int]:
    counts = {}
    for name, df in truth_marts(truth).items():
        df = df.map(_text)
        df.to_csv(truth / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
        counts[name] = len(df)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("truth", type=Path, help="the ground-truth folder (tests/ground_truth)")
    args = parser.parse_args(argv)
    for name, n in write(args.truth).items():
        print(f"{name}.csv: {n} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
