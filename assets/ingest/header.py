"""Find a sheet's header row(s) and map header texts to canonical fields (reference/columns.yaml).

- The header is the row (within the first rows of the sheet) whose cells match the most known
  header variants; title, unit and date lines above it are skipped.
- Two-row headers are joined: a group cell merged over sub-cells ("到位资金" over "本年"/"累计")
  gives "到位资金本年" / "到位资金累计"; a cell merged down over both rows is used once.
- The amount unit of a column comes from its header ("（万元）"), else from a "单位：万元" line above
  the table, else from the field's default in columns.yaml.
- Columns that map to no field are kept (`extras`) for `extra_json`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from runtime.indicators import load_indicators
from runtime.settings import Settings

KINDS = ("target_table", "activity_ledger", "reserve_projects", "cohort_list", "project_ledger")
MAX_HEADER_SCAN = 40

_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_BRACKET_UNIT = re.compile(r"[(（\[【][^)）\]】]*?(万元|亿元|万|亿)[^)）\]】]*[)）\]】]")
_LABEL_UNIT = re.compile(r"单位[:：]?(?:人民币)?(万元|亿元|万|亿)")
_ANY_UNIT = re.compile(r"(万元|亿元)")
_SUBHEADER_WORDS = re.compile(r"^(本年|累计|本月|当年|年度|区外境内|区外|境内|境外|其中)")
_ROW_LABEL = re.compile(r"^(合计|小计|总计|共计|例|示例|注|说明|备注[:：])")


_HEADER_TEXT_CACHE: dict[str, str | None] = {}


def header_text(value: Any) -> str | None:
    """Normalised header text: NFKC, no whitespace or line breaks; None for non-text cells."""
    if value is None or not isinstance(value, str):
        return None
    # Perf (issue 9): header detection asks for the same cells once per kind; memoise (str only).
    cached = _HEADER_TEXT_CACHE.get(value, _MISSING)
    if cached is not _MISSING:
        return cached
    if len(_HEADER_TEXT_CACHE) > 200_000:
        _HEADER_TEXT_CACHE.clear()
    text = "".join(unicodedata.normalize("NFKC", value).split()) or None
    _HEADER_TEXT_CACHE[value] = text
    return text


_MISSING: Any = object()


def amount_unit(text: str | None) -> str | None:
    """'亿' or '万' when a header/title text names the amount unit."""
    if not text:
        return None
    text = "".join(unicodedata.normalize("NFKC", text).split())
    for pattern in (_BRACKET_UNIT, _LABEL_UNIT, _ANY_UNIT):
        match = pattern.search(text)
        if match:
            return "万" if match.group(1).startswith("万") else "亿"
    return None


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    unit: str | None
    variants: tuple[tuple[str, Any], ...]  # (mode, str | compiled regex); mode: sub | exact | re
    weak: bool = False  # `weak: true`: the column does not count when telling kinds apart

    def score(self, text: str, bare: str) -> int:
        best = 0
        for mode, variant in self.variants:
            if mode == "exact":
                if variant in (bare, text):
                    best = max(best, len(variant) + 100)
            elif mode == "re":
                match = variant.search(text)
                if match:
                    best = max(best, len(match.group(0)))
            elif variant in text:
                best = max(best, len(variant) + (100 if bare == variant else 0))
        return best


@dataclass(frozen=True)
class KindSpec:
    name: str
    title: tuple[str, ...]
    required: tuple[tuple[str, ...], ...]
    required_without_title: tuple[tuple[str, ...], ...] | None
    any_of: tuple[str, ...]
    fields: dict[str, FieldSpec]
    title_required: bool = False  # recognised only when the title names the kind (cohort list)


def _variant(raw: str) -> tuple[str, Any]:
    norm = "".join(unicodedata.normalize("NFKC", str(raw)).split())
    if norm.startswith("re:"):
        return ("re", re.compile(norm[3:]))
    if norm.startswith("="):
        return ("exact", norm[1:])
    return ("sub", norm)


def load_columns(directory: Path | None = None) -> dict[str, KindSpec]:
    """Header variants per kind from `directory`/columns.yaml (default: the configured
    REFERENCE_DIR), the target tables' indicator columns from its indicators.yaml."""
    return _load_columns(Path(directory) if directory is not None
                         else Settings.from_env().reference_dir)


def _target_indicator_fields(directory: Path) -> dict[str, dict]:
    fields = {}
    for ind in load_indicators(directory):
        if ind.in_target_tables:
            spec = {"type": "amount", "variants": list(ind.target_variants)}
            if ind.kind == "amount":
                spec["unit"] = "亿"
            fields[ind.key] = spec
    return fields


@cache
def _load_columns(directory: Path) -> dict[str, KindSpec]:
    raw = yaml.safe_load((directory / "columns.yaml").read_text(encoding="utf-8"))
    indicator_fields = _target_indicator_fields(directory)
    raw["target_table"] = {**raw["target_table"], **indicator_fields}
    raw["kinds"]["target_table"]["any_of"] = list(indicator_fields)
    specs: dict[str, KindSpec] = {}
    for kind in KINDS:
        meta = raw["kinds"][kind]
        fields = {
            name: FieldSpec(
                name,
                spec.get("type", "text"),
                spec.get("unit"),
                tuple(_variant(v) for v in spec["variants"]),
                bool(spec.get("weak")),
            )
            for name, spec in raw[kind].items()
        }
        rwt = meta.get("required_without_title")
        specs[kind] = KindSpec(
            kind,
            tuple(meta.get("title") or ()),
            tuple(tuple(alts) for alts in meta.get("required") or ()),
            tuple(tuple(alts) for alts in rwt) if rwt else None,
            tuple(meta.get("any_of") or ()),
            fields,
            bool(meta.get("title_required")),
        )
    return specs


_MATCH_CACHE: dict[tuple[int, str], tuple[str | None, int]] = {}


def match_field(text: str | None, kind: KindSpec) -> tuple[str | None, int]:
    """The canonical field a header text names (longest variant wins), and the match score."""
    if not text:
        return None, 0
    key = (id(kind), text)
    cached = _MATCH_CACHE.get(key)
    if cached is None:
        if len(_MATCH_CACHE) > 200_000:
            _MATCH_CACHE.clear()
        cached = _MATCH_CACHE[key] = _match_field(text, kind)
    return cached


def _match_field(text: str, kind: KindSpec) -> tuple[str | None, int]:
    bare = _BRACKETS.sub("", text)
    best: tuple[int, str | None] = (0, None)
    for spec in kind.fields.values():
        score = spec.score(text, bare)
        if score > best[0]:
            best = (score, spec.name)
    return best[1], best[0]


@dataclass
class Header:
    kind: str
    first_row: int  # 0-based grid row of the first header line
    last_row: int  # 0-based grid row of the last header line; data starts below
    columns: dict[str, int]  # field -> 0-based column
    units: dict[str, str | None]  # amount field -> '亿' | '万' (the column's unit)
    texts: dict[int, str]  # column -> joined header text
    extras: dict[int, str]  # unmapped columns -> header text
    unit_from_header: dict[str, bool] = field(default_factory=dict)
    weak: frozenset[str] = frozenset()  # fields that do not tell this kind from another

    @property
    def score(self) -> int:
        return len(self.columns) - len(self.weak.intersection(self.columns))

    def has(self, name: str) -> bool:
        return name in self.columns


def _row_texts(row: list[Any], width: int) -> list[str | None]:
    return [header_text(row[c]) if c < len(row) else None for c in range(width)]


def _is_numberish(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(re.fullmatch(r"[\d.,，\s]+", value.strip())) and any(ch.isdigit() for ch in value)
    return True


def _map_columns(texts: list[str | None], kind: KindSpec) -> tuple[dict[str, int], dict[int, str]]:
    best: dict[str, tuple[int, int]] = {}  # field -> (score, col)
    for c, text in enumerate(texts):
        name, score = match_field(text, kind)
        if name and (name not in best or score > best[name][0]):
            best[name] = (score, c)
    columns = {name: c for name, (_, c) in best.items()}
    used = set(columns.values())
    extras = {c: t for c, t in enumerate(texts) if t and c not in used}
    return columns, extras


def _key_field(kind: KindSpec) -> str:
    return kind.required[0][0] if kind.required else next(iter(kind.fields))


def _subheader_join(
    grid: list[list[Any]], r: int, width: int, merged: list[tuple[int, int, int, int]],
    kind: KindSpec, top_cols: dict[str, int],
    row_texts: list[list[str | None]] | None = None,
) -> tuple[list[str | None], bool] | None:
    """(joined texts of rows r and r+1, strong evidence) when r+1 may be the second line of a
    two-row header.  Evidence is strong when a merged cell spans the header rows or the second
    line holds sub-header words (本年, 累计, 区外境内 …)."""
    if r + 1 >= len(grid):
        return None
    top = row_texts[r] if row_texts is not None else _row_texts(grid[r], width)
    sub_raw = grid[r + 1]
    sub = (row_texts[r + 1] if row_texts is not None and r + 1 < len(row_texts)
           else _row_texts(sub_raw, width))
    if not any(sub) or any(_is_numberish(v) for v in sub_raw):
        return None
    if any(v is not None and not isinstance(v, str) for v in sub_raw):
        return None
    first = next(t for t in sub if t)
    if _ROW_LABEL.match(first) and not _SUBHEADER_WORDS.match(first):
        return None
    if any(t and len(t) > 16 for t in sub):
        return None
    key = _key_field(kind)
    if key in top_cols:
        c = top_cols[key]
        if sub[c] is not None and sub[c] != top[c]:
            return None  # the key column has a value under its header: that is data
    merged_evidence = any(
        r0 <= r <= r1 and (r1 > r0 or c1 > c0) for r0, c0, r1, c1 in merged if r0 <= r + 1
    )
    words = all(_SUBHEADER_WORDS.match(t) for t in sub if t and t not in top)
    joined: list[str | None] = []
    carry: str | None = None
    for c in range(width):
        t, s = top[c], sub[c]
        if t is None and s is not None and carry is not None:
            t = carry  # a group header written once over several sub-columns, not merged
        if t is not None:
            carry = t if s is not None else None
        if s is None or s == t:
            joined.append(t)
        elif t is None:
            joined.append(s)
        else:
            joined.append(t + s)
    return joined, merged_evidence or words


def _sheet_unit(grid: list[list[Any]], upto: int) -> str | None:
    for row in grid[:upto]:
        for value in row:
            text = header_text(value)
            if text and _LABEL_UNIT.search(text):
                return amount_unit(text)
    return None


def find_header(
    grid: list[list[Any]], merged: list[tuple[int, int, int, int]], kind: KindSpec
) -> Header | None:
    """The best header of `kind` in the filled grid, or None when no row maps at least 2 fields."""
    width = max((len(r) for r in grid[:MAX_HEADER_SCAN + 2]), default=0)
    best: tuple[int, int, int, dict[str, int], dict[int, str], list[str | None]] | None = None
    # Perf (issue 9): each scanned row's texts once (the sub-header check reads row r+1 too)
    row_texts = [_row_texts(row, width) for row in grid[:MAX_HEADER_SCAN + 1]]
    for r in range(min(len(grid), MAX_HEADER_SCAN)):
        texts = row_texts[r]
        if sum(1 for t in texts if t) < 2:
            continue
        columns, extras = _map_columns(texts, kind)
        candidate = (len(columns), r, r, columns, extras, texts)
        join = _subheader_join(grid, r, width, merged, kind, columns, row_texts)
        if join is not None:
            joined, strong = join
            j_columns, j_extras = _map_columns(joined, kind)
            # without strong evidence the second line must add fields, else it may be data
            if len(j_columns) > len(columns) or (strong and len(j_columns) == len(columns)):
                candidate = (len(j_columns), r, r + 1, j_columns, j_extras, joined)
        if candidate[0] >= 2 and (best is None or candidate[0] > best[0]):
            best = candidate
    if best is None:
        return None
    _, first, last, columns, extras, texts = best
    default_unit = _sheet_unit(grid, first)
    units: dict[str, str | None] = {}
    from_header: dict[str, bool] = {}
    for name, c in columns.items():
        spec = kind.fields[name]
        if spec.type == "amount":
            unit = amount_unit(texts[c])
            from_header[name] = unit is not None
            units[name] = unit or default_unit or spec.unit
    return Header(
        kind.name, first, last, columns, units,
        {c: t for c, t in enumerate(texts) if t}, extras, from_header,
        frozenset(n for n, f in kind.fields.items() if f.weak),
    )


def is_header_repeat(row: list[Any], header: Header, kind: KindSpec) -> bool:
    """A data row that repeats the header (a table pasted twice, a header on every page)."""
    texts = _row_texts(row, max(len(row), 1))
    columns, _ = _map_columns(texts, kind)
    return len(columns) >= max(2, (header.score + 1) // 2)
