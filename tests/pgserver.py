"""A PostgreSQL server of the test session's own, with password (scram-sha-256) authentication.

The shared server at 127.0.0.1:5432 trusts every local connection, so a password test on it
cannot fail. `scram_server` (session fixture) runs `initdb --auth=scram-sha-256` into a temporary
folder (binaries: PG_BINDIR, else the newest /usr/lib/postgresql/*/bin), starts it on a free port
with every statement logged (`log_statement=all`, so a test can search the server log for a
password sent as text), and stops and deletes it at the end. initdb
refuses to run as root: as root the folder is given to the `postgres` user and the binaries run
as that user (runuser). Cannot start: a failure under CI=true, a skip elsewhere.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from runtime.bi_role import scram_verifier


@dataclass
class ScramServer:
    port: int
    superuser: str
    superuser_password: str
    log_file: Path

    def url(self, user: str, password: str | None, database: str = "postgres") -> str:
        return sa.engine.URL.create(
            "postgresql+psycopg", username=user, password=password, host="127.0.0.1",
            port=self.port, database=database).render_as_string(hide_password=False)

    @property
    def admin_url(self) -> str:
        return self.url(self.superuser, self.superuser_password)

    def admin(self, *statements: str, database: str = "postgres") -> None:
        engine = sa.create_engine(self.url(self.superuser, self.superuser_password, database),
                                  isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for statement in statements:
                    conn.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def create_login(self, role: str, password: str, *options: str) -> None:
        """A login role; its password goes to the server only as a SCRAM verifier."""
        verifier = scram_verifier(password).replace("'", "''")
        self.admin(f"CREATE ROLE {role} LOGIN {' '.join(options)} PASSWORD '{verifier}'")

    def log_text(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")


def _binaries() -> Path | None:
    if os.environ.get("PG_BINDIR"):  # a chosen PostgreSQL version (or, in a test, none)
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _runner(folder: Path) -> list[str]:
    """As root: the `postgres` user owns the folder and runs the binaries."""
    if os.geteuid() != 0:
        return []
    user = pwd.getpwnam("postgres")
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {(proc.stderr or proc.stdout).strip()[-800:]}")


def start_server(folder: Path) -> tuple[ScramServer, list[str], Path]:
    bindir = _binaries()
    if bindir is None:
        raise RuntimeError("no initdb under /usr/lib/postgresql/*/bin or on PATH")
    password = "su_" + secrets.token_hex(12)
    (folder / "pwfile").write_text(password + "\n", encoding="utf-8")
    data, log = folder / "data", folder / "server.log"
    runner = _runner(folder)
    _run([*runner, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
          "--auth=scram-sha-256", f"--pwfile={folder / 'pwfile'}", "-E", "UTF8", "--locale=C"])
    (folder / "pwfile").unlink()
    port = _free_port()
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c log_statement=all "
               "-c fsync=off -c max_connections=60")
    _run([*runner, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
          "-w", "-t", "60", "start"])
    return ScramServer(port, "postgres", password, log), runner, bindir


@pytest.fixture(scope="session")
def scram_server():
    folder = Path(tempfile.mkdtemp(prefix="zs_scram_"))
    os.chmod(folder, 0o755)
    try:
        server, runner, bindir = start_server(folder)
    except Exception as exc:  # noqa: BLE001 — reported as a failure (CI) or a skip
        shutil.rmtree(folder, ignore_errors=True)
        message = f"own PostgreSQL server (scram-sha-256) could not start: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message + " (set CI=true to fail)")
    try:
        yield server
    finally:
        subprocess.run([*runner, str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-m",
                        "fast", "-w", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)
