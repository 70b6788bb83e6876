"""Property-based tests: the value parsers never raise and keep amounts exact; matching keys are
stable; the order of ledger rows changes no core table and no mart."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.conform.assets import load_staging
from assets.conform.build import conform
from assets.conform.matching import score_pair
from assets.conform.normalize import normalize, normalizer_for
from assets.ingest.load import ingest
from assets.ingest.values import (
    MAX_AMOUNT_YI,
    cell_text,
    clean_text,
    parse_amount,
    parse_date,
    parse_flag,
    parse_int,
    parse_status,
    parse_units,
)
from assets.marts.build import CoreTables, build_marts
from runtime.reference import Reference
from runtime.rules import load_rules
from runtime.warehouse import Warehouse
from tests.bad_inputs import make_corpus as corpus
from tests.pipeline import dropfolder

REF = Reference.load()
CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-10**40, max_value=10**40),
    st.floats(), st.decimals(), st.text(), st.text(alphabet="0123456789.,-+万亿元约 ()（）eE"),
    st.datetimes(), st.dates(), st.times(), st.timedeltas(),
)
UNITS = st.sampled_from([None, "亿", "万", "元"])


@settings(max_examples=400, deadline=None)
@given(CELLS, UNITS)
def test_value_parsers_never_raise(raw, unit):
    for parsed in (parse_amount(raw, unit), parse_int(raw), parse_date(raw), parse_flag(raw),
                   parse_status(raw, REF), parse_units(raw, REF)):
        assert parsed.problem is None or parsed.problem.message  # a Chinese sentence
    cell_text(raw)
    clean_text(raw)


@settings(max_examples=300, deadline=None)
@given(CELLS, UNITS)
def test_amounts_fit_the_warehouse_column(raw, unit):
    value = parse_amount(raw, unit).value
    if value is not None:
        assert isinstance(value, Decimal) and value.is_finite() and abs(value) < MAX_AMOUNT_YI


_AMOUNTS = st.decimals(min_value=Decimal("-99999999"), max_value=Decimal("99999999"),
                       places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(_AMOUNTS)
def test_amounts_are_exact(value):
    assert parse_amount(str(value)).value == value
    assert parse_amount(f"{value}亿元").value == value
    assert parse_amount(f"{value}万", "亿").value == value.scaleb(-4)
    assert parse_amount(str(value), "万").value == value.scaleb(-4)
    assert parse_amount(value).value == value
    if value >= 0:
        assert parse_amount(f"{value:,}").value == value  # thousands separators


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e11, max_value=1e11, allow_nan=False))
def test_float_cells_are_read_through_repr(number):
    assert parse_amount(number).value == Decimal(repr(number))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_text_is_idempotent(text):
    once = clean_text(text)
    assert once is None or clean_text(once) == once


_PARTS = st.sampled_from(["柳州", "鹿寨县", "岭南药业", "中药生产基地", "项目", "一期", "二期", "（柳州）",
                          "有限公司", "新材料", "产业园", "标准厂房", " ", "(", ")", "1", "2",
                          "深圳", "银河化工", "柳州市", "螺蛳粉"])
_NAMES = st.one_of(st.lists(_PARTS, max_size=6).map("".join), st.text(max_size=20))


@settings(max_examples=400, deadline=None)
@given(_NAMES)
def test_normalisation_is_idempotent(name):
    key = normalize(name)
    assert normalize(key) == key
    core, region = normalizer_for().investor_key(name)
    assert normalizer_for().investor_key(core)[0] == core


@settings(max_examples=400, deadline=None)
@given(_NAMES, _NAMES, _NAMES, _NAMES)
def test_score_pair_is_symmetric(name_a, inv_a, name_b, inv_b):
    inv = normalizer_for().investor_key
    keys_a = (normalize(name_a), "@".join(inv(inv_a)).rstrip("@"))
    keys_b = (normalize(name_b), "@".join(inv(inv_b)).rstrip("@"))
    ab, ba = score_pair(*keys_a, *keys_b), score_pair(*keys_b, *keys_a)
    assert ab.score == ba.score and ab.veto == ba.veto
    assert ab.name_sim == ba.name_sim and ab.investor_sim == ba.investor_sim
    assert 0.0 <= ab.score <= 1.0


# ------------------------------------------------------------------------- order independence


@pytest.fixture(scope="module")
def staging(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """The staging tables of a small world: the hand-made drop folder plus the bad inputs."""
    tmp = tmp_path_factory.mktemp("world")
    root = corpus.build(tmp / "corpus", symlinks=False)
    dropfolder.ledger(root / "2021-02" / "市工信局补充.xlsx", "市工信局", "2021-02",
                      [["汽车零部件", "岭南药业柳州中药生产基地项目", "岭南中药饮片公司", 12, 1.2,
                        None, "2021年1月", "已签约", "是", "柳南区"]])
    wh = Warehouse(f"duckdb:///{tmp / 'w.duckdb'}")
    wh.create_schema()
    ingest(wh, Path(root))
    frames = load_staging(wh)
    wh.dispose()
    return frames


def _core_and_marts(staging: dict[str, pd.DataFrame], seed: int | None) -> dict:
    frames = {k: v.copy() for k, v in staging.items()}
    if seed is not None:
        rng = random.Random(seed)
        for name in ("ledger", "files", "targets"):
            order = list(range(len(frames[name])))
            rng.shuffle(order)
            frames[name] = frames[name].iloc[order].reset_index(drop=True)
    files = frames["files"]
    periods = sorted(m for m in files.loc[files.status == "loaded", "folder_month"].unique()
                     if m != "targets")
    result = conform(frames["ledger"], frames["activities"], frames["reserve"],
                     frames["targets"], files, REF, periods)
    core = CoreTables(units=result.dim_unit, projects=result.dim_project, bridge=result.bridge,
                      facts=result.fact_project_period, targets=result.fact_target,
                      activities=result.fact_activity, reserve=result.fact_reserve_project)
    out = {f"core.{k}": getattr(result, k) for k in (
        "dim_project", "bridge", "fact_project_period", "fact_target")}
    out["findings"] = pd.DataFrame([f.as_row() for f in result.findings])
    for period in periods:
        for name, df in build_marts(core, period, load_rules()).items():
            out[f"marts.{name}@{period}"] = df
    return {k: _canonical(v) for k, v in out.items()}


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    df = df.astype(str)
    if not len(df):
        return df
    key = df.apply("|".join, axis=1)
    return df.iloc[key.argsort(kind="stable")].reset_index(drop=True)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=2**32))
def test_row_order_changes_no_core_table_nor_mart(staging, seed):
    assert len(staging["ledger"]) > 10
    baseline = _core_and_marts(staging, None)
    shuffled = _core_and_marts(staging, seed)
    assert baseline.keys() == shuffled.keys()
    for name in baseline:
        pd.testing.assert_frame_equal(baseline[name], shuffled[name], obj=name)


def test_dates_far_away_are_problems_not_values():
    for raw in (dt.datetime(1900, 1, 1), dt.datetime(2999, 12, 31), "2999年12月", 1.0, 2958465):
        parsed = parse_date(raw)
        assert parsed.value is None and parsed.problem is not None, raw
