"""The git runner: results instead of exceptions, and a deadline on every command."""

from __future__ import annotations

import time
from pathlib import Path

from gitsync.source.gitcmd import run_git


def test_success_and_failure_are_results(tmp_path: Path) -> None:
    ok = run_git(["--version"], cwd=tmp_path)
    assert ok.ok and ok.out.startswith("git version")
    bad = run_git(["rev-parse", "--verify", "nope"], cwd=tmp_path)
    assert not bad.ok and not bad.timed_out
    assert bad.summary().startswith("fatal: not a git repository")


def test_a_command_past_its_deadline_is_killed(tmp_path: Path) -> None:
    start = time.monotonic()
    res = run_git(["-c", "alias.slow=!sleep 20", "slow"], cwd=tmp_path, timeout=0.5)
    assert time.monotonic() - start < 10
    assert not res.ok and res.timed_out
    assert "did not complete in 0.5 secs" in res.summary()


def test_prompts_are_disabled(tmp_path: Path) -> None:
    # a credential prompt would hang a CI job until its timeout
    env = run_git(["-c", "alias.p=!printf %s \"$GIT_TERMINAL_PROMPT\"", "p"], cwd=tmp_path)
    assert env.out == "0"
