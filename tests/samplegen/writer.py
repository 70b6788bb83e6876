"""Workbook writers: openpyxl (.xlsx, with cached formula values patched in) and xlwt (.xls).

openpyxl serialises with lxml when lxml is importable (python-docx brings it) and with the
standard library's ElementTree otherwise; the two differ byte for byte (`<v />` vs `<v></v>`,
where namespaces are declared, character references).  The committed raw_samples were written
with ElementTree, so when this process's openpyxl uses lxml, each .xlsx is written by one worker
process started with OPENPYXL_LXML=False: the same bytes whichever XML library is installed.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

FIXED_TS = (2022, 7, 1, 0, 0, 0)


@dataclass
class Formula:
    text: str  # without the leading '='
    cached: str  # exact decimal text of the cached value


@dataclass
class Sheet:
    name: str
    rows: list[list] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (1-based)
    hidden: bool = False
    kinds: list[str] = field(default_factory=list)  # per row: title/header/data/total/...

    def add(self, row: list, kind: str) -> int:
        self.rows.append(row)
        self.kinds.append(kind)
        return len(self.rows)


def col_letter(c: int) -> str:
    s = ""
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


_WORKER: ProcessPoolExecutor | None = None


def _use_etree() -> None:
    """Worker initializer: runs before the worker first imports openpyxl."""
    os.environ["OPENPYXL_LXML"] = "False"


def _etree_worker() -> ProcessPoolExecutor:
    global _WORKER
    if _WORKER is None:
        _WORKER = ProcessPoolExecutor(max_workers=1, initializer=_use_etree,
                                      mp_context=multiprocessing.get_context("spawn"))
    return _WORKER


def shutdown_etree_worker() -> None:
    """Stop the ElementTree worker.  A process that used it must call this before it ends: a
    multiprocessing child (the load generator's) waits at exit for its own children, and the
    worker, idle, would never end."""
    global _WORKER
    if _WORKER is not None:
        _WORKER.shutdown(wait=True)
        _WORKER = None


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    from openpyxl import LXML

    if LXML:
        _etree_worker().submit(_write_xlsx, path, sheets).result()
    else:
        _write_xlsx(path, sheets)


def _write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    import openpyxl
    from openpyxl import LXML

    assert not LXML, "the sample workbooks are serialised with ElementTree"
    from openpyxl.styles import Alignment

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    cached: dict[int, dict[str, str]] = {}
    for i, sh in enumerate(sheets, start=1):
        ws = wb.create_sheet(sh.name)
        if sh.hidden:
            ws.sheet_state = "hidden"
        for r, row in enumerate(sh.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None or v == "":
                    continue
                cell = ws.cell(row=r, column=c)
                if isinstance(v, Formula):
                    cell.value = "=" + v.text
                    cached.setdefault(i, {})[f"{col_letter(c)}{r}"] = v.cached
                else:
                    cell.value = v
                    if isinstance(v, dt.datetime):
                        cell.number_format = "yyyy-mm-dd"
                    elif isinstance(v, str) and "\n" in v:
                        cell.alignment = Alignment(wrap_text=True)
        for r1, c1, r2, c2 in sh.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    finalize_xlsx(path, cached)


def finalize_xlsx(path: Path, cached: dict[int, dict[str, str]]) -> None:
    """Patch cached formula values in (as Excel would) and make the bytes reproducible."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        contents = {n: zf.read(n) for n in names}
    for i, refs in cached.items():
        member = f"xl/worksheets/sheet{i}.xml"
        xml = contents[member].decode("utf-8")
        for ref, value in refs.items():
            xml, n = re.subn(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)<v\s*/>',
                             rf"\g<1>\g<2><v>{value}</v>", xml)
            assert n == 1, (path, ref)
        contents[member] = xml.encode("utf-8")
    if "docProps/core.xml" in contents:
        core = contents["docProps/core.xml"].decode("utf-8")
        core = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                      r"\g<1>2022-07-01T00:00:00Z\g<3>", core)
        contents["docProps/core.xml"] = core.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in names:
            zi = zipfile.ZipInfo(n, date_time=FIXED_TS)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, contents[n])


def write_xls(path: Path, sheets: list[Sheet]) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    wrap = xlwt.easyxf("align: wrap on")
    for sh in sheets:
        ws = wb.add_sheet(sh.name)
        if sh.hidden:
            ws.visibility = 1
        done = set()
        for r1, c1, r2, c2 in sh.merges:
            v = sh.rows[r1 - 1][c1 - 1] if c1 - 1 < len(sh.rows[r1 - 1]) else ""
            ws.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, _xls_value(v))
            done |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for r, row in enumerate(sh.rows, start=1):
            for c, v in enumerate(row, start=1):
                if (r, c) in done or v is None or v == "":
                    continue
                if isinstance(v, dt.datetime):
                    ws.write(r - 1, c - 1, v, date_style)
                elif isinstance(v, str) and "\n" in v:
                    ws.write(r - 1, c - 1, v, wrap)
                else:
                    ws.write(r - 1, c - 1, _xls_value(v))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))


def _xls_value(v):
    if isinstance(v, Formula):
        return float(v.cached)  # xlwt cannot store a cached formula result: store the value
    return v


def write_workbook(path: Path, sheets: list[Sheet]) -> None:
    if path.suffix == ".xls":
        write_xls(path, sheets)
    else:
        write_xlsx(path, sheets)
