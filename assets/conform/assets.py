"""Dagster asset: staging → core (thin wrapper over assets/conform/build.py)."""


from decimal import Decimal

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    multi_asset,
)

from assets.conform.build import DIM_PROJECT_COLUMNS, conform
from assets.conform.conform_findings import STORED_COLUMNS, ConformFindings
from assets.conform.credit import BRIDGE_COLUMNS
from assets.conform.facts import FACT_PROJECT_PERIOD_COLUMNS
from assets.conform.matching import KeyMemo, ScoredPairs
from assets.conform.project_memo import MEMO_COLUMNS, ROW_HASH, ProjectMemo
from runtime import build_state
from runtime.collector import bulk_work
from runtime.faults import fault_point
from runtime.metadata import OWNERS, asset_metadata, findings_by_severity, table_metadata
from runtime.partitions import monthly
from runtime.resources import RunInputsResource, WarehouseResource
from runtime.run_inputs import RunInputs
from runtime.warehouse import Warehouse

CORE_TABLES = {
    "dim_unit": ("dim_unit", "单位维表：规范单位名、类型与上级。"),
    "dim_project": ("dim_project", "项目维表：跨单位、跨月份识别为同一个项目，编号稳定。"),
    "bridge_project_unit": ("bridge", "项目↔计分单位桥表：属地、牵头、合作。"),
    "fact_project_period": ("fact_project_period", "项目每期的规范进展与到位资金（属地报数优先）。"),
    "fact_target": ("fact_target", "年度目标任务。"),
    "fact_activity": ("fact_activity", "招商活动（每期为截至该期的本年清单）。"),
    "fact_reserve_project": ("fact_reserve_project", "策划包装/储备项目（每期为截至该期的本年清单）。"),
    "fact_cohort": ("fact_cohort", "自治区下达的三企入桂签约项目清单，逐行对应到项目（四率口径）。"),
}


# Never needed by conform: the raw cell texts (lineage stays in staging), unknown columns, and the
# personal data that must not leave staging.  Leaving them out halves what core holds in memory.
_NOT_CONFORMED = {"extra_json", "contact_person", "contact_phone"}


def _conformed_columns(wh: Warehouse, table: str) -> str:
    return ", ".join(c for c in wh.columns(table)
                     if not c.endswith("_raw") and c not in _NOT_CONFORMED)


def row_hash_sql(wh: Warehouse, columns: str) -> str:
    """A 63-bit hash of the row's values, computed by the database (perf, issue 17: conform's
    per-project digests hash one number instead of every column of every ledger row)."""
    if wh.is_duckdb:
        return f"(hash({columns}) & 9223372036854775807)::BIGINT AS {ROW_HASH}"
    return f"('x' || md5(ROW({columns})::text))::bit(64)::bigint AS {ROW_HASH}"


def load_staging(wh: Warehouse) -> dict[str, pd.DataFrame]:
    """The staging rows of the files in force (loaded, not superseded); the ledger's with
    `row_hash`, a digest of the row's other columns (see `conform`)."""
    live = "file_id IN (SELECT file_id FROM staging.files WHERE status = 'loaded')"
    tables = {"ledger": "staging.ledger_rows", "activities": "staging.activity_rows",
              "reserve": "staging.reserve_rows", "targets": "staging.target_rows",
              "cohort": "staging.cohort_rows"}
    out = {}
    for name, table in tables.items():
        columns = _conformed_columns(wh, table)
        extra = f", {row_hash_sql(wh, columns)}" if name == "ledger" else ""
        out[name] = wh.read(f"SELECT {columns}{extra} FROM {table} WHERE {live}")
    out["files"] = wh.read("SELECT * FROM staging.files")
    return out


_FOUND = "staging.conform_findings"


def _write_findings(tx, found: ConformFindings, reused: frozenset[str]) -> None:
    """The conform findings: in `_FOUND`, those about no single project are deleted and the
    projects' written as the per-project core tables are (`_write_by_project`: only those of
    the projects not `reused`, unless most changed); then the whole is copied, in the order of
    one pass, into quality.findings within the database (perf, issue 17: 200,000 findings at
    province scale were turned into a frame and written from Python at every build, for the
    few hundred a resubmission changes).  A reused project's findings are in `_FOUND`: the memo
    that reused it was written with them, in one transaction, and its digests include the
    conform code, so no warehouse built before this table existed reuses a project."""
    fresh = found.frame(only_fresh=True)
    tx.execute(f"DELETE FROM {_FOUND} WHERE project_id IS NULL")
    if _write_by_project(tx, _FOUND, fresh, reused) is None:
        tx.replace(_FOUND, found.frame() if found.reused else fresh)
    tx.delete("quality.findings", {"stage": "conform"})
    columns = ", ".join(STORED_COLUMNS)
    tx.execute(f"INSERT INTO quality.findings ({columns}, stage) SELECT {columns}, 'conform' "
               f"FROM {_FOUND} ORDER BY part, project_id, seq")


_PAIRS = "staging.match_pairs"
_PAIR_KEYS = "staging.match_keys"  # the distinct keys the pairs' indices refer to
# its build_state layer: "<keys digest> <pairs considered> <scoring digest>"
_PAIRS_STATE = "match_pairs"


def previous_pairs(wh: Warehouse) -> ScoredPairs | None:
    """The scored pairs the last core build stored (None before the first); their key list is
    read only if the keys changed (`ScoredPairs.key_lists`)."""
    state = build_state.stored(wh, _PAIRS_STATE)
    if state is None:
        return None
    digest, considered, *settings = state.split(" ")
    return ScoredPairs.from_frame(
        digest, int(considered), wh.read(f"SELECT * FROM {_PAIRS}"),
        settings[0] if settings else "",
        lambda: ScoredPairs.key_lists_of(wh.read(f"SELECT * FROM {_PAIR_KEYS}")))


@bulk_work()
def build_core(wh: Warehouse, inputs: RunInputs | None = None, force: bool = False) -> dict:
    """Rebuild every core table from staging in one transaction; returns row counts.

    Skipped (``skipped`` True, ``result`` None) when the inputs' fingerprint equals the one the
    current core tables were built from, unless ``force``; ``force`` also scores every matching
    pair again instead of reusing the last build's (`previous_pairs`) and works every project
    out again instead of taking unchanged ones from the memo (`project_memo.py`)."""
    inputs = inputs or RunInputs.load()
    rules = inputs.rules
    fingerprint = build_state.core_fingerprint(wh, rules, inputs.reference.directory)
    if not force and build_state.stored(wh, "core") == fingerprint:
        counts = {t: int(wh.scalar(f"SELECT COUNT(*) FROM core.{t}")) for t in CORE_TABLES}
        return {"counts": counts, "result": None, "skipped": True, "pairs_reused": False,
                "pairs_rescored": None,
                "rows_written": 0}
    staging = load_staging(wh)
    files = staging["files"]
    periods = sorted(
        m for m in files.loc[files["status"] == "loaded", "folder_month"].dropna().unique()
        if m != "targets"
    )
    below = Decimal(str(rules.indicators.below_threshold_amount))
    previous = None if force else previous_pairs(wh)
    settings = build_state.settings_fingerprint(rules, inputs.reference.directory)
    old_memo = _stored_memo(wh)  # a forced build reuses none of it, but replaces it
    keys = KeyMemo() if force else stored_keys(wh, settings)
    keyed_before = bool(keys.names or keys.investors)
    result = conform(
        staging.pop("ledger"), staging["activities"], staging["reserve"], staging["targets"],
        files, inputs.reference, periods, below_threshold=below, cohort=staging["cohort"],
        unknown_source=rules.indicators.unknown_source,
        previous_pairs=previous,
        memo=ProjectMemo(settings) if force or old_memo.empty else ProjectMemo.from_frames(
            settings, old_memo, lambda: last_core(wh)),
        known_keys=keys,
    )
    result.matched_ledger = None  # not written; freed before the write (memory, issue 9)
    tables = {table: getattr(result, attr) for table, (attr, _) in CORE_TABLES.items()}
    digests = build_state.table_digests(tables)
    slices = build_state.core_slices(digests, settings)
    months = build_state.month_digests(tables, digests)
    old_months = {} if force else build_state.stored_map(wh, build_state.ROWS)
    with wh.transaction() as tx:
        counts, written = _write_tables(tx, tables, old_months, months, result.reused_projects)
        _write_findings(tx, result.found, result.reused_projects)
        build_state.store(tx, "core", "", fingerprint)
        build_state.store_map(tx, build_state.SLICE, slices)  # what each period's marts read
        build_state.store_map(tx, build_state.ROWS, months)
        if result.scored_pairs is None or result.scored_pairs is not previous:
            _store_pairs(tx, result.scored_pairs)  # else they are stored already
        _store_memo(tx, old_memo, result.memo)
        _store_keys(tx, keys, settings, replace=not keyed_before)
        fault_point("core_tx")
    return {"counts": counts, "result": result, "skipped": False, "rows_written": written,
            "pairs_reused": previous is not None and result.scored_pairs is previous,
            "pairs_rescored": getattr(result.scored_pairs, "rescored", None),
            "projects_reused": result.projects_reused}


def _write_tables(tx, tables: dict[str, pd.DataFrame], old_months: dict[str, str],
                  months: dict[str, str], reused: frozenset[str] = frozenset()
                  ) -> tuple[dict[str, int], int]:
    """Each core table replaced, or only its changed part: for a per-project table the projects
    not `reused` (`_write_by_project`), for a monthly fact table its changed months
    (`build_state.changed_months`), for the monthly project facts whichever writes fewer rows;
    returns the row counts and how many rows were written."""
    counts, written = {}, 0
    for table, df in tables.items():
        counts[table] = len(df)
        changed = build_state.changed_months(table, old_months, months)
        redo = ~df["project_id"].isin(reused) if table in BY_PROJECT and reused else None
        if redo is not None and (changed is None
                                 or int(redo.sum()) < int(df["period"].isin(changed).sum())):
            inserted = _write_by_project(tx, f"core.{table}", df.loc[redo], reused)
            if inserted is not None:
                written += inserted
                continue
        if changed is None:
            written += tx.replace(f"core.{table}", df)
            continue
        if changed:
            tx.delete(f"core.{table}", {"period": changed})
            written += tx.insert(f"core.{table}", df.loc[df["period"].isin(changed)])
    return counts, written


# Tables whose rows belong to one project each.  A project the memo reused has, in the new
# frame, exactly the rows the memo read of it from the warehouse (`last_core`), so only the
# other projects' rows are deleted and written (perf, issue 17: a resubmission rewrote all
# of dim_project and the bridge, a quarter of a million rows at province scale, and a name
# correction the month's monthly facts, a hundred thousand).
BY_PROJECT = ("dim_project", "bridge_project_unit", "fact_project_period")


def _write_by_project(tx, table: str, rows: pd.DataFrame, reused: frozenset[str]) -> int | None:
    """Delete the rows of every project not `reused` (worked out again, or gone) and insert
    `rows`, theirs now; None, writing nothing, when most of the table's projects are such
    (replace the table whole)."""
    before = set(tx.values(f"SELECT DISTINCT project_id FROM {table}"))
    redone = before - reused
    if len(redone) > len(before) // 2:
        return None
    tx.delete(table, {"project_id": sorted(redone)})
    return tx.insert(table, rows)


_MEMO = "staging.project_memo"


def _stored_memo(wh: Warehouse) -> pd.DataFrame:
    return wh.read(f"SELECT {', '.join(MEMO_COLUMNS)} FROM {_MEMO}")


def last_core(wh: Warehouse) -> dict[str, pd.DataFrame]:
    """The per-project core rows the last build wrote (with the memo, in one transaction)."""
    tables = {"dim_project": ("core.dim_project", DIM_PROJECT_COLUMNS),
              "bridge": ("core.bridge_project_unit", BRIDGE_COLUMNS),
              "facts": ("core.fact_project_period", FACT_PROJECT_PERIOD_COLUMNS)}
    return {name: wh.read(f"SELECT {', '.join(cols)} FROM {table}")
            for name, (table, cols) in tables.items()}


def _store_memo(tx, old: pd.DataFrame, new: dict[str, tuple[str, str | None]]) -> None:
    """Only the projects whose entry changed, appeared or vanished are rewritten."""
    before = dict(zip(old["project_id"], old["digest"], strict=True))
    stale = [pid for pid, digest in before.items()
             if pid not in new or new[pid][0] != digest]
    fresh = [pid for pid, (digest, _) in new.items() if before.get(pid) != digest]
    if len(stale) > len(before) // 2:  # most changed (a first or forced build): rewrite all
        tx.delete(_MEMO)
        fresh = list(new)
    elif stale:
        tx.delete(_MEMO, {"project_id": stale})
    tx.insert(_MEMO, pd.DataFrame([(pid, *new[pid]) for pid in fresh], columns=MEMO_COLUMNS))


_KEYS = "staging.name_keys"
_KEYS_STATE = "name_keys"  # its build_state layer: the settings fingerprint its keys were made by


def stored_keys(wh: Warehouse, settings: str) -> KeyMemo:
    """The matching keys earlier builds made, if they were made under these settings (reference,
    rules, conform code); else none."""
    if build_state.stored(wh, _KEYS_STATE) != settings:
        return KeyMemo()
    return KeyMemo.from_frame(wh.read(f"SELECT kind, text, key FROM {_KEYS}"))


def _store_keys(tx, keys: KeyMemo, settings: str, replace: bool) -> None:
    """Add the texts this build keyed; all of them, in place of the old, when it started with
    none (new settings, a forced build, or the first)."""
    if replace:
        tx.delete(_KEYS)
    tx.insert(_KEYS, pd.DataFrame(keys.new, columns=["kind", "text", "key"]))
    build_state.store(tx, _KEYS_STATE, "", settings)


def _store_pairs(tx, pairs: ScoredPairs | None) -> None:
    """The matching's scored pairs, for the next build to reuse (`previous_pairs`)."""
    tx.replace(_PAIRS, pairs.frame() if pairs is not None else None)
    tx.replace(_PAIR_KEYS, pairs.keys_frame() if pairs is not None else None)
    if pairs is not None:
        build_state.store(tx, _PAIRS_STATE, "",
                          f"{pairs.digest} {pairs.considered} {pairs.settings}")
    else:  # an empty ledger: nothing to reuse next time
        tx.delete("staging.build_state", {"layer": _PAIRS_STATE})


@multi_asset(
    specs=[
        AssetSpec(
            key=["core", table],
            description=desc,
            group_name="core",
            kinds={"python", "sql"},
            owners=OWNERS,
            deps=[["staging", "submissions"]],
            metadata=table_metadata(f"core.{table}"),
        )
        for table, (_, desc) in CORE_TABLES.items()
    ],
    partitions_def=monthly,
    can_subset=False,
    backfill_policy=BackfillPolicy.single_run(),  # core is one model: once for any range
)
def core_model(context: AssetExecutionContext, warehouse: WarehouseResource,
               inputs: RunInputsResource):
    """Conform staging into the star schema: one project, many credited units, counted once."""
    wh = warehouse.get()
    built = build_core(wh, inputs.load())
    result = built["result"]
    # one transaction builds every core table, so each reports the conform findings it raised
    severity = findings_by_severity(wh, "conform")
    if built["skipped"]:
        context.log.info("core 的输入（登记簿、参考数据、规则、代码）未变，沿用上次构建的表。")
    else:
        total = sum(built["counts"].values())
        context.log.info(f"core 重算：写入 {built['rows_written']} 行（共 {total} 行，"
                         "未变月份的事实行保留原样）。")
    if built.get("projects_reused"):
        worked = built["counts"]["dim_project"] - built["projects_reused"]
        context.log.info(f"逐项目结果：{built['projects_reused']} 个项目的报送未变，沿用上次算出的"
                         f"维表行、计分与各期事实；{worked} 个项目重新计算。")
    if built["pairs_reused"]:
        context.log.info("项目识别键未变（只改了数字等），沿用上次的配对得分，未重新逐对打分。")
    elif built.get("pairs_rescored") is not None:
        context.log.info(f"项目识别键有增减：只对受影响的 {built['pairs_rescored']} 对重新打分，"
                         "其余配对沿用上次的得分。")
    for table, (attr, _) in CORE_TABLES.items():
        df = (wh.read(f"SELECT * FROM core.{table} LIMIT 10") if result is None
              else getattr(result, attr))
        metadata = asset_metadata(df, severity, rebuilt=not built["skipped"])
        metadata["dagster/row_count"] = built["counts"][table]
        yield_key = ["core", table]
        context.log.debug(f"core.{table}: {built['counts'][table]} rows")
        yield MaterializeResult(asset_key=yield_key, metadata=metadata)
