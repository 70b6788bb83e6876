"""Blocking: which pairs of distinct matching keys are scored at all (step 2 of `matching`'s
docstring), and which pairs a change of the key list can affect (perf, issue 17).

A key is a (normalised name, investor key) pair; a key list is the sorted distinct keys of one
build.  A pair is a *candidate* when some posting holds both keys and has between 2 and
``max_block`` members.  The postings of a key:

- ``("n", t)`` for each of its *selected* bigrams: of the name's bigrams held by at most
  ``max_posting`` keys, the rarest ``ceil(prefix_share·n)+1`` by (count, bigram);
- ``("i", core)``, the investor core without region, when it has an investor;
- ``("e", name)``, its name.

Pure; no scoring here (that is `matching`), only which pairs.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Protocol

REGION_SEP = "@"

Key = tuple[str, str]  # (name key, investor key)
Posting = tuple[str, str]  # ("n", bigram) | ("i", investor core) | ("e", name)


class BlockingConfig(Protocol):
    prefix_share: float
    max_posting: int
    max_block: int
    common_bigram: int


@lru_cache(maxsize=1 << 18)
def bigrams(text: str) -> frozenset[str]:
    """A name's character bigrams; a one-character name is its own token."""
    if len(text) < 2:
        return frozenset({text} if text else ())
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def investor_core(investor_key: str) -> str:
    """'万家房地产开发@江苏' → '万家房地产开发' (the key without its region)."""
    return investor_key.partition(REGION_SEP)[0]


def bigram_counts(names: list[str]) -> Counter:
    """How many keys of the list hold each bigram (a name listed under two investors counts
    twice): what rarity, selection and bigram weights are computed from."""
    return Counter(chain.from_iterable(map(bigrams, names)))


def _selection(toks: frozenset[str], df: Counter, config: BlockingConfig) -> list[str]:
    rare = sorted((t for t in toks if df[t] <= config.max_posting), key=lambda t: (df[t], t))
    return rare[: math.ceil(config.prefix_share * len(toks)) + 1]


def all_candidates(names: list[str], investors: list[str],
                   config: BlockingConfig) -> set[tuple[int, int]]:
    """Every candidate pair (i < j) of the distinct keys (module docstring)."""
    keys = KeyList(names, investors, config)
    postings: dict[Posting, list[int]] = defaultdict(list)
    for i in range(len(names)):
        for posting in keys.postings_of(i):
            postings[posting].append(i)  # ascending: keys are visited in order
    pairs: set[tuple[int, int]] = set()
    for members in postings.values():
        if not keys.in_range(members):
            continue
        for a in range(len(members)):
            ia = members[a]
            for b in range(a + 1, len(members)):
                pairs.add((ia, members[b]))
    return pairs


class KeyList:
    """One build's distinct keys with their blocking worked out on demand: a key's selected
    bigrams and postings, a posting's members, whether a pair is a candidate.  Only what a
    change touches is ever worked out, so asking costs about what the change is, not the list
    (`all_candidates` works out all of it)."""

    def __init__(self, names: list[str], investors: list[str], config: BlockingConfig) -> None:
        self.names, self.investors, self.config = names, investors, config
        self.df = bigram_counts(names)
        self.index: dict[Key, int] = {k: i for i, k in enumerate(zip(names, investors,
                                                                      strict=True))}
        self._selected: dict[int, frozenset[str]] = {}
        self._holders: dict[str, list[int]] = {}
        self._members: dict[str, list[int]] = {}
        self._by_core: dict[str, list[int]] | None = None
        self._by_name: dict[str, list[int]] | None = None

    def key(self, i: int) -> Key:
        return self.names[i], self.investors[i]

    def selected(self, i: int) -> frozenset[str]:
        if i not in self._selected:
            self._selected[i] = frozenset(_selection(bigrams(self.names[i]), self.df,
                                                     self.config))
        return self._selected[i]

    def postings_of(self, i: int) -> list[Posting]:
        out: list[Posting] = [("n", t) for t in self.selected(i)]
        if self.investors[i]:
            out.append(("i", investor_core(self.investors[i])))
        if self.names[i]:
            out.append(("e", self.names[i]))
        return out

    def holding(self, tokens: set[str]) -> dict[str, list[int]]:
        """The keys holding each bigram of `tokens` (one pass over the names for those not yet
        known)."""
        missing = {t for t in tokens if t not in self._holders}
        if missing:
            found: dict[str, list[int]] = {t: [] for t in missing}
            for i, name in enumerate(self.names):
                toks = bigrams(name)
                if not toks.isdisjoint(missing):
                    for t in toks & missing:
                        found[t].append(i)
            self._holders.update(found)
        return {t: self._holders[t] for t in tokens}

    def members(self, posting: Posting) -> list[int]:
        """The keys of a posting, ascending."""
        kind, value = posting
        if kind == "n":
            if value not in self._members:
                self._members[value] = [] if self.df.get(value, 0) > self.config.max_posting \
                    else [i for i in self.holding({value})[value] if value in self.selected(i)]
            return self._members[value]
        if kind == "i":
            if self._by_core is None:
                self._by_core = defaultdict(list)
                for i, inv in enumerate(self.investors):
                    if inv:
                        self._by_core[investor_core(inv)].append(i)
            return self._by_core.get(value, [])
        if self._by_name is None:
            self._by_name = defaultdict(list)
            for i, name in enumerate(self.names):
                if name:
                    self._by_name[name].append(i)
        return self._by_name.get(value, [])

    def in_range(self, members: list[int]) -> bool:
        return 2 <= len(members) <= self.config.max_block

    def candidates(self, pairs: set[tuple[Key, Key]]) -> set[tuple[Key, Key]]:
        """The pairs of `pairs` whose two keys are both in the list and share a posting of
        2..max_block members."""
        shared = {}
        for a, b in pairs:
            if a in self.index and b in self.index:
                shared[a, b] = set(self.postings_of(self.index[a])).intersection(
                    self.postings_of(self.index[b]))
        self.holding({value for both in shared.values() for kind, value in both if kind == "n"})
        return {pair for pair, both in shared.items()
                if any(self.in_range(self.members(p)) for p in both)}


def _ordered(a: Key, b: Key) -> tuple[Key, Key]:
    return (a, b) if a <= b else (b, a)


def _touching(member_keys: list[Key], touched: set[Key]):
    """The pairs of a posting's members with at least one touched key."""
    return (_ordered(a, b) for a in member_keys if a in touched
            for b in member_keys if b != a)


@dataclass
class Affected:
    """The pairs a change of keys can affect (`affected_pairs`), and which of them are
    candidates in the old list (`was`) and in the new (`now`)."""

    pairs: set[tuple[Key, Key]]
    was: set[tuple[Key, Key]]
    now: set[tuple[Key, Key]]


def affected_pairs(old: KeyList, new: KeyList) -> Affected:
    """Every pair of keys whose candidacy or score can differ between the two lists (ordered
    key pairs; keys of either list).  Every other pair of keys of both lists is a candidate in
    both or in neither, with the same score: its keys' postings, its postings' members and the
    weights of its bigrams are the same in both.

    A key added or removed changes the counts of its own bigrams only (those whose count
    differs, `changed`), and the members of its own investor and name postings.  So:

    - a bigram whose count changed re-orders the selection of the keys holding it, when it was
      or is rare enough to be selected (≤ ``max_posting``): those keys' postings change;
    - its weight changes when it was or is held by more than ``common_bigram`` keys: every
      pair with a key holding it scores differently;
    - a posting whose members changed keeps its other pairs unless its size crosses the
      2..max_block range, in which case all its pairs are affected.
    """
    config = new.config
    added = set(new.index).difference(old.index)
    removed = set(old.index).difference(new.index)
    changed = {t for name, _ in added | removed for t in bigrams(name)
               if old.df.get(t, 0) != new.df.get(t, 0)}
    reordered = {t for t in changed
                 if min(old.df.get(t, 0), new.df.get(t, 0)) <= config.max_posting}
    reweighed = {t for t in changed
                 if max(old.df.get(t, 0), new.df.get(t, 0)) > config.common_bigram}
    touched = added | removed  # keys each of whose candidate pairs is affected
    for holders in new.holding(reordered | reweighed).values():
        touched.update(new.key(i) for i in holders)
    # the postings whose members or pairs may differ: those of the touched keys (an added or
    # removed key's investor and name postings among them)
    postings: set[Posting] = set()
    for keys in (old, new):
        for k in touched:
            if k in keys.index:
                postings.update(keys.postings_of(keys.index[k]))
    tokens = {value for kind, value in postings if kind == "n"}
    old.holding(tokens)
    new.holding(tokens)

    # per list, the pairs of a posting in range there; `same`: of a posting with the same
    # members in both lists (most of them: a key that only scores differently moves nowhere)
    same: set[tuple[Key, Key]] = set()
    found: tuple[set, set] = (set(), set())
    for posting in postings:
        members = [[keys.key(i) for i in keys.members(posting)] for keys in (old, new)]
        ranges = [keys.in_range(m) for keys, m in zip((old, new), members, strict=True)]
        if members[0] == members[1]:  # ascending in both: the same keys
            if ranges[0]:
                same.update(_touching(members[0], touched))
            continue
        for member_keys, in_range, out in zip(members, ranges, found, strict=True):
            if not in_range:
                continue
            if ranges[0] != ranges[1]:  # every pair of it is a candidate in one list only
                out.update(_ordered(a, b) for x, a in enumerate(member_keys)
                           for b in member_keys[x + 1:])
            else:  # the same pairs of unchanged keys, with the same scores
                out.update(_touching(member_keys, touched))
    found = (found[0] | same, found[1] | same)
    pairs = found[0] | found[1]
    # a pair found in one list is a candidate in the other when a posting there holds both; a
    # pair with a touched key would have been found there too, so only the others are asked
    was, now = (
        mine | keys.candidates({p for p in pairs - mine
                                if p[0] not in touched and p[1] not in touched})
        for keys, mine in zip((old, new), found, strict=True))
    return Affected(pairs, was, now)
