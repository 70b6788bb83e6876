"""The GX checks need no network: run with every outside connection refused (and an
unroutable proxy), they pass, nothing tried to call out, and GX analytics was switched off by
the pipeline itself (the process started without GX_ANALYTICS_ENABLED)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import REPO
from tests.orchestration.conftest import PYTHON
from tests.pipeline import dropfolder

UNROUTABLE = "http://10.255.255.1:9"  # a private address nothing answers on


@pytest.mark.slow
def test_gx_checks_pass_offline(tmp_path):
    drop = dropfolder.build(tmp_path / "drop")
    env = {k: v for k, v in os.environ.items() if k != "GX_ANALYTICS_ENABLED"}
    env.update(PYTHONPATH=str(REPO), HTTP_PROXY=UNROUTABLE, HTTPS_PROXY=UNROUTABLE,
               http_proxy=UNROUTABLE, https_proxy=UNROUTABLE, NO_PROXY="", no_proxy="",
               DAGSTER_HOME=str(tmp_path / "home"))
    proc = subprocess.run(
        [PYTHON, "-m", "tests.security.offline_checks", str(drop),
         f"duckdb:///{tmp_path / 'wh.duckdb'}", str(tmp_path / "reports")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [line] = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    out = json.loads(line.removeprefix("RESULT "))

    # the guard refuses and records an outside address (at its lookup)
    assert out["control"] != "connected"
    assert [a for a in out["control_recorded"] if "203.0.113.7" in a]
    assert out["gx_loaded"] and out["gx_analytics"] == "false"
    assert out["attempts"] == []
    assert out["success"]
    names = {c["name"] for c in out["checks"]}
    assert {"staging_ledger_rows_valid", "target_totals_match", "dim_project_valid",
            "fact_project_period_valid", "bridge_valid", "fact_target_valid"} <= names
    assert [c for c in out["checks"] if not c["passed"]] == []
