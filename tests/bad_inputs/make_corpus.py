"""Build a drop folder full of bad inputs, next to a healthy month (GitHub issue 10).

    python -m tests.bad_inputs.make_corpus DEST [--no-symlinks]

writes DEST/drop (the SUBMISSIONS_DIR: targets/, a healthy 2021-01, and 2021-02 with two healthy
ledgers plus every bad input) and DEST/outside (files a symlink points at; never to be read).
`BAD_FILES` says what each bad input is and which finding it must produce; the tests and
docs/reliability.md are built on it.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill

HEADER = ["序号", "行业", "项目名称", "项目方", "投资总额（亿元）", "本年到位资金（亿元）",
          "联系电话", "签约时间", "进展情况", "是否三企入桂项目", "合作单位", "投资来源"]
SOURCE = "广东深圳"  # 区外境内: the row counts (domain.md, revision 2)
MONTH = "2021-02"
PHONE = "13812345678"
DDE = "=cmd|' /C calc'!A0"
SQL_NAME = "'; DROP TABLE staging.files; --"
SQL_INVESTOR = "Robert'); DROP TABLE core.dim_project;--"

GOOD_A = ["汽车零部件", "岭南药业柳州中药生产基地", "岭南中药饮片有限公司", 12, 1.5, PHONE,
          "2021年1月", "已签约", "是", None]
GOOD_B = ["新材料", "石墨烯复合材料项目", "柳州某新材料有限公司", 3, 0.5, None, "2021.1", "已开工",
          "否", None]


def _row(name: str, investor: str, total: object = 2, funds: object = 0.5,
         signed: object = "2021年2月", industry: str = "新材料") -> list:
    return [industry, name, investor, total, funds, None, signed, "已签约", "否", None, SOURCE]


def ledger_book(unit_title: str, rows: list[list], fill_unit: str | None = None,
                month: str = MONTH) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目表"
    year, mon = month.split("-")
    ws.append([f"{unit_title}{year}年招商引资项目统计表"])
    ws.append([f"填报单位：{fill_unit or unit_title}", None, None, None, None, None,
               f"统计时间：{year}年{int(mon)}月"])
    ws.append(HEADER)
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row, *([SOURCE] if len(row) == len(HEADER) - 2 else [])])
    return wb


def _save(wb: openpyxl.Workbook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def ledger(path: Path, unit: str, rows: list[list], month: str = MONTH, **kw) -> Path:
    return _save(ledger_book(unit, rows, month=month, **kw), path)


def district_targets(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2021年全市各县（区）、开发区招商引资目标任务分解表"])
    ws.append(["单位", "2021年区外境内到位资金目标（亿元）",
               "2021年新引进项目目标（须含30%以上新兴产业项目，单位：个）",
               "2021年新引进工业项目目标（个）", "2021年新引进亿元工业项目目标（个）"])
    ws.append(["合计", 30, 6, 4, 2])
    ws.append(["柳南区", 20, 4, 3, 1])
    ws.append(["柳江区", 10, 2, 1, 1])
    return _save(wb, path)


# ------------------------------------------------------------------------------ bad inputs


def truncated(path: Path) -> Path:
    buf = io.BytesIO()
    ledger_book("柳北区", [_row("截断文件项目", "某公司")]).save(buf)
    data = buf.getvalue()
    path.write_bytes(data[: len(data) // 2])
    return path


def zero_bytes(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def zip_not_workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "这是一个压缩包，不是工作簿")
        zf.writestr("docs/会议纪要.txt", "纪要")
    return path


def encrypted(path: Path) -> Path:
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO()
    ledger_book("柳北区", [_row("加密文件项目", "某公司")]).save(plain)
    plain.seek(0)
    office = OOXMLFile(plain)
    with open(path, "wb") as out:
        office.encrypt("123456", out)
    with open(path, "rb") as fh:  # a sanity check: the file really is encrypted
        assert msoffcrypto.OfficeFile(fh).is_encrypted()
    return path


def blank_formatted_rows(path: Path, n: int = 100_000) -> Path:
    wb = ledger_book("鱼峰区", [_row("空白行后的项目", "鱼峰某公司")])
    ws = wb.active
    fill = PatternFill("solid", fgColor="FFFF00")
    bold = Font(bold=True)
    start = ws.max_row + 1
    for r in range(start, start + n):
        cell = ws.cell(row=r, column=3)
        cell.fill = fill
        cell.font = bold
    return _save(wb, path)


def million_char_cell(path: Path) -> Path:
    huge = "超长项目名称" * (1_000_000 // 6)
    return ledger(path, "城中区", [_row(huge, "城中某公司"), _row("城中正常项目", "城中某公司")])


def deeply_merged_header(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目表"
    ws.append(["柳城县2021年招商引资项目统计表"])
    ws.merge_cells("A1:K1")
    # five header rows, every one merged across the whole width, then the real labels
    for r in range(2, 7):
        ws.cell(row=r, column=1, value=f"表头第{r - 1}层：填报单位：柳城县")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=11)
    ws.append(HEADER)
    for c in range(1, len(HEADER) + 1):  # and each label merged down over three rows
        ws.merge_cells(start_row=7, start_column=c, end_row=9, end_column=c)
    ws.cell(row=10, column=1, value=1)
    for c, v in enumerate(_row("合并表头项目", "柳城某公司"), start=2):
        ws.cell(row=10, column=c, value=v)
    return _save(wb, path)


def _cached_errors(path: Path, errors: dict[str, str]) -> None:
    """Give formula cells a cached error value, as Excel saves them ({formula: '#REF!'})."""
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                for formula, error in errors.items():
                    text = re.sub(
                        r'<c r="([A-Z]+\d+)"((?: s="\d+")?)><f>' + re.escape(formula)
                        # an empty cached value: <v/> (xml.etree) or <v></v> (lxml)
                        + r"</f>(?:<v ?/>|<v></v>)?</c>",
                        lambda m, e=error, f=formula: (
                            f'<c r="{m[1]}"{m[2]} t="e"><f>{f}</f><v>{e}</v></c>'),
                        text,
                    )
                data = text.encode("utf-8")
            zout.writestr(item, data)
    path.write_bytes(out.getvalue())


def formula_errors(path: Path) -> Path:
    ledger(path, "鹿寨县", [
        _row("公式错误项目一", "鹿寨某公司", total="=#REF!+1", funds="=1/0"),
        _row("公式错误项目二", "鹿寨另一公司", total=5, funds="=1/0"),
    ])
    _cached_errors(path, {"#REF!+1": "#REF!", "1/0": "#DIV/0!"})
    return path


def extreme_dates(path: Path) -> Path:
    import datetime as dt

    return ledger(path, "融安县", [
        _row("百年前签约项目", "融安某公司", signed=dt.datetime(1900, 1, 1)),
        _row("千年后签约项目", "融安另一公司", signed=dt.datetime(2999, 12, 31)),
        _row("文本远期项目", "融安第三公司", signed="2999年12月"),
    ])


def extreme_amounts(path: Path) -> Path:
    return ledger(path, "融水县", [
        _row("负数金额项目", "融水某公司", total=-5, funds=-1),
        _row("天文数字项目", "融水另一公司", total=1e30, funds=1e30),
        _row("融水正常项目", "融水第三公司", total=2, funds=1),
    ])


def wan_in_yi_column(path: Path) -> Path:
    """Not in BAD_FILES: a 万元 figure in a 亿元 column is kept with an `amount_outlier`
    warning, and the blocking core check then stops the marts (tests/reliability)."""
    return ledger(path, "融水县", [_row("万元误填项目", "融水第四公司", total=5000, funds=3000)])


def other_units_name(path: Path) -> Path:
    """In a folder named after 柳北区, a workbook whose title and 填报单位 say 三江县."""
    return ledger(path, "三江县", [_row("三江冒名项目", "三江某公司")])


def city_fill_unit(path: Path) -> Path:
    """A department's file (named 市工信局) whose title and 填报单位 claim the whole city."""
    return ledger(path, "柳州市", [_row("工信冒充全市项目", "工信某公司")])


def city_only(path: Path) -> Path:
    """A file that names no unit but the city."""
    return ledger(path, "柳州市", [_row("全市汇总项目", "某公司")])


def injection(path: Path) -> Path:
    wb = ledger_book("市投资促进局", [
        _row(SQL_NAME, SQL_INVESTOR),
        _row("DDE文本项目", DDE),
        _row("DDE公式项目", "投促某公司"),
        _row("=HYPERLINK(\"http://evil.example/\",\"点我\")", "投促另一公司"),
    ])
    ws = wb.active
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("=") and cell.row != 6:
                cell.data_type = "s"  # typed as text, as a clerk pasting it would get
    ws.cell(row=6, column=3).value = DDE  # a real (DDE) formula, no cached value
    return _save(wb, path)


def weird_name(path: Path) -> Path:
    return ledger(path, "柳北区", [_row("怪名文件项目", "柳北某公司")])


# name (relative to the month folder) → (builder, expected check, expected file status)
BAD_FILES: dict[str, tuple] = {
    "截断的台账.xlsx": (truncated, "unreadable_file", "quarantined"),
    "空文件.xlsx": (zero_bytes, "unreadable_file", "quarantined"),
    "压缩包改名.xlsx": (zip_not_workbook, "unreadable_file", "quarantined"),
    "加密台账.xlsx": (encrypted, "unreadable_file", "quarantined"),
    "鱼峰区_十万空白行.xlsx": (blank_formatted_rows, None, "loaded"),
    "城中区_百万字单元格.xlsx": (million_char_cell, "invalid_value", "loaded"),
    "柳城县_多层合并表头.xlsx": (deeply_merged_header, None, "loaded"),
    "鹿寨县_公式错误.xlsx": (formula_errors, "missing_amount", "loaded"),
    "融安县_极端日期.xlsx": (extreme_dates, "invalid_date", "loaded"),
    "融水县_极端金额.xlsx": (extreme_amounts, "invalid_value", "loaded"),
    "柳北区/项目台账.xlsx": (other_units_name, "unit_mismatch", "loaded"),
    "市工信局.xlsx": (city_fill_unit, "unit_mismatch", "loaded"),
    "全市汇总.xlsx": (city_only, "unknown_unit", "quarantined"),
    "市投资促进局_注入.xlsx": (injection, None, "loaded"),
    " 柳北区 \"台账\" '..' 副本 .xlsx": (weird_name, None, "loaded"),
    "..台账../柳东新区.xlsx": (
        lambda p: ledger(p, "柳东新区", [_row("点点目录项目", "柳东某公司")]), None, "loaded"),
}
SYMLINKS = {  # name in the month folder → what it points at
    "passwd.xlsx": "/etc/passwd",
    "外部目录": "outside",  # a folder outside the drop folder, holding a workbook
    "上月副本": "drop/2021-01",  # a folder inside the drop folder: must not be read twice
}


def build(dest: Path, symlinks: bool = True) -> Path:
    """Write the corpus under `dest`; returns the drop folder (dest/drop)."""
    root = dest / "drop"
    district_targets(root / "targets" / "2021年县区目标任务分解表.xlsx")
    ledger(root / "2021-01" / "柳南区.xlsx", "柳南区", [GOOD_A, GOOD_B], month="2021-01")
    month = root / MONTH
    ledger(month / "柳南区.xlsx", "柳南区",
           [GOOD_A[:4] + [2.5] + GOOD_A[5:7] + ["已开工"] + GOOD_A[8:], GOOD_B])
    ledger(month / "柳江区.xlsx", "柳江区",
           [["房地产业", "集美江山", "鹿寨金润房地产开发公司", 6, 1, None, "2021年2月", "在建",
             "否", None]])
    for name, (builder, _check, _status) in BAD_FILES.items():
        path = month / name
        path.parent.mkdir(parents=True, exist_ok=True)
        builder(path)
    outside = dest / "outside"
    ledger(outside / "外部台账.xlsx", "柳南区", [_row("外部目录项目", "外部公司", total=999)])
    if symlinks:
        for name, target in SYMLINKS.items():
            link = month / name
            real = Path(target) if target.startswith("/") else dest / target
            if not link.is_symlink():
                os.symlink(real, link, target_is_directory=real.is_dir())
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--no-symlinks", action="store_true")
    args = parser.parse_args(argv)
    root = build(args.dest, symlinks=not args.no_symlinks)
    print(root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
