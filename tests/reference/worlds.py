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
