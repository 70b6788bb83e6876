"""The per-project memo (issue 17): a project's findings kept as JSON come back as the same
values, and the digest of a project's inputs changes with any of them."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from assets.conform.project_memo import (
    ProjectMemo,
    decode_findings,
    encode_findings,
    project_digests,
)


def test_findings_come_back_as_the_same_values_and_types():
    rows = [["credit", "territorial_conflict", "说明「引号\"与\\反斜杠」", "2021-01", "柳南区",
             "2021-01/柳南区.xlsx", None, 12, "项目", None, "conform", "f1", "P1"]]
    back = decode_findings(encode_findings(rows))
    assert back == rows
    assert [type(v) for v in back[0]] == [type(v) for v in rows[0]]
    assert encode_findings([]) is None and decode_findings(None) == []
    assert decode_findings(encode_findings([[np.int64(3)]])) == [[3]]


def test_only_unchanged_projects_the_last_build_wrote_are_reused():
    reads = []

    def read_core():
        reads.append(1)
        return {"dim_project": pd.DataFrame({"project_id": ["P1", "P2"]})}

    memo = ProjectMemo("ctx", {"P1": "a", "P2": "b", "P3": "c"}, {}, read_core)
    assert memo.reusable({"P1": "x", "P2": "y"}) == set() and reads == []  # not read: no use
    assert memo.reusable({"P1": "a", "P2": "x", "P3": "c", "P4": "d"}) == {"P1"}
    assert memo.reusable({"P1": "a"}) == {"P1"} and len(reads) == 1  # read once
    memo.release()
    assert memo.reusable({"P1": "a"}) == {"P1"} and len(reads) == 2
    assert ProjectMemo("ctx").reusable({"P1": "a"}) == set()


def _kept() -> pd.DataFrame:
    return pd.DataFrame({
        "project_id": ["P1", "P2", "P1", "P2"],
        "period": ["2021-01", "2021-01", "2021-02", "2021-02"],
        "funds": [Decimal("1.5"), Decimal("2"), Decimal("1.5"), None],
        "unit_name": ["柳南区", "市工信局", "柳南区", "市工信局"],
    })


def test_a_project_digest_changes_with_its_rows_order_explanation_and_context():
    kept = _kept()
    base = project_digests(kept, {"P1": "a"}, "ctx")
    assert set(base) == {"P1", "P2"}

    def changed(k=kept, explain=None, context="ctx") -> set[str]:
        new = project_digests(k, explain if explain is not None else {"P1": "a"}, context)
        return {p for p in base if new.get(p) != base[p]}

    other = kept.copy()
    other.loc[3, "funds"] = Decimal("2")
    assert changed(other) == {"P2"}
    other = kept.copy()
    other.loc[0, "funds"] = Decimal("1.50")  # same value, another text: kept apart
    assert changed(other) == {"P1"}
    assert changed(kept.iloc[[2, 1, 0, 3]]) == {"P1"}  # report order is an input
    assert changed(kept.iloc[[1, 0, 3, 2]]) == set()  # the other projects' rows are not
    assert changed(kept.drop(index=3)) == {"P2"}
    assert changed(explain={"P1": "b"}) == {"P1"}
    assert changed(context="other") == {"P1", "P2"}
    assert project_digests(kept.iloc[0:0], {}, "ctx") == {}
