"""Selective sync filters: every form parses, bad ones and unmatched ones are named errors."""

from __future__ import annotations

import pytest

from gitsync.errors import InvalidInputError
from gitsync.model.resource import ResourceKey
from gitsync.plan import ResourceFilter, is_selected, parse_resource_filter, parse_resource_filters

from .conftest import gone, hook, obj, order, plan, want

PARSE = [
    ("core-group-name-only", ":Service:web", ResourceFilter("", "Service", None, "web")),
    ("group-namespace-name", "apps:Deployment:shop/web",
     ResourceFilter("apps", "Deployment", "shop", "web")),
    ("exclude", "!apps:Deployment:web", ResourceFilter("apps", "Deployment", None, "web", True)),
    ("wildcards-everywhere", "*:*:*/*", ResourceFilter("*", "*", "*", "*")),
    ("partial-wildcard", "apps:*:web-*", ResourceFilter("apps", "*", None, "web-*")),
    ("surrounding-spaces", "  :ConfigMap:c ", ResourceFilter("", "ConfigMap", None, "c")),
]


@pytest.mark.parametrize(("text", "expected"), [p[1:] for p in PARSE], ids=[p[0] for p in PARSE])
def test_parse(text: str, expected: ResourceFilter) -> None:
    parsed = parse_resource_filter(text)
    assert parsed == expected
    assert parse_resource_filter(str(parsed)) == parsed


BAD = [
    ("two-fields", "Deployment:web", "expected [!]GROUP:KIND:[NAMESPACE/]NAME"),
    ("four-fields", "apps:v1:Deployment:web", "expected"),
    ("version-in-group", "apps/v1:Deployment:web", "must not carry a version"),
    ("no-kind", "apps::web", "the kind is missing"),
    ("no-name", "apps:Deployment:", "the name is missing"),
    ("no-name-after-namespace", "apps:Deployment:shop/", "the name is missing"),
    ("empty-namespace", "apps:Deployment:/web", "is not NAMESPACE/NAME"),
    ("two-slashes", "apps:Deployment:a/b/c", "is not NAMESPACE/NAME"),
    ("empty", "", "expected"),
]


@pytest.mark.parametrize(("text", "why"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_parse_errors(text: str, why: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_resource_filter(text)
    assert f'resource filter "{text}"' in err.value.message and why in err.value.message
    assert "GROUP:KIND" in err.value.hint


WEB = ResourceKey("apps", "Deployment", "shop", "web")
SELECT = [
    ("no-filters-everything", [], WEB, True),
    ("include-match", ["apps:Deployment:web"], WEB, True),
    ("include-other-name", ["apps:Deployment:api"], WEB, False),
    ("no-namespace-means-any", ["apps:Deployment:web"],
     ResourceKey("apps", "Deployment", "other", "web"), True),
    ("namespace-must-match", ["apps:Deployment:other/web"], WEB, False),
    ("group-must-match", [":Deployment:web"], WEB, False),
    ("any-of-several-includes", [":Service:x", "apps:*:web"], WEB, True),
    ("exclude-only-keeps-the-rest", ["!:Service:*"], WEB, True),
    ("exclude-wins-over-include", ["apps:*:*", "!apps:Deployment:shop/web"], WEB, False),
    ("partial-wildcard", ["apps:Deployment:w*b"], WEB, True),
    ("cluster-scoped-key", [":Namespace:shop"], ResourceKey("", "Namespace", "", "shop"), True),
]


@pytest.mark.parametrize(("texts", "key", "expected"), [s[1:] for s in SELECT],
                         ids=[s[0] for s in SELECT])
def test_is_selected(texts: list[str], key: ResourceKey, expected: bool) -> None:
    assert is_selected(key, parse_resource_filters(texts)) is expected


def test_selective_plan_keeps_only_selected_objects_and_their_prunes() -> None:
    p = plan(want(obj("Deployment", "web")), want(obj("Service", "web")),
             want(obj("Job", "pre", annotations=hook("PreSync"))),
             gone(obj("Deployment", "old")), gone(obj("ConfigMap", "old")),
             prune=True, resource_filters=parse_resource_filters(["apps:Deployment:*"]))
    assert order(p) == ["Deployment/shop/old", "Deployment/shop/web"]
    assert p.skipped == ()


UNMATCHED = [
    ("one-include", ["apps:Deployment:api"], 'resource filter "apps:Deployment:api" matches'),
    ("exclude-naming-nothing", ["!:Secret:*"], 'resource filter "!:Secret:*" matches'),
    ("all-unmatched-named", [":Service:x", "apps:Deployment:web", "batch:Job:y"],
     'resource filters ":Service:x", "batch:Job:y" match'),
    ("a-hook-cannot-be-selected", ["batch:Job:pre"], 'resource filter "batch:Job:pre" matches'),
    ("everything-excluded", ["apps:Deployment:web", "!apps:*:*"], "select no resource"),
]


@pytest.mark.parametrize(("texts", "message"), [u[1:] for u in UNMATCHED],
                         ids=[u[0] for u in UNMATCHED])
def test_unmatched_filters_are_errors(texts: list[str], message: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        plan(want(obj("Deployment", "web")), want(obj("Job", "pre", annotations=hook("PreSync"))),
             resource_filters=parse_resource_filters(texts))
    assert message in err.value.message
