"""The expectation suites, as readable code: one function per table, returning GX expectations.

Reference values (unit names, stages) come from reference/, so a new unit needs no code change.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from assets.ingest.workbook import Limits
from runtime.indicators import load_indicators
from runtime.reference import SOURCE_CLASSES, Reference

ROLES = ["territorial", "lead", "co"]
# 亿元; larger figures are almost always 万元 typed into a 亿元 column.  The same bound as the
# ingest's amount_outlier finding: the warning tells the clerk which cell, and the blocking core
# check keeps such a figure out of the 红黑榜 (the previous marts stay) until it is corrected.
MAX_AMOUNT = Limits().outlier_yi


def _units(ref: Reference) -> list[str]:
    return sorted(ref.units)


def staging_ledger_rows(ref: Reference) -> list:
    stages = sorted(ref.stage_rank)
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="source_file"),
        gxe.ExpectColumnValuesToNotBeNull(column="source_row"),
        gxe.ExpectColumnValuesToNotBeNull(column="unit_name"),
        gxe.ExpectColumnValuesToNotBeNull(column="project_name"),
        gxe.ExpectColumnValuesToBeInSet(column="unit_name", value_set=_units(ref)),
        gxe.ExpectColumnValuesToBeInSet(column="stage", value_set=stages),
        gxe.ExpectColumnValuesToNotBeNull(column="total_investment"),
        gxe.ExpectColumnValuesToBeBetween(column="total_investment", min_value=0,
                                          max_value=MAX_AMOUNT),
        gxe.ExpectColumnValuesToBeBetween(column="funds_this_year", min_value=0,
                                          max_value=MAX_AMOUNT),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["unit_name", "period", "match_name"]),
    ]


def core_dim_project(ref: Reference) -> list:
    districts = sorted(n for n, u in ref.units.items() if u.type == "district")
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="project_id"),
        gxe.ExpectColumnValuesToBeUnique(column="project_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="project_name"),
        gxe.ExpectColumnValuesToBeInSet(column="territorial_unit", value_set=districts),
        gxe.ExpectColumnValuesToMatchRegex(column="signed_month", regex=r"^\d{4}-(?:0[1-9]|1[0-2])$"),
        # revision 2: every project has a 投资来源 class (unknown when blank or not a place)
        gxe.ExpectColumnValuesToNotBeNull(column="source_class"),
        gxe.ExpectColumnValuesToBeInSet(column="source_class", value_set=list(SOURCE_CLASSES)),
    ]


def core_bridge(ref: Reference) -> list:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="project_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="unit_name"),
        gxe.ExpectColumnValuesToBeInSet(column="unit_name", value_set=_units(ref)),
        gxe.ExpectColumnValuesToBeInSet(column="role", value_set=ROLES),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["project_id", "unit_name"]),
    ]


def core_fact_project_period(ref: Reference) -> list:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="project_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="period"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["project_id", "period"]),
        gxe.ExpectColumnValuesToBeInSet(column="stage", value_set=sorted(ref.stage_rank)),
        gxe.ExpectColumnValuesToBeBetween(column="funds_this_year", min_value=0,
                                          max_value=MAX_AMOUNT),
    ]


def core_fact_target(ref: Reference) -> list:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="unit_name"),
        gxe.ExpectColumnValuesToBeInSet(column="unit_name", value_set=_units(ref)),
        gxe.ExpectColumnValuesToBeInSet(column="indicator",
                                        value_set=list(load_indicators(ref.directory).keys)),
        gxe.ExpectColumnValuesToBeBetween(column="target", min_value=0, max_value=100000),
    ]
