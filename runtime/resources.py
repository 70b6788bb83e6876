"""Dagster resources: the warehouse, the drop folder and the run's inputs (rules, reference).

The warehouse URL may carry a password, so it reaches Dagster only as `EnvVar("WAREHOUSE_URL")`:
Dagster stores and shows configured values (resource page, job snapshot, run config) but shows
an EnvVar by its name. Unset, the field stays empty and the resource falls back to the default
(an embedded DuckDB file, see runtime/settings.py) when it opens the warehouse.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from dagster import ConfigurableResource, EnvVar, Failure
from pydantic import PrivateAttr

from runtime.bi_role import grant_from_env
from runtime.rules import RulesError
from runtime.run_inputs import RunInputs
from runtime.settings import Settings
from runtime.warehouse import Warehouse

URL_ENV = "WAREHOUSE_URL"
_CACHE: dict[str, Warehouse] = {}


class WarehouseResource(ConfigurableResource):
    """SQLAlchemy URL of the warehouse (DuckDB file or PostgreSQL); give it as
    `EnvVar("WAREHOUSE_URL")`, never as text (a password in it would be stored by Dagster)."""

    url: str | None = None

    def get(self) -> Warehouse:
        # One engine per process and URL; the schema is created on first use.
        url = self.url or Settings.from_env().warehouse_url
        if url not in _CACHE:
            _require_parsable(url)
            wh = Warehouse(url)
            wh.create_schema()
            if not wh.is_duckdb:
                grant_from_env(wh)  # the read-only BI role (BI_ROLE, BI_PASSWORD)
            _CACHE[url] = wh
        return _CACHE[url]


def _require_parsable(url: str) -> None:
    """SQLAlchemy's own error for a malformed URL quotes it whole, password included, into the
    run's event log; this one names the variable and the expected form instead."""
    from sqlalchemy.engine import make_url

    try:
        make_url(url)
        return
    except Exception:  # noqa: BLE001 — any parse error; its text holds the URL
        pass
    raise Failure(description=f"{URL_ENV} 不是有效的数据库地址（应为 duckdb:///文件路径 或 "
                              "postgresql+psycopg://用户:密码@主机:端口/库名），请检查端口等写法。")


class DropFolderResource(ConfigurableResource):
    """Where submissions arrive (SUBMISSIONS_DIR) and where reports go (REPORTS_DIR)."""

    submissions_dir: str
    reports_dir: str

    @property
    def root(self) -> Path:
        return Path(self.submissions_dir)

    @property
    def reports(self) -> Path:
        return Path(self.reports_dir)


class RunInputsResource(ConfigurableResource):
    """The run's rules file and reference folder, read once per run and passed to every layer.

    Unset fields come from the environment at run time (RULES_FILE, REFERENCE_DIR)."""

    rules_file: str | None = None
    reference_dir: str | None = None
    _inputs: RunInputs | None = PrivateAttr(default=None)

    def load(self) -> RunInputs:
        """The inputs, loaded on first use; a broken rules file stops the step with a
        `Failure` naming the file and the key (the previous tables stay)."""
        if self._inputs is None:
            settings = Settings.from_env()
            if self.rules_file:
                settings = replace(settings, rules_file=Path(self.rules_file))
            if self.reference_dir:
                settings = replace(settings, reference_dir=Path(self.reference_dir))
            try:
                self._inputs = RunInputs.load(settings)
            except RulesError as exc:
                raise Failure(
                    description=f"规则文件有误，本次未重算（保留上次结果）：{exc}",
                    metadata={"file": str(settings.rules_file), "reason": str(exc)},
                ) from exc
        return self._inputs


def pipeline_resources(url, submissions_dir, reports_dir) -> dict:
    """Every resource the assets and checks need. `url`: an `EnvVar` in production (a literal URL
    only in tests and tools that hold no password), or None for the default DuckDB file."""
    return {
        "warehouse": WarehouseResource(url=url),
        "drop_folder": DropFolderResource(submissions_dir=str(submissions_dir),
                                          reports_dir=str(reports_dir)),
        "inputs": RunInputsResource(),
    }


def default_resources(settings: Settings | None = None) -> dict:
    settings = settings or Settings.from_env()
    # a reference, not the value; unset: no config at all (the resource knows the default)
    url = EnvVar(URL_ENV) if settings.warehouse_url_given else None
    return pipeline_resources(url, settings.submissions_dir, settings.reports_dir)


def release_warehouses() -> None:
    """Close every cached engine (DuckDB holds a file lock while open)."""
    for wh in _CACHE.values():
        wh.dispose()
    _CACHE.clear()
