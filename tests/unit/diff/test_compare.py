"""diff_resource: Git's fields plus gitsync-owned ones compared; defaults and others' fields not."""

from __future__ import annotations

from typing import Any

import pytest

from gitsync.diff.compare import diff_resource
from gitsync.diff.ignore import IgnoreRules
from gitsync.diff.result import DiffStatus, ResourceDiff
from gitsync.diff.schema_keys import SchemaListKeys
from gitsync.model import annotations as ann
from gitsync.model.application import IgnoreDifference

from .conftest import DELETE, DictListKeys, edit, load

C = "spec.template.spec.containers"
WEB = f"{C}[name=web]"
BASE = [
    ("metadata.labels.tier", "removed from Git"),
    ("spec.replicas", "changed in the cluster by kubectl-scale"),
    (f"{WEB}.image", "changed in Git"),
]
# desired edits that make the manifest match the live object
SYNCED = {"spec.replicas": 5, "metadata.labels.tier": "backend", f"{C}.1.image": "shop/web:1.0"}


def run(desired: Any, live: Any, **kwargs: Any) -> ResourceDiff:
    kwargs.setdefault("list_keys", DictListKeys())
    return diff_resource(desired, live, **kwargs)


def summary(diff: ResourceDiff) -> list[tuple[str, str]]:
    return [(c.path, c.reason) for c in diff.changes]


CASES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    ("git-change-cluster-drift-and-removal", {}, BASE),
    ("in-sync-despite-defaults-and-injected-sidecar", SYNCED, []),
    ("reordered-env-does-not-differ",
     {**SYNCED, f"{C}.1.env": [{"name": "LOG", "value": "info"},
                               {"name": "MODE", "value": "prod"}]}, []),
    ("changed-image-is-one-change", {**SYNCED, f"{C}.1.image": "shop/web:1.2"},
     [(f"{WEB}.image", "changed in Git")]),
    ("quantity-same-value-other-spelling",
     {**SYNCED, f"{C}.1.resources.limits.cpu": "500m", f"{C}.1.resources.requests.cpu": 0.25},
     []),
    ("quantity-changed", {**SYNCED, f"{C}.1.resources.limits.memory": "2Gi"},
     [(f"{WEB}.resources.limits.memory", "changed in Git")]),
    ("port-protocol-changed-is-another-item",
     {**SYNCED, f"{C}.1.ports.0.protocol": "UDP"},
     [(f"{WEB}.ports[containerPort=8080,protocol=TCP]", "removed from Git"),
      (f"{WEB}.ports[containerPort=8080,protocol=UDP]", "added in Git")]),
    ("container-removed-from-git", {**SYNCED, f"{C}.0": DELETE},
     [(f"{C}[name=envoy]", "removed from Git")]),
    ("container-added-in-git",
     {**SYNCED, f"{C}.2": {"name": "cache", "image": "redis:7"}},
     [(f"{C}[name=cache]", "added in Git")]),
    ("env-removed-from-git", {**SYNCED, f"{C}.1.env.1": DELETE},
     [(f"{WEB}.env[name=LOG]", "removed from Git")]),
    ("atomic-args-changed", {**SYNCED, f"{C}.1.args": ["--port=9090"]},
     [(f"{WEB}.args", "changed in Git")]),
    ("annotation-added-in-git", {**SYNCED, "metadata|annotations|example.com/owner": "team-a"},
     [('metadata.annotations."example.com/owner"', "added in Git")]),
    ("default-restated-in-git", {**SYNCED, f"{C}.1.imagePullPolicy": "IfNotPresent"}, []),
    ("default-overridden-in-git", {**SYNCED, f"{C}.1.imagePullPolicy": "Always"},
     [(f"{WEB}.imagePullPolicy", "changed in Git")]),
    ("empty-and-null-values-are-absent",
     {**SYNCED, "metadata.annotations": {}, f"{C}.0.resources": {}, "spec.paused": None}, []),
    ("other-managers-field-restated-in-git",
     {**SYNCED, f"{C}.2": {"name": "istio-proxy", "image": "istio/proxyv2:1.23"}},
     [(f"{C}[name=istio-proxy].image", "changed in the cluster by sidecar-injector")]),
]


@pytest.mark.parametrize(("edits", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_deployment(edits: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    diff = run(edit(load("deployment-desired"), edits), load("deployment-live"))
    assert summary(diff) == expected
    assert diff.status is (DiffStatus.MODIFIED if expected else DiffStatus.UNCHANGED)


def test_reordered_containers_do_not_differ() -> None:
    desired = edit(load("deployment-desired"), SYNCED)
    desired["spec"]["template"]["spec"]["containers"].reverse()
    assert summary(run(desired, load("deployment-live"))) == []
    desired["spec"]["template"]["spec"]["containers"][0]["image"] = "shop/web:2"
    assert summary(run(desired, load("deployment-live"))) == [(f"{WEB}.image", "changed in Git")]


def test_change_values_and_managers() -> None:
    diff = run(load("deployment-desired"), load("deployment-live"))
    tier, replicas, image = diff.changes
    assert (tier.live, tier.desired, tier.manager) == ("backend", None, "gitsync")
    assert (replicas.live, replicas.desired, replicas.manager) == (5, 3, "kubectl-scale")
    assert (image.live, image.desired, image.manager) == ("shop/web:1.0", "shop/web:1.1",
                                                          "gitsync")


def test_predicted_live_keeps_defaults_and_others_fields() -> None:
    diff = run(load("deployment-desired"), load("deployment-live"))
    assert diff.predicted_live is not None and diff.normalized_live is not None
    spec = diff.predicted_live["spec"]
    assert spec["replicas"] == 3 and spec["progressDeadlineSeconds"] == 600
    assert [c["name"] for c in spec["template"]["spec"]["containers"]] == \
        ["web", "envoy", "istio-proxy"]
    assert "tier" not in diff.predicted_live["metadata"]["labels"]
    assert "status" not in diff.normalized_live
    assert "managedFields" not in diff.normalized_live["metadata"]


def test_schema_list_keys_give_the_same_result(schema_keys: SchemaListKeys) -> None:
    for edits in ({}, SYNCED, {**SYNCED, f"{C}.1.ports.0.protocol": "UDP"}):
        desired = edit(load("deployment-desired"), edits)
        assert run(desired, load("deployment-live"), list_keys=schema_keys) == \
            run(desired, load("deployment-live"))


def _drift(manager: str, time: str) -> Any:
    live = load("deployment-live")
    live["metadata"]["managedFields"].append({
        "manager": manager, "operation": "Update", "time": time, "fieldsV1": {
            "f:spec": {"f:template": {"f:spec": {"f:containers": {
                'k:{"name":"web"}': {"f:image": {}}}}}}}})
    return live


@pytest.mark.parametrize(("manager", "time", "reason"), [
    ("kubectl-edit", "2024-06-01T00:00:00Z", "changed in the cluster by kubectl-edit"),
    ("kubectl-edit", "2024-01-01T00:00:00Z", "changed in Git"),
    ("gitsync", "2024-06-01T00:00:00Z", "changed in Git"),
], ids=["edited-after-sync", "co-owner-before-sync", "own-update"])
def test_attribution_to_latest_writer(manager: str, time: str, reason: str) -> None:
    diff = run(edit(load("deployment-desired"), SYNCED), _drift(manager, time))
    live = diff.normalized_live
    assert live is not None
    assert summary(diff) == []  # same value: nothing to attribute yet
    desired = edit(load("deployment-desired"), {**SYNCED, f"{C}.1.image": "shop/web:9"})
    assert summary(run(desired, _drift(manager, time))) == [(f"{WEB}.image", reason)]


IGNORES = [
    ("managed-fields-managers", IgnoreDifference(
        kind="Deployment", group="apps", managed_fields_managers=("kubectl-scale",)),
     [BASE[0], BASE[2]]),
    ("json-pointer", IgnoreDifference(kind="Deployment", group="apps",
                                      json_pointers=("/spec/replicas",)), [BASE[0], BASE[2]]),
    ("jq-container-image", IgnoreDifference(
        kind="Deployment", group="apps", jq_path_expressions=(
            '.spec.template.spec.containers[] | select(.name == "web") | .image',)),
     BASE[:2]),
    ("jq-label", IgnoreDifference(kind="*", group="*",
                                  jq_path_expressions=(".metadata.labels.tier",)), BASE[1:]),
    ("rule-for-another-name", IgnoreDifference(kind="Deployment", group="apps", name="api",
                                               json_pointers=("/spec",)), BASE),
]


@pytest.mark.parametrize(("rule", "expected"), [c[1:] for c in IGNORES],
                         ids=[c[0] for c in IGNORES])
def test_ignore_differences(rule: IgnoreDifference, expected: list[tuple[str, str]]) -> None:
    with IgnoreRules.compile([rule], jq_timeout=None) as rules:
        diff = run(load("deployment-desired"), load("deployment-live"), rules=rules)
    assert summary(diff) == expected


def test_missing_and_extraneous() -> None:
    missing = run(load("deployment-desired"), None)
    assert missing.status is DiffStatus.MISSING and missing.normalized_live is None
    assert missing.predicted_live is not None
    assert missing.predicted_live["spec"]["template"]["spec"]["containers"][1][
        "resources"]["limits"]["cpu"] == "500m"
    extra = run(None, load("deployment-live"))
    assert extra.status is DiffStatus.EXTRANEOUS and extra.predicted_live is None
    assert extra.key.identity == "Deployment/shop/web"
    with pytest.raises(ValueError):
        run(None, None)


def test_service_ports_by_port_and_protocol() -> None:
    assert summary(run(load("service-desired"), load("service-live"))) == []
    desired = edit(load("service-desired"), {"spec.ports.1": DELETE})
    assert summary(run(desired, load("service-live"))) == [
        ("spec.ports[port=9090,protocol=TCP]", "removed from Git")]


def test_secret_values_compared_then_masked() -> None:
    diff = run(load("secret-desired"), load("secret-live"))
    assert [(c.path, c.reason, c.live, c.desired) for c in diff.changes] == [
        ("data.password", "changed in Git", "++++++++++++", "++++++++"),
        ("data.legacy", "removed from Git", "++++++++", None)]
    assert diff.predicted_live is not None and diff.normalized_live is not None
    assert diff.predicted_live["data"] == {"password": "++++++++", "token": "++++++++",
                                           "user": "++++++++"}
    assert diff.normalized_live["data"]["password"] == "++++++++++++"
    raw = run(load("secret-desired"), load("secret-live"), mask_secrets=False)
    assert raw.changes[0].desired == "czNjcmV0LW5ldw=="


def test_tracking_metadata_is_not_a_removal() -> None:
    live = load("deployment-live")
    live["metadata"]["labels"][ann.TRACKING_LABEL] = "shop"
    live["metadata"]["annotations"][ann.TRACKING_ID] = "shop:apps/Deployment:shop/web"
    owned = live["metadata"]["managedFields"][0]["fieldsV1"]["f:metadata"]
    owned["f:labels"][f"f:{ann.TRACKING_LABEL}"] = {}
    owned["f:annotations"] = {f"f:{ann.TRACKING_ID}": {}}
    assert summary(run(edit(load("deployment-desired"), SYNCED), live)) == []


ROUTE = {"apiVersion": "example.com/v1", "kind": "Router", "metadata": {"name": "r"}}


def _router(routes: list[str], owned: list[str] | None = None) -> Any:
    obj = {**ROUTE, "spec": {"routes": [{"name": n, "to": f"svc-{n}"} for n in routes]}}
    if owned is not None:
        obj["metadata"] = {"name": "r", "managedFields": [{
            "manager": "gitsync", "operation": "Apply", "fieldsV1": {"f:spec": {"f:routes": {
                f'k:{{"name":"{n}"}}': {".": {}, "f:name": {}, "f:to": {}} for n in owned}}}}]}
    return obj


@pytest.mark.parametrize(("desired", "expected"), [
    (["b", "a"], []),
    (["a"], [("spec.routes[name=b]", "removed from Git")]),
    (["a", "b", "c"], [("spec.routes[name=c]", "added in Git")]),
], ids=["reordered", "removed", "added"])
def test_custom_resource_keys_from_managed_fields(desired: list[str],
                                                  expected: list[tuple[str, str]]) -> None:
    no_schema = DictListKeys({})
    assert summary(run(_router(desired), _router(["a", "b"], ["a", "b"]),
                       list_keys=no_schema)) == expected


def test_set_list_items_by_value() -> None:
    live = {**ROUTE, "metadata": {"name": "r", "finalizers": ["a.io/x", "b.io/y"],
                                  "managedFields": [{"manager": "gitsync", "fieldsV1": {
                                      "f:metadata": {"f:finalizers": {'v:"a.io/x"': {}}}}}]}}
    same = {**ROUTE, "metadata": {"name": "r", "finalizers": ["a.io/x"]}}
    more = {**ROUTE, "metadata": {"name": "r", "finalizers": ["a.io/x", "c.io/z"]}}
    none: Any = {**ROUTE, "metadata": {"name": "r"}}
    assert summary(run(same, live)) == []
    assert summary(run(more, live)) == [('metadata.finalizers["c.io/z"]', "added in Git")]
    assert summary(run(none, live)) == [('metadata.finalizers["a.io/x"]', "removed from Git")]


def test_shared_field_removed_from_git_stays() -> None:
    live = load("deployment-live")
    live["metadata"]["managedFields"].append({"manager": "helm", "operation": "Update",
                                              "fieldsV1": {"f:metadata": {"f:labels": {
                                                  "f:tier": {}}}}})
    assert summary(run(load("deployment-desired"), live)) == BASE[1:]


def test_duplicate_keys_compare_the_list_whole() -> None:
    live = {**ROUTE, "spec": {"routes": [{"name": "a"}, {"name": "a", "to": "x"}]}}
    desired = {**ROUTE, "spec": {"routes": [{"name": "a"}]}}
    keys = DictListKeys({("spec", "routes"): ("name",)})
    assert summary(run(desired, live, list_keys=keys)) == [("spec.routes", "changed in Git")]
