-- core: conformed dimensions, facts and the project↔unit credit bridge (contract columns first).
CREATE TABLE IF NOT EXISTS core.dim_unit (
    unit_name   TEXT PRIMARY KEY,
    unit_type   TEXT NOT NULL,
    parent_name TEXT,
    aliases     TEXT
);

CREATE TABLE IF NOT EXISTS core.dim_project (
    project_id        TEXT PRIMARY KEY,
    project_name      TEXT,
    investor          TEXT,
    industry          TEXT,
    total_investment  DECIMAL(20,8),
    is_industrial     BOOLEAN,
    is_emerging       BOOLEAN,
    is_sanqi          BOOLEAN,
    signed_month      TEXT,
    territorial_unit  TEXT,
    chain             TEXT,
    first_period      TEXT,
    first_reported_by TEXT,
    below_threshold   BOOLEAN,
    match_keys        TEXT,
    source_region     TEXT,
    source_class      TEXT NOT NULL DEFAULT 'unknown'
);

CREATE TABLE IF NOT EXISTS core.bridge_project_unit (
    project_id   TEXT NOT NULL,
    unit_name    TEXT NOT NULL,
    role         TEXT NOT NULL,
    first_period TEXT,
    source_file  TEXT,
    source_sheet TEXT,
    source_row   INTEGER
);

CREATE TABLE IF NOT EXISTS core.fact_project_period (
    project_id       TEXT NOT NULL,
    period           TEXT NOT NULL,
    reported_by      TEXT,
    status           TEXT,
    funds_this_year  DECIMAL(20,8),
    funds_cumulative DECIMAL(20,8),
    source_file      TEXT,
    source_sheet     TEXT,
    source_row       INTEGER,
    stage            TEXT,
    total_investment DECIMAL(20,8),
    report_period    TEXT,
    is_territorial_report BOOLEAN,
    in_library       BOOLEAN
);

CREATE TABLE IF NOT EXISTS core.fact_target (
    year         INTEGER NOT NULL,
    unit_name    TEXT NOT NULL,
    indicator    TEXT NOT NULL,
    target       DECIMAL(20,8),
    sub_unit     TEXT,
    source_file  TEXT,
    source_sheet TEXT,
    source_row   INTEGER,
    is_total_row BOOLEAN
);

CREATE TABLE IF NOT EXISTS core.fact_activity (
    period             TEXT NOT NULL,
    unit_name          TEXT NOT NULL,
    activity_date      TEXT,
    activity_name      TEXT,
    activity_type      TEXT,
    leader             TEXT,
    led_by_principal   BOOLEAN,
    enterprises_docked INTEGER,
    source_file        TEXT,
    source_sheet       TEXT,
    source_row         INTEGER,
    place              TEXT,
    remarks            TEXT,
    file_period        TEXT
);

CREATE TABLE IF NOT EXISTS core.fact_reserve_project (
    period             TEXT NOT NULL,
    unit_name          TEXT NOT NULL,
    project_name       TEXT,
    chain              TEXT,
    planned_investment DECIMAL(20,8),
    entered_on         TEXT,
    status             TEXT,
    source_file        TEXT,
    source_sheet       TEXT,
    source_row         INTEGER,
    stage              TEXT,
    file_period        TEXT
);

COMMENT ON TABLE core.dim_unit IS '单位维表：市、县区开发区、牵头部门、产业招商组/专班';
COMMENT ON COLUMN core.dim_unit.unit_name IS '单位名称（规范名）';
COMMENT ON COLUMN core.dim_unit.unit_type IS '单位类型（city 市/district 县区开发区/department 牵头部门/task_group 招商组专班）';
COMMENT ON COLUMN core.dim_unit.parent_name IS '上级单位';
COMMENT ON COLUMN core.dim_unit.aliases IS '别名';
COMMENT ON TABLE core.dim_project IS '项目维表：跨单位、跨月份识别为同一项目的规范项目';
COMMENT ON COLUMN core.dim_project.project_id IS '项目编号（多次运行保持不变）';
COMMENT ON COLUMN core.dim_project.project_name IS '项目名称';
COMMENT ON COLUMN core.dim_project.investor IS '项目方（投资方）';
COMMENT ON COLUMN core.dim_project.industry IS '行业';
COMMENT ON COLUMN core.dim_project.total_investment IS '投资总额（亿元）';
COMMENT ON COLUMN core.dim_project.is_industrial IS '是否工业项目';
COMMENT ON COLUMN core.dim_project.is_emerging IS '是否新兴产业项目';
COMMENT ON COLUMN core.dim_project.is_sanqi IS '是否三企入桂项目';
COMMENT ON COLUMN core.dim_project.signed_month IS '签约（入驻）月份';
COMMENT ON COLUMN core.dim_project.territorial_unit IS '属地单位';
COMMENT ON COLUMN core.dim_project.chain IS '产业链';
COMMENT ON COLUMN core.dim_project.first_period IS '首次报送月份';
COMMENT ON COLUMN core.dim_project.first_reported_by IS '首报单位';
COMMENT ON COLUMN core.dim_project.below_threshold IS '低于统计起点（总投资500万元以下）';
COMMENT ON COLUMN core.dim_project.match_keys IS '项目识别依据（匹配得分与键）';
COMMENT ON TABLE core.bridge_project_unit IS '项目与计分单位桥表：属地、牵头、合作';
COMMENT ON COLUMN core.bridge_project_unit.project_id IS '项目编号';
COMMENT ON COLUMN core.bridge_project_unit.unit_name IS '计分单位';
COMMENT ON COLUMN core.bridge_project_unit.role IS '角色（territorial 属地/lead 牵头/co 合作）';
COMMENT ON COLUMN core.bridge_project_unit.first_period IS '该单位开始计分的月份';
COMMENT ON COLUMN core.bridge_project_unit.source_file IS '来源文件';
COMMENT ON COLUMN core.bridge_project_unit.source_sheet IS '来源工作表';
COMMENT ON COLUMN core.bridge_project_unit.source_row IS '来源行号';
COMMENT ON TABLE core.fact_project_period IS '项目月度事实：每个项目每期的规范进展与到位资金（属地单位报数优先）';
COMMENT ON COLUMN core.fact_project_period.project_id IS '项目编号';
COMMENT ON COLUMN core.fact_project_period.period IS '统计期（年-月）';
COMMENT ON COLUMN core.fact_project_period.reported_by IS '采用其报数的单位';
COMMENT ON COLUMN core.fact_project_period.status IS '进展情况（原文）';
COMMENT ON COLUMN core.fact_project_period.funds_this_year IS '本年到位资金（亿元）';
COMMENT ON COLUMN core.fact_project_period.funds_cumulative IS '累计到位资金（亿元）';
COMMENT ON COLUMN core.fact_project_period.source_file IS '来源文件';
COMMENT ON COLUMN core.fact_project_period.source_sheet IS '来源工作表';
COMMENT ON COLUMN core.fact_project_period.source_row IS '来源行号';
COMMENT ON COLUMN core.fact_project_period.stage IS '项目阶段（在谈/签约/注册/开工/竣工投产/退库）';
COMMENT ON COLUMN core.fact_project_period.total_investment IS '投资总额（亿元）';
COMMENT ON TABLE core.fact_target IS '年度目标任务';
COMMENT ON COLUMN core.fact_target.year IS '年度';
COMMENT ON COLUMN core.fact_target.unit_name IS '单位';
COMMENT ON COLUMN core.fact_target.indicator IS '指标（{indicators}）';
COMMENT ON COLUMN core.fact_target.target IS '目标值（金额为亿元，项目为个）';
COMMENT ON COLUMN core.fact_target.sub_unit IS '分项牵头单位（同一招商组多行目标时）';
COMMENT ON COLUMN core.fact_target.source_file IS '来源文件';
COMMENT ON COLUMN core.fact_target.source_sheet IS '来源工作表';
COMMENT ON COLUMN core.fact_target.source_row IS '来源行号';
COMMENT ON TABLE core.fact_activity IS '招商活动（每期为截至该期的本年活动清单）';
COMMENT ON COLUMN core.fact_activity.period IS '统计期';
COMMENT ON COLUMN core.fact_activity.unit_name IS '单位';
COMMENT ON COLUMN core.fact_activity.activity_date IS '活动日期';
COMMENT ON COLUMN core.fact_activity.activity_name IS '活动名称';
COMMENT ON COLUMN core.fact_activity.activity_type IS '活动类型';
COMMENT ON COLUMN core.fact_activity.leader IS '带队领导';
COMMENT ON COLUMN core.fact_activity.led_by_principal IS '是否主要领导带队';
COMMENT ON COLUMN core.fact_activity.enterprises_docked IS '对接企业数';
COMMENT ON COLUMN core.fact_activity.source_file IS '来源文件';
COMMENT ON COLUMN core.fact_activity.source_sheet IS '来源工作表';
COMMENT ON COLUMN core.fact_activity.source_row IS '来源行号';
COMMENT ON TABLE core.fact_reserve_project IS '策划包装/储备库项目（每期为截至该期的本年清单）';
COMMENT ON COLUMN core.fact_reserve_project.period IS '统计期';
COMMENT ON COLUMN core.fact_reserve_project.unit_name IS '单位';
COMMENT ON COLUMN core.fact_reserve_project.project_name IS '项目名称';
COMMENT ON COLUMN core.fact_reserve_project.chain IS '产业链';
COMMENT ON COLUMN core.fact_reserve_project.planned_investment IS '计划投资（亿元）';
COMMENT ON COLUMN core.fact_reserve_project.entered_on IS '入库时间';
COMMENT ON COLUMN core.fact_reserve_project.status IS '状态';
COMMENT ON COLUMN core.fact_reserve_project.source_file IS '来源文件';
COMMENT ON COLUMN core.fact_reserve_project.source_sheet IS '来源工作表';
COMMENT ON COLUMN core.fact_reserve_project.source_row IS '来源行号';
COMMENT ON COLUMN core.fact_project_period.report_period IS '所采用报数的报送月份';
COMMENT ON COLUMN core.fact_project_period.is_territorial_report IS '是否属地单位报数';
COMMENT ON COLUMN core.fact_target.is_total_row IS '是否合计行（全市目标）';
COMMENT ON COLUMN core.fact_activity.place IS '地点';
COMMENT ON COLUMN core.fact_activity.remarks IS '备注';
COMMENT ON COLUMN core.fact_activity.file_period IS '所采用清单的报送月份';
COMMENT ON COLUMN core.fact_reserve_project.stage IS '项目阶段';
COMMENT ON COLUMN core.fact_reserve_project.file_period IS '所采用清单的报送月份';

-- Revision 2 (issue 14): where the money comes from, 入库, and the 三企入桂 cohort list.
-- ADD COLUMN IF NOT EXISTS: a warehouse created before revision 2 gets the columns on setup
-- (core is rebuilt from staging on the next run, so the defaults never reach a mart).
ALTER TABLE core.dim_project ADD COLUMN IF NOT EXISTS source_region TEXT;
ALTER TABLE core.dim_project ADD COLUMN IF NOT EXISTS source_class TEXT DEFAULT 'unknown';
ALTER TABLE core.fact_project_period ADD COLUMN IF NOT EXISTS in_library BOOLEAN;
COMMENT ON COLUMN core.dim_project.source_region IS '投资来源（按地名表规范后的原文，如 重庆、广东佛山、香港；空表示未填）';
COMMENT ON COLUMN core.dim_project.source_class IS '投资来源分类（domestic_outside 区外境内/inside_region 区内/foreign 境外/unknown 未填或无法识别）';
COMMENT ON COLUMN core.fact_project_period.in_library IS '该期采用的台账行是否标明已入库（纳入广西投资促进信息管理系统；空表示未填）';

CREATE TABLE IF NOT EXISTS core.fact_cohort (
    year                INTEGER NOT NULL,
    project_id          TEXT,
    project_name        TEXT,
    investor            TEXT,
    signed_date         TEXT,
    contract_investment DECIMAL(20,8),
    territorial_unit    TEXT,
    responsible_unit    TEXT,
    source_file         TEXT,
    source_sheet        TEXT,
    source_row          INTEGER,
    match_keys          TEXT
);
COMMENT ON TABLE core.fact_cohort IS '三企入桂签约项目清单（自治区下达，四率统计口径）：每行对应到的项目';
COMMENT ON COLUMN core.fact_cohort.year IS '清单年度';
COMMENT ON COLUMN core.fact_cohort.project_id IS '对应的项目编号（空表示在各单位台账中找不到）';
COMMENT ON COLUMN core.fact_cohort.project_name IS '清单中的项目名称';
COMMENT ON COLUMN core.fact_cohort.investor IS '清单中的投资方（签约企业）';
COMMENT ON COLUMN core.fact_cohort.signed_date IS '签约时间';
COMMENT ON COLUMN core.fact_cohort.contract_investment IS '合同投资额（亿元）';
COMMENT ON COLUMN core.fact_cohort.territorial_unit IS '属地';
COMMENT ON COLUMN core.fact_cohort.responsible_unit IS '责任单位';
COMMENT ON COLUMN core.fact_cohort.source_file IS '来源文件';
COMMENT ON COLUMN core.fact_cohort.source_sheet IS '来源工作表';
COMMENT ON COLUMN core.fact_cohort.source_row IS '来源行号';
COMMENT ON COLUMN core.fact_cohort.match_keys IS '匹配依据（得分与键）';
