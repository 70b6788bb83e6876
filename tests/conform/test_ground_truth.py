"""Matching and credit measured on the labelled sample data (tests/ground_truth/), when present."""

from pathlib import Path

import pandas as pd
import pytest

from assets.conform.build import conform
from assets.conform.evaluate import pairwise_precision_recall, read_labelled_ledger
from runtime.reference import Reference

GT = Path(__file__).resolve().parents[1] / "ground_truth"
pytestmark = pytest.mark.skipif(not (GT / "ledger_rows.csv").exists(),
                                reason="no tests/ground_truth/ledger_rows.csv")


@pytest.fixture(scope="module")
def run():
    ledger, truth = read_labelled_ledger(GT / "ledger_rows.csv")
    periods = sorted(ledger["period"].unique())
    empty = pd.DataFrame()
    result = conform(ledger, empty, empty, empty, empty, Reference.load(), periods)
    return result, truth


def test_pairwise_precision_and_recall(run):
    result, truth = run
    m = result.matched_ledger
    ok = m["project_id"].notna()
    precision, recall = pairwise_precision_recall(m.loc[ok, "project_id"].tolist(),
                                                  truth[ok].tolist())
    assert precision >= 0.98 and recall >= 0.98, (precision, recall)


def test_territory_and_bridge(run):
    result, truth = run
    m = result.matched_ledger
    ok = m["project_id"].notna()
    to_true = m.loc[ok].assign(truth=truth[ok]).groupby("project_id")["truth"].agg(
        lambda s: s.value_counts().index[0]).to_dict()
    expected = pd.read_csv(GT / "credits.csv", dtype=str)
    theirs = set(zip(expected.true_project_id, expected.unit_name, expected.role,
                     expected.first_period, strict=True))
    b = result.bridge
    mine = set(zip(b.project_id.map(to_true), b.unit_name, b.role, b.first_period, strict=True))
    assert len(mine ^ theirs) <= 0.02 * len(theirs), sorted(mine ^ theirs)[:10]
