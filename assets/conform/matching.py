"""Project identity: which ledger rows, of all units and all months, describe the same project.

Design (pure; no Dagster, no warehouse):

1. **Keys.**  Every usable row (``row_ok``, non-empty name) gets a matching key
   ``(normalize(project_name), investor core@region)`` (see `normalize.py`).  Rows with the same key
   are the same project; everything below works on the distinct keys, so a cumulative ledger that
   repeats a project every month costs one key, not twelve.
2. **Blocking** (never all pairs).  Candidate key pairs are those that
   - share a *prefix token* of the name: of the name's n character bigrams, those held by at most
     ``max_posting`` keys ("汽车", "基地" are held by thousands and would pair half the city),
     ordered by how rare they are, the rarest ``ceil(prefix_share·n)+1`` (prefix filtering: two
     names with a large bigram overlap share one of their rare bigrams);
   - or have the same investor core, or the same normalised name (blocks of more than
     ``max_block`` keys are skipped).
   Every posting list is bounded, so candidate pairs grow about linearly with the number of keys.
3. **Score** of a candidate pair, explainable and symmetric (every comparison is made on the
   sorted pair, so score(a, b) == score(b, a)):
   - ``name_sim`` = min(difflib ratio, weighted bigram Dice) − share of substituted characters.
     The Dice weighs a bigram held by many keys ("年产", "基地", "汽车") less, so two projects that
     share only a template ("亮墬节能环保年产10万吨" / "军塏节能环保年产10万吨") score low; a
     substitution ("合力变速器壳体" / "通力变速器壳体") is what tells look-alike firms apart, while one
     project's spellings differ by insertions/deletions (项目, 柳州, 建设, brackets);
   - ``investor_sim`` = the same on the investor cores (without region), at least
     ``investor_contained`` when one contains the other ("上汽通用五菱" ⊂ "上汽通用五菱汽车");
   - ``score = name_weight·name_sim + investor_weight·investor_sim`` when both investors are known,
     else ``score = name_sim`` (a missing investor neither helps nor hurts).
   **Vetoes** (never the same project): different numbers in the names ("1期"/"2期",
   "年产2万套"/"年产50万套"), or investors from different regions ("湖南华骏食品"/"香港华骏食品";
   广西 and 柳州 are compatible, a missing region is compatible with any).
4. **Clustering**: pairs with ``score >= threshold`` (0.82) are merged with union-find, best pairs
   first.  A merge is refused when it would put into one cluster two rows of the same unit and month
   (one ledger lists two different projects; unless the pair is a near-identical
   ``duplicate_score`` pair: a duplicate row, reported by the conform layer), two different numbers
   or incompatible regions, or two investors less similar than ``investor_min`` — so a chain
   through a row without investor cannot join two different firms.
   On tests/ground_truth (7,191 rows, 615 projects) pairwise precision and recall are both 1.000;
   the lowest true-pair score there is 0.855 and the highest wrong-pair score 0.794.
5. **Stable id**: ``'P' + sha1(period|name key|investor key)[:10]`` of the cluster's earliest row
   (by period, then source_file, then source_row).  Appending later months or shuffling rows never
   changes an existing id; only new evidence that joins two earlier clusters retires one id.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache, lru_cache
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from assets.conform.blocking import (
    REGION_SEP,
    KeyList,
    affected_pairs,
    all_candidates,
    bigram_counts,
)
from assets.conform.blocking import bigrams as _bigrams
from assets.conform.credit import truthy
from assets.conform.normalize import Normalizer, normalizer_for
from runtime.reference import Reference
from runtime.values import map_distinct


@dataclass(frozen=True)
class MatchConfig:
    """Matching parameters (defaults tuned on tests/ground_truth; see the module docstring)."""

    name_weight: float = 0.7
    investor_weight: float = 0.3
    threshold: float = 0.82
    investor_contained: float = 0.9
    duplicate_score: float = 0.97
    prefix_share: float = 0.5
    max_posting: int = 60
    max_block: int = 200
    common_bigram: int = 10
    substitution_penalty: float = 1.0
    investor_min: float = 0.5
    cannot_link: bool = True

    def __post_init__(self) -> None:
        # bigram_weight divides by it: a bigram held by more than `common_bigram` keys weighs less
        if self.common_bigram < 1:
            raise ValueError(f"common_bigram must be at least 1, not {self.common_bigram}")


DEFAULT_CONFIG = MatchConfig()

_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class PairScore:
    score: float
    name_sim: float
    investor_sim: float | None
    keys: tuple[str, ...]  # what matched, e.g. ("name=exact", "investor~0.86")
    veto: str | None = None

    def explain(self) -> str:
        text = "+".join(self.keys)
        if self.veto:
            return f"{text}；否决：{self.veto}"
        return f"{text}→{self.score:.2f}"


@lru_cache(maxsize=1 << 16)
def _compare(a: str, b: str) -> tuple[float, int]:
    """(difflib ratio, characters substituted) of the sorted pair — symmetric by construction.

    A substitution ("合力" ↔ "通力", "金润" ↔ "德润") is what tells two look-alike firms or projects
    apart; one project's spellings differ by insertions and deletions (项目, 柳州, 建设, brackets).
    """
    if a == b:
        return 1.0, 0
    if not a or not b:
        return 0.0, 0
    x, y = (a, b) if a <= b else (b, a)
    matcher = SequenceMatcher(None, x, y, autojunk=False)
    replaced = sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag == "replace"
    )
    return matcher.ratio(), replaced


def _ratio(a: str, b: str) -> float:
    return _compare(a, b)[0]


def _substitution(a: str, b: str) -> float:
    """Share of the longer string that is substituted (0 when the two differ only by
    insertions/deletions)."""
    replaced = _compare(a, b)[1]
    return replaced / max(len(a), len(b)) if replaced else 0.0


TokenWeight = Callable[[str], float]


def _unit_weight(_token: str) -> float:
    return 1.0


def bigram_weight(df: dict[str, int], common: int) -> TokenWeight:
    """Weight of a name bigram: 1 for a bigram held by at most `common` keys, less for frequent
    ones ("汽车", "基地", "年产"): 1 / (1 + ln(df / common))."""
    cache = {t: (1.0 if n <= common else 1.0 / (1.0 + math.log(n / common)))
             for t, n in df.items()}

    def weight(token: str) -> float:
        return cache.get(token, 1.0)
    return weight


def bigram_total(name: str, weight: TokenWeight = _unit_weight) -> float:
    """The summed weight of a name's bigrams (the Dice denominator's share of that name).
    `math.fsum`, exactly rounded: a bigram set's order follows the process's string hashing, and
    a plain sum in that order could differ in its last bit from one run to the next."""
    return math.fsum(weight(t) for t in _bigrams(name))


def weighted_dice(a: str, b: str, weight: TokenWeight = _unit_weight,
                  totals: dict[str, float] | None = None) -> float:
    """Dice coefficient of the two names' character bigrams, each bigram weighted (symmetric).
    `totals`: `bigram_total` of the names, computed once per name instead of once per pair (the
    same sums, so the same result to the last bit)."""
    if a == b:
        return 1.0
    ta, tb = _bigrams(a), _bigrams(b)
    if not ta or not tb:
        return 0.0
    shared = math.fsum(weight(t) for t in ta & tb)  # order-free, as in bigram_total
    if totals is None:
        total = bigram_total(a, weight) + bigram_total(b, weight)
    else:
        total = totals[a] + totals[b]
    return 2 * shared / total if total else 0.0


def name_similarity(a: str, b: str, weight: TokenWeight = _unit_weight,
                    substitution_penalty: float = 1.0) -> float:
    """Similarity of two normalised project names in [0, 1] (symmetric): the smaller of the
    difflib ratio (same characters in the same order) and the weighted bigram Dice (the
    distinctive bigrams agree — "亮墬节能环保年产10万吨" and "军塏节能环保年产10万吨" share only
    common ones), less `substitution_penalty` × the share of substituted characters."""
    if a == b:
        return 1.0
    sim = min(_ratio(a, b), weighted_dice(a, b, weight))
    return max(0.0, sim - substitution_penalty * _substitution(a, b))


def investor_similarity(a: str, b: str, contained: float = DEFAULT_CONFIG.investor_contained,
                        substitution_penalty: float = 1.0) -> float | None:
    """Similarity of two normalised investor cores, None when either is missing (symmetric):
    difflib ratio less the substituted share, at least `contained` when one contains the other."""
    if not a or not b:
        return None
    sim = max(0.0, _ratio(a, b) - substitution_penalty * _substitution(a, b))
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 2 and short in long_:
        sim = max(sim, contained)
    return sim


def name_numbers(name: str) -> frozenset[str]:
    """The numbers of a normalised name: '年产2万套' → {'2'}, '旋切基地配套1期' → {'1'}."""
    return frozenset(n.lstrip("0") or "0" for n in _NUMBER.findall(name))


def split_investor(key: str) -> tuple[str, str]:
    """'万家房地产开发@江苏' → ('万家房地产开发', '江苏'); a key without region → (key, '')."""
    core, _, region = key.partition(REGION_SEP)
    return core, region


def regions_compatible(a: str, b: str) -> bool:
    """Two investor regions can be the same firm: equal, one unknown, or 广西 ⊃ 柳州."""
    return not a or not b or a == b or {a, b} == {"广西", "柳州"}


def hard_conflict(name_a: str, investor_a: str, name_b: str, investor_b: str) -> str | None:
    """Why two keys can never be one project (None when they can): different numbers in the
    names ("年产2万套" / "年产50万套", "1期" / "2期"), or investors of different regions
    ("湖南华骏食品" / "香港华骏食品")."""
    na, nb = name_numbers(name_a), name_numbers(name_b)
    if na and nb and na != nb:
        sides = sorted(("、".join(sorted(na)), "、".join(sorted(nb))))
        return f"名称中的数字不同（{sides[0]} / {sides[1]}）"
    ra, rb = split_investor(investor_a)[1], split_investor(investor_b)[1]
    if not regions_compatible(ra, rb):
        sides = sorted((ra, rb))
        return f"项目方地区不同（{sides[0]} / {sides[1]}）"
    return None


def score_pair(name_a: str, investor_a: str, name_b: str, investor_b: str,
               config: MatchConfig = DEFAULT_CONFIG,
               weight: TokenWeight = _unit_weight) -> PairScore:
    """Score of two normalised (name, investor) keys; symmetric in its two sides.  `weight`
    weighs name bigrams (`bigram_weight` of the whole data set; default: all 1).  Investor keys
    may carry a region ('银河化工@深圳', see `split_investor`)."""
    full_a, full_b = investor_a, investor_b
    n_sim = name_similarity(name_a, name_b, weight, config.substitution_penalty)
    investor_a, investor_b = split_investor(investor_a)[0], split_investor(investor_b)[0]
    i_sim = investor_similarity(investor_a, investor_b, config.investor_contained,
                                config.substitution_penalty)
    keys = ["name=exact" if n_sim == 1.0 else f"name~{n_sim:.2f}"]
    if _compare(name_a, name_b)[1]:
        keys[0] += f"(替换{_compare(name_a, name_b)[1]}字)"
    if i_sim is None:
        keys.append("investor=missing")
        score = n_sim
    else:
        if investor_a == investor_b:
            keys.append("investor=exact")
        elif i_sim == config.investor_contained and (
            investor_a in investor_b or investor_b in investor_a
        ):
            keys.append("investor=contained")
        else:
            keys.append(f"investor~{i_sim:.2f}")
        score = config.name_weight * n_sim + config.investor_weight * i_sim
    veto = hard_conflict(name_a, full_a, name_b, full_b)
    if veto:
        score = 0.0
    return PairScore(round(score, 6), n_sim, i_sim, tuple(keys), veto)


def candidate_pairs(names: list[str], investors: list[str],
                    config: MatchConfig = DEFAULT_CONFIG) -> set[tuple[int, int]]:
    """Candidate pairs (i < j) of distinct keys, by blocking (`blocking.py`)."""
    return all_candidates(names, investors, config)


# --------------------------------------------------------------------------------- clustering


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return ra


def project_id_for(period: str, name_key: str, investor_key: str) -> str:
    """'P' + the first 10 hex digits of sha1('period|name key|investor key')."""
    digest = hashlib.sha1(f"{period}|{name_key}|{investor_key}".encode()).hexdigest()
    return "P" + digest[:10]


MATCH_COLUMNS = ["project_id", "name_key", "investor_key", "match_score", "match_keys"]


@dataclass
class MatchResult:
    rows: pd.DataFrame  # indexed like the input: MATCH_COLUMNS
    pairs_considered: int
    pairs_merged: int
    clusters: pd.DataFrame  # project_id, match_keys (cluster summary)
    scored: ScoredPairs | None = None  # for the next build (see ScoredPairs)


def investor_key_of(norm: Normalizer, value: object) -> str:
    """The matching key of an investor: 'core@region', or the core when the region is unknown."""
    core, region = norm.investor_key(value)
    return f"{core}{REGION_SEP}{region}" if core and region else core


@dataclass
class KeyMemo:
    """The matching keys of the texts earlier builds keyed (perf, issue 17): a name's or an
    investor's key depends only on the text and the normalizer (the reference and this code),
    so while those are unchanged a text is keyed once, not at every build.  Texts only (a
    missing value or a number is keyed every time); `new` lists what this build keyed."""

    names: dict[str, str] = field(default_factory=dict)
    investors: dict[str, str] = field(default_factory=dict)
    new: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, text, key)

    KINDS = ("name", "investor")

    @classmethod
    def from_frame(cls, rows: pd.DataFrame) -> KeyMemo:
        """rows: kind, text, key (staging.name_keys)."""
        memo = cls()
        for kind, known in zip(cls.KINDS, (memo.names, memo.investors), strict=True):
            mine = rows.loc[rows["kind"] == kind]
            known.update(zip(mine["text"], mine["key"], strict=True))
        return memo

    def keyed(self, kind: str, fn: Callable[[object], str]) -> Callable[[object], str]:
        """`fn`, answered from the memo where it knows the text, else worked out and kept."""
        known = self.names if kind == "name" else self.investors

        def key(value: object) -> str:
            if not isinstance(value, str):
                return fn(value)
            if value not in known:
                known[value] = fn(value)
                self.new.append((kind, value, known[value]))
            return known[value]

        return key


@dataclass
class _Keys:
    """The distinct (name key, investor key) pairs of the usable rows, sorted; per usable row its
    key's index; per key its earliest row (period, file, row); and the rows' (unit, period)
    ledgers, from which `cells` gives the ledgers a key appears in."""

    distinct: list[tuple[str, str]]
    key_idx: np.ndarray  # per usable row: its key's index
    earliest: list[tuple[str, str, int]]
    units: np.ndarray  # per usable row, as text
    periods: np.ndarray

    @property
    def names(self) -> list[str]:
        return [k[0] for k in self.distinct]

    @property
    def investors(self) -> list[str]:
        return [k[1] for k in self.distinct]

    def cells(self, wanted: set[int]) -> dict[int, set[tuple[str, str]]]:
        """The (unit, period) ledgers of each key of `wanted` (only the keys of scored pairs are
        ever asked about: perf, issue 17)."""
        out: dict[int, set[tuple[str, str]]] = {k: set() for k in wanted}
        rows = np.flatnonzero(np.isin(self.key_idx, np.fromiter(wanted, np.int64, len(wanted))))
        for k, unit, period in zip(self.key_idx[rows].tolist(), self.units[rows].tolist(),
                                   self.periods[rows].tolist(), strict=True):
            out[k].add((unit, period))
        return out


def _sorted_codes(values: list) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values in sorted order): codes compare as the values do."""
    codes, distinct = pd.factorize(np.asarray(values, dtype=object), sort=True)
    return codes.astype(np.int64), np.asarray(distinct, dtype=object)


def _distinct_keys(use: pd.DataFrame, name_keys: pd.Series, inv_keys: pd.Series) -> _Keys:
    """Worked out on arrays (perf, issue 17): the keys sort as the (name, investor) tuples do,
    and a key's earliest row is the first of its rows in (period, file, row) order."""
    name_codes, names = _sorted_codes(name_keys.tolist())
    inv_codes, invs = _sorted_codes(inv_keys.tolist())
    pair = name_codes * max(len(invs), 1) + inv_codes
    uniq, key_idx = np.unique(pair, return_inverse=True)
    key_idx = key_idx.astype(np.int64).reshape(-1)
    distinct = list(zip(names[uniq // max(len(invs), 1)].tolist(),
                        invs[uniq % max(len(invs), 1)].tolist(), strict=True))
    periods = np.asarray(use["period"].astype(str).tolist(), dtype=object)
    files = np.asarray(use["source_file"].astype(str).tolist(), dtype=object)
    src_rows = np.array([int(x) for x in use["source_row"].tolist()], dtype=np.int64)
    order = np.lexsort((src_rows, _sorted_codes(files)[0], _sorted_codes(periods)[0]))
    _, first = np.unique(key_idx[order], return_index=True)  # in `order`: a key's first row
    at = order[first]
    earliest = list(zip(periods[at].tolist(), files[at].tolist(), src_rows[at].tolist(),
                        strict=True))
    units = np.asarray(use["unit_name"].astype(str).tolist(), dtype=object)
    return _Keys(distinct, key_idx, earliest, units, periods)


def name_weights(names: list[str], config: MatchConfig = DEFAULT_CONFIG) -> TokenWeight:
    """`bigram_weight` over the bigrams of the distinct names."""
    return bigram_weight(bigram_counts(names), config.common_bigram)


SCORED_COLUMNS = ["i", "j", "score", "name_sim", "investor_sim", "match_keys", "veto"]
KEY_COLUMNS = ["i", "name_key", "investor_key"]
_KEYS_SEP = "|"  # between a PairScore's keys when stored ("name~0.93", "investor=exact")
_CODE = ("matching.py", "blocking.py")  # the code a pair's candidacy and score depend on


@cache
def _own_source() -> bytes:
    return b"".join((Path(__file__).parent / name).read_bytes() for name in _CODE)


def scoring_digest(config: MatchConfig) -> str:
    """What candidacy and scores depend on besides the keys: the settings and this code."""
    h = hashlib.sha256(_own_source())
    h.update(repr(config).encode())
    return h.hexdigest()


def keys_digest(names: list[str], invs: list[str], config: MatchConfig) -> str:
    """What the scored pairs are a function of: the distinct keys, the settings and this code."""
    h = hashlib.sha256(scoring_digest(config).encode())
    for name, inv in zip(names, invs, strict=True):
        h.update(f"{name}\t{inv}\n".encode())
    return h.hexdigest()


KeyLists = tuple[list[str], list[str]]  # the distinct keys' names and investors, by index


@dataclass
class ScoredPairs:
    """The candidate pairs of one list of distinct keys at or above the threshold, best first
    (by key index), and how many candidates were considered.  Scoring is most of the cost of
    matching and depends only on `digest`'s inputs, so a rebuild whose keys did not change (a
    resubmission correcting figures, not names) reuses the stored pairs: the same list to the
    last bit, hence the same clusters and ids.  When the keys changed under the same settings
    (`settings`), only the pairs the change can affect are scored again (`_rescored`), from
    the key list the pairs were scored on (`keys`: the lists, or a function reading them)."""

    digest: str
    considered: int
    pairs: list[tuple[float, int, int, PairScore]]
    settings: str = ""
    keys: KeyLists | Callable[[], KeyLists | None] | None = None
    rescored: int | None = None  # pairs scored again by an update (None: all or none)

    def key_lists(self) -> KeyLists | None:
        if callable(self.keys):
            self.keys = self.keys()
        return self.keys

    def frame(self) -> pd.DataFrame:
        rows = [(i, j, ps.score, ps.name_sim, ps.investor_sim, _KEYS_SEP.join(ps.keys), ps.veto)
                for _, i, j, ps in self.pairs]
        return pd.DataFrame(rows, columns=SCORED_COLUMNS).astype(object)

    def keys_frame(self) -> pd.DataFrame:
        names, invs = self.key_lists() or ([], [])
        return pd.DataFrame({"i": range(len(names)), "name_key": names, "investor_key": invs},
                            columns=KEY_COLUMNS).astype(object)

    @classmethod
    def from_frame(cls, digest: str, considered: int, frame: pd.DataFrame, settings: str = "",
                   keys: Callable[[], KeyLists | None] | None = None) -> ScoredPairs:
        pairs = []
        for i, j, score, name_sim, inv_sim, keys_text, veto in frame[SCORED_COLUMNS].itertuples(
                index=False, name=None):
            ps = PairScore(float(score), float(name_sim),
                           None if inv_sim is None or inv_sim != inv_sim else float(inv_sim),
                           tuple(str(keys_text).split(_KEYS_SEP)),
                           None if veto is None or veto != veto else str(veto))
            pairs.append((ps.score, int(i), int(j), ps))
        pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
        return cls(digest, considered, pairs, settings, keys)

    @staticmethod
    def key_lists_of(frame: pd.DataFrame) -> KeyLists:
        """The key lists stored as `keys_frame` (rows in any order)."""
        frame = frame.sort_values("i")
        return ([str(v) for v in frame["name_key"]],
                ["" if v is None or v != v else str(v) for v in frame["investor_key"]])


class _Totals(dict):
    """`bigram_total` of each name, worked out when first asked for."""

    def __init__(self, weight: TokenWeight) -> None:
        super().__init__()
        self.weight = weight

    def __missing__(self, name: str) -> float:
        self[name] = total = bigram_total(name, self.weight)
        return total


def _scored(i: int, j: int, names: list[str], invs: list[str], config: MatchConfig,
            weight: TokenWeight, totals: dict[str, float]) -> tuple | None:
    """(score, i, j, PairScore) of a candidate pair at or above the threshold, else None."""
    # cheap bound first: the name similarity is at most the weighted bigram Dice
    dice = weighted_dice(names[i], names[j], weight, totals)
    # both investor cores known (a key's core is empty only when the key is or starts with "@")
    both = invs[i][:1] not in ("", REGION_SEP) and invs[j][:1] not in ("", REGION_SEP)
    bound = dice if not both else (
        config.name_weight * dice + config.investor_weight)
    if bound < config.threshold - 1e-6:  # the score is rounded to 6 places: never skip a
        return None                     # pair whose rounded score can still reach the bar
    ps = score_pair(names[i], invs[i], names[j], invs[j], config, weight)
    return (ps.score, i, j, ps) if ps.veto is None and ps.score >= config.threshold else None


def _scored_pairs(names: list[str], invs: list[str], config: MatchConfig,
                  previous: ScoredPairs | None = None) -> ScoredPairs:
    """Candidate pairs at or above the threshold, best first; `previous` when it was scored
    from the same keys, settings and code; updated from it when only the keys changed."""
    digest = keys_digest(names, invs, config)
    if previous is not None and previous.digest == digest:
        return previous
    settings = scoring_digest(config)
    if previous is not None and previous.settings == settings and previous.key_lists():
        return _rescored(previous, names, invs, config, digest)
    candidates = candidate_pairs(names, invs, config)
    weight = name_weights(names, config)
    totals = _Totals(weight)
    scored = [hit for i, j in candidates
              if (hit := _scored(i, j, names, invs, config, weight, totals)) is not None]
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    return ScoredPairs(digest, len(candidates), scored, settings, (names, invs))


def _rescored(previous: ScoredPairs, names: list[str], invs: list[str], config: MatchConfig,
              digest: str) -> ScoredPairs:
    """`previous` updated to the new keys (perf, issue 17): the pairs a change of keys can
    affect (`blocking.affected_pairs`: those of the added and removed keys, of the keys whose
    bigrams' counts changed, of the postings whose size crossed the limits) are scored again;
    every other pair keeps its score, with its keys' new indices.  The same list, to the last
    bit, as scoring every candidate of the new keys."""
    old = KeyList(*previous.key_lists(), config)
    new = KeyList(names, invs, config)
    affected = affected_pairs(old, new)
    considered = previous.considered - len(affected.was) + len(affected.now)
    scored = []
    for score, i, j, ps in previous.pairs:
        a, b = old.key(i), old.key(j)
        if (a, b) not in affected.pairs:  # both keys are in the new list: not affected
            scored.append((score, new.index[a], new.index[b], ps))
    weight = bigram_weight(new.df, config.common_bigram)
    totals = _Totals(weight)
    for a, b in affected.now:
        hit = _scored(new.index[a], new.index[b], names, invs, config, weight, totals)
        if hit is not None:
            scored.append(hit)
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    return ScoredPairs(digest, considered, scored, previous.settings, (names, invs),
                       rescored=len(affected.pairs))


class _Clusters:
    """Union-find over the distinct keys with what each cluster holds, so that a merge can be
    refused (module docstring, step 4).  Only the keys of scored pairs can merge, so only they
    get what a cluster holds (perf, issue 17); every other key is a cluster of its own."""

    def __init__(self, keys: _Keys, config: MatchConfig,
                 scored: list[tuple[float, int, int, PairScore]]) -> None:
        names, invs = keys.names, keys.investors
        self.n = len(names)
        self.config = config
        self.uf = _UnionFind(self.n)
        paired = {k for _, i, j, _ in scored for k in (i, j)}
        self.paired = sorted(paired)
        self.cells = keys.cells(paired)
        cores = {k: split_investor(invs[k])[0] for k in paired}
        self.invs: dict[int, set[str]] = {k: ({cores[k]} if cores[k] else set())
                                          for k in paired}
        self.regions: dict[int, set[str]] = {
            k: ({split_investor(invs[k])[1]} - {""}) for k in paired}
        self.numbers: dict[int, set[frozenset[str]]] = {
            k: ({name_numbers(names[k])} - {frozenset()}) for k in paired}
        self.best_link: dict[int, tuple[PairScore, int]] = {}
        self.merged = 0

    def _refused(self, score: float, ri: int, rj: int) -> bool:
        config = self.config
        ci, cj = self.cells[ri], self.cells[rj]
        if config.cannot_link and score < config.duplicate_score:
            small, big = (ci, cj) if len(ci) <= len(cj) else (cj, ci)
            if any(c in big for c in small):
                return True
        ii, ij = self.invs[ri], self.invs[rj]
        if ii and ij and not ii & ij and max(
            investor_similarity(a, b, config.investor_contained, config.substitution_penalty)
            or 0.0
            for a in sorted(ii)[:8] for b in sorted(ij)[:8]
        ) < config.investor_min:
            return True  # a chain through a row without investor must not join two investors
        numbers = self.numbers[ri] | self.numbers[rj]
        regions = self.regions[ri] | self.regions[rj]
        # nor two different numbers or regions
        return len(numbers) > 1 or any(
            not regions_compatible(a, b) for a in regions for b in regions)

    def _merge(self, i: int, j: int, ri: int, rj: int) -> None:
        numbers = self.numbers[ri] | self.numbers[rj]
        regions = self.regions[ri] | self.regions[rj]
        invs = self.invs[ri] | self.invs[rj]
        root = self.uf.union(i, j)
        other = rj if root == ri else ri
        self.invs[root], self.numbers[root], self.regions[root] = invs, numbers, regions
        for d in (self.invs, self.numbers, self.regions):
            d.pop(other, None)
        ci, cj = self.cells[ri], self.cells[rj]
        small, big = (ci, cj) if len(ci) <= len(cj) else (cj, ci)
        big |= small
        self.cells[root] = big
        self.cells.pop(other, None)
        self.merged += 1

    def add_pairs(self, scored: list[tuple[float, int, int, PairScore]]) -> None:
        """Merge the pairs best first, unless refused."""
        for score, i, j, ps in scored:
            ri, rj = self.uf.find(i), self.uf.find(j)
            if ri == rj or self._refused(score, ri, rj):
                continue
            self._merge(i, j, ri, rj)
            for k, partner in ((i, j), (j, i)):
                if k not in self.best_link or self.best_link[k][0].score < ps.score:
                    self.best_link[k] = (ps, partner)

    def roots(self) -> np.ndarray:
        """Each key's cluster root (a key of no pair is its own)."""
        root = np.arange(self.n, dtype=np.int64)
        for k in self.paired:
            root[k] = self.uf.find(k)
        return root

    def members(self, root: np.ndarray) -> dict[int, list[int]]:
        """root -> its keys ascending, the clusters in the order of their smallest key."""
        roots = root.tolist()
        together: dict[int, list[int]] = defaultdict(list)
        for k in self.paired:
            if roots[k] != k or self.uf.size[k] > 1:
                together[roots[k]].append(k)
        out: dict[int, list[int]] = {}
        for k, r in enumerate(roots):
            if r not in out:
                out[r] = together.get(r) or [k]
        return out


def _cluster_ids(keys: _Keys, members: dict[int, list[int]]) -> dict[int, str]:
    """root -> project id: that of the earliest row of the cluster (module docstring, step 5)."""
    names, invs, earliest = keys.names, keys.investors, keys.earliest
    out = {}
    for r, ks in members.items():
        k = ks[0] if len(ks) == 1 else min(ks, key=lambda m: (earliest[m], m))
        out[r] = project_id_for(earliest[k][0], names[k], invs[k])
    return out


def _key_explanations(keys: _Keys, clusters: _Clusters, root: np.ndarray,
                      members: dict[int, list[int]]) -> tuple[list[float], list[str]]:
    """Per distinct key: its match score and why it joined its cluster."""
    names, invs = keys.names, keys.investors
    key_score: list[float] = []
    key_expl: list[str] = []
    for k, r in enumerate(root.tolist()):
        if len(members[r]) == 1:
            key_score.append(1.0)
            key_expl.append("单一写法（名称+项目方完全一致）")
        else:
            ps, partner = clusters.best_link[k]
            key_score.append(ps.score)
            key_expl.append(f"{ps.explain()}，与「{names[partner]}」/「{invs[partner] or '—'}」")
    return key_score, key_expl


def _cluster_summaries(keys: _Keys, clusters: _Clusters, members: dict[int, list[int]],
                       id_of_root: dict[int, str]) -> pd.DataFrame:
    names, invs = keys.names, keys.investors
    summaries = []
    for r, ks in members.items():
        if len(ks) == 1:
            text = f"1种写法：「{names[ks[0]]}」/「{invs[ks[0]] or '—'}」"
        else:
            shown = "；".join(f"「{names[k]}」/「{invs[k] or '—'}」" for k in sorted(ks)[:5])
            weakest = min(clusters.best_link[k][0].score for k in ks)
            links = sorted({clusters.best_link[k][0].explain() for k in ks})[:3]
            text = (f"{len(ks)}种写法合并（最弱连接{weakest:.2f}；{'，'.join(links)}）：{shown}"
                    + ("…" if len(ks) > 5 else ""))
        summaries.append({"project_id": id_of_root[r], "match_keys": text})
    return pd.DataFrame(summaries, columns=["project_id", "match_keys"])


def match_projects(ledger: pd.DataFrame, ref: Reference | None = None,
                   config: MatchConfig = DEFAULT_CONFIG,
                   normalizer: Normalizer | None = None,
                   previous: ScoredPairs | None = None,
                   known_keys: KeyMemo | None = None) -> MatchResult:
    """A project_id and match explanation for every ledger row (None for unusable rows).

    `ledger` needs project_name, investor, unit_name, period, source_file, source_row and
    optionally row_ok (False rows are not matched and get project_id None).  Phases: row keys,
    distinct keys, scored candidate pairs (`previous`'s when the keys are the same), clusters,
    ids and explanations.  `known_keys`: the texts keyed by earlier builds with the same normalizer
    (speed only, never the result); the texts keyed now are added to it.
    """
    norm = normalizer or normalizer_for(ref)
    known_keys = known_keys if known_keys is not None else KeyMemo()
    out = pd.DataFrame(index=ledger.index, columns=MATCH_COLUMNS, dtype=object)
    if ledger.empty:
        return MatchResult(out, 0, 0, pd.DataFrame(columns=["project_id", "match_keys"]))
    ok = (truthy(ledger["row_ok"], False) if "row_ok" in ledger
          else pd.Series(True, index=ledger.index))
    name_keys = map_distinct(ledger["project_name"], known_keys.keyed("name", norm))
    inv_keys = map_distinct(ledger["investor"], known_keys.keyed(
        "investor", lambda v: investor_key_of(norm, v))) \
        if "investor" in ledger else pd.Series("", index=ledger.index)
    usable = ok & (name_keys != "")
    out.loc[~usable, "match_keys"] = "未参与匹配（该行缺项目名称或投资总额）"
    out["name_key"] = name_keys
    out["investor_key"] = inv_keys

    keys = _distinct_keys(ledger.loc[usable], name_keys[usable], inv_keys[usable])
    scored = _scored_pairs(keys.names, keys.investors, config, previous)
    clusters = _Clusters(keys, config, scored.pairs)
    clusters.add_pairs(scored.pairs)
    root = clusters.roots()
    members = clusters.members(root)
    id_of_root = _cluster_ids(keys, members)
    key_id = _objects([id_of_root[r] for r in root.tolist()])
    key_score, key_expl = _key_explanations(keys, clusters, root, members)
    # whole columns, not .loc on a subset (perf: pandas infers the type of what it sets)
    rows = np.flatnonzero(usable.to_numpy())
    for column, per_key in (("project_id", key_id), ("match_score", _objects(key_score)),
                            ("match_keys", _objects(key_expl))):
        values = out[column].to_numpy(dtype=object, copy=True)
        values[rows] = per_key[keys.key_idx]
        out[column] = values
    summaries = _cluster_summaries(keys, clusters, members, id_of_root)
    return MatchResult(out, scored.considered, clusters.merged, summaries, scored)


# ------------------------------------------------------------------- other lists → projects


def match_to_projects(names: list[object], investors: list[object],
                      project_keys: pd.DataFrame | None, norm: Normalizer,
                      config: MatchConfig = DEFAULT_CONFIG) -> list[tuple[str | None, str]]:
    """(project_id or None, explanation) for each row of another list (the 三企入桂 cohort list)
    against the conformed projects' keys (`project_keys`: name_key, investor_key, project_id of
    the matched ledger rows).  Same keys, score, vetoes and threshold as `match_projects`; the best
    scoring project wins (ties: the smaller id).  Candidates: the same key, the same investor
    core, or a shared name bigram held by at most `max_posting` project keys."""
    if project_keys is None or project_keys.empty:
        return [(None, "没有可匹配的项目台账") for _ in names]
    pk = project_keys.drop_duplicates(["name_key", "investor_key"])
    p_names, p_invs = pk["name_key"].tolist(), pk["investor_key"].tolist()
    p_ids = pk["project_id"].tolist()
    exact = {(n, i): pid for n, i, pid in zip(p_names, p_invs, p_ids, strict=True)}
    wanted = [(norm(raw_name), investor_key_of(norm, raw_inv))
              for raw_name, raw_inv in zip(names, investors, strict=True)]
    # postings only of the tokens the list's rows look up and that are rare enough to be used
    # (a posting's length is how many project keys hold the token; perf, issue 17)
    tokens = [_bigrams(name) for name in p_names]
    held = Counter(chain.from_iterable(tokens))
    p_cores = [split_investor(inv)[0] if inv else None for inv in p_invs]
    held_cores = Counter(p_cores)
    rare = config.max_posting
    asked_names = {t for name, _ in wanted for t in _bigrams(name) if held.get(t, 0) <= rare}
    asked_cores = {c for _, inv in wanted if inv
                   and held_cores.get(c := split_investor(inv)[0], 0) <= rare}
    postings: dict[str, list[int]] = defaultdict(list)
    for k, (toks, core) in enumerate(zip(tokens, p_cores, strict=True)):
        for t in toks & asked_names:
            postings["n:" + t].append(k)
        if core in asked_cores:
            postings["i:" + core].append(k)
    weight = bigram_weight(held, config.common_bigram)  # name_weights(p_names), counted once
    out: list[tuple[str | None, str]] = []
    for name, inv in wanted:
        if (name, inv) in exact:
            out.append((exact[(name, inv)], "名称+项目方完全一致"))
            continue
        cands: set[int] = set()
        for token in [*("n:" + t for t in _bigrams(name)),
                      *(["i:" + split_investor(inv)[0]] if inv else [])]:
            posting = postings.get(token, [])
            if len(posting) <= config.max_posting:
                cands.update(posting)
        best: tuple[float, str, PairScore] | None = None
        for k in cands:
            ps = score_pair(name, inv, p_names[k], p_invs[k], config, weight)
            if ps.veto is not None or ps.score < config.threshold:
                continue
            if best is None or ps.score > best[0] or (ps.score == best[0] and p_ids[k] < best[1]):
                best = (ps.score, p_ids[k], ps)
        out.append((best[1], best[2].explain()) if best else (
            None, "未找到得分达到阈值的项目"))
    return out


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
