"""The one place git runs: through GitPython, with a timeout, no prompts, scrubbed errors."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gitsync.errors import GitsyncError, InvalidInputError
from gitsync.source.proc import summarise

#: never wait for a password nobody will type; credential helpers from the user's config still run
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0"}
#: seconds for commands that talk to a remote (a first clone of a big repository takes a while)
NETWORK_TIMEOUT = 600.0
#: seconds for commands that only touch the cache
LOCAL_TIMEOUT = 300.0


@dataclass(frozen=True)
class GitResult:
    status: int
    out: str
    err: str

    @property
    def ok(self) -> bool:
        return self.status == 0

    @property
    def timed_out(self) -> bool:
        # GitPython replaces stderr with this text when it kills a command at its deadline
        return self.err.startswith("Timeout:")

    def summary(self) -> str:
        return summarise(self.err) or f"git exited with status {self.status}"


def run_git(args: list[str], *, cwd: Path | None = None, timeout: float = LOCAL_TIMEOUT,
            output: BinaryIO | None = None) -> GitResult:
    """Run ``git args`` (stdout into ``output`` when given); never raises for a git failure."""
    try:
        # imported here: GitPython is slow to import and refuses to load without a git binary
        from git.cmd import Git
        from git.exc import GitCommandNotFound
    except ImportError:
        raise InvalidInputError("git is not installed (or not on PATH)",
                                hint="install git; gitsync runs it to fetch "
                                     "repositories") from None
    runner = Git(str(cwd) if cwd else None)
    try:
        result = runner.execute(
            ["git", *args], with_extended_output=True, with_exceptions=False,
            kill_after_timeout=None if sys.platform == "win32" else timeout,
            env=GIT_ENV, output_stream=output)
    except GitCommandNotFound:
        raise InvalidInputError("git is not installed (or not on PATH)") from None
    if not isinstance(result, tuple):  # pragma: no cover - GitPython's documented return shape
        raise GitsyncError(f"unexpected result from git {args[0]}")
    status, out, err = result
    return GitResult(int(status), _text(out), _text(err))


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
