"""Matching's scored pairs updated to a changed key list (issue 17): only the pairs the change
can affect are scored again, and the result is, to the last bit, that of scoring every candidate
pair of the new keys (pairs, scores, explanations, the count of candidates considered)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.conform.blocking import KeyList, affected_pairs, all_candidates
from assets.conform.matching import (
    DEFAULT_CONFIG,
    ScoredPairs,
    _scored_pairs,
    match_projects,
    name_weights,
    score_pair,
    weighted_dice,
)

# few characters, so that names share bigrams, counts cross every limit and blocks fill up
_NAME = st.one_of(st.text(alphabet="甲乙丙丁戊12", min_size=1, max_size=7),
                  st.text(alphabet="甲乙丙丁戊己庚辛壬癸1", min_size=1, max_size=6))
_INVESTOR = st.sampled_from(["", "甲乙", "甲乙丙", "丙丁@广西", "丙丁@湖南", "戊己@柳州"])
_KEY = st.tuples(_NAME, _INVESTOR)
_KEYS = st.sets(_KEY, max_size=40)
# a step: some keys removed (by position in the sorted list), a few added
_EDIT = st.tuples(st.lists(st.integers(0, 39), max_size=3), st.sets(_KEY, max_size=3))
_CONFIG = st.builds(
    lambda threshold, posting, block, common, share: replace(
        DEFAULT_CONFIG, threshold=threshold, max_posting=posting, max_block=block,
        common_bigram=common, prefix_share=share),
    st.sampled_from([0.3, 0.6, 0.82]), st.sampled_from([0, 1, 2, 4, 8, 60]),
    st.sampled_from([1, 2, 3, 5, 200]), st.integers(1, 6), st.sampled_from([0.0, 0.5, 1.0]))


def _lists(keys: set[tuple[str, str]]) -> tuple[list[str], list[str]]:
    ordered = sorted(keys)
    return [n for n, _ in ordered], [i for _, i in ordered]


def _same(got: ScoredPairs, want: ScoredPairs) -> None:
    assert got.digest == want.digest
    assert got.considered == want.considered
    assert got.pairs == want.pairs  # scores, indices, explanations and order


@settings(max_examples=500, deadline=None)
@given(_KEYS, st.lists(_EDIT, min_size=1, max_size=4), _CONFIG)
def test_an_updated_list_equals_scoring_the_new_keys_afresh(keys, edits, config):
    previous = _scored_pairs(*_lists(keys), config)
    for gone, added in edits:
        ordered = sorted(keys)
        keys = {k for n, k in enumerate(ordered) if n not in gone} | added
        names, invs = _lists(keys)
        updated = _scored_pairs(names, invs, config, previous)
        _same(updated, _scored_pairs(names, invs, config))
        if updated is not previous:
            assert updated.rescored is not None  # the update, not a scoring of every pair
        previous = updated


@settings(max_examples=600, deadline=None)
@given(_KEYS, _EDIT, _CONFIG)
def test_the_affected_pairs_hold_every_pair_whose_candidacy_changed(before, edit, config):
    gone, added = edit
    after = {k for n, k in enumerate(sorted(before)) if n not in gone} | added
    old, new = KeyList(*_lists(before), config), KeyList(*_lists(after), config)
    affected = affected_pairs(old, new)

    def named(keys: KeyList) -> set:
        return {(keys.key(i), keys.key(j)) for i, j in all_candidates(
            keys.names, keys.investors, config)}

    was, now = named(old), named(new)
    assert (was ^ now) <= affected.pairs
    assert affected.was == was & affected.pairs
    assert affected.now == now & affected.pairs
    assert old.candidates(affected.pairs) == affected.was  # candidacy asked pair by pair
    assert new.candidates(affected.pairs) == affected.now
    # and a pair left out scores the same under both lists' bigram weights, to the bit
    weights = [name_weights(keys.names, config) for keys in (old, new)]
    for a, b in (was & now) - affected.pairs:
        dice = {weighted_dice(a[0], b[0], w) for w in weights}
        scores = {score_pair(*a, *b, config, w) for w in weights}
        assert len(dice) == 1 and len(scores) == 1


def test_a_renamed_project_scores_only_its_pairs_again_and_merges_as_before():
    rows = [("岭南药业柳州中药生产基地", "岭南中药饮片有限公司"),
            ("岭南药业柳州中药材生产基地", "岭南中药饮片公司"),
            ("石墨烯复合材料项目", ""), ("集美江山项目", "柳州鹿寨金润房地产开发有限公司"),
            *[(f"第{n}号标准厂房项目", f"柳州{n}号建设公司") for n in range(1, 30)]]

    def ledger(first_name: str) -> pd.DataFrame:
        named = [(first_name, rows[0][1]), *rows[1:]]
        return pd.DataFrame(
            [(n, i or None, f"单位{k}", "2021-01", f"{k}.xlsx", 4) for k, (n, i) in
             enumerate(named)],
            columns=["project_name", "investor", "unit_name", "period", "source_file",
                     "source_row"])

    first = match_projects(ledger(rows[0][0]))
    stored = ScoredPairs.from_frame(
        first.scored.digest, first.scored.considered, first.scored.frame(),
        first.scored.settings,
        lambda: ScoredPairs.key_lists_of(first.scored.keys_frame().iloc[::-1]))
    renamed = ledger("新" + rows[0][0])
    again = match_projects(renamed, previous=stored)
    fresh = match_projects(renamed)
    pd.testing.assert_frame_equal(again.rows, fresh.rows)
    pd.testing.assert_frame_equal(again.clusters, fresh.clusters)
    assert again.pairs_considered == fresh.pairs_considered
    assert again.pairs_merged == fresh.pairs_merged == 1
    assert 0 < again.scored.rescored < fresh.pairs_considered


_CASES = {
    # "甲乙" held by more keys weighs less: the pair's score changes though neither key changed
    # and no posting of theirs did (no bigram is rare enough to be selected)
    "a bigram's weight": (dict(max_posting=0, common_bigram=2),
                          {("甲乙丙", "甲乙"), ("甲乙丁", "甲乙")}, {("甲乙戊", "")}, ()),
    # "甲乙" becomes too common to be selected: the pair loses the posting it shared
    "a bigram's rarity": (dict(max_posting=2, common_bigram=10, prefix_share=1.0),
                          {("甲乙丙", ""), ("甲乙丁", "")}, {("甲乙戊", "")}, ()),
    # the investor block outgrows max_block: its pairs are candidates no more
    "an investor block's size": (dict(max_posting=0, max_block=2),
                                 {("甲乙丙", "甲乙"), ("甲乙丁", "甲乙")}, {("戊己", "甲乙")}, ()),
    # the same, the other way: a key removed brings the block back within max_block
    "a key removed": (dict(max_posting=0, max_block=2),
                      {("甲乙丙", "甲乙"), ("甲乙丁", "甲乙"), ("戊己", "甲乙")}, set(),
                      (("戊己", "甲乙"),)),
    # a name listed under a third investor: its name block outgrows max_block
    "a name block's size": (dict(max_posting=0, max_block=2),
                            {("甲乙丙", "丙丁@广西"), ("甲乙丙", "")}, {("甲乙丙", "戊己@柳州")}, ()),
}


@pytest.mark.parametrize("case", sorted(_CASES))
def test_each_kind_of_change_is_scored_again(case):
    """Each way a change reaches pairs of unchanged keys, on its own (random lists rarely
    isolate one); each case changes the fresh result, so an update that missed it would differ."""
    overrides, before, added, removed = _CASES[case]
    config = replace(DEFAULT_CONFIG, threshold=0.3, **overrides)
    after = (before - set(removed)) | added
    previous = _scored_pairs(*_lists(before), config)
    fresh = _scored_pairs(*_lists(after), config)
    assert (fresh.considered, [p[3] for p in fresh.pairs]) != (
        previous.considered, [p[3] for p in previous.pairs])
    updated = _scored_pairs(*_lists(after), config, previous)
    assert updated.rescored is not None
    _same(updated, fresh)
