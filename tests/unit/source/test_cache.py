"""The cache location and the lock that keeps gitsync processes apart."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gitsync.errors import OperationFailedError
from gitsync.source.cache import RepoCache, cache_root, file_lock
from gitsync.source.urls import cache_key


def test_cache_root_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITSYNC_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_root() == tmp_path / "home" / ".cache" / "gitsync"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert cache_root() == tmp_path / "home" / ".cache" / "gitsync"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "gitsync"
    monkeypatch.setenv("GITSYNC_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"


def test_repo_cache_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITSYNC_CACHE_DIR", str(tmp_path))
    cache = RepoCache.for_url("https://h/r")
    assert cache.root == tmp_path / "repos" / cache_key("https://h/r")
    assert cache.git_dir == cache.root / "repo.git"
    assert cache.tree("ab" * 20) == cache.root / "trees" / ("ab" * 20)


def test_lock_excludes_a_second_holder_until_released(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    order: list[str] = []
    with file_lock(lock, 5, "cache"):
        waiter = threading.Thread(target=lambda: _take(lock, order))
        waiter.start()
        waiter.join(0.3)
        order.append("first released")
    waiter.join(5)
    assert order == ["first released", "second acquired"]


def _take(lock: Path, order: list[str]) -> None:
    with file_lock(lock, 5, "cache"):
        order.append("second acquired")


def test_lock_held_by_another_process_times_out(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys, time\n"
         f"f = open({str(lock)!r}, 'a+b'); fcntl.flock(f, fcntl.LOCK_EX)\n"
         "print('held', flush=True); time.sleep(30)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(OperationFailedError) as info, file_lock(lock, 0.2, "the Git cache"):
            pass
        assert info.value.message == (f"the Git cache is locked by another gitsync process "
                                      f"({lock})")
    finally:
        holder.kill()
        holder.wait()
