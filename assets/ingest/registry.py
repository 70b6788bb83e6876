"""The file registry: what is in the drop folder, what changed, and which file wins.

Pure functions over paths and plain records; the Dagster asset (assets/ingest/assets.py) stores
the registry in `staging.files`.  Nothing is ever deleted: a file that is replaced by a
resubmission is marked `superseded` with `superseded_by`; a file that vanished is `removed`.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MONTH_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TARGETS_DIR = "targets"
# A resubmission announces itself in its name; among files of the same second it wins.
_CORRECTION = re.compile(r"更正|修订|修改|补报|[_\-\s（(]?v\d+[)）]?$", re.IGNORECASE)


@dataclass(frozen=True)
class SeenFile:
    path: Path
    source_file: str  # relative to SUBMISSIONS_DIR, with forward slashes
    folder_month: str  # 'YYYY-MM' or 'targets'
    size_bytes: int
    modified_at: datetime
    content_hash: str

    @property
    def file_id(self) -> str:
        """Same path and same content → same id, so an unchanged file is never parsed again."""
        return hashlib.sha256(f"{self.source_file}\0{self.content_hash}".encode()).hexdigest()[:20]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def month_folders(root: Path) -> list[str]:
    """Every 'YYYY-MM' folder of the drop folder, sorted."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and MONTH_DIR.match(p.name))


def scan(root: Path, up_to: str | None = None) -> list[SeenFile]:
    """Files in targets/ and in the month folders up to `up_to` (all when None).

    Symlinks and anything resolving outside `root` are ignored: a crafted name never reads a
    file elsewhere on the machine.
    """
    root = root.resolve()
    folders = [TARGETS_DIR] + [m for m in month_folders(root) if up_to is None or m <= up_to]
    seen: list[SeenFile] = []
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            real = path.resolve()
            # a symlinked folder anywhere on the way (2021-05/上月 -> ../2021-04) is not followed
            if root not in real.parents or real != path:
                continue
            stat = path.stat()
            seen.append(
                SeenFile(
                    path=real,
                    source_file=real.relative_to(root).as_posix(),
                    folder_month=folder,
                    size_bytes=stat.st_size,
                    modified_at=datetime.fromtimestamp(int(stat.st_mtime), UTC).replace(tzinfo=None),
                    content_hash=_sha256(real),
                )
            )
    return seen


def ignored_links(root: Path, up_to: str | None = None) -> list[tuple[str, str]]:
    """(path relative to `root`, folder) of every symbolic link `scan` refuses to follow, so
    the clerk is told why a file "in the folder" was not read.  Nothing is resolved or opened."""
    root = root.resolve()
    folders = [TARGETS_DIR] + [m for m in month_folders(root) if up_to is None or m <= up_to]
    out: list[tuple[str, str]] = []
    for folder in folders:
        base = root / folder
        if base.is_symlink():
            out.append((folder, folder))
            continue
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            for name in sorted(dirnames + filenames):
                path = Path(dirpath) / name
                if path.is_symlink():
                    out.append((path.relative_to(root).as_posix(), folder))
    return sorted(out)


def newest_first_key(record: dict) -> tuple:
    """Order of precedence among files for the same unit, month and kind (the last one wins):
    modification time (to the second), then a correction marker in the name, then the name."""
    name = Path(record["source_file"]).stem
    return (record["modified_at"], bool(_CORRECTION.search(name)), record["source_file"])


def supersede_key(record: dict) -> tuple | None:
    """Files sharing this key replace each other; None: the file stands alone."""
    if record["status"] not in ("loaded", "superseded") or not record.get("kind"):
        return None
    if record["kind"] in ("target_table", "cohort_list"):
        # a city table and a county table of the same year are different tables
        return ("targets", record.get("unit_name"), record.get("target_scope"), record["kind"])
    return (record.get("folder_month"), record.get("unit_name"), record["kind"])


def resolve_supersession(records: list[dict]) -> list[dict]:
    """Mark all but the newest file of each (unit, month, kind) as superseded. Returns records
    with `status` and `superseded_by` updated; the input is not modified."""
    out = [dict(r) for r in records]
    groups: dict[tuple, list[dict]] = {}
    for rec in out:
        if rec["status"] == "superseded":
            rec["status"], rec["superseded_by"] = "loaded", None
        key = supersede_key(rec)
        if key is not None:
            groups.setdefault(key, []).append(rec)
    for members in groups.values():
        members.sort(key=newest_first_key)
        winner = members[-1]
        for rec in members[:-1]:
            rec["status"] = "superseded"
            rec["superseded_by"] = winner["file_id"]
            rec["status_reason"] = f"已被更新的报送文件「{winner['source_file']}」取代"
    return out


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
