"""Target tables (目标任务分解表) in the seed layouts."""

from __future__ import annotations

from . import names as N
from .writer import Formula, Sheet, write_workbook

SCORING = ("包装策划招商项目。\n根据本行业特点和发展规划，策划、包装4个以上全市重点招商项目，未完成的，按完成比例计分。\n"
           "大力开展产业招商。\n按照要求参加自治区或柳州市组织举办的重点投资促进活动或自行组织策划开展本行业专题招商活动，"
           "每参加一次得0.5分，最高得3分。\n完成新引进项目目标。\n完成市政府下达的新引进项目目标任务得满分，未完成的，按完成比例计分。")
DIST_NOTE = ("注：招商引资数据按照项目属地原则进行统计。除柳东新区、阳和工业新区（北部生态新区）外，五县、五城区辖区内园区的"
             "招商引进项目数据，由各县（区）投资促进局统计上报。")
DEPT_NOTE = ("注：各部门牵头新引进的项目可为非独立引进项目，与县（区）、开发区和/或其他部门合作引进的项目也可算作实际完成值。"
             "新引进项目以纳入广西投资促进局网络信息管理系统或签订投资协议为准。")
GROUP_NOTES = [
    "注：1. 表格内各牵头单位的招商引资数据由县投促中心根据行业范围对各牵头单位按项目属地原则统一上报的数据进行统计整理。",
    "2. 表格内各牵头单位直接引进的项目，应知会县投促中心，以便于县投促中心及时统计。",
    "3. 各牵头单位目标完成情况以录入“广西投资促进信息管理系统”数据为准，“广西投资促进信息管理系统”由县投促中心统一录入。",
]
IND4 = ["funds_in_place", "new_projects", "new_industrial_projects", "new_100m_industrial_projects"]


def _t(ctx, year, unit, sub, ind, target, rel, row):
    ctx.targets.append({"year": year, "unit_name": unit, "sub_unit": sub, "indicator": ind,
                        "target": str(target), "source_file": rel, "source_row": row})


def district_table(ctx, year: int, figures: dict, formulas: bool) -> None:
    rel = f"targets/附件1：{year}年全市各县（区）、开发区招商引资目标任务分解表.xlsx"
    sh = Sheet("附件1")
    sh.add(["附件1"], "title")
    sh.add([f"{year}年全市各县（区）、开发区招商引资目标任务分解表"], "title")
    sh.merges.append((2, 1, 2, 5))
    sh.add(["单位", f"{year}年区外境内到位资金目标（亿元）",
            f"{year}年新引进项目目标（须含30%以上新兴产业项目，单位：个）",
            f"{year}年新引进工业项目目标（个）", f"{year}年新引进亿元工业项目目标（个）"], "header")
    sums = [sum(v[i] for v in figures.values()) for i in range(4)]
    n = len(figures)
    if formulas:
        tot = [Formula(f"SUM({c}5:{c}{4 + n})", str(s)) for c, s in zip("BCDE", sums)]
    else:
        tot = sums
    sh.add(["合计"] + tot, "total")
    for i, ind in enumerate(IND4):
        _t(ctx, year, "柳州市", "", ind, sums[i], rel, 4)
    for u, v in figures.items():
        r = sh.add([u] + list(v), "data")
        for i, ind in enumerate(IND4):
            _t(ctx, year, u, "", ind, v[i], rel, r)
    sh.add([], "blank")
    sh.add([DIST_NOTE], "note")
    write_workbook(ctx.out / rel, [sh])
    ctx.add_file(rel, "targets", "柳州市", "target_table", "loaded")


def dept_table(ctx, year: int, figures: dict, total_offset: int = 0) -> None:
    rel = f"targets/附件2：{year}年全市招商牵头部门目标任务分解表.xlsx"
    sh = Sheet("附件2")
    sh.add(["附件2"], "title")
    sh.add([f"{year}年全市招商牵头部门目标任务分解表"], "title")
    sh.merges.append((2, 1, 2, 3))
    sh.add(["单 位", "牵头新引进项目数", "招商引资落实情况"], "header")
    first = len(sh.rows) + 1
    for i, (u, v) in enumerate(figures.items()):
        r = sh.add([u, v, SCORING if i == 0 else ""], "data")
        _t(ctx, year, u, "", "new_projects", v, rel, r)
    last = len(sh.rows)
    sh.merges.append((first, 3, last, 3))
    total = sum(figures.values()) + total_offset
    r = sh.add(["合计", total, ""], "total")
    if total_offset:
        ctx.finding("target_total_mismatch", "error", "", "柳州市", rel, "附件2", r, "")
    sh.add([], "blank")
    sh.add([DEPT_NOTE], "note")
    write_workbook(ctx.out / rel, [sh])
    ctx.add_file(rel, "targets", "柳州市", "target_table", "loaded")


def group_table(ctx) -> None:
    rel = "targets/附件1：鹿寨县2022年各产业招商组招商引资目标任务分解表.xlsx"
    sh = Sheet("附件1")
    sh.add(["附件1"], "title")
    sh.add(["2022年鹿寨县各产业招商组招商引资目标任务分解表"], "title")
    sh.merges.append((2, 1, 2, 9))
    sh.add(["产业招商组", "责任领导", "牵头单位", "协办单位", "内资到位资金目标（亿元）",
            "新签约项目数（个）", "新引进工业项目（个）", "亿元工业项目（个）", "备注"], "header")
    sh.add(["", "", "", "", "区外境内", "", "", "", ""], "header")
    for c in (1, 2, 3, 4, 6, 7, 8, 9):
        sh.merges.append((3, c, 4, c))
    sh.add(["合  计", "", "", "", 55, 60, 40, 25, ""], "total")
    sh.merges.append((5, 1, 5, 4))
    cur = None
    for row in N.LUZHAI_GROUP_ROWS:
        grp, leader, lead, co, f, n, i, b, remark = row
        r = sh.add([grp or "", leader or "", lead, co, f, n, i, b, remark], "data")
        if grp:
            cur = (grp, r)
        else:
            sh.merges.append((cur[1], 1, r, 1))
            sh.merges.append((cur[1], 2, r, 2))
        canon = "鹿寨县" + cur[0]
        for ind, v in zip(IND4, (f, n, i, b)):
            _t(ctx, 2022, canon, lead, ind, v, rel, r)
    sh.add([], "blank")
    for note in GROUP_NOTES:
        sh.add([note], "note")
    write_workbook(ctx.out / rel, [sh])
    ctx.add_file(rel, "targets", "鹿寨县", "target_table", "loaded")


def kjj_table(ctx) -> None:
    rel = "targets/2022年市科技局重点产业链科技招商专班目标任务分解表.xlsx"
    sh = Sheet("Sheet1")
    sh.add(["2022年柳州市科学技术局重点产业链科技招商专班目标任务分解表"], "title")
    sh.merges.append((1, 1, 1, 6))
    sh.add(["专班", "牵头新引进项目数（个）", "招商活动（场）", "滚动入库项目（个）", "对接目标企业（个）",
            "备注"], "header")
    for g in N.KJJ_GROUPS:
        short = g.replace("市科技局", "")
        r = sh.add([short, 1, 3, 5, 3, "投资亿元以上工业项目或5000万元以上服务业项目"], "data")
        _t(ctx, 2022, g, "", "new_projects", 1, rel, r)
    sh.add(["合计", Formula("SUM(B3:B10)", "8"), Formula("SUM(C3:C10)", "24"),
            Formula("SUM(D3:D10)", "40"), Formula("SUM(E3:E10)", "24"), ""], "total")
    sh.add(["注：各专班每月30日前将本月开展招商引资进展情况报送领导小组办公室。"], "note")
    write_workbook(ctx.out / rel, [sh])
    ctx.add_file(rel, "targets", "市科技局", "target_table", "loaded")


def write_targets(ctx, years) -> None:
    if 2021 in years:
        district_table(ctx, 2021, N.DISTRICT_TARGETS_2021, formulas=False)
        dept_table(ctx, 2021, N.DEPT_TARGETS_2021)
    if 2022 in years:
        district_table(ctx, 2022, N.DISTRICT_TARGETS_2022, formulas=True)
        dept_table(ctx, 2022, N.DEPT_TARGETS_2022, total_offset=1)
        group_table(ctx)
        kjj_table(ctx)
