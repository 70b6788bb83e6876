"""Small hand-made core worlds for the mart tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from assets.marts.build import CoreTables

UNITS = [
    ("柳州市", "city", None),
    ("城中区", "district", "柳州市"),
    ("鱼峰区", "district", "柳州市"),
    ("柳南区", "district", "柳州市"),
    ("柳北区", "district", "柳州市"),
    ("鹿寨县", "district", "柳州市"),
    ("市投资促进局", "department", "柳州市"),
    ("市科技局", "department", "柳州市"),
    ("鹿寨县林木加工产业招商组", "task_group", "鹿寨县"),
    ("市科技局汽车产业链招商专班", "task_group", "市科技局"),
]

PROJECT_COLS = [
    "project_id", "project_name", "investor", "industry", "total_investment", "is_industrial",
    "is_emerging", "is_sanqi", "signed_month", "territorial_unit", "first_period",
    "below_threshold", "source_class", "source_region",
]
BRIDGE_COLS = ["project_id", "unit_name", "role", "first_period"]
FACT_COLS = ["project_id", "period", "reported_by", "status", "stage", "funds_this_year",
             "funds_cumulative", "in_library"]
COHORT_COLS = ["year", "project_id", "project_name", "investor", "signed_date",
               "contract_investment", "territorial_unit", "responsible_unit", "source_file",
               "source_sheet", "source_row"]
BASELINE_COLS = ["year", "unit_name", "performance_rate", "funds_rate", "start_rate",
                 "completion_rate"]
SOURCE_REGION = {"domestic_outside": "重庆", "inside_region": "南宁", "foreign": "香港",
                 "unknown": None}
TARGET_COLS = ["year", "unit_name", "indicator", "target", "sub_unit"]
ACTIVITY_COLS = ["period", "unit_name", "activity_date", "activity_name"]
RESERVE_COLS = ["period", "unit_name", "project_name"]


def D(x: Any) -> Decimal:
    return Decimal(str(x))


def project(pid: str, inv: Any = 2, *, industry: str = "汽车零部件", industrial: bool = True,
            emerging: bool = False, sanqi: bool = False, signed: str = "2023-01",
            territory: str | None = None, first_period: str | None = None,
            source: str | None = "domestic_outside") -> dict:
    """source: dim_project.source_class (None = a NULL class)."""
    return dict(
        project_id=pid, project_name=f"项目{pid}", investor=f"投资方{pid}", industry=industry,
        total_investment=D(inv), is_industrial=industrial, is_emerging=emerging, is_sanqi=sanqi,
        signed_month=signed, territorial_unit=territory, first_period=first_period or signed,
        below_threshold=None, source_class=source, source_region=SOURCE_REGION.get(source),
    )


def fact(pid: str, period: str, stage: str = "签约", funds: Any = 0, cum: Any = None,
         by: str = "城中区", library: bool | None = None) -> dict:
    return dict(project_id=pid, period=period, reported_by=by, status=stage, stage=stage,
                funds_this_year=D(funds), funds_cumulative=None if cum is None else D(cum),
                in_library=library)


def cohort_row(year: int, pid: str | None, name: str = "", inv: Any = 1, row: int = 3) -> dict:
    """A 三企入桂 cohort-list row (pid None = unmatched)."""
    return dict(year=year, project_id=pid, project_name=name or f"项目{pid}", investor="某公司",
                signed_date=f"{year}-03-01", contract_investment=D(inv),
                territorial_unit="城中区", responsible_unit="市投资促进局",
                source_file=f"targets/{year}三企入桂签约项目.xlsx", source_sheet="Sheet1",
                source_row=row)


def make_core(projects=(), bridge=(), facts=(), targets=(), activities=(), reserve=(),
              units=UNITS, cohort=(), baseline=(), legacy: bool = False) -> CoreTables:
    """bridge rows: (pid, unit, role, first_period); targets: (year, unit, indicator, target);
    baseline rows: (year, unit, performance, funds, start, completion).  legacy=True drops the
    revision-2 columns (a core conformed before them)."""
    core = CoreTables(
        units=pd.DataFrame(list(units), columns=["unit_name", "unit_type", "parent_name"]),
        projects=pd.DataFrame(list(projects), columns=PROJECT_COLS),
        bridge=pd.DataFrame(list(bridge), columns=BRIDGE_COLS),
        facts=pd.DataFrame(list(facts), columns=FACT_COLS),
        targets=pd.DataFrame(
            [(y, u, i, D(t), None) for (y, u, i, t) in targets], columns=TARGET_COLS
        ),
        activities=pd.DataFrame(list(activities), columns=ACTIVITY_COLS),
        reserve=pd.DataFrame(list(reserve), columns=RESERVE_COLS),
        cohort=pd.DataFrame(list(cohort), columns=COHORT_COLS),
        four_rates_baseline=pd.DataFrame(list(baseline), columns=BASELINE_COLS),
    )
    if legacy:
        core.projects = core.projects.drop(columns=["source_class", "source_region"])
        core.facts = core.facts.drop(columns=["in_library"])
    return core


def simple_world(extra_projects=(), extra_bridge=(), extra_facts=(), extra_targets=()):
    """Two districts with a funds target and projects; used by several tests."""
    projects = [
        project("P1", 6, signed="2023-01"),
        project("P2", 1.5, signed="2023-02", emerging=True),
        project("P3", 0.5, industry="商贸物流", industrial=False, signed="2023-02"),
    ]
    bridge = [("P1", "城中区", "territorial", "2023-01"),
              ("P2", "城中区", "territorial", "2023-02"),
              ("P3", "鱼峰区", "territorial", "2023-02")]
    facts = [fact("P1", "2023-01", funds=1), fact("P1", "2023-02", funds=2),
             fact("P2", "2023-02", funds=0.5), fact("P3", "2023-02", funds=0.3, by="鱼峰区")]
    targets = [(2023, "城中区", "funds_in_place", 10), (2023, "城中区", "new_projects", 4),
               (2023, "鱼峰区", "funds_in_place", 2), (2023, "鱼峰区", "new_projects", 2)]
    return make_core([*projects, *extra_projects], [*bridge, *extra_bridge],
                     [*facts, *extra_facts], [*targets, *extra_targets])


def rules_variant(tmp_path, **changes):
    """Write a copy of reference/rules.yaml with dotted keys changed (a__b__c=value means
    a.b.c) to tmp_path and load it through load_rules, like a clerk editing the file."""
    import yaml

    from runtime.rules import DEFAULT_RULES_PATH, load_rules

    data = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        node = data
        keys = dotted.split("__")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_rules(path)
