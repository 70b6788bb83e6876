"""The own password-checking server cannot be silently missing: under CI=true a server that
cannot start fails the tests that need it; elsewhere they are skipped with the reason."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import REPO
from tests.orchestration.conftest import PYTHON


def _pytest_with_broken_server(ci: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(PG_BINDIR="/nonexistent/postgresql/bin", PYTHONPATH=str(REPO))
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA",
         "tests/reports/test_bi_role.py", "-k", "verifier_equals and plain"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("ci", [True, False])
def test_unstartable_server_fails_in_ci_and_skips_elsewhere(ci):
    proc = _pytest_with_broken_server(ci)
    summary = proc.stdout.strip().splitlines()[-1]
    if ci:
        assert proc.returncode == 1, proc.stdout[-2000:]
        assert "1 error" in summary and "skipped" not in summary, summary
        assert "could not start" in proc.stdout
    else:
        assert proc.returncode == 0, proc.stdout[-2000:]
        assert "1 skipped" in summary and "error" not in summary, summary
        assert "set CI=true to fail" in proc.stdout
