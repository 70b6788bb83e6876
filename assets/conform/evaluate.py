"""Pairwise precision and recall of a clustering against labelled data.

Over all unordered pairs of rows: a pair is *predicted* when both rows got the same predicted id,
*true* when both have the same true id.  precision = |predicted ∩ true| / |predicted|,
recall = |predicted ∩ true| / |true|.  Computed from contingency counts (O(n)), never from pairs:
pairs in a group of size m = m·(m−1)/2.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence


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
