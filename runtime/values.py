"""Small value helpers every layer shares (one copy each)."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

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


def map_distinct(values: pd.Series, fn: Callable[[object], Any]) -> pd.Series:
    """`values.map(fn)`, with `fn` called once per distinct text (perf, issue 17: a project's
    name or a file's name repeats on every row).  Missing values (None, NaN, pd.NA) go one by
    one, and so does a column that is not all texts (factorize would take 1 and True for one)."""
    if infer_dtype(values, skipna=True) not in ("string", "empty"):
        return values.map(fn)
    codes, distinct = pd.factorize(values)
    mapped = np.empty(len(distinct), dtype=object)
    for i, value in enumerate(distinct):
        mapped[i] = fn(value)
    out = mapped[np.where(codes >= 0, codes, 0)] if len(distinct) else np.empty(len(codes), object)
    raw = values.to_numpy()
    for i in np.flatnonzero(codes < 0):
        out[i] = fn(raw[i])
    return pd.Series(out, index=values.index, dtype=object)
