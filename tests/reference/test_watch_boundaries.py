"""The 季约谈 / 预警 bars at the bar and one step either side, reference and production alike:
signed 6 / 5 months ago (签约未开工), 3 / 2 months ago with no funds (签约未到资), gate completion
exactly half of 序时进度 at a quarter end (not "below") and 0.20 of 0.50 (below), a gap of
exactly 20 points (warned) and of 19 (not)."""

from __future__ import annotations

from assets.marts.build import build_marts
from tests.marts.builders import fact, make_core, project, rules_variant

from . import rules as ref_rules
from .tables import from_frames
from .watch import early_warning, interview_list

PERIOD = "2023-06"  # 序时进度 1/2


def _world():
    projects = [project("A6", 2, signed="2022-12", territory="城中区"),   # 6 months: warned
                project("A5", 2, signed="2023-01", territory="城中区"),   # 5 months: not
                project("F3", 2, signed="2023-03", territory="鱼峰区"),   # 3 months, no funds
                project("F2", 2, signed="2023-04", territory="柳北区")]   # 2 months
    bridge = [(p["project_id"], p["territorial_unit"], "territorial", p["signed_month"])
              for p in projects]
    facts = [fact(p["project_id"], PERIOD, "注册") for p in projects]
    # gate completion at June: 城中区 1 of 5 = 0.20 (below ½ × ½), 鱼峰区 1 of 4 = 0.25 (not
    # below), 柳南区 3 of 10 = 0.30: a gap of exactly 0.20 (warned)
    targets = [(2023, "城中区", "new_projects", 5), (2023, "鱼峰区", "new_projects", 4),
               (2023, "柳南区", "funds_in_place", 10)]
    projects.append(project("L", 40, signed="2022-01", territory="柳南区"))
    bridge.append(("L", "柳南区", "territorial", "2022-01"))
    facts.append(fact("L", PERIOD, "开工", funds=3, cum=3))
    # 柳北区 3.1 of 10 = 0.31: a gap of 0.19 (not warned)
    targets.append((2023, "柳北区", "funds_in_place", 10))
    projects.append(project("M", 40, signed="2022-01", territory="柳北区"))
    bridge.append(("M", "柳北区", "territorial", "2022-01"))
    facts.append(fact("M", PERIOD, "开工", funds=3.1, cum=3.1))
    facts[2] = fact("F3", PERIOD, "开工")  # started, still no funds
    return make_core(projects, bridge, facts, targets)


def test_watch_bars_agree_and_sit_where_the_rules_say(tmp_path):
    # 黑榜 months out of reach (4 of a quarter's 3), so the interview list is the gate's alone
    core = _world()
    mine = ref_rules.load(interview__black_list_months=4)
    prod = build_marts(core, PERIOD, rules_variant(tmp_path, interview__black_list_months=4))
    ref_w = early_warning(from_frames(core), PERIOD, mine)
    ref_i = interview_list(from_frames(core), PERIOD, mine)
    got = {(r.warning_type, r.project_id if isinstance(r.project_id, str) else r.unit_name)
           for r in ref_w.itertuples()}
    assert ("signed_not_started", "A6") in got and ("signed_not_started", "A5") not in got
    assert ("signed_no_funds", "F3") in got and ("signed_no_funds", "F2") not in got
    assert ("behind_schedule", "柳南区") in got and ("behind_schedule", "柳北区") not in got
    assert got == {(r.warning_type, r.project_id if isinstance(r.project_id, str)
                    else r.unit_name) for r in prod["early_warning"].itertuples()}
    listed = set(ref_i["unit_name"])
    assert "鱼峰区" not in listed and "城中区" in listed
    assert listed == set(prod["interview_list"]["unit_name"])
