"""Activity ledgers (招商活动台账 / 科技招商工作进度统计表) and reserve lists (策划包装项目)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from . import names as N
from .render import dec, norm_name
from .world import ab, unit_type
from .writer import Sheet, write_workbook

TYPES = ["走出去", "请进来", "不见面", "推介会", "参加自治区或市组织的活动"]
CITIES = ["深圳", "广州", "上海", "杭州", "苏州", "长沙", "成都", "武汉", "南宁", "佛山", "线上"]
STATUS = ["前期工作", "洽谈中", "已签约"]


_RETYPE = {"参加自治区或市组织的活动": "自治区/市组织的重点投资促进活动", "推介会": "本行业专题招商活动",
           "不见面": "不见面/线上"}


def _retype(t: str, unit: str, rt: random.Random) -> str:
    """Revision 2: activity types of both kinds — the seeds' scoring ones written as offices write
    them, and 走访 / 座谈 / 接待 that count nowhere (a random stream of its own)."""
    x = rt.random()
    if x < 0.2:
        return rt.choice(N.ACTIVITY_TYPES_OTHER)
    if x < 0.3 and unit in N.KJJ_GROUPS:
        return "联席会"
    return _RETYPE[t] if t in _RETYPE and x < 0.65 else t


def _acts(r: random.Random, unit: str, year: int, n: int, rt: random.Random):
    out = []
    inds = [i for i, _c, _w in N.INDUSTRIES]
    for _ in range(n):
        m = r.randint(1, 12 if year == 2021 else 6)
        d = dt.date(year, m, r.randint(1, 28))
        t = r.choice(TYPES)
        city = "线上" if t == "不见面" else r.choice(CITIES[:-1])
        ind = r.choice(inds)
        name = {"走出去": f"赴{city}开展{ind}产业招商活动", "请进来": f"邀请{city}{ind}企业来柳考察洽谈",
                "不见面": f"{ind}产业链线上招商对接会", "推介会": f"{city}{ind}产业招商推介会",
                "参加自治区或市组织的活动": f"参加{year}年{city}投资洽谈会"}[t]
        t = _retype(t, unit, rt)
        principal = r.random() < 0.3
        leader = (r.choice(N.SURNAMES) + ("局长" if principal else r.choice(["副局长", "四级调研员"])))
        out.append((d, name, t, leader, principal, r.randint(1, 8), city))
    out.sort()
    return out


def write_activities(world, ctx, seed: int, plan: dict | None = None) -> None:
    """Revision 2: every unit that owes an activity ledger (departments, task groups) writes one
    every month (cumulative over the year); a month the duty plan marks `missing` is not written.
    The reserve lists stay quarterly.  The 鹿寨县 groups' activities come from a random stream of
    their own, so the other units' activities stay as they were."""
    plan = plan or {}
    r = random.Random(f"{seed}|activities")
    units = [u for u in world.units if unit_type(u) == "department" or u in N.KJJ_GROUPS]
    _group_activities(world, ctx, seed, plan)
    for year in world.years:
        months = [a for a in range(ab(world.periods[0]), ab(world.periods[-1]) + 1)
                  if a // 12 == year]
        for unit in units:
            if unit in N.KJJ_GROUPS and year < 2022:
                continue
            acts = _acts(r, unit, year, r.randint(4, 10) if unit in N.KJJ_GROUPS
                         else r.randint(6, 16), random.Random(f"{seed}|types|{unit}|{year}"))
            reserve = []
            for i in range(r.randint(3, 8)):
                ind, chain, _w = r.choice(N.INDUSTRIES)
                m = r.randint(1, 12 if year == 2021 else 6)
                reserve.append((f"{r.choice(N.FIRM_WORDS)}{r.choice(N.PRODUCTS[ind])}招商项目"
                                + ("（二期）" if i % 5 == 4 else ""), chain,
                                Decimal(r.randint(5, 200)) / 10, dt.date(year, m, r.randint(1, 28)),
                                r.choice(STATUS)))
            reserve.sort(key=lambda x: x[3])
            alias = next(iter(N.UNIT_ALIASES.get(unit, [])), unit)
            for a in months:
                m = a % 12 + 1
                quarterly = m % 3 == 0
                if plan.get((unit, "activity_ledger", f"{year}-{m:02d}")) != "missing":
                    _activity_file(ctx, unit, alias, year, m, a,
                                   [x for x in acts if (x[0].year, x[0].month) <= (year, m)])
                if quarterly:
                    _reserve_file(ctx, unit, alias, year, m, a,
                                  [x for x in reserve if (x[3].year, x[3].month) <= (year, m)])


def _group_activities(world, ctx, seed: int, plan: dict) -> None:
    """The 鹿寨县 产业招商组 (from 2022): a monthly activity ledger each."""
    for unit in [u for u in world.units if u in N.LUZHAI_GROUPS]:
        for year in [y for y in world.years if y >= 2022]:
            r = random.Random(f"{seed}|group-activities|{unit}|{year}")
            acts = _acts(r, unit, year, r.randint(3, 8),
                         random.Random(f"{seed}|types|{unit}|{year}"))
            for a in [a for a in range(ab(world.periods[0]), ab(world.periods[-1]) + 1)
                      if a // 12 == year]:
                m = a % 12 + 1
                if plan.get((unit, "activity_ledger", f"{year}-{m:02d}")) != "missing":
                    _activity_file(ctx, unit, unit, year, m, a,
                                   [x for x in acts if (x[0].year, x[0].month) <= (year, m)])


def _activity_file(ctx, unit, alias, year, m, a, acts) -> None:
    kjj = unit in N.KJJ_GROUPS
    title = (f"{unit.replace('市科技局', '')}{year}年科技招商工作进度统计表" if kjj
             else f"{alias}{year}年招商活动台账")
    rel = f"{year}-{m:02d}/{title}（{m}月）.xlsx"
    sh = Sheet("活动台账")
    sh.add([title], "title")
    sh.merges.append((1, 1, 1, 9))
    sh.add([f"填报单位：{unit if kjj else alias}", "", "", "", "", "", f"截至{year}年{m}月底"], "title")
    sh.add(["序号", "日期", "活动名称", "活动类型", "带队领导", "是否主要领导带队", "对接企业数", "地点",
            "备注"], "header")
    text_dates = unit in ("市商务局", "市贸促会") or kjj
    for i, (d, name, t, leader, pr, n, place) in enumerate(acts, start=1):
        cell = f"{d.year}/{d.month}/{d.day}" if text_dates else dt.datetime(d.year, d.month, d.day)
        row = sh.add([i, cell, name, t, leader, "是" if pr else "否", n, place, ""], "data")
        ctx.activity_rows.append({
            "source_file": rel, "source_sheet": "活动台账", "source_row": row,
            "period": f"{year}-{m:02d}", "unit_name": unit, "activity_date": d.isoformat(),
            "activity_name": norm_name(name), "activity_type": t, "leader": leader,
            "led_by_principal": "true" if pr else "false", "enterprises_docked": str(n),
            "place": place})
    if not acts:
        sh.add([1, "…", "", "", "", "", "", "", ""], "placeholder")
    write_workbook(ctx.out / rel, [sh])
    ctx.add_file(rel, f"{year}-{m:02d}", unit, "activity_ledger", "loaded")


def _reserve_file(ctx, unit, alias, year, m, a, rows) -> None:
    kjj = unit in N.KJJ_GROUPS
    title = (f"{unit.replace('市科技局', '')}招商项目储备库" if kjj
             else f"{alias}{year}年策划包装项目表")
    rel = f"{year}-{m:02d}/{title}（{year}年{m}月）.xlsx"
    sh = Sheet("储备项目")
    sh.add([title], "title")
    sh.merges.append((1, 1, 1, 7))
    if kjj:
        sh.add([f"填报单位：{unit}"], "title")
    sh.add(["序号", "项目名称", "产业链", "计划投资（亿元）", "入库时间", "状态", "备注"], "header")
    for i, (name, chain, inv, d, st) in enumerate(rows, start=1):
        row = sh.add([i, name, chain, float(inv), f"{d.year}年{d.month}月", st, ""], "data")
        ctx.reserve_rows.append({
            "source_file": rel, "source_sheet": "储备项目", "source_row": row,
            "period": f"{year}-{m:02d}", "unit_name": unit, "project_name": norm_name(name),
            "chain": chain, "planned_investment": dec(inv),
            "entered_on": f"{d.year}-{d.month:02d}", "status": st})
    sh.add(["注：计划投资单位为亿元。"], "note")
    write_workbook(ctx.out / rel, [sh])
    ctx.add_file(rel, f"{year}-{m:02d}", unit, "reserve_projects", "loaded")
