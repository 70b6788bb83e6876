"""The passwords stay secret: a real partition on a password-protected PostgreSQL (the session's
own scram-sha-256 server), then every place Dagster, the CLI and the pipeline write to is
searched for each password: none may hold it.

Secrets: the warehouse password (inside WAREHOUSE_URL), BI_PASSWORD, and the password of the
Dagster instance's own PostgreSQL (DAGSTER_PG_PASSWORD, read by deploy/dagster.yaml).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.request
import zlib
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
import yaml

from tests.conftest import REPO
from tests.orchestration.conftest import PYTHON
from tests.orchestration.test_dagster_dev import DAGSTER, _free_port, _graphql, _stop
from tests.pipeline import dropfolder
from tests.security.leaks import (
    needles,
    search_database,
    search_folder,
    search_text,
    texts_of_bytes,
)

PERIOD = "2021-01"
REPO_SELECTOR = '{repositoryLocationName: "zhaoshang", repositoryName: "__repository__"}'
QUERIES = {
    "resources": "{ allTopLevelResourceDetailsOrError(repositorySelector: " + REPO_SELECTOR
                 + ") { ... on ResourceDetailsList { results { name description "
                 "configuredValues { key value type } } } } }",
    "env_vars": "{ utilizedEnvVarsOrError(repositorySelector: " + REPO_SELECTOR
                + ") { ... on EnvVarWithConsumersList { results { envVarName } } } }",
    "launchpad_defaults": "{ runConfigSchemaOrError(selector: {repositoryLocationName: "
                          '"zhaoshang", repositoryName: "__repository__", '
                          'pipelineName: "monthly_reporting"}) { '
                          "... on RunConfigSchema { rootDefaultYaml } } }",
    "runs": "{ runsOrError { ... on Runs { results { runId status runConfigYaml "
            "tags { key value } } } } }",
    "instance": "{ instance { info } }",
}
RUN_LOG = """query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events {
  __typename ... on MessageEvent { message }
  ... on MaterializationEvent { metadataEntries { label ... on TextMetadataEntry { text }
        ... on MarkdownMetadataEntry { mdStr } ... on JsonMetadataEntry { jsonString } } }
  ... on ExecutionStepFailureEvent { error { message stack } } } } } }"""
RUN_CONFIG = """query($id: ID!) { runOrError(runId: $id) { ... on Run { runId status
  runConfigYaml tags { key value } executionPlan { steps { key } } } } }"""


def _graphql_vars(port: int, query: str, variables: dict) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = json.loads(resp.read())
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
def protected(scram_server, tmp_path):
    """Three secrets on the own server: the warehouse owner's, the Dagster instance's and the
    BI role's passwords, with the environment a production run gets. Dropped at the end."""
    tag = secrets.token_hex(4)
    pw = {"warehouse": f"Wh{secrets.token_hex(10)}@:/'%",  # URL and SQL special characters
          "dagster": f"Dg{secrets.token_hex(10)}", "bi": f"Bi{secrets.token_hex(10)}"}
    wh_role, dg_role, bi_role = f"zs_wh_{tag}", f"zs_dg_{tag}", f"bi_{tag}"
    scram_server.create_login(wh_role, pw["warehouse"], "CREATEROLE")
    scram_server.create_login(dg_role, pw["dagster"])
    scram_server.admin(f"CREATE DATABASE {wh_role} OWNER {wh_role}",
                       f"CREATE DATABASE {dg_role} OWNER {dg_role}")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")  # the production file
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DAGSTER_", "WAREHOUSE_", "BI_", "SUBMISSIONS_", "REPORTS_"))}
    env.update(
        WAREHOUSE_URL=scram_server.url(wh_role, pw["warehouse"], wh_role),
        DAGSTER_HOME=str(home), DAGSTER_PG_HOST="127.0.0.1", DAGSTER_PG_PORT=str(scram_server.port),
        DAGSTER_PG_USER=dg_role, DAGSTER_PG_PASSWORD=pw["dagster"], DAGSTER_PG_DB=dg_role,
        BI_ROLE=bi_role, BI_PASSWORD=pw["bi"],
        SUBMISSIONS_DIR=str(dropfolder.build(tmp_path / "drop")),
        REPORTS_DIR=str(tmp_path / "reports"), PYTHONPATH=str(REPO))
    yield env, pw, scram_server
    scram_server.admin(f"DROP DATABASE IF EXISTS {wh_role} WITH (FORCE)",
                       f"DROP DATABASE IF EXISTS {dg_role} WITH (FORCE)",
                       f"DROP ROLE IF EXISTS {bi_role}", f"DROP ROLE IF EXISTS {wh_role}",
                       f"DROP ROLE IF EXISTS {dg_role}")


def _wait_for_location(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        assert time.monotonic() < deadline, "dagster dev did not answer within 120 s"
        time.sleep(0.5)
    query = ("{ workspaceOrError { ... on Workspace { locationEntries { name "
             "locationOrLoadError { __typename ... on PythonError { message } } } } } }")
    while True:
        [entry] = _graphql(port, query)["workspaceOrError"]["locationEntries"]
        kind = (entry["locationOrLoadError"] or {}).get("__typename")
        if kind == "RepositoryLocation":
            return
        assert kind != "PythonError", entry["locationOrLoadError"]["message"]
        assert time.monotonic() < deadline, "code location did not load within 120 s"
        time.sleep(0.5)


def _ui_answers(env: dict, tmp_path: Path) -> tuple[dict[str, dict], str]:
    """Run `dagster dev` on the same instance and environment; every answer searched later,
    and the web server's own output."""
    port = _free_port()
    log_path = tmp_path / "dagster_dev.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [DAGSTER, "dev", "-w", "workspace.yaml", "-p", str(port), "-h", "127.0.0.1"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_for_location(proc, port, log_path)
            answers = {name: _graphql(port, q) for name, q in QUERIES.items()}
            runs = answers["runs"]["runsOrError"]["results"]
            for run in runs:
                answers[f"run {run['runId']}"] = _graphql_vars(port, RUN_CONFIG,
                                                               {"id": run["runId"]})
                answers[f"log {run['runId']}"] = _graphql_vars(port, RUN_LOG,
                                                               {"id": run["runId"]})
        finally:
            _stop(proc)
    return answers, log_path.read_text(encoding="utf-8", errors="replace")


def _assert_shown_by_name(answers: dict) -> None:
    """The resource page shows the URL as the variable WAREHOUSE_URL, not as a value."""
    resources = answers["resources"]["allTopLevelResourceDetailsOrError"]["results"]
    [warehouse] = [r for r in resources if r["name"] == "warehouse"]
    assert warehouse["configuredValues"] == [
        {"key": "url", "value": "WAREHOUSE_URL", "type": "ENV_VAR"}]
    names = {v["envVarName"] for v in
             answers["env_vars"]["utilizedEnvVarsOrError"]["results"]}
    assert names == {"WAREHOUSE_URL"}
    defaults = answers["launchpad_defaults"]["runConfigSchemaOrError"]["rootDefaultYaml"]
    assert "WAREHOUSE_URL" in defaults
    # the instance page names the storage class only (its config is read from env: references)
    assert "run_storage: PostgresRunStorage" in answers["instance"]["instance"]["info"]


@pytest.mark.slow
@pytest.mark.postgres
def test_passwords_found_nowhere(protected, tmp_path):
    env, pw, server = protected
    cli = subprocess.run([PYTHON, "-m", "pipelines", "materialize", "--period", PERIOD,
                          "--verbose"], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=600)
    assert cli.returncode == 0, cli.stdout[-2000:] + cli.stderr[-3000:]
    assert "***" in cli.stdout  # the warehouse line, its password masked
    secret_list = list(pw.values())
    hits = search_text("CLI stdout", cli.stdout, secret_list)
    hits += search_text("CLI stderr", cli.stderr, secret_list)

    # the reports were written, and hold no password (xlsx members opened)
    report_hits, n_reports = search_folder(Path(env["REPORTS_DIR"]), secret_list)
    assert n_reports >= 1
    hits += report_hits
    # DAGSTER_HOME: dagster.yaml, compute logs, anything Dagster keeps in files
    home_hits, _ = search_folder(Path(env["DAGSTER_HOME"]), secret_list)
    hits += home_hits

    # the instance's run storage, event log and snapshots (PostgreSQL, blobs decompressed)
    dg_hits, dg_rows = search_database(server.url(server.superuser, server.superuser_password,
                                                  env["DAGSTER_PG_DB"]), secret_list)
    assert dg_rows["public.runs"] == 1 and dg_rows["public.event_logs"] > 20
    assert dg_rows["public.snapshots"] >= 1
    hits += dg_hits
    # the warehouse: every table, and the server's roles (a verifier, never the password)
    wh_db = sa.engine.make_url(env["WAREHOUSE_URL"]).database
    wh_hits, wh_rows = search_database(
        server.url(server.superuser, server.superuser_password, wh_db), secret_list,
        extra_tables=("pg_catalog.pg_authid",))
    assert wh_rows["marts.four_rates"] > 0 and wh_rows["staging.files"] > 0
    hits += wh_hits
    # every statement the server received (log_statement=all)
    hits += search_text("PostgreSQL server log", server.log_text(), secret_list)

    answers, dev_log = _ui_answers(env, tmp_path)
    [run] = answers["runs"]["runsOrError"]["results"]
    assert run["status"] == "SUCCESS"
    for name, answer in answers.items():
        hits += search_text(f"GraphQL {name}", json.dumps(answer, ensure_ascii=False),
                            secret_list)
    hits += search_text("dagster dev output", dev_log, secret_list)
    assert hits == [], "\n".join(hits)
    _assert_shown_by_name(answers)


@pytest.mark.slow
@pytest.mark.postgres
def test_wrong_warehouse_password_fails_the_run_and_is_not_shown(protected):
    """The warehouse really checks the password: a wrong one fails the run with the server's
    reason, and neither the wrong nor the right password appears in the output or the
    instance (the failure and its stack trace are stored in the event log)."""
    env, pw, server = protected
    wrong = f"Wrong{secrets.token_hex(8)}"
    env = dict(env, WAREHOUSE_URL=sa.engine.make_url(env["WAREHOUSE_URL"]).set(
        password=wrong).render_as_string(hide_password=False))
    cli = subprocess.run([PYTHON, "-m", "pipelines", "materialize", "--period", PERIOD],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert cli.returncode == 1, cli.stdout + cli.stderr
    assert "password authentication failed" in cli.stderr
    secret_list = [wrong, *pw.values()]
    hits = search_text("CLI stdout", cli.stdout, secret_list)
    hits += search_text("CLI stderr", cli.stderr, secret_list)
    dg_hits, dg_rows = search_database(server.url(server.superuser, server.superuser_password,
                                                  env["DAGSTER_PG_DB"]), secret_list)
    assert dg_rows["public.runs"] == 1
    hits += dg_hits + search_folder(Path(env["DAGSTER_HOME"]), secret_list)[0]
    assert hits == [], "\n".join(hits)


def test_search_finds_a_planted_secret(tmp_path):
    """The searches above can fail: a password planted in an xlsx cell, in a zlib blob (as
    Dagster stores snapshots) and URL-encoded in a log line is found in each."""
    secret = f"Wh{secrets.token_hex(6)}@:/'%"
    wb = openpyxl.Workbook()
    wb.active["B7"] = f"仓库 {secret}"
    wb.save(tmp_path / "report.xlsx")
    (tmp_path / "snap.bin").write_bytes(zlib.compress(f'{{"url": "{secret}"}}'.encode()))
    (tmp_path / "run.log").write_text(f"postgresql://u:{needles(secret)[0]}@h/db")
    hits, count = search_folder(tmp_path, [secret])
    assert count == 3
    assert {h.split(":")[0] for h in hits} == {str(tmp_path / n)
                                              for n in ("report.xlsx", "snap.bin", "run.log")}
    assert any("%40%3A%2F" in n for n in needles(secret))
    assert search_folder(tmp_path, ["not-there-" + secrets.token_hex(4)]) == ([], 3)
    assert texts_of_bytes(b"plain") == ["plain"]


def _literal_secrets(node, path=()) -> list[str]:
    """Keys that name a secret (password, URL, broker…) whose value is plain text."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                if not (isinstance(value, dict) and set(value) == {"env"}):
                    found += _literal_secrets(value, (*path, str(key)))
            elif any(w in str(key).lower() for w in ("password", "secret", "url", "broker",
                                                       "backend", "token")) \
                    and isinstance(value, str) and value:
                found.append(".".join((*path, str(key))))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += _literal_secrets(item, (*path, str(i)))
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "deploy").glob("*.yaml")))
def test_deploy_files_name_secrets_only_by_environment_variable(name):
    config = yaml.safe_load((REPO / "deploy" / name).read_text(encoding="utf-8"))
    assert _literal_secrets(config) == []


def test_literal_secret_in_deploy_config_is_caught():
    bad = {"storage": {"postgres": {"postgres_db": {"password": "hunter2",
                                                    "username": {"env": "DAGSTER_PG_USER"}}}},
           "broker": {"env": "DAGSTER_CELERY_BROKER_URL"}, "backend": "redis://:pw@host/0"}
    assert _literal_secrets(bad) == ["storage.postgres.postgres_db.password", "backend"]
