"""Merge keys from kubernetes_validate's _definitions.json, and from a hand-written schema."""

from __future__ import annotations

import pytest

from gitsync.diff.schema_keys import SchemaListKeys, list_keys_from_definitions

POD = ("spec", "template", "spec")
LOOKUPS = [
    ("containers", "apps/v1", "Deployment", (*POD, "containers"), ("name",)),
    ("container-ports", "apps/v1", "Deployment", (*POD, "containers", "ports"),
     ("containerPort", "protocol")),
    ("env", "apps/v1", "StatefulSet", (*POD, "initContainers", "env"), ("name",)),
    ("volumes", "apps/v1", "DaemonSet", (*POD, "volumes"), ("name",)),
    ("volume-mounts", "batch/v1", "Job", (*POD, "containers", "volumeMounts"), ("mountPath",)),
    ("cronjob-containers", "batch/v1", "CronJob",
     ("spec", "jobTemplate", "spec", "template", "spec", "containers"), ("name",)),
    ("service-ports", "v1", "Service", ("spec", "ports"), ("port", "protocol")),
    ("pod-containers", "v1", "Pod", ("spec", "containers"), ("name",)),
    ("finalizers-are-a-set", "v1", "ConfigMap", ("metadata", "finalizers"), ()),
    ("args-are-atomic", "apps/v1", "Deployment", (*POD, "containers", "args"), None),
    ("role-rules-atomic", "rbac.authorization.k8s.io/v1", "Role", ("rules",), None),
    ("not-a-list", "apps/v1", "Deployment", ("spec", "replicas"), None),
    ("unknown-field", "apps/v1", "Deployment", ("spec", "nosuch", "x"), None),
    ("unknown-kind", "example.com/v1", "Widget", ("spec", "items"), None),
]


@pytest.mark.parametrize(("api_version", "kind", "path", "keys"), [c[1:] for c in LOOKUPS],
                         ids=[c[0] for c in LOOKUPS])
def test_lookup(schema_keys: SchemaListKeys, api_version: str, kind: str,
                path: tuple[str, ...], keys: tuple[str, ...] | None) -> None:
    assert schema_keys(api_version, kind, path) == keys


def test_hand_written_definitions() -> None:
    defs = {"definitions": {
        "w.Widget": {"x-kubernetes-group-version-kind": [
            {"group": "example.com", "version": "v1", "kind": "Widget"}],
            "properties": {"spec": {"$ref": "#/definitions/w.Spec"}}},
        "w.Spec": {"properties": {
            "routes": {"type": "array", "items": {"$ref": "#/definitions/w.Route"},
                       "x-kubernetes-patch-strategy": "merge",
                       "x-kubernetes-patch-merge-key": "host"},
            "tags": {"type": "array", "x-kubernetes-patch-strategy": "merge"},
            "byZone": {"type": "object", "additionalProperties": {
                "type": "array", "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"]}}}},
        "w.Route": {"properties": {"host": {"type": "string"}}}}}
    keys = list_keys_from_definitions(defs)
    assert keys("example.com/v1", "Widget", ("spec", "routes")) == ("host",)
    assert keys("example.com/v1", "Widget", ("spec", "tags")) == ()
    assert keys("example.com/v1", "Widget", ("spec", "byZone", "eu-west-1")) == ("name",)
    assert keys("example.com/v2", "Widget", ("spec", "routes")) is None
