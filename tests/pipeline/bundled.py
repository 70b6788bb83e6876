"""Run the pipeline functions over the bundled samples once, for the ground-truth tests."""

from __future__ import annotations

from pathlib import Path

from assets.conform.assets import build_core
from assets.ingest.load import ingest
from assets.ingest.registry import month_folders
from assets.marts.assets import build_period
from runtime.warehouse import Warehouse

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "raw_samples"
TRUTH = REPO / "tests" / "ground_truth"


def load_samples(url: str) -> Warehouse:
    """staging ← whole drop folder, core, and the marts of every month (what --all does)."""
    wh = Warehouse(url)
    wh.create_schema()
    ingest(wh, SAMPLES)
    build_core(wh)
    for period in month_folders(SAMPLES):
        build_period(wh, period)
    return wh
