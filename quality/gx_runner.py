"""Run a Great Expectations 1.x suite on a DataFrame (ephemeral context, pandas data source).

dagster-ge supports only GX < 1.0, so the asset checks call GX directly through this module.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

logging.getLogger("great_expectations").setLevel(logging.WARNING)


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int
    sample: list = field(default_factory=list)


@dataclass
class SuiteOutcome:
    suite: str
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failing_count(self) -> int:
        return sum(o.unexpected_count for o in self.outcomes if not o.success)


_CONTEXT = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        _CONTEXT = gx.get_context(mode="ephemeral")
        # GX draws tqdm bars per validation; in Dagster logs they are noise.
        _CONTEXT.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
    return _CONTEXT


def run_suite(name: str, df: pd.DataFrame, expectations: list) -> SuiteOutcome:
    """Validate `df` against GX expectation objects; returns counts and failing samples."""
    import great_expectations as gx

    ctx = _context()
    source_name = f"src_{name}"
    try:
        source = ctx.data_sources.get(source_name)
    except (KeyError, ValueError):
        source = ctx.data_sources.add_pandas(source_name)
    try:
        asset = source.get_asset(name)
        batch = asset.get_batch_definition("whole")
    except (LookupError, ValueError):
        asset = source.add_dataframe_asset(name)
        batch = asset.add_batch_definition_whole_dataframe("whole")
    try:
        ctx.suites.delete(name)
    except Exception:  # noqa: BLE001 — first run: nothing to delete
        pass
    suite = ctx.suites.add(gx.ExpectationSuite(name=name, expectations=list(expectations)))
    try:
        ctx.validation_definitions.delete(name)
    except Exception:  # noqa: BLE001
        pass
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite, name=name))
    frame = df.astype(object).where(df.notna(), None) if not df.empty else df
    result = vd.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY")
    outcomes = []
    for r in result.results:
        cfg = r.expectation_config
        res = r.result or {}
        count = res.get("unexpected_count")
        if count is None:  # table-level expectations report an observed value instead
            count = 0 if r.success else 1
        outcomes.append(ExpectationOutcome(
            expectation=cfg.type,
            column=cfg.kwargs.get("column") or ",".join(cfg.kwargs.get("column_list") or []) or None,
            success=bool(r.success),
            unexpected_count=int(count),
            sample=[str(v) for v in (res.get("partial_unexpected_list") or [])[:5]],
        ))
    return SuiteOutcome(name, len(df), outcomes)
