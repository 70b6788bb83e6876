"""Conform behaviour that the mutation sample of 2026-11-30 found untested (docs/testing.md,
"Mutation testing"); expected values are worked by hand from the docstrings and docs/design.md."""

from __future__ import annotations

import csv
import math
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assets.conform.build import conform
from assets.conform.credit import reports_by_project, row_where
from assets.conform.evaluate import read_labelled_ledger
from assets.conform.matching import (
    DEFAULT_CONFIG,
    candidate_pairs,
    hard_conflict,
    investor_key_of,
    investor_similarity,
    match_projects,
    match_to_projects,
    name_weights,
    weighted_dice,
)
from assets.conform.normalize import Normalizer, normalize
from runtime.reference import Reference
from tests.conform.helpers import empty, file_row, ledger, ledger_row

LEDGER = Path(__file__).resolve().parents[1] / "ground_truth" / "ledger_rows.csv"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("旋切基地配套项目第十期", "旋切基地配套10期"),     # 十 → 10
        ("旋切基地配套项目十二期", "旋切基地配套12期"),     # 十二 → 1 × 10 + 2
        ("旋切基地配套项目第二十期", "旋切基地配套20期"),   # 二十 → 2 × 10
        ("旋切基地配套项目二十三期", "旋切基地配套23期"),   # 二十三 → 2 × 10 + 3
    ],
)
def test_phases_in_chinese_tens_become_numbers(raw, expected):
    assert normalize(raw) == expected


def test_the_labelled_ledger_has_integer_source_rows():
    """The conform layer takes staging rows, whose source_row is the sheet's row number."""
    with open(LEDGER, encoding="utf-8") as fh:
        expected = [int(r["source_row"]) for r in csv.DictReader(fh)]
    ledger, truth = read_labelled_ledger(LEDGER)
    assert list(ledger["source_row"]) == expected
    assert all(type(v) is int for v in ledger["source_row"].tolist())
    assert len(truth) == len(expected)


def test_a_finding_names_the_unit_period_file_sheet_and_row():
    row = {"unit_name": "融水县", "period": "2022-05", "source_file": "2022-05/融水县.xlsx",
           "source_sheet": "项目表", "source_row": 12}
    assert row_where(row) == "融水县 2022-05 2022-05/融水县.xlsx「项目表」第12行"


def test_a_duplicate_row_finding_carries_the_row_it_is_about():
    """Row 9 repeats row 5 of the same file (names normalise alike): the finding is about row 9,
    and names its project as the clerk wrote it there, its file, sheet, unit and month."""
    rows = ledger(ledger_row("XX汽车零部件项目", "柳江区", row=5),
                  ledger_row("XX汽车零部件", "柳江区", row=9))
    res = conform(rows, empty(), empty(), empty(), empty(), Reference.load(), ["2022-03"])
    (dup,) = [f for f in res.findings if f.check_name == "duplicate_row"]
    assert (dup.project_name, dup.unit_name, dup.period, dup.source_row) == (
        "XX汽车零部件", "柳江区", "2022-03", 9)
    assert (dup.source_file, dup.source_sheet) == ("2022-03/柳江区2022-03台账.xlsx", "项目表")
    assert dup.stage == "conform"
    # the first report is in the same file: named by sheet and row only
    assert "与「项目表」第5行「XX汽车零部件项目」是同一项目" in dup.message
    assert "已只计「项目表」第5行" in dup.message


def _cohort_row(name: str, investor: str) -> pd.DataFrame:
    return pd.DataFrame([{
        "year": 2022, "project_name": name, "investor": investor, "signed_on": "2022-03-01",
        "contract_investment": Decimal("2.5"), "territorial_unit": "鹿寨县",
        "responsible_unit": None, "source_file": "targets/2022年三企入桂签约项目清单.xlsx",
        "source_sheet": "清单", "source_row": 3, "row_ok": True}])


@pytest.mark.parametrize(("threshold", "matched"), [(0.82, True), (0.9, False)])
def test_cohort_rows_follow_the_matching_settings(threshold, matched):
    """A list row "旋切板生产线扩建" by the same investor scores 0.7 × 0.83 + 0.3 × 1 ≈ 0.88
    against the ledger's "旋切板生产线项目": a match at the default threshold 0.82, none once an
    office raises the threshold to 0.9.  The list row keeps its file, sheet and row."""
    rows = ledger(ledger_row("旋切板生产线项目", investor="广东畔森木业有限公司", is_sanqi=True))
    res = conform(rows, empty(), empty(), empty(), empty(), Reference.load(), ["2022-03"],
                  config=replace(DEFAULT_CONFIG, threshold=threshold),
                  cohort=_cohort_row("旋切板生产线扩建", "广东畔森木业有限公司"))
    (row,) = res.fact_cohort.to_dict("records")
    assert (row["project_id"] is not None) == matched
    assert (row["project_name"], row["investor"]) == ("旋切板生产线扩建", "广东畔森木业有限公司")
    assert row["project_id"] in (None, *res.dim_project["project_id"])
    assert (row["source_file"], row["source_sheet"], row["source_row"]) == (
        "targets/2022年三企入桂签约项目清单.xlsx", "清单", 3)


def test_the_bridge_names_the_sheet_a_credit_came_from():
    rows = ledger(ledger_row("旋切板生产线项目", "鹿寨县", row=7))
    res = conform(rows, empty(), empty(), empty(), empty(), Reference.load(), ["2022-03"])
    assert res.bridge[["unit_name", "source_file", "source_sheet", "source_row"]].values.tolist() \
        == [["鹿寨县", "2022-03/鹿寨县2022-03台账.xlsx", "项目表", 7]]


def test_a_flag_outside_the_list_names_the_ledger_row():
    rows = ledger(ledger_row("旋切板生产线项目", investor="广东畔森木业有限公司", is_sanqi=True, row=8))
    res = conform(rows, empty(), empty(), empty(), empty(), Reference.load(), ["2022-03"],
                  cohort=_cohort_row("石墨烯复合材料项目", "深圳银河新材料有限公司"))
    (outside,) = [f for f in res.findings if f.check_name == "cohort_flag_outside_list"]
    assert outside.message.startswith(
        "鹿寨县 2022-03 2022-03/鹿寨县2022-03台账.xlsx「项目表」第8行：项目「旋切板生产线项目」")


def test_a_project_first_appears_in_its_first_reported_month():
    rows = ledger(ledger_row("旋切板生产线项目", period="2022-04"),
                  ledger_row("旋切板生产线项目", period="2022-05"))
    res = conform(rows, empty(), empty(), empty(), empty(), Reference.load(),
                  ["2022-03", "2022-04", "2022-05"])
    assert res.dim_project[["project_name", "first_period"]].values.tolist() == [
        ["旋切板生产线项目", "2022-04"]]


def _target(unit: str, target: str, file: str) -> dict:
    return {"year": 2022, "unit_name": unit, "sub_unit": None, "indicator": "funds_in_place",
            "target": Decimal(target), "is_total_row": False, "source_file": file,
            "source_sheet": "Sheet1", "source_row": 5}


def test_targets_come_only_from_files_still_loaded():
    """柳南区's table was loaded; 柳北区's was superseded by a later version at another path (its
    rows are no longer current); 柳江区's was replaced in place (one path, both statuses)."""
    targets = pd.DataFrame([_target("柳南区", "30", "targets/柳南.xlsx"),
                            _target("柳北区", "20", "targets/柳北旧.xlsx"),
                            _target("柳江区", "10", "targets/柳江.xlsx")])
    files = pd.DataFrame([file_row("targets/柳南.xlsx", "柳南区", "targets", "2022-03"),
                          file_row("targets/柳北旧.xlsx", "柳北区", "targets", "2022-03",
                                   "superseded"),
                          file_row("targets/柳江.xlsx", "柳江区", "targets", "2022-03",
                                   "superseded"),
                          file_row("targets/柳江.xlsx", "柳江区", "targets", "2022-04")])
    res = conform(ledger(ledger_row("XX项目")), empty(), empty(), targets, files,
                  Reference.load(), ["2022-03"])
    assert sorted(res.fact_target["unit_name"]) == ["柳南区", "柳江区"]


@pytest.mark.parametrize(("holders", "expected"), [
    (1, 1.0),
    (10, 1.0),                          # held by exactly `common_bigram` = 10 names: still 1
    (11, 1 / (1 + math.log(11 / 10))),  # one more: 1 / (1 + ln 1.1)
    (20, 1 / (1 + math.log(2))),        # twice the limit: 1 / (1 + ln 2) ≈ 0.59
])
def test_a_bigram_held_by_many_names_weighs_less(holders, expected):
    names = [f"汽车{chr(0x4E00 + 2 * i)}{chr(0x4E01 + 2 * i)}" for i in range(holders)]
    weight = name_weights(names)
    assert weight("汽车") == pytest.approx(expected)
    assert weight(names[0][2:]) == 1.0  # a bigram of one name only


@pytest.mark.parametrize(("raw", "expected"), [
    ("鹿寨林场", "林场"),    # the place strip leaves two characters: applied
    ("鹿寨林", "鹿寨林"),    # it would leave one: not applied
    ("柳州林场", "林场"),
    ("柳州林", "柳州林"),
])
def test_a_place_prefix_is_stripped_only_when_two_characters_remain(raw, expected):
    assert normalize(raw) == expected


def test_rows_without_a_usable_name_or_amount_are_not_matched():
    """"（）" normalises to nothing; the second row failed its checks at ingest (row_ok false)."""
    rows = ledger(ledger_row("（）", row=5), ledger_row("旋切板生产线项目", row=6, row_ok=False),
                  ledger_row("XX汽车零部件项目", row=7))
    res = conform(rows, empty(), empty(), empty(), empty(), Reference.load(), ["2022-03"])
    m = res.matched_ledger.set_index("source_row")
    for row in (5, 6):
        assert pd.isna(m.loc[row, "project_id"])
        assert m.loc[row, "match_keys"] == "未参与匹配（该行缺项目名称或投资总额）"
    assert res.dim_project["project_name"].tolist() == ["XX汽车零部件项目"]


INVESTORS = [None, "广东畔森木业有限公司", "畔森木业", "畔森", "畔森木业柳州分厂", "畔森木业广西工厂"]


@pytest.mark.parametrize(("spellings", "ellipsis"), [(5, False), (6, True)])
def test_a_merge_summary_lists_five_spellings_then_an_ellipsis(spellings, ellipsis):
    """One project reported with the same name and `spellings` different investor spellings (one
    blank, which links to all): the explanation lists at most five, "…" only when more exist."""
    rows = ledger(*[ledger_row("畔森旋切板生产线", investor=inv, row=5 + i)
                    for i, inv in enumerate(INVESTORS[:spellings])])
    res = conform(rows, empty(), empty(), empty(), empty(), Reference.load(), ["2022-03"])
    (text,) = res.dim_project["match_keys"].tolist()
    assert text.startswith(f"{spellings}种写法合并")
    assert text.count("「畔森旋切板生产线」") == 5
    assert text.endswith("…") == ellipsis


def test_investor_similarity_takes_off_the_substituted_share():
    """"畔森木业" / "畔林木业": difflib ratio 2 × 3 / 8 = 0.75, one of four characters substituted
    (0.25) → 0.5, so two look-alike firms do not pass for one."""
    assert investor_similarity("畔森木业", "畔林木业") == pytest.approx(0.5)
    assert investor_similarity("畔林木业", "畔森木业") == pytest.approx(0.5)


def test_a_number_conflict_names_both_numbers():
    assert hard_conflict("年产50万套", "", "年产2万套", "") == "名称中的数字不同（2 / 50）"
    assert hard_conflict("旋切板1期", "", "旋切板2期", "") == "名称中的数字不同（1 / 2）"


def test_a_list_row_is_found_through_its_investor_when_its_name_bigrams_are_too_common():
    """With `max_posting` = 1 every bigram of "旋切板生产线" (held by both projects) is too common
    to look candidates up by; the investor's core "畔森木业" still finds P1, and the name and
    investor then agree → P1."""
    norm = Normalizer(Reference.load())
    pk = pd.DataFrame([
        {"name_key": norm(n), "investor_key": investor_key_of(norm, i), "project_id": p}
        for n, i, p in [("旋切板生产线", "畔森木业有限公司", "P1"),
                        ("旋切板生产线扩建", "柳林木业有限公司", "P2")]])
    found = match_to_projects(["旋切板生产线项目"], ["广东畔森木业有限公司"], pk, norm,
                              replace(DEFAULT_CONFIG, max_posting=1))
    assert [pid for pid, _why in found] == ["P1"]


@pytest.mark.parametrize("raw", ["XX机械有限责任公司", "XX机械股份有限公司", "XX机械有限公司",
                                 "XX机械分公司", "XX机械公司", "XX机械集团"])
def test_the_longest_legal_form_is_stripped_whole(raw):
    """"有限责任公司" goes as one suffix, not "公司" first (which would leave "有限责任")."""
    assert Normalizer(Reference.load())(raw) == "xx机械"


def test_a_territorial_conflict_points_to_the_other_district_s_row():
    rows = ledger(ledger_row("XX新材料产业园项目", "柳南区", "2022-03", row=5),
                  ledger_row("XX新材料产业园", "柳江区", "2022-04", row=9))
    res = conform(rows, empty(), empty(), empty(), empty(), Reference.load(),
                  ["2022-03", "2022-04"])
    (conflict,) = [f for f in res.findings if f.check_name == "territorial_conflict"]
    assert "（柳南区 2022-03 首报；柳江区 2022-04 报送，见2022-04/柳江区2022-04台账.xlsx「项目表」第9行）" \
        in conflict.message


def test_a_ledger_without_an_investor_column_matches_by_name_with_a_blank_investor():
    rows = ledger(ledger_row("XX汽车零部件项目", row=5),
                  ledger_row("XX汽车零部件", row=6, period="2022-04")).drop(columns=["investor"])
    matched = match_projects(rows, Reference.load()).rows
    assert matched["investor_key"].tolist() == ["", ""]
    assert matched["project_id"].nunique() == 1 and matched["project_id"].notna().all()


def test_a_duplicate_in_another_file_names_the_first_file_sheet_and_row():
    rows = ledger(ledger_row("XX汽车零部件项目", "柳江区", row=5, source_file="2022-03/柳江区台账A.xlsx"),
                  ledger_row("XX汽车零部件", "柳江区", row=9, source_file="2022-03/柳江区台账B.xlsx"))
    res = conform(rows, empty(), empty(), empty(), empty(), Reference.load(), ["2022-03"])
    (dup,) = [f for f in res.findings if f.check_name == "duplicate_row"]
    assert (dup.source_file, dup.source_row) == ("2022-03/柳江区台账B.xlsx", 9)
    assert "与2022-03/柳江区台账A.xlsx「项目表」第5行「XX汽车零部件项目」是同一项目" in dup.message


@pytest.mark.parametrize("investor", ["江苏省万家房地产开发有限公司", "万家房地产开发（江苏省）有限公司"])
def test_a_province_written_with_its_suffix_is_the_investor_s_region(investor):
    assert Normalizer(Reference.load()).investor_key(investor) == ("万家房地产开发", "江苏")


def test_a_name_without_bigrams_shares_nothing():
    assert weighted_dice("", "工厂") == 0.0   # no bigram at all
    assert weighted_dice("工厂", "") == 0.0
    assert weighted_dice("厂", "工厂") == 0.0  # one character is its own token, not in "工厂"


def test_an_activity_row_that_failed_its_checks_is_left_out():
    src = "2022-03/科技局活动.xlsx"

    def act(name: str, row: int, ok: bool) -> dict:
        return {"source_file": src, "source_sheet": "活动", "source_row": row,
                "period": "2022-03", "unit_name": "市科技局", "activity_date": "2022-03-10",
                "activity_name": name, "activity_type": "走出去", "leader": None,
                "led_by_principal": "是", "enterprises_docked": 3, "row_ok": ok}

    activities = pd.DataFrame([act("赴深圳招商", 5, True), act("赴广州招商", 6, False)])
    files = pd.DataFrame([file_row(src, "市科技局", "activity_ledger", "2022-03")])
    res = conform(ledger(ledger_row("XX项目")), activities, empty(), empty(), files,
                  Reference.load(), ["2022-03"])
    assert res.fact_activity["activity_name"].tolist() == ["赴深圳招商"]


# ------------------------------------------------------------------ seed-6 survivors (written after
# the seed-6 score was recorded in docs/testing.md)

_SEED6_REF = Reference.load()


def _two_spellings() -> pd.DataFrame:
    """One project written with its investor in March and without it in April."""
    return ledger(ledger_row("甲汽配生产线项目", investor="甲实业有限公司"),
                  ledger_row("甲汽配生产线项目", period="2022-04", row=6, investor=None))


def test_a_finding_carries_the_file_id_of_its_row():
    rows = [ledger_row("乙新材料产业园项目", row=5, file_id="F-鹿寨-03"),
            ledger_row("乙新材料产业园项目", unit="融安县", period="2022-04", row=7,
                       file_id="F-融安-04")]
    result = conform(ledger(*rows), empty(), empty(), empty(), empty(), _SEED6_REF,
                     ["2022-03", "2022-04"])
    (conflict,) = [f for f in result.findings if f.check_name == "territorial_conflict"]
    assert (conflict.file_id, conflict.as_row()["file_id"]) == ("F-鹿寨-03", "F-鹿寨-03")


def test_each_merged_spelling_names_the_spelling_it_joined_with_its_investor_or_a_dash():
    rows = match_projects(_two_spellings(), _SEED6_REF).rows
    assert rows["match_keys"].str.split("，与").str[1].tolist() == [
        "「甲汽配生产线」/「—」",       # March's partner: April's row, no investor
        "「甲汽配生产线」/「甲实业」",   # April's partner: March's row
    ]


def test_candidate_blocks_follow_the_caller_s_settings():
    """A block of two distinct keys is skipped when max_block is 1: no pair is scored."""
    assert match_projects(_two_spellings(), _SEED6_REF).rows["project_id"].nunique() == 1
    small = replace(DEFAULT_CONFIG, max_block=1)
    assert match_projects(_two_spellings(), _SEED6_REF, small).rows["project_id"].nunique() == 2


def test_a_ledger_without_the_optional_columns_is_matched_as_usable_rows():
    frame = ledger(ledger_row("甲汽配生产线项目")).drop(
        columns=["row_ok", "source", "partners", "signed_on", "investor", "stage"])
    result = conform(frame, empty(), empty(), empty(), empty(), _SEED6_REF, ["2022-03"])
    assert result.dim_project["project_name"].tolist() == ["甲汽配生产线项目"]
    assert result.bridge[["unit_name", "role"]].values.tolist() == [["鹿寨县", "territorial"]]
    assert result.dim_project["source_class"].tolist() == ["unknown"]  # no 投资来源 column


def test_a_place_of_one_character_and_its_suffix_keeps_its_whole_name():
    norm = Normalizer(_SEED6_REF, extra_places=["沙市"])
    assert investor_key_of(norm, "沙市甲实业有限公司") == "甲实业@柳州"  # a local place
    assert investor_key_of(norm, "江苏省甲实业有限公司") == "甲实业@江苏"  # 省 stripped


# ------------------------------------------------------------------ seed-7 survivors
# (written after the seed-7 sample's score was recorded; docs/testing.md)

def test_conform_matches_the_ledger_with_the_caller_s_settings():
    """Two spellings (name Dice 0.857, same investor: 0.7·0.857 + 0.3 = 0.90) are one project with
    the default threshold 0.82 and two with a threshold of 0.95 passed to conform."""
    inv = "广东金润木业有限公司"
    rows = ledger(ledger_row("金润木业生产线", "鹿寨县", "2022-03", 5, investor=inv),
                  ledger_row("金润木业生产线扩建", "鹿寨县", "2022-04", 5, investor=inv))
    default = conform(rows, empty(), empty(), empty(), empty(), _SEED6_REF, ["2022-04"])
    assert len(default.dim_project) == 1
    strict = conform(rows, empty(), empty(), empty(), empty(), _SEED6_REF, ["2022-04"],
                     config=replace(DEFAULT_CONFIG, threshold=0.95))
    assert sorted(strict.dim_project["project_name"]) == ["金润木业生产线", "金润木业生产线扩建"]
    assert strict.matched_ledger["match_keys"].tolist() == ["单一写法（名称+项目方完全一致）"] * 2


def test_a_registry_without_file_kinds_leaves_the_rows_own_files():
    """A file registry with no `kind` column names no activity file: each unit's latest file
    comes from the activity rows themselves (their unit and month), less files not loaded."""
    a3, a4 = "2022-03/科技局活动.xlsx", "2022-04/科技局活动.xlsx"
    acts = pd.DataFrame([
        {"source_file": a3, "source_sheet": "活动", "source_row": 5, "period": "2022-03",
         "unit_name": "市科技局", "activity_date": "2022-03-02", "activity_name": "赴深圳招商"},
        {"source_file": a4, "source_sheet": "活动", "source_row": 5, "period": "2022-04",
         "unit_name": "市科技局", "activity_date": "2022-04-02", "activity_name": "柳州推介会"},
    ])
    files = pd.DataFrame([{"source_file": a3, "status": "loaded"},
                          {"source_file": a4, "status": "superseded"}])
    result = conform(empty(), acts, empty(), empty(), files, _SEED6_REF, ["2022-03", "2022-04"])
    assert result.fact_activity[["period", "source_file", "file_period", "activity_name"]
                                ].values.tolist() == [
        ["2022-03", a3, "2022-03", "赴深圳招商"], ["2022-04", a3, "2022-03", "赴深圳招商"]]


def test_a_project_s_reports_hold_plain_python_values():
    """reports_by_project is to_dict("records") made faster: numpy scalars held in an object
    column come out as the Python values they box (an int, a bool), as to_dict gives them."""
    frame = ledger(ledger_row("甲汽配生产线项目", row=5), ledger_row("乙汽配生产线项目", row=6))
    frame["project_id"] = ["P1", "P2"]
    frame["source_row"] = pd.Series([np.int64(5), np.int64(6)], dtype=object)
    frame["is_sanqi"] = pd.Series([np.bool_(True), None], dtype=object)
    reports = reports_by_project(frame)
    assert [type(r["source_row"]) for rs in reports.values() for r in rs] == [int, int]
    assert type(reports["P1"][0]["is_sanqi"]) is bool


def test_a_block_of_exactly_max_block_keys_is_still_paired():
    """Blocks of more than `max_block` keys are skipped; a block of exactly that many is not."""
    names = ["金润木业生产线", "金润木业生产线扩建", "畔森旋切板"]
    invs = ["金润木业@广东", "", ""]
    assert candidate_pairs(names, invs, replace(DEFAULT_CONFIG, max_block=2)) == {(0, 1)}
    assert candidate_pairs(names, invs, replace(DEFAULT_CONFIG, max_block=1)) == set()
