"""Ingestion, pure part: a submitted file in → parsed rows + findings out (no database, no Dagster).

Entry point: `assets.ingest.parse.parse_file(path, rel_path, folder_month, ref, limits)`.
Modules: values (cell parsers), workbook (reading), header (header rows → canonical fields via
reference/columns.yaml), detect (kind, unit, month), ledger / activity / reserve / targets (sheet
parsers), common (shared row filtering and field parsing).
"""
