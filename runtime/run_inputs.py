"""What a run reads besides the submissions — settings, rules and reference data — loaded once
per run and passed down to every layer, so one run can never mix two rules files."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.indicators import Registry, load_indicators
from runtime.reference import Reference
from runtime.rules import Rules, load_rules
from runtime.settings import Settings


@dataclass(frozen=True)
class RunInputs:
    settings: Settings
    rules: Rules
    reference: Reference
    indicators: Registry

    @staticmethod
    def load(settings: Settings | None = None) -> RunInputs:
        """Read RULES_FILE and REFERENCE_DIR of `settings` (default: the environment's).
        A broken rules file raises `RulesError` naming the key."""
        settings = settings or Settings.from_env()
        return RunInputs(
            settings=settings,
            rules=load_rules(settings.rules_file),
            reference=Reference.load(settings.reference_dir),
            indicators=load_indicators(settings.reference_dir),
        )
