"""Fixtures of the kube adapter's tests: a Cluster on the sandbox, with quick retries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gitsync.kube import Cluster, connect
from gitsync.sandbox.testing import SandboxHandle
from tests.integration.kube.helpers import options


@pytest.fixture
def cluster(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[Cluster]:
    """A Cluster for the sandbox's context, its discovery cached under ``tmp_path``."""
    with connect(kubeconfig=sandbox.kubeconfig, options=options(tmp_path)) as c:
        yield c
