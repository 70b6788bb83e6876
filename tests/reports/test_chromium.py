"""The HTML 通报 renders in a real headless Chromium (no network): a screenshot that is not
blank, and a DOM with the tables and the inline SVG chart."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib

from tests.reports.conftest import ARTIFACTS, chromium_args


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
    ARTIFACTS.mkdir(exist_ok=True)
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
    assert dom.count("<table") == 7  # six 通报 tables + 报送情况 (revision 2)
    assert "<svg" in dom and "<rect" in dom
    for unit in ("柳南区", "柳江区"):
        assert unit in dom
