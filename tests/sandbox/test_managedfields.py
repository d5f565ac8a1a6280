"""Field sets and the FieldsV1 codec behave like structured-merge-diff's, byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gitsync.sandbox.managedfields import (
    FieldSet,
    InvalidObject,
    changed_fields,
    compare,
    config_fields,
    fields_of,
    from_fieldsv1,
    path_str,
    to_fieldsv1,
)
from gitsync.sandbox.schema import GVK, Node, builtin_registry

REG = builtin_registry()
DEPLOYMENT = REG.root(GVK("apps", "v1", "Deployment"))
POD = REG.root(GVK("", "v1", "Pod"))
SERVICE = REG.root(GVK("", "v1", "Service"))
assert DEPLOYMENT is not None and POD is not None and SERVICE is not None


def custom_schema() -> Node:
    reg = builtin_registry()
    gvk = GVK("example.com", "v1", "Widget")
    reg.register_custom(gvk, None)  # no schema: x-kubernetes-preserve-unknown-fields
    root = reg.root(gvk)
    assert root is not None
    return root


def ordered(value: Any) -> str:
    """JSON keeping key order, so tests see the order the server would write."""
    return json.dumps(value, separators=(",", ":"))


K_NGINX = 'k:{"name":"nginx"}'
# What a real kube-apiserver stores for `kubectl apply --server-side` of a small Deployment.
KUBECTL_DEPLOYMENT: dict[str, Any] = {
    "f:metadata": {"f:labels": {"f:app": {}}},
    "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:template": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:containers": {K_NGINX: {".": {}, "f:image": {}, "f:name": {}}}},
        },
    },
}
KUBECTL_RUN_POD: dict[str, Any] = {
    "f:metadata": {"f:labels": {".": {}, "f:run": {}}},
    "f:spec": {
        "f:containers": {K_NGINX: {
            ".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
            "f:ports": {".": {}, 'k:{"containerPort":80,"protocol":"TCP"}': {
                ".": {}, "f:containerPort": {}, "f:protocol": {}}},
            "f:resources": {}, "f:terminationMessagePath": {},
            "f:terminationMessagePolicy": {}}},
        "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {},
        "f:schedulerName": {}, "f:securityContext": {}, "f:terminationGracePeriodSeconds": {},
    },
}
SECRET_CREATE: dict[str, Any] = {"f:data": {".": {}, "f:.dockerconfigjson": {}}, "f:type": {}}
FINALIZERS: dict[str, Any] = {"f:metadata": {"f:finalizers": {".": {}, 'v:"a.example.com/x"': {},
                                              'v:"b.example.com/y"': {}}}}
PORTS_NUMERIC_ORDER: dict[str, Any] = {"f:spec": {"f:ports": {
    'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:port": {}},
    'k:{"port":443,"protocol":"TCP"}': {".": {}, "f:port": {}},
    'k:{"port":8080,"protocol":"UDP"}': {".": {}, "f:port": {}},
}}}


@pytest.mark.parametrize("fields", [
    KUBECTL_DEPLOYMENT, KUBECTL_RUN_POD, SECRET_CREATE, FINALIZERS, PORTS_NUMERIC_ORDER,
    {"f:spec": {"f:template": {"f:spec": {"f:containers": {
        'k:{"name":"a\\u003cb\\u003e\\u0026c"}': {".": {}, "f:name": {}}}}}}},
    {"f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/restartedAt": {}}}},
    {},
], ids=["kubectl-deployment", "kubectl-run-pod", "secret-create", "finalizers",
        "ports-numeric-order", "html-escaped-key", "annotation-member", "empty"])
def test_fieldsv1_round_trip_keeps_bytes(fields: dict[str, Any]) -> None:
    fs = from_fieldsv1(fields)
    assert ordered(to_fieldsv1(fs)) == ordered(fields)
    assert from_fieldsv1(json.dumps(fields)) == fs
    assert from_fieldsv1(fields, borrow=True) == fs


@pytest.mark.parametrize(("given", "canonical"), [
    ({'k:{"protocol":"TCP", "containerPort":80}': {}},
     {'k:{"containerPort":80,"protocol":"TCP"}': {}}),
    ({"f:a": {".": {}}}, {"f:a": {}}),
    ({"f:b": {}, "f:a": {"f:y": {}, ".": {}, "f:x": {}}},
     {"f:a": {".": {}, "f:x": {}, "f:y": {}}, "f:b": {}}),
    ({'v:"x"': {}, 'v:1': {}, "v:true": {}, "i:2": {}, 'k:{"a":1}': {}, "f:z": {}},
     {"f:z": {}, 'k:{"a":1}': {}, "v:1": {}, 'v:"x"': {}, "v:true": {}, "i:2": {}}),
    ({"x:future": {}, "f:a": {"z:other": {"f:q": {}}}}, {"f:a": {}}),
    ({'k:{"port":8080}': {}, 'k:{"port":443}': {}, 'k:{"port":80}': {}},
     {'k:{"port":80}': {}, 'k:{"port":443}': {}, 'k:{"port":8080}': {}}),
    ({'v:"<é>"': {}, 'v:1.0': {}}, {"v:1": {}, 'v:"\\u003cé\\u003e"': {}}),
], ids=["key-field-order", "lone-dot", "sorted-dot-first", "element-kinds-order",
        "unknown-kinds-dropped", "numeric-keys", "go-json-escapes"])
def test_fieldsv1_canonical_form(given: dict[str, Any], canonical: dict[str, Any]) -> None:
    assert ordered(to_fieldsv1(from_fieldsv1(given))) == ordered(canonical)


@pytest.mark.parametrize("bad", [
    {"k:{not json}": {}}, {"f:a": []}, {"x": {}}, {'k:["a"]': {}}, "[1]",
], ids=["bad-key-json", "non-object-child", "no-colon", "key-not-object", "not-an-object"])
def test_fieldsv1_rejects_malformed(bad: Any) -> None:
    with pytest.raises(ValueError):
        from_fieldsv1(bad)


A = ("f:spec", "f:replicas")
B = ("f:spec", "f:paused")
ITEM = ("f:spec", "f:containers", K_NGINX)
IMAGE = (*ITEM, "f:image")


@pytest.mark.parametrize(("op", "left", "right", "expected"), [
    ("union", [A], [B], [B, A]),
    ("union", [ITEM], [IMAGE], [ITEM, IMAGE]),
    ("difference", [A, B], [B], [A]),
    ("difference", [ITEM, IMAGE], [ITEM], [IMAGE]),
    ("difference", [ITEM, IMAGE], [IMAGE], [ITEM]),
    ("difference", [A], [], [A]),
    ("intersection", [A, B], [B, IMAGE], [B]),
    ("intersection", [ITEM, IMAGE], [IMAGE], [IMAGE]),
    ("intersection", [A], [], []),
], ids=["union", "union-item-and-child", "difference", "difference-keeps-children",
        "difference-keeps-item", "difference-empty", "intersection", "intersection-child",
        "intersection-empty"])
def test_set_algebra(op: str, left: list[tuple[str, ...]], right: list[tuple[str, ...]],
                     expected: list[tuple[str, ...]]) -> None:
    got = getattr(FieldSet.from_paths(left), op)(FieldSet.from_paths(right))
    assert list(got) == expected
    assert got == FieldSet.from_paths(expected)
    assert got.is_empty() == (not expected)
    assert len(got) == len(expected)
    assert all(p in got for p in expected)


def test_iteration_order_is_smd_order() -> None:
    fs = from_fieldsv1(KUBECTL_RUN_POD)
    paths = [path_str(p) for p in fs]
    # members of a node before its children's members, each level in element order
    assert paths[:3] == [".metadata.labels", ".metadata.labels.run", ".spec.dnsPolicy"]
    assert paths[-4:] == [
        '.spec.containers[name="nginx"].terminationMessagePolicy',
        '.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"]',
        '.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].containerPort',
        '.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].protocol',
    ]
    assert ('f:spec', 'f:containers', K_NGINX) in fs
    assert ('f:spec', 'f:containers') not in fs
    assert repr(FieldSet.from_paths([A])) == "FieldSet([.spec.replicas])"


@pytest.mark.parametrize(("path", "text"), [
    (A, ".spec.replicas"),
    (IMAGE, '.spec.containers[name="nginx"].image'),
    (("f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}', "f:port"),
     '.spec.ports[port=80,protocol="TCP"].port'),
    (("f:metadata", "f:finalizers", 'v:"foo"'), '.metadata.finalizers[=\"foo\"]'),
    (("f:spec", "f:args", "i:0"), ".spec.args[0]"),
    (("f:metadata", "f:labels", "f:app.kubernetes.io/name"),
     ".metadata.labels.app.kubernetes.io/name"),
    (("f:x", 'k:{"b":true,"a":null}'), ".x[a=null,b=true]"),
    (("f:x", 'v:"tab\\there"'), '.x[="tab\\there"]'),
], ids=["field", "container-image", "two-keys", "set-value", "index", "dotted-label",
        "null-and-bool-keys", "quoted-escape"])
def test_path_str(path: tuple[str, ...], text: str) -> None:
    assert path_str(path) == text


DEPLOY_CONFIG: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}},
             "template": {"metadata": {"labels": {"app": "nginx"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}},
}


def deploy(**spec: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = json.loads(json.dumps(DEPLOY_CONFIG))
    cfg["spec"].update(spec)
    return cfg


@pytest.mark.parametrize(("schema", "obj", "expected"), [
    (DEPLOYMENT, DEPLOY_CONFIG, {
        "f:apiVersion": {}, "f:kind": {},
        "f:metadata": {"f:labels": {"f:app": {}}, "f:name": {}, "f:namespace": {}},
        "f:spec": KUBECTL_DEPLOYMENT["f:spec"]}),
    (POD, {"spec": {"containers": [{"name": "nginx", "resources": {}, "args": ["a"],
                                    "ports": [{"containerPort": 80}]}]}},
     {"f:spec": {"f:containers": {K_NGINX: {
         ".": {}, "f:args": {}, "f:name": {},
         "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}},
         "f:resources": {}}}}}),
    (POD, {"metadata": {"finalizers": ["b", "a"], "labels": {}, "annotations": {"x": "1"}}},
     {"f:metadata": {"f:annotations": {"f:x": {}}, "f:finalizers": {'v:"a"': {}, 'v:"b"': {}},
                     "f:labels": {}}}),
    (POD, {"spec": {"containers": [], "tolerations": [{"key": "k"}], "nodeSelector": None,
                    "securityContext": {}, "affinity": {"nodeAffinity": {}}}},
     {"f:spec": {"f:affinity": {"f:nodeAffinity": {}}, "f:nodeSelector": {},
                 "f:securityContext": {}, "f:tolerations": {}}}),
    (DEPLOYMENT, {"spec": {"template": {"spec": {"containers": [{
        "name": "c", "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}]}]}}}},
     {"f:spec": {"f:template": {"f:spec": {"f:containers": {'k:{"name":"c"}': {
         ".": {}, "f:env": {'k:{"name":"A"}': {".": {}, "f:name": {}, "f:valueFrom": {
             "f:fieldRef": {}}}}, "f:name": {}}}}}}}),
    (custom_schema(), {"apiVersion": "example.com/v1", "kind": "Widget",
                       "metadata": {"name": "w"}, "spec": {"size": 1, "tags": ["a"],
                                                           "nested": {"deep": True}}},
     {"f:apiVersion": {}, "f:kind": {}, "f:metadata": {"f:name": {}},
      "f:spec": {".": {}, "f:nested": {".": {}, "f:deep": {}}, "f:size": {}, "f:tags": {}}}),
], ids=["deployment", "empty-struct-is-owned", "maps-and-sets", "atomic-and-empty",
        "nested-list-map-atomic-struct", "custom-resource-without-schema"])
def test_fields_of(schema: Node, obj: dict[str, Any], expected: dict[str, Any]) -> None:
    assert ordered(to_fieldsv1(fields_of(obj, schema))) == ordered(expected)
    assert config_fields(obj, schema) == fields_of(obj, schema)


CONTAINERS = ".spec.template.spec.containers"


@pytest.mark.parametrize(("containers", "message"), [
    ([{"name": "a"}, {"name": "a"}],
     f'{CONTAINERS}: duplicate entries for key [name="a"]'),
    ([{"image": "x"}],
     f'{CONTAINERS}: element 0: associative list with keys has an element that omits key '
     'field "name" (and doesn\'t have default value)'),
    ([{"name": "c", "env": [{"name": "FOO"}, {"name": "FOO"}],
       "ports": [{"containerPort": 93}, {"containerPort": 93, "protocol": "TCP"}]}],
     f'errors:\n  {CONTAINERS}[name="c"].env: duplicate entries for key [name="FOO"]\n'
     f'  {CONTAINERS}[name="c"].ports: duplicate entries for key '
     '[containerPort=93,protocol="TCP"]'),
    ([{"name": "c", "imagePullPolicy": "Always", "bogus": 1}],
     f'{CONTAINERS}[name="c"].bogus: field not declared in schema'),
    ([{"name": "c", "lifecycle": {"postStart": {"exec": {"cmd": ["x"]}}}}],
     f'{CONTAINERS}[name="c"].lifecycle.postStart.exec.cmd: field not declared in schema'),
], ids=["duplicate-name", "missing-key", "several", "unknown-field", "unknown-in-atomic"])
def test_config_fields_rejects_what_the_server_rejects(containers: list[Any],
                                                       message: str) -> None:
    cfg = {"spec": {"template": {"spec": {"containers": containers}}}}
    with pytest.raises(InvalidObject) as err:
        config_fields(cfg, DEPLOYMENT)
    assert str(err.value) == message
    fields_of(cfg, DEPLOYMENT)  # live objects may hold such lists; no error there


CREATED_DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}},
    "spec": {"replicas": 1, "progressDeadlineSeconds": 600, "revisionHistoryLimit": 10,
             "selector": {"matchLabels": {"app": "nginx"}},
             "strategy": {"type": "RollingUpdate",
                          "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
             "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {
                 "containers": [{"name": "nginx", "image": "nginx", "resources": {},
                                 "terminationMessagePolicy": "File"}],
                 "restartPolicy": "Always", "securityContext": {}}}},
}
# The shape `kubectl create deployment` leaves on a real server: value-typed structs
# (spec, strategy, template) get no ".", pointers and maps created with it do.
KUBECTL_CREATE: dict[str, Any] = {
    "f:apiVersion": {}, "f:kind": {},
    "f:metadata": {"f:labels": {".": {}, "f:app": {}}, "f:name": {}, "f:namespace": {}},
    "f:spec": {
        "f:progressDeadlineSeconds": {}, "f:replicas": {}, "f:revisionHistoryLimit": {},
        "f:selector": {},
        "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}},
                       "f:type": {}},
        "f:template": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:spec": {
            "f:containers": {K_NGINX: {".": {}, "f:image": {}, "f:name": {}, "f:resources": {},
                                       "f:terminationMessagePolicy": {}}},
            "f:restartPolicy": {}, "f:securityContext": {}}}},
}


def edited(obj: dict[str, Any], edit: Any) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(obj))
    edit(out)
    return out


def _scale(o: dict[str, Any]) -> None:
    o["spec"]["replicas"] = 5


def _sidecar(o: dict[str, Any]) -> None:
    o["spec"]["template"]["spec"]["containers"].append(
        {"name": "side", "image": "busybox", "ports": [{"containerPort": 9000}]})


def _drop_label(o: dict[str, Any]) -> None:
    del o["metadata"]["labels"]
    o["spec"]["paused"] = True


@pytest.mark.parametrize(("old", "edit", "changed", "removed"), [
    (None, lambda o: None, KUBECTL_CREATE, {}),
    (CREATED_DEPLOYMENT, _scale, {"f:spec": {"f:replicas": {}}}, {}),
    (CREATED_DEPLOYMENT, _sidecar, {"f:spec": {"f:template": {"f:spec": {"f:containers": {
        'k:{"name":"side"}': {".": {}, "f:image": {}, "f:name": {}, "f:ports": {
            ".": {}, 'k:{"containerPort":9000,"protocol":"TCP"}': {
                ".": {}, "f:containerPort": {}}}}}}}}}, {}),
    (CREATED_DEPLOYMENT, _drop_label, {"f:spec": {"f:paused": {}}},
     {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}),
    (CREATED_DEPLOYMENT, lambda o: None, {}, {}),
], ids=["create", "scale", "new-list-item", "removed-map", "unchanged"])
def test_changed_fields(old: dict[str, Any] | None, edit: Any, changed: dict[str, Any],
                        removed: dict[str, Any]) -> None:
    new = edited(CREATED_DEPLOYMENT, edit)
    assert ordered(to_fieldsv1(changed_fields(old, new, DEPLOYMENT))) == ordered(changed)
    assert ordered(to_fieldsv1(compare(old, new, DEPLOYMENT)[1])) == ordered(removed)


def test_first_status_write_marks_no_value_struct() -> None:
    def status(o: dict[str, Any]) -> None:
        o["status"] = {"replicas": 1, "conditions": [{"type": "Available", "status": "True"}]}

    assert to_fieldsv1(changed_fields(CREATED_DEPLOYMENT, edited(CREATED_DEPLOYMENT, status),
                                      DEPLOYMENT)) == {"f:status": {
        "f:conditions": {".": {}, 'k:{"type":"Available"}': {
            ".": {}, "f:status": {}, "f:type": {}}},
        "f:replicas": {}}}


def test_custom_resource_create_marks_every_new_map() -> None:
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
              "spec": {"size": 1}}
    assert to_fieldsv1(changed_fields(None, widget, custom_schema())) == {
        "f:apiVersion": {}, "f:kind": {}, "f:metadata": {".": {}, "f:name": {}},
        "f:spec": {".": {}, "f:size": {}}}


def test_unknown_fields_inside_atomic_lists_use_indexes() -> None:
    cfg = {"spec": {"template": {"spec": {"containers": [{"name": "c"}],
                                          "tolerations": [{"key": "k"}, {"kee": "x"}]}}}}
    with pytest.raises(InvalidObject) as err:
        config_fields(cfg, DEPLOYMENT)
    assert str(err.value) == ".spec.template.spec.tolerations[1].kee: field not declared in schema"
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "anything": {"goes": 1}}
    assert config_fields(widget, custom_schema()) == fields_of(widget, custom_schema())


def test_service_ports_key_defaults_protocol() -> None:
    svc = {"spec": {"ports": [{"port": 80}, {"port": 80, "protocol": "UDP"}]}}
    assert to_fieldsv1(fields_of(svc, SERVICE)) == {"f:spec": {"f:ports": {
        'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:port": {}},
        'k:{"port":80,"protocol":"UDP"}': {".": {}, "f:port": {}, "f:protocol": {}}}}}
