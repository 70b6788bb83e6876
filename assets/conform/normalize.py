"""Normalisation of project and investor names for matching (not for display).

"岭南药业（柳州）中药生产基地项目" and "岭南药业柳州中药生产基地" become the same key;
"柳州鹿寨金润房地产开发有限公司" and "鹿寨金润房地产开发公司" both become "金润房地产开发".

Steps, repeated until nothing changes (so `normalize(normalize(x)) == normalize(x)`):

1. NFKC (full-width letters, digits and brackets → half-width), lower case, all whitespace removed;
2. brackets of every kind removed, their contents kept; punctuation (·、-—"" etc.) removed;
3. phase markers unified: "第二期", "二期", "Ⅱ期", "2期" → "2期" (so phases compare as numbers);
4. legal-form and project suffixes stripped at the end (有限责任公司, 股份有限公司, 有限公司, 公司,
   集团, 项目, 工程, …) and place prefixes stripped at the start (广西壮族自治区, 广西, 柳州市, 柳州
   and every district/county name and short name of the unit reference: 鹿寨县, 鹿寨, 柳东新区, 柳东 …);
   a trailing place name ("XX（柳州）有限公司" → "XX柳州" → "XX") is stripped too.

A suffix strip that would leave nothing, or a place strip that would leave one character, is not
applied ("项目" stays "项目", "柳州市" stays "柳州市").

`Normalizer.investor_key` also separates an investor's *region* — a province or major city written
before the name or in brackets ("深圳银河化工有限公司", "万家房地产开发（江苏）有限公司") — from its core
name: "江苏万家房地产开发有限公司" → ("万家房地产开发", "江苏").  A local place (广西, 柳州, a district)
is region "柳州"/"广西".  Two investors with the same core but different regions are different firms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from runtime.reference import Reference

SUFFIXES: tuple[str, ...] = (
    "有限责任公司", "股份有限公司", "有限公司", "分公司", "公司", "有限合伙", "集团", "项目",
    "工程",
)
BASE_PLACES: tuple[str, ...] = ("广西壮族自治区", "广西", "柳州市", "柳州")

# provinces, municipalities, SARs and major cities that prefix firm names (region of an investor)
REGIONS: tuple[str, ...] = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
    "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
    "深圳", "广州", "佛山", "东莞", "珠海", "杭州", "宁波", "温州", "南京", "苏州", "无锡", "常州",
    "合肥", "福州", "厦门", "泉州", "南昌", "济南", "青岛", "临沂", "郑州", "武汉", "长沙", "成都",
    "贵阳", "昆明", "西安", "兰州", "南宁", "桂林", "玉林", "梧州", "北海", "钦州", "贵港", "百色",
    "河池", "来宾", "贺州", "防城港", "崇左", "沈阳", "大连", "长春", "哈尔滨", "石家庄", "太原",
    "呼和浩特", "乌鲁木齐", "海口", "三亚",
)
_REGION_SUFFIX = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市")
LOCAL_REGIONS = {"广西": "广西", "柳州": "柳州"}

_BRACKETS = "()（）[]【】〔〕{}<>《》〈〉「」『』"
_PUNCT = "·・、,，.。:：;；'\"“”‘’!！?？-－—–_~～/／\\|+*#&"
_STRIP_TABLE = str.maketrans("", "", _BRACKETS + _PUNCT)
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ROMAN = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
}
_PHASE_CN = re.compile(r"第?([一二三四五六七八九十]{1,3})期")
_PHASE_NUM = re.compile(r"第(\d+)期")
_PHASE_ROMAN = re.compile(r"(?<![a-z])(viii|vii|iii|iv|ix|vi|ii|v|x|i)期")


def _cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 二十三 → 23."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _unify_phases(text: str) -> str:
    text = _PHASE_CN.sub(lambda m: f"{_cn_number(m.group(1))}期", text)
    text = _PHASE_NUM.sub(lambda m: f"{int(m.group(1))}期", text)
    return _PHASE_ROMAN.sub(lambda m: f"{_ROMAN[m.group(1)]}期", text)


def place_names(ref: Reference | None) -> tuple[str, ...]:
    """广西/柳州 prefixes plus every district name, alias and short name (longest first)."""
    names: set[str] = set(BASE_PLACES)
    if ref is not None:
        for unit in ref.units.values():
            if unit.type != "district":
                continue
            for name in (unit.name, *unit.aliases):
                text = _basic(name)
                if not text or any(w in text for w in ("中心", "管委会", "局", "办")):
                    continue
                names.add(text)
                short = re.sub(r"(苗族自治县|侗族自治县|自治县|新区|县|区)$", "", text)
                if len(short) >= 2 and not short.startswith("柳州"):
                    names.add(short)
    return tuple(sorted(names, key=lambda s: (-len(s), s)))


def _basic(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return "".join(text.split()).translate(_STRIP_TABLE)


class Normalizer:
    """Normalises names with the place list of one Reference (build once, call many times)."""

    def __init__(self, ref: Reference | None = None, extra_places: Iterable[str] = ()) -> None:
        places = set(place_names(ref)) | {_basic(p) for p in extra_places if _basic(p)}
        self.places = tuple(sorted(places, key=lambda s: (-len(s), s)))
        self.suffixes = tuple(sorted(SUFFIXES, key=lambda s: (-len(s), s)))
        self.local_places = set(self.places)
        regions = {r + sfx for r in REGIONS for sfx in ("", *_REGION_SUFFIX)} | set(self.places)
        self.regions = tuple(sorted(regions, key=lambda s: (-len(s), s)))
        # Perf (issue 9): prefix/suffix look-ups by length instead of scanning every place (the
        # place list grows with the number of units); same result as the first match in the
        # (-len, name) order, since at most one name of a given length fits.
        self._place_set = frozenset(self.places)
        self._place_lens = tuple(sorted({len(x) for x in self.places}, reverse=True))
        self._region_set = frozenset(self.regions)
        self._region_lens = tuple(sorted({len(x) for x in self.regions}, reverse=True))
        self._cache = lru_cache(maxsize=500_000)(self._normalize)

    def investor_key(self, value: object) -> tuple[str, str]:
        """(core, region) of an investor: ('万家房地产开发', '江苏') for
        '万家房地产开发（江苏）有限公司'; region '' when none is written."""
        if value is None or (isinstance(value, float) and value != value):
            return "", ""
        return self._investor(str(value))

    @lru_cache(maxsize=200_000)  # noqa: B019 - one Normalizer per Reference, kept for the run
    def _investor(self, raw: str) -> tuple[str, str]:
        text = unicodedata.normalize("NFKC", raw).lower()
        text = "".join(text.split())
        region = ""
        # a bracketed region anywhere: "万家房地产开发(江苏)有限公司"
        for m in re.finditer(r"[(（\[【]([^()（）\[\]【】]{2,8})[)）\]】]", text):
            found = self._region_of(m.group(1), whole=True)
            if found:
                region = found
                text = text[: m.start()] + text[m.end():]
                break
        if not region:
            found = self._region_of(text, whole=False)
            if found:
                region = found
        core = self(text)
        # a region left inside the core ("深圳银河化工" → "银河化工")
        stripped = True
        while stripped:
            stripped = False
            name = _longest_affix(core, self._region_set, self._region_lens, prefix=True)
            if name is not None:
                region = region or self._canonical_region(name)
                core = self(core[len(name):])
                stripped = True
        return core, region

    def _canonical_region(self, name: str) -> str:
        for suffix in _REGION_SUFFIX:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                name = name[: -len(suffix)]
                break
        if name in self.local_places:
            return "柳州" if name != "广西" else "广西"
        return name

    def _region_of(self, text: str, whole: bool) -> str:
        if whole:
            return self._canonical_region(text) if text in self._region_set else ""
        name = _longest_affix(text, self._region_set, self._region_lens, prefix=True)
        return self._canonical_region(name) if name is not None else ""

    def __call__(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value != value:  # NaN from pandas
            return ""
        return self._cache(str(value))

    def _one_pass(self, text: str) -> str:
        text = _unify_phases(_basic(text))
        if text.replace("项目", ""):
            text = text.replace("项目", "")  # "XX项目一期" and "XX一期项目" alike
        changed = True
        while changed:
            changed = False
            for suffix in self.suffixes:
                if text.endswith(suffix) and len(text) > len(suffix):
                    text = text[: -len(suffix)]
                    changed = True
                    break
            place = _longest_affix(text, self._place_set, self._place_lens, prefix=True)
            if place is not None:
                text = text[len(place):]
                changed = True
            place = _longest_affix(text, self._place_set, self._place_lens, prefix=False)
            if place is not None:
                text = text[: -len(place)]
                changed = True
        return text

    def _normalize(self, text: str) -> str:
        while True:
            out = self._one_pass(text)
            if out == text:
                return out
            text = out


def _longest_affix(text: str, names: frozenset[str], lengths: tuple[int, ...],
                   prefix: bool) -> str | None:
    """The longest name in `names` that starts (prefix) or ends `text` and leaves at least two
    characters; `lengths` are the name lengths, longest first."""
    size = len(text)
    for n in lengths:
        if size > n + 1:
            cand = text[:n] if prefix else text[size - n:]
            if cand in names:
                return cand
    return None


_NORMALIZERS: dict[int, tuple[Reference, Normalizer]] = {}


def normalizer_for(ref: Reference | None = None) -> Normalizer:
    """The (cached) Normalizer of a Reference; `None` → the repo's reference data."""
    ref = ref if ref is not None else Reference.load()
    hit = _NORMALIZERS.get(id(ref))
    if hit is None or hit[0] is not ref:
        hit = (ref, Normalizer(ref))
        _NORMALIZERS[id(ref)] = hit
    return hit[1]


def normalize(value: object, ref: Reference | None = None) -> str:
    """Matching key of a project or investor name ('' for a missing name).

    With `ref=None` the repo's reference data (Reference.load()) supplies the place names.
    """
    return normalizer_for(ref)(value)
