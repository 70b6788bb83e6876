"""Fixtures of the report tests: one real Dagster run per warehouse (cached for the session),
and a headless Chromium (installed from Debian when missing, in CI or as root)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pytest
from dagster import materialize

from assets.conform.assets import core_model
from assets.ingest.assets import staging_submissions
from assets.marts.assets import marts_for_period
from assets.reports.assets import tongbao
from quality.checks import asset_checks
from runtime.partitions import instance_with_months
from runtime.resources import pipeline_resources, release_warehouses
from runtime.warehouse import Warehouse
from tests.conftest import REPO, url_for
from tests.pipeline import dropfolder

PERIODS = ("2021-01", "2021-02")
PERIOD = "2021-02"
MARTS = ("target_progress", "city_summary", "four_rates", "red_black_list",
         "performance_assessment")
# one folder per Python: CI runs the 3.11 and 3.12 suites side by side
ARTIFACTS = REPO / "test-artifacts" / f"py{sys.version_info.major}.{sys.version_info.minor}"
_RUNS: dict[str, dict] = {}


def run_period(url: str, root: Path, reports: Path, period: str):
    resources = pipeline_resources(url, str(root), str(reports))
    result = materialize(
        [staging_submissions, core_model, marts_for_period, tongbao, *asset_checks],
        partition_key=period, resources=resources, instance=instance_with_months([period]),
        raise_on_error=False,
    )
    release_warehouses()
    return result


def on_time(root: Path) -> None:
    """Each month's files arrived on the 3rd of the next month (before the 5th's deadline), so
    the report months have no late submission (the reporting duty, revision 2)."""
    for folder in root.iterdir():
        if folder.is_dir() and folder.name[:2] == "20":
            y, m = int(folder.name[:4]), int(folder.name[5:7])
            ts = datetime(y + m // 12, m % 12 + 1, 3, 2, 0, tzinfo=UTC).timestamp()
            for f in folder.iterdir():
                os.utime(f, (ts, ts))


def _pipeline(backend: str, tmp_path_factory) -> dict:
    """Build the small drop folder, run both months through Dagster (report asset included),
    and keep the marts of PERIOD in memory (later tests may reset PostgreSQL)."""
    if backend in _RUNS:
        return _RUNS[backend]
    tmp = tmp_path_factory.mktemp(f"report_{backend}")
    url = url_for(backend, tmp)
    root = dropfolder.build(tmp / "drop")
    on_time(root)
    reports = tmp / "reports"
    results = {p: run_period(url, root, reports, p) for p in PERIODS}
    wh = Warehouse(url)
    marts = {name: wh.read(f"SELECT * FROM marts.{name} WHERE period = :p", {"p": PERIOD})
             for name in MARTS}
    city = wh.read("SELECT unit_name FROM core.dim_unit WHERE unit_type = 'city'")
    units = wh.read("SELECT unit_name FROM core.dim_unit")
    wh.dispose()
    _RUNS[backend] = {
        "backend": backend, "url": url, "reports": reports, "results": results,
        "marts": marts, "city": city, "xlsx": reports / f"{PERIOD}_招商引资红黑榜通报.xlsx",
        "html": reports / f"{PERIOD}_招商引资红黑榜通报.html",
        "docx": reports / f"{PERIOD}_招商引资红黑榜通报.docx",
        "units": set(units["unit_name"]),
    }
    return _RUNS[backend]


@pytest.fixture(scope="session", params=["duckdb", "postgres"])
def report_run(request, tmp_path_factory) -> dict:
    return _pipeline(request.param, tmp_path_factory)


@pytest.fixture(scope="session")
def duckdb_report(tmp_path_factory) -> dict:
    return _pipeline("duckdb", tmp_path_factory)


def _must_have(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI is set: a missing browser fails the run)")
    pytest.skip(f"{what} (set CI=true to fail instead)")


# CI runs the suite under two Pythons at once, so two sessions may install the same package at
# the same moment: apt waits for the other's dpkg lock instead of failing at once, and a lock
# still held (apt-get update's lists lock has no such option) is waited out and tried again.
_APT_WAIT = ["-o", "DPkg::Lock::Timeout=900"]
_LOCKED = "Could not get lock"


def _apt(args: list[str], env: dict, timeout: int) -> subprocess.CompletedProcess:
    for _ in range(30):
        proc = subprocess.run(["apt-get", *_APT_WAIT, *args], capture_output=True, text=True,
                              env=env, timeout=timeout)
        if proc.returncode == 0 or _LOCKED not in proc.stderr:
            return proc
        time.sleep(10)
    return proc


def _apt_install(*packages: str) -> tuple[int, str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["install", "-y", "--no-install-recommends", *packages]
    proc = _apt(cmd, env, 900)
    if proc.returncode != 0:  # stale package lists: update once and retry
        _apt(["update"], env, 600)
        proc = _apt(cmd, env, 900)
    return proc.returncode, (proc.stdout + proc.stderr)[-2000:]


# the Linux end of the report's font stack (assets/reports/html.py), from Debian's fonts-noto-cjk
NOTO_CJK = ("Noto Serif CJK SC", "Noto Sans CJK SC")


def _has_noto_cjk() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                         text=True).stdout
    return all(family in out for family in NOTO_CJK)


def _may_install() -> bool:
    return bool(os.environ.get("CI")) or os.geteuid() == 0


# One lock for every session on the machine: CI's two suites must not see a tool while the other
# is still installing it (a half-written LibreOffice crashed a conversion once).  Each fixture
# looks for its tool and installs what is missing while holding it, so a tool is either absent
# (and the other waits) or whole.
T = TypeVar("T")
_TOOLS_LOCK = Path(tempfile.gettempdir()) / "zhaoshang-test-tools.lock"


@contextmanager
def _tools_lock():
    with open(_TOOLS_LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _ensure(label: str, packages: tuple[str, ...], present: Callable[[], T | None]) -> T:
    """What `present()` finds, installing Debian's `packages` in one step under the tools lock
    when it finds nothing and we may (CI or root); a skip locally, a failure under CI=true,
    when it cannot be had."""
    with _tools_lock():
        found = present()
        if found:
            return found
        what = " ".join(packages)
        if not _may_install():
            _must_have(f"{label} is not installed and we may not install it")
        start = time.monotonic()
        rc, log = _apt_install(*packages)
        print(f"apt-get install {what}: rc={rc} in {time.monotonic() - start:.0f}s")
        found = present()
        if rc != 0 or not found:
            _must_have(f"apt-get install {what} failed (rc={rc}): {log}")
        return found


def ensure_tool(binary: str, *packages: str, needs: tuple[Path, ...] = ()) -> str:
    """Path of `binary` (and the files `needs`), from Debian's `packages` when missing
    (`_ensure`)."""
    def present() -> str | None:
        found = shutil.which(binary)
        return found if found and all(p.exists() for p in needs) else None

    return _ensure(f"{binary} ({' '.join(packages)})", packages, present)


@pytest.fixture(scope="session")
def poppler() -> dict[str, str]:
    """pdftotext / pdftoppm / pdfinfo (Debian poppler-utils)."""
    return {name: ensure_tool(name, "poppler-utils") for name in ("pdftotext", "pdftoppm",
                                                                   "pdfinfo")}


# Calc's library: Writer alone converts the 通报's docx, the workbook needs Calc too
_CALC = Path("/usr/lib/libreoffice/program/libscdlo.so")


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice, headless, Writer and Calc installed together (Debian *-nogui, ~2 minutes):
    installing Calc later would rewrite LibreOffice's files under a conversion in progress."""
    return ensure_tool("soffice", "libreoffice-writer-nogui", "libreoffice-calc-nogui",
                       needs=(_CALC,))


@pytest.fixture(scope="session")
def soffice_calc(soffice) -> str:
    """LibreOffice with Calc, to print the workbook (installed with Writer by `soffice`)."""
    return soffice


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a Chromium binary with the report's CJK fonts; installed from Debian when missing
    and we may (CI=true or root). In CI a missing browser is a failure."""
    binary = ensure_tool("chromium", "chromium")
    _ensure("fonts-noto-cjk", ("fonts-noto-cjk",), lambda: _has_noto_cjk() or None)
    return binary


def chromium_args(binary: str, profile: Path) -> list[str]:
    return [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}"]


def sheet_rows(ws, header_row: int = 3) -> list[dict]:
    """Data rows of a report sheet as {header: cell}."""
    headers = [c.value for c in ws[header_row]]
    rows = []
    for r in ws.iter_rows(min_row=header_row + 1):
        if all(c.value in (None, "") for c in r):
            continue
        rows.append(dict(zip(headers, r)))
    return rows


def as_float(x) -> float | None:
    if x is None or x is pd.NA or (isinstance(x, float) and x != x):
        return None
    return float(x)
