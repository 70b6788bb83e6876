"""runtime.collector.bulk_work: the collector's thresholds are raised inside and put back after,
also when the work fails, and the pipeline's bulk steps run inside it."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest

from runtime.collector import BULK_THRESHOLD, bulk_work


def test_thresholds_are_raised_inside_and_restored_after_even_on_failure():
    before = gc.get_threshold()
    assert before != BULK_THRESHOLD
    with bulk_work():
        assert gc.get_threshold() == BULK_THRESHOLD
        with bulk_work():  # nested: the outer setting survives the inner one's end
            pass
        assert gc.get_threshold() == BULK_THRESHOLD
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), bulk_work():
        raise RuntimeError("bad file")
    assert gc.get_threshold() == before


def test_the_bulk_steps_run_inside_it(monkeypatch):
    """ingest, build_core and the marts builds are wrapped (their collector setting is seen
    from inside by the first thing each one calls)."""
    import assets.conform.assets as conform_assets
    import assets.ingest.load as load
    import assets.marts.assets as marts_assets

    seen = []

    class Stop(Exception):
        pass

    def spy(*_a, **_k):
        seen.append(gc.get_threshold())
        raise Stop

    monkeypatch.setattr(load, "scan_files", spy)
    monkeypatch.setattr(conform_assets, "RunInputs", type("R", (), {"load": staticmethod(spy)}))
    monkeypatch.setattr(marts_assets, "MartsInputs", type("M", (), {"read": staticmethod(spy)}))
    inputs = SimpleNamespace(reference=None, settings=SimpleNamespace(ingest_workers=1))
    for call in (lambda: load.ingest(None, None, inputs=inputs, limits=object()),
                 lambda: conform_assets.build_core(None),
                 lambda: marts_assets.build_period(None, "2023-01", rules=object()),
                 lambda: marts_assets.build_periods(None, ["2023-01"], rules=object())):
        with pytest.raises(Stop):
            call()
    assert seen == [BULK_THRESHOLD] * 4
    assert gc.get_threshold() != BULK_THRESHOLD
