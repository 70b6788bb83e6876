"""Matching parameters were tuned on the bundled samples (seed 20221); they are validated here on
a world of another seed that nobody tuned on (issue 21)."""

from __future__ import annotations

from benchmarks.matching import generate_world, measure

UNTUNED_SEED = 7


def test_matching_holds_on_a_world_it_was_not_tuned_on(tmp_path):
    r = measure(generate_world(UNTUNED_SEED, tmp_path))
    assert r["matched"] > 5000 and r["true"] > 500  # a full world, not a toy
    assert r["precision"] >= 0.98, r
    assert r["recall"] >= 0.98, r
