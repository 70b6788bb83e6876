"""Per-unit figures at a period: new projects (with their investments), funds, 四率 increments.

Project state comes from tests/marts/reference_impl.py (`_state`, `_bars`, `ref_four_rates`),
the loop-based indicator reference that is itself compared with the marts; nothing here comes
from assets/ or runtime/."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tests.marts.reference_impl import STAGES, _bars, _source_counts, _state, ref_four_rates


@dataclass
class Figures:
    funds: Decimal = Decimal(0)
    new: list = field(default_factory=list)  # project dicts of the unit's new projects

    @property
    def new_projects(self) -> int:
        return len(self.new)

    @property
    def industrial(self) -> int:
        return sum(1 for p in self.new if p["industrial"])


def _is_new(p: dict, period: str) -> bool:
    if p["inv"] is None or p["below"] or p["stage"] == "退库" or p["signed"] is None:
        return False
    if not (period[:4] + "-01" <= p["signed"] <= period):
        return False
    return STAGES.get(p["stage"], -1) >= STAGES["签约"] or p["library"]


class PeriodFigures:
    """Everything the scoring of one period reads about projects."""

    def __init__(self, core, period: str, rules):
        self.core, self.period, self.rules = core, period, rules
        self.projects, self.credited = _state(core, period, rules)
        self.rates = ref_four_rates(core, period, rules)

    def of(self, unit: str) -> Figures:
        bars = _bars(self.core, unit, self.rules)
        out = Figures()
        for pid in self.credited.get(unit, ()):
            p = self.projects.get(pid)
            if p is None or p["inv"] is None or p["below"] or p["stage"] == "退库":
                continue
            if not _source_counts(p, self.rules):
                continue
            if p["source"] != "foreign":
                out.funds += p["funds_now"]
            if not _is_new(p, self.period):
                continue
            if bars is not None and p["inv"] < (bars[0] if p["industrial"] else bars[1]):
                continue
            out.new.append(p)
        return out

    def major(self, unit: str) -> int:
        ind = self.rules.indicators
        return sum(1 for p in self.of(unit).new if p["inv"] >= ind.major_project_min_investment
                   and p["industry"] not in ind.major_project_excluded_industries)

    def increments(self, unit: str) -> dict | None:
        """rate -> increment (None when NULL); None when the unit's cohort is empty."""
        row = self.rates.get(unit)
        if row is None or not row["signed_projects"]:
            return None
        return {k: row[k + "_increment"] for k in self.rules.increment_targets}
