"""Unit tests of the pure value parsers (assets/ingest/values.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assets.ingest.values import (
    cell_text,
    clean_text,
    parse_amount,
    parse_date,
    parse_flag,
    parse_int,
    parse_status,
    parse_units,
)
from runtime.reference import Reference


@pytest.fixture(scope="module")
def ref() -> Reference:
    return Reference.load()


# ------------------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        (10, None, Decimal(10)),
        (0.5, "亿", Decimal("0.5")),
        (1.1, "亿", Decimal("1.1")),  # via repr, not binary float
        (0.1 + 0.2, "亿", Decimal("0.30000000000000004")),  # exactly what the cell held
        ("10.5", "亿", Decimal("10.5")),
        ("１０．５", "亿", Decimal("10.5")),  # full-width digits and point
        ("  3.5 ", "亿", Decimal("3.5")),
        (35000, "万", Decimal("3.5")),
        (35000.0, "万", Decimal("3.5")),
        ("35000", "万", Decimal("3.5")),
        ("1,234.5", "万", Decimal("0.12345")),
        ("1，234.5", "万", Decimal("0.12345")),  # full-width comma
        ("12,345,678", "亿", Decimal(12345678)),
        ("5000万", "亿", Decimal("0.5")),  # the cell's unit overrides the header's
        ("5000万元", "亿", Decimal("0.5")),
        ("3.5亿元", "万", Decimal("3.5")),
        ("3.5亿", None, Decimal("3.5")),
        ("约2亿", "亿", Decimal(2)),
        ("约 2 亿元", "万", Decimal(2)),
        ("2亿元以上", "亿", Decimal(2)),
        ("500万元左右", "亿", Decimal("0.05")),
        ("50000000元", "亿", Decimal("0.5")),
        ("0", "亿", Decimal(0)),
        ("5000（万元）", "亿", Decimal("0.5")),
        ("￥5000万", "亿", Decimal("0.5")),
        ("0.5亿元人民币", "万", Decimal("0.5")),
        ("-1.5", "亿", Decimal("-1.5")),
        (Decimal("2.25"), "万", Decimal("0.000225")),
        ("0.0001", "万", Decimal("0.00000001")),
        ("123456789.123456789", "亿", Decimal("123456789.123456789")),
    ],
)
def test_parse_amount_values(raw, unit, expected):
    parsed = parse_amount(raw, unit)
    assert parsed.problem is None
    assert parsed.value == expected
    assert isinstance(parsed.value, Decimal)


def test_parse_amount_exact_repr():
    assert str(parse_amount(35000, "万").value) == "3.5"
    assert str(parse_amount("1,234.5", "万").value) == "0.12345"
    assert str(parse_amount(100, "亿").value) == "100"
    assert str(parse_amount("1000000", "万").value) == "100"


@pytest.mark.parametrize(
    "raw", [None, "", "  ", "—", "——", "-", "/", "／", "无", "待定", "暂无", "\n", "－"]
)
def test_parse_amount_missing_markers(raw):
    assert parse_amount(raw, "亿") == (None, None)


@pytest.mark.parametrize(
    "raw", ["约两亿", "abc", "1.2.3", "十亿", "2亿美元", "见附件", True, dt.date(2022, 1, 1), "亿"]
)
def test_parse_amount_invalid(raw):
    parsed = parse_amount(raw, "亿", "投资总额")
    assert parsed.value is None
    assert parsed.problem is not None
    assert parsed.problem.check_name == "invalid_value"
    assert "投资总额" in parsed.problem.message


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-10**9,
                   max_value=10**9))
def test_parse_amount_round_trips_str_decimal(value):
    parsed = parse_amount(str(value), "亿")
    assert parsed.problem is None
    assert parsed.value == value


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=0,
                   max_value=10**8))
def test_parse_amount_wan_is_exact_division(value):
    assert parse_amount(str(value), "万").value == value / Decimal(10000)


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans()))
def test_parse_amount_never_raises(raw):
    parsed = parse_amount(raw, "万")
    assert parsed.value is None or isinstance(parsed.value, Decimal)


# --------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (dt.datetime(2022, 3, 15), "2022-03-15"),
        (dt.datetime(2022, 3, 15, 10, 30), "2022-03-15"),
        (dt.date(2022, 3, 5), "2022-03-05"),
        (44635, "2022-03-15"),  # Excel serial number
        (44635.0, "2022-03-15"),
        ("44635", "2022-03-15"),
        (2022, "2022"),
        (2022.0, "2022"),
        (2022.3, "2022-03"),  # "2022.3" typed and stored as a number
        (2022.12, "2022-12"),
        ("2022", "2022"),
        ("2022年", "2022"),
        ("2022年度", "2022"),
        ("2022年3月", "2022-03"),
        ("2022年03月", "2022-03"),
        ("2022年3月底", "2022-03"),
        ("2022年3月上旬", "2022-03"),
        ("2022年3月15日", "2022-03-15"),
        ("2022.3", "2022-03"),
        ("2022.03.15", "2022-03-15"),
        ("2022/3/15", "2022-03-15"),
        ("2022-03", "2022-03"),
        ("2022-3-5", "2022-03-05"),
        ("2022-03-15 00:00:00", "2022-03-15"),
        ("２０２２年３月", "2022-03"),
        (" 2022年 3月 ", "2022-03"),
        ("20220315", "2022-03-15"),
        ("202203", "2022-03"),
        ("2022年3月签约，4月开工", "2022-03"),
        ("2022年3月15日签订协议", "2022-03-15"),
    ],
)
def test_parse_date_forms(raw, expected):
    assert parse_date(raw) == (expected, None)


@pytest.mark.parametrize("raw", [None, "", "—", "/", "无", "待定", "暂无"])
def test_parse_date_missing(raw):
    assert parse_date(raw) == (None, None)


@pytest.mark.parametrize(
    "raw", ["去年", "2022年13月", "2022-02-30", "2022/13/1", "3月", "近期", 12, 99999999, True,
            "1800年", "2022年3月32日"]
)
def test_parse_date_invalid(raw):
    parsed = parse_date(raw)
    assert parsed.value is None
    assert parsed.problem is not None and parsed.problem.check_name == "invalid_date"


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_parse_date_round_trips_iso(day):
    assert parse_date(day.isoformat()).value == day.isoformat()
    assert parse_date(f"{day.year}年{day.month}月{day.day}日").value == day.isoformat()


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none()))
def test_parse_date_never_raises(raw):
    parsed = parse_date(raw)
    assert parsed.value is None or isinstance(parsed.value, str)


# ----------------------------------------------------------------------------- flags and ints


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("是", True), ("否", False), (" 是 ", True), ("Y", True), ("N", False), ("√", True),
     ("×", False), (1, True), (0, False), ("是（已认定）", True), (None, None), ("", None),
     ("/", None)],
)
def test_parse_flag(raw, expected):
    assert parse_flag(raw) == (expected, None)


def test_parse_flag_invalid():
    parsed = parse_flag("待确认后再报", "是否工业项目")
    assert parsed.value is None and parsed.problem.check_name == "invalid_value"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(5, 5), (5.0, 5), ("5", 5), ("５个", 5), ("1,200", 1200), ("约3家", 3), ("—", None),
     (None, None)],
)
def test_parse_int(raw, expected):
    assert parse_int(raw) == (expected, None)


@pytest.mark.parametrize("raw", [2.5, "若干", "3.5"])
def test_parse_int_invalid(raw):
    assert parse_int(raw).problem.check_name == "invalid_value"


# -------------------------------------------------------------------------------------- status


@pytest.mark.parametrize(
    ("raw", "stage"),
    [
        ("已签约", "签约"), ("签约", "签约"), ("已注册", "注册"), ("已开工", "开工"),
        ("开工建设中", "开工"), ("在建", "开工"), ("已竣工", "竣工投产"), ("已投产", "竣工投产"),
        ("竣工投产", "竣工投产"), ("前期工作", "在谈"), ("洽谈中", "在谈"), ("终止", "退库"),
        ("退库", "退库"), (" 已开工\n", "开工"), ("已开工建设，完成投资30%", "开工"),
        ("正在洽谈", "在谈"),
    ],
)
def test_parse_status_known(ref, raw, stage):
    assert parse_status(raw, ref) == (stage, None)


@pytest.mark.parametrize("raw", ["尚未开工", "良好", "不详细"])
def test_parse_status_unknown(ref, raw):
    parsed = parse_status(raw, ref)
    assert parsed.value is None and parsed.problem.check_name == "unknown_status"


def test_parse_status_empty(ref):
    assert parse_status(None, ref) == (None, None)
    assert parse_status("—", ref) == (None, None)


# --------------------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("市工信局", ["市工业和信息化局"]),
        ("市工信局、鹿寨县", ["市工业和信息化局", "鹿寨县"]),
        ("市工业和信息化局，融水苗族自治县", ["市工业和信息化局", "融水县"]),
        ("市住建局;三江侗族自治县／柳州市科学技术局", ["市住房城乡建设局", "三江县", "市科技局"]),
        ("北部生态新区 市文广旅局", ["阳和工业新区（北部生态新区）", "市文化广电旅游局"]),
        ("阳和工业新区（北部生态新区）", ["阳和工业新区（北部生态新区）"]),
        ("鹿寨县江口乡", ["鹿寨县"]),
        ("鹿寨县、鹿寨", ["鹿寨县"]),
        (None, []),
        ("无", []),
    ],
)
def test_parse_units_known(ref, raw, expected):
    assert parse_units(raw, ref) == (expected, None)


def test_parse_units_unknown_named(ref):
    parsed = parse_units("市工信局、火星招商局", ref)
    assert parsed.value == ["市工业和信息化局"]
    assert parsed.problem.check_name == "unknown_unit"
    assert "火星招商局" in parsed.problem.message


# ---------------------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  岭南药业柳州中药生产基地 ", "岭南药业柳州中药生产基地"),
        ("柳州鹿寨金润\n房地产开发有限公司", "柳州鹿寨金润房地产开发有限公司"),
        ("广西（柳州）某某公司", "广西(柳州)某某公司"),
        ("项目名称：ＡＢＣ", "项目名称:ABC"),
        ("柳州 某某 公司", "柳州某某公司"),
        ("ABC  Auto   Parts", "ABC Auto Parts"),
        ("—", None),
        ("", None),
        (None, None),
        (12.0, "12"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, None), (13812345678.0, "13812345678"), (0.5, "0.5"), (10, "10"),
     (dt.datetime(2022, 3, 1), "2022-03-01"), ("  ", None), ("a\nb", "a\nb")],
)
def test_cell_text(raw, expected):
    assert cell_text(raw) == expected
