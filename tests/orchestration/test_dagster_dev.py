"""Smoke test: `dagster dev` from the repo root serves the asset graph, schedule and sensor."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.orchestration.conftest import PYTHON

DAGSTER = str(Path(PYTHON).with_name("dagster"))
QUERY_ASSETS = "{ assetNodes { assetKey { path } groupName } }"
QUERY_REPOS = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
  name location { name } schedules { name } sensors { name } } } } }"""
QUERY_ERRORS = """{ workspaceOrError { ... on Workspace { locationEntries {
  name locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = json.loads(resp.read())
    assert "errors" not in body, body
    return body["data"]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.mark.slow
def test_dagster_dev_serves_graph_schedule_and_sensor(tmp_path, drop):
    port = _free_port()
    env = dict(os.environ, DAGSTER_HOME=str(tmp_path / "dagster_home"),
               SUBMISSIONS_DIR=str(drop), WAREHOUSE_URL=f"duckdb:///{tmp_path / 'wh.duckdb'}",
               REPORTS_DIR=str(tmp_path / "reports"), PYTHONPATH=str(REPO))
    (tmp_path / "dagster_home").mkdir()
    log = (tmp_path / "dagster_dev.log").open("wb")
    proc = subprocess.Popen(
        [DAGSTER, "dev", "-w", "workspace.yaml", "-p", str(port), "-h", "127.0.0.1"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "dagster_dev.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info",
                                            timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "dagster dev did not answer within 90 s"
            time.sleep(0.5)

        # the code location loads without a definition error (it may still be loading)
        while True:
            [entry] = _graphql(port, QUERY_ERRORS)["workspaceOrError"]["locationEntries"]
            kind = (entry["locationOrLoadError"] or {}).get("__typename")
            if kind == "RepositoryLocation":
                break
            assert kind != "PythonError", entry["locationOrLoadError"]["message"]
            assert time.monotonic() < deadline, "code location did not load within 90 s"
            time.sleep(0.5)

        nodes = _graphql(port, QUERY_ASSETS)["assetNodes"]
        keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
        assert {"staging/submissions", "core/dim_project", "core/fact_project_period",
                "marts/target_progress", "marts/red_black_list"} <= keys
        assert all(n["groupName"] for n in nodes)
        # the five groups the README promises, as the UI serves them
        assert {n["groupName"] for n in nodes} == {"ingest", "quality", "core", "marts",
                                                   "reports"}

        [repo] = _graphql(port, QUERY_REPOS)["repositoriesOrError"]["nodes"]
        assert repo["location"]["name"] == "zhaoshang"
        assert {s["name"] for s in repo["schedules"]} == {"monthly_reporting_schedule"}
        assert {s["name"] for s in repo["sensors"]} == {"drop_folder_sensor",
                                                         "month_partitions_sensor"}
    finally:
        _stop(proc)
        log.close()
    assert proc.returncode is not None
