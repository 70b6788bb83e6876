"""marts.performance_assessment: 绩效考评, year to date at period P (rules.md; the December row is
the year's result).

Departments (seed 000 附件2): packaged_projects = min(count ÷ required, 1) × max, count = the
distinct project names of the unit's reserve/packaged rows of period P; activities = min(count ×
points_each, max), count = the distinct (date, name) of the unit's activity rows of period P whose
活动类型 is of a scoring class (reference/activity_types.csv, rules
`assessment.department.activities.classes`; revision 2); new_projects = min(completion, 1) × max
(the science bureau counts qualifying projects only).

专班 (task groups whose parent is a department; seed 004, revision 2): each item min(count ÷
(duty × time progress), 1) × max — qualifying_projects (duty: the unit's new_projects target when
it has one, else the rule), activities (each class of `task_force.activities.classes` counts once
at most), reserve_projects (distinct names of the unit's reserve list of P entered in the year up to P;
undated entries count), enterprises_docked
(Σ 对接企业数 over the unit's distinct activities, whatever their type), joint_meetings (the
quarters of the year with at least one activity of a joint-meeting class).

Every unit that owed submissions this year (assets/marts/submissions.py; revision 2) also gets
`reporting`: −missing_points per missing and −late_points per late submission so far this
year, at most −cap, max 0 (so it lowers the total, never the full marks).

Districts and task groups: funds_in_place, new_projects, new_industrial_projects,
new_100m_industrial_projects = min(completion, 1) × weight; emerging_share = −deduction when the
share of emerging projects among the unit's new projects is below the threshold; big_project_bonus
= each new project scores the points of its highest tier only, the sum capped; red_black_adjustment
= +red per 红榜 and −black per 黑榜 appearance in the list periods of the year up to P (lists
rebuilt from each period's own data), within ±cap.

Decisions where the spec is silent:
- An item whose target is missing (or 0) scores NULL, is left out of the total and `detail` says
  why.  emerging_share is NULL when the unit has no new-project target (the 30% requirement is
  part of that target); with a target but no new project yet there is no deduction (score 0).
- big_project_bonus and red_black_adjustment always score (0 when nothing applies); departments
  get only their three items (the red/black adjustment is a district/task-group rule).
- total: score = Σ of the non-NULL item scores; max_score = Σ of the max_score of the non-NULL
  items (so a district with every target has 100 + bonus cap + red/black cap = 113).
- Scores are rounded to 2 decimals.  The city itself is not assessed.
- An activity whose type is blank or not in the activity-type table counts nowhere (the unit's
  clerk is to write a known type); `detail` counts them so the office sees them.
- emerging_share applies only to `assessment.district.emerging_share_unit_types` (districts); a
  task group gets the row with a NULL score and the reason.
- total rows carry rank and grade: rank within the red/black list group by total score (equal
  totals share a rank); grade by total ÷ full marks, where full marks = Σ max_score of the scored
  items other than the bonus and the red/black adjustment (bonuses can lift a unit, never lower
  its bar).  A unit with no scored item has neither.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from runtime.reference import ActivityTypes, load_activity_types
from runtime.rules import Rules

from .common import (
    INDICATOR_LABELS,
    CoreTables,
    PeriodView,
    UnitRef,
    amt,
    build_view,
    cents,
    core_once,
    finalize,
    is_missing,
    month_of,
    num,
    pct,
    ratio,
    targets_for_year,
    time_progress,
    unit_refs,
)
from .indicators import Actuals, qualifying_entry, unit_actuals
from .submissions import reporting_counts, reporting_item

ASSESSMENT_COLUMNS = [
    "period", "year", "unit_name", "unit_type", "item", "score", "max_score", "detail",
    "completion_rate", "rank", "grade",
]
BONUS_ITEMS = frozenset({"big_project_bonus", "red_black_adjustment"})
ITEM_LABELS = {
    **INDICATOR_LABELS, "packaged_projects": "策划包装项目", "activities": "招商活动",
    "big_project_bonus": "重大项目奖励", "red_black_adjustment": "红黑榜加减分",
    "qualifying_projects": "新引进达标项目", "reserve_projects": "滚动入库项目",
    "enterprises_docked": "对接目标企业", "joint_meetings": "招商工作联席会",
    "reporting": "按时报送",
}
DEPARTMENT_TYPES = frozenset({"department"})
DISTRICT_TYPES = frozenset({"district", "task_group"})
TYPE_ORDER = {"district": 1, "department": 2, "task_group": 3}


def _rows_at(core: CoreTables, table: str, unit: str, period: str) -> list[dict]:
    """The unit's rows of core.<table> (activities, reserve) for period P, in table order.

    Perf (issue 17): every unit asks, so P's rows are split by unit once per core (core_memo)."""
    def by_unit() -> dict[Any, list[dict]]:
        df = getattr(core, table)
        out: dict[Any, list[dict]] = {}
        if len(df):
            for rec in df[df["period"].astype(str).str[:7] == period].to_dict("records"):
                out.setdefault(rec["unit_name"], []).append(rec)
        return out

    return core_once(core, ("rows_at", table, period), None, by_unit).get(unit, [])


def _distinct_records(records: list[dict], keys: list[str]) -> list[dict]:
    """The first record of each distinct key; a record with no key at all counts on its own."""
    seen: set = set()
    out = []
    for rec in records:
        key = tuple(None if is_missing(rec.get(k)) else str(rec.get(k)) for k in keys)
        if all(v is None for v in key):
            out.append(rec)  # nothing to identify it by: count the row
        elif key not in seen:
            seen.add(key)
            out.append(rec)
    return out


def _distinct(records: list[dict], keys: list[str]) -> int:
    return len(_distinct_records(records, keys))


# --- activities by type (revision 2) -----------------------------------------------------------
def unit_activities(core: CoreTables, unit: str, period: str,
                    types: ActivityTypes) -> list[tuple[dict, str | None]]:
    """The unit's distinct activities (date, name) of period P's list, each with its class
    (None = blank or unknown type)."""
    recs = _distinct_records(_rows_at(core, "activities", unit, period),
                             ["activity_date", "activity_name"])
    return [(r, types.classify(None if is_missing(r.get("activity_type"))
                               else r.get("activity_type"))) for r in recs]


def _unknown_note(acts: list[tuple[dict, str | None]]) -> str:
    unknown = [r.get("activity_type") for r, c in acts if c is None]
    if not unknown:
        return ""
    shown = sorted({"（空白）" if is_missing(t) else str(t) for t in unknown})
    return (f"；另有 {len(unknown)} 次活动类型未能识别（{'、'.join(shown)}），不计分，"
            "请填报单位按规定类型填写")

def completion_item(item: str, actual: Any, target: Any, max_score: float, fmt) -> dict:
    label = INDICATOR_LABELS[item]
    completion = ratio(actual, target)
    if target is None:
        return dict(item=item, score=None, max_score=max_score, completion_rate=None,
                    detail=f"{label}：无目标任务，不计分（完成 {fmt(actual)}）")
    if completion is None:
        return dict(item=item, score=None, max_score=max_score, completion_rate=None,
                    detail=f"{label}：目标为 0，不计分（完成 {fmt(actual)}）")
    score = cents(min(completion, 1.0) * max_score)
    return dict(
        item=item, score=score, max_score=max_score, completion_rate=completion,
        detail=f"{label}：目标 {fmt(target)}，完成 {fmt(actual)}，完成率 {pct(completion)}，"
        f"得 {score:.2f} 分（满分 {num(max_score)} 分）",
    )


def _count(x: Any) -> str:
    return f"{num(x)} 个"


def _amount(x: Any) -> str:
    return f"{amt(x)} 亿元"


def department_items(core: CoreTables, urow: UnitRef, view: PeriodView, act: Actuals,
                     targets: dict, rules: Rules, types: ActivityTypes) -> list[dict]:
    d = rules.assessment.department
    unit = urow.name
    packaged = _distinct(_rows_at(core, "reserve", unit, view.period), ["project_name"])
    p_score = cents(min(packaged / d.packaged_required, 1.0) * d.packaged_max) \
        if d.packaged_required else d.packaged_max
    acts = unit_activities(core, unit, view.period, types)
    scoring = sum(1 for _r, c in acts if c in d.activity_classes)
    other = sum(1 for _r, c in acts if c is not None and c not in d.activity_classes)
    a_score = cents(min(scoring * d.activity_points, d.activities_max))
    np_label = "（只计达标项目）" if qualifying_entry(urow, rules) else ""
    new_item = completion_item("new_projects", act.new_projects,
                               targets.get((unit, "new_projects")), d.new_projects_max, _count)
    new_item["detail"] += np_label
    return [
        dict(item="packaged_projects", score=p_score, max_score=d.packaged_max,
             completion_rate=packaged / d.packaged_required if d.packaged_required else None,
             detail=f"策划包装重点招商项目 {packaged} 个，要求 {d.packaged_required} 个以上，"
             f"得 {p_score:.2f} 分（满分 {num(d.packaged_max)} 分）"),
        dict(item="activities", score=a_score, max_score=d.activities_max, completion_rate=None,
             detail=f"参加自治区或市组织的重点活动及本行业专题招商活动 {scoring} 次，每次 "
             f"{num(d.activity_points)} 分，得 {a_score:.2f} 分（最高 {num(d.activities_max)} 分）"
             + (f"；走访、座谈、接待等其他活动 {other} 次不计分" if other else "")
             + _unknown_note(acts)),
        new_item,
    ]


def _duty_item(item: str, count: float, duty: float, max_score: float, tp: float,
               what: str, unit_word: str) -> dict:
    """min(count ÷ (duty × time progress), 1) × max, with its explanation."""
    due = duty * tp
    if due <= 0:
        return dict(item=item, score=cents(max_score), max_score=max_score,
                    completion_rate=None,
                    detail=f"{what} {num(count)} {unit_word}，年度任务为 0，得满分 "
                    f"{num(max_score)} 分")
    rate = count / due
    score = cents(min(rate, 1.0) * max_score)
    return dict(
        item=item, score=score, max_score=max_score, completion_rate=rate,
        detail=f"{what} {num(count)} {unit_word}，年度任务 {num(duty)} {unit_word}，按序时进度 "
        f"{pct(tp)} 应完成 {due:.2f} {unit_word}，完成 {pct(rate)}，得 {score:.2f} 分"
        f"（满分 {num(max_score)} 分）",
    )


def _entered_this_year(entered_on: Any, view: PeriodView) -> bool:
    """滚动入库 counts projects entered in the year up to P; an unknown date is given the benefit
    (the list is the year's list)."""
    month = month_of(entered_on)
    return month is None or f"{view.year:04d}-01" <= month <= view.period


def _quarter(rec: dict) -> Any:
    text = "" if is_missing(rec.get("activity_date")) else str(rec.get("activity_date"))
    if len(text) >= 7 and text[4] == "-" and text[5:7].isdigit() and 1 <= int(text[5:7]) <= 12:
        return (int(text[5:7]) - 1) // 3 + 1
    return ("?", rec.get("activity_name"))  # no usable date: counts on its own


TASK_FORCE_ITEMS = ("qualifying_projects", "activities", "reserve_projects", "enterprises_docked",
                    "joint_meetings")


def _task_force_active(core: CoreTables, unit: str, view: PeriodView, targets: dict) -> bool:
    """A 专班 is assessed in a year once it has a target that year, a project credited to it by P,
    or a list of activities / reserve projects that year (one set up mid-plan is not failed for the years
    before it existed)."""
    return (any(u == unit for u, _i in targets) or bool(view.credit.get(unit))
            or bool(_rows_at(core, "activities", unit, view.period))
            or bool(_rows_at(core, "reserve", unit, view.period)))


def task_force_items(core: CoreTables, urow: UnitRef, view: PeriodView, act: Actuals,
                     targets: dict, rules: Rules, types: ActivityTypes) -> list[dict]:
    """专班 duties of seed 004 (rules.md "专班"), pro rata by time progress."""
    tf = rules.assessment.task_force
    unit, tp = urow.name, time_progress(view.period)
    if not _task_force_active(core, unit, view, targets):
        return [dict(item=k, score=None, max_score=getattr(tf, k).max, completion_rate=None,
                     detail=f"{ITEM_LABELS[k]}：本年无目标任务、无报送，专班尚未开展工作，不考核")
                for k in TASK_FORCE_ITEMS]
    target = targets.get((unit, "new_projects"))
    duty = float(target) if target else tf.qualifying_projects.duty
    q = _duty_item("qualifying_projects", act.new_projects, duty,
                   tf.qualifying_projects.max, tp, "新引进达标项目", "个")
    q["detail"] += "（年度任务取目标任务表）" if target else "（年度任务取考核规则）"
    acts = unit_activities(core, unit, view.period, types)
    held = sorted({c for _r, c in acts if c in tf.activities.classes},
                  key=tf.activities.classes.index)
    kinds = "、".join(CLASS_LABELS.get(c, c) for c in tf.activities.classes)
    a = _duty_item("activities", len(held), tf.activities.duty, tf.activities.max, tp,
                   f"{kinds}招商活动（每类最多计 1 场）", "场")
    a["detail"] += (f"；已开展：{'、'.join(CLASS_LABELS.get(c, c) for c in held)}" if held
                    else "") + _unknown_note(acts)
    rows = _rows_at(core, "reserve", unit, view.period)
    if "entered_on" in core.reserve.columns:
        rows = [r for r in rows if _entered_this_year(r["entered_on"], view)]
    reserve = _distinct(rows, ["project_name"])
    r = _duty_item("reserve_projects", reserve, tf.reserve_projects.duty,
                   tf.reserve_projects.max, tp, "滚动入库项目", "个")
    docked = sum(int(x) for x in (rec.get("enterprises_docked") for rec, _c in acts)
                 if not is_missing(x))
    e = _duty_item("enterprises_docked", docked, tf.enterprises_docked.duty,
                   tf.enterprises_docked.max, tp, "精准对接目标企业", "家")
    e["detail"] += "（各次活动对接企业数之和）"
    quarters = {_quarter(rec) for rec, c in acts if c in tf.joint_meetings.classes}
    j = _duty_item("joint_meetings", len(quarters), tf.joint_meetings.duty,
                   tf.joint_meetings.max, tp, "召开招商工作联席会", "次")
    j["detail"] += "（同一季度多次只计 1 次）"
    return [q, a, r, e, j]


CLASS_LABELS = {"going_out": "走出去", "inviting_in": "请进来", "online": "不见面",
                "joint_meeting": "联席会", "key_event": "重点活动",
                "industry_special": "本行业专题活动"}


def big_project_bonus(investments: list[Decimal], rules: Rules) -> tuple[float, str]:
    dr = rules.assessment.district
    tiers = sorted(dr.bonus_tiers, key=lambda t: t.min_investment)
    counts = {t.min_investment: 0 for t in tiers}
    raw = 0.0
    for inv in investments:
        hit = None
        for t in tiers:
            if inv is not None and inv >= Decimal(str(t.min_investment)):
                hit = t
        if hit is not None:
            counts[hit.min_investment] += 1
            raw += hit.points
    score = cents(min(raw, dr.bonus_cap))
    desc = "、".join(
        f"{num(t.min_investment)}亿元以上 {counts[t.min_investment]} 个（每个 {num(t.points)} 分）"
        for t in reversed(tiers)
    )
    capped = f"，合计 {num(raw)} 分超过上限，按 {num(dr.bonus_cap)} 分计" if raw > dr.bonus_cap \
        else ""
    return score, (f"新引进重大项目（每个项目只按最高档计）：{desc}{capped}，加 {score:.2f} 分")


def _emerging(unit_type: str | None, act: Actuals, np_target: Any, rules: Rules) -> dict:
    """−deduction below the threshold; districts only (revision 2)."""
    dr = rules.assessment.district
    threshold = rules.indicators.emerging_share_threshold
    share = act.emerging_share
    if unit_type not in dr.emerging_share_unit_types:
        return dict(score=None, detail=f"新兴产业占比：{pct(threshold)} 的要求针对县区整体，"
                    "产业招商组不单独考核")
    if np_target is None or np_target == 0:
        return dict(score=None, detail="新兴产业占比：无新引进项目目标任务，不考核")
    if share is None:
        return dict(score=0.0,
                    detail=f"新兴产业占比：暂无新引进项目，不扣分（要求不低于 {pct(threshold)}）")
    below = share < threshold
    return dict(score=-cents(dr.emerging_share_deduction) if below else 0.0, detail=(
        f"新兴产业占比 {pct(share)}（新兴产业项目 {act.emerging_new_projects} 个 / 新引进项目 "
        f"{act.new_projects} 个），" + (
            f"低于 {pct(threshold)}，扣 {num(dr.emerging_share_deduction)} 分" if below
            else f"不低于 {pct(threshold)}，不扣分"
        )))


def district_items(unit: str, unit_type: str | None, act: Actuals, targets: dict, rules: Rules,
                   apps: tuple[int, int]) -> list[dict]:
    dr = rules.assessment.district
    w = dr.weights
    items = [
        completion_item("funds_in_place", act.funds_in_place,
                        targets.get((unit, "funds_in_place")), w.funds_in_place, _amount),
        completion_item("new_projects", act.new_projects, targets.get((unit, "new_projects")),
                        w.new_projects, _count),
        completion_item("new_industrial_projects", act.new_industrial_projects,
                        targets.get((unit, "new_industrial_projects")),
                        w.new_industrial_projects, _count),
        completion_item("new_100m_industrial_projects", act.new_100m_industrial_projects,
                        targets.get((unit, "new_100m_industrial_projects")),
                        w.new_100m_industrial_projects, _count),
    ]
    items.append(dict(item="emerging_share", max_score=0.0, completion_rate=act.emerging_share,
                      **_emerging(unit_type, act, targets.get((unit, "new_projects")), rules)))
    b_score, b_detail = big_project_bonus(act.new_investments, rules)
    items.append(dict(item="big_project_bonus", score=b_score, max_score=dr.bonus_cap,
                      completion_rate=None, detail=b_detail))
    red, black = apps
    raw = red * dr.red_points - black * dr.black_points
    adj = cents(max(-dr.red_black_cap, min(dr.red_black_cap, raw)))
    capped = f"，超过 ±{num(dr.red_black_cap)} 分上限" if abs(raw) > dr.red_black_cap else ""
    items.append(dict(
        item="red_black_adjustment", score=adj, max_score=dr.red_black_cap, completion_rate=None,
        detail=f"本年截至本期上红榜 {red} 次（每次 +{num(dr.red_points)} 分）、上黑榜 {black} 次"
        f"（每次 -{num(dr.black_points)} 分）{capped}，计 {adj:+.2f} 分",
    ))
    return items


def _total_item(items: list[dict]) -> dict:
    scored = [i for i in items if i["score"] is not None]
    if not scored:  # nothing scored (a 专班 not yet at work): no total, not a total of 0
        return dict(item="total", score=None, max_score=0.0, completion_rate=None,
                    detail="本期无计分项目（原因见各项说明），不计总分、不评等次、不排名", _full=0.0)
    total = cents(sum(i["score"] for i in scored))
    max_total = cents(sum(i["max_score"] for i in scored))
    full = cents(sum(i["max_score"] for i in scored if i["item"] not in BONUS_ITEMS))
    left_out = [ITEM_LABELS.get(i["item"], i["item"]) for i in items if i["score"] is None]
    detail = "；".join(
        [f"{len(scored)} 项计分，合计 {total:.2f} 分（可得最高 {num(max_total)} 分，"
         f"其中基本分满分 {num(full)} 分）"]
        + ([f"未计分：{'、'.join(left_out)}（原因见各项说明）"] if left_out else [])
    )
    return dict(item="total", score=total, max_score=max_total, completion_rate=None,
                detail=detail, _full=full)


def grade_and_rank(totals: list[dict], groups: dict[str, str], rules: Rules) -> None:
    """rank (equal totals share a rank) within each list group and grade by total ÷ full marks,
    on the total items in place; each detail says so."""
    g = rules.assessment.grade
    by_group: dict[str, list[dict]] = {}
    for t in totals:
        if t["_full"] > 0:
            by_group.setdefault(groups[t["_unit"]], []).append(t)
        else:
            t["detail"] += "；无计分项目，不评等次、不排名"
    for group, members in by_group.items():
        for t in members:
            t["rank"] = 1 + sum(1 for m in members if m["score"] > t["score"])
            share = t["score"] / t["_full"]
            t["grade"] = g.grade(share)
            ties = [m["_unit"] for m in members if m is not t and m["score"] == t["score"]]
            tie = f"，与{'、'.join(ties)}并列" if ties else ""
            t["detail"] += (
                f"；得分占基本分满分的 {pct(share)}，等次{t['grade']}（优秀 ≥ {pct(g.excellent)}、"
                f"良好 ≥ {pct(g.good)}、合格 ≥ {pct(g.pass_)}）；{group}组内第 {t['rank']} 名"
                f"（共 {len(members)} 个单位{tie}）")


def _unit_items(core: CoreTables, urow: UnitRef, view: PeriodView, targets: dict,
                apps: dict, rules: Rules, types: ActivityTypes) -> list[dict]:
    act = unit_actuals(view, urow.name, rules)
    if urow.unit_type in DEPARTMENT_TYPES:
        return department_items(core, urow, view, act, targets, rules, types)
    if urow.parent_type in DEPARTMENT_TYPES:  # a 专班
        return task_force_items(core, urow, view, act, targets, rules, types)
    return district_items(urow.name, urow.unit_type, act, targets, rules,
                          apps.get(urow.name, (0, 0)))


def build_assessment(
    core: CoreTables, period: str, rules: Rules, view: PeriodView | None = None,
    apps: dict[str, tuple[int, int]] | None = None, activity_types: ActivityTypes | None = None,
) -> pd.DataFrame:
    from .red_black import appearances, list_group_name  # local: red_black imports are heavier

    view = view or build_view(core, period, rules)
    if apps is None:
        apps = appearances(core, view.period, rules)
    types = activity_types or load_activity_types()
    targets = targets_for_year(core, view.year)
    ordered = sorted(
        (u for u in unit_refs(core).values()
         if u.unit_type in DEPARTMENT_TYPES | DISTRICT_TYPES),
        key=lambda u: (TYPE_ORDER.get(u.unit_type, 9), u.name),
    )
    reporting = reporting_counts(core, view.period, rules)
    per_unit, totals, groups = [], [], {}
    for u in ordered:
        items = _unit_items(core, u, view, targets, apps, rules, types)
        if u.name in reporting:  # revision 2: only a unit that owed submissions this year
            items.append(reporting_item(*reporting[u.name], rules))
        total = _total_item(items)
        total["_unit"] = u.name
        groups[u.name] = list_group_name(u.unit_type, u.parent_name, u.parent_type, rules)
        totals.append(total)
        per_unit.append((u, [*items, total]))
    grade_and_rank(totals, groups, rules)
    rows = []
    for u, items in per_unit:
        for i in items:
            rec = {k: v for k, v in i.items() if not k.startswith("_")}
            rows.append(dict(period=view.period, year=view.year, unit_name=u.name,
                             unit_type=u.unit_type, **rec))
    return finalize(rows, ASSESSMENT_COLUMNS, floats=("score", "max_score", "completion_rate"),
                    ints=("year",), nullable_ints=("rank",), objects=("grade",))
