"""Every mart of the bundled samples, on DuckDB and on PostgreSQL, against

1. the independent reference (tests/reference, tests/marts/reference_impl.py) computed on the
   warehouse's own core, period by period, both ways (no missing or extra row, every compared
   column equal); and
2. the ground-truth marts (tests/ground_truth/*.csv, written by `python -m
   tests.reference.truth_marts` from the generator's TRUTH world, not from production's core),
   both ways, with production's project ids mapped to the true ids through row lineage.

Texts (reasons, detail, messages, project names) are not compared; scores, ranks, lists, grades,
counts and amounts are. Run with `-s` to see how many rows each mart compared."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from tests.conftest import require_postgres
from tests.pipeline.bundled import TRUTH, load_samples, truth
from tests.reference.compare import mart_differences

# mart -> (keys besides period, exact columns (numbers to the cent), columns within 1e-9)
SCORING = {
    "red_black_list": (["unit_name"], ["list_group", "score", "rank", "list"],
                       ["gate_completion"]),
    "performance_assessment": (["unit_name", "item"],
                               ["unit_type", "score", "max_score", "rank", "grade"], []),
}
WATCH = {
    "interview_list": (["unit_name"], ["quarter", "list_group", "black_list_months"],
                       ["gate_completion", "time_progress"]),
    "early_warning": (["warning_type", "unit_name", "project_id"], ["months"], []),
    "project_pipeline": (["unit_name", "stage"], ["projects", "entered_this_period"],
                         ["total_investment", "funds_this_year"]),
    "industry_summary": (["industry"], ["chain", "new_projects"],
                         ["total_investment", "funds_in_place", "actual_last_year"]),
}
SUBMISSIONS = (["unit_name", "kind"], ["unit_type", "status", "source_file", "deadline",
                                      "received_at"], [])
# the warehouse keeps 8 decimals of a share (numeric(18, 8)): compared within 1e-8
INDICATORS = (["unit_name", "indicator"], [], ["actual"], 1e-8)
CITY = (["indicator"], [], ["actual", "actual_last_year", "yoy_change"], 1e-8)
FOUR_RATES = (["unit_name"], ["signed_projects", "performing_projects", "started_projects",
                              "completed_projects"],
              ["contract_investment", "funds_cumulative", "performance_rate", "funds_rate",
               "start_rate", "completion_rate", "performance_rate_increment",
               "funds_rate_increment", "start_rate_increment", "completion_rate_increment"])


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def wh(request, tmp_path_factory):
    if request.param == "postgresql":
        url = require_postgres()
    else:
        url = f"duckdb:///{tmp_path_factory.mktemp('bundled_ref') / 'wh.duckdb'}"
    warehouse = load_samples(url)
    yield warehouse
    warehouse.dispose()


def _periods(wh) -> list[str]:
    return sorted(wh.read("SELECT DISTINCT period FROM marts.red_black_list")["period"])


def _mart(wh, name: str, period: str) -> pd.DataFrame:
    return wh.read(f"SELECT * FROM marts.{name} WHERE period = '{period}'")


def _report(counts: dict, what: str) -> None:
    print(f"\n{what}: " + ", ".join(f"{k} {v} rows" for k, v in counts.items()))


def _indicator_rows(core, period: str, rules) -> pd.DataFrame:
    """target_progress actuals of the reference: credited units' figures, a unit with a target
    but no credit counts nothing (tests/marts/reference_impl.py)."""
    from tests.marts.reference_impl import _city, ref_actuals, ref_actuals_of_nothing

    city = _city(core)
    actuals = {k: v for k, v in ref_actuals(core, period, rules).items() if k[0] != city}
    owing = {t["unit_name"] for t in core.targets.to_dict("records")
             if int(t["year"]) == int(period[:4]) and t["unit_name"] != city}
    nothing = ref_actuals_of_nothing(period, rules)
    rows = [dict(unit_name=u, indicator=k, actual=v) for (u, k), v in actuals.items()]
    have = {u for u, _k in actuals}
    rows += [dict(unit_name=u, indicator=k, actual=v) for u in sorted(owing - have)
             for k, v in nothing.items()]
    return pd.DataFrame(rows)


def _figures(core, period, rules) -> dict:
    from tests.marts.reference_impl import ref_city_summary, ref_four_rates

    city = ref_city_summary(core, period, rules)
    rates = ref_four_rates(core, period, rules)
    return {
        "target_progress": _indicator_rows(core, period, rules),
        "city_summary": pd.DataFrame([dict(indicator=k, actual=a, actual_last_year=b,
                                           yoy_change=y) for k, (a, b, y) in city.items()]),
        "four_rates": pd.DataFrame([dict(unit_name=u, **r) for u, r in rates.items()]),
    }


def test_every_mart_equals_the_reference(wh):
    """All ten marts of every period against the reference computed on this warehouse's core."""
    from tests.reference import rules as ref_rules
    from tests.reference.assessment import performance_assessment
    from tests.reference.pipeline_views import industry_summary, project_pipeline
    from tests.reference.red_black import red_black_list
    from tests.reference.submissions import submission_status
    from tests.reference.tables import from_sql
    from tests.reference.watch import early_warning, interview_list

    core, rules = from_sql(wh.read), ref_rules.load()
    build = {"red_black_list": red_black_list, "performance_assessment": performance_assessment,
             "interview_list": interview_list, "early_warning": early_warning,
             "project_pipeline": project_pipeline, "industry_summary": industry_summary}
    specs = {**SCORING, **WATCH, "submission_status": SUBMISSIONS, "target_progress": INDICATORS,
             "city_summary": CITY, "four_rates": FOUR_RATES}
    periods = _periods(wh)
    assert len(periods) >= 12
    # the reference's own reporting duty (every deadline of the samples is past) feeds its
    # `reporting` item, not production's marts.submission_status
    status = {p: submission_status(core, p, rules) for p in periods}
    core.submissions = pd.DataFrame([r for s in status.values() for r in s.to_dict("records")])
    problems, counts = [], dict.fromkeys(specs, 0)
    for period in periods:
        ref = {k: f(core, period, rules) for k, f in build.items()}
        ref["submission_status"] = status[period]
        ref.update(_figures(core, period, rules))
        for name, (keys, exact, close, *tol) in specs.items():
            prod = _mart(wh, name, period)
            if name == "target_progress":  # the indicators the reference computes; city apart
                prod = prod[prod["indicator"].isin(set(ref[name]["indicator"]))
                            & (prod["unit_type"] != "city")]
            counts[name] += len(ref[name])
            problems += [f"{period} {name} {d}" for d in
                         mart_differences(prod, ref[name], keys, exact, close, *tol)]
    _report(counts, f"{wh.url.split(':')[0]} reference rows compared")
    assert all(counts.values()), counts
    assert problems == [], problems[:30]


# --- the ground truth ----------------------------------------------------------------------
def _true_ids(wh) -> dict:
    """production project_id -> true_project_id, through the ledger rows' lineage."""
    facts = wh.read("SELECT DISTINCT project_id, source_file, source_sheet, source_row "
                    "FROM core.fact_project_period")
    rows = truth("ledger_rows")
    true = {(r.source_file, r.source_sheet, str(r.source_row)): r.true_project_id
            for r in rows.itertuples()}
    out: dict = {}
    for r in facts.itertuples():
        key = (r.source_file, r.source_sheet, str(int(r.source_row)))
        if key in true:
            out.setdefault(r.project_id, set()).add(true[key])
    assert all(len(v) == 1 for v in out.values()), "a conformed project of two true projects"
    return {k: next(iter(v)) for k, v in out.items()}


def _typed(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The truth CSV's text as numbers (empty = None) in the numeric columns."""
    df = df.copy()
    for c in df.columns:
        df[c] = [None if v == "" else Decimal(v) if c in columns else v for v in df[c]]
    return df


TRUTH_SPECS = {
    "red_black_list": (["period", "unit_name"], ["list_group", "score", "rank", "list"],
                       ["gate_completion"]),
    "performance_assessment": (["period", "unit_name", "item"],
                               ["unit_type", "score", "max_score", "rank", "grade"], []),
    **{k: (["period", *keys], exact, close) for k, (keys, exact, close) in WATCH.items()},
}
NUMERIC = {"score", "rank", "max_score", "gate_completion", "time_progress", "black_list_months",
           "months", "projects", "entered_this_period", "total_investment", "funds_this_year",
           "new_projects", "funds_in_place", "actual_last_year"}


def _reporting_known() -> bool:
    return (TRUTH / "submission_status.csv").exists()


def test_marts_equal_the_ground_truth(wh):
    """红黑榜, 绩效考评, 季约谈, 预警, project pipeline and industry summary of every period
    against the ground-truth marts. Without tests/ground_truth/submission_status.csv the
    truth has no `reporting` item (the bundled files' arrival times are checkout times), so the
    `reporting` rows and the totals' score, rank and grade are compared only with it."""
    ids = _true_ids(wh)
    problems, counts = [], {}
    for name, (keys, exact, close) in TRUTH_SPECS.items():
        expected = truth(name)
        expected = _typed(expected, [c for c in expected.columns if c in NUMERIC])
        prod = wh.read(f"SELECT * FROM marts.{name}")
        prod = prod[prod["period"].isin(set(expected["period"]))]
        if name == "early_warning":
            prod["project_id"] = [None if v is None or v != v else ids.get(v, f"?{v}")
                                  for v in prod["project_id"]]
        if name == "performance_assessment" and not _reporting_known():
            prod = prod[prod["item"] != "reporting"]
            totals_p, totals_e = (d[d["item"] == "total"] for d in (prod, expected))
            problems += [f"{name} {d}" for d in mart_differences(
                totals_p, totals_e, keys, ["unit_type", "max_score"])]
            prod, expected = (d[d["item"] != "total"] for d in (prod, expected))
            counts["performance_assessment totals (unit_type, max_score)"] = len(totals_e)
        counts[name] = len(expected)
        problems += [f"{name} {d}" for d in mart_differences(prod, expected, keys, exact, close)]
    _report(counts, f"{wh.url.split(':')[0]} ground-truth rows compared")
    assert all(counts.values()), counts
    assert problems == [], problems[:30]
