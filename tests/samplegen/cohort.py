"""The 自治区's 三企入桂 signed-project list for 2022 (submissions.md kind 5, revision 2), in targets/.

It lists the true 三企入桂 projects reported in 2022 — also those whose ledgers have no 三企入桂
column — except one that a ledger flags (→ `cohort_flag_outside_list`), plus one project no unit
reports (→ `cohort_project_unmatched`).  Written after the truth is computed: it needs the projects.
"""

from __future__ import annotations

import random

from .render import dec, investor_variant, name_variant, norm_name
from .writer import Sheet, write_workbook

YEAR = 2022
REL = f"targets/{YEAR}年三企入桂签约项目清单.xlsx"
SHEET = "清单"
UNMATCHED = ("湘桂新能源电池隔膜材料项目", "湖南湘桂隔膜新材料有限公司", "柳江区")


def write_cohort(world, ctx, res) -> tuple[list[dict], list[dict]]:
    """Write the list; return (cohort truth rows, findings)."""
    if YEAR not in world.years:
        return [], []
    pmap = {p.pid: p for p in world.projects}
    rows_2022: dict[str, list[dict]] = {}
    for r in ctx.rows:
        if r["total_investment"] != "" and r["period"].startswith(str(YEAR)):
            rows_2022.setdefault(r["true_project_id"], []).append(r)
    flagged = {p["true_project_id"] for p in res["projects"] if p["is_sanqi"] == "true"}
    listed = sorted((pid for pid in rows_2022 if pmap[pid].sanqi),
                    key=lambda pid: (pmap[pid].s, pid))
    left_out = min((pid for pid in listed if pid in flagged), default=None)
    listed = [pid for pid in listed if pid != left_out]
    r = random.Random(f"{ctx.seed}|cohort")
    sh = Sheet(SHEET)
    sh.add([f"{YEAR}年柳州市“三企入桂”签约项目清单"], "title")
    sh.merges.append((1, 1, 1, 8))
    sh.add(["序号", "项目名称", "签约企业", "签约时间", "合同投资额（亿元）", "属地", "责任单位", "备注"],
           "header")
    truth = []
    for i, pid in enumerate(listed, start=1):
        p = pmap[pid]
        variant = r.random() < 0.25
        name = name_variant(p.name, "xm") if variant else p.name
        investor = investor_variant(p.investor, "gongsi") if variant else p.investor
        lead = next((u for u in sorted(p.listings) if u.startswith("市")), "")
        row = sh.add([i, name, investor, f"{p.s // 12}-{p.s % 12 + 1:02d}-{p.day:02d}",
                      float(p.total), p.home or "", lead, ""], "data")
        truth.append(_truth(pid, name, investor, dec(p.total), p.home or "", row))
    name, investor, home = UNMATCHED
    row = sh.add([len(listed) + 1, name, investor, f"{YEAR}-03-18", 3.6, home, "", ""], "data")
    truth.append(_truth("", name, investor, "3.6", home, row))
    sh.add(["合计", "", "", "", "", "", "", ""], "total")
    write_workbook(ctx.out / REL, [sh])
    ctx.add_file(REL, "targets", "柳州市", "cohort_list", "loaded", "")  # the city the title names
    findings = [_finding("cohort_project_unmatched", "warning", "", home, REL, SHEET, row, name)]
    if left_out is not None:  # a small world (benchmark subsets) may have no flagged project
        first = sorted(rows_2022[left_out], key=lambda x: (
            x["period"], x["source_file"], x["source_sheet"], int(x["source_row"])))[0]
        project = next(p for p in res["projects"] if p["true_project_id"] == left_out)
        findings.append(_finding("cohort_flag_outside_list", "info", first["period"],
                                 first["unit_name"], first["source_file"], first["source_sheet"],
                                 first["source_row"], project["project_name"]))
    return truth, findings


def _truth(pid: str, name: str, investor: str, total: str, home: str, row: int) -> dict:
    return {"year": str(YEAR), "true_project_id": pid, "project_name": norm_name(name),
            "investor": norm_name(investor), "contract_investment": total,
            "territorial_unit": home, "source_file": REL, "source_sheet": SHEET,
            "source_row": row}


def _finding(check, sev, period, unit, rel, sheet, row, project) -> dict:
    return {"check_name": check, "severity": sev, "period": period, "unit_name": unit,
            "source_file": rel, "source_sheet": sheet, "source_row": row, "project_name": project}
