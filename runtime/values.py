"""Small value helpers every layer shares (one copy each)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pandas as pd

from runtime.reference import parse_flag


def is_missing(x: Any) -> bool:
    """None, pandas NA/NaT, or a float or Decimal NaN: no value."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, float) and math.isnan(x):
        return True
    if isinstance(x, Decimal) and x.is_nan():
        return True
    return False


def is_blank(x: Any) -> bool:
    """Missing, or text with nothing but spaces."""
    return is_missing(x) or (isinstance(x, str) and not x.strip())


def as_flag(value: object) -> bool | None:
    """A stored yes/no value as bool (是/否, true/false, numpy bools); None when unknown."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_":  # numpy bool
        return bool(value)
    return parse_flag(value)
