"""The hostile inputs of GitHub issue 20, added to the bad-input corpus's drop folder.

    python -m tests.bad_inputs.hostile DEST

writes the corpus (make_corpus.build) and then every file below into DEST/drop.  Two groups:

- `INERT`: files that must change nothing at all (quarantined, superseded, ignored): a run with
  them gives the same marts, core and targets as a run without them, plus their findings.
- `LOADED`: workbooks of units the corpus does not have (市商务局, 市农业农村局, 市住房城乡建设局) that load
  with findings naming the bad cells; every other unit stays exactly as without them.

Each entry: name → (builder, check_name, severity, file status or None when not registered).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import zipfile
from pathlib import Path

from tests.bad_inputs import make_corpus as corpus
from tests.bad_inputs.make_corpus import _cached_errors, _row, _save, ledger, ledger_book

MONTH = corpus.MONTH  # 2021-02
EXCEL_ERRORS = ("#VALUE!", "#N/A", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!")
OLD = dt.datetime(2021, 1, 5, 9, 0).timestamp()  # an mtime well before the healthy files'
NEW = dt.datetime(2031, 1, 5, 9, 0).timestamp()  # one well after


def _touch(path: Path, when: float) -> Path:
    os.utime(path, (when, when))
    return path


def _patch_xml(path: Path, old: bytes, new: bytes) -> Path:
    """Replace bytes inside every XML member (openpyxl refuses to write some characters)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename).replace(old, new))
    path.write_bytes(out.getvalue())
    return path


# ------------------------------------------------------------------------ INERT: change nothing


def target_copy_in_month(path: Path) -> Path:
    """附件1 saved into a month folder under a unit's name: would double every target."""
    return corpus.district_targets(path)


def older_overlapping_targets(path: Path) -> Path:
    """A second 2021 table for the same districts, doubled, and older than the official one."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2021年各县区招商引资目标任务（征求意见稿）"])
    ws.append(["单位", "区外境内到位资金目标（亿元）", "新引进项目目标（个）"])
    ws.append(["柳南区", 40, 8])
    ws.append(["柳江区", 20, 4])
    return _touch(_save(wb, path), OLD)


def resent_previous_month(path: Path) -> Path:
    """柳南区's January ledger sent again into February, newer than February's own ledger."""
    ledger(path, "柳南区", [_row("一月重报项目", "柳南某公司", total=99, funds=50)],
           month="2021-01")
    return _touch(path, NEW)


def older_correction(path: Path) -> Path:
    """A （更正） of 柳江区 that is older than the original it corrects."""
    ledger(path, "柳江区", [_row("旧更正项目", "柳江某公司", total=77, funds=70)])
    return _touch(path, OLD)


def zip_bomb(path: Path, mb: int = 256) -> Path:
    """A 100 KB-ish ledger whose shared strings expand to `mb` MB."""
    buf = io.BytesIO()
    ledger_book("鱼峰区", [_row("压缩炸弹项目", "某公司", total=500, funds=400)]).save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        with zout.open("xl/sharedStrings.xml", "w") as fh:
            block = b"<si><t>" + b"A" * 4089 + b"</t></si>"
            for _ in range(mb * 256):
                fh.write(block)
    return path


def et_not_a_workbook(path: Path) -> Path:
    path.write_bytes(b"WPS ET private format \x00\x01\x02" * 50)
    return path


def gbk_named_document(month: Path) -> Path:
    """A .docx whose name is GBK bytes (a zip unpacked on Chinese Windows)."""
    name = os.path.join(os.fsencode(month), "会议通知.docx".encode("gbk"))
    with open(name, "wb") as fh:
        fh.write(b"PK\x03\x04 not really a document")
    return Path(os.fsdecode(name))


def misnamed_folder(root: Path, name: str) -> Path:
    """A month folder with a wrong name, holding a ledger with huge figures."""
    return ledger(root / name / "柳南区.xlsx", "柳南区",
                  [_row("错名文件夹项目", "柳南某公司", total=888, funds=800)])


# ---------------------------------------------------------------- LOADED: findings, rest unchanged


def bad_values(path: Path) -> Path:
    """市商务局: cached errors in the name and amounts, a formula without a cached value, NUL and
    other control characters in text, '12,34', a numeric 2021.1 date, a date after the month,
    and one stray cell in the last column."""
    wb = ledger_book("市商务局", [
        _row("=1+1", "鱼峰某公司"),  # 4: 项目名称 #VALUE!
        _row("=2+2", "鱼峰某公司"),  # 5: 项目名称 #N/A
        _row("金额错误项目", "鱼峰某公司", total="=3+3"),  # 6: 投资总额 #REF!
        _row("未计算公式项目", "鱼峰某公司", funds="=E7*2"),  # 7: formula, no cached value
        _row("控制字符NULMARK项目", "鱼峰CTLMARK公司"),  # 8: NUL and \x01 in text
        _row("逗号金额项目", "鱼峰某公司", total="12,34"),  # 9
        _row("数字日期项目", "鱼峰某公司", signed=2021.1),  # 10: January or October?
        _row("未来签约项目", "鱼峰某公司", signed="2021年5月"),  # 11: after 2021-02
        _row("鱼峰正常项目", "鱼峰某公司", total=3, funds=1),  # 12
    ])
    wb.active.cell(row=12, column=16384, value="最右一格")
    _save(wb, path)
    _cached_errors(path, {"1+1": "#VALUE!", "2+2": "#N/A", "3+3": "#REF!"})
    _patch_xml(path, b"NULMARK", b"_x0000_")
    return _patch_xml(path, b"CTLMARK", b"_x0001__x001F_")


def et_really_xls(path: Path) -> Path:
    """市农业农村局's ledger saved by WPS as .et: inside it is an ordinary .xls."""
    from tests.ingest.builders import write_xls

    book = ledger_book("市农业农村局", [_row("农业WPS项目", "农业某公司", total=4, funds=2)])
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    return write_xls(path, rows)


def gbk_named_ledger(month: Path) -> Path:
    name = os.path.join(os.fsencode(month), "市住建局台账.xlsx".encode("gbk"))
    tmp = month / "gbk_tmp.xlsx"
    ledger(tmp, "市住房城乡建设局", [_row("住建乱码文件名项目", "住建某公司", total=5, funds=1)])
    os.rename(tmp, name)
    return Path(os.fsdecode(name))


STRAY = "柳南区2月台账.xlsx"  # in the drop folder itself, in no month folder
MISNAMED = {"2021-2": "2021-02", "2021年2月": "2021-02", "2021-13": None}
# relative name → (builder, check, severity, status of the file in staging.files or None)
INERT: dict[str, tuple] = {
    f"{MONTH}/柳南区-附件1.xlsx": (target_copy_in_month, "misplaced_file", "error", "quarantined"),
    "targets/2021年目标任务（征求意见稿）.xlsx": (
        older_overlapping_targets, "superseded_file", "warning", "superseded"),
    f"{MONTH}/柳南区（1月重报）.xlsx": (
        resent_previous_month, "superseded_file", "warning", "superseded"),
    f"{MONTH}/柳江区（更正）.xlsx": (older_correction, "superseded_file", "warning", "superseded"),
    f"{MONTH}/鱼峰区_压缩炸弹.xlsx": (zip_bomb, "oversized_file", "error", "quarantined"),
    f"{MONTH}/三江县.et": (et_not_a_workbook, "unreadable_file", "warning", "quarantined"),
}
LOADED: dict[str, tuple] = {
    f"{MONTH}/市商务局_坏值.xlsx": (bad_values, "invalid_value", "warning", "loaded"),
    f"{MONTH}/市农业农村局.et": (et_really_xls, None, None, "loaded"),
}
GBK_DOC = f"{MONTH}/" + "会议通知.docx".encode("gbk").decode("gb18030")
GBK_LEDGER = f"{MONTH}/" + "市住建局台账.xlsx".encode("gbk").decode("gb18030")


def add_inert(root: Path) -> None:
    for rel, (builder, *_rest) in INERT.items():
        builder(root / rel)
    gbk_named_document(root / MONTH)
    for name in MISNAMED:
        misnamed_folder(root, name)
    ledger(root / STRAY, "柳南区", [_row("放错位置项目", "柳南某公司", total=666, funds=600)])


def add_loaded(root: Path) -> None:
    for rel, (builder, *_rest) in LOADED.items():
        builder(root / rel)
    gbk_named_ledger(root / MONTH)


def build(dest: Path) -> Path:
    root = corpus.build(dest, symlinks=False)
    add_inert(root)
    add_loaded(root)
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    print(build(parser.parse_args(argv).dest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
