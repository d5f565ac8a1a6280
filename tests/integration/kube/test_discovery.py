"""Discovery: served types, the on-disk cache (hit, miss, TTL, refresh) and refresh on a miss."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from gitsync.kube import Cluster, UnknownKindError, connect
from gitsync.kube.discovery import cache_file
from gitsync.sandbox.testing import SandboxHandle
from tests.integration.kube.helpers import eventually, options


def crd(group: str = "example.com", kind: str = "Widget") -> dict[str, Any]:
    plural = kind.lower() + "s"
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"kind": kind, "plural": plural, "singular": kind.lower(),
                           "listKind": f"{kind}List"},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {
                                   "type": "object",
                                   "x-kubernetes-preserve-unknown-fields": True}}}]},
    }


def fresh(sandbox: SandboxHandle, tmp_path: Path, **kw: Any) -> Cluster:
    """Another connection sharing the cache dir, as a second gitsync run would."""
    return connect(kubeconfig=sandbox.kubeconfig, options=options(tmp_path, **kw))


def test_types_carry_plural_version_scope_and_verbs(cluster: Cluster) -> None:
    types = cluster.discover()
    deploy = types.get("apps", "Deployment")
    assert deploy is not None
    assert (deploy.plural, deploy.version, deploy.namespaced) == ("deployments", "v1", True)
    assert {"list", "patch", "watch"} <= deploy.verbs
    ns = types.get("", "Namespace")
    assert ns is not None and not ns.namespaced and ns.path(name="a") == "/api/v1/namespaces/a"
    hpa = types.get("autoscaling", "HorizontalPodAutoscaler")
    assert hpa is not None and hpa.version == "v2" and "v1" in hpa.versions
    assert deploy.path("shop", "web") == "/apis/apps/v1/namespaces/shop/deployments/web"


def test_aggregated_discovery_takes_two_requests(cluster: Cluster) -> None:
    cluster.discover()
    assert cluster.requests == 2


def test_cache_hit_miss_ttl_and_refresh(sandbox: SandboxHandle, tmp_path: Path) -> None:
    with fresh(sandbox, tmp_path) as first:
        first.discover()
        assert first.requests == 2  # miss: asked the server
    path = cache_file(tmp_path / "cache", sandbox.url)
    assert path.is_file()
    with fresh(sandbox, tmp_path) as second:
        assert len(second.discover()) > 50
        assert second.requests == 0  # hit: nothing asked
        second.discover(refresh=True)
        assert second.requests == 2  # refresh bypasses the cache
    old = time.time() - 6 * 3600 - 1
    os.utime(path, (old, old))
    with fresh(sandbox, tmp_path) as third:
        third.discover()
        assert third.requests == 2  # older than the 6 h TTL: asked again
    assert path.stat().st_mtime > old + 3600  # and rewritten
    with fresh(sandbox, tmp_path, discovery_ttl=0.0) as no_ttl:
        no_ttl.discover()
        assert no_ttl.requests == 2


def test_broken_cache_is_a_miss(sandbox: SandboxHandle, tmp_path: Path) -> None:
    path = cache_file(tmp_path / "cache", sandbox.url)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    with fresh(sandbox, tmp_path) as cluster:
        assert cluster.resource_type("", "ConfigMap").plural == "configmaps"
        assert cluster.requests == 2


def test_kind_missing_from_the_cache_refreshes_once(sandbox: SandboxHandle,
                                                   tmp_path: Path) -> None:
    path = cache_file(tmp_path / "cache", sandbox.url)
    with fresh(sandbox, tmp_path) as writer:
        writer.discover()
        stale = path.read_bytes()  # what an earlier run cached, before the CRD existed
        writer.apply(crd())
        eventually(lambda: writer.discover(refresh=True).get("example.com", "Widget"),
                   what="the CRD to be served")
    path.write_bytes(stale)
    with fresh(sandbox, tmp_path) as cluster:
        assert cluster.resource_type("", "ConfigMap").plural == "configmaps"
        assert cluster.requests == 0  # served from the cache
        assert cluster.resource_type("example.com", "Widget").plural == "widgets"
        assert cluster.requests == 2  # the miss asked the server again
    with fresh(sandbox, tmp_path) as later:
        later.resource_type("example.com", "Widget")
        assert later.requests == 0  # and the refreshed answer was cached


def test_unknown_kind_refreshes_once_then_fails(sandbox: SandboxHandle,
                                               tmp_path: Path) -> None:
    with fresh(sandbox, tmp_path) as writer:
        writer.discover()
    with fresh(sandbox, tmp_path) as cluster:
        with pytest.raises(UnknownKindError, match='no matches for kind "Nope"'):
            cluster.resource_type("example.com", "Nope")
        assert cluster.requests == 2
        with pytest.raises(UnknownKindError, match='in version "apps/v1beta1"'):
            cluster.resource_type("apps", "Deployment", "v1beta1")
        assert cluster.requests == 2  # refreshed once per connection, not per miss
