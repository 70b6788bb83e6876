-- quality: every finding of every check, as a sentence a clerk can act on.
CREATE TABLE IF NOT EXISTS quality.findings (
    check_name    TEXT NOT NULL,
    severity      TEXT NOT NULL,
    period        TEXT,
    unit_name     TEXT,
    source_file   TEXT,
    source_sheet  TEXT,
    source_row    INTEGER,
    project_name  TEXT,
    message       TEXT NOT NULL,
    stage         TEXT NOT NULL,
    file_id       TEXT
);
COMMENT ON TABLE quality.findings IS '数据质量问题清单：每条为办事员可据以整改的中文说明';
COMMENT ON COLUMN quality.findings.check_name IS '检查项';
COMMENT ON COLUMN quality.findings.severity IS '严重程度（error 错误/warning 警告/info 提示）';
COMMENT ON COLUMN quality.findings.period IS '统计期';
COMMENT ON COLUMN quality.findings.unit_name IS '单位';
COMMENT ON COLUMN quality.findings.source_file IS '来源文件';
COMMENT ON COLUMN quality.findings.source_sheet IS '来源工作表';
COMMENT ON COLUMN quality.findings.source_row IS '来源行号';
COMMENT ON COLUMN quality.findings.project_name IS '项目名称';
COMMENT ON COLUMN quality.findings.message IS '问题说明';
COMMENT ON COLUMN quality.findings.stage IS '发现环节（ingest 采集/conform 整合/marts 集市）';
COMMENT ON COLUMN quality.findings.file_id IS '文件编号';
