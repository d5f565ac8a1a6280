"""Live state: one LIST per type by tracking label, in parallel; GETs only for the rest."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gitsync.kube import Cluster, connect
from gitsync.model import ResourceKey
from gitsync.model.annotations import TRACKING_LABEL
from gitsync.sandbox.testing import SandboxHandle
from tests.integration.kube.helpers import configmap, namespace, options

CM = ("", "ConfigMap")
SECRET = ("", "Secret")
CLUSTER_ROLE = ("rbac.authorization.k8s.io", "ClusterRole")


def secret(name: str, ns: str, app: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": ns, "labels": {TRACKING_LABEL: app}},
            "stringData": {"password": "hunter2"}}


def cluster_role(name: str, app: str) -> dict[str, Any]:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name, "labels": {TRACKING_LABEL: app}}, "rules": []}


def seed(cluster: Cluster) -> None:
    for ns in ("a", "b"):
        cluster.apply(namespace(ns))
    for obj in (configmap("one", "a"), configmap("two", "b"), configmap("other", "a", "blog"),
                configmap("plain", "a", None), secret("pw", "b", "shop"),
                secret("pw", "a", "blog"), cluster_role("reader", "shop")):
        cluster.apply(obj)


def test_list_tracked_spans_kinds_and_namespaces(cluster: Cluster) -> None:
    seed(cluster)
    before = cluster.requests
    live = cluster.list_tracked("shop", [CM, SECRET, CLUSTER_ROLE, ("apps", "Deployment"),
                                         ("example.com", "NotServed")])
    assert sorted(live) == [
        ResourceKey("", "ConfigMap", "a", "one"), ResourceKey("", "ConfigMap", "b", "two"),
        ResourceKey("", "Secret", "b", "pw"),
        ResourceKey("rbac.authorization.k8s.io", "ClusterRole", "", "reader"),
    ]
    # one LIST per served type; discovery was fetched in this run, so the kind it does not
    # know is skipped without asking again
    assert cluster.requests - before == 4
    role = live[ResourceKey("rbac.authorization.k8s.io", "ClusterRole", "", "reader")]
    # list items come back whole, with the apiVersion and kind the API leaves out of items
    assert (role["apiVersion"], role["kind"]) == ("rbac.authorization.k8s.io/v1", "ClusterRole")
    assert live[ResourceKey("", "ConfigMap", "a", "one")]["data"] == {"key": "value"}


def test_list_namespace_finds_untracked_objects(cluster: Cluster) -> None:
    seed(cluster)
    live = cluster.list_namespace("a", [CM, SECRET, CLUSTER_ROLE])
    assert {k.name for k in live if k.kind == "ConfigMap"} >= {"one", "other", "plain"}
    assert ResourceKey("", "Secret", "a", "pw") in live
    assert all(k.namespace == "a" for k in live)  # cluster-scoped kinds are skipped


def test_get_and_get_many(cluster: Cluster) -> None:
    seed(cluster)
    one = ResourceKey("", "ConfigMap", "a", "one")
    reader = ResourceKey("rbac.authorization.k8s.io", "ClusterRole", "", "reader")
    missing = ResourceKey("", "ConfigMap", "a", "missing")
    no_ns = ResourceKey("", "ConfigMap", "nowhere", "x")
    got = cluster.get(one)
    assert got is not None and got["metadata"]["name"] == "one"
    assert cluster.get(missing) is None
    before = cluster.requests
    found = cluster.get_many([one, reader, missing, no_ns, one])
    assert sorted(found) == [one, reader]
    assert cluster.requests - before == 4  # one GET per distinct key


def test_lists_page_through_large_collections(sandbox: SandboxHandle, tmp_path: Path) -> None:
    with connect(kubeconfig=sandbox.kubeconfig, options=options(tmp_path, page_size=2)) as c:
        for i in range(5):
            c.apply(configmap(f"cm{i}"))
        c.discover()
        before = c.requests
        live = c.list_tracked("shop", [CM])
        assert sorted(k.name for k in live) == [f"cm{i}" for i in range(5)]
        assert c.requests - before == 3  # pages of 2, 2 and 1
        listing = c.list_objects(CM, namespace="default", label_selector=f"{TRACKING_LABEL}=shop")
        assert len(listing.items) == 5 and int(listing.resource_version) > 0


TEN_KINDS: list[tuple[str, str, dict[str, Any]]] = [
    ("v1", "ConfigMap", {"data": {"k": "v"}}),
    ("v1", "Secret", {"stringData": {"k": "v"}}),
    ("v1", "ServiceAccount", {}),
    ("rbac.authorization.k8s.io/v1", "Role", {"rules": []}),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", {"roleRef": {
        "apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"}}),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", {"rules": []}),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", {"roleRef": {
        "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "r"}}),
    ("coordination.k8s.io/v1", "Lease", {"spec": {}}),
    ("networking.k8s.io/v1", "NetworkPolicy", {"spec": {"podSelector": {}}}),
    ("v1", "ResourceQuota", {"spec": {"hard": {"pods": "10"}}}),
]


def test_a_thousand_objects_in_ten_kinds_take_ten_concurrent_lists(
        sandbox: SandboxHandle, cluster: Cluster) -> None:
    objs = []
    for api_version, kind, body in TEN_KINDS:
        for i in range(100):
            md = {"name": f"{kind.lower()}-{i}", "labels": {TRACKING_LABEL: "big"}}
            if not kind.startswith("Cluster"):
                md["namespace"] = "default"
            objs.append({"apiVersion": api_version, "kind": kind, "metadata": md, **body})
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(cluster.create, objs))
    kinds = [(api_version.rpartition("/")[0], kind) for api_version, kind, _ in TEN_KINDS]
    cluster.discover()
    # every LIST takes 0.3 s longer: ten in a row would take 3 s
    sandbox.faults.add(verb="list", action="delay", delay=0.3)
    before, start = cluster.requests, time.monotonic()
    live = cluster.list_tracked("big", kinds)
    elapsed = time.monotonic() - start
    assert len(live) == 1000
    assert cluster.requests - before == 10
    assert elapsed < 1.5, f"LISTs ran one after another ({elapsed:.2f}s)"
