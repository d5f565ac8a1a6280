"""Writes: server-side apply with conflicts and force, dry runs, create, replace, delete."""

from __future__ import annotations

from typing import Any

import pytest

from gitsync.kube import (
    AlreadyExistsError,
    Cluster,
    ConflictError,
    FieldConflict,
    InvalidObjectError,
    UnknownKindError,
)
from gitsync.kube.errors import field_conflicts
from gitsync.model import ResourceKey
from tests.integration.kube.helpers import configmap, eventually

CM_KEY = ResourceKey("", "ConfigMap", "default", "settings")


def deployment(name: str = "web", replicas: int = 2) -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "web", "image": "nginx:1.27"}]}}}}


def managers(obj: dict[str, Any]) -> set[str]:
    return {e["manager"] for e in obj["metadata"].get("managedFields") or []}


def test_apply_creates_then_updates_as_gitsync(cluster: Cluster) -> None:
    created = cluster.apply(configmap("settings", key="one"))
    assert created["data"] == {"key": "one"} and managers(created) == {"gitsync"}
    updated = cluster.apply(configmap("settings", key="two"))
    assert updated["data"] == {"key": "two"}
    assert int(updated["metadata"]["resourceVersion"]) > int(
        created["metadata"]["resourceVersion"])


def test_conflict_names_the_other_manager_and_force_takes_over(cluster: Cluster) -> None:
    cluster.apply(configmap("settings", key="theirs"), manager="helm")
    with pytest.raises(ConflictError) as info:
        cluster.apply(configmap("settings", key="ours"), force=False)
    error = info.value
    assert error.conflicts == (FieldConflict("helm", ".data.key"),)
    assert error.key == CM_KEY and error.status == 409
    assert error.message.startswith("ConfigMap/default/settings: 1 field(s) belong")
    assert ".data.key (owned by helm)" in error.message and "force" in error.hint
    forced = cluster.apply(configmap("settings", key="ours"))  # force is the default
    assert forced["data"] == {"key": "ours"}
    live = cluster.get(CM_KEY)
    assert live is not None and live["data"] == {"key": "ours"}


def test_conflict_causes_of_update_managers_are_parsed() -> None:
    status = {"kind": "Status", "details": {"causes": [
        {"reason": "FieldManagerConflict", "field": ".spec.replicas",
         "message": 'conflict with "kubectl-client-side-apply" using apps/v1'},
        {"reason": "FieldManagerConflict", "field": ".data.x",
         "message": 'conflict with "odd \\"name\\"" with subresource "scale"'},
        {"reason": "FieldValueInvalid", "field": ".x", "message": "unrelated"}]}}
    assert field_conflicts(status) == (  # type: ignore[arg-type]
        FieldConflict("kubectl-client-side-apply", ".spec.replicas"),
        FieldConflict('odd "name"', ".data.x"))


def test_dry_run_writes_nothing(cluster: Cluster) -> None:
    preview = cluster.apply(configmap("settings", key="one"), dry_run=True)
    assert preview["data"] == {"key": "one"}
    assert cluster.get(CM_KEY) is None
    cluster.apply(configmap("settings", key="one"))
    assert cluster.apply(configmap("settings", key="two"), dry_run=True)["data"] == {
        "key": "two"}
    assert cluster.create(configmap("other"), dry_run=True)["metadata"]["name"] == "other"
    assert cluster.delete(CM_KEY, dry_run=True) is True
    live = cluster.get(CM_KEY)
    assert live is not None and live["data"] == {"key": "one"}
    assert cluster.get(ResourceKey("", "ConfigMap", "default", "other")) is None


def test_create_and_replace(cluster: Cluster) -> None:
    generated = configmap("")
    del generated["metadata"]["name"]
    generated["metadata"]["generateName"] = "hook-"
    created = cluster.create(generated)
    assert created["metadata"]["name"].startswith("hook-")
    cluster.create(configmap("settings"))
    with pytest.raises(AlreadyExistsError, match="ConfigMap/default/settings: already exists"):
        cluster.create(configmap("settings"))
    live = cluster.get(CM_KEY)
    assert live is not None
    live["data"] = {"replaced": "yes"}
    assert cluster.replace(live)["data"] == {"replaced": "yes"}
    # the resourceVersion read before the replace is stale now: compare-and-swap fails
    with pytest.raises(ConflictError) as info:
        cluster.replace(live)
    assert info.value.conflicts == () and "ConfigMap/default/settings" in info.value.message


def test_invalid_object_names_the_fields(cluster: Cluster) -> None:
    bad = deployment(replicas=-1)
    with pytest.raises(InvalidObjectError) as info:
        cluster.apply(bad)
    assert info.value.message.startswith("Deployment/default/web is invalid: ")
    assert "spec.replicas" in info.value.message
    assert any(c.get("field") == "spec.replicas" for c in info.value.causes)


@pytest.mark.parametrize(("obj", "error", "text"), [
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "default"}},
     InvalidObjectError, "metadata.name is required"),
    ({"kind": "ConfigMap", "metadata": {"name": "x"}}, InvalidObjectError, "apiVersion"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, InvalidObjectError,
     "ConfigMap is namespaced but no namespace was given"),
    ({"apiVersion": "example.com/v1", "kind": "Nope", "metadata": {"name": "x"}},
     UnknownKindError, 'no matches for kind "Nope" in version "example.com/v1"'),
], ids=["no-name", "no-apiversion", "no-namespace", "unknown-kind"])
def test_unusable_objects_fail_before_sending(cluster: Cluster, obj: dict[str, Any],
                                              error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        cluster.apply(obj)


def _replica_sets(cluster: Cluster) -> list[dict[str, Any]]:
    return cluster.list_objects(("apps", "ReplicaSet"), namespace="default").items


@pytest.mark.parametrize("propagation", ["Foreground", "Background", "Orphan"])
def test_delete_with_each_propagation(cluster: Cluster, propagation: Any) -> None:
    key = ResourceKey("apps", "Deployment", "default", "web")
    uid = cluster.apply(deployment())["metadata"]["uid"]
    eventually(lambda: _replica_sets(cluster), what="the ReplicaSet")
    assert cluster.delete(key, propagation=propagation) is True
    if propagation == "Foreground":
        # the owner stays (finalizer foregroundDeletion) until its dependents are gone
        live = cluster.get(key)
        assert live is None or "foregroundDeletion" in live["metadata"]["finalizers"]
    eventually(lambda: cluster.get(key) is None, what="the Deployment to go")
    if propagation == "Orphan":
        orphans = eventually(lambda: [rs for rs in _replica_sets(cluster) if not any(
            ref["uid"] == uid for ref in rs["metadata"].get("ownerReferences") or [])],
            what="the ReplicaSet to be orphaned")
        assert len(orphans) == 1
    else:
        eventually(lambda: not _replica_sets(cluster), what="the ReplicaSet to be collected")
    assert cluster.delete(key, propagation=propagation) is False  # already gone
