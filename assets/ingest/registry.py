"""The file registry: what is in the drop folder, what changed, and which file wins.

Pure functions over paths and plain records; the Dagster asset (assets/ingest/assets.py) stores
the registry in `staging.files`.  Nothing is ever deleted: a file that is replaced by a
resubmission is marked `superseded` with `superseded_by`; a file that vanished is `removed`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assets.ingest.workbook import strip_controls

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


@dataclass(frozen=True)
class ScanProblem:
    """Something in the drop folder that is not (or not normally) read: one finding each."""

    source_file: str  # relative to the drop folder; a folder's name for a folder
    folder: str | None  # the month ('YYYY-MM'), 'targets', or None (not a month folder)
    check: str
    message: str
    severity: str | None = None


_LOOSE_MONTH = re.compile(r"^(\d{4})\s*(?:[-_./年]\s*)?(\d{1,2})\s*月?(?:份)?$")


def misnamed_folders(root: Path, up_to: str | None = None) -> list[ScanProblem]:
    """Folders that look like a month but are not named YYYY-MM ('2022-6', '2022年6月',
    '2022-13'): their files are not read, so the clerk is told what to rename them to."""
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.iterdir()):
        name = display_name(path.name)[0]
        match = _LOOSE_MONTH.match(name)
        if not path.is_dir() or MONTH_DIR.match(path.name) or not match:
            continue
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            wanted = f"{year:04d}-{month:02d}"
            if up_to is not None and wanted > up_to:
                continue
            text = (f"文件夹「{name}」的名称不是规定的“年-月”格式，其中的文件未读取；如是{year}年"
                    f"{month}月的报送，请改名为「{wanted}」。")
            out.append(ScanProblem(name, wanted, "skipped_file", text, "warning"))
        else:
            text = (f"文件夹「{name}」看似月份文件夹，但{month}月不存在，其中的文件未读取；请改为"
                    f"正确的月份（格式“{year:04d}-MM”，如{year:04d}-06）。")
            out.append(ScanProblem(name, None, "skipped_file", text, "warning"))
    return out


_WORKBOOK = re.compile(r"\.(xlsx|xlsm|xlsb|xls|et)$", re.IGNORECASE)


def stray_workbooks(root: Path) -> list[ScanProblem]:
    """Workbooks lying in the drop folder itself, in no month folder: not read, and said so."""
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.iterdir()):
        name = display_name(path.name)[0]
        if path.is_file() and not path.is_symlink() and _WORKBOOK.search(name) and \
                not name.startswith(("~$", ".")):
            out.append(ScanProblem(name, None, "skipped_file",
                                   f"文件「{name}」直接放在报送目录下，不在任何月份文件夹（YYYY-MM）或"
                                   "targets文件夹中，未读取；请放入对应月份的文件夹。", "warning"))
    return out


def display_name(rel: str) -> tuple[str, bool]:
    """(name to store and show, whether it had to be repaired).  A name that is not UTF-8 (a zip
    unpacked on Chinese Windows leaves GBK bytes) is decoded as GB18030; control characters are
    removed, so the name can go into any warehouse and any message (issue 20)."""
    raw = os.fsencode(rel)
    repaired = False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        repaired = True
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "replace")
    cleaned = strip_controls(text)
    return cleaned, repaired or cleaned != text


def _walk(base: Path, folder: str, root: Path, problems: list[ScanProblem]) -> list[Path]:
    """Files under `base`, sorted, without following links; an unreadable folder is a problem."""

    def unreadable(exc: OSError) -> None:
        rel = display_name(Path(exc.filename or base).relative_to(root).as_posix())[0]
        problems.append(ScanProblem(rel, folder, "unreadable_file",
                                    f"文件夹「{rel}」无法读取（{exc.strerror or exc}），其中的文件未导入；"
                                    "请检查文件夹权限。"))

    paths = []
    for dirpath, _dirnames, filenames in os.walk(base, onerror=unreadable, followlinks=False):
        paths.extend(Path(dirpath) / name for name in filenames)
    return sorted(paths)


def _seen(path: Path, root: Path, folder: str, problems: list[ScanProblem]) -> SeenFile | None:
    """One file, or None (a link, outside the drop folder, or unreadable: then a problem)."""
    rel, repaired = display_name(path.relative_to(root).as_posix())
    try:
        if path.is_symlink() or not path.is_file():
            return None
        real = path.resolve()
        # a symlinked folder anywhere on the way (2021-05/上月 -> ../2021-04) is not followed
        if root not in real.parents or real != path:
            return None
        stat = path.stat()
        digest = _sha256(real)
    except OSError as exc:
        problems.append(ScanProblem(rel, folder, "unreadable_file",
                                    f"{rel}：文件无法读取（{exc.strerror or type(exc).__name__}），"
                                    "未导入；请检查文件权限或重新报送。"))
        return None
    if repaired:
        problems.append(ScanProblem(rel, folder, "unreadable_file",
                                    f"文件名「{rel}」不是标准编码或含有控制字符（可能是在其他系统上解压的"
                                    "压缩包），已按此名称读取；请将文件重命名后重新放入，以免识别错误。",
                                    "warning"))
    return SeenFile(path=real, source_file=rel, folder_month=folder, size_bytes=stat.st_size,
                    modified_at=datetime.fromtimestamp(int(stat.st_mtime), UTC).replace(tzinfo=None),
                    content_hash=digest)


def scan_files(root: Path, up_to: str | None = None) -> tuple[list[SeenFile], list[ScanProblem]]:
    """Files in targets/ and in the month folders up to `up_to` (all when None), and what could
    not be read.  Every file is looked at inside its own guard: one file that cannot be hashed or
    whose name is not UTF-8 is a problem of that file, never of the run (issue 20).

    Symlinks and anything resolving outside `root` are ignored: a crafted name never reads a
    file elsewhere on the machine.
    """
    root = root.resolve()
    folders = [TARGETS_DIR] + [m for m in month_folders(root) if up_to is None or m <= up_to]
    seen: list[SeenFile] = []
    problems: list[ScanProblem] = []
    for folder in folders:
        base = root / folder
        if not base.is_dir() or base.is_symlink():
            continue
        for path in _walk(base, folder, root, problems):
            item = _seen(path, root, folder, problems)
            if item is not None:
                seen.append(item)
    return seen, problems


def scan(root: Path, up_to: str | None = None) -> list[SeenFile]:
    """The files `scan_files` can read."""
    return scan_files(root, up_to)[0]


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
                    out.append((display_name(path.relative_to(root).as_posix())[0], folder))
    return sorted(out)


def newest_first_key(record: dict) -> tuple:
    """Order of precedence among files for the same unit, month and kind (the last one wins):
    a workbook whose own month is the folder's beats one of another month (a May ledger sent
    again into June never replaces June's, whatever its modification time), then modification
    time (to the second), then a correction marker in the name, then the name."""
    name = Path(record["source_file"]).stem
    own = record.get("workbook_month")
    folder = record.get("folder_month")
    in_month = folder == TARGETS_DIR or not own or own == folder
    return (in_month, record["modified_at"], bool(_CORRECTION.search(name)),
            record["source_file"])


def supersede_key(record: dict) -> tuple | None:
    """Files sharing this key replace each other; None: the file stands alone."""
    if record["status"] not in ("loaded", "superseded") or not record.get("kind"):
        return None
    if record["kind"] in ("target_table", "cohort_list"):
        # a city table and a county table of the same year are different tables
        return ("targets", record.get("unit_name"), record.get("target_scope"), record["kind"])
    return (record.get("folder_month"), record.get("unit_name"), record["kind"])


def _target_groups(records: list[dict], covers: Mapping[str, Iterable[tuple]]) -> list[list[dict]]:
    """Target tables that share a key, or that set a target for the same (year, unit): each
    group keeps one table, so two tables never add up (issue 20)."""
    tables = [r for r in records if r.get("kind") == "target_table" and supersede_key(r)]
    parent = list(range(len(tables)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple, int] = {}
    for i, rec in enumerate(tables):
        for token in [supersede_key(rec), *covers.get(rec["file_id"], ())]:
            if token in owner:
                parent[root(i)] = root(owner[token])
            else:
                owner[token] = i
    groups: dict[int, list[dict]] = {}
    for i, rec in enumerate(tables):
        groups.setdefault(root(i), []).append(rec)
    return list(groups.values())


def _overlap_text(loser: dict, winner: dict, covers: Mapping[str, Iterable[tuple]]) -> str:
    shared = sorted(set(covers.get(loser["file_id"], ())) & set(covers.get(winner["file_id"], ())))
    if not shared:
        return ""
    units = "、".join(dict.fromkeys(str(u) for _y, u in shared[:3]))
    more = "等" if len(shared) > 3 else ""
    return f"（{shared[0][0]}年{units}{more}的目标两份表都有，不相加）"


def _correction_lost(loser: dict, winner: dict) -> bool:
    return bool(_CORRECTION.search(Path(loser["source_file"]).stem)) and not _CORRECTION.search(
        Path(winner["source_file"]).stem)


def _supersede(members: list[dict], covers: Mapping[str, Iterable[tuple]]) -> None:
    members.sort(key=newest_first_key)
    winner = members[-1]
    for rec in members[:-1]:
        rec["status"] = "superseded"
        rec["superseded_by"] = winner["file_id"]
        rec["status_reason"] = f"已被更新的报送文件「{winner['source_file']}」取代"
        if rec.get("kind") == "target_table" and supersede_key(rec) != supersede_key(winner):
            rec["status_reason"] = (
                f"与「{winner['source_file']}」是同一年度、相同单位的目标任务表"
                f"{_overlap_text(rec, winner, covers)}，按最新报送为准采用「{winner['source_file']}」")
            rec["_severity"] = "warning"
        elif _correction_lost(rec, winner):
            rec["status_reason"] = (
                f"是更正文件，但比原文件「{winner['source_file']}」更早（修改时间{rec['modified_at']}"
                f"早于{winner['modified_at']}），按最新报送为准采用了「{winner['source_file']}」；"
                "如应以更正文件为准，请重新保存更正文件后报送")
            rec["_severity"] = "warning"
        elif not newest_first_key(rec)[0] and newest_first_key(winner)[0]:
            rec["status_reason"] = (
                f"表格中的统计月份为{rec.get('workbook_month')}，不是文件夹的{rec.get('folder_month')}；"
                f"本单位该月的报表为「{winner['source_file']}」，以其为准")
            rec["_severity"] = "warning"


def resolve_supersession(records: list[dict],
                         covers: Mapping[str, Iterable[tuple]] | None = None) -> list[dict]:
    """Mark all but the newest file of each (unit, month, kind) as superseded; target tables
    that cover the same (year, unit) — `covers`: file_id → its (year, unit) pairs — are one
    group too.  Returns records with `status`, `superseded_by`, `status_reason` (and
    `_severity` when the clerk should look: a correction older than its original, overlapping
    target tables, a ledger of another month) updated; the input is not modified."""
    covers = covers or {}
    out = [dict(r) for r in records]
    groups: dict[tuple, list[dict]] = {}
    for rec in out:
        rec.pop("_severity", None)
        if rec["status"] == "superseded":
            rec["status"], rec["superseded_by"] = "loaded", None
        key = supersede_key(rec)
        if key is not None and rec["kind"] != "target_table":
            groups.setdefault(key, []).append(rec)
    for members in [*groups.values(), *_target_groups(out, covers)]:
        _supersede(members, covers)
    return out


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
