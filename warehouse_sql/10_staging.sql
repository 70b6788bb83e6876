-- staging: what arrived, cell by cell, with lineage. Holds personal data: the pipeline only.
CREATE TABLE IF NOT EXISTS staging.files (
    file_id        TEXT PRIMARY KEY,
    source_file    TEXT NOT NULL,
    folder_month   TEXT,
    content_hash   TEXT NOT NULL,
    size_bytes     BIGINT,
    modified_at    TIMESTAMP,
    unit_name      TEXT,
    kind           TEXT,
    workbook_month TEXT,
    status         TEXT NOT NULL,
    status_reason  TEXT,
    superseded_by  TEXT,
    first_seen_at  TIMESTAMP,
    parsed_at      TIMESTAMP,
    rows_loaded    INTEGER,
    rows_dropped   INTEGER,
    sheets_skipped TEXT,
    target_scope   TEXT
);

CREATE TABLE IF NOT EXISTS staging.ledger_rows (
    file_id TEXT NOT NULL, source_file TEXT NOT NULL, source_sheet TEXT, source_row INTEGER,
    period TEXT, unit_name TEXT,
    seq_raw TEXT, seq TEXT,
    industry_raw TEXT, industry TEXT,
    chain_raw TEXT, chain TEXT,
    project_name_raw TEXT, project_name TEXT,
    investor_raw TEXT, investor TEXT,
    total_investment_raw TEXT, total_investment DECIMAL(20,8),
    funds_this_year_raw TEXT, funds_this_year DECIMAL(20,8),
    funds_cumulative_raw TEXT, funds_cumulative DECIMAL(20,8),
    source_raw TEXT, source TEXT,
    contact_person_raw TEXT, contact_person TEXT,
    contact_phone_raw TEXT, contact_phone TEXT,
    signed_on_raw TEXT, signed_on TEXT,
    started_on_raw TEXT, started_on TEXT,
    completed_on_raw TEXT, completed_on TEXT,
    status_raw TEXT, status TEXT, stage TEXT,
    is_industrial_raw TEXT, is_industrial BOOLEAN,
    is_emerging_raw TEXT, is_emerging BOOLEAN,
    is_sanqi_raw TEXT, is_sanqi BOOLEAN,
    partners_raw TEXT, partners TEXT,
    remarks_raw TEXT, remarks TEXT,
    extra_json TEXT,
    row_ok BOOLEAN,
    in_library_raw TEXT, in_library BOOLEAN
);
-- revision 2: a warehouse created before the 入库 column gets it here
ALTER TABLE staging.ledger_rows ADD COLUMN IF NOT EXISTS in_library_raw TEXT;
ALTER TABLE staging.ledger_rows ADD COLUMN IF NOT EXISTS in_library BOOLEAN;
COMMENT ON COLUMN staging.ledger_rows.in_library_raw IS '是否入库（原文：是/否或入库时间）';
COMMENT ON COLUMN staging.ledger_rows.in_library IS '是否已纳入广西投资促进信息管理系统（入库）';

-- revision 2, kind 5: the 自治区's 三企入桂 signed-project list, dropped into targets/
CREATE TABLE IF NOT EXISTS staging.cohort_rows (
    file_id TEXT NOT NULL, source_file TEXT NOT NULL, source_sheet TEXT, source_row INTEGER,
    year INTEGER,
    seq_raw TEXT, seq TEXT,
    project_name_raw TEXT, project_name TEXT,
    investor_raw TEXT, investor TEXT,
    signed_on_raw TEXT, signed_on TEXT,
    contract_investment_raw TEXT, contract_investment DECIMAL(20,8),
    territorial_unit_raw TEXT, territorial_unit TEXT,
    responsible_unit_raw TEXT, responsible_unit TEXT,
    remarks_raw TEXT, remarks TEXT,
    extra_json TEXT, row_ok BOOLEAN
);
COMMENT ON TABLE staging.cohort_rows IS '三企入桂签约项目清单原始行（自治区下达，放在 targets/ 目录）';
COMMENT ON COLUMN staging.cohort_rows.year IS '清单年度';
COMMENT ON COLUMN staging.cohort_rows.project_name IS '项目名称';
COMMENT ON COLUMN staging.cohort_rows.investor IS '投资方（签约企业）';
COMMENT ON COLUMN staging.cohort_rows.signed_on IS '签约时间';
COMMENT ON COLUMN staging.cohort_rows.contract_investment IS '合同投资额（亿元）';
COMMENT ON COLUMN staging.cohort_rows.territorial_unit IS '属地（规范单位名）';
COMMENT ON COLUMN staging.cohort_rows.responsible_unit IS '责任单位（规范单位名）';

CREATE TABLE IF NOT EXISTS staging.activity_rows (
    file_id TEXT NOT NULL, source_file TEXT NOT NULL, source_sheet TEXT, source_row INTEGER,
    period TEXT, unit_name TEXT,
    activity_date_raw TEXT, activity_date TEXT,
    activity_name_raw TEXT, activity_name TEXT,
    activity_type_raw TEXT, activity_type TEXT,
    leader_raw TEXT, leader TEXT,
    led_by_principal_raw TEXT, led_by_principal BOOLEAN,
    enterprises_docked_raw TEXT, enterprises_docked INTEGER,
    place_raw TEXT, place TEXT,
    remarks_raw TEXT, remarks TEXT,
    extra_json TEXT, row_ok BOOLEAN
);

CREATE TABLE IF NOT EXISTS staging.reserve_rows (
    file_id TEXT NOT NULL, source_file TEXT NOT NULL, source_sheet TEXT, source_row INTEGER,
    period TEXT, unit_name TEXT,
    project_name_raw TEXT, project_name TEXT,
    chain_raw TEXT, chain TEXT,
    planned_investment_raw TEXT, planned_investment DECIMAL(20,8),
    entered_on_raw TEXT, entered_on TEXT,
    status_raw TEXT, status TEXT,
    extra_json TEXT, row_ok BOOLEAN
);

CREATE TABLE IF NOT EXISTS staging.target_rows (
    file_id TEXT NOT NULL, source_file TEXT NOT NULL, source_sheet TEXT, source_row INTEGER,
    year INTEGER, unit_name TEXT, unit_name_raw TEXT, sub_unit TEXT, indicator TEXT,
    target DECIMAL(20,8), target_raw TEXT, is_total_row BOOLEAN
);

CREATE TABLE IF NOT EXISTS staging.dropped_rows (
    file_id TEXT NOT NULL, source_file TEXT NOT NULL, source_sheet TEXT, source_row INTEGER,
    reason TEXT, text TEXT
);

COMMENT ON TABLE staging.files IS '文件登记簿：收到的每个文件、其哈希、识别出的单位与类型、解析状态及被哪个文件取代';
COMMENT ON TABLE staging.ledger_rows IS '项目台账原始行：每个字段的原始单元格文本与解析值，含文件、工作表、行号（含个人信息，仅供流水线使用）';
COMMENT ON TABLE staging.activity_rows IS '招商活动台账原始行';
COMMENT ON TABLE staging.reserve_rows IS '策划包装/储备项目原始行';
COMMENT ON TABLE staging.target_rows IS '目标任务分解表原始行';
COMMENT ON TABLE staging.dropped_rows IS '按规则剔除的行（合计、注、例、占位行等）及原因';

-- Findings of each file as parsed; quality.findings shows those of the files in force.
CREATE TABLE IF NOT EXISTS staging.file_findings (
    check_name TEXT NOT NULL, severity TEXT NOT NULL, period TEXT, unit_name TEXT,
    source_file TEXT, source_sheet TEXT, source_row INTEGER, project_name TEXT,
    message TEXT NOT NULL, stage TEXT NOT NULL, file_id TEXT
);
COMMENT ON TABLE staging.file_findings IS '每个文件解析时发现的问题（含已被取代的文件）';

-- What each layer was last built from, so a run with nothing changed skips the rebuild.
CREATE TABLE IF NOT EXISTS staging.build_state (
    layer TEXT NOT NULL, scope TEXT NOT NULL, fingerprint TEXT NOT NULL
);
COMMENT ON TABLE staging.build_state IS '各层（core、各期 marts）上次构建所依据的输入指纹：输入未变时跳过重算';
COMMENT ON COLUMN staging.build_state.layer IS '层：core、marts，或 match_pairs（项目识别配对得分的缓存）、name_keys（识别键的缓存）';
COMMENT ON COLUMN staging.build_state.scope IS '范围：marts 为期间（YYYY-MM），core 为空';
COMMENT ON COLUMN staging.build_state.fingerprint IS '输入指纹（SHA-256）';

-- Per project, the digest of everything conform derived its rows from at the last core build
-- (internal, issue 17): its matched rows in report order, its match explanation, the reference,
-- rules, conform code and months; and its findings.  A project whose digest is unchanged takes
-- its core rows from the last build and its findings from here instead of being worked out again.
CREATE TABLE IF NOT EXISTS staging.project_memo (
    project_id TEXT NOT NULL, digest TEXT NOT NULL, findings TEXT
);
COMMENT ON TABLE staging.project_memo IS '上次构建时每个项目全部输入的指纹及其问题清单（内部缓存）：项目的输入未变时沿用上次算出的结果';
COMMENT ON COLUMN staging.project_memo.project_id IS '项目编号';
COMMENT ON COLUMN staging.project_memo.digest IS '该项目全部输入的指纹（SHA-256）';
COMMENT ON COLUMN staging.project_memo.findings IS '该项目的问题（JSON），无则为空';

-- The conform findings of the last core build (internal, issue 17), each with the project it
-- belongs to (none: a duplicate row or the 三企入桂 list, made anew at every build) and its place
-- in the order of one pass (part, project, seq).  A build rewrites only the rows of the projects
-- it worked out again and copies the whole into quality.findings inside the database.
CREATE TABLE IF NOT EXISTS staging.conform_findings (
    check_name TEXT NOT NULL, severity TEXT NOT NULL, period TEXT, unit_name TEXT,
    source_file TEXT, source_sheet TEXT, source_row INTEGER, project_name TEXT,
    message TEXT NOT NULL, file_id TEXT,
    part INTEGER NOT NULL, project_id TEXT, seq INTEGER NOT NULL
);
COMMENT ON TABLE staging.conform_findings IS '上次构建时项目识别与计分发现的问题，按所属项目存放（内部缓存）：只重写重新计算的项目的问题';
COMMENT ON COLUMN staging.conform_findings.part IS '类别次序：0 重复行，1–4 各类项目问题，5 三企入桂清单';
COMMENT ON COLUMN staging.conform_findings.project_id IS '问题所属项目编号；重复行与三企入桂清单的问题为空';
COMMENT ON COLUMN staging.conform_findings.seq IS '在所属项目（或类别）内的次序';

-- The matching keys of the project names and investors core builds have keyed (internal,
-- issue 17): a text's key depends only on the text, the reference and the conform code, so while
-- those are unchanged (fingerprint in staging.build_state, layer name_keys) a text is keyed once.
CREATE TABLE IF NOT EXISTS staging.name_keys (
    kind TEXT NOT NULL, text TEXT NOT NULL, key TEXT NOT NULL
);
COMMENT ON TABLE staging.name_keys IS '项目名称、项目方的识别键（内部缓存）：参考数据与代码不变时，同一文字只需归一化一次';
COMMENT ON COLUMN staging.name_keys.kind IS '类别：name（项目名称）或 investor（项目方）';
COMMENT ON COLUMN staging.name_keys.text IS '台账中填写的原文';
COMMENT ON COLUMN staging.name_keys.key IS '归一化后的识别键';

-- The matching's scored candidate pairs of the last core build (internal): reused while the
-- distinct matching keys, the settings and the matching code are unchanged (fingerprint in
-- staging.build_state, layer match_pairs), so a resubmission that corrects figures only does
-- not score every pair again.
CREATE TABLE IF NOT EXISTS staging.match_pairs (
    i INTEGER NOT NULL, j INTEGER NOT NULL, score DOUBLE PRECISION NOT NULL,
    name_sim DOUBLE PRECISION NOT NULL, investor_sim DOUBLE PRECISION, match_keys TEXT NOT NULL,
    veto TEXT
);
COMMENT ON TABLE staging.match_pairs IS '上次构建时项目识别的候选配对得分（内部缓存）：识别键、设置与代码不变时复用，不必重新逐对打分';
COMMENT ON COLUMN staging.match_pairs.i IS '配对一方在识别键清单中的序号';
COMMENT ON COLUMN staging.match_pairs.j IS '配对另一方在识别键清单中的序号';
COMMENT ON COLUMN staging.match_pairs.score IS '配对得分';
COMMENT ON COLUMN staging.match_pairs.name_sim IS '项目名称相似度';
COMMENT ON COLUMN staging.match_pairs.investor_sim IS '项目方相似度（一方缺项目方时为空）';
COMMENT ON COLUMN staging.match_pairs.match_keys IS '得分依据（名称、项目方的比对结果）';
COMMENT ON COLUMN staging.match_pairs.veto IS '否决原因（有则不可合并）';

-- The distinct matching keys the stored pairs' indices refer to (internal): when a build's keys
-- differ from these under the same settings and code, only the pairs the change can affect are
-- scored again (assets/conform/blocking.py).
CREATE TABLE IF NOT EXISTS staging.match_keys (
    i INTEGER NOT NULL, name_key TEXT NOT NULL, investor_key TEXT NOT NULL
);
COMMENT ON TABLE staging.match_keys IS '上次构建时项目识别键清单（内部缓存）：识别键有增减时，只对受影响的配对重新打分';
COMMENT ON COLUMN staging.match_keys.i IS '识别键在清单中的序号';
COMMENT ON COLUMN staging.match_keys.name_key IS '项目名称识别键';
COMMENT ON COLUMN staging.match_keys.investor_key IS '项目方识别键（无项目方时为空文字）';
