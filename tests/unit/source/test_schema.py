"""The schema check of built-in kinds: unknown fields and wrong types, with their paths."""

from __future__ import annotations

from typing import Any

import pytest

from gitsync.source import schema

POD: dict[str, Any] = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "labels": {"a": "b"}, "creationTimestamp": None},
    "spec": {"containers": [{"name": "c", "image": "i",
                             "resources": {"limits": {"cpu": 0.5, "memory": "1Gi"}},
                             "ports": [{"containerPort": 80}]}]},
}


def with_(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    import copy

    obj = copy.deepcopy(POD)
    cur: Any = obj
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value
    return obj


def test_valid_objects_pass() -> None:
    assert schema.check(POD) is None
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
           "spec": {"ports": [{"port": 80, "targetPort": "http"}]}}
    assert schema.check(svc) is None


@pytest.mark.parametrize(("path", "value", "problem"), [
    (("spec", "containers", 0, "imagee"), "x",
     'unknown field "spec.containers[0].imagee"'),
    (("spec", "containers", 0, "ports", 0, "containerPort"), "80",
     "spec.containers[0].ports[0].containerPort: must be an integer, not a string"),
    (("spec", "containers", 0, "ports", 0, "containerPort"), 80.5,
     "spec.containers[0].ports[0].containerPort: must be an integer, not a number"),
    (("spec", "containers", 0, "ports", 0, "containerPort"), True,
     "spec.containers[0].ports[0].containerPort: must be an integer, not a boolean"),
    (("spec", "containers", 0, "resources", "limits", "cpu"), [1],
     "spec.containers[0].resources.limits.cpu: must be a string or a number, not a list"),
    (("spec", "hostNetwork"), "yes", "spec.hostNetwork: must be a boolean, not a string"),
    (("spec", "containers"), {"name": "c"}, "spec.containers: must be a list, not a mapping"),
    (("metadata", "labels"), ["a"], "metadata.labels: must be a mapping, not a list"),
    (("status",), {"phase": 3}, "status.phase: must be a string, not an integer"),
    (("extra",), 1, 'unknown field "extra"'),
], ids=["unknown-field", "int-as-string", "float", "bool", "quantity", "boolean", "list",
        "mapping", "status", "top-level"])
def test_problems_name_the_field(path: tuple[str | int, ...], value: Any, problem: str) -> None:
    found = schema.check(with_(path, value))
    assert found is not None
    assert found[1] == problem
    assert found[0][: len(path)] == path


def test_null_is_accepted_anywhere() -> None:
    assert schema.check(with_(("spec", "containers", 0, "image"), None)) is None


def test_unknown_kinds_and_versions_are_not_checked() -> None:
    assert schema.check({"apiVersion": "example.com/v1", "kind": "Widget", "bogus": 1}) is None
    assert schema.check({"apiVersion": "apps/v0", "kind": "Deployment", "bogus": 1}) is None
    assert schema.is_known("apps/v1", "Deployment")
    assert not schema.is_known("example.com/v1", "Widget")


def test_free_form_fields_accept_anything() -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"},
                    "scope": "Namespaced",
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {
                                      "type": "object", "default": {"any": ["thing", 1]},
                                      "x-kubernetes-preserve-unknown-fields": True}}}]}}
    assert schema.check(crd) is None


def test_dotted() -> None:
    assert schema.dotted(("spec", "containers", 0, "image")) == "spec.containers[0].image"
    assert schema.dotted(()) == ""
