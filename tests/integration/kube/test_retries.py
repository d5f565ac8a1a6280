"""The choke point under injected faults: what is retried, for how long, and what is not."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from gitsync.errors import EXIT_UNREACHABLE
from gitsync.kube import ApiUnavailableError, Cluster, ConflictError, RetryPolicy, connect
from gitsync.model import ResourceKey
from gitsync.sandbox.testing import SandboxHandle
from tests.integration.kube.helpers import FAST_RETRY, configmap, options

CM = ("", "ConfigMap")


@pytest.fixture
def warm(cluster: Cluster) -> Cluster:
    """The cluster with discovery done, so faults hit only the calls under test."""
    cluster.apply(configmap("settings"))
    return cluster


@pytest.mark.parametrize("status", [503, 500, 429])
def test_transient_errors_are_retried(sandbox: SandboxHandle, warm: Cluster,
                                      status: int) -> None:
    rule = sandbox.faults.add(verb="list", status=status, times=2, retry_after=0)
    before = warm.requests
    assert len(warm.list_tracked("shop", [CM])) == 1
    assert rule.fired == 2 and warm.requests - before == 3


def test_retry_after_is_honoured(sandbox: SandboxHandle, warm: Cluster) -> None:
    sandbox.faults.add(verb="get", status=429, times=1, retry_after=1)
    start = time.monotonic()
    assert warm.get(ResourceKey("", "ConfigMap", "default", "settings")) is not None
    # FAST_RETRY alone would have waited 10 ms
    assert time.monotonic() - start >= 0.95


def test_retry_after_beyond_the_budget_gives_up_at_once(sandbox: SandboxHandle,
                                                        warm: Cluster) -> None:
    sandbox.faults.add(verb="get", status=429, retry_after=60)
    start = time.monotonic()
    with pytest.raises(ApiUnavailableError, match="429"):
        warm.get(ResourceKey("", "ConfigMap", "default", "settings"))
    assert time.monotonic() - start < 1


def test_dropped_connection_is_retried(sandbox: SandboxHandle, warm: Cluster) -> None:
    rule = sandbox.faults.add(verb="list", action="drop", times=1)
    assert len(warm.list_tracked("shop", [CM])) == 1
    assert rule.fired == 1


def test_persistent_500_exhausts_the_attempts(sandbox: SandboxHandle, warm: Cluster) -> None:
    rule = sandbox.faults.add(verb="list", status=500)
    with pytest.raises(ApiUnavailableError) as info:
        warm.list_tracked("shop", [CM])
    assert rule.fired == FAST_RETRY.attempts
    assert info.value.exit_code == EXIT_UNREACHABLE and info.value.status == 500
    assert info.value.message.startswith("list configmaps: the API server answered 500")


def test_persistent_failure_stops_at_the_time_budget(sandbox: SandboxHandle,
                                                     tmp_path: Path) -> None:
    policy = RetryPolicy(attempts=1000, initial=0.05, factor=1.0, max_delay=0.05, budget=0.5,
                         jitter=0.0)
    with connect(kubeconfig=sandbox.kubeconfig, options=options(tmp_path, retry=policy)) as c:
        c.discover()
        sandbox.faults.add(verb="list", action="drop")
        start = time.monotonic()
        with pytest.raises(ApiUnavailableError, match="did not answer: connection"):
            c.list_tracked("shop", [CM])
        assert 0.4 < time.monotonic() - start < 1.5


def test_create_is_not_resent_after_a_possibly_processed_failure(
        sandbox: SandboxHandle, warm: Cluster) -> None:
    # a 500 or a reset after sending may mean the object was created: no blind retry
    rule = sandbox.faults.add(verb="create", status=500, times=1)
    with pytest.raises(ApiUnavailableError):
        warm.create(configmap("hook"))
    assert rule.fired == 1
    # but throttling proves it was not processed: retried
    sandbox.faults.add(verb="create", status=429, times=1, retry_after=0)
    assert warm.create(configmap("hook"))["metadata"]["name"] == "hook"


def test_conflicts_are_not_retried(sandbox: SandboxHandle, warm: Cluster) -> None:
    rule = sandbox.faults.add(verb="patch", status=409, times=1)
    with pytest.raises(ConflictError, match="ConfigMap/default/settings"):
        warm.apply(configmap("settings"))
    assert rule.fired == 1


def test_refused_connection_is_unavailable(tmp_path: Path, sandbox: SandboxHandle) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    config = tmp_path / "dead"
    config.write_text(sandbox.kubeconfig.read_text().replace(
        sandbox.url, f"http://127.0.0.1:{port}"))
    with connect(kubeconfig=config, options=options(tmp_path)) as c, \
            pytest.raises(ApiUnavailableError) as info:
        c.discover()
    assert "connection refused" in info.value.message
    assert f"(after {FAST_RETRY.attempts} attempts in " in info.value.message
