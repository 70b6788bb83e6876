"""Ledger layouts (one per unit, a few change once) and the ledger sheet builder."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from decimal import Decimal

from . import names as N
from .render import (
    STATUS_STAGE,
    STATUS_VOCAB,
    amount_cell,
    date_cell,
    dec,
    norm_name,
    norm_text,
)
from .world import STAGES, Project, per
from .writer import Formula, Sheet, col_letter

FIELDS = ["seq", "industry", "chain", "project_name", "investor", "total_investment",
          "funds_this_year", "funds_cumulative", "source", "contact_person", "contact_phone",
          "signed_on", "started_on", "completed_on", "status", "stage", "is_industrial",
          "is_emerging", "is_sanqi", "partners", "remarks", "in_library"]

# (field, header, group header or None, amount unit)
A = [("seq", "序号"), ("industry", "行业"), ("project_name", "项目名称"), ("investor", "项目方"),
     ("total_investment", "投资总额（亿元）"), ("funds_this_year", "本年到位资金（亿元）"),
     ("source", "投资来源"), ("contact_person", "项目负责人"), ("contact_phone", "联系电话"),
     ("signed_on", "项目入驻时间"), ("status", "进展情况"), ("remarks", "备注")]
B = [("seq", "序号"), ("industry", "所属行业"), ("chain", "产业链"), ("project_name", "项目名称"),
     ("investor", "投资方"), ("total_investment", "总投资(亿元)"),
     ("funds_this_year", "本年到位资金（亿元）"), ("funds_cumulative", "累计到位资金（亿元）"),
     ("source", "投资来源"), ("contact_person", "联系人"), ("contact_phone", "联系电话"),
     ("signed_on", "签约时间"), ("started_on", "开工时间"), ("completed_on", "竣工投产时间"),
     ("status", "项目进展"), ("is_industrial", "是否工业项目"), ("is_emerging", "是否新兴产业"),
     ("is_sanqi", "是否三企入桂项目"), ("partners", "合作单位"), ("in_library", "是否入库"),
     ("remarks", "备注")]
C = [("seq", "编号"), ("project_name", "项目名称"), ("investor", "企业名称"), ("industry", "行业类别"),
     ("total_investment", "计划总投资（万元）"), ("funds_this_year", "年度到位资金(万元)"),
     ("funds_cumulative", "累计到位资金（万元）"), ("source", "来源地"), ("contact_person", "联系人"),
     ("contact_phone", "电话"), ("signed_on", "引进时间"), ("status", "目前进展"),
     ("is_sanqi", "三企入桂"), ("partners", "共同引进单位"), ("remarks", "备注")]
D = [("seq", "序号"), ("project_name", "项目名称"), ("investor", "投资主体"), ("industry", "行业"),
     ("chain", "所属产业链"), ("total_investment", "投资总额（亿元）"),
     ("funds_this_year", "本年", "到位资金（亿元）"), ("funds_cumulative", "累计", "到位资金（亿元）"),
     ("signed_on", "签约时间", "时间节点"), ("started_on", "开工时间", "时间节点"),
     ("completed_on", "投产时间", "时间节点"), ("status", "进展情况"),
     ("is_industrial", "是否工业项目"), ("is_emerging", "是否新兴产业"),
     ("is_sanqi", "是否三企入桂项目"), ("partners", "协作单位"), ("contact_person", "项目负责人"),
     ("contact_phone", "联系电话")]
E = [("seq", "序号"), ("project_name", "项目名称"), ("investor", "签约企业"), ("industry", "行业"),
     ("total_investment", "项目总投资（亿元）"), ("funds_this_year", "本年到位资金（亿元）"),
     ("source", "投资方来源地"), ("contact_person", "项目负责人"), ("contact_phone", "联系电话"),
     ("signed_on", "签约时间"), ("status", "进展情况"), ("partners", "项目所在地"),
     ("in_library", "入库时间"), ("remarks", "备注")]
F = [("seq", "序号"), ("industry", "行业"), ("project_name", "项目名称"), ("investor", "项目方"),
     ("total_investment", "投资总额（亿元）"), ("source", "投资来源"), ("contact_person", "项目负责人"),
     ("contact_phone", "联系电话"), ("signed_on", "项目入驻时间"), ("status", "进展情况")]
COLSETS = {"A": A, "B": B, "C": C, "D": D, "E": E, "F": F}

SEED_NOTE = "注：\n报送材料包括\n1. 统计表（附件）\n2. 企业营业执照复印件\n3. 法人身份证复印件\n企业营业执照和法人身份证复印件单独报送。"
NOTES = [
    "注：1. 本表由各单位每月5日前报送市投资促进局；2. 投资总额及到位资金单位为亿元。",
    "注：统计起点为区外总投资500万元及以上项目，到位资金为区外境内到位资金。",
    "注：续建项目须填报本年到位资金。",
]


@dataclass
class Layout:
    cols: str = "A"
    fmt: str = "xlsx"
    title: str = "title"  # title | title_m | fill | fill_half
    alias: str = ""
    date_line: str | None = None  # 统计时间 | 截至
    date_style: str = "date"
    amount_style: str = "num"
    zero: object = 0
    status: str = "yi"
    example: bool = False
    placeholders: int = 0
    total: str | None = None  # 合计 | 小计
    sections: bool = False
    notes: list[str] = field(default_factory=list)
    blank_row: bool = False
    formula_cum: bool = False
    phone_num: bool = False
    seq_text: bool = False
    sheet: str = "Sheet1"
    fname: str = "{alias}{y}年{m}月招商引资项目统计表"
    multi_sheet: bool = False

    def columns(self):
        out = []
        for t in COLSETS[self.cols]:
            fld, head = t[0], t[1]
            grp = t[2] if len(t) > 2 else None
            unit = "万" if "万元" in head or (grp and "万元" in grp) else "亿"
            out.append((fld, head, grp, unit))
        return out


def default_layouts() -> dict[str, list[tuple[str, Layout]]]:
    """unit -> [(from period, layout)]; every unit keeps its layout, a few change once."""
    L = Layout
    lay: dict[str, list[tuple[str, Layout]]] = {
        "城中区": [("2021-01", L("A", title="title", date_line="统计时间", status="plain",
                                 notes=[NOTES[0]], sheet="项目统计表"))],
        "鱼峰区": [("2021-01", L("B", date_style="slash", amount_style="text", total="合计",
                                 status="long", notes=[NOTES[1]], fname="鱼峰区招商引资项目台账（{y}.{m}）"))],
        "柳南区": [("2021-01", L("A", title="fill", date_style="ym_cn", zero="—")),
                   ("2022-01", L("C", title="fill", date_style="ym_cn", amount_style="thou",
                                 zero="/", total="合计", notes=[NOTES[2]]))],
        "柳北区": [("2021-01", L("D", title="title", formula_cum=True, total="合计", status="mixed",
                                 date_line="截至", fname="柳北区-{y}{m:02d}"))],
        "柳江区": [("2021-01", L("A", date_style="dot", blank_row=True)),
                   ("2021-10", L("D", date_style="dot", blank_row=True, total="小计"))],
        "柳城县": [("2021-01", L("A", date_style="dash_ym", amount_style="fw", phone_num=True,
                                 title="fill_half", zero="无"))],
        "鹿寨县": [("2021-01", L("A", date_style="year", example=True, placeholders=2,
                                 notes=[SEED_NOTE], sheet="附件2", alias="鹿寨县")),
                   ("2022-01", L("A", date_style="year", example=True, placeholders=2,
                                 notes=[SEED_NOTE], sheet="附件2", alias="鹿寨县", total="合计"))],
        "融安县": [("2021-01", L("B", date_style="serial", date_line="统计时间", status="plain"))],
        "融水县": [("2021-01", L("A", fmt="xls", alias="融水苗族自治县", total="合计",
                                 fname="融水县{y}年{m}月项目统计"))],
        "三江县": [("2021-01", L("C", fmt="xls", alias="三江侗族自治县", date_style="ym_cn",
                                 amount_style="thou", seq_text=True))],
        "柳东新区": [("2021-01", L("B", amount_style="num", total="合计", notes=[NOTES[1]])),
                     ("2022-01", L("B", amount_style="num", notes=[NOTES[1]], multi_sheet=True,
                                   sheet="新引进项目"))],
        "阳和工业新区（北部生态新区）": [("2021-01", L("D", alias="北部生态新区", date_style="slash",
                                                   sections=True, total="合计",
                                                   fname="北部生态新区招商项目{y}-{m:02d}"))],
        "市投资促进局": [("2021-01", L("B", title="fill", alias="柳州市投资促进局", status="long"))],
        "市工业和信息化局": [("2021-01", L("E", alias="市工信局", date_style="ym_cn"))],
        "市商务局": [("2021-01", L("F", title="fill")), ("2021-07", L("A", title="fill"))],
        "市住房城乡建设局": [("2021-01", L("C", alias="市住建局", amount_style="num", zero="—"))],
        "市农业农村局": [("2021-01", L("E", fmt="xls", date_style="date"))],
        "市文化广电旅游局": [("2021-01", L("A", alias="市文广旅局", date_line="截至",
                                           fname="文广旅局{y}年{m}月招商项目"))],
        "市国资委": [("2021-01", L("F", title="fill_half"))],
        "市林业和园林局": [("2021-01", L("A", date_style="year", notes=[NOTES[0]]))],
        "市科技局": [("2021-01", L("B", alias="柳州市科学技术局", title="fill", date_style="slash"))],
        "市大数据局": [("2021-01", L("E", title="title_m"))],
        "市贸促会": [("2021-01", L("A", fmt="xls", zero="/"))],
    }
    for i, g in enumerate(N.LUZHAI_GROUPS):
        lay[g] = [("2022-01", L("F" if i % 2 else "A", title="title" if i % 2 else "fill",
                                date_style="year", example=i % 3 == 0, placeholders=i % 2,
                                alias=g, fname="{alias}{y}年{m}月项目统计表"))]
    for g in N.KJJ_GROUPS:
        lay[g] = [("2022-01", L("E", title="fill", date_style="ym_cn", alias=g, status="plain",
                                fname="{alias}项目台账{y}{m:02d}"))]
    for u, lst in lay.items():
        for _, lt in lst:
            if not lt.alias:
                lt.alias = u
    return lay


def layout_for(lays, unit: str, period: str) -> Layout:
    cur = None
    for since, lt in lays[unit]:
        if since <= period:
            cur = lt
    return cur or lays[unit][0][1]


@dataclass
class RowPlan:
    p: Project
    name: str
    investor: str
    partners: list[str] = field(default_factory=list)  # written texts (aliases)
    over: dict = field(default_factory=dict)  # field -> (cell, expected) overrides
    findings: list[tuple[str, str]] = field(default_factory=list)  # (check, severity)
    continuing: bool = False


FLAG = {True: "是", False: "否"}


def partner_canonical(texts: list[str], resolve) -> str:
    out = []
    for t in texts:
        c = resolve(t)
        if c and c not in out:
            out.append(c)
    return "、".join(out)


def render_row(rp: RowPlan, a: int, lt: Layout, seq: int, r: int, letters: dict, resolve,
               rng) -> tuple[list, dict]:
    p = rp.p
    y = a // 12
    stage = p.stage(a)
    cells, exp = [], {f: "" for f in FIELDS}
    fy = p.funds_year(a)
    cum = p.cum_at(a)
    for fld, _head, _grp, unit in lt.columns():
        if fld in rp.over:
            cell, e = rp.over[fld]
            cells.append(cell)
            exp[fld] = e
            continue
        cell, e = "", ""
        if fld == "seq":
            cell, e = (str(seq) if lt.seq_text else seq), str(seq)
        elif fld == "industry":
            cell = p.industry + (" " if rng.random() < 0.05 else "")
            e = p.industry
        elif fld == "chain":
            cell, e = p.chain, p.chain
        elif fld == "project_name":
            cell, e = rp.name, norm_name(rp.name)
        elif fld == "investor":
            cell, e = rp.investor, norm_name(rp.investor)
        elif fld == "total_investment":
            style = lt.amount_style
            x = rng.random()
            if x < 0.03 and p.total >= 1 and p.total == p.total.to_integral_value():
                style = "approx"
            elif x < 0.07:
                style = "unit"
            elif x < 0.10 and style == "num":
                style = "text"
            cell, e = amount_cell(p.total, unit, style)
        elif fld == "funds_this_year":
            if fy == 0 and not lt.formula_cum:
                cell, e = (lt.zero, "0") if lt.zero == 0 else (lt.zero, "")
            else:
                cell, e = amount_cell(fy, unit, lt.amount_style)
        elif fld == "funds_cumulative":
            if lt.formula_cum and lt.fmt == "xlsx" and "funds_this_year" in letters:
                prior = cum - fy
                cell = Formula(f"{letters['funds_this_year']}{r}+{dec(prior) or '0'}",
                               dec(cum if unit == "亿" else cum * 10000) or "0")
                e = dec(cum) or "0"
            else:
                cell, e = amount_cell(cum, unit, lt.amount_style)
        elif fld == "source":
            cell, e = p.source, p.source
        elif fld == "contact_person":
            cell, e = p.person, p.person
        elif fld == "contact_phone":
            cell, e = (int(p.phone) if lt.phone_num else p.phone), p.phone
        elif fld == "signed_on":
            sy, sm = p.s // 12, p.s % 12 + 1
            style = lt.date_style
            if style == "year" and sy < y:
                style = "ym_cn"
            cell, e = date_cell(sy, sm, p.day, style)
        elif fld in ("started_on", "completed_on"):
            t = p.t_start if fld == "started_on" else p.t_done
            d = p.start_day if fld == "started_on" else p.done_day
            reached = a >= t and (p.t_withdraw is None or t < p.t_withdraw)
            if reached:
                style = lt.date_style if lt.date_style != "year" else "ym_cn"
                cell, e = date_cell(t // 12, t % 12 + 1, d, style)
        elif fld == "status":
            cell = STATUS_VOCAB[lt.status][stage]
            e = cell
        elif fld in ("is_industrial", "is_emerging"):
            fl = N.REF_FLAGS.get(p.industry)
            if fl is not None:
                v = fl[0] if fld == "is_industrial" else fl[1]
                cell, e = FLAG[v], ("true" if v else "false")
        elif fld == "is_sanqi":
            cell, e = FLAG[p.sanqi], ("true" if p.sanqi else "false")
        elif fld == "partners":
            cell = "、".join(rp.partners)
            e = partner_canonical(rp.partners, resolve)
        elif fld == "in_library":
            cell, e = library_cell(p, a, stage, lt.cols)
        elif fld == "remarks":
            if rp.continuing:
                cell = "续建项目"
            elif p.sanqi and rng.random() < 0.5:
                cell = "三企入桂项目"
            e = norm_text(cell)
        cells.append(cell)
        exp[fld] = e
    st = exp["status"]
    exp["stage"] = STATUS_STAGE.get(norm_text(st), "") if st else ""
    return cells, exp


def library_cell(p: Project, a: int, stage: str, cols: str) -> tuple[object, str]:
    """是否入库 (layout B: 是/否) or 入库时间 (layout E: a month, or empty) — revision 2.  A signed
    project is 入库 since it signed; half of the projects first 在谈 were 入库 already then (a
    stream of their own, the same every month)."""
    early = p.talk_first and random.Random(f"library|{p.pid}").random() < 0.5
    if stage == "在谈" and not early:
        return ("否", "false") if cols == "B" else ("", "")
    if cols == "B":
        return "是", "true"
    since = p.s + (1 if p.talk_first and not early else 0)
    return f"{since // 12}年{since % 12 + 1}月", "true"


def header_rows(sh: Sheet, lt: Layout, top: int) -> tuple[int, dict]:
    """Write the header (one or two rows); return first data row and field->column letter."""
    cols = lt.columns()
    letters = {fld: col_letter(i + 1) for i, (fld, *_x) in enumerate(cols)}
    two = any(g for _, _, g, _ in cols)
    if not two:
        sh.add([h for _, h, _, _ in cols], "header")
        return top + 1, letters
    row1, row2 = [], []
    for i, (_fld, h, g, _u) in enumerate(cols):
        if g:
            row1.append(g if (i == 0 or cols[i - 1][2] != g) else "")
            row2.append(h)
        else:
            row1.append(h)
            row2.append("")
            sh.merges.append((top, i + 1, top + 1, i + 1))
    i = 0
    while i < len(cols):
        g = cols[i][2]
        if g:
            j = i
            while j + 1 < len(cols) and cols[j + 1][2] == g:
                j += 1
            sh.merges.append((top, i + 1, top, j + 1))
            i = j + 1
        else:
            i += 1
    sh.add(row1, "header")
    sh.add(row2, "header")
    return top + 2, letters


def title_lines(sh: Sheet, lt: Layout, y: int, m: int, ncol: int, title_word: str) -> None:
    if lt.title == "title":
        sh.add([f"{lt.alias}{y}年招商引资{title_word}"], "title")
    elif lt.title == "title_m":
        sh.add([f"{lt.alias}{y}年{m}月招商引资{title_word}"], "title")
    else:
        sh.add([f"{y}年招商引资{title_word}"], "title")
        colon = "：" if lt.title == "fill" else ":"
        sh.add([f"填报单位{colon}{lt.alias}"], "title")
    sh.merges.append((1, 1, 1, ncol))
    if lt.date_line == "统计时间":
        sh.add([""] * (ncol - 3) + [f"统计时间：{y}年{m}月"], "title")
    elif lt.date_line == "截至":
        sh.add([f"（截至{y}年{m}月底）"], "title")


def build_ledger_sheet(name: str, lt: Layout, a: int, title_month: int, rows: list[RowPlan],
                       sections: list[tuple[str, list[RowPlan]]] | None, resolve, rng,
                       title_word: str = "项目统计表", hidden: bool = False):
    """Return (Sheet, data records [(row, RowPlan, expected)], dropped [(row, reason)])."""
    sh = Sheet(name, hidden=hidden)
    cols = lt.columns()
    ncol = len(cols)
    y = a // 12
    title_lines(sh, lt, y, title_month, ncol, title_word)
    first, letters = header_rows(sh, lt, len(sh.rows) + 1)
    records, dropped = [], []
    if lt.example:
        ex = {"seq": "例：", "industry": "房地产业", "project_name": "集美江山项目",
              "investor": "柳州鹿寨金润房地产开发有限公司", "total_investment": 10,
              "source": "重庆", "contact_person": "韦安", "contact_phone": "180×××",
              "signed_on": f"{y}年", "status": "已开工"}
        sh.add([ex.get(f, "") for f, *_x in cols], "example")
    amount_cols = [i for i, (f, *_x) in enumerate(cols)
                   if f in ("total_investment", "funds_this_year", "funds_cumulative")]
    groups = sections if sections else [(None, rows)]
    sub_refs = []
    seq = 0
    for gi, (label, grp) in enumerate(groups):
        if label:
            sh.add([label] + [""] * (ncol - 1), "section")
            sh.merges.append((len(sh.rows), 1, len(sh.rows), ncol))
        start = len(sh.rows) + 1
        for k, rp in enumerate(grp):
            if lt.blank_row and k == len(grp) // 2 and k > 0 and gi == 0:
                sh.add([], "blank")
            seq += 1
            r = len(sh.rows) + 1
            cells, exp = render_row(rp, a, lt, seq, r, letters, resolve, rng)
            sh.add(cells, "data")
            records.append((r, rp, exp))
        end = len(sh.rows)
        if label:
            sub_refs.append((start, end))
            sh.add(_total_row(sh, "小计", cols, amount_cols, [(start, end)], lt), "subtotal")
    if lt.placeholders:
        for k in range(lt.placeholders):
            sh.add([seq + k + 1] + ["…" if k % 2 == 0 else "..."] + [""] * (ncol - 2),
                   "placeholder")
    if lt.total:
        spans = sub_refs or [(first, len([k for k in sh.kinds]))]
        if not sub_refs:
            data_rows = [r for r, _, _ in records]
            spans = [(min(data_rows), max(data_rows))] if data_rows else []
        kind = "total" if lt.total == "合计" or sub_refs else "subtotal"
        sh.add(_total_row(sh, "合计" if sub_refs else lt.total, cols, amount_cols, spans, lt),
               kind)
    for n in lt.notes:
        sh.add([n], "note")
    for i, kd in enumerate(sh.kinds, start=1):
        if kd not in ("data", "blank"):
            dropped.append((i, kd))
    return sh, records, dropped


def _total_row(sh: Sheet, label: str, cols, amount_cols, spans, lt: Layout) -> list:
    row = [""] * len(cols)
    name_idx = next((i for i, (f, *_x) in enumerate(cols) if f == "project_name"), 1)
    row[0 if cols[0][0] == "seq" and name_idx > 1 else name_idx] = label
    if lt.sections or cols[0][0] != "seq":
        row[name_idx] = label
    for ci in amount_cols:
        total = Decimal(0)
        for r1, r2 in spans:
            for r in range(r1, r2 + 1):
                if r - 1 >= len(sh.rows) or sh.kinds[r - 1] != "data":
                    continue
                v = sh.rows[r - 1][ci] if ci < len(sh.rows[r - 1]) else None
                if isinstance(v, Formula):
                    total += Decimal(v.cached)
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    total += Decimal(str(v))
        L = col_letter(ci + 1)
        if lt.fmt == "xlsx":
            f = "+".join(f"SUM({L}{r1}:{L}{r2})" for r1, r2 in spans) or "0"
            row[ci] = Formula(f, dec(total) or "0")
        else:
            row[ci] = float(total)
    return row


def stage_rank(st: str) -> int:
    return STAGES.index(st) if st in STAGES else -1


def pdate(a: int) -> dt.date:
    return dt.date(a // 12, a % 12 + 1, 1)


def describe_period(a: int) -> str:
    return per(a)


def copy_layout(lt: Layout, **kw) -> Layout:
    return replace(lt, **kw)
