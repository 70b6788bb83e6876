"""Run the pipeline functions over the bundled samples once, for the ground-truth tests."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from assets.conform.assets import build_core
from assets.ingest.load import ingest
from assets.ingest.registry import month_folders
from assets.marts.assets import build_period
from runtime.warehouse import Warehouse

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "raw_samples"
TRUTH = REPO / "tests" / "ground_truth"


def stamp_arrivals() -> None:
    """Arrival times are modification times, which a git checkout does not keep: re-apply the
    generator's manifest (tests/samplegen/duty.py) when the ground truth has one."""
    from tests.samplegen.duty import apply_manifest

    manifest = TRUTH / "arrivals.csv"
    if manifest.exists():
        absent = apply_manifest(SAMPLES, manifest)
        assert not absent, f"arrivals.csv lists files not in raw_samples: {absent[:5]}"


def load_samples(url: str) -> Warehouse:
    """staging ← whole drop folder, core, and the marts of every month (what --all does)."""
    wh = Warehouse(url)
    wh.create_schema()
    stamp_arrivals()
    ingest(wh, SAMPLES)
    build_core(wh)
    for period in month_folders(SAMPLES):
        build_period(wh, period)
    return wh


def truth(name: str) -> pd.DataFrame:
    """A ground-truth CSV as text, empty cells as ''."""
    return pd.read_csv(TRUTH / f"{name}.csv", dtype=str, keep_default_na=False)


def norm(value) -> str:
    """One text form for a parsed value and its expected CSV text."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    try:
        return format(Decimal(text).normalize(), "f")
    except InvalidOperation:
        return text
