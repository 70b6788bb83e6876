"""Test-only fault hook: `ZS_FAULT_AT=<point>` makes the process die (os._exit(137), as a
SIGKILL would) at that named point, so tests/reliability can prove a run killed mid-write
leaves the warehouse as it was.  Unset (always, outside those tests) it does nothing.

Points: staging_tx (inside the staging transaction, before commit), staging_done (after the
staging commit), core_tx (inside the core transaction, before commit), marts_tx (inside the
marts transaction, before commit), parse:<source_file> (in the process parsing that file).
Several points are separated by "|"; a point written deaf:<point> does not kill: from there on
the process ignores SIGTERM, as one that inherited SIGTERM ignored does.
"""

from __future__ import annotations

import os
import signal
import sys

from runtime.settings import Settings


def fault_point(name: str) -> None:
    points = (Settings.from_env().fault_at or "").split("|")
    if f"deaf:{name}" in points:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if name in points:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(137)
