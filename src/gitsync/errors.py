"""The one exception family of gitsync: each error carries a user message, a hint and an exit code.

The core raises these; only :mod:`gitsync.cli` turns them into output and a process exit status.
"""

from __future__ import annotations

from typing import ClassVar

EXIT_OK = 0
"""Success."""

EXIT_DIFFERENCES = 1
"""``app diff`` found differences between Git and the cluster (as ``kubectl diff``)."""

EXIT_USAGE = 2
"""Invalid input or usage: a bad flag, a malformed manifest, an unknown application."""

EXIT_UNREACHABLE = 11
"""The cluster or the Git remote could not be reached."""

EXIT_OPERATION_FAILED = 20
"""An operation failed: sync or rollback failed, health degraded, a wait timed out."""

EXIT_INTERRUPTED = 130
"""Interrupted by Ctrl-C (128 + SIGINT), as shells report it."""


class GitsyncError(Exception):
    """Base of every error gitsync reports to a user: a message, a hint, an exit code."""

    exit_code: ClassVar[int] = EXIT_OPERATION_FAILED

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(GitsyncError):
    """The command line is wrong: unknown option, bad value, missing argument."""

    exit_code = EXIT_USAGE


class InvalidInputError(GitsyncError):
    """What the user pointed gitsync at is wrong: a file, a manifest, a port already in use."""

    exit_code = EXIT_USAGE


class UnreachableError(GitsyncError):
    """The cluster or Git remote did not answer."""

    exit_code = EXIT_UNREACHABLE


class OperationFailedError(GitsyncError):
    """An operation ran and failed (or timed out)."""

    exit_code = EXIT_OPERATION_FAILED
