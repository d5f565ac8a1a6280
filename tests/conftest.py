"""Shared fixtures: an in-process sandbox cluster per test (cheap: ~10 ms to start)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gitsync.sandbox.testing import SandboxHandle, running_sandbox


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    """A fresh sandbox with time scale 0 (rollouts and Jobs finish at once)."""
    with running_sandbox(tmp_path) as handle:
        yield handle
