"""Hand-built staging rows for the conform tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

LEDGER_FIELDS = [
    "seq", "industry", "chain", "project_name", "investor", "total_investment", "funds_this_year",
    "funds_cumulative", "source", "contact_person", "contact_phone", "signed_on", "started_on",
    "completed_on", "status", "is_industrial", "is_emerging", "is_sanqi", "partners", "remarks",
]


def ledger_row(name: str, unit: str = "鹿寨县", period: str = "2022-03", row: int = 5,
               **fields: Any) -> dict:
    """One staging.ledger_rows row with defaults; `fields` override any column."""
    out: dict[str, Any] = {f: None for f in LEDGER_FIELDS}
    for f in LEDGER_FIELDS:
        out[f + "_raw"] = None
    out.update(
        {
            "file_id": None,
            "source_file": f"{period}/{unit}{period}台账.xlsx",
            "source_sheet": "项目表",
            "source_row": row,
            "period": period,
            "unit_name": unit,
            "project_name": name,
            "investor": None,
            "industry": "汽车零部件",
            "total_investment": Decimal("2.5"),
            "funds_this_year": Decimal("0.5"),
            "status": "已签约",
            "stage": "签约",
            "extra_json": None,
            "row_ok": True,
        }
    )
    out.update(fields)
    out["project_name_raw"] = out["project_name"]
    return out


def ledger(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows)).astype(object)


def empty() -> pd.DataFrame:
    return pd.DataFrame()


def file_row(source_file: str, unit: str, kind: str, month: str, status: str = "loaded") -> dict:
    return {
        "file_id": source_file, "source_file": source_file, "folder_month": month,
        "unit_name": unit, "kind": kind, "status": status,
    }
