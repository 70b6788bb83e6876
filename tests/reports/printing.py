"""What a printed 通报 must contain: the Chinese characters of a page or workbook, counted, and
the characters a PDF's text lacks (a glyph drawn as a box, or a clipped cell, has no text)."""

from __future__ import annotations

import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path


def cjk(text: str) -> Counter:
    """Chinese characters and full-width punctuation of `text`, counted."""
    return Counter(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3001" <= ch <= "\u303f"
                   or "\uff00" <= ch <= "\uffef")


class _Visible(HTMLParser):
    """The text a reader sees: no <style>, no <title> (page or SVG tooltip)."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "title")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "title")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "".join(parser.parts)


def missing_glyphs(html: str, pdf: Path, pdftotext: str) -> dict[str, int]:
    """Chinese characters of the page that the PDF's text lacks (a glyph drawn as a box has no
    text, a clipped cell loses its characters): {char: how many are missing}."""
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    want, got = cjk(visible_text(html)), cjk(text)
    return {ch: n - got[ch] for ch, n in want.items() if got[ch] < n}
