import pytest

from assets.conform.evaluate import pairwise_precision_recall


def test_tiny_example():
    # truth: {0,1,2} {3,4}; predicted: {0,1} {2,3,4}
    # true pairs: 01 02 12 34 (4); predicted pairs: 01 23 24 34 (4); both: 01 34 (2)
    assert pairwise_precision_recall(["a", "a", "b", "b", "b"], [1, 1, 1, 2, 2]) == (0.5, 0.5)


def test_perfect_and_degenerate():
    assert pairwise_precision_recall(["x", "x", "y"], [7, 7, 8]) == (1.0, 1.0)
    assert pairwise_precision_recall(["x", "y", "z"], [1, 2, 3]) == (1.0, 1.0)
    p, r = pairwise_precision_recall(["x", "x", "x"], [1, 2, 3])
    assert p == 0.0 and r == 1.0
    with pytest.raises(ValueError):
        pairwise_precision_recall(["x"], [1, 2])
