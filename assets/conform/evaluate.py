"""Pairwise precision and recall of a clustering against labelled data.

Over all unordered pairs of rows: a pair is *predicted* when both rows got the same predicted id,
*true* when both have the same true id.  precision = |predicted ∩ true| / |predicted|,
recall = |predicted ∩ true| / |true|.  Computed from contingency counts (O(n)), never from pairs:
pairs in a group of size m = m·(m−1)/2.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

import pandas as pd


def _pairs(counts: Iterable[int]) -> int:
    return sum(m * (m - 1) // 2 for m in counts)


def pairwise_precision_recall(predicted_ids: Sequence, true_ids: Sequence) -> tuple[float, float]:
    """(precision, recall) over row pairs; 1.0 when there is no pair to get wrong / to find."""
    if len(predicted_ids) != len(true_ids):
        raise ValueError("predicted_ids and true_ids must have the same length")
    predicted = _pairs(Counter(predicted_ids).values())
    true = _pairs(Counter(true_ids).values())
    both = _pairs(Counter(zip(predicted_ids, true_ids, strict=True)).values())
    precision = both / predicted if predicted else 1.0
    recall = both / true if true else 1.0
    return precision, recall


def read_labelled_ledger(path: Path) -> tuple[pd.DataFrame, pd.Series]:
    """tests/ground_truth/ledger_rows.csv → (ledger rows as the conform layer takes them, the
    true project id of each row)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False).astype(object)
    ledger = raw.map(lambda v: None if v == "" else v)
    for col in ("total_investment", "funds_this_year", "funds_cumulative"):
        ledger[col] = ledger[col].map(lambda v: None if v is None else Decimal(v))
    for col in ("is_industrial", "is_emerging", "is_sanqi"):
        ledger[col] = ledger[col].map(lambda v: None if v is None else v == "true")
    ledger["source_row"] = ledger["source_row"].astype(int)
    ledger["row_ok"] = ledger["project_name"].notna() & ledger["total_investment"].notna()
    truth = ledger.pop("true_project_id")
    return ledger, truth
