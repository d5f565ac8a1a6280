"""Where cached clones live, and the file lock that keeps two gitsync processes apart.

Layout: ``<root>/repos/<sha256 of the URL>/`` holds ``repo.git`` (a bare clone fetched
incrementally), ``trees/<commit>/`` (read-only exports, reused) and ``lock``. The root is
``$GITSYNC_CACHE_DIR``, else ``$XDG_CACHE_HOME/gitsync``, else ``~/.cache/gitsync``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gitsync.errors import OperationFailedError
from gitsync.source.urls import cache_key, scrub

CACHE_ENV = "GITSYNC_CACHE_DIR"
#: seconds to wait for another gitsync process that is fetching the same repository
LOCK_TIMEOUT = 600.0
_POLL = 0.05


def cache_root() -> Path:
    """The folder all of gitsync's Git caches live under."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # the XDG spec says relative values are invalid and must be ignored
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "gitsync"


@dataclass(frozen=True)
class RepoCache:
    """The cache folders of one repository URL."""

    url: str
    root: Path

    @classmethod
    def for_url(cls, url: str) -> RepoCache:
        return cls(url, cache_root() / "repos" / cache_key(url))

    @property
    def git_dir(self) -> Path:
        return self.root / "repo.git"

    @property
    def trees(self) -> Path:
        return self.root / "trees"

    def tree(self, sha: str) -> Path:
        return self.trees / sha

    @contextmanager
    def lock(self, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
        """Hold the repository's lock (waits for another process holding it)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with file_lock(self.root / "lock", timeout, f"the Git cache of {scrub(self.url)}"):
            yield


@contextmanager
def file_lock(path: Path, timeout: float, what: str) -> Iterator[None]:
    """An exclusive advisory lock on ``path``, released when the block ends (or the process)."""
    with open(path, "a+b") as fh:
        deadline = time.monotonic() + timeout
        while not _try_lock(fh.fileno()):
            if time.monotonic() >= deadline:
                raise OperationFailedError(
                    f"{what} is locked by another gitsync process ({path})",
                    hint="wait for it to finish; if no gitsync is running, delete the lock file")
            time.sleep(_POLL)
        try:
            yield
        finally:
            _unlock(fh.fileno())


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
