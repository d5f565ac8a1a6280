"""The official kubernetes Python client against the sandbox: typed, dynamic, SSA, watch."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException

from gitsync.sandbox.testing import SandboxHandle

pytestmark = pytest.mark.fidelity


def deployment(name: str, replicas: int = 2, image: str = "nginx:1.27",
               labels: dict[str, str] | None = None) -> dict[str, Any]:
    labels = labels or {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": image,
                                         "ports": [{"containerPort": 80}]}]},
            },
        },
    }


@pytest.fixture
def api(sandbox: SandboxHandle) -> Iterator[client.ApiClient]:
    with config.new_client_from_config(str(sandbox.kubeconfig)) as c:
        yield c


def test_typed_create_get_list_with_selectors(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    for i, tier in enumerate(["web", "web", "db"]):
        core.create_namespaced_config_map("default", {
            "metadata": {"name": f"cm-{i}", "labels": {"tier": tier, "idx": str(i)}},
            "data": {"k": str(i)}})
    got = core.read_namespaced_config_map("cm-1", "default")
    assert got.data == {"k": "1"}
    assert got.metadata.uid and got.metadata.resource_version and got.metadata.creation_timestamp

    def names(**kw: Any) -> list[str]:
        items = core.list_namespaced_config_map("default", **kw).items
        return sorted(i.metadata.name for i in items if i.metadata.name.startswith("cm-"))

    assert names(label_selector="tier=web") == ["cm-0", "cm-1"]
    assert names(label_selector="tier!=web") == ["cm-2"]
    assert names(label_selector="tier in (db,cache)") == ["cm-2"]
    assert names(label_selector="tier notin (db),idx") == ["cm-0", "cm-1"]
    assert names(label_selector="!tier") == []
    assert names(field_selector="metadata.name=cm-2") == ["cm-2"]
    assert names(field_selector="metadata.name!=cm-2", label_selector="tier") == ["cm-0", "cm-1"]


def test_not_found_and_already_exists_are_api_exceptions(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    with pytest.raises(ApiException) as nf:
        core.read_namespaced_config_map("missing", "default")
    assert nf.value.status == 404
    assert '"reason":"NotFound"' in nf.value.body
    core.create_namespaced_config_map("default", {"metadata": {"name": "dup"}})
    with pytest.raises(ApiException) as ae:
        core.create_namespaced_config_map("default", {"metadata": {"name": "dup"}})
    assert ae.value.status == 409
    assert 'configmaps \\"dup\\" already exists' in ae.value.body


def test_namespace_must_exist(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map("nope", {"metadata": {"name": "x"}})
    assert exc.value.status == 404
    assert 'namespaces \\"nope\\" not found' in exc.value.body


def test_stale_update_conflicts(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    cm = core.create_namespaced_config_map("default", {"metadata": {"name": "c"},
                                                       "data": {"a": "1"}})
    cm.data = {"a": "2"}
    core.replace_namespaced_config_map("c", "default", cm)
    cm.data = {"a": "3"}
    with pytest.raises(ApiException) as exc:
        core.replace_namespaced_config_map("c", "default", cm)
    assert exc.value.status == 409
    assert "the object has been modified" in exc.value.body


def test_generation_bumps_on_spec_changes_only(api: client.ApiClient) -> None:
    apps = client.AppsV1Api(api)
    d = apps.create_namespaced_deployment("default", deployment("gen"))
    assert d.metadata.generation == 1
    d = apps.patch_namespaced_deployment("gen", "default",
                                         {"metadata": {"labels": {"extra": "yes"}}})
    assert d.metadata.generation == 1
    d = apps.patch_namespaced_deployment("gen", "default", {"spec": {"replicas": 5}})
    assert d.metadata.generation == 2


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("application/json-patch+json",
         [{"op": "replace", "path": "/spec/replicas", "value": 4}], 4),
        ("application/merge-patch+json", {"spec": {"replicas": 5}}, 5),
        ("application/strategic-merge-patch+json", {"spec": {"replicas": 6}}, 6),
    ],
    ids=["json", "merge", "strategic"],
)
def test_patch_types(api: client.ApiClient, content_type: str, body: Any, expected: int) -> None:
    apps = client.AppsV1Api(api)
    apps.create_namespaced_deployment("default", deployment("p"))
    resp = api.call_api(
        "PATCH", api.configuration.host + "/apis/apps/v1/namespaces/default/deployments/p",
        header_params={"Content-Type": content_type, "Accept": "application/json"},
        body=body)
    resp.read()
    assert resp.status == 200
    out = json.loads(resp.data)
    assert out["spec"]["replicas"] == expected


def test_strategic_patch_merges_containers_by_name(api: client.ApiClient) -> None:
    apps = client.AppsV1Api(api)
    apps.create_namespaced_deployment("default", deployment("smp"))
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "image": "busybox"}]}}}}
    d = apps.patch_namespaced_deployment("smp", "default", patch)
    names = [c.name for c in d.spec.template.spec.containers]
    assert sorted(names) == ["sidecar", "web"]


def _apply(dyn: dynamic.DynamicClient, body: dict[str, Any], manager: str,
           force: bool = False) -> Any:
    res = dyn.resources.get(api_version=body["apiVersion"], kind=body["kind"])
    return res.server_side_apply(body=body, namespace="default", name=body["metadata"]["name"],
                                 field_manager=manager, force_conflicts=force)


def test_server_side_apply_conflict_and_force(api: client.ApiClient) -> None:
    dyn = dynamic.DynamicClient(api)
    _apply(dyn, deployment("ssa", replicas=2), "gitsync")
    # another manager takes spec.replicas, as `kubectl scale` does
    apps = client.AppsV1Api(api)
    apps.patch_namespaced_deployment_scale("ssa", "default", {"spec": {"replicas": 5}},
                                           field_manager="kubectl-scale")
    with pytest.raises(ApiException) as exc:
        _apply(dyn, deployment("ssa", replicas=3), "gitsync")
    assert exc.value.status == 409
    assert 'conflict with \\"kubectl-scale\\"' in exc.value.body
    assert ".spec.replicas" in exc.value.body
    out = _apply(dyn, deployment("ssa", replicas=3), "gitsync", force=True)
    assert out.spec.replicas == 3
    managers = {e.manager for e in out.metadata.managedFields}
    assert "gitsync" in managers


def test_server_side_apply_removes_fields_no_longer_applied(api: client.ApiClient) -> None:
    dyn = dynamic.DynamicClient(api)
    body = deployment("rm")
    body["metadata"]["labels"]["remove-me"] = "x"
    _apply(dyn, body, "gitsync")
    out = _apply(dyn, deployment("rm"), "gitsync")
    assert "remove-me" not in out.metadata.labels


def test_managed_fields_record_scale_manager(api: client.ApiClient) -> None:
    apps = client.AppsV1Api(api)
    apps.create_namespaced_deployment("default", deployment("mf"))
    apps.patch_namespaced_deployment_scale("mf", "default", {"spec": {"replicas": 3}},
                                           field_manager="kubectl-scale")
    d = apps.read_namespaced_deployment("mf", "default")
    scale_entries = [e for e in d.metadata.managed_fields if e.manager == "kubectl-scale"]
    assert scale_entries and scale_entries[0].subresource == "scale"
    assert scale_entries[0].fields_v1 == {"f:spec": {"f:replicas": {}}}


def test_dry_run_writes_nothing(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    out = core.create_namespaced_config_map("default", {"metadata": {"name": "dry"}},
                                            dry_run="All")
    assert out.metadata.name == "dry"
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_config_map("dry", "default")
    assert exc.value.status == 404


def wait_gone(core: client.CoreV1Api, name: str, timeout: int = 5) -> None:
    """Return once ConfigMap ``name`` no longer exists: list, then watch from that version."""
    listed = core.list_namespaced_config_map("default", field_selector=f"metadata.name={name}")
    if not listed.items:
        return
    w = watch.Watch()
    for ev in w.stream(core.list_namespaced_config_map, "default", timeout_seconds=timeout,
                       field_selector=f"metadata.name={name}",
                       resource_version=listed.metadata.resource_version):
        if ev["type"] == "DELETED":
            w.stop()
            return
    raise AssertionError(f"{name} still exists after {timeout} s")


@pytest.mark.parametrize("policy", ["Foreground", "Background", "Orphan"])
def test_delete_with_propagation_policy(api: client.ApiClient, policy: str) -> None:
    core = client.CoreV1Api(api)
    owner = core.create_namespaced_config_map("default", {"metadata": {"name": "owner"}})
    core.create_namespaced_config_map("default", {"metadata": {
        "name": "dependent",
        "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                             "uid": owner.metadata.uid}]}})
    core.delete_namespaced_config_map("owner", "default", propagation_policy=policy)
    wait_gone(core, "owner")
    if policy == "Orphan":
        dep = core.read_namespaced_config_map("dependent", "default")
        assert not dep.metadata.owner_references
    else:
        wait_gone(core, "dependent")


def test_watch_streams_events_from_a_resource_version(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    start_rv = core.list_namespaced_config_map("default").metadata.resource_version
    seen: list[tuple[str, str]] = []

    def consume() -> None:
        w = watch.Watch()
        for ev in w.stream(core.list_namespaced_config_map, "default",
                           resource_version=start_rv, timeout_seconds=5):
            seen.append((ev["type"], ev["object"].metadata.name))
            if len(seen) >= 3:
                w.stop()

    t = threading.Thread(target=consume)
    t.start()
    core.create_namespaced_config_map("default", {"metadata": {"name": "w1"}})
    core.patch_namespaced_config_map("w1", "default", {"data": {"a": "b"}})
    core.delete_namespaced_config_map("w1", "default")
    t.join(10)
    assert [s for s in seen if s[1] == "w1"] == [("ADDED", "w1"), ("MODIFIED", "w1"),
                                                  ("DELETED", "w1")]


def test_watch_from_compacted_version_is_gone(api: client.ApiClient,
                                              sandbox: SandboxHandle) -> None:
    core = client.CoreV1Api(api)
    core.create_namespaced_config_map("default", {"metadata": {"name": "old"}})
    rv = core.list_namespaced_config_map("default").metadata.resource_version
    core.create_namespaced_config_map("default", {"metadata": {"name": "newer"}})
    sandbox.compact()
    with pytest.raises(ApiException) as exc:
        for _ in watch.Watch().stream(core.list_namespaced_config_map, "default",
                                      resource_version=str(int(rv) - 1), timeout_seconds=2):
            pass
    assert exc.value.status == 410


def test_pagination_with_limit_and_continue(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    for i in range(7):
        core.create_namespaced_config_map("default", {"metadata": {"name": f"page-{i}"}})
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = core.list_namespaced_config_map("default", limit=3, _continue=token,
                                               label_selector="")
        seen.extend(i.metadata.name for i in page.items)
        pages += 1
        token = page.metadata._continue
        if not token:
            break
    assert sorted(n for n in seen if n.startswith("page-")) == [f"page-{i}" for i in range(7)]
    assert len(seen) == len(set(seen))
    assert pages >= 3


def test_dynamic_client_discovers_and_lists(api: client.ApiClient) -> None:
    dyn = dynamic.DynamicClient(api)
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    deployments.create(body=deployment("dyn"), namespace="default")
    items = deployments.get(namespace="default", label_selector="app=dyn").items
    assert [i.metadata.name for i in items] == ["dyn"]


def test_custom_resource_definition_serves_custom_objects(api: client.ApiClient) -> None:
    ext = client.ApiextensionsV1Api(api)
    ext.create_custom_resource_definition({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                           "shortNames": ["wd"]},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "subresources": {"status": {}},
                               "schema": {"openAPIV3Schema": {
                                   "type": "object",
                                   "properties": {"spec": {
                                       "type": "object",
                                       "properties": {
                                           "size": {"type": "integer", "default": 3},
                                           "tags": {"type": "array",
                                                    "x-kubernetes-list-type": "set",
                                                    "items": {"type": "string"}}}}}}}}]}})
    custom = client.CustomObjectsApi(api)
    custom.create_namespaced_custom_object("example.com", "v1", "default", "widgets", {
        "apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"tags": ["a"]}})
    got = custom.get_namespaced_custom_object("example.com", "v1", "default", "widgets", "w")
    assert got["spec"]["tags"] == ["a"]
    assert got["spec"]["size"] == 3
    assert got["metadata"]["generation"] == 1
    dyn = dynamic.DynamicClient(api)
    widgets = dyn.resources.get(api_version="example.com/v1", kind="Widget")
    assert widgets.namespaced
