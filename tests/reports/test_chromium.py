"""The HTML 通报 renders in a real headless Chromium (no network): a screenshot that is not
blank, and a DOM with the tables and the inline SVG chart."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pandas as pd
from dagster import materialize

from assets.reports.assets import tongbao
from assets.reports.body import body_blocks
from assets.reports.html import svg_chart, svg_charts
from assets.reports.pdf import print_args
from assets.reports.tongbao import load_report_data
from runtime.partitions import instance_with_months
from runtime.resources import pipeline_resources, release_warehouses
from runtime.warehouse import Warehouse
from tests.reports.conftest import ARTIFACTS, PERIOD, chromium_args
from tests.reports.printing import missing_glyphs


def png_summary(data: bytes, max_rows: int = 400) -> tuple[int, int, int]:
    """(width, height, distinct colours in the first `max_rows` rows) of an 8-bit PNG, decoded
    with the standard library only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, bytearray(), None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0, (depth, interlace)
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(bytes(idat))
    stride = width * bpp
    prev = bytearray(stride)
    colours = set()
    for y in range(min(height, max_rows)):
        start = y * (stride + 1)
        ftype, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif ftype == 4:
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        if y % 4 == 0:
            colours.update(bytes(line[j:j + bpp]) for j in range(0, stride, bpp * 2))
        prev = line
    return width, height, len(colours)


def test_html_renders_in_headless_chromium(duckdb_report, chromium, tmp_path):
    html = duckdb_report["html"]
    url = html.resolve().as_uri()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "tongbao_2021-02.png"
    shot.unlink(missing_ok=True)
    args = chromium_args(chromium, tmp_path / "profile")
    proc = subprocess.run(
        [*args, f"--screenshot={shot}", "--window-size=1400,2000", url],
        capture_output=True, text=True, timeout=120,
    )
    assert shot.exists(), proc.stderr[-2000:]
    data = shot.read_bytes()
    assert len(data) > 10_000, len(data)
    width, height, colours = png_summary(data)
    assert (width, height) == (1400, 2000)
    assert colours > 10, f"screenshot looks blank ({colours} colours)"

    dom = subprocess.run(
        [*args, "--dump-dom", url], capture_output=True, text=True, timeout=120,
    ).stdout
    shutil.copyfile(html, ARTIFACTS / html.name)
    (ARTIFACTS / "tongbao_2021-02.dom.html").write_text(dom, encoding="utf-8")
    assert "柳州市招商引资工作红黑榜通报（2021年2月）" in dom
    assert dom.count("<table") == 7
    assert "<svg" in dom and "<rect" in dom
    for unit in ("柳南区", "柳江区"):
        assert unit in dom


# --- the PDF the pipeline prints from the HTML -------------------------------------------------
def _tongbao_only(url: str, reports: Path):
    resources = pipeline_resources(url, str(reports), str(reports))
    result = materialize([tongbao], partition_key=PERIOD, resources=resources,
                         instance=instance_with_months([PERIOD]))
    release_warehouses()
    md = next(e.materialization for e in result.get_asset_materialization_events()).metadata
    return result, md


def test_pipeline_prints_the_pdf(duckdb_report, chromium, poppler, tmp_path):
    """With a Chromium installed the report asset writes the PDF: A4 pages, page numbers,
    every Chinese character of the page present (no box, nothing clipped), the body whole."""
    result, md = _tongbao_only(duckdb_report["url"], tmp_path)
    assert result.success
    pdf = Path(md["pdf"].value)
    assert pdf == tmp_path / f"{PERIOD}_招商引资红黑榜通报.pdf" and pdf.exists()
    info = subprocess.run([poppler["pdfinfo"], "-f", "1", "-l", "99", str(pdf)],
                          capture_output=True, text=True, check=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert len(sizes) >= 4
    for w, h in sizes:  # A4, portrait (the letter) or landscape (the attachments)
        assert sorted((round(float(w)), round(float(h)))) == [595, 842], (w, h)
    html = pdf.with_suffix(".html").read_text(encoding="utf-8")
    assert missing_glyphs(html, pdf, poppler["pdftotext"]) == {}
    text = subprocess.run([poppler["pdftotext"], str(pdf), "-"], capture_output=True,
                          text=True).stdout
    flat = re.sub(r"\s+", "", text)
    for n in range(1, len(sizes) + 1):
        assert f"—{n}—" in flat, n  # the page number of every page
    body = [b.text for b in body_blocks(load_report_data_for(duckdb_report))]
    flat = re.sub(r"—\d+—", "", flat)  # a paragraph may run across a page break and its footer
    for para in body:  # the letter's paragraphs read whole, in order of the page
        assert re.sub(r"\s+", "", para) in flat, para
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pdf, ARTIFACTS / pdf.name)
    for old in ARTIFACTS.glob("tongbao_pdf_2021-02-*.png"):
        old.unlink()
    subprocess.run([poppler["pdftoppm"], "-r", "70", "-png", "-f", "1", "-l", "6", str(pdf),
                    str(ARTIFACTS / "tongbao_pdf_2021-02")], check=True, timeout=120)
    assert len(list(ARTIFACTS.glob("tongbao_pdf_2021-02-*.png"))) == 6


def load_report_data_for(run: dict):
    wh = Warehouse(run["url"])
    try:
        return load_report_data(wh, PERIOD)
    finally:
        wh.dispose()


def test_missing_glyph_check_can_fail(duckdb_report, chromium, poppler, tmp_path):
    """The same page printed with only a Latin font (DejaVu) visible to Chromium: the check
    above must report the Chinese characters it could not draw."""
    fonts = Path("/usr/share/fonts/truetype/dejavu")
    assert fonts.is_dir(), "Chromium's Debian package depends on fonts-dejavu"
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{fonts}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8")
    pdf = tmp_path / "latin_only.pdf"
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    subprocess.run([*print_args(chromium, tmp_path / "profile"), f"--print-to-pdf={pdf}",
                    duckdb_report["html"].resolve().as_uri()],
                   capture_output=True, env=env, timeout=120)
    assert pdf.exists()
    missing = missing_glyphs(duckdb_report["html"].read_text(encoding="utf-8"), pdf,
                             poppler["pdftotext"])
    assert "柳" in missing and sum(missing.values()) > 50, missing


def test_without_chromium_no_pdf_and_a_message(duckdb_report, tmp_path, monkeypatch):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-browser"))
    result, md = _tongbao_only(duckdb_report["url"], tmp_path)
    assert result.success
    assert md["pdf"].value.startswith("未生成 PDF：本机未安装 Chromium")
    assert not list(tmp_path.glob("*.pdf"))
    assert (tmp_path / f"{PERIOD}_招商引资红黑榜通报.docx").exists()


def test_chart_labels_fit_the_longest_unit_name(duckdb_report):
    """Long 专班 names are drawn whole: the label column is as wide as the longest name."""
    data = load_report_data_for(duckdb_report)
    long_name = "市科技局绿色环保产业链科技招商专班"
    data.chart = data.chart._append({"unit_name": long_name, "funds_completion": 0.5,
                                     "projects_completion": None}, ignore_index=True)
    svg = svg_chart(data)
    x = float(re.search(rf'<text x="([\d.]+)"[^>]*text-anchor="end"[^>]*>{long_name}<',
                        svg).group(1))
    assert x - 12 * len(long_name) >= 0  # 12 px characters, anchored at their end
    bar_x = float(re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="11"',
                            svg).group(1))
    assert bar_x > x  # the bars start right of the labels


def test_a_long_chart_is_split_into_parts_that_fit_a_page(duckdb_report):
    """40 units: three SVGs of at most 15 units, each shorter than a landscape A4 page, every
    unit drawn once, the same label width and scale in each part."""
    data = load_report_data_for(duckdb_report)
    names = [f"测试单位{i:02d}招商引资产业链专班" for i in range(40)]
    data.chart = pd.DataFrame({"unit_name": names, "funds_completion": [i / 20 for i in range(40)],
                               "projects_completion": [None] * 40})
    parts = svg_charts(data)
    assert len(parts) == 3
    heights = [float(re.search(r'<svg role="img" width="[\d.]+" height="([\d.]+)"', p).group(1))
               for p in parts]
    assert max(heights) <= 180 / 25.4 * 96  # 180 mm: the landscape page less its margins
    drawn = [n for p in parts for n in re.findall(r">(测试单位\d\d招商引资产业链专班)<", p)]
    assert sorted(drawn) == names
    widths = {re.search(r'<svg role="img" width="([\d.]+)"', p).group(1) for p in parts}
    assert len(widths) == 1
    assert "（1/3）" in parts[0] and "（3/3）" in parts[2]
