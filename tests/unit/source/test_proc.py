"""Renderer subprocesses: stderr summaries, failures and timeouts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gitsync.errors import InvalidInputError, OperationFailedError
from gitsync.source.proc import run, summarise


def test_summarise_keeps_first_lines_and_scrubs() -> None:
    err = ("\nE1127 08:23:34.151686    3237 run.go:72] boom\n  second  \n"
           "fatal: https://u:p@h/r\nfourth\n")
    assert summarise(err) == "boom | second | fatal: https://h/r"
    assert summarise("x" * 1000).endswith("…")
    assert len(summarise("x" * 1000)) == 600


def test_run_returns_stdout(tmp_path: Path) -> None:
    assert run([sys.executable, "-c", "print('ok')"], cwd=tmp_path, what="probe") == "ok\n"


def test_run_failure_quotes_stderr(tmp_path: Path) -> None:
    code = "import sys; sys.stderr.write('Error: bad chart\\nmore detail\\n'); sys.exit(3)"
    with pytest.raises(InvalidInputError) as info:
        run([sys.executable, "-c", code], cwd=tmp_path, what="helm template app")
    assert info.value.message == "helm template app failed: Error: bad chart | more detail"


def test_run_failure_without_stderr(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as info:
        run([sys.executable, "-c", "raise SystemExit(4)"], cwd=tmp_path, what="x")
    assert info.value.message == "x failed: exit status 4"


def test_run_timeout(tmp_path: Path) -> None:
    with pytest.raises(OperationFailedError) as info:
        run([sys.executable, "-c", "import time; time.sleep(10)"], cwd=tmp_path, what="slow",
            timeout=0.3)
    assert info.value.message == "slow timed out after 0.3 s"


def test_missing_binary(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as info:
        run([str(tmp_path / "nope")], cwd=tmp_path, what="x")
    assert info.value.message == f"x: cannot run {tmp_path / 'nope'}: No such file or directory"
