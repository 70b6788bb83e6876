"""Random worlds for the scoring comparison: tests/marts' random world (projects, credits,
targets, cohort, baseline) plus activity and reserve ledgers for departments and 专班, with
every activity type the office's table knows, blank and unknown types, undated rows and
dates spread over the quarters."""

from __future__ import annotations

import random
from decimal import Decimal

import pandas as pd

from tests.marts.test_reference_agreement import random_world

TYPES = ["参加自治区或市组织的活动", "推介会", "走出去", "请进来", "不见面", "线上", "联席会",
         "会议", "走访", "座谈", "产业专题推介", "", None, "其他活动"]
DUTY_UNITS = ["市投资促进局", "市科技局", "市科技局汽车产业链招商专班"]


def _ledgers(rnd: random.Random, months: list[str]):
    activities, reserve = [], []
    for unit in DUTY_UNITS:
        if rnd.random() < 0.2:
            continue  # this unit files no activity or reserve ledger
        acts = []
        for i in range(rnd.randrange(0, 9)):
            month = rnd.choice(months)
            date = None if rnd.random() < 0.1 else f"{month}-{rnd.randrange(1, 28):02d}"
            acts.append((month, date, f"{unit}活动{i}", rnd.choice(TYPES),
                         rnd.choice([None, 0, 1, 2, 5])))
        res = []
        for i in range(rnd.randrange(0, 8)):
            month = rnd.choice(months)
            entered = rnd.choice([None, f"{month}-15", "2022-11-20"])
            res.append((month, f"{unit}储备项目{i}", entered))
        for period in months:
            for month, date, name, typ, docked in acts:
                if month <= period:
                    activities.append(dict(
                        period=period, unit_name=unit, activity_date=date, activity_name=name,
                        activity_type=typ, leader=None, led_by_principal=False,
                        enterprises_docked=docked))
            for month, name, entered in res:
                if month <= period:
                    reserve.append(dict(period=period, unit_name=unit, project_name=name,
                                        chain=None, planned_investment=Decimal("1.5"),
                                        entered_on=entered, status=None))
    return activities, reserve


def scoring_world(seed: int):
    core = random_world(seed)
    rnd = random.Random(1000 + seed)
    months = [f"2023-{m:02d}" for m in range(1, 7)]
    activities, reserve = _ledgers(rnd, months)
    core.activities = pd.DataFrame(activities, columns=[
        "period", "unit_name", "activity_date", "activity_name", "activity_type", "leader",
        "led_by_principal", "enterprises_docked"])
    core.reserve = pd.DataFrame(reserve, columns=[
        "period", "unit_name", "project_name", "chain", "planned_investment", "entered_on",
        "status"])
    return core


KINDS = ["project_ledger", "activity_ledger"]


def _registry(rnd: random.Random, months: list[str], units: list[str]) -> pd.DataFrame:
    """A file registry: per unit, month and kind none, one or two files, arriving from the 1st
    of the next month to 40 days later (some on the deadline day's last local minute, some a
    minute after), first_seen_at sometimes before the modification time; unrecognised files."""
    from datetime import datetime, timedelta

    rows = []
    for month in months:
        if rnd.random() < 0.15:
            continue  # no folder for this month at all
        y, m = int(month[:4]), int(month[5:7])
        start = datetime(y + (m == 12), m % 12 + 1, 1) - timedelta(hours=8)  # local midnight
        for unit in units:
            for kind in KINDS:
                for i in range(rnd.choice([0, 1, 1, 1, 2])):
                    modified = start + rnd.choice([
                        timedelta(days=rnd.randrange(-12, 40), minutes=rnd.randrange(1440)),
                        timedelta(days=4, hours=23, minutes=59),  # 24:00 of the 5th, local
                        timedelta(days=5), timedelta(days=-1, hours=23, minutes=59)])
                    seen = modified + timedelta(days=rnd.choice([0, 1, -3]))
                    rows.append(dict(
                        source_file=f"{month}/{unit}{kind}{i}.xlsx", folder_month=month,
                        unit_name=None if rnd.random() < 0.05 else unit,
                        kind=None if rnd.random() < 0.05 else kind,
                        status=rnd.choice(["loaded", "superseded", "quarantined"]),
                        modified_at=modified, first_seen_at=seen))
    rows.append(dict(source_file="targets/t.xlsx", folder_month="targets", unit_name="柳州市",
                     kind="target_table", status="loaded", modified_at=datetime(2023, 1, 2),
                     first_seen_at=datetime(2023, 1, 2)))
    return pd.DataFrame(rows, columns=["source_file", "folder_month", "unit_name", "kind",
                                       "status", "modified_at", "first_seen_at"])


def duty_world(seed: int):
    """scoring_world plus a file registry, production's duty table and a run time (mid June
    2023, so June's deadlines are still ahead)."""
    from datetime import datetime

    from runtime.duties import load_duties  # production's duty table, only to run production

    core = scoring_world(seed)
    # the 属地 unit of dim_project is the unit with the territorial credit (as in a real core)
    territory = {b["project_id"]: b["unit_name"] for b in core.bridge.to_dict("records")
                 if b["role"] == "territorial"}
    core.projects["territorial_unit"] = [territory.get(p) for p in core.projects["project_id"]]
    rnd = random.Random(2000 + seed)
    units = sorted(set(core.units["unit_name"]) - {"柳州市"})
    months = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)][:18]
    core.files = _registry(rnd, months, units)
    core.duties = load_duties()
    core.as_of = datetime(2023, 6, 20, 3, 0)
    return core
