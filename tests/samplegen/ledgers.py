"""Plan every unit's monthly cumulative ledger and write it, collecting the ground truth."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from . import names as N
from .layouts import (
    FIELDS,
    Layout,
    RowPlan,
    build_ledger_sheet,
    default_layouts,
    layout_for,
)
from .render import investor_variant, name_variant, norm_name
from .world import World, ab, per, unit_type
from .writer import Sheet, write_workbook

CANON = set(N.DISTRICTS + N.DEPARTMENTS + N.LUZHAI_GROUPS + N.KJJ_GROUPS + ["柳州市"])
ALIAS = {a: u for u, al in N.UNIT_ALIASES.items() for a in al}


ALIAS.update({g[len("鹿寨县"):]: g for g in N.LUZHAI_GROUPS})
ALIAS.update({g[len("市科技局"):]: g for g in N.KJJ_GROUPS})


def resolve(text: str) -> str | None:
    """Canonical unit for a written name (the aliases this generator writes), else None."""
    t = "".join(str(text).split())
    for cand in (t, t[3:] if t.startswith("柳州市") else None):
        if cand and cand in CANON:
            return cand
        if cand and cand in ALIAS:
            return ALIAS[cand]
    return None


class Ctx:
    """Everything collected while writing: ground truth rows, files, findings."""

    def __init__(self, out: Path, seed: int):
        self.out = out
        self.seed = seed
        self.files: list[dict] = []
        self.rows: list[dict] = []
        self.dropped: list[dict] = []
        self.findings: list[dict] = []
        self.mtimes: dict[str, float] = {}
        self.activity_rows: list[dict] = []
        self.reserve_rows: list[dict] = []
        self.targets: list[dict] = []

    def add_file(self, rel: str, folder: str, unit: str, kind: str, status: str,
                 reason: str = "") -> None:
        self.files.append({"source_file": rel, "folder_month": folder, "unit_name": unit,
                           "kind": kind, "expected_status": status, "reason": reason})

    def finding(self, check: str, sev: str, period: str, unit: str, rel: str = "",
                sheet: str = "", row: int | str = "", project: str = "") -> None:
        self.findings.append({"check_name": check, "severity": sev, "period": period,
                              "unit_name": unit, "source_file": rel, "source_sheet": sheet,
                              "source_row": row, "project_name": project})


def vrng(seed: int, *key) -> random.Random:
    return random.Random("|".join([str(seed)] + [str(k) for k in key]))


def listed(world: World, unit: str, a: int) -> list[tuple]:
    """Projects in unit's ledger for month a: (project, continuing)."""
    y = a // 12
    out = []
    for p in world.projects:
        f = p.listings.get(unit)
        if f is None:
            continue
        if f // 12 == y:
            if f <= a:
                out.append((p, False))
        elif f // 12 < y and all(p.listed_until(yy) for yy in range(f // 12 + 1, y + 1)):
            out.append((p, True))
    out.sort(key=lambda t: (not t[1], p_first(t[0], unit), t[0].pid))
    return out


def p_first(p, unit):
    return p.listings[unit]


def make_rowplan(world: World, seed: int, unit: str, p, a: int, cont: bool, lt: Layout) -> RowPlan:
    r = vrng(seed, unit, p.pid)
    name = p.name_at(a)
    inv = p.investor
    is_home = unit_type(unit) == "district" and (p.home == unit or p.home is None)
    if unit_type(unit) == "district" and not is_home:  # the losing side of a 属地 conflict
        name = name_variant(name, r.choice(["xm", "prefix", "fw"]))
        inv = investor_variant(inv, r.choice(["gongsi", "noprefix"]))
    elif not is_home:
        name = name_variant(name, r.choice(["same", "xm", "xm", "prefix", "fw", "space"]))
        inv = investor_variant(inv, r.choice(["same", "gongsi", "noprefix", "bracket", "trail"]))
    else:
        x = r.random()
        if x < 0.04:
            name = name_variant(name, "newline")
        elif x < 0.08:
            name = name + " "
    partners = list(p.partners.get(unit, []))
    if partners and unit_type(unit) != "district":
        partners = [r.choice([partners[0], partners[0][:2] if partners[0][:2] in ALIAS
                              else partners[0]])]
    elif not partners and unit_type(unit) != "district" and p.home and r.random() < 0.3:
        partners = [p.home]
    partners = [r.choice(N.UNIT_ALIASES.get(x, [x]) + [x]) for x in partners]
    return RowPlan(p=p, name=name, investor=inv, partners=partners, continuing=cont)


def file_name(lt: Layout, unit: str, a: int) -> str:
    y, m = a // 12, a % 12 + 1
    base = lt.fname.format(alias=lt.alias, unit=unit, y=y, m=m)
    return base + ("." + lt.fmt)


def row_record(ctx: Ctx, rel: str, sheet: str, r: int, period: str, unit: str, rp: RowPlan,
               exp: dict) -> dict:
    rec = {"source_file": rel, "source_sheet": sheet, "source_row": r, "period": period,
           "unit_name": unit, "true_project_id": rp.p.pid}
    rec.update({f: exp.get(f, "") for f in FIELDS})
    ctx.rows.append(rec)
    for check, sev in rp.findings:
        ctx.finding(check, sev, period, unit, rel, sheet, r, exp["project_name"])
    if rp.p.industry in N.UNKNOWN_INDUSTRIES and exp.get("industry"):
        ctx.finding("unknown_industry", "warning", period, unit, rel, sheet, r,
                    exp["project_name"])
    return rec


def plan_all(world: World, seed: int, lays) -> dict[tuple[str, int], list[RowPlan]]:
    plans = {}
    for unit in world.units:
        for period in world.periods:
            a = ab(period)
            if unit_type(unit) == "task_group" and a // 12 < 2022:
                continue
            lt = layout_for(lays, unit, period)
            plans[(unit, a)] = [make_rowplan(world, seed, unit, p, a, c, lt)
                                for p, c in listed(world, unit, a)]
    return plans


def plant_rows(world: World, plans, lays) -> dict:
    """Row-level anomalies; returns a description for the report."""
    info = {}
    r = random.Random(world.rng.random())

    def pick(unit, period, cond=lambda rp: True):
        rows = plans.get((unit, ab(period)))
        if not rows:
            return None
        c = [rp for rp in rows if cond(rp) and not rp.over and not rp.findings]
        return r.choice(c) if c else None

    # duplicate rows (same project twice in one ledger-month)
    for unit, period in (("城中区", "2021-06"), ("柳北区", "2021-11"), ("柳城县", "2022-04")):
        rp = pick(unit, period)
        if rp:
            rows = plans[(unit, ab(period))]
            dup = RowPlan(p=rp.p, name=rp.name.rstrip("项目") if unit == "柳城县" else rp.name,
                          investor=rp.investor, partners=list(rp.partners),
                          continuing=rp.continuing, findings=[("duplicate_row", "warning")])
            rows.insert(rows.index(rp) + 1 if unit != "柳北区" else len(rows), dup)
            info.setdefault("duplicate_row", []).append((unit, period, rp.p.pid))
    # a project with its total investment 待定 (only row it ever has) and one with — in one month
    last = world.periods[-1]
    if ("柳南区", ab(last)) in plans:
        p = world.new_project("机械装备", ab(last), "柳南区")
        p.listings["柳南区"] = ab(last)
        rp = RowPlan(p=p, name=p.name, investor=p.investor)
        rp.over["total_investment"] = ("待定", "")
        rp.findings.append(("missing_amount", "error"))
        plans[("柳南区", ab(last))].append(rp)
        info["missing_amount_only_row"] = p.pid
    rp = pick("市商务局", "2021-08", lambda rp: not rp.continuing)
    if rp:
        rp.over["total_investment"] = ("—", "")
        rp.findings.append(("missing_amount", "error"))
    # a 万元 figure in a 亿元 column
    rp = pick("市投资促进局", "2021-05", lambda rp: 1 <= rp.p.total <= 10)
    if rp:
        v = rp.p.total * 10000
        rp.over["total_investment"] = (int(v), format(v.normalize(), "f"))
        rp.findings.append(("amount_outlier", "warning"))
    # an unknown status
    rp = pick("市工业和信息化局", "2021-09",
              lambda rp: rp.p.home and rp.p.listings.get(rp.p.home, 10**9) <= ab("2021-09"))
    if rp:
        rp.over["status"] = ("推进中", "推进中")
        rp.findings.append(("unknown_status", "warning"))
    # invalid dates
    rp = pick("市科技局", "2022-03")
    if rp:
        rp.over["signed_on"] = ("2022年13月", "")
        rp.findings.append(("invalid_date", "warning"))
    rp = pick("融安县", "2021-12", lambda rp: rp.p.stage(ab("2021-12")) in ("开工", "竣工投产")
              and rp.p.t_start <= ab("2021-12"))
    if rp:
        rp.over["started_on"] = ("去年", "")
        rp.findings.append(("invalid_date", "warning"))
    # an unknown partner unit
    rp = pick("鱼峰区", "2021-10")
    if rp:
        rp.partners = rp.partners + ["市发展改革委"]
        rp.findings.append(("unknown_unit", "error"))
    return info


MISSING_SUBMISSIONS = {("三江县", "2021-04"): "none", ("融安县", "2021-09"): "encrypted",
                       ("柳城县", "2022-02"): "corrupt"}
# the ledgers that carry a planted case (plant_rows, the resubmission, the period mismatch): the
# reporting-duty plan never leaves them out ("last" = the last generated month)
PLANTED_LEDGERS = {("城中区", "2021-06"), ("柳北区", "2021-11"), ("柳城县", "2022-04"),
                   ("柳南区", "last"), ("市商务局", "2021-08"), ("市投资促进局", "2021-05"),
                   ("市工业和信息化局", "2021-09"), ("市科技局", "2022-03"), ("融安县", "2021-12"),
                   ("鱼峰区", "2021-10"), ("柳江区", "2021-06"), ("城中区", "2022-03")}


def write_ledgers(world: World, ctx: Ctx, seed: int, plan: dict | None = None) -> dict:
    """plan: the reporting-duty plan {(unit, kind, month): status}; a ledger planned `missing`
    is not written."""
    plan = plan or {}
    lays = default_layouts()
    plans = plan_all(world, seed, lays)
    info = plant_rows(world, plans, lays)
    order = sorted(plans, key=lambda k: (k[1], world.units.index(k[0])))
    for unit, a in order:
        period = per(a)
        lt = layout_for(lays, unit, period)
        rows = plans[(unit, a)]
        folder = period
        fname = file_name(lt, unit, a)
        rel = f"{folder}/{fname}"
        special = MISSING_SUBMISSIONS.get((unit, period))
        rng = vrng(seed, "cells", unit, period)
        title_month = a % 12 + 1
        mismatch = (unit, period) == ("城中区", "2022-03")
        if mismatch:
            title_month -= 1
        sheets, recs = build_sheets(lt, unit, a, title_month, rows, rng, world)
        if special == "none" or plan.get((unit, "project_ledger", period)) == "missing":
            continue
        path = ctx.out / rel
        write_workbook(path, sheets)
        ctx.mtimes[rel] = mtime_for(a, world.units.index(unit))
        if special == "encrypted":
            encrypt(path)
            ctx.add_file(rel, folder, unit, "", "quarantined", "password-protected")
            ctx.finding("unreadable_file", "error", period, unit, rel)
            continue
        if special == "corrupt":
            data = path.read_bytes()
            path.write_bytes(data[: len(data) * 3 // 5])
            ctx.add_file(rel, folder, unit, "", "quarantined", "corrupt (truncated)")
            ctx.finding("unreadable_file", "error", period, unit, rel)
            continue
        if (unit, period) == ("柳江区", "2021-06") and len(rows) > 2:
            # the first version misses a row; the （更正） file replaces it
            bad_rows = rows[:-1]
            bsheets, _ = build_sheets(lt, unit, a, title_month, bad_rows,
                                      vrng(seed, "cells-old", unit, period), world)
            write_workbook(path, bsheets)
            ctx.add_file(rel, folder, unit, "project_ledger", "superseded", "resubmitted")
            rel = f"{folder}/{fname.rsplit('.', 1)[0]}（更正）.{lt.fmt}"
            write_workbook(ctx.out / rel, sheets)
            ctx.mtimes[rel] = ctx.mtimes[f"{folder}/{fname}"] + 86400
        ctx.add_file(rel, folder, unit, "project_ledger", "loaded", "")
        for sheet_name, r, rp, exp in recs:
            row_record(ctx, rel, sheet_name, r, period, unit, rp, exp)
        for sh in sheets:
            if sh.hidden or sh.name == "填表说明" or not sh.rows:
                continue
            for i, kd in enumerate(sh.kinds, start=1):
                if kd not in ("data", "blank"):
                    ctx.dropped.append({"source_file": rel, "source_sheet": sh.name,
                                        "source_row": i, "reason": kd})
        if mismatch:
            drow = next(i for i, row in enumerate(sheets[0].rows, start=1)
                        if row and "统计时间" in str(row[-1]))
            ctx.finding("period_mismatch", "warning", period, unit, rel, sheets[0].name, drow)
    return info


def build_sheets(lt: Layout, unit: str, a: int, title_month: int, rows, rng, world: World):
    """Return (sheets, data records [(sheet, row, RowPlan, expected)])."""
    recs = []
    if lt.multi_sheet:
        new = [rp for rp in rows if not rp.continuing]
        old = [rp for rp in rows if rp.continuing]
        guide = Sheet("填表说明")
        for line in ["填表说明：", "1. 新引进项目填“新引进项目”表，续建项目填“续建项目”表；",
                     "2. 金额单位：亿元；", "3. 每月5日前报送。"]:
            guide.add([line], "note")
        s1, r1, _ = build_ledger_sheet("新引进项目", lt, a, title_month, new, None, resolve, rng)
        s2, r2, _ = build_ledger_sheet("续建项目", lt, a, title_month, old, None, resolve, rng,
                                       title_word="续建项目统计表")
        blank = Sheet("Sheet3")
        hid_rows = [RowPlan(p=rp.p, name=rp.name, investor=rp.investor) for rp in old]
        s4, _, _ = build_ledger_sheet("2021年项目", lt, a - (a % 12) - 1, 12, hid_rows, None,
                                      resolve, rng, hidden=True)
        recs = [("新引进项目", r, rp, e) for r, rp, e in r1] + [("续建项目", r, rp, e)
                                                              for r, rp, e in r2]
        return [guide, s1, s2, blank, s4], recs
    sections = None
    if lt.sections:
        sections = [("一、新引进项目", [rp for rp in rows if not rp.continuing]),
                    ("二、续建项目", [rp for rp in rows if rp.continuing])]
    sh, recs0, _ = build_ledger_sheet(lt.sheet, lt, a, title_month, rows, sections, resolve, rng)
    return [sh], [(lt.sheet, r, rp, e) for r, rp, e in recs0]


def mtime_for(a: int, idx: int) -> float:
    import calendar

    nxt = a + 1
    return calendar.timegm((nxt // 12, nxt % 12 + 1, 3, 9, 0, 0)) + idx * 600


def encrypt(path: Path) -> None:
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    data = io.BytesIO(path.read_bytes())
    out = io.BytesIO()
    OOXMLFile(data).encrypt("123456", out)
    path.write_bytes(out.getvalue())


def total_dec(v: Decimal) -> str:
    return format(v.normalize(), "f")


def _norm(s: str) -> str:
    return norm_name(s)
