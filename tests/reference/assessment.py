"""绩效考评 from rules.md (revision 2) and docs/design.md's decisions, written without looking
at assets/marts/assessment.py.

Rows: period, year, unit_name, unit_type, item, score, max_score (+ rank, grade on `total`).
Scores are Fractions until the end."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pandas as pd

from .figures import PeriodFigures
from .red_black import appearances, cents, list_group, targets, unit_table
from .red_black import half_cent as _half_cent

ACTIVITY_TYPES = Path(__file__).resolve().parents[2] / "reference" / "activity_types.csv"
DISTRICT_ITEMS = ("funds_in_place", "new_projects", "new_industrial_projects",
                  "new_100m_industrial_projects")


def _f(x) -> Fraction:
    return Fraction(str(x))


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and x != x) or x is pd.NA


class ActivityClasses:
    """reference/activity_types.csv: exact text first, else the longest keyword contained."""

    def __init__(self, path: Path = ACTIVITY_TYPES):
        rows = pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")
        self.exact = {r["text"]: r["class"] for r in rows if r["match"] == "exact"}
        self.contains = sorted(((r["text"], r["class"]) for r in rows
                                if r["match"] == "contains"), key=lambda t: -len(t[0]))

    def of(self, text) -> str | None:
        if _missing(text) or not str(text).strip():
            return None
        text = str(text).strip()
        if text in self.exact:
            return self.exact[text]
        for key, cls in self.contains:
            if key in text:
                return cls
        return None


def _rows_at(df: pd.DataFrame, unit: str, period: str) -> list[dict]:
    if df is None or len(df) == 0:
        return []
    return [r for r in df.to_dict("records")
            if r["unit_name"] == unit and str(r["period"])[:7] == period]


def _distinct_activities(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in rows:
        key = (str(r.get("activity_date")), str(r.get("activity_name")))  # one event
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def owed_counts(submissions: pd.DataFrame | None, period: str) -> dict[str, tuple[int, int]]:
    """unit -> (missing, late) over the year's months up to the period, for every unit that
    owed anything (a status other than not_due) in them."""
    out: dict[str, tuple[int, int]] = {}
    if submissions is None or submissions.empty:
        return out
    year = period[:4]
    for r in submissions.itertuples():
        if str(r.period)[:4] != year or str(r.period) > period or r.status == "not_due":
            continue
        m, late = out.get(r.unit_name, (0, 0))
        out[r.unit_name] = (m + (r.status == "missing"), late + (r.status == "late"))
    return out


class Assessor:
    def __init__(self, core, period: str, rules, classes: ActivityClasses | None = None):
        self.core, self.period, self.rules = core, period, rules
        self.year, self.month = int(period[:4]), int(period[5:7])
        self.tp = Fraction(self.month, 12)
        self.figs = PeriodFigures(core, period, rules)
        self.info = unit_table(core)
        self.tg = targets(core, self.year)
        self.classes = classes or ActivityClasses()
        self.appear = appearances(core, period, rules)
        self.owed = owed_counts(getattr(core, "submissions", None), period)

    def reporting(self, missing: int, late: int) -> Fraction:
        """rules.md `reporting`: −per missing, −per late so far this year, at most −cap."""
        each_missing, each_late, cap = (Fraction(str(x)) for x in self.rules.reporting)
        return -min(missing * each_missing + late * each_late, cap)

    # --- departments ---------------------------------------------------------------------
    def department(self, u: str) -> list[tuple]:
        a = self.rules.assessment
        packaged = len({r["project_name"] for r in _rows_at(self.core.reserve, u, self.period)
                        if not _missing(r["project_name"])})
        acts = [r for r in _distinct_activities(_rows_at(self.core.activities, u, self.period))
                if self.classes.of(r.get("activity_type")) in a.dept_activity_classes]
        out = [
            ("packaged_projects",
             min(Fraction(packaged) / _f(a.dept_packaged_required), 1) * _f(a.dept_packaged_max),
             _f(a.dept_packaged_max)),
            ("activities", min(len(acts) * _f(a.dept_activities_each), _f(a.dept_activities_max)),
             _f(a.dept_activities_max)),
        ]
        target = self.tg.get((u, "new_projects"))
        score = None if target is None else \
            min(Fraction(self.figs.of(u).new_projects) / target, 1) * _f(a.dept_new_projects_max)
        out.append(("new_projects", score, _f(a.dept_new_projects_max)))
        return out

    # --- districts, zones, 产业招商组 -------------------------------------------------------
    def district(self, u: str) -> list[tuple]:
        a, ind = self.rules.assessment, self.rules.indicators
        fig = self.figs.of(u)
        actual = {"funds_in_place": fig.funds, "new_projects": fig.new_projects,
                  "new_industrial_projects": fig.industrial,
                  "new_100m_industrial_projects": sum(
                      1 for p in fig.new if p["industrial"]
                      and p["inv"] >= ind.industrial_100m_min_investment)}
        out = []
        for item in DISTRICT_ITEMS:
            w, target = _f(a.district_weights[item]), self.tg.get((u, item))
            out.append((item, None if target is None
                        else min(_f(actual[item]) / target, 1) * w, w))
        emerging = None
        # the 30% rule is part of the new-project target (seed 001 puts it on the county's 60
        # projects): without that target it is not assessed, like any item without a target
        if self.info[u][0] in a.emerging_unit_types and (u, "new_projects") in self.tg:
            # no new project yet: no share, so nothing is "below 0.30" (spec silent): 0
            share = Fraction(sum(1 for p in fig.new if p["emerging"]), fig.new_projects) \
                if fig.new_projects else None
            emerging = -_f(a.emerging_deduction) if share is not None \
                and share < _f(ind.emerging_share_threshold) else Fraction(0)
        out.append(("emerging_share", emerging, Fraction(0)))
        bonus = Fraction(0)
        for p in fig.new:
            bonus += next((_f(pts) for lo, pts in a.bonus_tiers if p["inv"] >= lo), 0)
        out.append(("big_project_bonus", min(bonus, _f(a.bonus_cap)), _f(a.bonus_cap)))
        red, black = self.appear.get(u, (0, 0))
        adj = red * _f(a.red_points) - black * _f(a.black_points)
        cap = _f(a.adjustment_cap)
        out.append(("red_black_adjustment", max(min(adj, cap), -cap), cap))
        return out

    # --- 专班 ----------------------------------------------------------------------------
    def task_force(self, u: str) -> list[tuple]:
        duties = self.rules.assessment.task_force
        acts = _distinct_activities(_rows_at(self.core.activities, u, self.period))
        reserve = _rows_at(self.core.reserve, u, self.period)
        started = (any(k[0] == u for k in self.tg) or self.figs.credited.get(u)
                   or acts or reserve)
        if not started:
            return [(k, None, _f(d.max)) for k, d in duties.items()]
        target = self.tg.get((u, "new_projects"))
        kinds = {self.classes.of(r.get("activity_type")) for r in acts}
        quarters = set()
        for r in acts:
            if self.classes.of(r.get("activity_type")) in duties["joint_meetings"].classes:
                date = r.get("activity_date")
                quarters.add(("undated", id(r)) if _missing(date) or len(str(date)) < 7
                             else (int(str(date)[5:7]) - 1) // 3)
        year = str(self.year)
        entered = {r["project_name"] for r in reserve if not _missing(r["project_name"]) and (
            _missing(r.get("entered_on")) or (str(r["entered_on"])[:4] == year
                                              and str(r["entered_on"])[:7] <= self.period))}
        docked = sum(int(r["enterprises_docked"]) for r in acts
                     if not _missing(r.get("enterprises_docked")))
        counts = {
            "qualifying_projects": self.figs.of(u).new_projects,
            "activities": len(kinds & set(duties["activities"].classes)),
            "reserve_projects": len(entered),
            "enterprises_docked": docked,
            "joint_meetings": len(quarters),
        }
        out = []
        for item, d in duties.items():
            duty = target if item == "qualifying_projects" and target is not None else _f(d.duty)
            # spec silent: a duty of 0 is met by anyone (full marks)
            done = 1 if duty <= 0 else min(Fraction(counts[item]) / (duty * self.tp), 1)
            out.append((item, done * _f(d.max), _f(d.max)))
        return out

    # --- all units -----------------------------------------------------------------------
    def scheme(self, u: str) -> list[tuple] | None:
        utype, _parent, ptype = self.info[u]
        if utype == "department":
            return self.department(u)
        if utype == "task_group" and ptype == "department":
            return self.task_force(u)
        if utype in ("district", "task_group"):
            return self.district(u)
        return None

    def rows(self) -> pd.DataFrame:
        rows, totals = [], []
        for u, info in self.info.items():
            items = self.scheme(u)
            if items is None:
                continue
            if u in self.owed:
                items = [*items, ("reporting", self.reporting(*self.owed[u]), Fraction(0))]
            base = dict(period=self.period, year=self.year, unit_name=u, unit_type=info[0])
            rows += [dict(base, item=k, score=None if s is None else cents(s), exact=s,
                          ties=int(s is not None and _half_cent(s)), max_score=m)
                     for k, s, m in items]
            scored = [(k, cents(s), m) for k, s, m in items if s is not None]
            # the total is the sum of the items as published (to the cent), so that the 通报's
            # items add up to its total
            total = sum(s for _k, s, _m in scored) if scored else None
            ties = sum(1 for _k, s, _m in items if s is not None and _half_cent(s))
            full = sum(m for k, _s, m in scored
                       if k not in ("big_project_bonus", "red_black_adjustment"))
            grade = None
            if scored and full:
                share = total / full
                grade = next((g for bar, g in self.rules.assessment.grades if share >= bar),
                             "不合格")
            totals.append(dict(base, item="total", score=total, ties=ties,
                               max_score=sum(m for _k, _s, m in scored), grade=grade,
                               group=list_group(u, info, self.rules)))
        self._rank(totals)
        for t in totals:
            t.pop("group")
        return pd.DataFrame(rows + totals)

    @staticmethod
    def _rank(totals: list[dict]) -> None:
        """Competition ranking (1, 1, 3) by total within the list group; no total, no rank."""
        for t in totals:
            if t["score"] is None or t["grade"] is None:
                t["rank"] = None
                continue
            mine = round(float(t["score"]), 2)
            t["rank"] = 1 + sum(1 for o in totals if o["group"] == t["group"]
                                and o["score"] is not None and o["grade"] is not None
                                and round(float(o["score"]), 2) > mine)


def performance_assessment(core, period: str, rules) -> pd.DataFrame:
    return Assessor(core, period, rules).rows()
