"""Fixtures of the history tests: Clusters on the sandbox, with quick retries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from gitsync.kube import Cluster, connect
from gitsync.sandbox.testing import SandboxHandle
from tests.integration.kube.helpers import options


@pytest.fixture
def connect_cluster(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[Callable[[], Cluster]]:
    """Open another connection to the sandbox (each writer gets its own, as two processes)."""
    with ExitStack() as stack:
        def open_one() -> Cluster:
            return stack.enter_context(connect(kubeconfig=sandbox.kubeconfig,
                                               options=options(tmp_path)))
        yield open_one


@pytest.fixture
def cluster(connect_cluster: Callable[[], Cluster]) -> Cluster:
    return connect_cluster()
