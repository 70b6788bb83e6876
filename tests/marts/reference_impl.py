"""A deliberately simple reference implementation of the target_progress actuals and the 四率.

Loops and dicts only, written straight from domain.md / rules.md without reusing anything from
`assets.marts` except the `Rules` values, so integration tests can compare the marts against it.

    ref_actuals(core, period, rules)    -> {(unit_name, indicator): actual}   (city included)
    ref_four_rates(core, period, rules) -> {unit_name: {column: value}}       (city included)
"""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd

STAGES = {"退库": 0, "在谈": 1, "签约": 2, "注册": 3, "开工": 4, "竣工投产": 5}


def _missing(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)) or (
        isinstance(x, Decimal) and x.is_nan()
    )


def _dec(x):
    if _missing(x):
        return None
    return x if isinstance(x, Decimal) else Decimal(str(x))


def _flag(x) -> bool:
    return not _missing(x) and bool(x)


def _records(df):
    return [] if df is None or len(df) == 0 else df.to_dict("records")


def _city(core) -> str:
    for u in _records(core.units):
        if u["unit_type"] == "city":
            return u["unit_name"]
    return "柳州市"


def _state(core, period: str, rules):
    """projects known at `period` -> dict of what the rules need; and unit -> credited ids."""
    credited = {}
    for b in _records(core.bridge):
        if str(b["first_period"])[:7] <= period:
            credited.setdefault(b["unit_name"], set()).add(b["project_id"])

    facts = sorted(
        (f for f in _records(core.facts) if str(f["period"])[:7] <= period),
        key=lambda f: str(f["period"])[:7],
    )
    known = set()
    for ids in credited.values():
        known.update(ids)
    for f in facts:
        known.add(f["project_id"])
    for p in _records(core.projects):
        fp = p.get("first_period")
        if not _missing(fp) and str(fp)[:7] <= period:
            known.add(p["project_id"])

    projects = {}
    threshold = Decimal(str(rules.indicators.below_threshold_amount))
    for p in _records(core.projects):
        pid = p["project_id"]
        if pid not in known:
            continue
        stage = None
        funds_now = Decimal(0)
        last_cum = None
        last_by_year = {}
        for f in facts:
            if f["project_id"] != pid:
                continue
            if not _missing(f.get("stage")):
                stage = f["stage"]
            fty = _dec(f.get("funds_this_year"))
            if str(f["period"])[:7] == period and fty is not None:
                funds_now = fty
            if fty is not None:
                last_by_year[str(f["period"])[:4]] = fty
            if _dec(f.get("funds_cumulative")) is not None:
                last_cum = _dec(f["funds_cumulative"])
        if last_cum is None:
            last_cum = sum(last_by_year.values(), Decimal(0))
        inv = _dec(p.get("total_investment"))
        below = p.get("below_threshold")
        if _missing(below):
            below = inv is not None and inv < threshold
        signed = p.get("signed_month")
        projects[pid] = {
            "inv": inv,
            "industry": p.get("industry"),
            "industrial": _flag(p.get("is_industrial")),
            "emerging": _flag(p.get("is_emerging")),
            "sanqi": _flag(p.get("is_sanqi")),
            "signed": None if _missing(signed) else str(signed)[:7],
            "below": bool(below),
            "stage": stage,
            "funds_now": funds_now,
            "funds_cum": last_cum,
        }
    return projects, credited


def _actuals(ids, projects, period, rules):
    ind = rules.indicators
    year_start = period[:4] + "-01"
    out = {
        "funds_in_place": Decimal(0), "new_projects": 0, "new_industrial_projects": 0,
        "new_100m_industrial_projects": 0, "major_projects": 0,
    }
    emerging = 0
    for pid in ids:
        p = projects.get(pid)
        if p is None or p["inv"] is None or p["below"] or p["stage"] == "退库":
            continue
        out["funds_in_place"] += p["funds_now"]
        if p["signed"] is None or not (year_start <= p["signed"] <= period):
            continue
        out["new_projects"] += 1
        if p["emerging"]:
            emerging += 1
        if p["industrial"]:
            out["new_industrial_projects"] += 1
            if p["inv"] >= Decimal(str(ind.industrial_100m_min_investment)):
                out["new_100m_industrial_projects"] += 1
        if p["inv"] >= Decimal(str(ind.major_project_min_investment)) and (
            p["industry"] not in ind.major_project_excluded_industries
        ):
            out["major_projects"] += 1
    out["emerging_share"] = emerging / out["new_projects"] if out["new_projects"] else None
    return out


def ref_actuals(core, period: str, rules) -> dict:
    projects, credited = _state(core, period, rules)
    result = {}
    for unit, ids in credited.items():
        for k, v in _actuals(ids, projects, period, rules).items():
            result[(unit, k)] = v
    for k, v in _actuals(projects.keys(), projects, period, rules).items():
        result[(_city(core), k)] = v
    return result


def _rates(ids, projects, period):
    n = perf = started = done = 0
    inv = funds = Decimal(0)
    for pid in ids:
        p = projects.get(pid)
        if p is None or not p["sanqi"] or p["inv"] is None or p["below"]:
            continue
        if p["signed"] is None or p["signed"] > period:
            continue
        n += 1
        rank = STAGES.get(p["stage"], -1)
        if rank >= 3 or p["funds_cum"] > 0:
            perf += 1
        if rank >= 4:
            started += 1
        if rank >= 5:
            done += 1
        inv += p["inv"]
        funds += p["funds_cum"]
    row = {
        "signed_projects": n, "performing_projects": perf, "started_projects": started,
        "completed_projects": done, "contract_investment": inv, "funds_cumulative": funds,
    }
    row["performance_rate"] = perf / n if n else None
    row["start_rate"] = started / n if n else None
    row["completion_rate"] = done / n if n else None
    row["funds_rate"] = float(funds / inv) if inv else None
    return row


def ref_four_rates(core, period: str, rules) -> dict:
    year = int(period[:4])
    december = f"{year - 1}-12"
    now_projects, now_credit = _state(core, period, rules)
    dec_projects, dec_credit = _state(core, december, rules)
    city = _city(core)
    out = {}
    units = [(city, None)] + [(u, u) for u in now_credit]
    for name, unit in units:
        now_ids = now_projects.keys() if unit is None else now_credit[unit]
        dec_ids = dec_projects.keys() if unit is None else dec_credit.get(unit, set())
        row = _rates(now_ids, now_projects, period)
        if unit is not None and row["signed_projects"] == 0:
            continue
        before = _rates(dec_ids, dec_projects, december)
        for r in ("performance_rate", "funds_rate", "start_rate", "completion_rate"):
            base = before[r] if before["signed_projects"] and before[r] is not None else 0.0
            row[r + "_increment"] = None if row[r] is None else row[r] - base
        out[name] = row
    return out
