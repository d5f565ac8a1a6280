"""Diffs between two history entries' manifests."""

from __future__ import annotations

from typing import Any

import pytest

from gitsync.errors import InvalidInputError
from gitsync.history import diff_entries, render_changes
from gitsync.history.diff import summary
from gitsync.model import ResourceKey
from tests.unit.history.factories import configmap, deployment, entry


def service() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "shop"}, "spec": {"ports": [{"port": 80}]}}


def test_added_removed_and_modified_sorted_by_key() -> None:
    a = entry(3, deployment("nginx:1.27"), configmap())
    b = entry(5, deployment("nginx:1.28"), service())
    changes = diff_entries(a, b)
    assert [(c.key, c.change) for c in changes] == [
        (ResourceKey("", "ConfigMap", "shop", "web-config"), "removed"),
        (ResourceKey("", "Service", "shop", "web"), "added"),
        (ResourceKey("apps", "Deployment", "shop", "web"), "modified"),
    ]
    assert summary(changes) == {"added": 1, "removed": 1, "modified": 1}


def test_a_modification_is_a_yaml_unified_diff() -> None:
    a = entry(3, deployment("nginx:1.27"))
    b = entry(5, deployment("nginx:1.28", replicas=3))
    [change] = diff_entries(a, b)
    assert change.diff == (
        "--- Deployment/shop/web (entry 3)\n"
        "+++ Deployment/shop/web (entry 5)\n"
        "@@ -6,9 +6,9 @@\n"
        "   name: web\n"
        "   namespace: shop\n"
        " spec:\n"
        "-  replicas: 2\n"
        "+  replicas: 3\n"
        "   template:\n"
        "     spec:\n"
        "       containers:\n"
        "-      - image: nginx:1.27\n"
        "+      - image: nginx:1.28\n"
        "         name: web\n")


def test_an_added_resource_shows_in_full() -> None:
    [change] = diff_entries(entry(1, deployment()), entry(2, deployment(), service()))
    assert change.diff.splitlines()[2:] == [
        "@@ -0,0 +1,8 @@", "+apiVersion: v1", "+kind: Service", "+metadata:", "+  name: web",
        "+  namespace: shop", "+spec:", "+  ports:", "+  - port: 80"]


def test_render_puts_a_header_before_each_diff() -> None:
    text = render_changes(diff_entries(entry(1, configmap()), entry(2, service())))
    headers = [line for line in text.splitlines() if line.startswith("===")]
    assert headers == ["=== removed ConfigMap/shop/web-config", "=== added Service/shop/web"]


def test_identical_entries_have_no_changes() -> None:
    assert diff_entries(entry(1), entry(2)) == []


def test_entries_without_manifests_cannot_be_diffed() -> None:
    with pytest.raises(InvalidInputError, match=r"^history entry 1 has no stored manifests"):
        diff_entries(entry(1).without_manifests(), entry(2))
