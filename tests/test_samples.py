"""The bundled sample drop folder (raw_samples/) and its ground truth (tests/ground_truth/).

Regenerating with the same seed must reproduce every workbook's cells and every truth CSV; a
second reader must agree with python-calamine; the 2021 targets must be the seed's figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw_samples"
TRUTH = ROOT / "tests" / "ground_truth"
SHEETS = (".xlsx", ".xls")


def _files() -> list[dict]:
    with open(TRUTH / "files.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _norm(v):
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _trim(grid) -> list[list]:
    rows = [[_norm(c) for c in row] for row in grid]
    rows = [r[: max([i + 1 for i, c in enumerate(r) if c != ""], default=0)] for r in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def calamine_cells(path: Path) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {name: _trim(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in wb.sheet_names}


def openpyxl_cells(path: Path) -> dict[str, list[list]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    return {ws.title: _trim(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def xlrd_cells(path: Path) -> dict[str, list[list]]:
    import xlrd

    book = xlrd.open_workbook(str(path))
    out = {}
    for sh in book.sheets():
        grid = []
        for r in range(sh.nrows):
            row = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                else:
                    row.append(cell.value)
            grid.append(row)
        out[sh.name] = _trim(grid)
    return out


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    from tests.samplegen import generate

    base = tmp_path_factory.mktemp("samples")
    generate(base / "raw", base / "truth", seed=20221)
    return base


def test_regenerate_reproduces_drop_folder(regenerated):
    files = {f["source_file"]: f for f in _files()}
    new_root = regenerated / "raw"
    committed = sorted(p.relative_to(RAW).as_posix() for p in RAW.rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(new_root).as_posix() for p in new_root.rglob("*") if p.is_file())
    assert committed == fresh
    assert set(committed) == set(files)
    for rel in committed:
        f = files[rel]
        a, b = RAW / rel, new_root / rel
        if f["expected_status"] in ("loaded", "superseded") and rel.endswith(SHEETS):
            assert calamine_cells(a) == calamine_cells(b), rel
        elif "password" in f["reason"]:
            assert b.stat().st_size > 0  # encrypted with a random salt: bytes differ
        else:
            assert a.read_bytes() == b.read_bytes(), rel


def test_regenerate_reproduces_ground_truth(regenerated):
    names = sorted(p.name for p in TRUTH.glob("*.csv"))
    assert names == sorted(p.name for p in (regenerated / "truth").glob("*.csv"))
    for name in names:
        assert (TRUTH / name).read_text(encoding="utf-8") == (
            regenerated / "truth" / name).read_text(encoding="utf-8"), name


def _one(pred) -> Path:
    f = next(f for f in _files() if pred(f))
    return RAW / f["source_file"]


@pytest.mark.parametrize("kind,ext", [
    ("project_ledger", ".xlsx"), ("project_ledger", ".xls"), ("target_table", ".xlsx"),
    ("activity_ledger", ".xlsx"), ("reserve_projects", ".xlsx")])
def test_second_reader_agrees(kind, ext):
    path = _one(lambda f: f["kind"] == kind and f["expected_status"] == "loaded"
                and f["source_file"].endswith(ext) and "柳北区" not in f["source_file"])
    other = xlrd_cells(path) if ext == ".xls" else openpyxl_cells(path)
    assert calamine_cells(path) == other


def test_formula_cached_values_read_back():
    path = _one(lambda f: "柳北区" in f["source_file"] and f["expected_status"] == "loaded")
    import openpyxl

    ws = openpyxl.load_workbook(path).worksheets[0]
    assert any(isinstance(c.value, str) and c.value.startswith("=")
               for row in ws.iter_rows() for c in row)
    assert calamine_cells(path) == openpyxl_cells(path)


def test_2021_district_targets_are_the_seed_figures():
    import openpyxl

    path = RAW / "targets" / "附件1：2021年全市各县（区）、开发区招商引资目标任务分解表.xlsx"
    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = {r[0]: tuple(r[1:5]) for r in ws.iter_rows(values_only=True) if r[0]}
    seed = {
        "合计": (675, 320, 210, 100), "城中区": (80, 22, 0, 0), "鱼峰区": (78, 36, 24, 13),
        "柳南区": (77, 29, 22, 13), "柳北区": (77, 33, 25, 13), "柳江区": (59, 30, 25, 13),
        "柳城县": (41, 25, 16, 8), "鹿寨县": (45, 27, 20, 8), "融安县": (25, 15, 10, 3),
        "融水县": (16, 14, 8, 2), "三江县": (12, 14, 8, 2), "柳东新区": (90, 43, 32, 15),
        "阳和工业新区（北部生态新区）": (75, 32, 20, 10)}
    for unit, figures in seed.items():
        assert rows[unit] == figures, unit


def test_ledger_rows_point_at_their_cells():
    """Every truth row's project name is in the named spreadsheet row."""
    with open(TRUTH / "ledger_rows.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    cache: dict[tuple[str, str], list[list]] = {}
    for r in rows[::7]:
        key = (r["source_file"], r["source_sheet"])
        if key not in cache:
            cache[key] = calamine_cells(RAW / r["source_file"])[r["source_sheet"]]
        cells = cache[key][int(r["source_row"]) - 1]
        names = {unicodedata.normalize("NFKC", "".join(str(c).split())) for c in cells}
        assert r["project_name"] in names, r
