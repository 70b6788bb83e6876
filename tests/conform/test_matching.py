import random

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from assets.conform.matching import (
    MatchConfig,
    candidate_pairs,
    match_projects,
    project_id_for,
    score_pair,
)
from assets.conform.normalize import normalize
from tests.conform.helpers import ledger, ledger_row


def ids(df: pd.DataFrame) -> list[str]:
    return match_projects(df).rows["project_id"].tolist()


_NAMES = st.sampled_from(["岭南药业中药基地", "岭南药业柳州中药生产基地", "金润房地产", "", "旋切基地1期",
                          "旋切基地2期", "abc精密制造", "新材料产业园"])


@given(_NAMES, _NAMES, _NAMES, _NAMES)
def test_score_is_symmetric(name_a, inv_a, name_b, inv_b):
    assert score_pair(name_a, inv_a, name_b, inv_b) == score_pair(name_b, inv_b, name_a, inv_a)


@given(st.text(max_size=12), st.text(max_size=12), st.text(max_size=12), st.text(max_size=12))
def test_score_is_symmetric_on_any_text(name_a, inv_a, name_b, inv_b):
    a = score_pair(name_a, inv_a, name_b, inv_b)
    b = score_pair(name_b, inv_b, name_a, inv_a)
    assert a.score == b.score and a.veto == b.veto


def test_score_explains_itself():
    ps = score_pair(normalize("岭南药业柳州中药生产基地"), normalize("上汽通用五菱"),
                    normalize("岭南药业（柳州）中药生产基地项目"), normalize("上汽通用五菱汽车有限公司"))
    assert ps.keys == ("name=exact", "investor=contained")
    assert ps.score >= 0.95
    missing = score_pair("岭南药业柳州中药生产基地", "", "岭南药业柳州中药生产基地", "金润房地产开发")
    assert missing.keys == ("name=exact", "investor=missing") and missing.score == 1.0


def test_three_ways_by_three_units_is_one_project():
    df = ledger(
        ledger_row("岭南药业柳州中药生产基地", "鹿寨县", investor="柳州鹿寨金润房地产开发有限公司"),
        ledger_row("岭南药业柳州中药生产基地项目", "市工业和信息化局", period="2022-04",
                   investor="鹿寨金润房地产开发公司"),
        ledger_row("岭南药业(柳州)中药生产基地", "鹿寨县林木加工产业招商组", period="2022-05"),
        ledger_row("柳州螺蛳粉产业园标准厂房", "柳南区", investor="柳州螺蛳粉产业投资有限公司"),
    )
    got = match_projects(df).rows
    assert got["project_id"].iloc[0] == got["project_id"].iloc[1] == got["project_id"].iloc[2]
    assert got["project_id"].iloc[3] != got["project_id"].iloc[0]
    assert "name=exact" in got["match_keys"].iloc[2]


def test_name_change_across_months_in_one_ledger():
    df = ledger(
        ledger_row("柳州XX汽车零部件生产项目", period="2022-03", investor="广西XX汽车零部件有限公司"),
        ledger_row("XX汽车零部件生产基地建设项目", period="2022-04",
                   investor="广西XX汽车零部件有限公司"),
        ledger_row("YY电子元器件项目", period="2022-04", row=6, investor="YY电子有限公司"),
    )
    got = ids(df)
    assert got[0] == got[1] != got[2]


def test_same_investor_different_projects_are_not_merged():
    inv = "广西鹿寨XX木业有限公司"
    df = ledger(
        ledger_row("旋切基地配套项目一期", row=5, investor=inv),
        ledger_row("旋切基地配套项目二期", row=6, investor=inv),
        ledger_row("XX木业年产10万立方米胶合板项目", row=7, investor=inv),
        ledger_row("XX木业家具制造项目", row=8, investor=inv),
        # the next month, other units, slightly different spelling
        ledger_row("旋切基地配套（二期）项目", "鹿寨县林木加工产业招商组", "2022-04", investor=inv),
        ledger_row("旋切基地配套项目第一期", "市林业和园林局", "2022-04", investor="XX木业公司"),
    )
    got = ids(df)
    assert len(set(got[:4])) == 4
    assert got[4] == got[1] and got[5] == got[0]


def test_same_name_different_investor_is_not_merged():
    df = ledger(
        ledger_row("标准厂房建设项目", "柳南区", investor="柳州市城市投资建设发展有限公司"),
        ledger_row("标准厂房建设项目", "柳北区", investor="广西宏达钢构有限公司"),
    )
    got = ids(df)
    assert got[0] != got[1]


def test_two_rows_of_one_ledger_are_two_projects_unless_identical():
    # similar enough to merge across ledgers, but one ledger lists both: two projects
    df = ledger(
        ledger_row("XX新材料产业园A区", row=5, investor="XX新材料有限公司"),
        ledger_row("XX新材料产业园B区", row=6, investor="XX新材料有限公司"),
    )
    assert ids(df)[0] != ids(df)[1]
    # written identically (after normalisation): the same project twice (duplicate row)
    df = ledger(
        ledger_row("XX新材料产业园", row=5, investor="XX新材料有限公司"),
        ledger_row("XX新材料产业园项目", row=6, investor="XX新材料公司"),
    )
    assert ids(df)[0] == ids(df)[1]


def test_rows_not_ok_are_not_matched():
    df = ledger(ledger_row("XX项目"), ledger_row("XX项目", row=6, row_ok=False),
                ledger_row(None, row=7, row_ok=False))
    got = match_projects(df).rows
    assert got["project_id"].iloc[0] is not None
    assert got["project_id"].iloc[1:].isna().all()


def _months_of_data():
    rows = []
    for month in ("2022-03", "2022-04", "2022-05"):
        rows += [
            ledger_row("岭南药业柳州中药生产基地", "鹿寨县", month, investor="鹿寨金润房地产开发公司"),
            ledger_row("旋切基地配套项目一期", "鹿寨县", month, row=6, investor="XX木业"),
            ledger_row("旋切基地配套项目二期", "鹿寨县", month, row=7, investor="XX木业"),
            ledger_row("柳州螺蛳粉产业园", "柳南区", month, investor="螺蛳粉产业投资公司"),
        ]
    return rows


def test_project_id_is_stable_when_a_month_is_appended_and_rows_shuffled():
    rows = _months_of_data()
    before = dict(zip(pd.DataFrame(rows)["project_name"], ids(ledger(*rows)), strict=False))
    later = rows + [
        ledger_row("岭南药业（柳州）中药生产基地项目", "市工业和信息化局", "2022-06",
                   investor="柳州鹿寨金润房地产开发有限公司"),
        ledger_row("全新项目", "柳南区", "2022-06", row=9),
    ]
    random.Random(7).shuffle(later)
    df = ledger(*later)
    after = dict(zip(df["project_name"], ids(df), strict=True))
    for name, pid in before.items():
        assert after[name] == pid
    assert after["岭南药业（柳州）中药生产基地项目"] == before["岭南药业柳州中药生产基地"]
    # the id is derived from the earliest report
    assert before["岭南药业柳州中药生产基地"] == project_id_for(
        "2022-03", "岭南药业柳州中药生产基地", "金润房地产开发@柳州")


_INDUSTRY = ["汽车零部件", "机械装备", "林木加工", "新材料", "绿色化工", "电子信息", "生物医药",
             "节能环保", "数字经济", "商贸物流", "文化旅游", "现代农业", "食品加工", "智能家电"]
_PRODUCT = ["生产基地", "产业园", "研发中心", "标准厂房", "年产10万吨", "加工厂", "物流园", "总部",
            "智能制造", "扩建", "技改", "冷链仓储", "精深加工", "示范基地"]
_COMMON = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 3000))


def _synthetic(n: int, seed: int = 1) -> tuple[list[str], list[str]]:
    """n distinct project names like '<brand><industry><product>' and their investors."""
    rng = random.Random(seed)
    names: dict[str, str] = {}
    while len(names) < n:
        brand = "".join(rng.choice(_COMMON) for _ in range(rng.randint(2, 4)))
        name = brand + rng.choice(_INDUSTRY) + rng.choice(_PRODUCT)
        names.setdefault(name, brand + rng.choice(_INDUSTRY[:6]))
    keys = sorted(names)
    return keys, [names[k] for k in keys]


def test_blocking_is_far_below_all_pairs():
    n = 5000
    names, invs = _synthetic(n)
    pairs = candidate_pairs(names, invs, MatchConfig())
    assert len(pairs) < n * (n - 1) / 2 / 100  # < 1 % of all pairs
    # and it still finds the near-duplicates it is for
    noisy = names + [nm[:-1] for nm in names[:200]]
    noisy_inv = invs + invs[:200]
    pairs = candidate_pairs(noisy, noisy_inv, MatchConfig())
    found = sum((i, n + i) in pairs for i in range(200))
    assert found == 200


def test_blocking_is_bounded_linearly():
    config = MatchConfig()
    for n in (2000, 8000, 20000):
        pairs = candidate_pairs(*_synthetic(n, 2), config)
        # every posting list holds at most max_posting keys: at most ~n·max_posting pairs,
        # while all pairs would be n²/2
        assert len(pairs) <= n * config.max_posting
        assert len(pairs) < n * (n - 1) / 2 / 100


def test_look_alike_firms_and_templates_are_not_merged():
    df = ledger(
        # one letter of the brand substituted, same template and trade
        ledger_row("合力变速器壳体项目", "柳城县", investor="福建合力汽车零部件有限公司"),
        ledger_row("通力变速器壳体项目", "鱼峰区", investor="福建通力汽车零部件有限公司"),
        # same brand and name, investors from different regions
        ledger_row("华骏酸笋项目", "柳江区", investor="湖南华骏食品有限公司"),
        ledger_row("华骏酸笋项目", "鱼峰区", "2022-04", investor="香港华骏食品有限公司"),
        # different capacity
        ledger_row("中盛年产3万套汽车内饰件项目", "融水县", investor="中盛汽车零部件有限公司"),
        ledger_row("中盛年产30万套汽车内饰件项目", "柳南区", investor="中盛汽车零部件有限公司"),
    )
    got = ids(df)
    assert len(set(got)) == 6


def test_region_written_in_brackets_or_left_out_is_the_same_firm():
    df = ledger(
        ledger_row("万家国际家具城市综合体项目", "鱼峰区", investor="江苏万家房地产开发有限公司"),
        ledger_row("万家国际家具城市综合体", "市住房城乡建设局",
                   investor="万家房地产开发（江苏）有限公司"),
        ledger_row("柳州万家国际家具城市综合体项目", "市商务局", investor="万家房地产开发公司"),
    )
    assert len(set(ids(df))) == 1


def test_a_row_without_investor_does_not_chain_two_firms():
    df = ledger(
        ledger_row("锦程锻造件项目", "柳南区", investor="浙江锦程机械制造有限公司"),
        ledger_row("锦程锻造件", "市工业和信息化局", "2022-04"),
        ledger_row("锦程锻造件项目", "柳北区", "2022-05", investor="山东锦程机械制造有限公司"),
    )
    got = ids(df)
    assert got[0] != got[2]
    assert got[1] in (got[0], got[2])


def test_explanations_name_the_vetoes():
    ps = score_pair("旋切基地配套1期", "xx木业", "旋切基地配套2期", "xx木业")
    assert ps.score == 0.0 and "数字不同" in ps.veto
    ps = score_pair("华骏酸笋", "华骏食品@湖南", "华骏酸笋", "华骏食品@香港")
    assert "地区不同" in ps.veto
    ps = score_pair("合力变速器壳体", "合力汽车零部件", "通力变速器壳体", "通力汽车零部件")
    assert "替换1字" in ps.keys[0] and ps.score < MatchConfig().threshold


def test_a_pair_whose_rounded_score_equals_the_threshold_is_merged():
    # name similarity 6/7 (bigram Dice 12/14 under the difflib ratio 14/16), the same investor:
    # 0.7 * 6/7 + 0.3 is 0.8999999999999999 in floating point, 0.9 once rounded; the cheap
    # bound before scoring must not drop it at a threshold of exactly 0.9
    from dataclasses import replace as _replace

    import pandas as pd

    from assets.conform.matching import DEFAULT_CONFIG, match_projects, score_pair

    config = _replace(DEFAULT_CONFIG, threshold=0.9)
    a, b = "恒通新材料产业", "恒通新材料产业园区"
    assert score_pair(a, "恒通", b, "恒通", config).score == 0.9
    ledger = pd.DataFrame({"project_name": [a, b], "investor": ["恒通", "恒通"],
                           "unit_name": ["柳南区", "柳江区"], "period": ["2021-01"] * 2,
                           "source_file": ["a.xlsx", "b.xlsx"], "source_row": [4, 4]})
    result = match_projects(ledger, config=config)
    assert result.pairs_merged == 1
    assert result.rows["project_id"].nunique() == 1


def test_keys_of_distinct_names_equal_the_key_of_each_name():
    """Matching computes a key once per distinct name (issue 17, `map_distinct`): the same keys
    as one call per row, missing values included, and other values still one call each."""
    from assets.conform.matching import investor_key_of
    from assets.conform.normalize import normalizer_for
    from runtime.values import map_distinct

    norm = normalizer_for()
    names = pd.Series(["柳州岭南药业项目", None, "柳州岭南药业项目", float("nan"), "岭南药业",
                       "柳州岭南药业项目"], index=[5, 3, 9, 1, 0, 2])
    assert map_distinct(names, norm).equals(names.map(norm))
    investors = names.str.replace("项目", "有限公司（江苏）")
    got = map_distinct(investors, lambda v: investor_key_of(norm, v))
    assert got.equals(investors.map(lambda v: investor_key_of(norm, v)))
    mixed = pd.Series([1, True, "1"], dtype=object)
    assert map_distinct(mixed, repr).tolist() == ["1", "True", "'1'"]


def test_report_order_keys_of_distinct_file_names_equal_one_by_one():
    """sort_reports turns file and sheet names into sort keys once per distinct name (issue 17):
    the same keys as one call per row, missing values of every kind included."""
    from assets.conform.credit import _text
    from runtime.values import map_distinct

    names = pd.Series(["b.xlsx", None, "a.xlsx", float("nan"), "b.xlsx", pd.NA, ""],
                      index=[4, 2, 0, 1, 3, 9, 8], dtype=object)
    assert map_distinct(names, _text).equals(names.map(_text))
    assert map_distinct(names, _text).tolist() == ["b.xlsx", "", "a.xlsx", "", "b.xlsx", "<NA>",
                                                   ""]
    mixed = pd.Series([1, True, "x", None], dtype=object)
    assert map_distinct(mixed, _text).tolist() == ["1", "True", "x", ""]
    assert map_distinct(pd.Series([None, None], dtype=object), _text).tolist() == ["", ""]
    assert map_distinct(pd.Series([], dtype=object), _text).empty


_SUMS_BY_SEED = """
from assets.conform.matching import bigram_total, weighted_dice
w = {"甲乙": 0.1, "乙丙": 0.2, "丙丁": 0.3, "丁戊": 0.7}.get
print(repr(bigram_total("甲乙丙丁戊", lambda t: w(t, 1.0))),
      repr(weighted_dice("甲乙丙丁戊", "甲乙丙丁", lambda t: w(t, 1.0))))
"""


def test_weighted_sums_do_not_depend_on_the_process_string_hashing():
    """A name's bigrams are a set, iterated in the order of the process's string hashing; a
    plain float sum in that order differs in its last bit between runs ((0.1+0.2)+0.3 ≠
    0.1+(0.2+0.3)), so one build could merge a pair at the threshold and the next not.  Eight
    hash seeds give eight bigram orders; every one must give the exactly rounded sums."""
    import math
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    seen = set()
    for seed in range(8):
        out = subprocess.run([sys.executable, "-c", _SUMS_BY_SEED], cwd=root, check=True,
                             capture_output=True, text=True,
                             env={"PYTHONHASHSEED": str(seed), "PATH": ""})
        seen.add(out.stdout.strip())
    total = math.fsum([0.1, 0.2, 0.3, 0.7])
    shared = math.fsum([0.1, 0.2, 0.3])
    assert seen == {f"{total!r} {2 * shared / (total + shared)!r}"}


def test_a_config_whose_bigram_weights_would_divide_by_zero_is_refused():
    import pytest

    with pytest.raises(ValueError, match="common_bigram must be at least 1"):
        MatchConfig(common_bigram=0)
    assert MatchConfig(common_bigram=1).common_bigram == 1   # the boundary is allowed
