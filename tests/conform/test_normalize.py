import pytest
from hypothesis import given
from hypothesis import strategies as st

from assets.conform.normalize import normalize

LINGNAN = "岭南药业柳州中药生产基地"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("岭南药业柳州中药生产基地项目", LINGNAN),
        ("岭南药业(柳州)中药生产基地", LINGNAN),
        ("岭南药业（柳州）中药生产基地", LINGNAN),
        (" 岭南药业 柳州\n中药生产基地 ", LINGNAN),
        ("柳州鹿寨金润房地产开发有限公司", "金润房地产开发"),
        ("鹿寨金润房地产开发公司", "金润房地产开发"),
        ("广西壮族自治区柳州市XX汽车零部件股份有限公司", "xx汽车零部件"),
        ("柳东新区ＡＢＣ精密制造有限责任公司", "abc精密制造"),
        ("柳东ＡＢＣ精密制造有限公司", "abc精密制造"),
        ("融水苗族自治县香杉加工厂", "香杉加工厂"),
        ("上汽通用五菱汽车股份有限公司", "上汽通用五菱汽车"),
        ("XX集团有限公司", "xx"),
        ("旋切基地配套项目一期", "旋切基地配套1期"),
        ("旋切基地配套项目（第二期）", "旋切基地配套2期"),
        ("旋切基地配套项目Ⅱ期", "旋切基地配套2期"),
        ("旋切基地配套2期项目", "旋切基地配套2期"),
        ("XX大道工程", "xx大道"),
        ("项目", "项目"),
        ("柳州市", "柳州市"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_cases(raw, expected):
    assert normalize(raw) == expected


def test_full_and_half_width_are_one_key():
    assert normalize("ＸＹ新材料（一期）") == normalize("XY新材料(1期)")


_ALPHABET = st.sampled_from(
    list("柳州市鹿寨县柳东新区广西项目工程有限公司集团股份责任()（）【】 \n一二期第ⅡAbＣ１2·-")
    + ["有限公司", "项目", "柳州", "鹿寨", "二期", "（", "）"]
)


@given(st.lists(_ALPHABET, max_size=20).map("".join))
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(max_size=30))
def test_normalize_is_idempotent_on_any_text(text):
    once = normalize(text)
    assert normalize(once) == once
