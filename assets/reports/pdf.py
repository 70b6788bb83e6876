"""The 通报 as PDF: the HTML page printed by a headless Chromium (`--print-to-pdf`).

A Chromium is optional on a server: without one the pipeline writes no PDF and says so (a
finding of the report asset and a log line), the Excel, HTML and Word files are written as usual.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from runtime.settings import Settings

# the binary names Debian, other distributions and Google's packages use; $CHROMIUM wins
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT_S = 120


def find_chromium() -> str | None:
    explicit = Settings.from_env().chromium
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_args(binary: str, profile: Path) -> list[str]:
    args = [binary, "--headless", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            "--no-pdf-header-footer", f"--user-data-dir={profile}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    return args


def write_pdf(html: Path, binary: str) -> Path:
    """Print `html` to the PDF next to it; raises RuntimeError with Chromium's message."""
    html = Path(html)
    path = html.with_suffix(".pdf")
    tmp = path.with_suffix(".pdf.tmp")
    tmp.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="tongbao-chromium-") as profile:
        try:
            proc = subprocess.run(
                [*print_args(binary, Path(profile)), f"--print-to-pdf={tmp}",
                 html.resolve().as_uri()],
                capture_output=True, text=True, timeout=PRINT_TIMEOUT_S,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise RuntimeError(f"Chromium 无法运行：{exc}") from exc
    if not tmp.exists() or tmp.stat().st_size == 0:
        raise RuntimeError(f"Chromium 未能生成 PDF（返回码 {proc.returncode}）："
                           f"{proc.stderr.strip()[-500:]}")
    tmp.replace(path)
    return path
