"""Phone numbers are masked in every finding written (perf, issue 17: the mask no longer starts
with a lookbehind, and findings are written column by column).  The mask equals the plain
reading — re.sub of the pattern with its `(?<!\\d)` — on any text made of digits of every script,
the characters a masked number may hold, separators and Chinese; and `findings_frame` equals
the rows `Finding.as_row` gives."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.findings import CHECKS, FINDING_COLUMNS, Finding, findings_frame, mask_phones

PLAIN = re.compile(r"(?<!\d)(1[3-9]\d[\d×xX*]{8}|0\d{2,3}-?\d{7,8}|1[3-9]\d[×xX*]{3,})(?!\d)")
PIECES = st.sampled_from(["0", "1", "3", "5", "8", "9", "-", "×", "x", "X", "*", "１", "٣", "²",
                          "第", "行", "电话", " ", "13812345678", "0772-1234567", "138****",
                          "2022-06", "a"])
TEXTS = st.lists(PIECES, max_size=30).map("".join)


@settings(max_examples=2000, deadline=None)
@given(text=TEXTS)
def test_mask_equals_the_plain_pattern(text):
    assert mask_phones(text) == PLAIN.sub("***", text)


def test_mask_examples():
    assert mask_phones("联系人电话13812345678，座机0772-2812345") == "联系人电话***，座机***"
    assert mask_phones("第213812345678行") == "第213812345678行"  # a digit before: not a phone
    assert mask_phones("138****5678 与 ٣13812345678") == "*** 与 ٣13812345678"
    assert mask_phones("2022-06 第12行") == "2022-06 第12行"


FINDINGS = st.builds(
    Finding,
    check_name=st.sampled_from(sorted(CHECKS)),
    message=TEXTS,
    period=st.one_of(st.none(), st.just("2022-06")),
    unit_name=st.one_of(st.none(), st.just("城中区")),
    source_file=st.one_of(st.none(), st.just("2022-06/城中区.xlsx")),
    source_sheet=st.one_of(st.none(), st.just("项目表")),
    source_row=st.one_of(st.none(), st.integers(1, 10_000)),
    project_name=st.one_of(st.none(), st.just(""), TEXTS),
    severity=st.one_of(st.none(), st.sampled_from(["error", "warning", "info"])),
    stage=st.sampled_from(["ingest", "conform", "marts"]),
    file_id=st.one_of(st.none(), st.just("F1")),
)


@settings(max_examples=200, deadline=None)
@given(found=st.lists(FINDINGS, max_size=6))
def test_findings_frame_equals_the_rows(found):
    expected = pd.DataFrame([f.as_row() | {"stage": "conform"} for f in found],
                            columns=FINDING_COLUMNS)
    pd.testing.assert_frame_equal(findings_frame(found, stage="conform"), expected)
