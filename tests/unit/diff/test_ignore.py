"""ignoreDifferences: every JSON-pointer and jq form, matching, compile and run errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gitsync.diff.ignore import IgnoreRuleError, IgnoreRules
from gitsync.model.application import IgnoreDifference
from gitsync.model.resource import ResourceKey

from .conftest import DELETE, edit, load

KEY = ResourceKey("apps", "Deployment", "shop", "web")
C = "spec.template.spec.containers"

POINTERS = [
    ("field", "/spec/replicas", {"spec.replicas": DELETE}),
    ("escaped-slash", "/metadata/annotations/deployment.kubernetes.io~1revision",
     {"metadata|annotations|deployment.kubernetes.io/revision": DELETE}),
    ("list-index-field", "/spec/template/spec/containers/0/image", {f"{C}.0.image": DELETE}),
    ("list-item", "/spec/template/spec/containers/2", {f"{C}.2": DELETE}),
    ("map-key", "/metadata/labels/tier", {"metadata.labels.tier": DELETE}),
    ("whole-status", "/status", {"status": DELETE}),
    ("escaped-tilde", "/metadata/labels/a~0b", {"metadata.labels.a~b": DELETE}),
    ("tilde-then-one", "/metadata/labels/a~01", {"metadata.labels.a~1": DELETE}),
    ("missing-path", "/spec/missing/deep", {}),
    ("index-out-of-range", "/spec/template/spec/containers/9/image", {}),
    ("past-the-end", "/spec/template/spec/containers/-", {}),
    ("leading-zero-is-no-index", "/spec/template/spec/containers/01", {}),
    ("through-a-scalar", "/spec/replicas/x", {}),
]


def _target() -> Any:
    obj = load("deployment-live")
    obj["metadata"]["labels"].update({"a~b": "1", "a~1": "2"})
    return obj


@pytest.mark.parametrize(("pointer", "removed"), [p[1:] for p in POINTERS],
                         ids=[p[0] for p in POINTERS])
def test_json_pointer_forms(pointer: str, removed: dict[str, Any]) -> None:
    rules = IgnoreRules.compile([IgnoreDifference(kind="Deployment", group="apps",
                                                  json_pointers=(pointer,))])
    obj = _target()
    assert rules.for_resource(KEY).apply(obj) == edit(obj, removed)


JQ = [
    ("field", ".spec.replicas", {"spec.replicas": DELETE}),
    ("quoted-key", '.metadata.annotations."deployment.kubernetes.io/revision"',
     {"metadata|annotations|deployment.kubernetes.io/revision": DELETE}),
    ("bracket-key", '.metadata.annotations["deployment.kubernetes.io/revision"]',
     {"metadata|annotations|deployment.kubernetes.io/revision": DELETE}),
    ("select-then-field", '.spec.template.spec.containers[] | select(.name == "web") | .image',
     {f"{C}.0.image": DELETE}),
    ("select-whole-item", '.spec.template.spec.containers[] | select(.name == "istio-proxy")',
     {f"{C}.2": DELETE}),
    ("every-item", ".spec.template.spec.containers[].terminationMessagePolicy",
     {f"{C}.0.terminationMessagePolicy": DELETE, f"{C}.1.terminationMessagePolicy": DELETE}),
    ("select-startswith", '.spec.template.spec.containers[] | select(.image | '
                          'startswith("istio/"))', {f"{C}.2": DELETE}),
    ("optional-iteration", '.spec.template.spec.containers[]?.env[]? | select(.name == "LOG")',
     {f"{C}.0.env.0": DELETE}),
    ("index", ".spec.template.spec.containers[0].args", {f"{C}.0.args": DELETE}),
    ("comma-two-paths", ".metadata.labels.tier, .spec.replicas",
     {"metadata.labels.tier": DELETE, "spec.replicas": DELETE}),
    ("pipe", ".spec.strategy.rollingUpdate | .maxSurge",
     {"spec.strategy.rollingUpdate.maxSurge": DELETE}),
    ("recursive", '.. | objects | select(has("imagePullPolicy")) | .imagePullPolicy',
     {f"{C}.0.imagePullPolicy": DELETE, f"{C}.1.imagePullPolicy": DELETE}),
    ("missing-list-is-no-match", '.spec.template.spec.initContainers[] | select(.name == "x")',
     {}),
    ("missing-field", ".spec.paused", {}),
    ("webhook-ca-bundle-absent", ".webhooks[]?.clientConfig.caBundle", {}),
]


@pytest.fixture(scope="module")
def jq_rules() -> Iterator[IgnoreRules]:
    """One rule per jq form, all in one compiled set (one worker process)."""
    rules = IgnoreRules.compile(IgnoreDifference(kind="Deployment", group="apps", name=f"r{i}",
                                                 jq_path_expressions=(expr,))
                                for i, (_, expr, _) in enumerate(JQ))
    yield rules
    rules.close()


@pytest.mark.parametrize(("index", "removed"), [(i, j[2]) for i, j in enumerate(JQ)],
                         ids=[j[0] for j in JQ])
def test_jq_forms(jq_rules: IgnoreRules, index: int, removed: dict[str, Any]) -> None:
    obj = load("deployment-live")
    key = ResourceKey("apps", "Deployment", "shop", f"r{index}")
    assert jq_rules.for_resource(key).apply(obj) == edit(obj, removed)


def test_jq_on_a_list_of_webhooks_in_process() -> None:
    rules = IgnoreRules.compile([IgnoreDifference(
        kind="MutatingWebhookConfiguration", group="admissionregistration.k8s.io",
        jq_path_expressions=(".webhooks[]?.clientConfig.caBundle",))], jq_timeout=None)
    obj = {"webhooks": [{"name": "a", "clientConfig": {"caBundle": "Q0E=", "url": "u"}}]}
    key = ResourceKey("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "", "w")
    assert rules.for_resource(key).apply(obj) == {
        "webhooks": [{"name": "a", "clientConfig": {"url": "u"}}]}


MATCHING = [
    ("exact", {"group": "apps", "kind": "Deployment"}, True),
    ("everything", {"group": "*", "kind": "*"}, True),
    ("empty-group-is-core-only", {"kind": "Deployment"}, False),
    ("other-group", {"group": "batch", "kind": "Deployment"}, False),
    ("kind-prefix-glob", {"group": "apps", "kind": "Deploy*"}, True),
    ("kind-alternatives", {"group": "apps", "kind": "{StatefulSet,Deployment}"}, True),
    ("single-char-glob", {"group": "app?", "kind": "Deployment"}, True),
    ("char-class", {"group": "[a-c]pps", "kind": "Deployment"}, True),
    ("negated-class", {"group": "[!a]pps", "kind": "Deployment"}, False),
    ("globs-are-case-sensitive", {"group": "apps", "kind": "deployment"}, False),
    ("name-matches", {"group": "apps", "kind": "*", "name": "web"}, True),
    ("name-differs", {"group": "apps", "kind": "*", "name": "api"}, False),
    ("namespace-matches", {"group": "*", "kind": "*", "namespace": "shop"}, True),
    ("namespace-differs", {"group": "*", "kind": "*", "namespace": "prod"}, False),
]


@pytest.mark.parametrize(("fields", "matches"), [m[1:] for m in MATCHING],
                         ids=[m[0] for m in MATCHING])
def test_rule_matching(fields: dict[str, str], matches: bool) -> None:
    rules = IgnoreRules.compile([IgnoreDifference(**fields, json_pointers=("/spec",))])
    assert bool(rules.for_resource(KEY)) is matches


@pytest.mark.parametrize(("group", "kind", "matches"), [
    ("", "Service", True), ("apps", "Service", False), ("*", "Service", True)],
    ids=["core-resource", "apps-resource", "star-group-covers-core"])
def test_core_group(group: str, kind: str, matches: bool) -> None:
    rules = IgnoreRules.compile([IgnoreDifference(kind="Service", group="",
                                                  json_pointers=("/spec",))])
    rules_star = IgnoreRules.compile([IgnoreDifference(kind="Service", group="*",
                                                       json_pointers=("/spec",))])
    chosen = rules_star if group == "*" else rules
    key = ResourceKey("" if group == "*" else group, kind, "shop", "web")
    assert bool(chosen.for_resource(key)) is matches


INVALID = [
    ("pointer-without-slash", {"json_pointers": ("spec/replicas",)},
     'ignoreDifferences[1] (apps/Deployment): jsonPointers[0] "spec/replicas"'),
    ("empty-pointer", {"json_pointers": ("",)}, "jsonPointers[0]"),
    ("bad-escape", {"json_pointers": ("/a/b~2c",)}, '"~" must be followed by 0 or 1'),
    ("jq-syntax", {"jq_path_expressions": (".spec.replicas[",)},
     'ignoreDifferences[1] (apps/Deployment): jqPathExpressions[0] ".spec.replicas["'),
    ("jq-unknown-function", {"jq_path_expressions": (".spec | nosuch",)}, "nosuch/0"),
    ("second-expression", {"jq_path_expressions": (".a", ".b | (")}, "jqPathExpressions[1]"),
]


@pytest.mark.parametrize(("fields", "message"), [c[1:] for c in INVALID],
                         ids=[c[0] for c in INVALID])
def test_invalid_rules_are_rejected_at_compile_time(fields: dict[str, Any], message: str) -> None:
    good = IgnoreDifference(kind="Service", json_pointers=("/spec",))
    with pytest.raises(IgnoreRuleError) as info:
        IgnoreRules.compile([good, IgnoreDifference(kind="Deployment", group="apps", **fields)])
    assert message in info.value.message
    assert info.value.exit_code == 2


def test_unclosed_glob_is_rejected() -> None:
    with pytest.raises(IgnoreRuleError, match=r"ignoreDifferences\[0\].*unclosed"):
        IgnoreRules.compile([IgnoreDifference(kind="{Deployment", json_pointers=("/a",))])


@pytest.mark.parametrize("jq_timeout", [1.0, None], ids=["worker", "in-process"])
def test_jq_runtime_error_names_rule_and_resource(jq_timeout: float | None) -> None:
    rule = IgnoreDifference(kind="Deployment", group="apps",
                            jq_path_expressions=(".spec.replicas.foo",))
    with (IgnoreRules.compile([rule], jq_timeout=jq_timeout) as rules,
          pytest.raises(IgnoreRuleError) as info):
        rules.for_resource(KEY).apply(load("deployment-live"))
    assert info.value.message.startswith(
        'ignoreDifferences[0] (apps/Deployment): jqPathExpressions[0] ".spec.replicas.foo" '
        "failed on Deployment/shop/web: Cannot index number")


def test_jq_timeout_is_an_error_and_the_worker_recovers() -> None:
    slow = ".spec.replicas | select(last(range(0; 1000000000)) > 0)"
    rules = IgnoreRules.compile([
        IgnoreDifference(kind="Deployment", group="apps", name="web", jq_path_expressions=(
            ".metadata.labels.tier", slow)),
        IgnoreDifference(kind="Deployment", group="apps", name="api",
                         jq_path_expressions=(".spec.replicas",))], jq_timeout=0.2)
    with rules:
        with pytest.raises(IgnoreRuleError) as info:
            rules.for_resource(KEY).apply(load("deployment-live"))
        assert "jqPathExpressions[1]" in info.value.message
        assert "failed on Deployment/shop/web: timed out after 0.2s" in info.value.message
        api = ResourceKey("apps", "Deployment", "shop", "api")
        assert "replicas" not in rules.for_resource(api).apply(load("deployment-live"))["spec"]


def test_apply_copies_and_caches() -> None:
    rules = IgnoreRules.compile([IgnoreDifference(kind="*", group="*",
                                                  json_pointers=("/spec/replicas",))])
    obj = load("deployment-live")
    assert "replicas" not in rules.for_resource(KEY).apply(obj)["spec"]
    assert obj["spec"]["replicas"] == 5
    assert rules.for_resource(KEY) is rules.for_resource(KEY)


def test_managers_of_matching_rules() -> None:
    rules = IgnoreRules.compile([
        IgnoreDifference(kind="Deployment", group="apps", managed_fields_managers=("hpa", "x")),
        IgnoreDifference(kind="*", group="*", managed_fields_managers=("x", "vpa")),
        IgnoreDifference(kind="Service", managed_fields_managers=("other",))])
    assert rules.for_resource(KEY).managers == ("hpa", "x", "vpa")
