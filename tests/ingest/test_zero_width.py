"""Zero-width characters (pasted from web pages and chat tools) are invisible to the clerk: they
must neither make a value unreadable nor show up as an empty-looking 「」 in a finding."""

from decimal import Decimal

import pytest

from assets.ingest.values import clean_text, is_missing, parse_amount, parse_date, parse_int
from runtime.reference import Reference, normalize_text

ZW = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


@pytest.mark.parametrize("zw", ZW)
def test_an_amount_with_a_zero_width_character_reads_as_the_amount(zw):
    assert parse_amount(f"12{zw}亿").value == Decimal("12")
    assert parse_amount(f"{zw}5000万").value == Decimal("0.5")
    assert parse_amount(f"12{zw}亿").problem is None


@pytest.mark.parametrize("zw", ZW)
def test_a_cell_holding_only_zero_width_characters_is_empty_not_an_invalid_value(zw):
    assert is_missing(zw + zw)
    assert parse_amount(zw).value is None and parse_amount(zw).problem is None
    assert parse_int(zw).problem is None
    assert clean_text(zw) is None


def test_counts_dates_and_texts_ignore_zero_width_characters():
    assert parse_int("\u200b7").value == 7
    assert parse_date("2022-03-15\u200b").value == parse_date("2022-03-15").value
    assert clean_text("柳州\u200d新能源\ufeff项目") == "柳州新能源项目"
    assert normalize_text("柳南\u200b区") == "柳南区"


def test_a_unit_name_with_a_zero_width_character_is_still_the_unit():
    ref = Reference.load()
    name = next(iter(ref.units))
    spliced = name[:1] + "\u200b" + name[1:]
    assert ref.resolve_unit(spliced) == name
