"""The sample generator leaves no process behind: with lxml installed it writes workbooks in an
ElementTree worker process, which must be stopped when `generate` returns; a multiprocessing
child (the load generator's workers, mutmut's) otherwise waits for it at exit, for ever."""

from __future__ import annotations

import multiprocessing

from openpyxl import LXML


def _generate(folder: str) -> None:
    from tests.samplegen import generate

    generate(folder + "/out", folder + "/truth", units=["柳南区", "柳江区"], months=["2022-01"])


def test_a_child_process_that_generates_samples_ends(tmp_path):
    assert LXML, "lxml (installed with python-docx) is what starts the worker"
    child = multiprocessing.get_context("fork").Process(target=_generate, args=(str(tmp_path),))
    child.start()
    child.join(120)
    try:
        assert not child.is_alive(), "the child still waits for the sample writer's worker"
        assert child.exitcode == 0
        assert any((tmp_path / "out").rglob("*.xlsx"))
    finally:
        if child.is_alive():
            child.kill()
