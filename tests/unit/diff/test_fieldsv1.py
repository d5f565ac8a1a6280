"""managedFields: fieldsV1 decoded to paths, owners of a path, removing owned fields."""

from __future__ import annotations

from typing import Any

import pytest

from gitsync.diff.fieldpath import canonical_element, human, item_element
from gitsync.diff.fieldsv1 import FieldSet, ManagedFields, remove_fields

from .conftest import load

CONTAINERS = ("f:spec", "f:template", "f:spec", "f:containers")
WEB = (*CONTAINERS, 'k:{"name":"web"}')


def test_decode_paths() -> None:
    fields = FieldSet.decode({
        "f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {"f:ports": {'k:{"protocol":"TCP","port":80}': {".": {}, "f:port": {}}},
                   "f:finalizers": {'v:"a.io/x"': {}}, "f:args": {"i:0": {}}}})
    assert list(fields) == [
        ("f:metadata", "f:labels", "f:app"),
        ("f:spec", "f:args", "i:0"),
        ("f:spec", "f:finalizers", 'v:"a.io/x"'),
        ("f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}'),
        ("f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}', "f:port"),
    ]
    assert ("f:spec", "f:ports") not in fields  # only a prefix: nobody owns the list itself


@pytest.mark.parametrize(("raw", "canonical"), [
    ('k:{"protocol":"TCP","containerPort":80}', 'k:{"containerPort":80,"protocol":"TCP"}'),
    ('k:{"name":"a\\u003cb"}', 'k:{"name":"a<b"}'),
    ('v:80.0', "v:80"),
    ("f:app.kubernetes.io/name", "f:app.kubernetes.io/name"),
], ids=["sorted-keys", "go-escapes", "integral-float", "field"])
def test_canonical_elements(raw: str, canonical: str) -> None:
    assert canonical_element(raw) == canonical


@pytest.mark.parametrize("raw", ["x:1", "k:[1]", "k:{bad", "i:x"],
                         ids=["unknown-kind", "key-not-object", "bad-json", "bad-index"])
def test_malformed_elements(raw: str) -> None:
    with pytest.raises(ValueError):
        FieldSet.decode({raw: {}})


def test_element_of_items() -> None:
    assert item_element({"containerPort": 80}, ("containerPort", "protocol"), 0) == \
        'k:{"containerPort":80,"protocol":"TCP"}'
    assert item_element("a", (), 3) == 'v:"a"'
    assert item_element({"x": 1}, None, 3) == "i:3"


def test_human_paths() -> None:
    assert human((*WEB, "f:image")) == "spec.template.spec.containers[name=web].image"
    assert human(("f:metadata", "f:annotations", "f:example.com/x")) == \
        'metadata.annotations."example.com/x"'
    assert human(("f:ports", 'k:{"containerPort":80,"protocol":"TCP"}')) == \
        "ports[containerPort=80,protocol=TCP]"
    assert human(("f:finalizers", 'v:"a.io/x"')) == 'finalizers["a.io/x"]'


OWNERS = [
    ("scaled-replicas", ("f:spec", "f:replicas"), ("kubectl-scale",)),
    ("applied-image", (*WEB, "f:image"), ("gitsync",)),
    ("injected-container", (*CONTAINERS, 'k:{"name":"istio-proxy"}', "f:image"),
     ("sidecar-injector",)),
    ("controller-annotation",
     ("f:metadata", "f:annotations", "f:deployment.kubernetes.io/revision"),
     ("kube-controller-manager",)),
    ("inside-atomic-selector", ("f:spec", "f:selector", "f:matchLabels", "f:app"), ("gitsync",)),
    ("parent-of-owned-fields-newest-first", CONTAINERS, ("sidecar-injector", "gitsync")),
    ("server-default", ("f:spec", "f:progressDeadlineSeconds"), ()),
]


@pytest.mark.parametrize(("path", "owners"), [o[1:] for o in OWNERS], ids=[o[0] for o in OWNERS])
def test_owners(path: tuple[str, ...], owners: tuple[str, ...]) -> None:
    assert ManagedFields.of(load("deployment-live")).owners(path) == owners


def test_managers_and_union() -> None:
    managed = ManagedFields.of(load("deployment-live"))
    assert managed.managers == ("gitsync", "kube-controller-manager", "sidecar-injector",
                                "kubectl-scale")
    both = managed.fields_of(["kubectl-scale", "sidecar-injector"])
    assert ("f:spec", "f:replicas") in both
    assert (*CONTAINERS, 'k:{"name":"istio-proxy"}') in both
    assert (*WEB, "f:image") not in both


def test_corrupt_entries_are_skipped() -> None:
    obj: dict[str, Any] = {"metadata": {"managedFields": [
        {"manager": "bad", "fieldsV1": {"x:y": {}}},
        {"manager": "no-fields"},
        {"manager": "good", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]}}
    assert ManagedFields.of(obj).managers == ("good",)


def test_remove_fields() -> None:
    obj = load("deployment-live")
    owned = ManagedFields.of(obj).fields_of(["sidecar-injector", "kubectl-scale",
                                            "kube-controller-manager"])
    remove_fields(obj, owned.trie)
    assert "replicas" not in obj["spec"]
    assert [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]] == ["web", "envoy"]
    # the annotations map is owned ("."), but only its owned leaves are removed
    assert obj["metadata"]["annotations"] == {
        "kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"apps/v1"}'}
