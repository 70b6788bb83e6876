"""Asset checks on the marts (issue 18): each can fail, at its boundary, and on a corrupted
warehouse table it blocks the 通报 and the CLI names it."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from quality.mart_checks import (
    city_problems,
    rank_problems,
    score_problems,
    total_problems,
)
from tests.orchestration.conftest import run_cli

CHECKS = ("red_black_rank_unique", "red_black_score_in_range", "assessment_score_within_max",
          "assessment_total_is_sum", "city_summary_matches_territories")


def _ranking(ranks, scores=None, group="县区"):
    scores = scores or [50.0] * len(ranks)
    return pd.DataFrame({"list_group": group, "unit_name": [f"单位{i}" for i in range(len(ranks))],
                         "rank": ranks, "score": scores})


def test_rank_problems():
    assert rank_problems(_ranking([1, 2, None])) == []
    [dup] = rank_problems(_ranking([1, 1, 3]))
    assert dup["duplicated"] == [1] and dup["list_group"] == "县区"
    assert rank_problems(_ranking([1, 3]))  # a gap
    two = pd.concat([_ranking([1, 2]), _ranking([1, 2], group="部门")])
    assert rank_problems(two) == []  # ranks restart in each group


def test_score_bounds_at_the_boundary():
    empty = pd.DataFrame(columns=["unit_name", "item", "score", "max_score"])
    assert score_problems(_ranking([1, 2], [0.0, 100.0]), empty) == []
    assert len(score_problems(_ranking([1, 2], [-0.01, 100.01]), empty)) == 2
    assessment = pd.DataFrame({"unit_name": ["柳南区"] * 3, "item": ["a", "b", "c"],
                               "score": [40.0, -2.0, 40.01], "max_score": [40.0, 0.0, 40.0]})
    [over] = score_problems(_ranking([]), assessment)
    assert over["item"] == "c" and over["score"] == 40.01


def test_assessment_total_is_the_sum_of_items():
    rows = pd.DataFrame({"unit_name": ["柳南区"] * 4, "item": ["a", "b", "c", "total"],
                         "score": [10.25, None, 5.0, 15.25], "max_score": [40, 25, 20, 60]})
    assert total_problems(rows) == []
    rows.loc[3, "score"] = 15.26  # one cent off
    [bad] = total_problems(rows)
    assert bad["total"] == 15.26 and bad["sum_of_items"] == 15.25
    assert total_problems(rows[rows["item"] != "total"]) == [
        {"unit_name": "柳南区", "problem": "缺少合计行"}]


def test_city_problems_compare_exactly():
    from decimal import Decimal

    city = pd.DataFrame({"indicator": ["funds_in_place", "new_projects", "emerging_share"],
                         "actual": [Decimal("2.50000000"), Decimal("3"), 0.5]})
    sums = {"funds_in_place": Decimal("2.5"), "new_projects": Decimal(3)}
    assert city_problems(city, sums) == []
    sums["funds_in_place"] = Decimal("2.50000001")
    [bad] = city_problems(city, sums)
    assert bad["indicator"] == "funds_in_place"


def _corrupt(url: str) -> None:
    """What a wrong figure looks like in the stored marts of 2021-01."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE marts.red_black_list SET rank = 1 WHERE rank IS NOT NULL "
                             "AND period = '2021-01'")
        conn.exec_driver_sql("UPDATE marts.red_black_list SET score = 100.5 WHERE rank IS NOT NULL "
                             "AND period = '2021-01'")
        conn.exec_driver_sql("UPDATE marts.performance_assessment SET score = score + 1 "
                             "WHERE item = 'total' AND period = '2021-01'")
        conn.exec_driver_sql("UPDATE marts.performance_assessment SET score = max_score + 1 "
                             "WHERE item = 'new_projects' AND max_score > 0 "
                             "AND period = '2021-01'")
        conn.exec_driver_sql("UPDATE marts.city_summary SET actual = actual + 1 "
                             "WHERE indicator = 'new_projects' AND period = '2021-01'")
    engine.dispose()


def test_corrupted_marts_fail_their_checks_and_block_the_report(cli_env):
    proc = run_cli(cli_env, "--period", "2021-01")
    assert proc.returncode == 0, proc.stderr[-3000:]
    for check in CHECKS:  # the real marts pass
        assert check not in proc.stdout, proc.stdout

    _corrupt(cli_env["WAREHOUSE_URL"])
    # nothing changed in the drop folder: the marts are not rebuilt, the checks read the
    # corrupted rows
    proc = run_cli(cli_env, "--period", "2021-01")
    assert proc.returncode == 1
    for check in CHECKS:
        [line] = [x for x in proc.stdout.splitlines() if check in x]
        assert "检查未通过（阻断）" in line, line
    assert "项检查未通过" in proc.stdout
    assert "reports__tongbao" not in proc.stdout  # blocked, not failed on its own
    from dagster import DagsterInstance

    with DagsterInstance.from_config(cli_env["DAGSTER_HOME"]) as instance:
        last = instance.get_runs(limit=1)[0]
        mats = instance.get_records_for_run(last.run_id).records
        keys = {r.event_log_entry.dagster_event.asset_key.to_user_string()
                for r in mats if r.event_log_entry.dagster_event
                and r.event_log_entry.dagster_event.is_step_materialization}
    assert "reports/tongbao" not in keys and "marts/red_black_list" in keys
