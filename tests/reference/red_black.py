"""红黑榜 from rules.md (revision 2), written without looking at assets/marts/red_black.py.

One row per non-city unit: period, list_group, unit_name, score, rank, list, gate_completion.
Exact arithmetic: completions and time progress are Fractions, so "completion ≥ 序时进度" is
decided exactly (5 of 12 in May is on schedule)."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from .figures import PeriodFigures


def _f(x) -> Fraction:
    return Fraction(str(x))


def unit_table(core) -> dict:
    """unit -> (type, parent, parent type) for every unit."""
    rows = {r["unit_name"]: (r["unit_type"], r["parent_name"]) for r in core.units.to_dict("records")}
    return {u: (t, p, rows.get(p, (None, None))[0] if isinstance(p, str) else None)
            for u, (t, p) in rows.items()}


def list_group(unit: str, info: tuple, rules) -> str:
    utype, parent, ptype = info
    rb = rules.red_black
    label = rb.zhuanban_label if utype == "task_group" and ptype == "department" \
        else rb.labels[utype]
    return rb.group_format.format(parent=parent, label=label)


def targets(core, year: int) -> dict:
    """(unit, indicator) -> Fraction target summed over sub-units; 0 counts as no target."""
    out: dict = {}
    for r in core.targets.to_dict("records"):
        if int(r["year"]) == year and r["target"] is not None and r["target"] == r["target"]:
            key = (r["unit_name"], r["indicator"])
            out[key] = out.get(key, Fraction(0)) + _f(r["target"])
    return {k: v for k, v in out.items() if v != 0}


def _ratio_score(actual, target, tp: Fraction, cap: Fraction) -> Fraction:
    return min(_f(actual) / target / tp, cap) / cap


def _four_rates_score(inc: dict, rules) -> Fraction | None:
    if inc is None or all(v is None for v in inc.values()):
        return None
    terms = []
    for rate, target in rules.increment_targets.items():
        v = Fraction(0) if inc[rate] is None else _f(inc[rate])
        if _f(target) <= 0:  # spec silent: a zero target asks only that the rate not fall
            terms.append(Fraction(1 if v >= 0 else 0))
        else:
            terms.append(min(max(v / _f(target), Fraction(0)), 1))
    return sum(terms) / len(terms)


def score_units(core, period: str, rules, figs: PeriodFigures | None = None) -> pd.DataFrame:
    year, month = int(period[:4]), int(period[5:7])
    tp = Fraction(month, 12)
    figs = figs or PeriodFigures(core, period, rules)
    info = unit_table(core)
    tg = targets(core, year)
    w = {k: _f(v) for k, v in rules.red_black.weights.items()}
    cap = _f(rules.red_black.ratio_cap)
    units = [u for u, i in info.items() if i[0] != "city"]
    groups = {u: list_group(u, info[u], rules) for u in units}
    major = {u: figs.major(u) for u in units}
    rows = []
    for u in units:
        fig = figs.of(u)
        items = {}
        if (u, "funds_in_place") in tg:
            items["funds"] = _ratio_score(fig.funds, tg[(u, "funds_in_place")], tp, cap)
        if (u, "new_projects") in tg:
            items["projects"] = _ratio_score(fig.new_projects, tg[(u, "new_projects")], tp, cap)
        top = max(major[v] for v in units if groups[v] == groups[u])
        items["major_projects"] = Fraction(major[u], top) if top else Fraction(0)
        fr = _four_rates_score(figs.increments(u), rules)
        if fr is not None:
            items["four_rates"] = fr
        score = sum(w[k] * s for k, s in items.items()) / sum(w[k] for k in items) * 100
        gate = "funds_in_place" if (u, "funds_in_place") in tg else "new_projects"
        gate_done = None
        if (u, gate) in tg:
            actual = fig.funds if gate == "funds_in_place" else fig.new_projects
            gate_done = _f(actual) / tg[(u, gate)]
        if gate_done is None:  # not ranked: production publishes no score (spec silent)
            score = None
        rows.append(dict(period=period, list_group=groups[u], unit_name=u,
                         score=None if score is None else cents(score), exact=score,
                         ties=int(score is not None and half_cent(score)),
                         gate_indicator=gate, gate_completion=gate_done, time_progress=tp,
                         on_schedule=None if gate_done is None else gate_done >= tp,
                         **{f"{k}_points": v * w[k] / sum(w[x] for x in items)
                            for k, v in items.items()}))
    return pd.DataFrame(rows)


def _order_key(r):
    """score as published (2 decimals), then gate completion, then name (design.md)."""
    return (-r["score"], -r["gate_completion"], r["unit_name"])


def cents(x: Fraction) -> Fraction:
    """A score as published: 2 decimals, 四舍五入 (half away from zero)."""
    q = abs(x) * 100
    whole = int(q) + (1 if q - int(q) >= Fraction(1, 2) else 0)
    return Fraction(whole if x >= 0 else -whole, 100)


def half_cent(x: Fraction) -> bool:
    """On a half cent, or within 1e-9 of one (inputs that were binary floats)."""
    return abs(abs(x) * 100 - int(abs(x) * 100) - Fraction(1, 2)) < Fraction(1, 10**9)


def red_black_list(core, period: str, rules, figs: PeriodFigures | None = None) -> pd.DataFrame:
    df = score_units(core, period, rules, figs)
    month = int(period[5:7])
    listing = rules.red_black.cadence == "monthly" or month % 3 == 0
    df["rank"], df["list"] = None, None
    for _g, idx in df.groupby("list_group").groups.items():
        ranked = [r for r in df.loc[idx].to_dict("records") if r["gate_completion"] is not None]
        ranked.sort(key=_order_key)
        for pos, r in enumerate(ranked, start=1):
            df.loc[df["unit_name"] == r["unit_name"], "rank"] = pos
        if not listing:
            continue
        red = [r for r in ranked if r["on_schedule"]][: rules.red_black.top_n]
        behind = [r for r in ranked if not r["on_schedule"]]
        black = behind[max(len(behind) - rules.red_black.bottom_n, 0):] \
            if rules.red_black.bottom_n else []
        for lst, members in (("red", red), ("black", black)):
            for r in members:
                df.loc[df["unit_name"] == r["unit_name"], "list"] = lst
    return df


def appearances(core, period: str, rules) -> dict:
    """unit -> (red count, black count) over the months of P's year up to P (P included)."""
    out: dict = {}
    year, month = int(period[:4]), int(period[5:7])
    cache = core.__dict__.setdefault("_red_black_lists", {})  # one core, many periods
    for m in range(1, month + 1):
        key = (f"{year}-{m:02d}", id(rules))
        if key not in cache:
            cache[key] = red_black_list(core, key[0], rules)
        df = cache[key]
        for r in df.to_dict("records"):
            red, black = out.get(r["unit_name"], (0, 0))
            out[r["unit_name"]] = (red + (r["list"] == "red"), black + (r["list"] == "black"))
    return out
