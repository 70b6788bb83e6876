"""Run the month's assets and GX checks with the network cut off; print what happened as JSON.

`python -m tests.security.offline_checks <drop folder> <warehouse url> <reports dir>`. Every
socket connection and name lookup to anything but loopback is refused and recorded, before any
module of ours (or GX) is imported, so nothing can call out unseen.
"""

from __future__ import annotations

import errno
import json
import socket
import sys

ATTEMPTS: list[str] = []
_LOOPBACK_NAMES = {None, "localhost", "::1", b"localhost"}


def _loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    return host in _LOOPBACK_NAMES or str(host).startswith("127.") or host == "::1"


def _guard() -> None:
    connect, connect_ex, getaddrinfo = (socket.socket.connect, socket.socket.connect_ex,
                                        socket.getaddrinfo)

    def refused(self, address) -> bool:
        if self.family == getattr(socket, "AF_UNIX", None) or _loopback(address[0]):
            return False
        ATTEMPTS.append(f"connect {address!r}")
        return True

    def guarded_connect(self, address):
        if refused(self, address):
            raise OSError(errno.ENETUNREACH, "network disabled by the test")
        return connect(self, address)

    def guarded_connect_ex(self, address):
        return errno.ENETUNREACH if refused(self, address) else connect_ex(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            ATTEMPTS.append(f"lookup {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, "network disabled by the test")
        return getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.getaddrinfo = guarded_getaddrinfo


def main(drop: str, url: str, reports: str) -> dict:
    from dagster import DagsterInstance, materialize

    from assets.conform.assets import core_model
    from assets.ingest.assets import staging_submissions
    from assets.marts.assets import marts_for_period
    from quality.checks import asset_checks
    from runtime.resources import (
        pipeline_resources,
        release_warehouses,
    )

    resources = pipeline_resources(url, drop, reports)
    result = materialize([staging_submissions, core_model, marts_for_period, *asset_checks],
                         partition_key="2021-01", resources=resources,
                         instance=DagsterInstance.ephemeral(), raise_on_error=False)
    release_warehouses()
    import os

    run_attempts = list(ATTEMPTS)
    try:  # the guard itself works: an outside address is refused and recorded
        socket.create_connection(("203.0.113.7", 80), timeout=2).close()
        control = "connected"
    except OSError as exc:
        control = type(exc).__name__
    return {
        "success": result.success,
        "checks": [{"name": e.check_name, "passed": e.passed,
                    "severity": e.severity.value}
                   for e in result.get_asset_check_evaluations()],
        "attempts": run_attempts, "control": control, "control_recorded": ATTEMPTS[-1:],
        "gx_loaded": "great_expectations" in sys.modules,
        "gx_analytics": os.environ.get("GX_ANALYTICS_ENABLED"),
    }


if __name__ == "__main__":
    _guard()
    print("RESULT " + json.dumps(main(*sys.argv[1:4])))
