"""A deliberately simple reference implementation of the target_progress actuals and the 四率.

Loops and dicts only, written straight from domain.md / rules.md (revision 2) without reusing
anything from `assets.marts` except the `Rules` values, so integration tests can compare the
marts against it.  Revision 2 here: 投资来源 classes (区内 nowhere, unknown by the setting, 境外
money apart), new = signed or 入库 (never 在谈 alone), started_projects, qualifying bars per
unit, the 三企入桂 cohort list and the baseline order (file → loaded previous December → none).

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
    facts_of = {}  # project -> its facts in period order (one pass, not one per project)
    for f in facts:
        facts_of.setdefault(f["project_id"], []).append(f)
    for p in _records(core.projects):
        pid = p["project_id"]
        if pid not in known:
            continue
        stage = None
        library = False
        funds_now = Decimal(0)
        last_cum = None
        last_by_year = {}
        for f in facts_of.get(pid, ()):
            if not _missing(f.get("stage")):
                stage = f["stage"]
            if not _missing(f.get("in_library")):
                library = bool(f["in_library"])
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
        if "source_class" not in p:  # a core from before revision 2
            source = "domestic_outside"
        else:
            source = "unknown" if _missing(p["source_class"]) else p["source_class"]
        projects[pid] = {
            "source": source,
            "library": library,
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


def _source_counts(p, rules) -> bool:
    if p["source"] == "inside_region":
        return False
    if p["source"] == "unknown":
        return rules.indicators.unknown_source == "include"
    return True


def _bars(core, unit, rules):
    """The first qualifying_projects entry selecting `unit`, as (industrial bar, other bar)."""
    info = {u["unit_name"]: (u["unit_type"], u["parent_name"]) for u in _records(core.units)}
    if unit not in info:
        return None
    utype, parent = info[unit]
    parent = None if _missing(parent) else parent
    ptype = info.get(parent, (None, None))[0] if parent else None
    for e in rules.indicators.qualifying_projects:
        if e.units is not None and unit not in e.units:
            continue
        if e.unit_type is not None and e.unit_type != utype:
            continue
        if e.parent is not None and e.parent != parent:
            continue
        if e.parent_type is not None and e.parent_type != ptype:
            continue
        return (Decimal(str(e.industrial_min_investment)), Decimal(str(e.other_min_investment)))
    return None


def _actuals(ids, projects, period, rules, bars=None):
    ind = rules.indicators
    year_start = period[:4] + "-01"
    out = {
        "funds_in_place": Decimal(0), "foreign_funds_in_place": Decimal(0), "new_projects": 0,
        "new_industrial_projects": 0, "new_100m_industrial_projects": 0, "major_projects": 0,
        "started_projects": 0,
    }
    emerging = 0
    for pid in ids:
        p = projects.get(pid)
        if p is None or p["inv"] is None or p["below"] or p["stage"] == "退库":
            continue
        if not _source_counts(p, rules):
            continue
        if p["source"] == "foreign":
            out["foreign_funds_in_place"] += p["funds_now"]
        else:
            out["funds_in_place"] += p["funds_now"]
        if p["signed"] is None or not (year_start <= p["signed"] <= period):
            continue
        if STAGES.get(p["stage"], -1) < STAGES["签约"] and not p["library"]:
            continue  # still 在谈 and not 入库: not new yet
        if bars is not None and p["inv"] < (bars[0] if p["industrial"] else bars[1]):
            continue
        out["new_projects"] += 1
        if STAGES.get(p["stage"], -1) >= STAGES["开工"]:
            out["started_projects"] += 1
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
        for k, v in _actuals(ids, projects, period, rules, _bars(core, unit, rules)).items():
            result[(unit, k)] = v
    for k, v in _actuals(projects.keys(), projects, period, rules).items():
        result[(_city(core), k)] = v
    return result


def ref_actuals_of_nothing(period: str, rules) -> dict:
    """indicator -> the figures of a unit credited with no project."""
    return _actuals(set(), {}, period, rules)


def _cohort_list(core, year):
    """Matched ids of the year's cohort list, or None when the year has no list rows."""
    rows = [c for c in _records(core.cohort) if int(c["year"]) == year]
    if not rows:
        return None
    return {c["project_id"] for c in rows if not _missing(c["project_id"])}


def _rates(ids, projects, period, rules, listed):
    n = perf = started = done = 0
    inv = funds = Decimal(0)
    for pid in ids:
        p = projects.get(pid)
        if p is None:
            continue
        if listed is not None:
            if pid not in listed:
                continue
        elif not p["sanqi"] or p["inv"] is None or p["below"] or not _source_counts(p, rules):
            continue
        elif p["signed"] is None or p["signed"] > period:
            continue
        n += 1
        rank = STAGES.get(p["stage"], -1)
        if rank >= 3 or p["funds_cum"] > 0:
            perf += 1
        if rank >= 4:
            started += 1
        if rank >= 5:
            done += 1
        inv += p["inv"] or Decimal(0)
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


RATE_NAMES = ("performance_rate", "funds_rate", "start_rate", "completion_rate")


def ref_four_rates(core, period: str, rules) -> dict:
    """unit -> the mart row's figures, rates, increments and baseline_source."""
    year = int(period[:4])
    december = f"{year - 1}-12"
    december_loaded = any(str(f["period"])[:7] == december for f in _records(core.facts))
    from_file = {b["unit_name"]: b for b in _records(core.four_rates_baseline)
                 if int(b["year"]) == year}
    now_projects, now_credit = _state(core, period, rules)
    dec_projects, dec_credit = _state(core, december, rules)
    city = _city(core)
    out = {}
    units = [(city, None)] + [(u, u) for u in now_credit]
    for name, unit in units:
        now_ids = now_projects.keys() if unit is None else now_credit[unit]
        dec_ids = dec_projects.keys() if unit is None else dec_credit.get(unit, set())
        row = _rates(now_ids, now_projects, period, rules, _cohort_list(core, year))
        if unit is not None and row["signed_projects"] == 0:
            continue
        before = _rates(dec_ids, dec_projects, december, rules, _cohort_list(core, year - 1))
        if name in from_file:
            source, base = "file", {r: float(from_file[name][r]) for r in RATE_NAMES}
        elif december_loaded and before["signed_projects"]:
            source, base = "december", {r: before[r] for r in RATE_NAMES}
        else:
            source, base = "none", {r: None for r in RATE_NAMES}
        for r in RATE_NAMES:
            ok = row[r] is not None and base[r] is not None
            row[r + "_increment"] = row[r] - base[r] if ok else None
        row["baseline_source"] = source
        out[name] = row
    return out


def ref_city_summary(core, period: str, rules) -> dict:
    """indicator -> (actual, actual_last_year, yoy_change): the city figures at P and at the same
    month a year earlier when that month is loaded (warehouse.md revision 2)."""
    city = _city(core)
    now = {k: v for (u, k), v in ref_actuals(core, period, rules).items() if u == city}
    last_period = f"{int(period[:4]) - 1}-{period[5:7]}"
    loaded = any(str(f["period"])[:7] == last_period for f in _records(core.facts))
    last = ({k: v for (u, k), v in ref_actuals(core, last_period, rules).items() if u == city}
            if loaded else {})
    out = {}
    for k, v in now.items():
        before = last.get(k)
        yoy = None
        if v is not None and before is not None and before != 0:
            yoy = float(Decimal(str(v)) / Decimal(str(before))) - 1
        out[k] = (v, before, yoy)
    return out
