"""Cell renderers: the written cell value and the value a correct parser must read back."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from . import names as N

MISSING = ["—", "/", "无", "待定", ""]
STATUS_VOCAB = {
    "plain": {"在谈": "在谈", "签约": "签约", "注册": "注册", "开工": "开工", "竣工投产": "竣工投产",
              "退库": "退库"},
    "yi": {"在谈": "洽谈中", "签约": "已签约", "注册": "已注册", "开工": "已开工", "竣工投产": "已投产",
           "退库": "终止"},
    "long": {"在谈": "前期工作", "签约": "已签约", "注册": "已注册", "开工": "开工建设中",
             "竣工投产": "竣工投产", "退库": "已退库"},
    "mixed": {"在谈": "洽谈中", "签约": "签约", "注册": "注册", "开工": "在建", "竣工投产": "已竣工",
              "退库": "退库"},
}
STATUS_STAGE = {}
for _v in STATUS_VOCAB.values():
    for _st, _txt in _v.items():
        STATUS_STAGE[_txt] = _st


def dec(v: Decimal | None) -> str:
    if v is None:
        return ""
    s = format(v.normalize(), "f")
    return s


def norm_name(text: str) -> str:
    return unicodedata.normalize("NFKC", "".join(str(text).split()))


def norm_text(text) -> str:
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip()


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if (c.isdigit() or c == ".") else c for c in s)


def num(v: Decimal):
    """A Python number for a cell: int when integral."""
    if v == v.to_integral_value():
        return int(v)
    return float(v)


def amount_cell(v: Decimal | None, col_unit: str, style: str, missing: str = "—"):
    """Return (cell value, expected 亿元 string)."""
    if v is None:
        return missing, ""
    base = v * 10000 if col_unit == "万" else v
    if style == "num":
        return num(base), dec(v)
    if style == "text":
        return dec(base), dec(v)
    if style == "fw":
        return fullwidth(dec(base)), dec(v)
    if style == "thou":
        return (f"{int(base):,}" if base == base.to_integral_value() else dec(base)), dec(v)
    if style == "unit":
        if v >= 1:
            return f"{dec(v)}亿元", dec(v)
        return f"{dec(v * 10000)}万", dec(v)
    if style == "approx":
        return f"约{dec(v)}亿", dec(v)
    raise ValueError(style)


def excel_serial(d: dt.date) -> int:
    return (d - dt.date(1899, 12, 30)).days


def date_cell(y: int, m: int, d: int, style: str):
    """Return (cell value, expected normalised text)."""
    if style == "date":
        return dt.datetime(y, m, d), f"{y}-{m:02d}-{d:02d}"
    if style == "serial":
        return excel_serial(dt.date(y, m, d)), f"{y}-{m:02d}-{d:02d}"
    if style == "ym_cn":
        return f"{y}年{m}月", f"{y}-{m:02d}"
    if style == "dot":
        return f"{y}.{m}", f"{y}-{m:02d}"
    if style == "slash":
        return f"{y}/{m}/{d}", f"{y}-{m:02d}-{d:02d}"
    if style == "dash_ym":
        return f"{y}-{m:02d}", f"{y}-{m:02d}"
    if style == "year":
        return f"{y}年", f"{y}"
    raise ValueError(style)


def strip_xm(name: str) -> str:
    return name[:-2] if name.endswith("项目") else name + "项目"


def name_variant(name: str, kind: str) -> str:
    if kind == "same":
        return name
    if kind == "xm":
        return strip_xm(name)
    if kind == "prefix":
        for pl in ("柳州", "鹿寨"):
            if name.startswith(pl):
                return name[len(pl):]
        return "柳州" + name
    if kind == "fw":
        out = name.replace("（", "(").replace("）", ")")
        out = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in out)
        return out if out != name else name + " "
    if kind == "space":
        return name[:2] + " " + name[2:] + " "
    if kind == "newline":
        k = len(name) // 2
        return name[:k] + "\n" + name[k:]
    raise ValueError(kind)


def investor_variant(inv: str, kind: str) -> str:
    if kind == "same":
        return inv
    if kind == "gongsi":
        return inv.replace("有限公司", "公司")
    if kind == "noprefix":
        for pl in N.PLACES:
            if inv.startswith(pl) and len(inv) > len(pl) + 4:
                return inv[len(pl):]
        return inv
    if kind == "bracket":
        for pl in N.PLACES:
            if inv.startswith(pl) and inv.endswith("有限公司"):
                return f"{inv[len(pl):-4]}（{pl}）有限公司"
        return inv.replace("有限公司", "有限责任公司")
    if kind == "trail":
        return inv + "  "
    raise ValueError(kind)
