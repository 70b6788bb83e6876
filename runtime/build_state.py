"""Input fingerprints of the core model and of each period's marts.

A layer is a pure function of its inputs: core of the files in force (the registry), the
reference files, the rules and the conform code; a period's marts of core, the rules and the
marts code.  The fingerprint of those inputs is stored in the same transaction as the tables it
describes, so a run whose inputs are unchanged can skip the rebuild (issue 9, re-run with nothing
changed) and still leave exactly the tables a rebuild would have written.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import pandas as pd

from runtime.reference import places_file

_ROOT = Path(__file__).resolve().parents[1]
CODE = {
    "core": [_ROOT / "assets" / "conform", _ROOT / "runtime" / "reference.py"],
    "marts": [_ROOT / "assets" / "marts", _ROOT / "runtime" / "rules.py"],
}
# registry columns that say nothing about content (a re-run rewrites them)
_VOLATILE = {"first_seen_at", "parsed_at"}


def _hash_paths(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for base in paths:
        files = sorted(base.rglob("*")) if base.is_dir() else [base]
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.name.encode())
                h.update(f.read_bytes())
    return h.hexdigest()


@cache
def code_hash(layer: str) -> str:
    """The layer's source code, hashed once per process: it is the code this process runs."""
    return _hash_paths(CODE[layer])


def core_fingerprint(wh, rules, reference_dir: Path) -> str:
    """Registry (every column but the run timestamps) + reference + rules + conform code."""
    cols = [c for c in wh.columns("staging.files") if c not in _VOLATILE]
    registry = wh.read(f"SELECT {', '.join(cols)} FROM staging.files ORDER BY file_id")
    h = hashlib.sha256()
    h.update(registry.astype(str).to_csv(index=False).encode())
    h.update(_hash_paths([reference_dir]).encode())
    h.update(_hash_paths([places_file(reference_dir)]).encode())  # may live outside it
    h.update(repr(rules).encode())
    h.update(code_hash("core").encode())
    return h.hexdigest()


def marts_fingerprint(core_fp: str | None, rules, period: str) -> str | None:
    if core_fp is None:
        return None
    parts = [core_fp, repr(rules), code_hash("marts"), period]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def stored(wh, layer: str, scope: str = "") -> str | None:
    value = wh.scalar("SELECT fingerprint FROM staging.build_state WHERE layer = :l AND "
                      "scope = :s", {"l": layer, "s": scope})
    return None if value is None else str(value)


def store(tx, layer: str, scope: str, fingerprint: str) -> None:
    """Inside the transaction that writes the layer's tables."""
    tx.delete("staging.build_state", {"layer": layer, "scope": scope})
    tx.insert("staging.build_state", pd.DataFrame(
        [{"layer": layer, "scope": scope, "fingerprint": fingerprint}]))
