"""Ground truth derived from the planned ledger rows (with their true project ids).

This is a deliberately simple, independent reference implementation of domain.md: it never reads
the written workbooks and never matches names — it knows which project every row is.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from . import names as N
from .render import dec, norm_name
from .world import World, unit_type

MAJOR_EXCLUDED = {"房地产业", "房地产", "基础设施"}
ROLE_ORDER = {"territorial": 0, "lead": 1, "co": 2}


def _key(r):
    return (r["period"], r["source_file"], r["source_sheet"], int(r["source_row"]))


def _roles(rows) -> tuple[dict[str, tuple[str, str]], str, set, list, list]:
    """domain.md credit: (unit -> (role, first period), territorial unit, losing districts,
    district rows, other rows)."""
    dist_rows = [r for r in rows if unit_type(r["unit_name"]) == "district"]
    other_rows = [r for r in rows if unit_type(r["unit_name"]) != "district"]
    roles: dict[str, tuple[str, str]] = {}
    terr = ""
    losers = set()
    if dist_rows:
        terr = dist_rows[0]["unit_name"]
        roles[terr] = ("territorial", dist_rows[0]["period"])
        losers = {r["unit_name"] for r in dist_rows} - {terr}
    else:
        for r in rows:
            named = [u for u in r["partners"].split("、") if u and unit_type(u) == "district"]
            if named:
                terr = named[0]
                roles[terr] = ("territorial", r["period"])
                break
    for r in other_rows:
        u = r["unit_name"]
        if u not in roles:
            roles[u] = ("lead", r["period"])
    for r in rows:
        for u in r["partners"].split("、"):
            if u and u != r["unit_name"] and u not in roles and u not in losers:
                roles[u] = ("co", r["period"])
    return roles, terr, losers, dist_rows, other_rows


def _periods(world: World, pid, rows, terr, rec, findings) -> list[dict]:
    """The conformed figure per period (+ `unknown_source` per period, naming that row)."""
    out = []
    for P in world.periods:
        cand = [r for r in rows if r["period"][:4] == P[:4] and r["period"] <= P]
        if not cand:
            continue
        pool = [r for r in cand if r["unit_name"] == terr] or cand
        lp = max(r["period"] for r in pool)
        best = sorted([r for r in pool if r["period"] == lp], key=_key)[0]
        out.append({"true_project_id": pid, "period": P, "stage": best["stage"],
                    "funds_this_year": best["funds_this_year"],
                    "funds_cumulative": best["funds_cumulative"],
                    "reported_by": best["unit_name"], "in_library": best["in_library"]})
        if rec["source_class"] == "unknown" and rec["below_threshold"] != "true":
            findings.append({"check_name": "unknown_source", "severity": "warning",
                             "period": P, "unit_name": best["unit_name"],
                             "source_file": best["source_file"],
                             "source_sheet": best["source_sheet"],
                             "source_row": best["source_row"],
                             "project_name": rec["project_name"]})
    return out


def _project(pid, p, rows, terr) -> dict:
    sanqi_vals = [r["is_sanqi"] for r in rows if r["is_sanqi"]]
    region, source_class = source_of(rows)
    return {"true_project_id": pid, "project_name": norm_name(p.name),
            "investor": norm_name(p.investor), "industry": p.industry, "chain": p.chain,
            "total_investment": dec(p.total),
            "is_industrial": _flag(rows, p, "is_industrial", 0),
            "is_emerging": _flag(rows, p, "is_emerging", 1),
            "is_sanqi": "true" if "true" in sanqi_vals else ("false" if sanqi_vals else ""),
            "signed_month": signing_month(rows), "territorial_unit": terr,
            "below_threshold": "true" if p.total < Decimal("0.05") else "false",
            "source_region": region, "source_class": source_class}


def compute(world: World, ctx) -> dict[str, list[dict]]:
    ok = [r for r in ctx.rows if r["total_investment"] != ""]
    by_p: dict[str, list[dict]] = defaultdict(list)
    for r in ok:
        by_p[r["true_project_id"]].append(r)
    pmap = {p.pid: p for p in world.projects}
    projects, credits, periods, findings = [], [], [], []
    info: dict[str, dict] = {}
    for pid in sorted(by_p):
        rows = sorted(by_p[pid], key=_key)
        first = rows[0]
        roles, terr, losers, dist_rows, other_rows = _roles(rows)
        for u, (role, fp) in sorted(roles.items(), key=lambda kv: (ROLE_ORDER[kv[1][0]], kv[0])):
            credits.append({"true_project_id": pid, "unit_name": u, "role": role,
                            "first_period": fp})
        rec = _project(pid, pmap[pid], rows, terr)
        projects.append(rec)
        info[pid] = rec | {"first_period": first["period"]}

        def fnd(check, sev, unit, first=first, pname=rec["project_name"]):
            findings.append({"check_name": check, "severity": sev, "period": first["period"],
                             "unit_name": unit, "source_file": first["source_file"],
                             "source_sheet": first["source_sheet"],
                             "source_row": first["source_row"], "project_name": pname})
        if dist_rows and other_rows:
            fnd("co_credited_project", "info", terr)
        if losers:
            fnd("territorial_conflict", "error", terr)
        if not dist_rows:
            fnd("no_territorial_report", "warning", first["unit_name"])
        if rec["below_threshold"] == "true":
            fnd("below_threshold", "info", terr or first["unit_name"])
        if rec["source_class"] == "inside_region":
            fnd("inside_region_project", "info", first["unit_name"])
        periods += _periods(world, pid, rows, terr, rec, findings)
    indicators, city = indicators_of(world, projects, credits, periods, info)
    return {"projects": projects, "credits": credits, "project_periods": periods,
            "findings": findings, "indicators": indicators, "city_summary": city}


SIGNED = {"签约", "注册", "开工", "竣工投产"}  # stage 签约 or later (退库 is not a signing)


def signing_month(rows) -> str:
    """domain.md "Signing month" (revision 2): the month of a signing date with month precision
    (the earliest); else the period of the first row in which the project is signed (stage 签约 or
    later) or 入库; empty while it never was."""
    dated = sorted(r["signed_on"][:7] for r in rows if len(r["signed_on"]) >= 7)
    if dated:
        return dated[0]
    return next((r["period"] for r in sorted(rows, key=_key)
                 if r["stage"] in SIGNED or r["in_library"] == "true"), "")


def source_of(rows) -> tuple[str, str]:
    """(source_region, source_class): the generator writes one 投资来源 per project, or leaves the
    cell out (a layout without the column) — the class of the written value (names.SOURCE_TRUTH,
    from domain.md), unknown when no row has one."""
    written = [r["source"] for r in rows if r["source"]]
    if not written:
        return "", "unknown"
    return N.SOURCE_TRUTH[written[0]]


def _flag(rows, p, field, idx) -> str:
    """Explicit 是否工业项目/是否新兴产业 column wins, else the reference table, else unknown."""
    vals = [r[field] for r in rows if r[field]]
    if vals:
        return vals[0]
    fl = N.REF_FLAGS.get(p.industry) or N.REF_FLAGS.get(p.chain)
    return ("true" if fl[idx] else "false") if fl else ""


INDICATORS = ["new_projects", "new_industrial_projects", "new_100m_industrial_projects",
              "started_projects", "funds_in_place", "foreign_funds_in_place", "emerging_share",
              "major_projects"]
STARTED = {"开工", "竣工投产"}
QUALIFYING_BAR = {True: Decimal(1), False: Decimal("0.5")}  # industrial ≥ 1 亿, other ≥ 0.5 亿


def qualifying_unit(unit: str) -> bool:
    """domain.md "Qualifying projects": every 专班 (a task group set up by a department) and the
    science bureau itself count only qualifying projects."""
    return unit == "市科技局" or unit in N.KJJ_GROUPS


def counts(rec) -> bool:
    """统计起点 and 投资来源 (revision 2): below 0.05 亿元, 区内 and (setting `exclude`, the default)
    unknown-source projects count toward nothing."""
    return rec["below_threshold"] != "true" and rec["source_class"] in (
        "domestic_outside", "foreign")


def is_new(rec, per_row, P: str) -> bool:
    """New at P (revision 2): signed (or 入库) in [YYYY-01, P], and at P the conformed row says
    stage 签约 or later or 入库 — never 在谈 without 入库."""
    if not rec["signed_month"] or not (P[:4] + "-01" <= rec["signed_month"] <= P):
        return False
    return per_row is not None and (per_row["stage"] in SIGNED or per_row["in_library"] == "true")


def _measure(P: str, pids, info, pp, qualifying: bool = False) -> dict[str, str]:
    new = ind = big = major = emerging = started = 0
    funds = foreign = Decimal(0)
    for pid in pids:
        rec = info[pid]
        if not counts(rec):
            continue
        per_row = pp.get((pid, P))
        if per_row and per_row["stage"] == "退库":
            continue
        if per_row and per_row["funds_this_year"]:
            if rec["source_class"] == "foreign":
                foreign += Decimal(per_row["funds_this_year"])
            else:
                funds += Decimal(per_row["funds_this_year"])
        if not is_new(rec, per_row, P):
            continue
        total = Decimal(rec["total_investment"])
        industrial = rec["is_industrial"] == "true"
        if qualifying and total < QUALIFYING_BAR[industrial]:
            continue
        new += 1
        started += per_row["stage"] in STARTED
        if industrial:
            ind += 1
            if total >= 1:
                big += 1
        if rec["is_emerging"] == "true":
            emerging += 1
        if total >= 5 and rec["industry"] not in MAJOR_EXCLUDED:
            major += 1
    share = ""
    if new:
        share = dec((Decimal(emerging) / Decimal(new)).quantize(Decimal("0.000001")))
    return {"new_projects": str(new), "new_industrial_projects": str(ind),
            "new_100m_industrial_projects": str(big), "started_projects": str(started),
            "funds_in_place": dec(funds) or "0", "foreign_funds_in_place": dec(foreign) or "0",
            "emerging_share": share, "major_projects": str(major)}


def indicators_of(world: World, projects, credits, periods, info):
    pp = {(r["true_project_id"], r["period"]): r for r in periods}
    by_unit: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for c in credits:
        by_unit[c["unit_name"]].append((c["true_project_id"], c["first_period"]))
    units = [u for u in world.units if u in by_unit] + sorted(
        u for u in by_unit if u not in world.units)
    out = []
    for u in units:
        for P in world.periods:
            if unit_type(u) == "task_group" and P < "2022-01":
                continue
            pids = [pid for pid, fp in by_unit[u] if fp <= P]
            m = _measure(P, pids, info, pp, qualifying_unit(u))
            for k in INDICATORS:
                out.append({"period": P, "unit_name": u, "indicator": k, "actual": m[k]})
    city = []
    for P in world.periods:
        pids = [pid for pid, rec in info.items() if rec["first_period"] <= P]
        m = _measure(P, pids, info, pp)
        for k in INDICATORS:
            city.append({"period": P, "indicator": k, "actual": m[k]})
    return out, city


def write_csv(path: Path, rows: list[dict], header: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})
