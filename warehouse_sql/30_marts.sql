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

-- revision 2 (duty): 季约谈, 预警, the project pipeline and the industry view
CREATE TABLE IF NOT EXISTS marts.interview_list (
    quarter TEXT NOT NULL, period TEXT NOT NULL, list_group TEXT, unit_name TEXT NOT NULL,
    black_list_months INTEGER NOT NULL, gate_completion DOUBLE PRECISION,
    time_progress DOUBLE PRECISION, reasons TEXT NOT NULL, year INTEGER, unit_type TEXT
);
COMMENT ON TABLE marts.interview_list IS '季度约谈名单（季末月份生成）：本季度上黑榜达到规定月数，或季末门槛指标完成率低于序时进度规定比例的单位';
COMMENT ON COLUMN marts.interview_list.quarter IS '季度（如 2022-Q2）';
COMMENT ON COLUMN marts.interview_list.period IS '统计期（季度最后一个月）';
COMMENT ON COLUMN marts.interview_list.list_group IS '排名组';
COMMENT ON COLUMN marts.interview_list.unit_name IS '单位';
COMMENT ON COLUMN marts.interview_list.black_list_months IS '本季度上黑榜的月数';
COMMENT ON COLUMN marts.interview_list.gate_completion IS '季末门槛指标完成率';
COMMENT ON COLUMN marts.interview_list.time_progress IS '序时进度';
COMMENT ON COLUMN marts.interview_list.reasons IS '约谈原因';
COMMENT ON COLUMN marts.interview_list.year IS '年度';
COMMENT ON COLUMN marts.interview_list.unit_type IS '单位类型';
CREATE TABLE IF NOT EXISTS marts.early_warning (
    period TEXT NOT NULL, warning_type TEXT NOT NULL, unit_name TEXT, project_id TEXT,
    project_name TEXT, months INTEGER, message TEXT NOT NULL, year INTEGER
);
COMMENT ON TABLE marts.early_warning IS '预警：签约未开工、签约未到资的项目和完成率落后序时进度的单位（月数与差距见规则文件）';
COMMENT ON COLUMN marts.early_warning.period IS '统计期';
COMMENT ON COLUMN marts.early_warning.warning_type IS '预警类型（signed_not_started 签约未开工 / signed_no_funds 签约未到资 / behind_schedule 落后序时进度）';
COMMENT ON COLUMN marts.early_warning.unit_name IS '单位（项目预警为属地单位，无属地时为牵头单位）';
COMMENT ON COLUMN marts.early_warning.project_id IS '项目编号（单位预警为空）';
COMMENT ON COLUMN marts.early_warning.project_name IS '项目名称（单位预警为空）';
COMMENT ON COLUMN marts.early_warning.months IS '签约至今的月数（单位预警为空）';
COMMENT ON COLUMN marts.early_warning.message IS '预警说明';
COMMENT ON COLUMN marts.early_warning.year IS '年度';
CREATE TABLE IF NOT EXISTS marts.project_pipeline (
    period TEXT NOT NULL, unit_name TEXT NOT NULL, stage TEXT NOT NULL, projects INTEGER NOT NULL,
    total_investment DECIMAL(20,8), funds_this_year DECIMAL(20,8),
    entered_this_period INTEGER NOT NULL, year INTEGER, detail TEXT
);
COMMENT ON TABLE marts.project_pipeline IS '项目推进情况：各单位（及全市，每个项目只计一次）各阶段的项目与资金';
COMMENT ON COLUMN marts.project_pipeline.period IS '统计期';
COMMENT ON COLUMN marts.project_pipeline.unit_name IS '单位';
COMMENT ON COLUMN marts.project_pipeline.stage IS '阶段（在谈、签约、注册、开工、竣工投产、退库）';
COMMENT ON COLUMN marts.project_pipeline.projects IS '项目数';
COMMENT ON COLUMN marts.project_pipeline.total_investment IS '投资总额（亿元）';
COMMENT ON COLUMN marts.project_pipeline.funds_this_year IS '本年到位资金（亿元，本期台账）';
COMMENT ON COLUMN marts.project_pipeline.entered_this_period IS '本月新进入该阶段的项目数';
COMMENT ON COLUMN marts.project_pipeline.year IS '年度';
COMMENT ON COLUMN marts.project_pipeline.detail IS '说明';
CREATE TABLE IF NOT EXISTS marts.industry_summary (
    period TEXT NOT NULL, industry TEXT NOT NULL, chain TEXT, new_projects INTEGER NOT NULL,
    total_investment DECIMAL(20,8), funds_in_place DECIMAL(20,8),
    actual_last_year DECIMAL(20,8), year INTEGER, detail TEXT
);
COMMENT ON TABLE marts.industry_summary IS '分行业汇总：每个项目只计一次（同全市汇总口径）';
COMMENT ON COLUMN marts.industry_summary.period IS '统计期';
COMMENT ON COLUMN marts.industry_summary.industry IS '行业';
COMMENT ON COLUMN marts.industry_summary.chain IS '产业链（该行业项目填报的产业链）';
COMMENT ON COLUMN marts.industry_summary.new_projects IS '本年新引进项目数';
COMMENT ON COLUMN marts.industry_summary.total_investment IS '本年新引进项目投资总额（亿元）';
COMMENT ON COLUMN marts.industry_summary.funds_in_place IS '区外境内到位资金（亿元）';
COMMENT ON COLUMN marts.industry_summary.actual_last_year IS '上年同期区外境内到位资金（亿元，上年同月未载入时为空）';
COMMENT ON COLUMN marts.industry_summary.year IS '年度';
COMMENT ON COLUMN marts.industry_summary.detail IS '说明';
