"""jq programs: compiled once, same answers in-process and in the worker, which can be replaced."""

from __future__ import annotations

import pytest

from gitsync.diff.jqrun import JqError, JqPrograms

PROGRAMS = ["del(.a)", "del(.list[] | select(. > 1))", 'del(.m."x.y")']
DOC = {"a": 1, "b": 2, "list": [1, 2, 3], "m": {"x.y": 1, "z": 2}}


@pytest.mark.parametrize("timeout", [5.0, None], ids=["worker", "in-process"])
def test_programs_in_order(timeout: float | None) -> None:
    programs = JqPrograms(PROGRAMS, timeout=timeout)
    try:
        assert programs.run(DOC, [0, 1, 2]) == {"b": 2, "list": [1], "m": {"z": 2}}
        assert programs.run(DOC, [2]) == {**DOC, "m": {"z": 2}}
        assert programs.run(DOC, []) is DOC
    finally:
        programs.close()


def test_dead_worker_is_replaced() -> None:
    programs = JqPrograms(PROGRAMS, timeout=5.0)
    try:
        assert programs.run(DOC, [0]) == {k: v for k, v in DOC.items() if k != "a"}
        worker = programs._worker
        assert worker is not None
        worker.proc.kill()
        worker.proc.wait()
        with pytest.raises(JqError, match="jq worker"):
            programs.run(DOC, [0])
        assert programs.run(DOC, [0])["b"] == 2
        assert programs._worker is not worker
    finally:
        programs.close()
    assert programs._worker is None


def test_compile_error_names_the_program() -> None:
    with pytest.raises(JqError) as info:
        JqPrograms(["del(.a)", "del(.a[)"])
    assert info.value.program == 1
