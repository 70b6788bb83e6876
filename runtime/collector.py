"""The cyclic garbage collector during bulk work (perf, issue 17).

Ingest, conform and the marts keep millions of small objects alive (texts, Decimals, per-project
records) while making millions more.  With CPython's default thresholds the collector then runs
full passes over every live object again and again and finds almost nothing: these objects are
freed by reference counting, not by the collector.  Collecting less often while bulk work runs
took a province resubmission from 40.5 to 35.9 s at the same peak memory (docs/performance.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# a young collection every 100,000 allocations (default 700), an older one every 50 of those,
# and the full pass only every 100 of the older ones
BULK_THRESHOLD = (100_000, 50, 100)


@contextmanager
def bulk_work() -> Iterator[None]:
    """Collect less often inside; the thresholds as they were after (usable as a decorator)."""
    before = gc.get_threshold()
    gc.set_threshold(*BULK_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)
