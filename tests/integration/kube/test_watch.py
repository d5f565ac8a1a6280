"""Watches: events after a listing, reconnection after dropped streams, 410 reported."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from gitsync.kube import ApiUnavailableError, Cluster, ExpiredError, WatchEvent
from gitsync.model.annotations import TRACKING_LABEL
from gitsync.sandbox.testing import SandboxHandle
from tests.integration.kube.helpers import FAST_RETRY, configmap

CM = ("", "ConfigMap")
SELECTOR = f"{TRACKING_LABEL}=shop"


def take(events: Iterator[WatchEvent], n: int) -> list[tuple[str, str]]:
    out = []
    for event in events:
        out.append((event.type, event.object["metadata"]["name"]))
        if len(out) == n:
            break
    return out


def write_later(cluster: Cluster, *names: str) -> threading.Thread:
    def run() -> None:
        for name in names:
            cluster.apply(configmap(name))
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_watch_from_a_listing_sees_later_changes_only(cluster: Cluster) -> None:
    cluster.apply(configmap("before"))
    cluster.apply(configmap("untracked", app="blog"))
    listing = cluster.list_objects(CM, namespace="default", label_selector=SELECTOR)
    events = cluster.watch(CM, "default", SELECTOR, listing.resource_version, timeout=10)
    writer = write_later(cluster, "after")
    assert take(events, 1) == [("ADDED", "after")]
    writer.join()
    cluster.apply(configmap("after", key="changed"))
    assert take(events, 1) == [("MODIFIED", "after")]


def test_watch_without_version_starts_with_what_exists(cluster: Cluster) -> None:
    cluster.apply(configmap("one"))
    events = cluster.watch(CM, "default", SELECTOR, timeout=10)
    assert take(events, 1) == [("ADDED", "one")]


def test_dropped_streams_are_reopened(sandbox: SandboxHandle, cluster: Cluster) -> None:
    listing = cluster.list_objects(CM, namespace="default")
    rule = sandbox.faults.add(verb="watch", action="drop", times=2)
    events = cluster.watch(CM, "default", SELECTOR, listing.resource_version, timeout=10)
    writer = write_later(cluster, "a", "b")
    assert take(events, 2) == [("ADDED", "a"), ("ADDED", "b")]
    writer.join()
    assert rule.fired == 2


def test_streams_ended_by_the_server_are_resumed_without_repeats(cluster: Cluster) -> None:
    listing = cluster.list_objects(CM, namespace="default")
    cluster.apply(configmap("x"))
    start = time.monotonic()
    # the server ends the first stream after 1 s (timeoutSeconds); the second one resumes
    # after the last version seen, so "x" is not delivered twice
    events = cluster.watch(CM, "default", SELECTOR, listing.resource_version, timeout=1.5)
    assert [(e.type, e.object["metadata"]["name"]) for e in events] == [("ADDED", "x")]
    assert time.monotonic() - start >= 1.5


def test_expired_version_is_reported(sandbox: SandboxHandle, cluster: Cluster) -> None:
    listing = cluster.list_objects(CM, namespace="default")
    cluster.apply(configmap("x"))
    sandbox.compact()
    with pytest.raises(ExpiredError) as info:
        take(cluster.watch(CM, "default", "", listing.resource_version, timeout=5), 1)
    assert info.value.status == 410 and info.value.message.startswith("watch configmaps")


def test_a_stream_that_keeps_dropping_gives_up(sandbox: SandboxHandle,
                                               cluster: Cluster) -> None:
    cluster.discover()
    rule = sandbox.faults.add(verb="watch", action="drop")
    with pytest.raises(ApiUnavailableError, match="watch configmaps"):
        take(cluster.watch(CM, "default", "", timeout=10), 1)
    assert rule.fired >= FAST_RETRY.attempts
