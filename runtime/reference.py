"""Reference data loaded from the editable files in reference/ (units, industries, statuses).

Pure: no Dagster, no warehouse.  `Reference.load()` reads the files once; everything else looks up.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from runtime.settings import DEFAULT_REFERENCE_DIR, Settings

REFERENCE_DIR = DEFAULT_REFERENCE_DIR  # the repo's own copy


def default_reference_dir() -> Path:
    """The configured reference folder (REFERENCE_DIR, via Settings), else the repo's."""
    return Settings.from_env().reference_dir

_YES = {"是", "Y", "y", "yes", "Yes", "YES", "√", "✓", "1", "true", "True", "TRUE"}
_NO = {"否", "N", "n", "no", "No", "NO", "×", "0", "false", "False", "FALSE"}


# invisible characters pasted in from web pages and chat tools: not whitespace to str.split()
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normalize_text(value: str) -> str:
    """NFKC (full-width → half-width), drop all whitespace incl. line breaks inside cells, and
    zero-width characters."""
    text = unicodedata.normalize("NFKC", str(value)).translate(ZERO_WIDTH)
    return "".join(text.split())


def _unit_key(name: str) -> str:
    key = normalize_text(name).replace("(", "（").replace(")", "）")
    if key.startswith("柳州市") and len(key) > 3:
        key = key[3:] if not key[3:].startswith("市") else key[3:]
        # "柳州市科学技术局" → "科学技术局", which is an alias; "柳州市投资促进局" → "投资促进局".
    return key


@dataclass(frozen=True)
class Unit:
    name: str
    type: str
    parent: str | None
    aliases: tuple[str, ...] = ()


SOURCE_CLASSES = ("domestic_outside", "inside_region", "foreign", "unknown")
# "中国香港", "中国·台湾": the country prefix says nothing about the class
_COUNTRY_PREFIX = ("中国", "中华人民共和国")
_SEPARATORS = str.maketrans("", "", "·・-—_/、,，()（）")


@dataclass(frozen=True)
class PlaceTable:
    """The 投资来源 place table (reference/places.csv): spelling → (canonical place, class).

    `classify` is pure: the longest entry the normalised text starts with decides the class
    ("广东佛山" → 广东 → domestic_outside; "柳州本地" → 柳州 → inside_region); failing a prefix, the
    longest entry of 2+ characters it contains ("来自深圳" → 深圳); failing both, `unknown`."""

    entries: dict[str, tuple[str, str]] = field(default_factory=dict)

    def _prefix(self, text: str) -> str | None:
        for n in range(len(text), 0, -1):
            if text[:n] in self.entries:
                return text[:n]
        return None

    def _clean(self, raw: object) -> str:
        if raw is None or (isinstance(raw, float) and raw != raw):
            return ""
        text = normalize_text(str(raw)).translate(_SEPARATORS)
        for prefix in _COUNTRY_PREFIX:
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix):]
        return text

    def classify(self, raw: object) -> tuple[str | None, str]:
        """(source_region, source_class) of a 投资来源 value as written.  source_region is the
        text with every leading known place replaced by its canonical name ("广东省佛山市" →
        "广东佛山"); None when blank.  source_class is one of SOURCE_CLASSES."""
        text = self._clean(raw)
        if not text:
            return None, "unknown"
        first = self._prefix(text)
        if first is None:
            inside = [k for k in self.entries if len(k) >= 2 and k in text]
            if not inside:
                return text, "unknown"
            best = max(inside, key=lambda k: (len(k), k))
            return text, self.entries[best][1]
        parts, rest = [], text
        while rest and (key := self._prefix(rest)) is not None:
            parts.append(self.entries[key][0])
            rest = rest[len(key):]
        return "".join(parts) + rest, self.entries[first][1]

    @staticmethod
    def read(path: Path) -> PlaceTable:
        with open(path, encoding="utf-8") as fh:
            lines = [line for line in fh if line.strip() and not line.lstrip().startswith("#")]
        entries: dict[str, tuple[str, str]] = {}
        for row in csv.DictReader(lines):
            place, cls = normalize_text(row["place"]), normalize_text(row["source_class"])
            if cls not in SOURCE_CLASSES[:3]:
                raise ValueError(f"places.csv: {place!r} has unknown source_class {cls!r}")
            for name in (place, *(row.get("aliases") or "").split("|")):
                name = normalize_text(name)
                if name:
                    entries[name] = (place, cls)
        return PlaceTable(entries)


@dataclass
class Reference:
    units: dict[str, Unit]
    industries: dict[str, tuple[bool, bool]]  # industry -> (is_industrial, is_emerging)
    statuses: dict[str, str]  # raw status -> stage
    stage_rank: dict[str, int]
    directory: Path = DEFAULT_REFERENCE_DIR  # where these came from (columns.yaml etc. too)
    places: PlaceTable = field(default_factory=PlaceTable)
    _alias: dict[str, str] = field(default_factory=dict, repr=False)
    _sources: dict[str, tuple[str | None, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for unit in self.units.values():
            for name in (unit.name, *unit.aliases):
                self._alias[_unit_key(name)] = unit.name
                self._alias[normalize_text(name)] = unit.name
                # "市工信局" is also written "柳州市工信局": the 柳州 prefix is dropped by _unit_key

    def resolve_unit(self, raw: str | None) -> str | None:
        """Canonical unit name for a name as written, or None when it is unknown."""
        if raw is None:
            return None
        text = normalize_text(raw)
        if not text:
            return None
        for key in (text, _unit_key(text), "市" + _unit_key(text)):
            if key in self._alias:
                return self._alias[key]
        return None

    def find_unit_in(self, text: str) -> str | None:
        """The unit whose name or alias occurs in a longer text (a title, a file name).

        Longest match wins, so "鹿寨县林木加工产业招商组" beats "鹿寨县".
        """
        hay = normalize_text(text).replace("(", "（").replace(")", "）")
        best: tuple[int, int, str] | None = None
        for key, unit in self._alias.items():
            if len(key) >= 2 and key in hay:
                # the city only when nothing more specific is named ("柳州市鱼峰区…" is 鱼峰区)
                rank = (0 if self.units[unit].type == "city" else 1, len(key), unit)
                if best is None or rank > best:
                    best = rank
        return best[2] if best else None

    def unit(self, name: str) -> Unit:
        return self.units[name]

    def classify_industry(self, industry: str | None) -> tuple[bool, bool] | None:
        """(is_industrial, is_emerging) for an industry/chain value, None when unknown."""
        if not industry:
            return None
        return self.industries.get(normalize_text(industry))

    def classify_source(self, raw: object) -> tuple[str | None, str]:
        """(source_region, source_class) of a 投资来源 value (see PlaceTable.classify); memoised
        for text: a province's ledgers repeat a few hundred spellings a million times."""
        if not isinstance(raw, str):
            return self.places.classify(raw)
        found = self._sources.get(raw)
        if found is None:
            found = self._sources[raw] = self.places.classify(raw)
        return found

    def stage_of(self, status: str | None) -> str | None:
        if not status:
            return None
        return self.statuses.get(normalize_text(status))

    @staticmethod
    def load(directory: Path | None = None) -> Reference:
        """The reference data of `directory` (default: $REFERENCE_DIR or reference/), cached;
        the default is resolved at call time so a changed $REFERENCE_DIR is honoured."""
        return _load_reference(Path(directory) if directory is not None
                               else default_reference_dir())


@cache
def _load_reference(directory: Path) -> Reference:
    raw = yaml.safe_load((directory / "units.yaml").read_text(encoding="utf-8"))
    units = {
        u["name"]: Unit(u["name"], u["type"], u.get("parent"), tuple(u.get("aliases") or ()))
        for u in raw["units"]
    }
    for u in units.values():
        if u.parent is not None and u.parent not in units:
            raise ValueError(f"units.yaml: parent {u.parent!r} of {u.name!r} is not a unit")
    with open(directory / "industries.csv", encoding="utf-8") as fh:
        industries = {
            normalize_text(r["industry"]): (r["is_industrial"] in _YES, r["is_emerging"] in _YES)
            for r in csv.DictReader(fh)
        }
    with open(directory / "statuses.csv", encoding="utf-8") as fh:
        statuses = {normalize_text(r["status"]): r["stage"] for r in csv.DictReader(fh)}
    with open(directory / "stages.csv", encoding="utf-8") as fh:
        stage_rank = {r["stage"]: int(r["rank"]) for r in csv.DictReader(fh)}
    return Reference(units, industries, statuses, stage_rank, directory,
                     PlaceTable.read(places_file(directory)))


def places_file(directory: Path | None = None) -> Path:
    """The place table: `directory`'s own, else the repo's (a REFERENCE_DIR such as the
    benchmark's unit list need not copy it)."""
    own = Path(directory or default_reference_dir()) / "places.csv"
    return own if own.exists() else REFERENCE_DIR / "places.csv"


def parse_flag(raw: object) -> bool | None:
    """是/否 → True/False; anything else → None."""
    if raw is None:
        return None
    text = normalize_text(str(raw))
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


# --- activity types (revision 2) ---------------------------------------------------------------
@dataclass(frozen=True)
class ActivityTypes:
    """reference/activity_types.csv: an activity ledger's 活动类型 → class (key_event,
    industry_special, going_out, inviting_in, online, joint_meeting, other …).

    An exact match (after normalize_text) wins; else the longest `contains` keyword found in the
    value (ties: the earlier line of the file).  A value neither matches is unknown (None)."""

    exact: dict[str, str]
    contains: tuple[tuple[str, str], ...]  # (keyword, class), longest first

    def classify(self, raw: object) -> str | None:
        if raw is None:
            return None
        text = normalize_text(str(raw))
        if not text or text.lower() == "nan":
            return None
        if text in self.exact:
            return self.exact[text]
        for keyword, cls in self.contains:
            if keyword in text:
                return cls
        return None


def load_activity_types(directory: Path | None = None) -> ActivityTypes:
    """The activity-type table of `directory` (default: $REFERENCE_DIR or reference/), cached."""
    return _load_activity_types(Path(directory) if directory is not None
                                else default_reference_dir())


@cache
def _load_activity_types(directory: Path) -> ActivityTypes:
    exact: dict[str, str] = {}
    contains: list[tuple[str, str]] = []
    path = directory / "activity_types.csv"
    if not path.exists():  # an older copy of reference/ (e.g. a benchmark's): the repo's table
        path = REFERENCE_DIR / "activity_types.csv"
    with open(path, encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            text, cls, how = normalize_text(r["text"] or ""), (r["class"] or "").strip(), r["match"]
            if not text or not cls or how not in ("exact", "contains"):
                raise ValueError(f"activity_types.csv 第 {i} 行：match 须为 exact 或 contains，"
                                 f"text 与 class 不能为空")
            if how == "exact":
                exact.setdefault(text, cls)
            else:
                contains.append((text, cls))
    contains.sort(key=lambda kc: -len(kc[0]))  # stable: file order among equal lengths
    return ActivityTypes(exact, tuple(contains))
