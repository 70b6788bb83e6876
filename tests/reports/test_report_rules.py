"""The `report:` section of reference/rules.yaml: the 通报's issuer, number format, addressees."""

from __future__ import annotations

import pytest

from runtime.rules import RulesError, load_rules
from tests.marts.test_rules import write_rules


def test_defaults():
    rep = load_rules().report
    assert rep.issuer == "柳州市投资促进局"
    assert rep.document_number(2021, 2) == "柳投促通〔2021〕2号"
    assert rep.recipients.startswith("各县（区）人民政府")


def test_edited_issuer_and_format(tmp_path):
    def edit(d):
        d["report"]["issuer"] = "鹿寨县投资促进局"
        d["report"]["number_format"] = "鹿投促〔{year}〕第{seq}期"
    rep = load_rules(write_rules(tmp_path, edit)).report
    assert rep.issuer == "鹿寨县投资促进局"
    assert rep.document_number(2022, 12) == "鹿投促〔2022〕第12期"


def test_report_is_not_part_of_the_marts_fingerprint(tmp_path):
    """Changing the document head must not rebuild the marts (their fingerprint is repr)."""
    edited = load_rules(write_rules(tmp_path, lambda d: d["report"].__setitem__("issuer", "某局")))
    assert repr(edited).replace(edited.source, "") == repr(load_rules()).replace(
        load_rules().source, "")


@pytest.mark.parametrize("mutate,match", [
    (lambda d: d["report"].__setitem__("number_format", "〔{year}〕{month}号"),
     r"report\.number_format 只能使用"),
    (lambda d: d["report"].__setitem__("issuer", ""), r"report\.issuer 必须是非空文字"),
    (lambda d: d["report"].__setitem__("signer", "x"), r"未知的键 report\.signer"),
    (lambda d: d["report"].pop("recipients"), r"缺少键 report\.recipients"),
    (lambda d: d.pop("report"), r"缺少键 report"),
])
def test_invalid_report_section_names_the_key(tmp_path, mutate, match):
    with pytest.raises(RulesError, match=match):
        load_rules(write_rules(tmp_path, mutate))
