"""Reporting duty (revision 2), hand-worked: deadlines at their boundary (the deadline day, one
day either side, in local time), the first submission decides, months without a folder are not
owed, not_due before the deadline, the 专班 30th clamped to the month's end, the findings and the
`reporting` assessment item with its cap."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from assets.marts.assessment import build_assessment
from assets.marts.submissions import (
    as_of_key,
    build_submission_status,
    reporting_counts,
    submission_findings,
)
from runtime.duties import Duty, DutyError, load_duties
from tests.marts.builders import make_core, rules_variant

DUTIES = load_duties()
TARGETS = [(2022, "城中区", "new_projects", 4), (2022, "市投资促进局", "new_projects", 4),
           (2022, "市科技局汽车产业链招商专班", "new_projects", 1)]


def files(*rows) -> pd.DataFrame:
    """rows: (source_file, unit, kind, modified_at[, first_seen_at]) — month = folder."""
    out = []
    for r in rows:
        seen = r[4] if len(r) > 4 else datetime(2030, 1, 1)
        out.append(dict(source_file=r[0], folder_month=r[0][:7], unit_name=r[1], kind=r[2],
                        status="loaded", modified_at=r[3], first_seen_at=seen))
    return pd.DataFrame(out)


def core_with(file_frame, as_of=None, targets=TARGETS):
    core = make_core(targets=targets)
    core.files, core.duties, core.as_of = file_frame, DUTIES, as_of
    return core


def status_of(core, rules, period="2022-02"):
    df = build_submission_status(core, period, rules)
    return {(r.unit_name, r.kind): r for r in df.itertuples()}


# UTC times: local (UTC+8) 2022-03-05 23:59 is 15:59 UTC; local 03-06 00:00 is 16:00 UTC
@pytest.mark.parametrize("utc, expected", [
    (datetime(2022, 3, 4, 12, 0), "on_time"),      # the day before
    (datetime(2022, 3, 5, 15, 59), "on_time"),     # the deadline day, 23:59 local
    (datetime(2022, 3, 5, 16, 0), "late"),         # 00:00 local on the day after
    (datetime(2022, 3, 6, 12, 0), "late"),         # the day after
])
def test_district_deadline_is_the_5th_of_next_month_local_time(rules, utc, expected):
    core = core_with(files(("2022-02/城中区.xlsx", "城中区", "project_ledger", utc)))
    row = status_of(core, rules)[("城中区", "project_ledger")]
    assert row.deadline == date(2022, 3, 5)
    assert row.status == expected
    assert row.source_file == "2022-02/城中区.xlsx"


def test_arrival_is_never_later_than_first_registration(rules):
    # modified after the deadline (re-saved), but the pipeline saw it on the 5th
    core = core_with(files(("2022-02/城中区.xlsx", "城中区", "project_ledger",
                            datetime(2022, 3, 20), datetime(2022, 3, 5, 2, 0))))
    row = status_of(core, rules)[("城中区", "project_ledger")]
    assert row.status == "on_time"
    assert row.received_at == datetime(2022, 3, 5, 10, 0)  # local time


def test_first_submission_decides_a_late_correction_is_not_late(rules):
    core = core_with(files(
        ("2022-02/城中区.xlsx", "城中区", "project_ledger", datetime(2022, 3, 3)),
        ("2022-02/城中区（更正）.xlsx", "城中区", "project_ledger", datetime(2022, 3, 20)),
    ))
    row = status_of(core, rules)[("城中区", "project_ledger")]
    assert (row.status, row.source_file) == ("on_time", "2022-02/城中区.xlsx")
    # and a late first file stays late whatever came after it
    core = core_with(files(
        ("2022-02/城中区.xlsx", "城中区", "project_ledger", datetime(2022, 3, 9)),
    ))
    assert status_of(core, rules)[("城中区", "project_ledger")].status == "late"


def test_task_force_30th_is_clamped_to_the_end_of_february(rules):
    unit = "市科技局汽车产业链招商专班"
    for utc, expected in [(datetime(2022, 2, 28, 15, 59), "on_time"),
                          (datetime(2022, 2, 28, 16, 0), "late")]:
        core = core_with(files(("2022-02/专班.xlsx", unit, "project_ledger", utc)))
        row = status_of(core, rules)[(unit, "project_ledger")]
        assert row.deadline == date(2022, 2, 28)
        assert row.status == expected


def test_missing_not_due_and_who_owes_what(rules):
    f = files(("2022-02/城中区.xlsx", "城中区", "project_ledger", datetime(2022, 3, 1)))
    # judged on local 2022-03-05: the 5th is still open, the 专班's 28 Feb is past
    core = core_with(f, as_of=datetime(2022, 3, 5, 15, 59))
    st = status_of(core, rules)
    assert set(st) == {
        ("城中区", "project_ledger"),
        ("市投资促进局", "project_ledger"), ("市投资促进局", "activity_ledger"),
        ("市科技局汽车产业链招商专班", "project_ledger"),
        ("市科技局汽车产业链招商专班", "activity_ledger"),
    }  # 鱼峰区 etc. have no 2022 target: they owe nothing
    assert st[("市投资促进局", "activity_ledger")].status == "not_due"
    assert st[("市科技局汽车产业链招商专班", "activity_ledger")].status == "missing"
    core.as_of = datetime(2022, 3, 5, 16, 0)  # one minute later in local time: the 6th
    st = status_of(core, rules)
    assert st[("市投资促进局", "activity_ledger")].status == "missing"
    assert st[("城中区", "project_ledger")].received_at == datetime(2022, 3, 1, 8, 0)


def test_a_month_without_a_folder_is_not_owed(rules):
    f = files(("2022-01/城中区.xlsx", "城中区", "project_ledger", datetime(2022, 2, 1)),
              ("2022-03/城中区.xlsx", "城中区", "project_ledger", datetime(2022, 4, 1)))
    core = core_with(f)
    assert build_submission_status(core, "2022-02", rules).empty  # quarterly office: no Feb
    counts = reporting_counts(core, "2022-03", rules)
    # Jan + Mar owed: 城中区 on time twice; 市投资促进局 2 kinds × 2 months missing
    assert counts["城中区"] == (0, 0)
    assert counts["市投资促进局"] == (4, 0)
    assert counts["市科技局汽车产业链招商专班"] == (4, 0)


def test_findings_name_unit_month_kind_deadline_and_file(rules):
    f = files(("2022-02/城中区.xlsx", "城中区", "project_ledger", datetime(2022, 3, 7, 1, 30)))
    found = submission_findings(core_with(f), "2022-02", rules)
    late = [x for x in found if x.check_name == "late_submission"]
    missing = [x for x in found if x.check_name == "missing_submission"]
    assert [x.message for x in late] == [
        "城中区 2022-02 项目台账于 2022-03-07 09:30 报送（2022-02/城中区.xlsx），晚于截止日期 2022-03-05"]
    assert late[0].as_row()["severity"] == "info"
    assert {x.unit_name for x in missing} == {"市投资促进局", "市科技局汽车产业链招商专班"}
    msg = next(x.message for x in missing if x.unit_name == "市投资促进局"
               and "活动" in x.message)
    assert msg == "市投资促进局 未报送 2022-02 招商活动台账（截止日期 2022-03-05），请督促补报"
    assert missing[0].as_row()["severity"] == "warning"


def test_reporting_item_points_and_cap(rules, tmp_path):
    months = [f"2022-{m:02d}" for m in range(1, 7)]
    # 城中区: Jan–Jun all missing except Jan on time and Feb late → 4 missing, 1 late
    f = files(("2022-01/城中区.xlsx", "城中区", "project_ledger", datetime(2022, 2, 2)),
              ("2022-02/城中区.xlsx", "城中区", "project_ledger", datetime(2022, 3, 9)),
              *[(f"{m}/x.txt", None, None, datetime(2022, 1, 1)) for m in months])
    core = core_with(f)
    pa = build_assessment(core, "2022-06", rules)
    row = pa[(pa.unit_name == "城中区") & (pa.item == "reporting")].iloc[0]
    assert row.score == pytest.approx(-2.2) and row.max_score == 0  # 4 × 0.5 + 1 × 0.2
    total = pa[(pa.unit_name == "城中区") & (pa.item == "total")].iloc[0]
    others = pa[(pa.unit_name == "城中区") & ~pa.item.isin(["total"])].score.dropna().sum()
    assert total.score == pytest.approx(round(others, 2))
    # 市投资促进局: 12 missing = 6 points → capped at 3
    dep = pa[(pa.unit_name == "市投资促进局") & (pa.item == "reporting")].iloc[0]
    assert dep.score == -3.0 and "上限" in dep.detail
    # exactly at the cap: 6 missing × 0.5 = 3, not "above" it
    r2 = rules_variant(tmp_path, reporting__assessment__missing_points=0.25)
    dep = build_assessment(core, "2022-06", r2)
    dep = dep[(dep.unit_name == "市投资促进局") & (dep.item == "reporting")].iloc[0]
    assert dep.score == -3.0 and "上限" not in dep.detail
    # units without a target owe nothing and get no reporting row
    assert pa[(pa.unit_name == "鱼峰区") & (pa.item == "reporting")].empty


def test_as_of_key_stops_changing_after_the_last_deadline(rules):
    assert as_of_key(DUTIES, "2022-02", datetime(2022, 3, 1), rules) == "2022-03-01"
    late = as_of_key(DUTIES, "2022-02", datetime(2026, 1, 1), rules)
    assert late == as_of_key(DUTIES, "2022-02", datetime(2027, 1, 1), rules) == "2022-03-06"


def test_duty_table_rejects_a_bad_line(tmp_path):
    (tmp_path / "reporting_duties.csv").write_text(
        "unit_type,parent_type,units,kind,from_month,deadline_day,deadline_month,note\n"
        "district,,,project_ledger,,35,next,\n", encoding="utf-8")
    with pytest.raises(DutyError, match="第 2 行：deadline_day"):
        load_duties(tmp_path)
    d = Duty("project_ledger", 5, "next", units=("城中区",), from_month="2022-03")
    assert not d.owed_in("2022-02") and d.owed_in("2022-03")
    assert d.matches("城中区", "district", None) and not d.matches("鱼峰区", "district", None)
    assert d.deadline("2022-12") == date(2023, 1, 5)


def test_expected_text_names_who_owes_what(rules):
    from assets.marts.submissions import expected_text

    core = core_with(files())
    text = expected_text(core, "2022-03", rules)
    assert "项目台账（次月5日前）：城中区、市投资促进局" in text
    assert "项目台账（当月30日前）：市科技局汽车产业链招商专班" in text
    empty = expected_text(core_with(files(), targets=[]), "2023-03", rules)
    assert empty.startswith("2023年尚未载入目标任务，按报送责任表：县区、开发区报送项目台账（次月5日前）")
    assert "部门招商专班报送招商活动台账（当月30日前）" in empty
