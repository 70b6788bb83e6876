"""Issue 20, the pure part: every class of bad file or cell, generated, at its boundaries.

(The same classes run through Dagster on DuckDB and PostgreSQL in tests/bad_inputs/test_isolation.py.)
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.ingest import registry
from assets.ingest.parse import parse_file
from assets.ingest.registry import (
    display_name,
    misnamed_folders,
    newest_first_key,
    resolve_supersession,
    scan_files,
)
from assets.ingest.values import is_missing, parse_amount, parse_date, parse_int
from assets.ingest.workbook import (
    ZIP_RATIO_FLOOR,
    CellError,
    Limits,
    Oversized,
    Sheet,
    column_letters,
    read_workbook,
    strip_controls,
)
from runtime.reference import Reference
from runtime.rules import load_rules
from runtime.settings import Settings
from tests.bad_inputs.make_corpus import _cached_errors, _row, ledger_book


@pytest.fixture(scope="module")
def ref() -> Reference:
    return Reference.load()


CONTROLS = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127)]
MONTH = "2021-02"


# ------------------------------------------------------------------------------ values


@given(st.lists(st.text(alphabet="0123456789", min_size=1, max_size=5), min_size=2, max_size=4))
def test_commas_are_thousands_separators_or_a_finding(groups):
    """'1,234,567' is a number; any other comma placement ('12,34', '1,2345') is a finding,
    never a guess (it used to read '12,34' as 1234)."""
    text = ",".join(groups)
    grouped = len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    amount, count = parse_amount(text), parse_int(text)
    if grouped:
        assert amount == (Decimal("".join(groups)), None)
        assert count == (int("".join(groups)), None)
    else:
        assert amount.value is None and "逗号" in amount.problem.message
        assert count.value is None and "逗号" in count.problem.message


@pytest.mark.parametrize("year", [1950, 2021, 2022, 2099])
@pytest.mark.parametrize("month", range(1, 13))
def test_numeric_year_month_is_read_or_is_a_finding(year, month):
    """A number typed as 2022.3 is March; 2022.1 may be January or a typed 2022.10 (Excel keeps
    the same number for both): a finding, never a guess."""
    parsed = parse_date(float(f"{year}.{month}"))
    if month in (1, 10):
        assert parsed.value is None and "10月" in parsed.problem.message
    else:
        assert parsed == (f"{year}-{month:02d}", None)
    assert parse_date(f"{year}.{month}").value == f"{year}-{month:02d}"  # text keeps its digits


@given(st.text(alphabet=st.sampled_from([*CONTROLS, "a", "项", " ", "\t", "\n"]), max_size=30))
def test_control_characters_are_stripped_and_nothing_else(text):
    out = strip_controls(text)
    assert not any(c in CONTROLS for c in out)
    assert out == "".join(c for c in text if c not in CONTROLS)
    assert strip_controls(out) == out


@pytest.mark.parametrize("code", ["#VALUE!", "#N/A", "#REF!", "#DIV/0!", "#NAME?", "#NUM!",
                                  "#NULL!"])
def test_a_cached_error_is_never_missing(code):
    assert not is_missing(CellError(code))
    assert is_missing("#N/A")  # typed as text it is a missing marker, as before


# ------------------------------------------------------------------------------ cells


FIELD_COLUMNS = {"项目名称": "C", "项目方": "D", "投资总额": "E", "本年到位资金": "F",
                 "签约时间": "H", "进展情况": "I"}


@pytest.mark.parametrize("code", ["#VALUE!", "#N/A", "#REF!", "#DIV/0!", "#NAME?", "#NUM!",
                                  "#NULL!"])
def test_every_cached_error_in_every_field_is_a_finding_naming_the_cell(tmp_path, code, ref):
    """One row per field, the error in that field: each row stays (not counted when its name
    or amount is lost) with a finding naming the cell; the error text is never a value."""
    rows = []
    for i, _label in enumerate(FIELD_COLUMNS):
        rows.append(_row(f"项目{i}", "某公司"))
    wb = ledger_book("柳南区", rows)
    ws = wb.active
    for i, col in enumerate(FIELD_COLUMNS.values()):
        ws[f"{col}{4 + i}"] = f"=ERR{i}()"
    path = tmp_path / "柳南区.xlsx"
    wb.save(path)
    _cached_errors(path, {f"ERR{i}()": code for i in range(len(FIELD_COLUMNS))})
    result = parse_file(path, f"{MONTH}/柳南区.xlsx", MONTH, ref)
    assert result.status == "parsed"
    by_row = {r["source_row"]: r for r in result.ledger_rows}
    assert sorted(by_row) == list(range(4, 4 + len(FIELD_COLUMNS)))
    for i, col in enumerate(FIELD_COLUMNS.values()):
        cell = f"{col}{4 + i}"
        named = [f for f in result.findings if f.source_row == 4 + i and cell in f.message]
        assert named and code in named[0].message, (cell, [f.message for f in result.findings])
        assert code not in {str(v) for k, v in by_row[4 + i].items() if not k.endswith("_raw")}
    assert not by_row[4]["row_ok"] and not by_row[6]["row_ok"]  # name, total lost


def test_a_formula_without_a_cached_value_is_a_finding(tmp_path, ref):
    wb = ledger_book("柳南区", [_row("公式项目", "某公司", funds="=E4*2", total=3)])
    path = tmp_path / "柳南区.xlsx"
    wb.save(path)  # openpyxl saves formulas without a cached value, as a generator might
    result = parse_file(path, f"{MONTH}/柳南区.xlsx", MONTH, ref)
    (row,) = result.ledger_rows
    assert row["funds_this_year"] is None and row["funds_this_year_raw"] == "=E4*2"
    assert any("F4" in f.message and "没有保存计算结果" in f.message for f in result.findings)


@pytest.mark.parametrize("months_ahead", [0, 1, 11])
def test_a_signing_date_after_the_month_is_a_finding(tmp_path, ref, months_ahead):
    month = dt.date(2021, 2 + months_ahead if months_ahead < 11 else 1,
                    1).replace(year=2021 if months_ahead < 11 else 2022)
    wb = ledger_book("柳南区", [_row("签约项目", "某公司", signed=f"{month.year}年{month.month}月")])
    path = tmp_path / "柳南区.xlsx"
    wb.save(path)
    result = parse_file(path, f"{MONTH}/柳南区.xlsx", MONTH, ref)
    late = [f for f in result.findings if "晚于报送月份" in f.message]
    assert len(late) == (0 if months_ahead == 0 else 1)
    assert result.ledger_rows[0]["signed_on"] == f"{month.year}-{month.month:02d}"


# ------------------------------------------------------------------------------ resources


def _xlsx_bytes(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _unpacked(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(i.file_size for i in zf.infolist())


def test_unpacked_size_is_bounded_at_the_limit(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(_xlsx_bytes(ledger_book("柳南区", [_row("项目", "某公司")])))
    total = _unpacked(path)
    assert read_workbook(path, Limits(max_unpacked_bytes=total)).sheets
    with pytest.raises(Oversized, match="解压后超过"):
        read_workbook(path, Limits(max_unpacked_bytes=total - 1))


def _with_member(path: Path, name: str, size: int) -> tuple[int, int]:
    """Add a member of `size` zero bytes; returns (size, compressed size)."""
    src = _xlsx_bytes(ledger_book("柳南区", [_row("项目", "某公司")]))
    with zipfile.ZipFile(io.BytesIO(src)) as zin, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr(name, b"\0" * size)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
        return info.file_size, info.compress_size


def test_compression_ratio_is_bounded_at_the_limit(tmp_path):
    path = tmp_path / "bomb.xlsx"
    size, packed = _with_member(path, "xl/media/pad.bin", ZIP_RATIO_FLOOR + 1)
    ratio = size / packed
    assert read_workbook(path, Limits(max_zip_ratio=ratio)).sheets
    with pytest.raises(Oversized, match="倍以上"):
        read_workbook(path, Limits(max_zip_ratio=ratio * 0.999))
    # a member no larger than the floor is never refused for its ratio
    small = tmp_path / "small.xlsx"
    _with_member(small, "xl/media/pad.bin", ZIP_RATIO_FLOOR)
    assert read_workbook(small, Limits(max_zip_ratio=1.0)).sheets


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_columns_are_bounded_at_the_limit(tmp_path, offset):
    """A cell in the last allowed column is read; one further right is cut, with a note."""
    limit = 40
    wb = ledger_book("柳南区", [_row("项目", "某公司")])
    wb.active.cell(row=4, column=limit + offset, value="远处")
    path = tmp_path / "w.xlsx"
    wb.save(path)
    book = read_workbook(path, Limits(max_cols=limit))
    (sheet,) = book.sheets
    assert sheet.n_cols <= limit
    if offset <= 0:
        assert sheet.cell(3, limit + offset - 1) == "远处" and not book.notes
    else:
        assert book.notes and f"{column_letters(limit)}4" in book.notes[0][1]


@pytest.mark.parametrize("offset", [0, 1])
def test_rows_are_bounded_before_reading(tmp_path, offset):
    wb = ledger_book("柳南区", [_row("项目", "某公司")])
    wb.active.cell(row=50 + offset, column=1, value="远处")
    path = tmp_path / "t.xlsx"
    wb.save(path)
    if offset:
        with pytest.raises(Oversized, match="第51行"):
            read_workbook(path, Limits(max_rows=50))
    else:
        assert read_workbook(path, Limits(max_rows=50)).sheets[0].n_rows == 50


def test_one_stray_cell_far_right_costs_nothing(tmp_path):
    """5,000 rows and one cell in column XFD: read in well under a second, rows not padded."""
    rows = [_row(f"项目{i}", "某公司") for i in range(5000)]
    wb = ledger_book("柳南区", rows)
    wb.active.cell(row=100, column=16384, value="x")
    path = tmp_path / "stray.xlsx"
    wb.save(path)
    started = time.perf_counter()
    book = read_workbook(path)
    assert time.perf_counter() - started < 5
    assert max(len(r) for r in book.sheets[0].rows) <= len(rows[0]) + 1
    grid, _ = book.sheets[0].filled()
    assert max(len(r) for r in grid) <= len(rows[0]) + 1


def test_merges_never_pad_a_row_to_the_sheet_width():
    sheet = Sheet("s", [["a", "b"], ["c"] + [None] * 30 + ["far"]], merged=[(0, 0, 1, 0)])
    grid, copies = sheet.filled()
    assert len(grid[0]) == 2 and grid[1][0] == "a" and (1, 0) in copies


# ------------------------------------------------------------------------------ the registry


@given(st.binary(min_size=1, max_size=20).filter(lambda b: b"/" not in b and b"\0" not in b))
def test_any_file_name_becomes_a_storable_name(raw):
    name, repaired = display_name(os.fsdecode(raw))
    name.encode("utf-8")  # storable in any warehouse
    assert not any(c in CONTROLS for c in name)
    try:
        clean = raw.decode("utf-8") == strip_controls(raw.decode("utf-8"))
    except UnicodeDecodeError:
        clean = False
    assert repaired == (not clean)


@pytest.mark.parametrize(("folder", "wanted"), [
    ("2022-6", "2022-06"), ("2022_06", "2022-06"), ("2022.6", "2022-06"), ("202206", "2022-06"),
    ("2022年6月", "2022-06"), ("2022年06月份", "2022-06"), ("2022-13", None), ("2022-0", None),
    ("2022-12", "ok"), ("targets", "ok"), ("备份", "ok"),
])
def test_misnamed_month_folders_are_warnings_naming_the_right_name(tmp_path, folder, wanted):
    (tmp_path / folder).mkdir()
    found = misnamed_folders(tmp_path)
    if wanted == "ok":
        assert found == []
        return
    (problem,) = found
    assert problem.severity == "warning" and folder in problem.message
    assert (f"「{wanted}」" in problem.message) if wanted else ("不存在" in problem.message)


def test_a_file_that_cannot_be_read_is_a_problem_of_that_file(tmp_path, monkeypatch):
    month = tmp_path / MONTH
    month.mkdir()
    for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
        (month / name).write_bytes(b"x")
    real = registry._sha256

    def sha(path):
        if path.name == "b.xlsx":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(registry, "_sha256", sha)
    seen, problems = scan_files(tmp_path)
    assert [s.source_file for s in seen] == [f"{MONTH}/a.xlsx", f"{MONTH}/c.xlsx"]
    (problem,) = problems
    assert problem.source_file == f"{MONTH}/b.xlsx" and "Permission denied" in problem.message


def _rec(i, kind="target_table", modified=0, unit="柳州市", scope="2022:district",
         folder="targets", own=None, name=None):
    return {"file_id": f"f{i}", "source_file": name or f"{folder}/t{i}.xlsx", "status": "loaded",
            "kind": kind, "unit_name": unit, "target_scope": scope, "folder_month": folder,
            "workbook_month": own, "modified_at": dt.datetime(2022, 1, 1) + dt.timedelta(
                seconds=modified), "superseded_by": None, "status_reason": None}


UNITS = ["柳南区", "柳江区", "鱼峰区", "市商务局"]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["甲", "乙"]),
                          st.sets(st.tuples(st.sampled_from([2021, 2022]),
                                            st.sampled_from(UNITS)), max_size=3)),
                min_size=1, max_size=6))
def test_target_tables_never_add_up(tables):
    """Whatever target tables arrive: no (year, unit) is set by two loaded tables, and a table
    loses only to a newer one it overlaps (directly or through others)."""
    records = [_rec(i, modified=m, unit=issuer) for i, (m, issuer, _c) in enumerate(tables)]
    covers = {f"f{i}": cover for i, (_m, _u, cover) in enumerate(tables)}
    out = {r["file_id"]: r for r in resolve_supersession(records, covers)}
    loaded = [f for f, r in out.items() if r["status"] == "loaded"]
    for a in loaded:
        for b in loaded:
            if a < b:
                assert not covers[a] & covers[b], (a, b)
    for r in out.values():
        if r["status"] == "superseded":
            winner = out[r["superseded_by"]]
            assert winner["status"] == "loaded"
            assert newest_first_key(winner) > newest_first_key(r)


@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["2021-01", "2021-02", None])),
                min_size=1, max_size=5))
def test_a_ledger_of_another_month_never_replaces_the_months_own(files):
    records = [_rec(i, kind="project_ledger", modified=m, unit="柳南区", folder="2021-02", own=own)
               for i, (m, own) in enumerate(files)]
    out = resolve_supersession(records)
    (winner,) = [r for r in out if r["status"] == "loaded"]
    if any(own in (None, "2021-02") for _m, own in files):
        assert winner["workbook_month"] in (None, "2021-02")
    for r in out:
        if r["status"] == "superseded" and r["workbook_month"] == "2021-01" and \
                winner["workbook_month"] != "2021-01":
            assert r["_severity"] == "warning" and "2021-01" in r["status_reason"]


def test_an_older_correction_loses_with_a_warning_saying_why():
    original = _rec(1, kind="project_ledger", modified=10, folder=MONTH, unit="柳江区",
                    name=f"{MONTH}/柳江区.xlsx")
    correction = _rec(2, kind="project_ledger", modified=5, folder=MONTH, unit="柳江区",
                      name=f"{MONTH}/柳江区（更正）.xlsx")
    out = {r["file_id"]: r for r in resolve_supersession([original, correction])}
    assert out["f1"]["status"] == "loaded" and out["f2"]["status"] == "superseded"
    assert out["f2"]["_severity"] == "warning"
    assert "更早" in out["f2"]["status_reason"] and "柳江区.xlsx" in out["f2"]["status_reason"]
    # a newer correction wins quietly, as before
    correction["modified_at"] = original["modified_at"] + dt.timedelta(seconds=1)
    out = {r["file_id"]: r for r in resolve_supersession([original, correction])}
    assert out["f2"]["status"] == "loaded" and "_severity" not in out["f1"]


# ------------------------------------------------------------------------------ whole files


def test_a_target_table_in_a_month_folder_is_quarantined(tmp_path, ref):
    from tests.bad_inputs.make_corpus import district_targets

    path = district_targets(tmp_path / "柳南区-附件1.xlsx")
    result = parse_file(path, f"{MONTH}/柳南区-附件1.xlsx", MONTH, ref)
    assert result.status == "quarantined" and not result.target_rows
    assert [f.check_name for f in result.findings] == ["misplaced_file"]
    assert parse_file(path, "targets/附件1.xlsx", "targets", ref).target_rows


def test_an_et_file_is_read_when_it_is_an_xls(tmp_path, ref):
    from tests.ingest.builders import write_xls

    rows = [list(r) for r in ledger_book("柳南区", [_row("WPS项目", "某公司")]).active.iter_rows(
        values_only=True)]
    path = write_xls(tmp_path / "柳南区.et", rows)
    result = parse_file(path, f"{MONTH}/柳南区.et", MONTH, ref)
    assert result.status == "parsed" and result.ledger_rows[0]["project_name"] == "WPS项目"
    path.write_bytes(b"<html>not a workbook</html>")
    result = parse_file(path, f"{MONTH}/柳南区.et", MONTH, ref)
    assert result.status == "quarantined"
    assert [(f.check_name, f.severity) for f in result.findings] == [("unreadable_file", "warning")]


def test_the_new_limits_are_settings():
    rules = load_rules()
    settings = Settings.from_env({"MAX_COLS_PER_SHEET": "10", "MAX_UNPACKED_MB": "1.5",
                                  "MAX_ZIP_RATIO": "50.5"})
    limits = Limits.from_settings(settings, rules)
    assert (limits.max_cols, limits.max_unpacked_bytes, limits.max_zip_ratio) == (
        10, int(1.5 * 1024 * 1024), 50.5)
    assert Limits.from_settings(Settings.from_env({}), rules).max_cols == Limits().max_cols == 256
    for var in ("MAX_COLS_PER_SHEET", "MAX_UNPACKED_MB", "MAX_ZIP_RATIO"):
        for bad in ("0", "-1", "abc", "inf"):
            with pytest.raises(ValueError, match=var):
                Settings.from_env({var: bad})


@pytest.mark.parametrize(("code", "shown"), [(0x00, "#NULL!"), (0x07, "#DIV/0!"), (0x0F, "#VALUE!"),
                                             (0x17, "#REF!"), (0x1D, "#NAME?"), (0x24, "#NUM!"),
                                             (0x2A, "#N/A")])
def test_error_cells_of_an_old_xls_are_findings_too(tmp_path, ref, code, shown):
    """calamine reads an .xls error cell as empty; the error code is recovered with xlrd."""
    import xlwt

    rows = [list(r) for r in ledger_book("柳南区", [_row("项目", "某公司"), _row("另一项目", "某公司")])
            .active.iter_rows(values_only=True)]
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("项目表")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None and not (r == 3 and c in (2, 4)):
                ws.write(r, c, value)
    ws.row(3).set_cell_error(2, code)  # C4: 项目名称
    ws.row(3).set_cell_error(4, code)  # E4: 投资总额
    path = tmp_path / "柳南区.xls"
    wb.save(str(path))
    result = parse_file(path, f"{MONTH}/柳南区.xls", MONTH, ref)
    first = next(r for r in result.ledger_rows if r["source_row"] == 4)
    assert first["project_name"] is None and first["total_investment"] is None
    assert not first["row_ok"]
    messages = [f.message for f in result.findings if f.source_row == 4]
    assert any("C4" in m and shown in m for m in messages), messages
    assert any("E4" in m and shown in m for m in messages), messages


@pytest.mark.parametrize(("number_format", "expected"), [
    ("0.00", "2021-10"), ("#,##0.00", "2021-10"), ('0.00"月"', "2021-10"),
    ("General", None), ("0.0", None), ("0.000", None)])
def test_a_numeric_date_shown_with_two_decimals_reads_as_shown(tmp_path, ref, number_format,
                                                               expected):
    """2021.10 typed into a cell formatted 0.00 is stored as 2021.1 but shown 2021.10: October.
    Under any other format it is a finding (January or October cannot be told)."""
    wb = ledger_book("柳南区", [_row("十月签约项目", "某公司", signed=2021.10)])
    wb.active["H4"].number_format = number_format
    path = tmp_path / "柳南区.xlsx"
    wb.save(path)
    result = parse_file(path, "2021-12/柳南区.xlsx", "2021-12", ref)
    (row,) = result.ledger_rows
    assert row["signed_on"] == expected
    flagged = [f for f in result.findings if "10月" in f.message and f.check_name == "invalid_date"]
    assert bool(flagged) == (expected is None)


def test_a_workbook_outside_every_folder_is_a_warning(tmp_path):
    from assets.ingest.registry import stray_workbooks

    for name in ("柳南区5月台账.xlsx", "柳江区.XLS", "说明.docx", "~$柳南区.xlsx"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "2022-05").mkdir()
    found = stray_workbooks(tmp_path)
    assert [p.source_file for p in found] == ["柳南区5月台账.xlsx", "柳江区.XLS"]
    assert all(p.severity == "warning" and "未读取" in p.message for p in found)
