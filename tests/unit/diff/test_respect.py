"""RespectIgnoreDifferences: ignored fields keep their live values in what gets applied."""

from __future__ import annotations

from typing import Any

import pytest

from gitsync.diff import IgnoreRules
from gitsync.diff.respect import respect_ignored
from gitsync.model.application import IgnoreDifference
from gitsync.model.resource import ResourceKey

KEY = ResourceKey("apps", "Deployment", "shop", "api")


def deploy(replicas: int, image: str = "api:1", sidecar: str | None = None) -> dict[str, Any]:
    containers = [{"name": "api", "image": image}]
    if sidecar:
        containers.append({"name": "proxy", "image": sidecar})
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "api", "namespace": "shop"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": containers}}},
            "status": {"replicas": replicas}}


@pytest.mark.parametrize(
    ("rule", "desired", "live", "expected"),
    [
        (IgnoreDifference(kind="Deployment", group="apps", json_pointers=("/spec/replicas",)),
         deploy(2), deploy(5), deploy(5)),
        (IgnoreDifference(kind="Deployment", group="apps",
                          json_pointers=("/spec/template/spec/containers/0/image",)),
         deploy(2, "api:2"), deploy(2, "api:1"), deploy(2, "api:1")),
        (IgnoreDifference(kind="Deployment", group="apps", jq_path_expressions=(
            '.spec.template.spec.containers[] | select(.name == "proxy") | .image',)),
         deploy(2, "api:2", "proxy:2"), deploy(2, "api:1", "proxy:1"),
         deploy(2, "api:2", "proxy:1")),
        (IgnoreDifference(kind="Service", json_pointers=("/spec/replicas",)),
         deploy(2), deploy(5), deploy(2)),
        (IgnoreDifference(kind="Deployment", group="apps", json_pointers=("/status",)),
         deploy(2), deploy(5), deploy(2)),
    ],
    ids=["pointer", "pointer-into-list", "jq-select", "rule-for-other-kind", "status-never"],
)
def test_respect_ignored(rule: IgnoreDifference, desired: dict[str, Any],
                         live: dict[str, Any], expected: dict[str, Any]) -> None:
    with IgnoreRules.compile([rule]) as rules:
        out = respect_ignored(desired, live, rules.for_resource(KEY))
    if rule.kind == "Deployment" and "/status" not in rule.json_pointers:
        expected["status"] = desired["status"]
    assert out == expected


def test_reordered_list_is_left_alone() -> None:
    rule = IgnoreDifference(kind="Deployment", group="apps",
                            json_pointers=("/spec/template/spec/containers/0/image",))
    desired = deploy(2, "api:2", "proxy:2")
    live = deploy(2, "api:1", "proxy:1")
    live["spec"]["template"]["spec"]["containers"].reverse()
    with IgnoreRules.compile([rule]) as rules:
        assert respect_ignored(desired, live, rules.for_resource(KEY)) == desired
