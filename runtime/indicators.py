"""The indicator registry (reference/indicators.yaml): the one list of indicators, their Chinese
labels, kinds and target-table header variants, read by every layer."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from runtime.settings import Settings

KINDS = ("amount", "count", "share")


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    kind: str  # amount (亿元) | count | share (fraction)
    unit: str
    target_label: str
    target_variants: tuple[str, ...]

    @property
    def in_target_tables(self) -> bool:
        return bool(self.target_variants)


@dataclass(frozen=True)
class Registry:
    indicators: tuple[Indicator, ...]

    def __iter__(self):
        return iter(self.indicators)

    def __getitem__(self, key: str) -> Indicator:
        for ind in self.indicators:
            if ind.key == key:
                return ind
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(i.key for i in self.indicators)

    @property
    def labels(self) -> dict[str, str]:
        return {i.key: i.label for i in self.indicators}

    def of_kind(self, kind: str) -> frozenset[str]:
        return frozenset(i.key for i in self.indicators if i.kind == kind)

    @property
    def target_columns(self) -> tuple[str, ...]:
        """The indicators a target table can carry, in registry order."""
        return tuple(i.key for i in self.indicators if i.in_target_tables)


def load_indicators(directory: Path | None = None) -> Registry:
    """The registry of `directory` (default: the configured REFERENCE_DIR), cached per folder."""
    return _load(Path(directory) if directory is not None else Settings.from_env().reference_dir)


@cache
def _load(directory: Path) -> Registry:
    path = directory / "indicators.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for key, spec in (raw.get("indicators") or {}).items():
        missing = {"label", "kind", "unit", "target_label"} - set(spec or {})
        if missing:
            raise ValueError(f"{path.name}: 指标 {key} 缺少 {', '.join(sorted(missing))}")
        if spec["kind"] not in KINDS:
            raise ValueError(f"{path.name}: 指标 {key} 的 kind 应为 {'/'.join(KINDS)}")
        out.append(Indicator(key, str(spec["label"]), spec["kind"], str(spec["unit"]),
                             str(spec["target_label"]),
                             tuple(str(v) for v in spec.get("target_variants") or ())))
    if not out:
        raise ValueError(f"{path.name}: 没有任何指标")
    return Registry(tuple(out))
