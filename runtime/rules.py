"""The rules file `reference/rules.yaml`: load, validate, expose as frozen dataclasses.

Pure: no Dagster, no warehouse.  Every problem raises `RulesError` with a Chinese message that
names the dotted key ("rules.yaml: red_black.weights.funds 必须是数字，实际为 'abc'"), so a
clerk who edited the file knows which line to fix.  Validation is strict: unknown keys,
missing keys, non-numbers where a number is expected, negative numbers, unordered bonus tiers
and a cadence other than monthly/quarterly are all errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from runtime.settings import DEFAULT_REFERENCE_DIR, Settings

DEFAULT_RULES_PATH = DEFAULT_REFERENCE_DIR / "rules.yaml"  # the repo's own copy

CADENCES = ("monthly", "quarterly")
QUARTER_MONTHS = (3, 6, 9, 12)


class RulesError(ValueError):
    """The rules file is invalid; the message names the offending key."""


# --- schema ------------------------------------------------------------------------------------
# Leaf specs: "num" (int/float, >= 0), "int" (int >= 0), "str", "strlist", "cadence", "tiers".
NUM, INT, STR, STRLIST, CADENCE, TIERS = "num", "int", "str", "strlist", "cadence", "tiers"
# revision 2 (indicators): "source_choice" (exclude | include), "qualifying" (list of entries)
SOURCE_CHOICE, QUALIFYING = "source_choice", "qualifying"
UNKNOWN_SOURCE_CHOICES = ("exclude", "include")
# one qualifying_projects entry: a unit selector (at least one key) and the two bars
QUALIFYING_SELECTORS = ("unit_type", "parent_type", "parent", "units")
QUALIFYING_BARS = ("industrial_min_investment", "other_min_investment")

SCHEMA: dict[str, Any] = {
    "indicators": {
        "below_threshold_amount": NUM,
        "industrial_100m_min_investment": NUM,
        "emerging_share_threshold": NUM,
        "major_project_min_investment": NUM,
        "major_project_excluded_industries": STRLIST,
        "unknown_source": SOURCE_CHOICE,
        "qualifying_projects": QUALIFYING,
    },
    "four_rates": {
        "increment_targets": {
            "performance_rate": NUM,
            "funds_rate": NUM,
            "start_rate": NUM,
            "completion_rate": NUM,
        },
    },
    "red_black": {
        "cadence": CADENCE,
        "top_n": INT,
        "bottom_n": INT,
        "ratio_cap": NUM,
        "weights": {"funds": NUM, "projects": NUM, "major_projects": NUM, "four_rates": NUM},
        "list_group": {
            "name_format": STR,
            "labels": {"district": STR, "department": STR, "task_group": STR},
            "task_group_under_department": STR,
        },
    },
    "assessment": {
        "department": {
            "packaged_projects": {"max": NUM, "required": INT},
            "activities": {"max": NUM, "points_each": NUM, "classes": STRLIST},
            "new_projects": {"max": NUM},
        },
        "district": {
            "weights": {
                "funds_in_place": NUM,
                "new_projects": NUM,
                "new_industrial_projects": NUM,
                "new_100m_industrial_projects": NUM,
            },
            "emerging_share_deduction": NUM,
            "emerging_share_unit_types": STRLIST,
            "big_project_bonus": {"cap": NUM, "tiers": TIERS},
            "red_black_adjustment": {"red": NUM, "black": NUM, "cap": NUM},
        },
        "task_force": {
            "qualifying_projects": {"max": NUM, "duty": NUM},
            "activities": {"max": NUM, "duty": NUM, "classes": STRLIST},
            "reserve_projects": {"max": NUM, "duty": NUM},
            "enterprises_docked": {"max": NUM, "duty": NUM},
            "joint_meetings": {"max": NUM, "duty": NUM, "classes": STRLIST},
        },
        "grade": {"excellent": NUM, "good": NUM, "pass": NUM},
    },
    # revision 2: reporting duty (deadlines are in reference/reporting_duties.csv), 季约谈, 预警
    "reporting": {
        "utc_offset_hours": NUM,
        "assessment": {"missing_points": NUM, "late_points": NUM, "cap": NUM},
    },
    "interview": {"black_list_months": INT, "gate_share_of_time_progress": NUM},
    "early_warning": {
        "signed_not_started_months": INT,
        "signed_no_funds_months": INT,
        "behind_schedule_gap": NUM,
    },
    "schedule": {"schedule_cron": STR, "report_deadline_cron": STR, "report_window_days": NUM},
    "report": {"issuer": STR, "number_format": STR, "recipients": STR},
}


def _err(source: str, message: str) -> RulesError:
    return RulesError(f"{source}: {message}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_leaf(spec: str, value: Any, key: str, source: str) -> Any:
    if spec in (NUM, INT):
        if not _is_number(value):
            kind = "整数" if spec == INT else "数字"
            raise _err(source, f"{key} 必须是{kind}，实际为 {value!r}")
        if spec == INT and int(value) != value:
            raise _err(source, f"{key} 必须是整数，实际为 {value!r}")
        if value < 0:
            raise _err(source, f"{key} 不能为负数，实际为 {value!r}")
        return int(value) if spec == INT else float(value)
    if spec == STR:
        if not isinstance(value, str) or not value.strip():
            raise _err(source, f"{key} 必须是非空文字，实际为 {value!r}")
        return value
    if spec == STRLIST:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _err(source, f"{key} 必须是文字列表，实际为 {value!r}")
        return tuple(value)
    if spec == CADENCE:
        if value not in CADENCES:
            raise _err(source, f"{key} 只能是 monthly 或 quarterly，实际为 {value!r}")
        return value
    if spec == SOURCE_CHOICE:
        if value not in UNKNOWN_SOURCE_CHOICES:
            raise _err(source, f"{key} 只能是 exclude 或 include，实际为 {value!r}")
        return value
    if spec == QUALIFYING:
        return _check_qualifying(value, key, source)
    if spec == TIERS:
        if not isinstance(value, list) or not value:
            raise _err(source, f"{key} 必须是非空列表，实际为 {value!r}")
        tiers = []
        for i, item in enumerate(value):
            sub = f"{key}[{i}]"
            if not isinstance(item, dict):
                raise _err(source, f"{sub} 必须形如 {{min_investment: 10, points: 1}}")
            checked = _check_mapping(
                {"min_investment": NUM, "points": NUM}, item, sub, source
            )
            tiers.append(BonusTier(checked["min_investment"], checked["points"]))
        mins = [t.min_investment for t in tiers]
        if mins != sorted(mins) or len(set(mins)) != len(mins):
            raise _err(source, f"{key} 的 min_investment 必须从小到大且不重复")
        return tuple(tiers)
    if spec == QUALIFYING:
        return _check_qualifying(value, key, source)
    raise AssertionError(spec)  # pragma: no cover


def _check_qualifying(value: Any, key: str, source: str) -> tuple:
    if not isinstance(value, list):
        raise _err(source, f"{key} 必须是列表，实际为 {value!r}")
    entries = []
    for i, item in enumerate(value):
        sub = f"{key}[{i}]"
        if not isinstance(item, dict):
            raise _err(source, f"{sub} 必须是键值表，实际为 {item!r}")
        for k in item:
            if k not in (*QUALIFYING_SELECTORS, *QUALIFYING_BARS):
                raise _err(source, f"未知的键 {sub}.{k}（请检查拼写）")
        if not any(k in item for k in QUALIFYING_SELECTORS):
            raise _err(source, f"{sub} 至少要有 unit_type、parent_type、parent 或 units 之一")
        sel: dict[str, Any] = {}
        for k in ("unit_type", "parent_type", "parent"):
            if k in item:
                sel[k] = _check_leaf(STR, item[k], f"{sub}.{k}", source)
        if "units" in item:
            sel["units"] = _check_leaf(STRLIST, item["units"], f"{sub}.units", source)
        bars = {}
        for k in QUALIFYING_BARS:
            if k not in item:
                raise _err(source, f"缺少键 {sub}.{k}")
            bars[k] = _check_leaf(NUM, item[k], f"{sub}.{k}", source)
        entries.append(QualifyingEntry(**sel, **bars))
    return tuple(entries)


def _check_mapping(schema: dict[str, Any], data: Any, prefix: str, source: str) -> dict:
    if not isinstance(data, dict):
        where = prefix or "文件顶层"
        raise _err(source, f"{where} 必须是键值表，实际为 {data!r}")
    out: dict[str, Any] = {}
    for key in data:
        if key not in schema:
            dotted = f"{prefix}.{key}" if prefix else str(key)
            raise _err(source, f"未知的键 {dotted}（请检查拼写）")
    for key, spec in schema.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if key not in data:
            raise _err(source, f"缺少键 {dotted}")
        if isinstance(spec, dict):
            out[key] = _check_mapping(spec, data[key], dotted, source)
        else:
            out[key] = _check_leaf(spec, data[key], dotted, source)
    return out


# --- dataclasses -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BonusTier:
    min_investment: float
    points: float


@dataclass(frozen=True)
class QualifyingEntry:
    """Units whose new projects count only above their own bars (domain.md "Qualifying
    projects", revision 2).  Every selector given must match; an entry without `units` matches
    by type/parent."""

    industrial_min_investment: float
    other_min_investment: float
    unit_type: str | None = None
    parent_type: str | None = None
    parent: str | None = None
    units: tuple[str, ...] | None = None

    def matches(self, name: str, unit_type: str | None, parent: str | None,
                parent_type: str | None) -> bool:
        return (
            (self.units is None or name in self.units)
            and (self.unit_type is None or self.unit_type == unit_type)
            and (self.parent is None or self.parent == parent)
            and (self.parent_type is None or self.parent_type == parent_type)
        )


@dataclass(frozen=True)
class IndicatorRules:
    below_threshold_amount: float
    industrial_100m_min_investment: float
    emerging_share_threshold: float
    major_project_min_investment: float
    major_project_excluded_industries: tuple[str, ...]
    unknown_source: str = "exclude"
    qualifying_projects: tuple[QualifyingEntry, ...] = ()


@dataclass(frozen=True)
class IncrementTargets:
    performance_rate: float
    funds_rate: float
    start_rate: float
    completion_rate: float


@dataclass(frozen=True)
class FourRatesRules:
    increment_targets: IncrementTargets


@dataclass(frozen=True)
class RedBlackWeights:
    funds: float
    projects: float
    major_projects: float
    four_rates: float


@dataclass(frozen=True)
class ListGroupRules:
    name_format: str
    label_district: str
    label_department: str
    label_task_group: str
    task_group_under_department: str


@dataclass(frozen=True)
class RedBlackRules:
    cadence: str
    top_n: int
    bottom_n: int
    ratio_cap: float
    weights: RedBlackWeights
    list_group: ListGroupRules

    def is_list_month(self, month: int) -> bool:
        return self.cadence == "monthly" or month in QUARTER_MONTHS


@dataclass(frozen=True)
class DepartmentRules:
    packaged_max: float
    packaged_required: int
    activities_max: float
    activity_points: float
    new_projects_max: float
    activity_classes: tuple[str, ...] = ()  # reference/activity_types.csv classes that score


@dataclass(frozen=True)
class DistrictWeights:
    funds_in_place: float
    new_projects: float
    new_industrial_projects: float
    new_100m_industrial_projects: float


@dataclass(frozen=True)
class DistrictRules:
    weights: DistrictWeights
    emerging_share_deduction: float
    bonus_cap: float
    bonus_tiers: tuple[BonusTier, ...]
    red_points: float
    black_points: float
    red_black_cap: float
    emerging_share_unit_types: tuple[str, ...] = ("district",)


@dataclass(frozen=True)
class DutyItem:
    """A 专班 duty: score = min(count ÷ (duty × time progress), 1) × max."""

    max: float
    duty: float
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskForceRules:
    qualifying_projects: DutyItem
    activities: DutyItem
    reserve_projects: DutyItem
    enterprises_docked: DutyItem
    joint_meetings: DutyItem


GRADES = ("优秀", "良好", "合格", "不合格")


@dataclass(frozen=True)
class GradeRules:
    excellent: float
    good: float
    pass_: float

    def grade(self, share: float) -> str:
        for label, bar in zip(GRADES, (self.excellent, self.good, self.pass_)):
            if share >= bar:
                return label
        return GRADES[-1]


@dataclass(frozen=True)
class AssessmentRules:
    department: DepartmentRules
    district: DistrictRules
    task_force: TaskForceRules
    grade: GradeRules


@dataclass(frozen=True)
class ReportingRules:
    """Reporting duty (revision 2): deadlines are local days (UTC + utc_offset_hours); the
    `reporting` assessment item deducts per missing / late submission, at most `cap`."""

    utc_offset_hours: float = 8.0
    missing_points: float = 0.5
    late_points: float = 0.2
    cap: float = 3.0


@dataclass(frozen=True)
class InterviewRules:
    """季约谈: black-listed in >= black_list_months of the quarter, or gate completion below
    gate_share_of_time_progress × time progress at quarter end."""

    black_list_months: int = 2
    gate_share_of_time_progress: float = 0.5


@dataclass(frozen=True)
class EarlyWarningRules:
    signed_not_started_months: int = 6
    signed_no_funds_months: int = 3
    behind_schedule_gap: float = 0.20  # time progress − gate completion, as a fraction


@dataclass(frozen=True)
class ReportRules:
    """发文机关、文号格式与主送机关 of the 通报 (the Word document's head)."""

    issuer: str
    number_format: str  # placeholders {year} and {seq}
    recipients: str

    def document_number(self, year: int, seq: int) -> str:
        return self.number_format.format(year=year, seq=seq)


@dataclass(frozen=True)
class Rules:
    indicators: IndicatorRules
    four_rates: FourRatesRules
    red_black: RedBlackRules
    assessment: AssessmentRules
    schedule_cron: str
    report_deadline_cron: str  # the month's 通报 is overdue after this tick (freshness policy)
    report_window_days: float  # … unless materialised within this many days before it
    # repr=False: the marts' build fingerprint hashes repr(rules); the document head changes no mart
    report: ReportRules = field(repr=False, compare=False)
    source: str = "rules.yaml"
    reporting: ReportingRules = ReportingRules()
    interview: InterviewRules = InterviewRules()
    early_warning: EarlyWarningRules = EarlyWarningRules()


def rules_from_dict(data: Any, source: str = "rules.yaml") -> Rules:
    """Validate a parsed rules mapping and build `Rules`; raises `RulesError`."""
    d = _check_mapping(SCHEMA, data, "", source)
    ind, fr, rb, ass = d["indicators"], d["four_rates"], d["red_black"], d["assessment"]
    lg = rb["list_group"]
    dep, dis = ass["department"], ass["district"]
    return Rules(
        indicators=IndicatorRules(**ind),
        four_rates=FourRatesRules(IncrementTargets(**fr["increment_targets"])),
        red_black=RedBlackRules(
            cadence=rb["cadence"],
            top_n=rb["top_n"],
            bottom_n=rb["bottom_n"],
            ratio_cap=rb["ratio_cap"],
            weights=RedBlackWeights(**rb["weights"]),
            list_group=ListGroupRules(
                name_format=lg["name_format"],
                label_district=lg["labels"]["district"],
                label_department=lg["labels"]["department"],
                label_task_group=lg["labels"]["task_group"],
                task_group_under_department=lg["task_group_under_department"],
            ),
        ),
        assessment=AssessmentRules(
            department=DepartmentRules(
                packaged_max=dep["packaged_projects"]["max"],
                packaged_required=dep["packaged_projects"]["required"],
                activities_max=dep["activities"]["max"],
                activity_points=dep["activities"]["points_each"],
                new_projects_max=dep["new_projects"]["max"],
                activity_classes=dep["activities"]["classes"],
            ),
            district=DistrictRules(
                weights=DistrictWeights(**dis["weights"]),
                emerging_share_deduction=dis["emerging_share_deduction"],
                bonus_cap=dis["big_project_bonus"]["cap"],
                bonus_tiers=dis["big_project_bonus"]["tiers"],
                red_points=dis["red_black_adjustment"]["red"],
                black_points=dis["red_black_adjustment"]["black"],
                red_black_cap=dis["red_black_adjustment"]["cap"],
                emerging_share_unit_types=dis["emerging_share_unit_types"],
            ),
            task_force=TaskForceRules(**{k: DutyItem(**v) for k, v in ass["task_force"].items()}),
            grade=_grade_rules(ass["grade"], source),
        ),
        schedule_cron=d["schedule"]["schedule_cron"],
        report_deadline_cron=d["schedule"]["report_deadline_cron"],
        report_window_days=d["schedule"]["report_window_days"],
        report=_report_rules(d["report"], source),
        source=source,
        reporting=ReportingRules(d["reporting"]["utc_offset_hours"],
                                 **d["reporting"]["assessment"]),
        interview=InterviewRules(**d["interview"]),
        early_warning=EarlyWarningRules(**d["early_warning"]),
    )


def _grade_rules(g: dict, source: str) -> GradeRules:
    if not g["excellent"] >= g["good"] >= g["pass"]:
        raise _err(source, "assessment.grade 须满足 excellent ≥ good ≥ pass")
    return GradeRules(g["excellent"], g["good"], g["pass"])


def _report_rules(rep: dict, source: str) -> ReportRules:
    rules = ReportRules(**rep)
    try:
        rules.document_number(2021, 1)
    except (KeyError, IndexError, ValueError) as exc:
        raise _err(source, f"report.number_format 只能使用 {{year}} 和 {{seq}}，"
                           f"实际为 {rules.number_format!r}") from exc
    return rules


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and validate the rules file (default: the configured RULES_FILE)."""
    p = Path(path) if path is not None else Settings.from_env().rules_file
    source = p.name
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise _err(source, f"无法读取规则文件 {p}：{exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _err(source, f"YAML 格式错误：{exc}") from exc
    return rules_from_dict(data, source)
