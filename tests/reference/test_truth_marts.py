"""The ground-truth core (tests/reference/truth_marts.py): built from the generator's CSVs, the
`reporting` item taken from submission_status.csv when the generator wrote one."""

from __future__ import annotations

import shutil
from pathlib import Path

from . import rules as ref_rules
from .assessment import performance_assessment
from .truth_marts import OUTPUTS, truth_core

TRUTH = Path(__file__).resolve().parents[1] / "ground_truth"
INPUTS = ["files", "projects", "credits", "project_periods", "targets", "activity_rows",
          "reserve_rows", "cohort", "ledger_rows"]


def _copy(tmp_path: Path) -> Path:
    for name in INPUTS:
        shutil.copy(TRUTH / f"{name}.csv", tmp_path / f"{name}.csv")
    return tmp_path


def test_truth_core_uses_true_ids_and_the_latest_lists(tmp_path):
    core = truth_core(_copy(tmp_path))
    assert set(core.bridge["project_id"]) <= set(core.projects["project_id"])
    assert core.projects["project_id"].str.fullmatch(r"P\d{4}").all()
    # activity lists are cumulative: at 2021-12 each unit has its latest 2021 file's rows only
    dec = core.activities[core.activities["period"] == "2021-12"]
    assert not dec.empty and dec.groupby("unit_name")["source_file"].nunique().max() == 1
    assert core.submissions.empty  # no submission_status.csv: no reporting item


def test_reporting_item_from_submission_status_csv(tmp_path):
    truth = _copy(tmp_path)
    (truth / "submission_status.csv").write_text(
        "period,unit_name,kind,deadline,status,source_file,received_at\n"
        "2022-01,城中区,project_ledger,2022-02-05,missing,,\n"
        "2022-02,城中区,project_ledger,2022-03-05,late,2022-02/x.xlsx,2022-03-07 10:00:00\n"
        "2022-02,鱼峰区,project_ledger,2022-03-05,on_time,2022-02/y.xlsx,2022-03-01 10:00:00\n",
        encoding="utf-8")
    pa = performance_assessment(truth_core(truth), "2022-02", ref_rules.load())
    rep = pa[pa["item"] == "reporting"].set_index("unit_name")["score"]
    assert float(rep["城中区"]) == -0.7 and float(rep["鱼峰区"]) == 0
    assert set(rep.index) == {"城中区", "鱼峰区"}


def test_ground_truth_marts_are_committed():
    for name, columns in OUTPUTS.items():
        header = (TRUTH / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == columns
