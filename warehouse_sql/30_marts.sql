-- marts: one set of rows per period, replaced atomically by each run (contract columns first).
CREATE TABLE IF NOT EXISTS marts.target_progress (
    period TEXT NOT NULL, year INTEGER NOT NULL, unit_name TEXT NOT NULL, unit_type TEXT,
    indicator TEXT NOT NULL, target DECIMAL(20,8), actual DECIMAL(20,8),
    completion_rate DOUBLE PRECISION, time_progress DOUBLE PRECISION, on_schedule BOOLEAN,
    detail TEXT
);
CREATE TABLE IF NOT EXISTS marts.city_summary (
    period TEXT NOT NULL, indicator TEXT NOT NULL, target DECIMAL(20,8), actual DECIMAL(20,8),
    year INTEGER, completion_rate DOUBLE PRECISION, time_progress DOUBLE PRECISION,
    on_schedule BOOLEAN, detail TEXT
);
CREATE TABLE IF NOT EXISTS marts.four_rates (
    period TEXT NOT NULL, unit_name TEXT NOT NULL, signed_projects INTEGER,
    performing_projects INTEGER, started_projects INTEGER, completed_projects INTEGER,
    contract_investment DECIMAL(20,8), funds_cumulative DECIMAL(20,8),
    performance_rate DOUBLE PRECISION, funds_rate DOUBLE PRECISION,
    start_rate DOUBLE PRECISION, completion_rate DOUBLE PRECISION,
    performance_rate_increment DOUBLE PRECISION, funds_rate_increment DOUBLE PRECISION,
    start_rate_increment DOUBLE PRECISION, completion_rate_increment DOUBLE PRECISION,
    year INTEGER, unit_type TEXT
);
CREATE TABLE IF NOT EXISTS marts.red_black_list (
    period TEXT NOT NULL, list_group TEXT, unit_name TEXT NOT NULL, score DOUBLE PRECISION,
    rank INTEGER, list TEXT, reasons TEXT,
    year INTEGER, unit_type TEXT, gate_indicator TEXT, gate_completion DOUBLE PRECISION,
    time_progress DOUBLE PRECISION, is_list_period BOOLEAN,
    funds_points DOUBLE PRECISION, projects_points DOUBLE PRECISION,
    major_projects_points DOUBLE PRECISION, four_rates_points DOUBLE PRECISION
);
CREATE TABLE IF NOT EXISTS marts.performance_assessment (
    period TEXT NOT NULL, year INTEGER NOT NULL, unit_name TEXT NOT NULL, unit_type TEXT,
    item TEXT NOT NULL, score DOUBLE PRECISION, max_score DOUBLE PRECISION, detail TEXT,
    completion_rate DOUBLE PRECISION, rank INTEGER, grade TEXT
);
-- revision 2: warehouses created before rank/grade existed get the columns
ALTER TABLE marts.performance_assessment ADD COLUMN IF NOT EXISTS rank INTEGER;
ALTER TABLE marts.performance_assessment ADD COLUMN IF NOT EXISTS grade TEXT;

COMMENT ON TABLE marts.target_progress IS '目标任务完成进度（按期、单位、指标，年初至今）';
COMMENT ON COLUMN marts.target_progress.period IS '统计期';
COMMENT ON COLUMN marts.target_progress.year IS '年度';
COMMENT ON COLUMN marts.target_progress.unit_name IS '单位';
COMMENT ON COLUMN marts.target_progress.unit_type IS '单位类型';
COMMENT ON COLUMN marts.target_progress.indicator IS '指标（{indicators}）';
COMMENT ON COLUMN marts.target_progress.target IS '年度目标';
COMMENT ON COLUMN marts.target_progress.actual IS '完成值';
COMMENT ON COLUMN marts.target_progress.completion_rate IS '完成率';
COMMENT ON COLUMN marts.target_progress.time_progress IS '序时进度';
COMMENT ON COLUMN marts.target_progress.on_schedule IS '是否达到序时进度';
COMMENT ON COLUMN marts.target_progress.detail IS '计算说明';
COMMENT ON TABLE marts.city_summary IS '全市汇总（每个项目只计一次，按属地）';
COMMENT ON COLUMN marts.city_summary.period IS '统计期';
COMMENT ON COLUMN marts.city_summary.indicator IS '指标（{indicators}）';
COMMENT ON COLUMN marts.city_summary.target IS '全市目标';
COMMENT ON COLUMN marts.city_summary.actual IS '全市完成值';
COMMENT ON COLUMN marts.city_summary.year IS '年度';
COMMENT ON COLUMN marts.city_summary.completion_rate IS '完成率';
COMMENT ON COLUMN marts.city_summary.time_progress IS '序时进度';
COMMENT ON COLUMN marts.city_summary.on_schedule IS '是否达到序时进度';
COMMENT ON COLUMN marts.city_summary.detail IS '计算说明';
COMMENT ON TABLE marts.four_rates IS '三企入桂签约项目“四率”';
COMMENT ON COLUMN marts.four_rates.period IS '统计期';
COMMENT ON COLUMN marts.four_rates.unit_name IS '单位';
COMMENT ON COLUMN marts.four_rates.signed_projects IS '签约项目数';
COMMENT ON COLUMN marts.four_rates.performing_projects IS '履约项目数';
COMMENT ON COLUMN marts.four_rates.started_projects IS '开工项目数';
COMMENT ON COLUMN marts.four_rates.completed_projects IS '竣工投产项目数';
COMMENT ON COLUMN marts.four_rates.contract_investment IS '签约投资总额（亿元）';
COMMENT ON COLUMN marts.four_rates.funds_cumulative IS '累计到位资金（亿元）';
COMMENT ON COLUMN marts.four_rates.performance_rate IS '协议履约率';
COMMENT ON COLUMN marts.four_rates.funds_rate IS '资金到位率';
COMMENT ON COLUMN marts.four_rates.start_rate IS '项目开工率';
COMMENT ON COLUMN marts.four_rates.completion_rate IS '竣工投产率';
COMMENT ON COLUMN marts.four_rates.performance_rate_increment IS '协议履约率增量（较上年12月）';
COMMENT ON COLUMN marts.four_rates.funds_rate_increment IS '资金到位率增量（较上年12月）';
COMMENT ON COLUMN marts.four_rates.start_rate_increment IS '项目开工率增量（较上年12月）';
COMMENT ON COLUMN marts.four_rates.completion_rate_increment IS '竣工投产率增量（较上年12月）';
COMMENT ON COLUMN marts.four_rates.year IS '年度';
COMMENT ON COLUMN marts.four_rates.unit_type IS '单位类型';
COMMENT ON TABLE marts.red_black_list IS '红黑榜';
COMMENT ON COLUMN marts.red_black_list.period IS '统计期';
COMMENT ON COLUMN marts.red_black_list.list_group IS '排名组';
COMMENT ON COLUMN marts.red_black_list.unit_name IS '单位';
COMMENT ON COLUMN marts.red_black_list.score IS '综合得分（0-100）';
COMMENT ON COLUMN marts.red_black_list.rank IS '组内排名';
COMMENT ON COLUMN marts.red_black_list.list IS '榜单（red 红榜/black 黑榜）';
COMMENT ON COLUMN marts.red_black_list.reasons IS '上榜理由';
COMMENT ON COLUMN marts.red_black_list.year IS '年度';
COMMENT ON COLUMN marts.red_black_list.unit_type IS '单位类型';
COMMENT ON COLUMN marts.red_black_list.gate_indicator IS '门槛指标';
COMMENT ON COLUMN marts.red_black_list.gate_completion IS '门槛指标完成率';
COMMENT ON COLUMN marts.red_black_list.time_progress IS '序时进度';
COMMENT ON COLUMN marts.red_black_list.is_list_period IS '是否发榜期';
COMMENT ON COLUMN marts.red_black_list.funds_points IS '到位资金得分';
COMMENT ON COLUMN marts.red_black_list.projects_points IS '新引进项目得分';
COMMENT ON COLUMN marts.red_black_list.major_projects_points IS '重大项目得分';
COMMENT ON COLUMN marts.red_black_list.four_rates_points IS '四率得分';
COMMENT ON TABLE marts.performance_assessment IS '绩效考评（年初至今，12月为全年结果）';
COMMENT ON COLUMN marts.performance_assessment.period IS '统计期';
COMMENT ON COLUMN marts.performance_assessment.year IS '年度';
COMMENT ON COLUMN marts.performance_assessment.unit_name IS '单位';
COMMENT ON COLUMN marts.performance_assessment.unit_type IS '单位类型';
COMMENT ON COLUMN marts.performance_assessment.item IS '考评项目';
COMMENT ON COLUMN marts.performance_assessment.score IS '得分';
COMMENT ON COLUMN marts.performance_assessment.max_score IS '满分';
COMMENT ON COLUMN marts.performance_assessment.detail IS '计分说明';
COMMENT ON COLUMN marts.performance_assessment.completion_rate IS '完成率（按完成比例计分的项目）';

-- revision 2 (rev2-marts): year-on-year city figures; the 四率 baseline each row used
ALTER TABLE marts.city_summary ADD COLUMN IF NOT EXISTS actual_last_year DECIMAL(20,8);
ALTER TABLE marts.city_summary ADD COLUMN IF NOT EXISTS yoy_change DOUBLE PRECISION;
ALTER TABLE marts.four_rates ADD COLUMN IF NOT EXISTS baseline_source TEXT;
ALTER TABLE marts.four_rates ADD COLUMN IF NOT EXISTS detail TEXT;
COMMENT ON COLUMN marts.city_summary.actual_last_year IS '上年同期完成值（上年同月数据未载入时为空）';
COMMENT ON COLUMN marts.city_summary.yoy_change IS '同比增长率（较上年同期；上年同期为空或为0时为空）';
COMMENT ON COLUMN marts.four_rates.baseline_source IS '四率基数来源（file 基数文件 / december 上年12月数据 / none 无基数）';
COMMENT ON COLUMN marts.four_rates.detail IS '计算说明（基数来源及基数值）';
COMMENT ON COLUMN marts.performance_assessment.rank IS '组内排名（仅合计行，按合计得分，同分并列）';
COMMENT ON COLUMN marts.performance_assessment.grade IS '考评等次（仅合计行：优秀/良好/合格/不合格）';

-- revision 2 (duty): reporting duty — who owed which submission for which month, and when it came
CREATE TABLE IF NOT EXISTS marts.submission_status (
    period TEXT NOT NULL, unit_name TEXT NOT NULL, unit_type TEXT, kind TEXT NOT NULL,
    deadline DATE NOT NULL, received_at TIMESTAMP, status TEXT NOT NULL, source_file TEXT,
    year INTEGER, detail TEXT
);
COMMENT ON TABLE marts.submission_status IS '报送情况：每个有报送责任的单位每月每类材料是否按时报送（以该月该类第一份文件为准）';
COMMENT ON COLUMN marts.submission_status.period IS '所报月份';
COMMENT ON COLUMN marts.submission_status.unit_name IS '单位';
COMMENT ON COLUMN marts.submission_status.unit_type IS '单位类型';
COMMENT ON COLUMN marts.submission_status.kind IS '材料类型（project_ledger 项目台账 / activity_ledger 招商活动台账）';
COMMENT ON COLUMN marts.submission_status.deadline IS '截止日期（当日24时前为按时，见报送责任表）';
COMMENT ON COLUMN marts.submission_status.received_at IS '收到时间（北京时间：文件修改时间，且不晚于流水线首次登记时间）';
COMMENT ON COLUMN marts.submission_status.status IS '状态（on_time 按时 / late 迟报 / missing 缺报 / not_due 未到截止日）';
COMMENT ON COLUMN marts.submission_status.source_file IS '该月该类第一份文件（相对报送目录的路径）';
COMMENT ON COLUMN marts.submission_status.year IS '年度';
COMMENT ON COLUMN marts.submission_status.detail IS '说明';
