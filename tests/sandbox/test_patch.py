"""PATCH bodies are applied, and refused, as kube-apiserver applies and refuses them.

JSON patch cases include RFC 6902 appendix A, merge patch cases RFC 7386 appendix A; strategic
merge patch cases run on a real Deployment schema and on the ``MergeItem`` type of
apimachinery's own strategicpatch tests, whose expected results they reuse.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from gitsync.sandbox.errors import ApiError
from gitsync.sandbox.patch import (
    MAX_JSON_PATCH_OPERATIONS,
    json_patch,
    merge_patch,
    strategic_merge_patch,
)
from gitsync.sandbox.schema import GVK, Node, builtin_registry

GENERIC_422 = "the server rejected our request due to an error in our request"
ABSENT = object()
CONTAINERS = ("spec", "template", "spec", "containers")
POD = ("spec", "template", "spec")


@cache
def deployment_schema() -> Node:
    node = builtin_registry().root(GVK("apps", "v1", "Deployment"))
    assert node is not None
    return node


# The MergeItem struct of k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go.
_ITEM_REF = {"$ref": "#/$defs/MergeItem"}
_MERGE_ITEM_DEFS: dict[str, Any] = {"MergeItem": {"type": "object", "properties": {
    "name": {"type": "string"},
    "value": {"type": "string"},
    "other": {"type": "string"},
    "mergingList": {"type": "array", "items": _ITEM_REF, "x-kubernetes-patch-strategy": "merge",
                    "x-kubernetes-patch-merge-key": "name"},
    "nonMergingList": {"type": "array", "items": _ITEM_REF},
    "mergingIntList": {"type": "array", "items": {"type": "integer"},
                       "x-kubernetes-patch-strategy": "merge"},
    "nonMergingIntList": {"type": "array", "items": {"type": "integer"}},
    "simpleMap": {"type": "object", "additionalProperties": {"type": "string"}},
}}}
MERGE_ITEM = Node(_MERGE_ITEM_DEFS["MergeItem"], _MERGE_ITEM_DEFS)


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "fe"},
                     "finalizers": ["a.io/x", "b.io/y"]},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {"spec": {
                "containers": [
                    {"name": "app", "image": "app:1", "args": ["--a", "--b"],
                     "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                     "ports": [{"containerPort": 80, "protocol": "TCP"}]},
                    {"name": "sidecar", "image": "side:1"},
                ],
                "tolerations": [{"key": "k", "operator": "Exists"}],
                "volumes": [{"name": "data", "emptyDir": {}}],
            }},
        },
    }


def at(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if key not in doc:
            return ABSENT
        doc = doc[key]
    return doc


def without(doc: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    parent = at(doc, path[:-1])
    if parent is not ABSENT:
        parent.pop(path[-1], None)
    return doc


def app(**changes: Any) -> dict[str, Any]:
    """The ``app`` container of :func:`deployment`, with some fields changed."""
    container: dict[str, Any] = deployment()["spec"]["template"]["spec"]["containers"][0]
    container.update(changes)
    return container


SIDECAR = {"name": "sidecar", "image": "side:1"}


# --- RFC 6902 ------------------------------------------------------------------------------

RFC6902 = {"baz": "qux", "foo": ["a", 2, "c"]}


@pytest.mark.parametrize(("doc", "ops", "expected"), [
    pytest.param({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}],
                 {"baz": "qux", "foo": "bar"}, id="A.1-add-object-member"),
    pytest.param({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}],
                 {"foo": ["bar", "qux", "baz"]}, id="A.2-add-array-element"),
    pytest.param({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}],
                 {"foo": "bar"}, id="A.3-remove-object-member"),
    pytest.param({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}],
                 {"foo": ["bar", "baz"]}, id="A.4-remove-array-element"),
    pytest.param({"baz": "qux", "foo": "bar"},
                 [{"op": "replace", "path": "/baz", "value": "boo"}],
                 {"baz": "boo", "foo": "bar"}, id="A.5-replace-value"),
    pytest.param({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
                 [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
                 {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
                 id="A.6-move-value"),
    pytest.param({"foo": ["all", "grass", "cows", "eat"]},
                 [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
                 {"foo": ["all", "cows", "eat", "grass"]}, id="A.7-move-array-element"),
    pytest.param(RFC6902, [{"op": "test", "path": "/baz", "value": "qux"},
                           {"op": "test", "path": "/foo/1", "value": 2}],
                 RFC6902, id="A.8-test-success"),
    pytest.param({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
                 {"foo": "bar", "child": {"grandchild": {}}}, id="A.10-add-nested-object"),
    pytest.param({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
                 {"foo": "bar", "baz": "qux"}, id="A.11-ignore-unrecognized-members"),
    pytest.param({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}],
                 {"/": 9, "~1": 10}, id="A.14-escape-ordering"),
    pytest.param({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
                 {"foo": ["bar", ["abc", "def"]]}, id="A.16-add-array-value"),
    pytest.param({"a": {"b": [1]}}, [{"op": "copy", "from": "/a", "path": "/c"}],
                 {"a": {"b": [1]}, "c": {"b": [1]}}, id="copy"),
    pytest.param({"metadata": {"annotations": {}}},
                 [{"op": "add", "path": "/metadata/annotations/example.com~1owner~0x",
                   "value": "me"}],
                 {"metadata": {"annotations": {"example.com/owner~x": "me"}}},
                 id="pointer-escapes-in-annotation-key"),
    pytest.param({"a": [1]}, [{"op": "add", "path": "/a/1", "value": 2}], {"a": [1, 2]},
                 id="add-at-length-appends"),
    pytest.param({"a": [1, 2, 3]}, [{"op": "remove", "path": "/a/-1"}], {"a": [1, 2]},
                 id="negative-index-counts-from-end-like-evanphx"),
    pytest.param({"a": 1}, [{"op": "add", "path": "/a", "value": {"x": None}}],
                 {"a": {"x": None}}, id="add-replaces-existing-member"),
    pytest.param({"a": [0, 1]}, [{"op": "test", "path": "/a", "value": [0, 1.0]}],
                 {"a": [0, 1]}, id="test-compares-numbers-by-value"),
    pytest.param({"spec": {"replicas": 1}},
                 [{"op": "replace", "path": "/spec/replicas", "value": 3},
                  {"op": "test", "path": "/spec/replicas", "value": 3}],
                 {"spec": {"replicas": 3}}, id="operations-apply-in-order"),
    pytest.param({"a": 1}, None, {"a": 1}, id="null-body-is-an-empty-patch"),
])
def test_json_patch(doc: Any, ops: Any, expected: Any) -> None:
    assert json_patch(doc, ops) == expected


@pytest.mark.parametrize(("doc", "ops"), [
    pytest.param({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}],
                 id="A.9-test-failure"),
    pytest.param({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}],
                 id="A.12-add-to-nonexistent-target"),
    pytest.param({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}],
                 id="A.15-string-is-not-number"),
    pytest.param({"a": True}, [{"op": "test", "path": "/a", "value": 1}],
                 id="test-true-is-not-1"),
    pytest.param({"a": 1}, [{"op": "remove", "path": "/b"}], id="remove-missing-key"),
    pytest.param({"a": 1}, [{"op": "replace", "path": "/b", "value": 2}],
                 id="replace-missing-key"),
    pytest.param({"a": [1]}, [{"op": "add", "path": "/a/5", "value": 2}],
                 id="index-out-of-range"),
    pytest.param({"a": [1]}, [{"op": "remove", "path": "/a/-"}], id="dash-only-for-add"),
    pytest.param({"a": [1]}, [{"op": "add", "path": "/a/x", "value": 2}],
                 id="index-not-a-number"),
    pytest.param({"a": 1}, [{"op": "move", "from": "/b", "path": "/c"}], id="move-from-missing"),
    pytest.param({"a": 1}, [{"op": "frobnicate", "path": "/a"}], id="unknown-op"),
    pytest.param({"a": 1}, [{"op": "add", "value": 1}], id="missing-path"),
    pytest.param({"a": 1}, [{"op": "replace", "path": "", "value": {}}],
                 id="root-pointer-unsupported-like-evanphx-v4"),
    pytest.param({"a": 1}, [None], id="null-operation"),
])
def test_json_patch_failure_is_opaque_422(doc: Any, ops: Any) -> None:
    before = copy.deepcopy(doc)
    with pytest.raises(ApiError) as info:
        json_patch(doc, ops)
    err = info.value
    assert (err.code, err.reason, err.message, err.details) == (422, "Invalid", GENERIC_422, {})
    assert err.__cause__ is not None  # the real reason stays available to logs
    assert doc == before


@pytest.mark.parametrize(("ops", "code", "reason", "message"), [
    pytest.param({"op": "add"}, 400, "BadRequest",
                 "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
                 id="body-is-object"),
    pytest.param("[]", 400, "BadRequest",
                 "json: cannot unmarshal string into Go value of type jsonpatch.Patch",
                 id="body-is-string"),
    pytest.param([1], 400, "BadRequest",
                 "json: cannot unmarshal number into Go value of type jsonpatch.Operation",
                 id="operation-is-number"),
    pytest.param([{"op": "test", "path": "/a", "value": 1}] * (MAX_JSON_PATCH_OPERATIONS + 1),
                 413, "RequestEntityTooLarge",
                 "Request entity too large: The allowed maximum operations in a JSON patch "
                 "is 10000, got 10001", id="too-many-operations"),
])
def test_json_patch_malformed_body(ops: Any, code: int, reason: str, message: str) -> None:
    with pytest.raises(ApiError) as info:
        json_patch({"a": 1}, ops)
    assert (info.value.code, info.value.reason, info.value.message) == (code, reason, message)


# --- RFC 7386 ------------------------------------------------------------------------------


@pytest.mark.parametrize(("doc", "patch", "expected"), [
    pytest.param({"a": "b"}, {"a": "c"}, {"a": "c"}, id="A-1"),
    pytest.param({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}, id="A-2"),
    pytest.param({"a": "b"}, {"a": None}, {}, id="A-3"),
    pytest.param({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}, id="A-4"),
    pytest.param({"a": ["b"]}, {"a": "c"}, {"a": "c"}, id="A-5"),
    pytest.param({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}, id="A-6"),
    pytest.param({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}, id="A-7"),
    pytest.param({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}, id="A-8"),
    pytest.param(["a", "b"], ["c", "d"], ["c", "d"], id="A-9"),
    pytest.param({"a": "b"}, ["c"], ["c"], id="A-10"),
    pytest.param({"e": None}, {"a": 1}, {"e": None, "a": 1}, id="A-13"),
    pytest.param([1, 2], {"a": "b", "c": None}, {"a": "b"}, id="A-14"),
    pytest.param({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}, id="A-15"),
    pytest.param({"metadata": {"name": "web", "labels": {"app": "web", "tier": "fe"}}},
                 {"metadata": {"labels": {"tier": None, "v": "2"}}},
                 {"metadata": {"name": "web", "labels": {"app": "web", "v": "2"}}},
                 id="labels-merge-null-deletes"),
    pytest.param({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}},
                 {"spec": {"containers": [{"name": "c"}]}},
                 {"spec": {"containers": [{"name": "c"}]}}, id="lists-are-replaced"),
    pytest.param({}, {"a": [{"b": None, "c": 1}, None]}, {"a": [{"c": 1}, None]},
                 id="evanphx-prunes-members-not-elements-in-new-arrays"),
    pytest.param({"a": {"b": 1}}, {"a": [{"c": None}]}, {"a": [{"c": None}]},
                 id="evanphx-keeps-nulls-when-array-replaces-object"),
])
def test_merge_patch(doc: Any, patch: Any, expected: Any) -> None:
    assert merge_patch(doc, patch) == expected


@pytest.mark.parametrize("patch", [
    pytest.param(None, id="A-11-null-patch"),
    pytest.param("bar", id="A-12-string-patch"),
    pytest.param(5, id="number-patch"),
])
def test_merge_patch_that_is_no_object_is_400(patch: Any) -> None:
    with pytest.raises(ApiError) as info:
        merge_patch({"a": "foo"}, patch)
    assert (info.value.code, info.value.reason, info.value.message) == (
        400, "BadRequest", "Invalid JSON Patch")


# --- strategic merge patch on a Deployment ---------------------------------------------------


@pytest.mark.parametrize(("patch", "path", "expected"), [
    pytest.param({"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "app:2"}]}}}},
        CONTAINERS, [app(image="app:2"), SIDECAR], id="containers-merge-by-name"),
    pytest.param({"spec": {"template": {"spec": {"containers": [
        {"name": "new", "image": "n:1"}]}}}},
        CONTAINERS, [{"name": "new", "image": "n:1"}, app(), SIDECAR],
        id="new-container-goes-first"),
    pytest.param({"spec": {"template": {"spec": {"containers": [
        {"name": "app", "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]}]}}}},
        CONTAINERS, [app(env=[{"name": "A", "value": "1"}, {"name": "B", "value": "3"},
                              {"name": "C", "value": "4"}]), SIDECAR],
        id="env-merge-by-name"),
    pytest.param({"spec": {"template": {"spec": {"containers": [
        {"name": "app", "ports": [{"containerPort": 443}, {"containerPort": 80, "name": "h"}]}]}}}},
        CONTAINERS, [app(ports=[{"containerPort": 443},
                                {"containerPort": 80, "protocol": "TCP", "name": "h"}]), SIDECAR],
        id="ports-merge-by-containerPort"),
    pytest.param({"spec": {"template": {"spec": {"containers": [
        {"name": "app", "args": ["--c"]}]}}}},
        CONTAINERS, [app(args=["--c"]), SIDECAR], id="atomic-args-replaced"),
    pytest.param({"spec": {"template": {"spec": {"tolerations": [{"key": "other"}]}}}},
                 (*POD, "tolerations"), [{"key": "other"}], id="atomic-list-of-maps-replaced"),
    pytest.param({"metadata": {"finalizers": ["c.io/z", "a.io/x"]}},
                 ("metadata", "finalizers"), ["c.io/z", "a.io/x", "b.io/y"],
                 id="finalizers-union-patch-items-first"),
    pytest.param({"metadata": {"labels": {"tier": None, "v": "2"}}},
                 ("metadata", "labels"), {"app": "web", "v": "2"}, id="null-deletes-map-key"),
    pytest.param({"spec": {"strategy": {"rollingUpdate": None}}},
                 ("spec", "strategy"), {"type": "RollingUpdate"}, id="null-deletes-field"),
    pytest.param({"spec": {"paused": None}}, ("spec", "paused"), ABSENT,
                 id="null-for-absent-field-leaves-nothing"),
    pytest.param({"spec": {"replicas": 5}}, ("spec", "replicas"), 5, id="scalar-replaced"),
    pytest.param({"metadata": {"annotations": {"a": "1", "gone": None}}},
                 ("metadata", "annotations"), {"a": "1"}, id="new-map-loses-nulls"),
    pytest.param({"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "$patch": "delete"}]}}}},
        CONTAINERS, [app()], id="patch-delete-list-element"),
    pytest.param({"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "ignored", "$patch": "delete"}]}}}},
        CONTAINERS, [SIDECAR], id="patch-delete-needs-only-the-merge-key"),
    pytest.param({"spec": {"template": {"spec": {"containers": [
        {"$patch": "replace"}, {"name": "only", "image": "o:1", "stdin": None}]}}}},
        CONTAINERS, [{"name": "only", "image": "o:1"}], id="patch-replace-list"),
    pytest.param({"metadata": {"labels": {"$patch": "replace", "new": "x"}}},
                 ("metadata", "labels"), {"new": "x"}, id="patch-replace-map"),
    pytest.param({"metadata": {"labels": {"$patch": "delete"}}},
                 ("metadata", "labels"), {}, id="patch-delete-map-leaves-empty-map"),
    pytest.param({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
                 ("spec", "strategy"), {"type": "Recreate"}, id="retainKeys-on-strategy"),
    pytest.param({"spec": {"template": {"spec": {"volumes": [
        {"name": "data", "$retainKeys": ["configMap", "name"], "configMap": {"name": "cfg"}}]}}}},
        (*POD, "volumes"), [{"name": "data", "configMap": {"name": "cfg"}}],
        id="retainKeys-on-volume-source"),
    pytest.param({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a.io/x"]}},
                 ("metadata", "finalizers"), ["b.io/y"], id="deleteFromPrimitiveList"),
    pytest.param({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}]}}}},
        CONTAINERS, [SIDECAR, app()], id="setElementOrder-alone-reorders"),
    pytest.param({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}],
        "containers": [{"name": "app", "image": "app:2"}]}}}},
        CONTAINERS, [SIDECAR, app(image="app:2")], id="setElementOrder-with-changes"),
    pytest.param({"metadata": {"$setElementOrder/finalizers": ["b.io/y", "c.io/z"],
                               "$deleteFromPrimitiveList/finalizers": ["a.io/x"],
                               "finalizers": ["c.io/z"]}},
                 ("metadata", "finalizers"), ["b.io/y", "c.io/z"],
                 id="kubectl-apply-style-primitive-list"),
    pytest.param({"spec": {"template": {"spec": {"containers": [
        {"name": "new", "resources": None,
         "securityContext": {"$patch": "replace", "runAsUser": 1}}]}}}},
        CONTAINERS, [{"name": "new", "securityContext": {"runAsUser": 1}}, app(), SIDECAR],
        id="new-element-loses-nulls-and-directives"),
    pytest.param({"spec": {"template": {"spec": {"securityContext": {
        "$patch": "replace", "runAsUser": 1}}}}},
        (*POD, "securityContext"), ABSENT, id="absent-field-with-patch-is-dropped"),
    pytest.param({"spec": {"template": {"spec": {"containers": [
        {"name": "app", "env": [{"name": "A", "$patch": "delete"}]}]}}}},
        CONTAINERS, [app(env=[{"name": "B", "value": "2"}]), SIDECAR],
        id="nested-list-element-delete"),
    pytest.param({"spec": {"template": {"spec": {"containers": {"name": "app"}}}}},
                 CONTAINERS, {"name": "app"}, id="type-change-replaces"),
    pytest.param(None, ("spec",), deployment()["spec"], id="null-body-is-no-op"),
])
def test_strategic_merge_patch_deployment(patch: Any, path: tuple[str, ...],
                                          expected: Any) -> None:
    original = deployment()
    result = strategic_merge_patch(original, patch, deployment_schema())
    assert at(result, path) == expected
    assert without(result, path) == without(original, path)  # nothing else moved
    assert original == deployment()


def test_patch_delete_removes_every_duplicate() -> None:
    original = deployment()
    original["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "A"})
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "env": [{"name": "A", "$patch": "delete"}]}]}}}}
    result = strategic_merge_patch(original, patch, deployment_schema())
    assert at(result, CONTAINERS)[0]["env"] == [{"name": "B", "value": "2"}]


def test_without_schema_strategic_is_merge_patch() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "x"}]}}}}
    result = strategic_merge_patch(deployment(), patch, None)
    assert at(result, CONTAINERS) == [{"name": "x"}]
    assert result == merge_patch(deployment(), patch)


# --- strategic merge patch: apimachinery's own test cases -----------------------------------


@pytest.mark.parametrize(("original", "patch", "expected"), [
    pytest.param({"mergingIntList": [1, 2]}, {"mergingIntList": [2, 3]},
                 {"mergingIntList": [1, 2, 3]}, id="unique-scalars-when-merging-lists"),
    pytest.param({"mergingList": [{"name": "1"}, {"name": "2"}]},
                 {"mergingList": [{"$patch": "replace"}]}, {"mergingList": []},
                 id="delete-all-items-from-merging-list"),
    pytest.param({"name": "1", "value": "1"}, {"other": "a", "$patch": "replace"},
                 {"other": "a"}, id="add-key-and-delete-all-keys-from-map"),
    pytest.param({"mergingList": [{"name": "1"}, {"name": "2", "value": "b"}, {"name": "3"}]},
                 {"mergingList": [{"name": "3", "value": "c"}, {"name": "1", "value": "a"}]},
                 {"mergingList": [{"name": "2", "value": "b"}, {"name": "3", "value": "c"},
                                  {"name": "1", "value": "a"}]},
                 id="preserve-the-order-from-the-patch-in-a-merging-list-2"),
    pytest.param({"mergingIntList": [1, 2, 3]}, {"mergingIntList": [3, 1]},
                 {"mergingIntList": [2, 3, 1]},
                 id="preserve-the-order-from-the-patch-in-a-merging-int-list"),
    pytest.param({"mergingList": [{"name": "1"}, {"name": "3"}]},
                 {"$setElementOrder/mergingList": [{"name": "3"}, {"name": "2"}, {"name": "1"}],
                  "mergingList": [{"name": "3", "value": "3"}, {"name": "1", "value": "1"}]},
                 {"mergingList": [{"name": "3", "value": "3"}, {"name": "1", "value": "1"}]},
                 id="setElementOrder-contains-item-not-in-list"),
    pytest.param({"mergingList": [{"name": "1", "other": "a"},
                                  {"name": "2", "value": "2", "other": "b"}]},
                 {"$setElementOrder/mergingList": [{"name": "4"}, {"name": "1"}, {"name": "2"},
                                                   {"name": "3"}],
                  "mergingList": [{"name": "4", "value": "4"}, {"name": "3", "value": "3"}]},
                 {"mergingList": [{"name": "4", "value": "4"}, {"name": "1", "other": "a"},
                                  {"name": "2", "value": "2", "other": "b"},
                                  {"name": "3", "value": "3"}]},
                 id="merge-lists-of-maps-three-way"),
    pytest.param({"mergingIntList": [1, 2, 3, 4]},
                 {"$setElementOrder/mergingIntList": [1, 2],
                  "$deleteFromPrimitiveList/mergingIntList": [3]},
                 {"mergingIntList": [1, 2, 4]}, id="delete-items-in-lists-of-scalars-three-way"),
    pytest.param({"mergingIntList": [1, 2, 3]},
                 {"$setElementOrder/mergingIntList": [1, 2, 4],
                  "$deleteFromPrimitiveList/mergingIntList": [3], "mergingIntList": [4]},
                 {"mergingIntList": [1, 2, 4]}, id="add-and-delete-items-in-lists-of-scalars"),
    pytest.param({"simpleMap": {"key1": "1", "key2": "1"}}, {"simpleMap": {"key2": None}},
                 {"simpleMap": {"key1": "1"}}, id="delete-field-from-nested-map"),
    pytest.param({"nonMergingIntList": [1, 2]}, {"nonMergingIntList": [2, 3]},
                 {"nonMergingIntList": [2, 3]}, id="replace-list-of-scalars"),
])
def test_strategic_merge_patch_apimachinery_cases(original: Any, patch: Any,
                                                  expected: Any) -> None:
    assert strategic_merge_patch(original, patch, MERGE_ITEM) == expected


# --- strategic merge patch failures ------------------------------------------------------------


def _containers(*items: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": {"containers": list(items)}}}}


@pytest.mark.parametrize(("patch", "code", "reason", "message"), [
    pytest.param(_containers({"image": "x"}), 400, "BadRequest",
                 "map: map[image:x] does not contain declared merge key: name",
                 id="missing-merge-key"),
    pytest.param({"metadata": {"labels": {"$patch": "merge", "app": "web"}}}, 400, "BadRequest",
                 "unknown patch type: merge in map: map[$patch:merge app:web]",
                 id="patch-merge-in-map-unsupported"),
    pytest.param(_containers({"$patch": "merge"}), 400, "BadRequest",
                 "merging lists cannot yet be specified in the patch",
                 id="patch-merge-in-list-unsupported"),
    pytest.param(_containers({"name": "app", "$patch": "nuke"}), 400, "BadRequest",
                 "unknown patch type: nuke in map: map[$patch:nuke name:app]",
                 id="unknown-list-directive"),
    pytest.param({"metadata": {"finalizers": [1]}}, 400, "BadRequest",
                 "list element types are not identical: [[a.io/x b.io/y] [1]]",
                 id="element-types-differ"),
    pytest.param({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
        "containers": [{"name": "sidecar", "image": "s:2"}, {"name": "app", "image": "a:2"}]}}}},
        400, "BadRequest",
        "the order in patch list:\n[map[image:s:2 name:sidecar] map[image:a:2 name:app]]"
        "\n doesn't match $setElementOrder list:\n[map[name:app] map[name:sidecar]]",
        id="setElementOrder-mismatch"),
    pytest.param({"spec": {"strategy": {"$retainKeys": "type", "type": "Recreate"}}},
                 400, "BadRequest", "invalid patch format of retainKeys",
                 id="retainKeys-not-a-list"),
    pytest.param({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate",
                                        "rollingUpdate": {"maxSurge": 2}}}},
                 400, "BadRequest", "invalid patch format of retainKeys",
                 id="retainKeys-omits-patched-field"),
    pytest.param({"metadata": {"$deleteFromPrimitiveList": ["a.io/x"]}},
                 400, "BadRequest", "invalid patch format of primitive list",
                 id="deleteFromPrimitiveList-without-field"),
    pytest.param({"metadata": {"$setElementOrder": ["a.io/x"]}},
                 400, "BadRequest", "invalid patch format of setElementOrder list",
                 id="setElementOrder-without-field"),
    pytest.param([{"spec": {}}], 400, "BadRequest",
                 "json: cannot unmarshal array into Go value of type map[string]interface {}",
                 id="body-is-array"),
])
def test_strategic_merge_patch_errors(patch: Any, code: int, reason: str, message: str) -> None:
    with pytest.raises(ApiError) as info:
        strategic_merge_patch(deployment(), patch, deployment_schema())
    assert (info.value.code, info.value.reason, info.value.message) == (code, reason, message)


def test_list_of_lists_is_opaque_422() -> None:
    with pytest.raises(ApiError) as info:
        strategic_merge_patch({"mergingIntList": []}, {"mergingIntList": [[1]]}, MERGE_ITEM)
    assert (info.value.code, info.value.reason, info.value.message) == (
        422, "Invalid", GENERIC_422)


def test_malformed_patch_is_a_bad_request_not_a_server_error() -> None:
    # upstream passes these through as a bare 500; a malformed body must never look like that
    with pytest.raises(ApiError) as info:
        strategic_merge_patch(deployment(), _containers({"image": "x"}), deployment_schema())
    status = info.value.status()
    assert status["code"] == 400 and status["reason"] == "BadRequest"


def test_floats_in_messages_print_as_go_does() -> None:
    patch = _containers({"image": "x", "n": 1.5e9, "m": 0.25, "k": 100.0, "t": True, "z": None})
    with pytest.raises(ApiError) as info:
        strategic_merge_patch(deployment(), patch, deployment_schema())
    assert info.value.message == ("map: map[image:x k:100 m:0.25 n:1.5e+09 t:true z:<nil>] "
                                  "does not contain declared merge key: name")


# --- inputs are never touched ------------------------------------------------------------------

APPLIERS: dict[str, Callable[[Any, Any], Any]] = {
    "json": json_patch,
    "merge": merge_patch,
    "strategic": lambda doc, patch: strategic_merge_patch(doc, patch, deployment_schema()),
}


@pytest.mark.parametrize(("kind", "patch"), [
    pytest.param("json", [{"op": "add", "path": "/spec/template/spec/containers/0/env/-",
                           "value": {"name": "C"}},
                          {"op": "remove", "path": "/metadata/labels/tier"}], id="json"),
    pytest.param("merge", {"metadata": {"labels": {"tier": None}}, "spec": {"x": {"y": 1}}},
                 id="merge"),
    pytest.param("strategic", {"metadata": {"labels": {"tier": None}},
                               "spec": {"template": {"spec": {"containers": [
                                   {"name": "app", "env": [{"name": "C"}]},
                                   {"name": "new", "env": [{"name": "D"}]}]}}}},
                 id="strategic"),
])
def test_inputs_are_not_mutated_nor_shared(kind: str, patch: Any) -> None:
    original, body = deployment(), copy.deepcopy(patch)
    result = APPLIERS[kind](original, body)
    assert original == deployment() and body == patch

    def scribble(node: Any) -> None:
        if isinstance(node, dict):
            for value in list(node.values()):
                scribble(value)
            node["scribbled"] = True
        elif isinstance(node, list):
            for value in node:
                scribble(value)
            node.append("scribbled")

    scribble(result)
    assert original == deployment() and body == patch
