"""Dagster resources: the warehouse and the drop folder, configured from the environment."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from runtime.bi import setup_bi
from runtime.bi_role import grant_from_env
from runtime.settings import Settings
from runtime.warehouse import Warehouse

_CACHE: dict[str, Warehouse] = {}


class WarehouseResource(ConfigurableResource):
    """SQLAlchemy URL of the warehouse (DuckDB file or PostgreSQL)."""

    url: str

    def get(self) -> Warehouse:
        # One engine per process and URL; the schema is created on first use.
        if self.url not in _CACHE:
            wh = Warehouse(self.url)
            wh.create_schema()
            if not wh.is_duckdb:
                grant_from_env(wh)  # the read-only BI role (BI_ROLE, BI_PASSWORD)
            setup_bi(wh)  # bi views; on PostgreSQL unit roles + row-level security
            _CACHE[self.url] = wh
        return _CACHE[self.url]


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


def default_resources(settings: Settings | None = None) -> dict:
    settings = settings or Settings.from_env()
    return {
        "warehouse": WarehouseResource(url=settings.warehouse_url),
        "drop_folder": DropFolderResource(
            submissions_dir=str(settings.submissions_dir), reports_dir=str(settings.reports_dir)
        ),
    }


def release_warehouses() -> None:
    """Close every cached engine (DuckDB holds a file lock while open)."""
    for wh in _CACHE.values():
        wh.dispose()
    _CACHE.clear()
