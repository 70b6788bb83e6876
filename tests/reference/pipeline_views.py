"""project_pipeline and industry_summary from warehouse.md (revision 2) and docs/design.md,
written without looking at assets/marts/pipeline_views.py.

Project state comes from tests/marts/reference_impl.py (`_state`, `_source_counts`); nothing here
comes from assets/ or runtime/."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from tests.marts.reference_impl import _missing, _records, _source_counts, _state

from .figures import _is_new

STAGE_ORDER = ["在谈", "签约", "注册", "开工", "竣工投产", "退库"]  # warehouse.md: 在谈 … 竣工投产, 退库
PIPELINE_COLUMNS = ["period", "unit_name", "stage", "projects", "total_investment",
                    "funds_this_year", "entered_this_period"]
INDUSTRY_COLUMNS = ["period", "industry", "chain", "new_projects", "total_investment",
                    "funds_in_place", "actual_last_year"]
NO_INDUSTRY = "（未填行业）"  # the label of a project whose ledger gives no industry


def previous_month(period: str) -> str:
    y, m = int(period[:4]), int(period[5:7])
    return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"


def _city(core) -> str:
    return next((u["unit_name"] for u in _records(core.units) if u["unit_type"] == "city"),
                "柳州市")


def _stage_rows(period, unit, ids, now, before) -> list[dict]:
    staged = [now[i] | {"id": i} for i in ids
              if i in now and now[i]["stage"] in STAGE_ORDER and not now[i]["below"]]
    if not staged:
        return []
    rows = []
    for stage in STAGE_ORDER:
        here = [p for p in staged if p["stage"] == stage]
        rows.append(dict(
            period=period, unit_name=unit, stage=stage, projects=len(here),
            total_investment=sum((p["inv"] or Decimal(0) for p in here), Decimal(0)),
            funds_this_year=sum((p["funds_now"] for p in here), Decimal(0)),
            # reached the stage this month: another stage (or not known) at P − 1
            entered_this_period=sum(1 for p in here if p["id"] not in before
                                    or before[p["id"]]["stage"] != stage)))
    return rows


def project_pipeline(core, period: str, rules) -> pd.DataFrame:
    """period × unit × stage: every stage for each unit with a staged project (zeros kept),
    and the city with each project once."""
    now, credited = _state(core, period, rules)
    before, _ = _state(core, previous_month(period), rules)
    rows = _stage_rows(period, _city(core), list(now), now, before)
    for unit in sorted(credited):
        rows += _stage_rows(period, unit, credited[unit], now, before)
    return pd.DataFrame(rows, columns=PIPELINE_COLUMNS)


def _industry_figures(projects: dict, period: str, rules) -> dict:
    """industry -> dict(ids, new, investment, funds): each project once."""
    out: dict = {}
    for pid, p in projects.items():
        ind = p["industry"] if not _missing(p["industry"]) and p["industry"] else NO_INDUSTRY
        g = out.setdefault(ind, dict(ids=[], new=0, investment=Decimal(0), funds=Decimal(0)))
        g["ids"].append(pid)
        countable = (p["inv"] is not None and not p["below"] and p["stage"] != "退库"
                     and _source_counts(p, rules))
        if not countable:
            continue
        if p["source"] != "foreign":  # 区外境内 (or unknown when included)
            g["funds"] += p["funds_now"]
        if _is_new(p, period):
            g["new"] += 1
            g["investment"] += p["inv"]
    return out


def industry_summary(core, period: str, rules) -> pd.DataFrame:
    """period × industry, each project once like the city summary; `actual_last_year` is the
    industry's 区外境内 funds at the same month a year earlier (None when not loaded)."""
    now, _ = _state(core, period, rules)
    groups = _industry_figures(now, period, rules)
    last_period = f"{int(period[:4]) - 1}-{period[5:7]}"
    last = None
    if any(str(f["period"])[:7] == last_period for f in _records(core.facts)):
        last = _industry_figures(_state(core, last_period, rules)[0], last_period, rules)
    chain_of = {p["project_id"]: p.get("chain") for p in _records(core.projects)}
    rows = []
    for ind in sorted(set(groups) | set(last or {})):
        g = groups.get(ind, dict(ids=[], new=0, investment=Decimal(0), funds=Decimal(0)))
        before = None if last is None else last.get(ind, {}).get("funds", Decimal(0))
        if g["new"] == 0 and g["funds"] == 0 and not before:
            continue  # nothing to show this year or last (design choice, spec silent)
        chains = sorted({str(chain_of.get(i)) for i in g["ids"]
                         if not _missing(chain_of.get(i)) and chain_of.get(i)})
        rows.append(dict(period=period, industry=ind, chain="、".join(chains) or None,
                         new_projects=g["new"], total_investment=g["investment"],
                         funds_in_place=g["funds"], actual_last_year=before))
    return pd.DataFrame(rows, columns=INDUSTRY_COLUMNS)
