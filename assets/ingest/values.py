"""Pure value parsers: one spreadsheet cell in, `Parsed(value, problem)` out.

A missing marker (empty, —, -, /, 无, 待定, 暂无 …) gives `Parsed(None, None)`: whether a missing
value is a problem is the caller's decision (a missing 投资总额 is `missing_amount`).  A value that
cannot be read gives `Parsed(None, Problem(check_name, 中文说明))`.

Amounts are exact `Decimal`s in 亿元; a float from a cell is converted through `repr`, never through
float arithmetic.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from assets.ingest.workbook import CellError
from runtime.reference import ZERO_WIDTH, Reference, normalize_text
from runtime.reference import parse_flag as _ref_parse_flag


class Problem(NamedTuple):
    check_name: str
    message: str


class Parsed(NamedTuple):
    value: Any
    problem: Problem | None = None


MISSING_MARKERS = frozenset(
    {
        "", "—", "——", "-", "--", "－", "–", "/", "／", "\\", "无", "待定", "暂无", "未定", "不详",
        "空", "N/A", "n/a", "NA", "null", "None", "none", "#N/A", "待补充", "未知",
    }
)

_WS = re.compile(r"\s+")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef（）【】《》“”‘’：；，、。"


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def cell_text(raw: object) -> str | None:
    """The cell as text, for the `<field>_raw` staging columns (None for an empty cell)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return repr(raw)
        if raw.is_integer() and abs(raw) < 1e16:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, dt.datetime):
        if raw.time() == dt.time(0, 0):
            return raw.date().isoformat()
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.date | dt.time):
        return raw.isoformat()
    if isinstance(raw, dt.timedelta):
        return str(raw)
    text = str(raw)
    return text if text.strip() else None


_HAS_CJK = re.compile(r"[\u3400-\u9fff]")


def clean_text(raw: object) -> str | None:
    """NFKC, strip, line breaks removed.

    "柳州 鹿寨\\n金润（房地产）" → "柳州鹿寨金润(房地产)"; "ABC  Co. Ltd" → "ABC Co. Ltd"
    (text with Chinese characters loses every space; Latin text keeps single spaces).
    Brackets become half-width (NFKC).  Empty and missing markers → None.
    """
    text = cell_text(raw)
    if text is None:
        return None
    text = _nfkc(text).translate(ZERO_WIDTH)
    if _HAS_CJK.search(text):
        # Chinese text has no word spaces: "年产1 0万吨" is a typing slip, not two words
        text = _nfkc("".join(text.split()))  # "t ̈" → "ẗ": again, so cleaning is idempotent
    else:
        text = _WS.sub(" ", text).strip()
    if text in MISSING_MARKERS and not _is_cell_error(raw):
        return None
    return text


def is_missing(raw: object) -> bool:
    """Empty, or a missing marker (—, /, 无, 待定 …) once normalised: the one test of "no value"
    every parser here uses.  A cached Excel error is never missing: it is a finding."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not _is_cell_error(raw) and normalize_text(raw) in MISSING_MARKERS
    return False


def _is_cell_error(raw: object) -> bool:
    return isinstance(raw, CellError)


def _show(raw: object) -> str:
    text = cell_text(raw) or ""
    text = _WS.sub(" ", text).strip()
    return text if len(text) <= 40 else text[:40] + "…"


# ---------------------------------------------------------------------------------------- amounts

_AMOUNT = re.compile(
    r"^(?P<num>[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+))"
    r"(?P<unit>亿元|万元|亿|万|元)?(?:人民币)?$"
)
_AMOUNT_PREFIX = re.compile(r"^(?:约|大约|预计|计划|总投资|投资|超过|超|逾|近|人民币|RMB|¥|￥)+")
_AMOUNT_SUFFIX = re.compile(r"(?:以上|左右|多|余|及以上|人民币|\(.*\)|（.*）)+$")
_UNIT_SCALE = {"亿": 0, "亿元": 0, "万": -4, "万元": -4, "元": -8}


def tidy_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation: 3.5000 → 3.5, 1E+2 → 100."""
    if value == value.to_integral_value() and value.adjusted() < 27:
        return value.quantize(Decimal(1))
    return value.normalize()


def _decimal_of_number(raw: float | Decimal) -> Decimal | None:
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else None
    if isinstance(raw, int):
        return Decimal(raw)
    if not math.isfinite(raw):
        return None
    return Decimal(repr(raw))


# The warehouse stores amounts as DECIMAL(20,8) 亿元: 12 integer digits.  A larger figure (1e30
# typed by mistake) would make the whole load fail; it is an invalid value instead.
MAX_AMOUNT_YI = Decimal(10) ** 12


def _bounded(value: Decimal, raw: object, label: str) -> Parsed:
    if abs(value) >= MAX_AMOUNT_YI:
        return Parsed(None, Problem(
            "invalid_value", f"{label}「{_show(raw)}」超过{MAX_AMOUNT_YI:,.0f}亿元，不是合理金额"))
    return Parsed(tidy_decimal(value))


def parse_amount(raw: object, unit: str | None = None, label: str = "金额") -> Parsed:
    """An amount in 亿元.

    `unit` is the column's unit ('亿' or '万', from the header; None → 亿).  A unit written in the
    cell ("5000万", "3.5亿元") overrides it.  "约2亿" → 2.  Missing markers → Parsed(None).
    """
    scale = _UNIT_SCALE.get(unit or "亿", 0)
    if raw is None or isinstance(raw, bool):
        if raw is None:
            return Parsed(None)
        return Parsed(None, Problem("invalid_value", f"{label}「{_show(raw)}」不是数字"))
    if isinstance(raw, int | float | Decimal):
        number = _decimal_of_number(raw)
        if number is None:
            return Parsed(None, Problem("invalid_value", f"{label}「{_show(raw)}」不是有效数字"))
        return _bounded(number.scaleb(scale), raw, label)
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        return Parsed(
            None, Problem("invalid_value", f"{label}「{_show(raw)}」是日期，不是金额，请改为数字")
        )
    if is_missing(raw):
        return Parsed(None)
    text = normalize_text(str(raw))
    text = re.sub(r"\((万元|亿元|万|亿|元)\)", r"\1", text)  # "5000（万元）" → "5000万元"
    body = _AMOUNT_SUFFIX.sub("", _AMOUNT_PREFIX.sub("", text))
    match = _AMOUNT.match(body)
    if not match or not any(ch.isdigit() for ch in match["num"]):
        return Parsed(None, Problem("invalid_value", f"{label}「{_show(raw)}」无法识别为金额"))
    if not _commas_ok(match["num"]):
        return Parsed(None, _ambiguous_commas(raw, label))
    num = match["num"].replace(",", "")
    num = num.removesuffix(".")
    try:
        number = Decimal(num)
    except InvalidOperation:
        return Parsed(None, Problem("invalid_value", f"{label}「{_show(raw)}」无法识别为金额"))
    if match["unit"]:
        scale = _UNIT_SCALE[match["unit"]]
    return _bounded(number.scaleb(scale), raw, label)


def amount_has_unit(raw: object) -> bool:
    """True when the cell itself names its unit ("5000万", "3.5亿元")."""
    return isinstance(raw, str) and bool(re.search(r"[万亿]|元", raw))


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")


def _commas_ok(number: str) -> bool:
    """"1,234.5" is a thousands separator; "12,34" may be a decimal comma (12.34) or a slip:
    either way the value would be invented, so it is a finding (issue 20)."""
    return "," not in number or bool(_THOUSANDS.match(number))


def _ambiguous_commas(raw: object, label: str) -> Problem:
    return Problem("invalid_value", f"{label}「{_show(raw)}」中的逗号位置不对，无法判断是千位分隔符"
                   "还是小数点，未导入，请改为不带逗号的数字")


_INT = re.compile(r"^(?P<num>\d[\d,]*)(?:\.0+)?(?:个|家|次|项|人|场)?(?:以上|左右|余|多)?$")


def parse_int(raw: object, label: str = "数量") -> Parsed:
    """A count: 5, 5.0, "5", "５个", "1,200" → int.  Fractions and text → invalid_value."""
    if raw is None:
        return Parsed(None)
    if isinstance(raw, bool):
        return Parsed(None, Problem("invalid_value", f"{label}「{_show(raw)}」不是整数"))
    if isinstance(raw, int):
        return Parsed(raw)
    if isinstance(raw, float | Decimal):
        number = _decimal_of_number(raw)
        if number is not None and number == number.to_integral_value():
            return Parsed(int(number))
        return Parsed(None, Problem("invalid_value", f"{label}「{_show(raw)}」不是整数"))
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        return Parsed(None, Problem("invalid_value", f"{label}「{_show(raw)}」不是整数"))
    if is_missing(raw):
        return Parsed(None)
    text = re.sub(r"^(?:约|共|计|共计)", "", normalize_text(str(raw)))
    match = _INT.match(text)
    if not match:
        return Parsed(None, Problem("invalid_value", f"{label}「{_show(raw)}」无法识别为整数"))
    if not _commas_ok(match["num"]):
        return Parsed(None, _ambiguous_commas(raw, label))
    return Parsed(int(match["num"].replace(",", "")))


# ------------------------------------------------------------------------------------------ dates

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 18264, 73050  # 1950-01-01 … 2099-12-31
YEAR_MIN, YEAR_MAX = 1950, 2099

_DATE_TAIL = r"(?:上旬|中旬|下旬|初|底|末|中|份)?(?:前|左右)?"
_Y = re.compile(rf"^(\d{{4}})年?(?:度|底|初|末)?{_DATE_TAIL}$")
_YM = re.compile(rf"^(\d{{4}})(?:年|[.\-/])(\d{{1,2}})月?{_DATE_TAIL}$")
_YMD = re.compile(r"^(\d{4})(?:年|[.\-/])(\d{1,2})(?:月|[.\-/])(\d{1,2})(?:日|号)?(?:\d{1,2}:\d{2}(?::\d{2})?)?$")
_YYYYMMDD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YYYYMM = re.compile(r"^(\d{4})(\d{2})$")
_LEADING_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})[日号])?(?=\D)")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")


def _bad_date(raw: object, why: str = "无法识别为日期") -> Parsed:
    return Parsed(None, Problem("invalid_date", f"日期「{_show(raw)}」{why}"))


def _ymd(raw: object, year: int, month: int | None = None, day: int | None = None) -> Parsed:
    if not YEAR_MIN <= year <= YEAR_MAX:
        return _bad_date(raw, "年份不合理")
    if month is None:
        return Parsed(f"{year:04d}")
    if not 1 <= month <= 12:
        return _bad_date(raw, "月份不存在")
    if day is None:
        return Parsed(f"{year:04d}-{month:02d}")
    try:
        return Parsed(dt.date(year, month, day).isoformat())
    except ValueError:
        return _bad_date(raw, "日期不存在")


def _from_serial(raw: object, serial: Decimal) -> Parsed:
    if not SERIAL_MIN <= serial <= SERIAL_MAX:
        return _bad_date(raw, "不是合理的日期")
    day = EXCEL_EPOCH + dt.timedelta(days=int(serial))
    return Parsed(day.date().isoformat())


def parse_date(raw: object) -> Parsed:
    """A date at the precision the cell had: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'.

    Accepts date/datetime objects, Excel serial numbers (1950–2099), a bare year (2022, "2022年"),
    "2022年3月", "2022.3", "2022-03", "2022/3/15", "2022年3月15日", "20220315".  A float such as
    2022.3 (a "2022.3" cell Excel stored as a number) is read as year.month.
    """
    if raw is None:
        return Parsed(None)
    if isinstance(raw, dt.datetime):
        return _ymd(raw, raw.year, raw.month, raw.day)
    if isinstance(raw, dt.date):
        return _ymd(raw, raw.year, raw.month, raw.day)
    if isinstance(raw, bool | dt.time | dt.timedelta):
        return _bad_date(raw)
    if isinstance(raw, int | float | Decimal):
        number = _decimal_of_number(raw)
        if number is None:
            return _bad_date(raw)
        if number == number.to_integral_value() and YEAR_MIN <= number <= YEAR_MAX:
            return Parsed(f"{int(number):04d}")
        if YEAR_MIN <= number < YEAR_MAX + 1:  # 2022.3 → 2022-03; 2022.12 → 2022-12
            year_text, _, month_text = format(number, "f").partition(".")
            if month_text == "1" and isinstance(raw, float):
                # Excel stores a typed 2022.10 as the number 2022.1: October or January?
                return _bad_date(raw, f"是数字，无法确定是{year_text}年1月还是{year_text}年10月"
                                 f"（Excel会把{year_text}.10存成{year_text}.1），请改为文本或日期格式")
            return _ymd(raw, int(year_text), int(month_text))
        return _from_serial(raw, number)
    if is_missing(raw):
        return Parsed(None)
    text = normalize_text(str(raw))
    text = re.sub(r"T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", "", text)  # a time part
    if _SERIAL.match(text):
        return _from_serial(raw, Decimal(text))
    for pattern in (_YMD, _YM, _Y, _YYYYMMDD, _YYYYMM):
        match = pattern.match(text)
        if match:
            parts = [int(g) for g in match.groups()]
            return _ymd(raw, *parts)
    match = _LEADING_DATE.match(text)  # "2022年3月签约，4月开工" → 2022-03
    if match:
        return _ymd(raw, *(int(g) for g in match.groups() if g is not None))
    return _bad_date(raw)


# ---------------------------------------------------------------------------- flags, status, units


def parse_flag(raw: object, label: str = "是否") -> Parsed:
    """是/否 (Y/N, √/×, 1/0) → True/False; empty → None; anything else → invalid_value."""
    if raw is None:
        return Parsed(None)
    value = _ref_parse_flag(raw)
    if value is not None:
        return Parsed(value)
    if is_missing(raw):
        return Parsed(None)
    text = normalize_text(str(raw))
    if text.startswith(("是", "属于")):
        return Parsed(True)
    if text.startswith(("否", "不是", "非")):
        return Parsed(False)
    return Parsed(None, Problem("invalid_value", f"{label}「{_show(raw)}」应填“是”或“否”"))


def parse_in_library(raw: object, label: str = "是否入库") -> Parsed:
    """是否入库 / 入库时间 (revision 2): 是/否, 已入库/未入库, or a date (in the system since then)
    → True/False; empty → None; anything else → invalid_value."""
    if raw is None:
        return Parsed(None)
    text = normalize_text(str(raw))
    if text in MISSING_MARKERS:
        return Parsed(None)
    if "入库" in text and not text.startswith(("是", "否")):
        return Parsed(not _NEGATION.search(text))
    flag = parse_flag(raw, label)
    if flag.problem is None:
        return flag
    date = parse_date(raw)
    if date.problem is None and date.value is not None:
        return Parsed(True)
    return Parsed(None, Problem("invalid_value", f"{label}「{_show(raw)}」应填“是”“否”或入库日期"))


_NEGATION = re.compile(r"未|尚未|暂未|没有|不")
_STAGE_WORDS: tuple[tuple[str, str], ...] = (
    ("退库", "退库"), ("终止", "退库"), ("取消", "退库"),
    ("竣工", "竣工投产"), ("投产", "竣工投产"), ("试生产", "竣工投产"), ("投入运营", "竣工投产"),
    ("开工", "开工"), ("在建", "开工"), ("建设中", "开工"), ("施工", "开工"),
    ("注册", "注册"),
    ("签约", "签约"), ("签订", "签约"),
    ("洽谈", "在谈"), ("在谈", "在谈"), ("前期", "在谈"), ("意向", "在谈"), ("对接", "在谈"),
)


def parse_status(raw: object, ref: Reference) -> Parsed:
    """A progress status → its stage (在谈, 签约, 注册, 开工, 竣工投产, 退库).

    The reference table (statuses.csv) first; then the first stage word in a longer text
    ("已开工建设，完成投资30%" → 开工) unless the text negates it ("尚未开工").
    Unknown → `unknown_status`.
    """
    text = clean_text(raw)
    if text is None:
        return Parsed(None)
    stage = ref.stage_of(text)
    if stage is None:
        key = normalize_text(text)
        for prefix in ("目前", "项目", "已经", "已", "正在"):
            key = key.removeprefix(prefix)
        stage = ref.stage_of(key)
    if stage is None and not _NEGATION.search(text):
        hits = [(text.find(word), stage) for word, stage in _STAGE_WORDS if word in text]
        if hits:
            stage = min(hits)[1]
    if stage is None:
        return Parsed(None, Problem("unknown_status", f"进展情况「{_show(raw)}」不是可识别的项目阶段"))
    return Parsed(stage)


_UNIT_SPLIT = re.compile(r"[、,，;；/／\s]+")


def parse_units(raw: object, ref: Reference) -> Parsed:
    """The 合作单位 column → list of canonical unit names (duplicates removed, order kept).

    Each name resolves by alias; failing that, the unit named inside it ("鹿寨县江口乡" → 鹿寨县).
    A name that resolves to nothing gives an `unknown_unit` problem naming it (the known ones are
    still returned).
    """
    text = cell_text(raw)
    if text is None:
        return Parsed([])
    text = _nfkc(text).strip()
    if is_missing(text):
        return Parsed([])
    names: list[str] = []
    unknown: list[str] = []
    whole = ref.resolve_unit(text)
    parts = [whole] if whole else None
    if parts is None:
        parts = []
        for token in _UNIT_SPLIT.split(text):
            token = token.strip()
            if not token or is_missing(token):
                continue
            unit = ref.resolve_unit(token) or ref.find_unit_in(token)
            if unit is None:
                unknown.append(token)
            else:
                parts.append(unit)
    for unit in parts:
        if unit not in names:
            names.append(unit)
    if unknown:
        listed = "、".join(f"「{u}」" for u in unknown)
        return Parsed(names, Problem("unknown_unit", f"合作单位{listed}不在单位参考表中"))
    return Parsed(names)
