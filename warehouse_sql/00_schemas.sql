-- The four schemas of the warehouse contract (docs/spec/warehouse.md).
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS quality;
-- bi: stable views for BI tools (runtime/bi.py creates them from the DDL's comments).
CREATE SCHEMA IF NOT EXISTS bi;
