"""Small workbooks written with openpyxl for the ingest tests (each test writes its own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl


def write_xlsx(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    merges: dict[str, list[str]] | None = None,
    hidden: tuple[str, ...] = (),
) -> Path:
    """Write `sheets` (name -> rows, from A1) with optional merged ranges and hidden sheets."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


LEDGER_HEADER = [
    "序号", "行业", "项目名称", "项目方", "投资总额（亿元）", "投资来源", "项目负责人", "联系电话",
    "项目入驻时间", "进展情况",
]


def seed_ledger_rows(unit_line: str = "填报单位：鹿寨县投资促进中心") -> list[list[Any]]:
    """The seed 001 附件2 template, filled with a few realistic rows."""
    return [
        ["鹿寨县2022年招商引资项目统计表"],
        [unit_line, None, None, None, None, None, None, "统计时间：2022年5月"],
        LEDGER_HEADER,
        ["例：", "房地产业", "集美江山项目", "柳州鹿寨金润房地产开发有限公司", 10, "重庆", "韦安",
         "180×××", "2022年", "已开工"],
        [1, "林木业", "旋切基地配套项目", "广西畔森装饰材料有限公司", 0.5, "山东", "毛石玉",
         "189×××", "2022年", "已开工"],
        [2, "新材料", "石墨烯复合材料项目", "柳州某新材料有限公司", "３．５亿元", "广东", "李四",
         "13812345678", "2022年3月", "已签约"],
        [3, "...", None, None, None, None, None, None, None, None],
        ["注：", "报送材料包括统计表、营业执照复印件"],
    ]


DISTRICT_TARGETS = [
    ("合计", 675, 320, 210, 100),
    ("城中区", 80, 22, 0, 0),
    ("鱼峰区", 78, 36, 24, 13),
    ("柳南区", 77, 29, 22, 13),
    ("柳北区", 77, 33, 25, 13),
    ("柳江区", 59, 30, 25, 13),
    ("柳城县", 41, 25, 16, 8),
    ("鹿寨县", 45, 27, 20, 8),
    ("融安县", 25, 15, 10, 3),
    ("融水县", 16, 14, 8, 2),
    ("三江县", 12, 14, 8, 2),
    ("柳东新区", 90, 43, 32, 15),
    ("阳和工业新区（北部生态新区）", 75, 32, 20, 10),
]


def district_targets_sheet(total: int = 675) -> list[list[Any]]:
    """Seed 000 附件1: title over two lines, 单位 + 4 long indicator headers, 合计 first, 注 below."""
    rows: list[list[Any]] = [
        ["2021年全市各县（区）、开发区"],
        ["招商引资目标任务分解表"],
        ["单位", "2021年区外境内到位资金目标（亿元）",
         "2021年新引进项目目标（须含30%以上新兴产业项目，单位：个）",
         "2021年新引进工业项目目标（个）", "2021年新引进亿元工业项目目标（个）"],
    ]
    for name, *figures in DISTRICT_TARGETS:
        if name == "合计":
            figures = [total, *figures[1:]]
        rows.append([name, *figures])
    note = (
        "注：招商引资数据按照项目属地原则进行统计。除柳东新区、阳和工业新区（北部生态新区）外，"
        "五县、五城区辖区内园区的招商引进项目数据，由各县（区）投资促进局统计上报。"
    )
    rows.append([note])
    return rows


DEPARTMENT_TARGETS = [
    ("市投资促进局", 40), ("市工业和信息化局", 30), ("市商务局", 10), ("市住房城乡建设局", 10),
    ("市农业农村局", 5), ("市文化广电旅游局", 10), ("市国资委", 6), ("市林业和园林局", 8),
    ("市科技局", 5), ("市大数据局", 5), ("市贸促会", 5),
]


def department_targets_sheet() -> tuple[list[list[Any]], list[str]]:
    """Seed 000 附件2: 单 位 / 牵头新引进项目数 / 招商引资落实情况 (merged down), 合计 last."""
    rows: list[list[Any]] = [
        ["2021年全市招商牵头部门"],
        ["目标任务分解表"],
        ["单 位", "牵头新引进项目数", "招商引资落实情况"],
    ]
    for i, (name, n) in enumerate(DEPARTMENT_TARGETS):
        rule = ("包装策划招商项目。\n策划、包装4个以上全市重点招商项目，未完成的，按完成比例计分。"
                if i == 0 else None)
        rows.append([name, n, rule])
    rows.append(["合计", 134, None])
    rows.append(["注：各部门牵头新引进的项目可为非独立引进项目。"])
    last = 3 + len(DEPARTMENT_TARGETS)
    return rows, [f"C4:C{last}"]


GROUP_TARGETS = [
    # (group, lead unit, funds, new, industrial, 100m)
    ("林木加工产业招商组", "县林业局（旋切基地项目）", 5, 15, 15, 3),
    (None, "县投促中心（林木深加工项目）", 13, 8, 7, 7),
    ("新材料和绿色化工产业招商组", "鹿寨经开区管委（新材料）", 6, 2, 2, 2),
    (None, "县投促中心（绿色化工）", 6, 4, 4, 4),
    ("表面处理产业招商组", "江口乡", 2, 6, 5, 3),
    ("商用车共享零部件产业招商组", "鹿寨经开区管委", 3, 5, 5, 4),
    ("商贸物流产业招商组", "县科工贸局", 5, 12, 0, 0),
    ("农业产业招商组", "县农业农村局", 4, 2, 2, 2),
    ("基础设施及房地产产业招商组", "县住建局", 10, 5, 0, 0),
    ("文旅产业与教育卫生招商组", "县文体广旅局", 1, 1, 0, 0),
]


def group_targets_sheet(merge_groups: bool = True) -> tuple[list[list[Any]], list[str]]:
    """Seed 001 附件1: two header rows (到位资金 over 区外境内), 合计 first, groups merged over two
    sub-rows each with its own 牵头单位 and figures."""
    rows: list[list[Any]] = [
        ["2022年鹿寨县各产业招商组招商引资目标任务分解表"],
        ["产业招商组", "责任领导", "牵头单位", "协办单位", "内资到位资金目标（亿元）",
         "新签约项目数（个）", "新引进工业项目（个）", "亿元工业项目（个）", "备注"],
        [None, None, None, None, "区外境内", None, None, None, None],
        ["合  计", None, None, None, 55, 60, 40, 25, None],
    ]
    merges = ["A2:A3", "B2:B3", "C2:C3", "D2:D3", "F2:F3", "G2:G3", "H2:H3", "I2:I3", "A4:D4"]
    for group, lead, *figures in GROUP_TARGETS:
        leader = "组长：王轶\n副组长：韦鸿英 李伟明" if group else None
        helpers = "县发改局、县住建局" if group else None
        rows.append([group, leader, lead, helpers, *figures, None])
        if group is None and merge_groups:
            r = len(rows)
            merges += [f"A{r - 1}:A{r}", f"B{r - 1}:B{r}", f"D{r - 1}:D{r}"]
    rows.append(["注：1. 表格内各牵头单位的招商引资数据由县投促中心统一上报的数据进行统计整理。"])
    rows.append(["2. 表格内各牵头单位直接引进的项目，应知会县投促中心，以便于县投促中心及时统计。"])
    return rows, merges


def set_cached_values(path: Path, cached: dict[str, str], sheet_no: int = 1) -> None:
    """openpyxl writes formulas without a cached value (`<v />`); put one in, as Excel would."""
    import re
    import zipfile

    member = f"xl/worksheets/sheet{sheet_no}.xml"
    with zipfile.ZipFile(path) as zf:
        contents = {name: zf.read(name) for name in zf.namelist()}
    xml = contents[member].decode("utf-8")
    for ref, value in cached.items():
        xml, n = re.subn(
            # an empty cached value: <v /> (xml.etree) or <v></v> (lxml)
            rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(?:<v\s*/>|<v></v>)', rf"\g<1>\g<2><v>{value}</v>",
            xml
        )
        assert n == 1, ref
    contents[member] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in contents.items():
            zf.writestr(name, data)


def encrypt_xlsx(src: Path, dst: Path, password: str = "1234") -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as fh, open(dst, "wb") as out:
        OOXMLFile(fh).encrypt(password, out)
    return dst


def write_xls(path: Path, rows: list[list[Any]], merges: list[tuple[int, int, int, int]] = (),
              sheet: str = "项目表") -> Path:
    """An old-format .xls with xlwt; merges are (r0, r1, c0, c1) inclusive, 0-based."""
    import datetime as dt

    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    merged_cells = set()
    for r0, r1, c0, c1 in merges:
        ws.write_merge(r0, r1, c0, c1, rows[r0][c0])
        merged_cells |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or (r, c) in merged_cells:
                continue
            if isinstance(value, dt.date):
                ws.write(r, c, value, date_style)
            else:
                ws.write(r, c, value)
    wb.save(str(path))
    return path
