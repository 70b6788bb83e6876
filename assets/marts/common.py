"""Shared helpers of the marts: the core-table container, Decimal handling, periods, and the
per-period view of projects (what is known, credited, its stage and funds at period P).

Everything here only looks at data with period <= P (bridge rows with first_period <= P), so a
mart built for P is the same whenever it is built.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from runtime.indicators import load_indicators
from runtime.rules import Rules
from runtime.values import is_missing

ZERO = Decimal(0)
CITY_TYPE = "city"
STAGE_RANK = {"退库": 0, "在谈": 1, "签约": 2, "注册": 3, "开工": 4, "竣工投产": 5}
WITHDRAWN = "退库"

# From the indicator registry (reference/indicators.yaml), the one list of indicators.
_REGISTRY = load_indicators()
INDICATOR_LABELS = _REGISTRY.labels
BASE_INDICATORS = _REGISTRY.keys
AMOUNT_INDICATORS = _REGISTRY.of_kind("amount")
SHARE_INDICATORS = _REGISTRY.of_kind("share")


@dataclass
class CoreTables:
    """DataFrames with the columns of docs/design.md "core"."""

    units: pd.DataFrame  # core.dim_unit
    projects: pd.DataFrame  # core.dim_project
    bridge: pd.DataFrame  # core.bridge_project_unit (with first_period)
    facts: pd.DataFrame  # core.fact_project_period (all periods loaded)
    targets: pd.DataFrame  # core.fact_target (rows per sub_unit)
    activities: pd.DataFrame  # core.fact_activity (rows per period)
    reserve: pd.DataFrame  # core.fact_reserve_project (rows per period)
    # revision 2; empty defaults so callers/builders written before it keep working
    cohort: pd.DataFrame = field(default_factory=lambda: empty_frame(COHORT_COLUMNS))
    four_rates_baseline: pd.DataFrame = field(
        default_factory=lambda: empty_frame(BASELINE_COLUMNS))  # reference/four_rates_baseline.csv
    # reporting duty (revision 2): the file registry (staging.files), the duty table
    # (reference/reporting_duties.csv) and the moment deadlines are judged at (UTC, naive;
    # None = every deadline has passed)
    files: pd.DataFrame = field(default_factory=lambda: empty_frame(FILE_COLUMNS))
    duties: tuple = ()
    as_of: Any = None


COHORT_COLUMNS = ["year", "project_id", "project_name", "investor", "signed_date",
                  "contract_investment", "territorial_unit", "responsible_unit", "source_file",
                  "source_sheet", "source_row"]
FILE_COLUMNS = ["source_file", "folder_month", "unit_name", "kind", "status", "modified_at",
                "first_seen_at"]
BASELINE_COLUMNS = ["year", "unit_name", "performance_rate", "funds_rate", "start_rate",
                    "completion_rate"]
# dim_project.source_class values (domain.md "Where the money comes from", revision 2)
DOMESTIC, INSIDE, FOREIGN, UNKNOWN = "domestic_outside", "inside_region", "foreign", "unknown"


def empty_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


# --- values ------------------------------------------------------------------------------------
def cents(x: Any) -> float:
    """四舍五入 to the cent on the decimal figure, as an office rounds (5.625 → 5.63), not
    round()'s half-to-even on the binary float (5.62). The figure is first taken to 9 decimals so
    that float noise (5.6249999999) does not decide the cent."""
    exact = Decimal(repr(float(x))).quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def to_dec(x: Any) -> Decimal | None:
    """Decimal of an amount (Decimal kept as is, float/int via str); None when missing."""
    if is_missing(x):
        return None
    if isinstance(x, Decimal):
        return x
    return Decimal(str(x))


def to_bool(x: Any) -> bool:
    """True only for a real true value; None/NaN (unknown) is False."""
    if is_missing(x):
        return False
    return bool(x)


def dsum(values) -> Decimal:
    total = ZERO
    for v in values:
        d = to_dec(v)
        if d is not None:
            total += d
    return total


def as_target(value: Decimal | None, indicator: str) -> Any:
    """A target in its natural type: Decimal for amounts, int for integral counts."""
    if value is None:
        return None
    if indicator in AMOUNT_INDICATORS:
        return value
    if indicator in SHARE_INDICATORS:
        return float(value)
    if value == value.to_integral_value():
        return int(value)
    return value


def ratio(num: Any, den: Any) -> float | None:
    """num ÷ den as float; None when den is missing or 0."""
    if is_missing(num) or is_missing(den):
        return None
    if den == 0:
        return None
    return float(Decimal(str(num)) / Decimal(str(den)))


# --- periods -----------------------------------------------------------------------------------
def parse_period(period: str) -> tuple[int, int]:
    year, month = str(period)[:7].split("-")
    return int(year), int(month)


def period_str(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def time_progress(period: str) -> float:
    return parse_period(period)[1] / 12


def prev_december(period: str) -> str:
    return period_str(parse_period(period)[0] - 1, 12)


def month_of(value: Any) -> str | None:
    """'YYYY-MM' of a signed_month / period value; None when missing or only a year."""
    if is_missing(value):
        return None
    text = str(value)[:7]
    return text if len(text) == 7 else None


# --- formatting --------------------------------------------------------------------------------
def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def amt(x: Any) -> str:
    d = to_dec(x)
    return "—" if d is None else f"{d:.2f}"


def num(x: Any) -> str:
    """A target/count without trailing zeros: 40, 2.5."""
    if is_missing(x):
        return "—"
    d = to_dec(x)
    text = f"{d.normalize():f}" if d is not None else str(x)
    return text


# --- the per-period view -----------------------------------------------------------------------
@dataclass
class ProjectState:
    project_id: Any
    total_investment: Decimal | None
    industry: str | None
    is_industrial: bool
    is_emerging: bool
    is_sanqi: bool
    signed_month: str | None
    territorial_unit: str | None
    below_threshold: bool
    stage: str | None  # latest non-null stage of fact rows <= P
    funds_this_year: Decimal  # fact row at P (0 when none)
    funds_cumulative: Decimal  # see PeriodView docstring
    # revision 2 (defaults = a core conformed before it: every project domestic_outside)
    source_class: str = DOMESTIC
    in_library: bool = False  # latest non-null in_library of fact rows <= P
    source_counted: bool = True  # its 投资来源 lets it count (rules indicators.unknown_source)

    @property
    def countable(self) -> bool:
        """Counts toward indicators: amount known, not below threshold, a counted source (not
        区内, not unknown unless included), not withdrawn at P."""
        return (
            self.total_investment is not None
            and not self.below_threshold
            and self.source_counted
            and self.stage != WITHDRAWN
        )

    @property
    def stage_rank(self) -> int:
        return STAGE_RANK.get(self.stage or "", -1)

    @classmethod
    def at(cls, fixed: dict, stage: str | None, funds_this_year: Decimal,
           funds_cumulative: Decimal, in_library: bool) -> ProjectState:
        """`ProjectState(**fixed, stage=..., ...)`: `fixed` holds every other field (as
        `_projects_facts` gives them).  Perf (issue 17): a view makes one per known project (100k
        at province scale, several views a month); filling the instance's fields directly
        skips binding fifteen keyword arguments."""
        state = object.__new__(cls)
        fields_ = state.__dict__
        fields_.update(fixed)
        fields_["stage"] = stage
        fields_["funds_this_year"] = funds_this_year
        fields_["funds_cumulative"] = funds_cumulative
        fields_["in_library"] = in_library
        return state


@dataclass(frozen=True)
class UnitRef:
    """What the qualifying selectors look at: the unit, its type, its parent and parent's type."""

    name: str
    unit_type: str | None = None
    parent_name: str | None = None
    parent_type: str | None = None


def unit_refs(core: CoreTables) -> dict[str, UnitRef]:
    units = unit_frame(core)
    type_of = dict(zip(units["unit_name"], units["unit_type"]))
    return {
        name: UnitRef(name, utype, parent, type_of.get(parent) if parent else None)
        for name, utype, parent in units.itertuples(index=False)
    }


@dataclass
class PeriodView:
    """Projects known at P and who is credited with them at P.

    - known at P: a bridge row with first_period <= P, a fact row with period <= P, or
      dim_project.first_period <= P.
    - credit: (project_id, unit_name) pairs of bridge rows (any role) with first_period <= P
      (a row without first_period takes dim_project.first_period; neither → ignored).
    - stage: the latest non-null stage among the project's fact rows with period <= P; likewise
      in_library (入库 once said stays until a later row says 否).
    - funds_this_year: the fact row of period P (none that period: 0).
    - funds_cumulative: the latest non-null funds_cumulative among fact rows <= P; when none is
      given, the sum over years <= P's year of the last non-null funds_this_year of each year.
    - cohort_ids: the matched projects of core.fact_cohort for P's year, or None when that year
      has no cohort list (the 三企入桂 ledger flag decides then).
    - has_facts: some fact row has period exactly P (the month is loaded).
    """

    period: str
    year: int
    month: int
    projects: dict[Any, ProjectState]
    credit: dict[str, list[Any]]  # unit_name -> project ids (sorted, unique)
    cohort_ids: frozenset | None = None
    has_facts: bool = True
    units: dict[str, UnitRef] = field(default_factory=dict)  # dim_unit, for qualifying bars
    # credited() per unit: the marts ask for each unit's projects many times (perf, issue 17)
    _credited: dict[str, list[ProjectState]] = field(default_factory=dict, repr=False,
                                                     compare=False)

    def unit(self, name: str) -> UnitRef:
        return self.units.get(name) or UnitRef(name)

    def credited(self, unit: str) -> list[ProjectState]:
        """The unit's projects known at P (read-only: the list is shared)."""
        if unit not in self._credited:
            self._credited[unit] = [self.projects[p] for p in self.credit.get(unit, [])
                                    if p in self.projects]
        return self._credited[unit]

    def all_projects(self) -> list[ProjectState]:
        return list(self.projects.values())


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype=object)


def core_memo(core: CoreTables, name: str, rules: Any) -> dict:
    """Perf (issue 9): a per-CoreTables cache for pure results of (core, period, rules).

    Building the marts of every month of a year asks for the same period views and red/black
    lists again and again.  The cache lives on the CoreTables object, is keyed by the rules
    object, and is dropped when any table of `core` is replaced (identity or length changes).
    Callers treat cached results as read-only (PeriodView is never mutated)."""
    tables = (core.units, core.projects, core.bridge, core.facts, core.targets,
              core.activities, core.reserve, core.cohort, core.four_rates_baseline, core.files)
    sig = tuple((id(t), len(t)) for t in tables)
    store = core.__dict__.get("_memo")
    if store is None or store[0] != sig:
        store = (sig, {})
        core.__dict__["_memo"] = store
    memo = store[1].setdefault((name, id(rules)), (rules, {}))
    if memo[0] is not rules:  # an id reused by another rules object
        memo = store[1][(name, id(rules))] = (rules, {})
    return memo[1]


def core_once(core: CoreTables, name: Any, rules: Any, compute) -> Any:
    """compute() once per core (and rules object): core_memo's cache holding one value."""
    memo = core_memo(core, name, rules)
    if "value" not in memo:
        memo["value"] = compute()
    return memo["value"]


def build_view(core: CoreTables, period: str, rules: Rules) -> PeriodView:
    memo = core_memo(core, "view", rules)
    key = period_str(*parse_period(period))
    if key not in memo:
        memo[key] = _build_view(core, period, rules)
    return memo[key]


@dataclass
class _FactState:
    """What the fact rows up to P say, per project (see PeriodView)."""

    ids: set = field(default_factory=set)
    stage: dict = field(default_factory=dict)
    in_library: dict = field(default_factory=dict)
    funds_now: dict = field(default_factory=dict)
    cum_latest: dict = field(default_factory=dict)
    sum_years: dict = field(default_factory=dict)
    has_period: bool = False


# Perf (issue 17): a month's marts ask for many views (the month, the month before, the previous
# December, last year's month, the months of the year), each over every fact and bridge row up to
# its period.  What does not depend on the period is worked out once per core (core_memo): the
# fact rows sorted by month as plain lists with their amounts as Decimal, the bridge and
# dim_project rows with the month they become known.  A view then only walks its prefix.
def _month_keys(values: pd.Series) -> list[str]:
    """The month a period/first_period value sorts by ("2025-03"; a missing value gives a text
    such as "None" or "nan", which sorts after every month)."""
    return values.astype(str).str[:7].tolist()


def _fact_rows(core: CoreTables) -> _FactRows:
    """core.facts in stable month order, as arrays (once per core)."""
    return core_once(core, "fact_rows", None, lambda: _FactRows.of(core.facts))


@dataclass
class _FactRows:
    """The fact rows in stable month order: month keys, a code per project (`pids[code]` is its
    id), a code per year, the non-null stage / in_library (else None) and the two fund amounts
    (Decimal or None), with masks of which are given."""

    keys: list[str]
    codes: np.ndarray
    pids: np.ndarray
    year_codes: np.ndarray
    years: int
    values: dict[str, np.ndarray]  # stage, lib, fty, cum: object arrays
    given: dict[str, np.ndarray]  # the same names: bool arrays (value is not None)

    @classmethod
    def of(cls, facts: pd.DataFrame) -> _FactRows:
        if not len(facts) or "project_id" not in facts.columns:
            facts = pd.DataFrame({"project_id": [], "period": []}, dtype=object)
        keys = np.array(_month_keys(_col(facts, "period")), dtype=str)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]

        def in_order(name: str) -> np.ndarray:
            return _col(facts, name).to_numpy(dtype=object)[order]

        values = {
            "stage": in_order("stage" if "stage" in facts.columns else "status"),
            "lib": in_order("in_library"),
            "fty": in_order("funds_this_year"),
            "cum": in_order("funds_cumulative"),
        }
        given = {}
        for name, column in values.items():
            given[name] = ~pd.isna(column)
            column[~given[name]] = None
            keep = {"lib": bool, "fty": Decimal, "cum": Decimal}.get(name)
            if keep is not None:  # amounts as Decimal (to_dec), flags as bool
                convert = bool if keep is bool else to_dec
                rows = np.flatnonzero(given[name])
                rows = rows[[type(x) is not keep for x in column[rows]]]
                column[rows] = _objects([convert(x) for x in column[rows]])
        codes, pids = pd.factorize(in_order("project_id"), use_na_sentinel=False)
        # each row's year: of its month's code (a few dozen months, not a text per row)
        month_codes, months = pd.factorize(keys)
        year_of_month, years = pd.factorize(np.array([m[:4] for m in months], dtype=object))
        year_codes = year_of_month[month_codes] if len(keys) else month_codes
        return cls(keys.tolist(), codes.astype(np.int64), _objects(list(pids)),
                   year_codes.astype(np.int64), max(len(years), 1), values, given)

    def last_given(self, name: str, n: int, groups: np.ndarray | None = None) -> tuple:
        """(group codes, values): the last given `name` value of each group among the first n
        rows (groups: the project codes unless given)."""
        rows = np.flatnonzero(self.given[name][:n])
        return _last_of_each((self.codes if groups is None else groups)[rows],
                             self.values[name][rows])


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _last_of_each(groups: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, list]:
    """(each group once, ascending; the value of its last row)."""
    if not len(groups):
        return groups, []
    last = np.full(int(groups.max()) + 1, -1, dtype=np.int64)
    np.maximum.at(last, groups, np.arange(len(groups), dtype=np.int64))
    present = np.flatnonzero(last >= 0)
    return present, values[last[present]].tolist()


def _first_of_each(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each group once, ascending; the position of its first row)."""
    if not len(groups):
        return groups, groups
    first = np.full(int(groups.max()) + 1, len(groups), dtype=np.int64)
    np.minimum.at(first, groups, np.arange(len(groups), dtype=np.int64))
    present = np.flatnonzero(first < len(groups))
    return present, first[present]


def credit_rows(core: CoreTables) -> list[tuple[str, Any, Any]]:
    """(month key, project id, unit) of the bridge rows, in bridge order, whose first_period
    (fallback: dim_project.first_period) is known and whose project and unit are named."""
    def compute() -> list[tuple[str, Any, Any]]:
        bridge = core.bridge
        if not len(bridge):
            return []
        fp = _col(bridge, "first_period")
        if fp.isna().any() and "first_period" in core.projects.columns:
            fallback = dict(zip(core.projects["project_id"], core.projects["first_period"]))
            fp = fp.where(fp.notna(), bridge["project_id"].map(fallback))
        return [(key, pid, unit) for key, known, pid, unit in zip(
                    _month_keys(fp), fp.notna(), _col(bridge, "project_id"),
                    _col(bridge, "unit_name"))
                if known and not is_missing(pid) and not is_missing(unit)]

    return core_once(core, "credit_rows", None, compute)


def credit_at(core: CoreTables, p: str) -> dict[str, list]:
    """unit -> ids of bridge rows with first_period <= P (fallback: dim_project.first_period),
    each once, sorted by str(id): the credit of P's view (`_credit_lists`)."""
    return _credit_lists(core, p)[0]


def _fact_ids(rows: _FactRows, n: int) -> set:
    """The projects of the first n fact rows (in month order)."""
    return set(rows.pids[_first_of_each(rows.codes[:n])[0]].tolist())


def known_months(core: CoreTables) -> dict[Any, str]:
    """project id -> the month from which a view holds it (PeriodView "known at P": the earliest
    month of its fact rows, its credit rows and dim_project.first_period), once per core.  A
    project is known at P when its month is <= P (a missing month's text sorts after them)."""
    def compute() -> dict[Any, str]:
        rows = _fact_rows(core)
        codes, first = _first_of_each(rows.codes)
        known = dict(zip(rows.pids[codes].tolist(), (rows.keys[i] for i in first.tolist())))
        for key, pid in [*((key, pid) for key, pid, _ in credit_rows(core)),
                         *_project_months(core)]:
            if key < known.get(pid, NEVER):
                known[pid] = key
        return known

    return core_once(core, "known_months", None, compute)


NEVER = "\uffff"  # a month key that sorts after every month: never known


def _fact_state(core: CoreTables, p: str) -> _FactState:
    rows = _fact_rows(core)
    n = bisect_right(rows.keys, p)  # the fact rows with month <= P
    pids = rows.pids
    st = _FactState(ids=_fact_ids(rows, n))
    st.has_period = n > 0 and rows.keys[n - 1] == p
    for name, into in (("stage", st.stage), ("lib", st.in_library), ("cum", st.cum_latest)):
        codes, values = rows.last_given(name, n)
        into.update(zip(pids[codes].tolist(), values))
    # funds of P: the first of P's own rows of each project (none given: 0)
    low = bisect_left(rows.keys, p)
    codes, first = _first_of_each(rows.codes[low:n])
    st.funds_now.update(zip(pids[codes].tolist(), (
        ZERO if v is None else v for v in rows.values["fty"][low:n][first].tolist())))
    # the cumulative funds when none is given: the last funds_this_year of each year, summed
    pairs, values = rows.last_given("fty", n, rows.codes * rows.years + rows.year_codes)
    for pid, v in zip(pids[pairs // rows.years].tolist(), values):
        st.sum_years[pid] = st.sum_years.get(pid, ZERO) + v
    return st


def _known_ids(core: CoreTables, p: str, credited: set, fact_ids: set) -> set:
    known = fact_ids | credited
    known.update(pid for key, pid in _project_months(core) if key <= p)
    return known


@dataclass
class _CreditArrays:
    """credit_rows as arrays (once per core): month keys, a code per unit (in order of first
    appearance) and per project (in the order of str(id)), with the names and ids they stand
    for."""

    keys: np.ndarray
    units: np.ndarray
    unit_names: list
    pids: np.ndarray
    pid_values: np.ndarray

    @classmethod
    def of(cls, rows: list[tuple[str, Any, Any]]) -> _CreditArrays:
        keys, pids, units = zip(*rows) if rows else ((), (), ())
        unit_codes, unit_names = pd.factorize(_objects(list(units)))
        codes, uniques = pd.factorize(_objects(list(pids)))
        by_text = np.argsort(np.array([str(x) for x in uniques], dtype=object), kind="stable")
        rank = np.empty(len(uniques), dtype=np.int64)
        rank[by_text] = np.arange(len(uniques), dtype=np.int64)
        return cls(np.array(keys, dtype=str), unit_codes.astype(np.int64), list(unit_names),
                   rank[codes] if len(codes) else codes.astype(np.int64),
                   _objects(list(uniques))[by_text])


def _credit_lists(core: CoreTables, p: str) -> tuple[dict[str, list], set]:
    """(unit -> its credited ids at P, unique and sorted by str(id), units in the order of their
    first bridge row; the ids credited to any unit).  Perf (issue 17): on arrays coded once per
    core, not a set per unit from every bridge row and a sort per unit for each view."""
    a = core_once(core, "credit_arrays", None, lambda: _CreditArrays.of(credit_rows(core)))
    rows = np.flatnonzero(a.keys <= p)
    if not len(rows):
        return {}, set()
    units, pids = a.units[rows], a.pids[rows]
    present, first = _first_of_each(units)
    n = len(a.pid_values)
    pairs = np.unique(units * n + pids)  # by unit, then by str(id); each pair once
    pair_units, pair_pids = pairs // n, pairs % n
    starts = np.searchsorted(pair_units, present, side="left")
    ends = np.searchsorted(pair_units, present, side="right")
    spans = dict(zip(present.tolist(), zip(starts.tolist(), ends.tolist())))
    credit = {a.unit_names[u]: a.pid_values[pair_pids[slice(*spans[u])]].tolist()
              for u in present[np.argsort(first, kind="stable")].tolist()}
    return credit, set(a.pid_values[np.unique(pids)].tolist())


def _project_months(core: CoreTables) -> list[tuple[str, Any]]:
    """(month key, project id) of the dim_project rows with a first_period (once per core)."""
    def compute() -> list[tuple[str, Any]]:
        proj = core.projects
        if "first_period" not in proj.columns:
            return []
        fp = proj["first_period"]
        return [(key, pid) for key, known_at, pid in zip(_month_keys(fp), fp.notna(),
                                                         proj["project_id"]) if known_at]

    return core_once(core, "project_months", None, compute)


def source_class_of(value: Any) -> str:
    """dim_project.source_class; NULL (a row without a class) is `unknown`."""
    return UNKNOWN if is_missing(value) else str(value)


def source_counted(source_class: str, rules: Rules) -> bool:
    """区内 counts nowhere; unknown only when rules indicators.unknown_source = include."""
    if source_class == INSIDE:
        return False
    if source_class == UNKNOWN:
        return rules.indicators.unknown_source == "include"
    return True


_FIXED_FIELDS = ("project_id", "total_investment", "industry", "is_industrial", "is_emerging",
                 "is_sanqi", "signed_month", "territorial_unit", "below_threshold",
                 "source_class", "source_counted")


def _flags(values: list) -> list[bool]:
    """to_bool of each value (True and False taken as they are: most of them)."""
    return [x if x is True or x is False else to_bool(x) for x in values]


def _projects_facts(core: CoreTables, rules: Rules) -> list[tuple[Any, dict]]:
    """(project id, the fields of its ProjectState that do not depend on the period) of every
    dim_project row in table order, once per core; worked out column by column (perf, issue 17:
    not a dict of every dim_project column per row)."""
    def compute() -> list[tuple[Any, dict]]:
        threshold = Decimal(str(rules.indicators.below_threshold_amount))
        proj = core.projects

        def values(name: str) -> list:
            return _col(proj, name).tolist()

        pids = proj["project_id"].tolist()
        inv = [x if type(x) is Decimal and not x.is_nan() else to_dec(x)
               for x in values("total_investment")]
        below = [to_bool(bt) if not is_missing(bt) else (d is not None and d < threshold)
                 for bt, d in zip(values("below_threshold"), inv)]
        # a core without the source_class column predates revision 2: every project domestic
        source = ([source_class_of(x) for x in values("source_class")]
                  if "source_class" in proj.columns else [DOMESTIC] * len(pids))
        counted = {c: source_counted(c, rules) for c in set(source)}
        columns = (
            pids, inv,
            [None if is_missing(x) else str(x) for x in values("industry")],
            _flags(values("is_industrial")), _flags(values("is_emerging")),
            _flags(values("is_sanqi")),
            [month_of(x) for x in values("signed_month")],
            [None if is_missing(x) else x for x in values("territorial_unit")],
            below, source, [counted[c] for c in source],
        )
        return [(row[0], dict(zip(_FIXED_FIELDS, row))) for row in zip(*columns)]

    return core_once(core, "project_facts", rules, compute)


def project_fields(core: CoreTables, rules: Rules) -> dict[Any, dict]:
    """project id -> the fields of its ProjectState that do not depend on the period (once per
    core): enough for a rule that reads only those (the 四率 cohort).  Read-only: shared."""
    return core_once(core, "project_fields", rules, lambda: dict(_projects_facts(core, rules)))


def cohort_ids(core: CoreTables, year: int) -> frozenset | None:
    """Matched project ids of the year's 三企入桂 cohort list; None when the year has no list
    rows (an unmatched-only list still defines the cohort: it is then empty of our projects)."""
    memo = core_memo(core, "cohort_ids", None)
    if year not in memo:
        c = core.cohort
        rows = None if c is None or not len(c) or "year" not in c.columns else c[
            pd.to_numeric(c["year"], errors="coerce") == year]
        memo[year] = None if rows is None or not len(rows) else frozenset(
            x for x in _col(rows, "project_id") if not is_missing(x))
    return memo[year]


def _build_view(core: CoreTables, period: str, rules: Rules) -> PeriodView:
    year, month = parse_period(period)
    p = period_str(year, month)
    credit, credited = _credit_lists(core, p)
    st = _fact_state(core, p)
    known = _known_ids(core, p, credited, st.ids)
    stage, funds_now, cum, sum_years, lib = (st.stage, st.funds_now, st.cum_latest, st.sum_years,
                                             st.in_library)
    states = {
        pid: ProjectState.at(fixed, stage.get(pid), funds_now.get(pid, ZERO),
                             cum.get(pid, sum_years.get(pid, ZERO)), lib.get(pid, False))
        for pid, fixed in _projects_facts(core, rules) if pid in known
    }
    return PeriodView(p, year, month, states, credit, cohort_ids(core, year),
                      st.has_period, unit_refs(core))


def unit_frame(core: CoreTables) -> pd.DataFrame:
    """dim_unit with unit_name, unit_type, parent_name (missing parent -> None)."""
    u = core.units
    out = pd.DataFrame(
        {
            "unit_name": _col(u, "unit_name"),
            "unit_type": _col(u, "unit_type"),
            "parent_name": _col(u, "parent_name"),
        }
    )
    out["parent_name"] = [None if is_missing(x) else x for x in out["parent_name"]]
    return out.drop_duplicates("unit_name").reset_index(drop=True)


def city_name(core: CoreTables) -> str:
    u = unit_frame(core)
    cities = u.loc[u["unit_type"] == CITY_TYPE, "unit_name"].tolist()
    return cities[0] if cities else "柳州市"


def targets_for_year(core: CoreTables, year: int) -> dict[tuple[str, str], Decimal]:
    """(unit_name, indicator) -> Σ target over sub_units of `year` (missing targets skipped)."""
    t = core.targets
    out: dict[tuple[str, str], Decimal] = {}
    if not len(t):
        return out
    t = t[pd.to_numeric(t["year"], errors="coerce") == year]
    for unit, ind, val in zip(t["unit_name"], t["indicator"], t["target"]):
        d = to_dec(val)
        if d is None:
            continue
        out[(unit, ind)] = out.get((unit, ind), ZERO) + d
    return out


def finalize(
    rows: list[dict], columns: list[str], *, floats=(), objects=(), ints=(), nullable_ints=()
) -> pd.DataFrame:
    """A mart frame with stable dtypes whatever the data: float64 (NULL = NaN) for rates and
    scores, object (NULL = None) for Decimal amounts / mixed values / booleans, int64 for counts,
    Int64 for nullable integers."""
    data: dict[str, pd.Series] = {}
    for c in columns:
        values = [r.get(c) for r in rows]
        if c in floats:
            s = pd.Series([None if is_missing(v) else float(v) for v in values], dtype="float64")
        elif c in ints:
            s = pd.Series(values, dtype="int64")
        elif c in nullable_ints:
            s = pd.Series([None if is_missing(v) else int(v) for v in values], dtype="Int64")
        elif c in objects:
            s = pd.Series([None if is_missing(v) else v for v in values], dtype=object)
        else:
            s = pd.Series(values) if values else pd.Series([], dtype=object)
        data[c] = s
    return pd.DataFrame(data, columns=columns)
