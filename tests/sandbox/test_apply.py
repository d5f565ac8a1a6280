"""Server-side apply and managedFields bookkeeping match kube-apiserver's field manager.

Run this file directly for a rough applies-per-second figure (not part of the suite).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from gitsync.sandbox.apply import record_update, server_side_apply
from gitsync.sandbox.errors import ApiError
from gitsync.sandbox.schema import GVK, Node, builtin_registry

REG = builtin_registry()
_DEPLOYMENT = REG.root(GVK("apps", "v1", "Deployment"))
assert _DEPLOYMENT is not None
DEPLOYMENT: Node = _DEPLOYMENT
T0, T1, T2, T3 = (f"2024-05-01T10:00:0{i}Z" for i in range(4))
K_NGINX = 'k:{"name":"nginx"}'
CONTAINERS = ("spec", "template", "spec", "containers")

CONFIG: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}},
             "template": {"metadata": {"labels": {"app": "nginx"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}},
}
KUBECTL_FIELDS: dict[str, Any] = {
    "f:metadata": {"f:labels": {"f:app": {}}},
    "f:spec": {
        "f:replicas": {}, "f:selector": {},
        "f:template": {"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {
            "f:containers": {K_NGINX: {".": {}, "f:image": {}, "f:name": {}}}}}},
}


def cfg(**changes: Any) -> dict[str, Any]:
    """CONFIG with dotted-path edits; None deletes the key, ... stores a null."""
    out = copy.deepcopy(CONFIG)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = None if value is ... else value
    return out


def apply(live: dict[str, Any] | None, config: dict[str, Any], manager: str = "kubectl",
          now: str = T0, force: bool = False, subresource: str = "") -> dict[str, Any]:
    return server_side_apply(live, config, manager=manager, schema=DEPLOYMENT, force=force,
                             api_version="apps/v1", now=now, subresource=subresource)


def update(old: dict[str, Any] | None, edit: Any, manager: str, now: str = T1,
           subresource: str = "") -> dict[str, Any]:
    """A non-apply write: ``edit`` changes a copy of ``old`` (or is the new object)."""
    if callable(edit):
        assert old is not None
        new: dict[str, Any] = copy.deepcopy(old)
        edit(new)
    else:
        new = copy.deepcopy(edit)
    fields = record_update(old, new, manager=manager, schema=DEPLOYMENT, api_version="apps/v1",
                           now=now, subresource=subresource)
    new.setdefault("metadata", {})["managedFields"] = fields
    if not fields:
        del new["metadata"]["managedFields"]
    return new


def at(obj: dict[str, Any], *path: str | int) -> Any:
    for p in path:
        obj = obj[p]  # type: ignore[index]
    return obj


def entries(obj: dict[str, Any]) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    return [(e["manager"], e["operation"], e.get("time"), e["fieldsV1"])
            for e in obj["metadata"].get("managedFields", [])]


def entry(manager: str, op: str, time: str | None, fields: dict[str, Any],
          subresource: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"manager": manager, "operation": op, "apiVersion": "apps/v1"}
    if time:
        out["time"] = time
    out.update(fieldsType="FieldsV1", fieldsV1=fields)
    if subresource:
        out["subresource"] = subresource
    return out


def scale(replicas: int) -> Any:
    return lambda o: at(o, "spec").__setitem__("replicas", replicas)


def test_apply_creates() -> None:
    obj = apply(None, CONFIG)
    expected = copy.deepcopy(CONFIG)
    expected["metadata"]["managedFields"] = [entry("kubectl", "Apply", T0, KUBECTL_FIELDS)]
    assert obj == expected
    assert json.dumps(obj["metadata"]["managedFields"]) == json.dumps(
        expected["metadata"]["managedFields"])  # key order as the server writes it


def test_reapply_removes_what_the_applier_dropped() -> None:
    live = apply(None, cfg(metadata__labels={"app": "nginx", "tier": "web"}))
    assert at(live, "metadata", "labels") == {"app": "nginx", "tier": "web"}
    obj = apply(live, cfg(spec__replicas=None), now=T1)
    assert "replicas" not in obj["spec"]
    assert obj["metadata"]["labels"] == {"app": "nginx"}
    fields = copy.deepcopy(KUBECTL_FIELDS)
    del fields["f:spec"]["f:replicas"]
    assert entries(obj) == [("kubectl", "Apply", T1, fields)]


def test_removed_field_kept_while_another_applier_owns_it() -> None:
    live = apply(None, CONFIG)
    live = apply(live, {"apiVersion": "apps/v1", "kind": "Deployment",
                        "metadata": {"name": "nginx", "namespace": "default"},
                        "spec": {"replicas": 3}}, manager="argocd", now=T1)
    # Same value: shared, no conflict, and a no-op apply sets no time on the new entry.
    assert entries(live) == [("argocd", "Apply", None, {"f:spec": {"f:replicas": {}}}),
                             ("kubectl", "Apply", T0, KUBECTL_FIELDS)]
    obj = apply(live, cfg(spec__replicas=None), now=T2)
    assert obj["spec"]["replicas"] == 3
    fields = copy.deepcopy(KUBECTL_FIELDS)
    del fields["f:spec"]["f:replicas"]
    # Nothing changed in the object, so kubectl's timestamp stays T0.
    assert entries(obj) == [("argocd", "Apply", None, {"f:spec": {"f:replicas": {}}}),
                            ("kubectl", "Apply", T0, fields)]


def test_removed_field_kept_while_an_updater_owns_it() -> None:
    live = apply(None, CONFIG)
    live = update(live, lambda o: o["metadata"]["labels"].update(tier="web"), "kubectl-label")
    live = apply(live, cfg(metadata__labels={"app": "nginx", "tier": "web"}), now=T2)
    label_owners = [m for m, _, _, f in entries(live) if "f:tier" in f["f:metadata"]["f:labels"]]
    assert label_owners == ["kubectl", "kubectl-label"]
    obj = apply(live, CONFIG, now=T3)
    assert obj["metadata"]["labels"] == {"app": "nginx", "tier": "web"}
    assert entries(obj) == [  # both applies changed nothing, so T0 stays
        ("kubectl", "Apply", T0, KUBECTL_FIELDS),
        ("kubectl-label", "Update", T1, {"f:metadata": {"f:labels": {"f:tier": {}}}})]


SCALED = "kubectl-scale"
ONE_CONFLICT = ('Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: '
                ".spec.replicas")


def test_scale_then_apply_conflicts() -> None:
    live = update(apply(None, CONFIG), scale(5), SCALED)
    assert entries(live)[1] == (SCALED, "Update", T1, {"f:spec": {"f:replicas": {}}})
    assert "f:replicas" not in entries(live)[0][3]["f:spec"]  # taken from kubectl
    with pytest.raises(ApiError) as err:
        apply(live, CONFIG, manager="gitsync", now=T2)
    assert err.value.status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": ONE_CONFLICT, "reason": "Conflict",
        "details": {"causes": [{"reason": "FieldManagerConflict",
                                "message": 'conflict with "kubectl-scale" using apps/v1',
                                "field": ".spec.replicas"}]},
        "code": 409}


def test_conflicts_with_several_managers_use_the_plural_form() -> None:
    live = update(apply(None, CONFIG), scale(5), SCALED)
    changed = cfg(spec__replicas=7, metadata__labels={"app": "web"})
    with pytest.raises(ApiError) as err:
        apply(live, changed, manager="gitsync", now=T2)
    assert err.value.message == (
        'Apply failed with 2 conflicts: conflicts with "kubectl":\n'
        "- .metadata.labels.app\n"
        'conflicts with "kubectl-scale" using apps/v1:\n'
        "- .spec.replicas")
    assert err.value.details == {"causes": [
        {"reason": "FieldManagerConflict", "message": 'conflict with "kubectl"',
         "field": ".metadata.labels.app"},
        {"reason": "FieldManagerConflict", "message": f'conflict with "{SCALED}" using apps/v1',
         "field": ".spec.replicas"}]}


def test_force_moves_conflicting_fields_to_the_applier() -> None:
    live = update(apply(None, CONFIG), scale(5), SCALED)
    obj = apply(live, CONFIG, manager="gitsync", now=T2, force=True)
    assert obj["spec"]["replicas"] == 3
    fields = copy.deepcopy(KUBECTL_FIELDS)
    del fields["f:spec"]["f:replicas"]
    # kubectl-scale owned nothing else and is gone; kubectl keeps what it shares.
    assert obj["metadata"]["managedFields"] == [
        entry("kubectl", "Apply", T0, fields), entry("gitsync", "Apply", T2, KUBECTL_FIELDS)]


def test_equal_value_is_shared_not_a_conflict() -> None:
    live = update(apply(None, CONFIG), scale(5), SCALED)
    obj = apply(live, cfg(spec__replicas=5), manager="gitsync", now=T2)
    # The apply changed nothing, so gitsync's new entry has no time (and sorts first).
    assert [(m, t, "f:replicas" in f["f:spec"]) for m, _, t, f in entries(obj)] == [
        ("gitsync", None, True), ("kubectl", T0, False), (SCALED, T1, True)]
    assert obj["spec"]["replicas"] == 5


def test_null_clears_a_leaf_and_merges_nothing_into_a_map() -> None:
    live = update(apply(None, CONFIG), lambda o: o["spec"].update(strategy={"type": "Recreate"}),
                  "editor")
    obj = apply(live, cfg(spec__replicas=..., spec__strategy=...), now=T2)
    assert "replicas" not in obj["spec"]
    assert obj["spec"]["strategy"] == {"type": "Recreate"}
    spec = entries(obj)[0][3]["f:spec"]
    assert spec["f:replicas"] == {} and spec["f:strategy"] == {}  # it owns the nulls it sent


def test_null_struct_lets_the_applier_content_go() -> None:
    live = apply(None, cfg(spec__strategy={"type": "Recreate"}))
    obj = apply(live, cfg(spec__strategy=...), now=T1)
    assert "strategy" not in obj["spec"]  # .spec.strategy.type was pruned, leaving nothing


def test_noop_apply_keeps_time_and_object() -> None:
    live = apply(None, CONFIG)
    again = apply(live, CONFIG, now=T3)
    assert again == live
    assert again is not live and again["spec"] is not live["spec"]


def test_containers_merge_by_name_and_keep_foreign_items() -> None:
    def inject(o: dict[str, Any]) -> None:
        at(o, *CONTAINERS).append({"name": "istio-proxy", "image": "proxy"})

    live = update(apply(None, CONFIG), inject, "istio")
    new_cfg = cfg()
    at(new_cfg, *CONTAINERS)[0]["image"] = "nginx:1.26"
    at(new_cfg, *CONTAINERS).append({"name": "log", "image": "fluentbit"})
    obj = apply(live, new_cfg, now=T2)
    assert at(obj, *CONTAINERS) == [{"name": "nginx", "image": "nginx:1.26"},
                                    {"name": "istio-proxy", "image": "proxy"},
                                    {"name": "log", "image": "fluentbit"}]
    obj = apply(obj, CONFIG, now=T3)  # drop "log" again
    assert at(obj, *CONTAINERS) == [{"name": "nginx", "image": "nginx:1.25"},
                                    {"name": "istio-proxy", "image": "proxy"}]
    assert entries(obj)[1] == ("istio", "Update", T1, {"f:spec": {"f:template": {"f:spec": {
        "f:containers": {'k:{"name":"istio-proxy"}': {".": {}, "f:image": {}, "f:name": {}}}}}}})


def test_ports_merge_by_container_port_and_protocol() -> None:
    ports = [{"containerPort": 53, "protocol": "UDP"}, {"containerPort": 53},
             {"containerPort": 80, "name": "http"}]
    with_ports = cfg()
    at(with_ports, *CONTAINERS)[0]["ports"] = ports
    live = apply(None, with_ports)
    fields = at(entries(live)[0][3], "f:spec", "f:template", "f:spec", "f:containers", K_NGINX)
    assert list(fields["f:ports"]) == ['k:{"containerPort":53,"protocol":"TCP"}',
                                       'k:{"containerPort":53,"protocol":"UDP"}',
                                       'k:{"containerPort":80,"protocol":"TCP"}']
    fewer = copy.deepcopy(with_ports)
    at(fewer, *CONTAINERS)[0]["ports"] = [{"containerPort": 80, "name": "web"},
                                          {"containerPort": 53}]
    obj = apply(live, fewer, now=T1)
    # The config reorders shared items, so its order wins; 53/UDP is gone.
    assert at(obj, *CONTAINERS)[0]["ports"] == [{"containerPort": 80, "name": "web"},
                                                {"containerPort": 53}]


def test_finalizers_are_a_set() -> None:
    live = apply(None, cfg(metadata__finalizers=["a.example.com/x"]))
    live = update(live, lambda o: o["metadata"]["finalizers"].append("b.example.com/y"),
                  "controller")
    obj = apply(live, cfg(metadata__finalizers=["c.example.com/z"]), now=T2)
    assert obj["metadata"]["finalizers"] == ["b.example.com/y", "c.example.com/z"]
    assert entries(obj)[0][3]["f:metadata"]["f:finalizers"] == {'v:"c.example.com/z"': {}}
    assert entries(obj)[1][3] == {"f:metadata": {"f:finalizers": {'v:"b.example.com/y"': {}}}}


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
CSA = "kubectl-client-side-apply"


def client_side_applied() -> dict[str, Any]:
    created = cfg(metadata__annotations={LAST_APPLIED: json.dumps(CONFIG) + "\n"})
    return update(None, created, CSA, now=T0)


def test_kubectl_takes_over_from_client_side_apply() -> None:
    new = cfg()
    at(new, *CONTAINERS)[0]["image"] = "nginx:1.26"
    obj = apply(client_side_applied(), new, now=T1)  # conflicts over CSA's own fields: forced
    assert at(obj, *CONTAINERS)[0]["image"] == "nginx:1.26"
    annotation = obj["metadata"]["annotations"][LAST_APPLIED]
    assert annotation == json.dumps(new, sort_keys=True, separators=(",", ":")) + "\n"
    csa = next(f for m, _, _, f in entries(obj) if m == CSA)
    assert "f:image" not in csa["f:spec"]["f:template"]["f:spec"]["f:containers"][K_NGINX]
    with pytest.raises(ApiError) as err:  # the upgrade is kubectl's alone
        apply(client_side_applied(), new, manager="gitsync", now=T1)
    assert err.value.message == (
        f'Apply failed with 1 conflict: conflict with "{CSA}" using apps/v1: '
        '.spec.template.spec.containers[name="nginx"].image')


def test_kubectl_still_conflicts_over_fields_changed_since_client_side_apply() -> None:
    live = update(client_side_applied(), scale(5), SCALED)
    with pytest.raises(ApiError) as err:
        apply(live, cfg(spec__replicas=3, metadata__labels={"app": "web"}), now=T2)
    assert err.value.message == ONE_CONFLICT


def test_entries_ordered_by_operation_then_time() -> None:
    live = apply(None, CONFIG, now=T2)
    live = update(live, scale(4), "b-updater", now=T1)
    live = update(live, lambda o: o["metadata"]["labels"].update(x="1"), "a-updater", now=T3)
    live = apply(live, cfg(spec__paused=True, spec__replicas=None), manager="z", now=T0)
    assert [(m, op, t) for m, op, t, _ in entries(live)] == [
        ("z", "Apply", T0), ("kubectl", "Apply", T2), ("b-updater", "Update", T1),
        ("a-updater", "Update", T3)]


def test_record_update_on_create() -> None:
    obj = update(None, cfg(), "kubectl-create", now=T0)
    assert obj["metadata"]["managedFields"] == [entry("kubectl-create", "Update", T0, {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {"f:containers": {K_NGINX: {".": {}, "f:image": {}, "f:name": {}}}}}}})]


@pytest.mark.parametrize(("edit", "expected"), [
    (scale(6), [("kubectl", "Apply", T0, "no-replicas"),
                (SCALED, "Update", T2, {"f:spec": {"f:replicas": {}}})]),
    (lambda o: o["spec"].update(paused=True), [
        ("kubectl", "Apply", T0, "no-replicas"),
        (SCALED, "Update", T2, {"f:spec": {"f:paused": {}, "f:replicas": {}}})]),
    (lambda o: o["spec"].pop("replicas"), [("kubectl", "Apply", T0, "no-replicas")]),
    (lambda o: None, [("kubectl", "Apply", T0, "no-replicas"),
                      (SCALED, "Update", T1, {"f:spec": {"f:replicas": {}}})]),
], ids=["same-manager-again", "merged-with-earlier-update", "removal-disowns", "no-change"])
def test_record_update_by_an_earlier_manager(edit: Any, expected: list[Any]) -> None:
    live = update(apply(None, CONFIG), scale(5), SCALED)
    obj = update(live, edit, SCALED, now=T2)
    fields = copy.deepcopy(KUBECTL_FIELDS)
    del fields["f:spec"]["f:replicas"]
    assert entries(obj) == [(m, op, t, fields if f == "no-replicas" else f)
                            for m, op, t, f in expected]


def test_untracked_objects_stay_untracked_and_resets_work() -> None:
    bare = cfg()
    assert record_update(bare, cfg(spec__replicas=2), manager="m", schema=DEPLOYMENT,
                         api_version="apps/v1", now=T1) == []
    live = apply(None, CONFIG)
    resets: list[list[Any]] = [[], [{}]]
    for reset in resets:
        new = cfg(spec__replicas=2)
        new["metadata"]["managedFields"] = reset
        assert record_update(live, new, manager="m", schema=DEPLOYMENT,
                             api_version="apps/v1", now=T1) == []


def test_record_update_honours_managed_fields_sent_by_the_client() -> None:
    live = apply(None, CONFIG)
    new = copy.deepcopy(live)
    new["metadata"]["managedFields"][0]["manager"] = "renamed"
    new["spec"]["paused"] = True
    got = record_update(live, new, manager="m", schema=DEPLOYMENT, api_version="apps/v1", now=T1)
    assert [(e["manager"], e["fieldsV1"]) for e in got] == [
        ("renamed", KUBECTL_FIELDS), ("m", {"f:spec": {"f:paused": {}}})]
    # a subresource write ignores them
    got = record_update(live, new, manager="m", schema=DEPLOYMENT, api_version="apps/v1",
                        now=T1, subresource="scale")
    assert [(e["manager"], e.get("subresource")) for e in got] == [
        ("kubectl", None), ("m", "scale")]
    assert list(got[1]) == ["manager", "operation", "apiVersion", "time", "fieldsType",
                            "fieldsV1", "subresource"]


def test_before_first_apply_owns_what_was_there() -> None:
    live = cfg(spec__paused=True)
    live["metadata"].update(uid="u1", resourceVersion="7", creationTimestamp=T0)
    obj = apply(live, cfg(spec__paused=None, spec__replicas=4), manager="gitsync", now=T1,
                force=True)
    assert obj["spec"]["paused"] is True and obj["spec"]["replicas"] == 4
    assert obj["metadata"]["uid"] == "u1"
    before = next(e for e in entries(obj) if e[0] == "before-first-apply")
    assert before[1:3] == ("Update", T1)
    assert "f:paused" in before[3]["f:spec"] and "f:replicas" not in before[3]["f:spec"]


def test_apply_to_a_subresource_is_its_own_entry() -> None:
    live = apply(None, CONFIG)
    obj = apply(live, {"apiVersion": "apps/v1", "kind": "Deployment",
                       "metadata": {"name": "nginx", "namespace": "default"},
                       "spec": {"replicas": 9}}, now=T1, force=True, subresource="scale")
    assert obj["metadata"]["managedFields"][1] == entry(
        "kubectl", "Apply", T1, {"f:spec": {"f:replicas": {}}}, subresource="scale")
    assert "f:replicas" not in entries(obj)[0][3]["f:spec"]


@pytest.mark.parametrize(("config", "code", "message"), [
    (cfg(metadata__managedFields=[]), 400, "metadata.managedFields must be nil"),
    (cfg(spec__template={"spec": {"containers": [{"name": "a"}, {"name": "a"}]}}), 400,
     "failed to create typed patch object (default/nginx; apps/v1, Kind=Deployment): "
     '.spec.template.spec.containers: duplicate entries for key [name="a"]'),
], ids=["managed-fields-in-config", "duplicate-items"])
def test_rejected_configs(config: dict[str, Any], code: int, message: str) -> None:
    with pytest.raises(ApiError) as err:
        apply(apply(None, CONFIG), config, now=T1)
    assert (err.value.code, err.value.message) == (code, message)


def test_update_managers_are_capped() -> None:
    live = apply(None, CONFIG)
    for i in range(11):
        live = update(live, lambda o, i=i: o["metadata"]["labels"].update({f"l{i}": "x"}),
                      f"m{i:02d}", now=f"2024-05-01T10:01:{i:02d}Z")
    got = entries(live)
    assert [m for m, op, _, _ in got if op == "Update"] == [
        "ancient-changes"] + [f"m{i:02d}" for i in range(2, 11)]
    assert got[1][2:] == ("2024-05-01T10:01:01Z", {"f:metadata": {"f:labels": {
        "f:l0": {}, "f:l1": {}}}})


def test_inputs_are_untouched() -> None:
    live = update(apply(None, CONFIG), scale(5), SCALED)
    config = cfg(spec__replicas=None)
    live_copy, config_copy = copy.deepcopy(live), copy.deepcopy(config)
    obj = apply(live, config, now=T2)
    obj["metadata"]["labels"]["mutated"] = "yes"
    obj["metadata"]["managedFields"][0]["fieldsV1"]["f:x"] = {}
    new = copy.deepcopy(live)
    record_update(live, new, manager="m", schema=DEPLOYMENT, api_version="apps/v1", now=T2)
    assert live == live_copy and config == config_copy


def test_custom_resource_prunes_nested_maps() -> None:
    reg = builtin_registry()
    gvk = GVK("example.com", "v1", "Widget")
    reg.register_custom(gvk, None)
    schema = reg.root(gvk)
    assert schema is not None
    base = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    live = server_side_apply(None, {**base, "spec": {"a": {"b": 1, "c": 2}, "d": [1, 2]}},
                             manager="m", schema=schema, force=False,
                             api_version="example.com/v1", now=T0)
    obj = server_side_apply(live, {**base, "spec": {"a": {"b": 1}}}, manager="m",
                            schema=schema, force=False, api_version="example.com/v1", now=T1)
    assert obj["spec"] == {"a": {"b": 1}}
    assert entries(obj) == [("m", "Apply", T1, {"f:spec": {".": {}, "f:a": {
        ".": {}, "f:b": {}}}})]


def _timing() -> None:
    """Rough applies/s for a typical Deployment; run by hand: python tests/sandbox/test_apply.py."""
    import time

    config = cfg(spec__strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}})
    at(config, *CONTAINERS)[0].update(
        ports=[{"containerPort": 80, "name": "http"}, {"containerPort": 443}],
        env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
        resources={"limits": {"cpu": "500m", "memory": "128Mi"}})
    at(config, *CONTAINERS).append({"name": "sidecar", "image": "busybox", "args": ["sleep"]})
    live = update(apply(None, config), lambda o: o["spec"].update(progressDeadlineSeconds=600),
                  "kube-controller-manager")
    changed = copy.deepcopy(config)
    at(changed, *CONTAINERS)[0]["image"] = "nginx:1.26"
    dropped = copy.deepcopy(config)
    at(dropped, *CONTAINERS)[0]["env"].pop()
    for name, body in (("unchanged", config), ("new image", changed), ("env removed", dropped)):
        n, start = 2000, time.perf_counter()
        for _ in range(n):
            apply(live, body, manager="kubectl", now=T1)
        print(f"re-apply, {name}: {n / (time.perf_counter() - start):.0f}/s")
    n, start = 2000, time.perf_counter()
    for _ in range(n):
        apply(None, config)
    print(f"create: {n / (time.perf_counter() - start):.0f}/s")


if __name__ == "__main__":
    _timing()
