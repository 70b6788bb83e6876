"""Value-parser behaviour that mutation testing found untested (docs/testing.md, "Mutation testing").

Each case is worked by hand from the parser's contract (assets/ingest/values.py docstrings): what
an office sees in a finding's message, and the value a cell becomes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from assets.ingest.values import (
    amount_has_unit,
    cell_text,
    parse_amount,
    parse_date,
    parse_flag,
    parse_int,
    parse_status,
    parse_units,
)
from runtime.reference import Reference


def test_a_boolean_cell_reads_true_or_false():
    assert cell_text(True) == "TRUE"
    assert cell_text(False) == "FALSE"


def test_a_date_with_a_time_of_day_keeps_a_space_between_them():
    assert cell_text(dt.datetime(2022, 3, 15, 10, 30)) == "2022-03-15 10:30:00"


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), float("-inf")])
def test_a_non_finite_number_is_an_invalid_amount_named_in_the_message(raw):
    parsed = parse_amount(raw, "万", "投资总额")
    assert parsed.value is None
    assert parsed.problem.check_name == "invalid_value"
    assert parsed.problem.message == f"投资总额「{raw!r}」不是有效数字"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [(True, "TRUE"), (dt.date(2022, 1, 1), "2022-01-01"), (2.5, "2.5")],
)
def test_a_count_that_is_not_a_whole_number_says_so(raw, shown):
    parsed = parse_int(raw, "签约项目数")
    assert parsed.value is None
    assert parsed.problem.check_name == "invalid_value"
    assert parsed.problem.message == f"签约项目数「{shown}」不是整数"


def test_a_count_in_words_cannot_be_read():
    parsed = parse_int("约三家", "签约项目数")
    assert parsed.problem == ("invalid_value", "签约项目数「约三家」无法识别为整数")


def test_the_message_shows_the_cell_on_one_line():
    parsed = parse_amount("12\n  34亿x", "亿", "投资总额")
    assert parsed.problem.message == "投资总额「12 34亿x」无法识别为金额"


def test_the_message_shows_a_long_cell_cut_at_40_characters():
    text = "甲" * 41
    parsed = parse_amount(text, "亿", "投资总额")
    assert parsed.problem.message == f"投资总额「{'甲' * 40}…」无法识别为金额"
    exact = "乙" * 40  # exactly 40: shown whole
    assert parse_amount(exact, "亿", "投资总额").problem.message == f"投资总额「{exact}」无法识别为金额"


@pytest.mark.parametrize("status", ["备案", "已备案", "目前已备案", "已经备案", "正在备案", "项目已备案"])
def test_a_status_added_to_the_table_is_read_after_the_usual_lead_words(status):
    """An office adds 备案 → 注册 to statuses.csv (an editable table): the lead words 目前, 项目,
    已经, 已 and 正在 in front of it do not stop it being recognised."""
    base = Reference.load()
    ref = dataclasses.replace(base, statuses={**base.statuses, "备案": "注册"})
    assert parse_status(status, ref) == ("注册", None)


def test_an_amount_beyond_the_warehouse_names_the_cell():
    # 2 × 10^12 亿元 ≥ the 10^12 bound (12 integer digits of DECIMAL(20,8))
    parsed = parse_amount("2000000000000", "亿", "投资总额")
    assert parsed.problem == (
        "invalid_value", "投资总额「2000000000000」超过1,000,000,000,000亿元，不是合理金额")


def test_each_partner_is_resolved_by_its_alias_first():
    """"投促局" is 市投资促进局 written without 市 (an alias once 市 is put back), although no
    unit name or alias occurs inside it."""
    ref = Reference.load()
    assert parse_units("鹿寨县、投促局", ref) == (["鹿寨县", "市投资促进局"], None)


@pytest.mark.parametrize(("raw", "expected"), [
    ("不是", False), ("不是工业项目", False), ("否（外资）", False), ("非工业项目", False),
    ("属于", True), ("是（已认定）", True),
])
def test_a_flag_written_in_words_reads_by_its_first_word(raw, expected):
    assert parse_flag(raw, "是否工业项目") == (expected, None)


def test_a_year_out_of_range_says_the_year_is_wrong():
    assert parse_date("1800年") == (None, ("invalid_date", "日期「1800年」年份不合理"))
    assert parse_date("2100年3月") == (None, ("invalid_date", "日期「2100年3月」年份不合理"))


@pytest.mark.parametrize(("raw", "named"), [
    ("5000万", True), ("3.5亿元", True), ("800元", True), ("约2亿", True),
    ("5000", False), (5000, False), (None, False),
])
def test_an_amount_cell_names_its_unit_or_not(raw, named):
    assert amount_has_unit(raw) is named


@pytest.mark.parametrize(("raw", "expected"), [
    ("柳州市 城中区", ["城中区"]),        # the leading 柳州市 is dropped before lookup (units.yaml)
    ("市 投资促进局", ["市投资促进局"]),  # spaces inside a cell are not part of a name
])
def test_a_cell_naming_one_unit_with_a_space_inside_is_that_one_unit(raw, expected):
    """The whole cell is looked up first (whitespace dropped, reference.normalize_text); only a
    cell that names no unit as a whole is split at 、，；/ and spaces — "柳州市 城中区" is 城中区,
    not the city and 城中区."""
    assert parse_units(raw, Reference.load()) == (expected, None)
