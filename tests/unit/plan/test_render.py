"""render_tree: the exact text ``sync --dry-run`` prints."""

from __future__ import annotations

from typing import Any

import pytest

from gitsync.model import annotations as ann
from gitsync.plan import ManagedNamespace, PlanItem, render, render_tree

from .conftest import gone, hook, obj, plan, want, wave

NO_PRUNE = {ann.SYNC_OPTIONS: "Prune=false"}

SHOP = [
    want(obj("Job", "shop-backup", "shop-dev", annotations=hook("PreSync"))),
    want(obj("StatefulSet", "postgres", "shop-dev", annotations=wave(-5))),
    want(obj("Service", "postgres", "shop-dev", annotations=wave(-5))),
    want(obj("Deployment", "web", "shop-dev"), obj("Deployment", "web", "shop-dev")),
    want(obj("Job", "shop-alert", "shop-dev", annotations=hook("SyncFail"))),
]
#: the plan of the module docstring's example
DOC_ITEMS = [
    *SHOP,
    gone(obj("Deployment", "old", "shop-dev")),
    want(obj("ConfigMap", "settings", "shop-dev"), obj("ConfigMap", "settings", "shop-dev"),
         modified=False),
    gone(obj("Deployment", "legacy", "shop-dev", annotations=NO_PRUNE)),
]
DOC_OPTIONS = {"prune": True, "dry_run": True, "apply_out_of_sync_only": True}

RENDER: list[tuple[str, list[PlanItem], dict[str, Any], list[str]]] = [
    ("phases-waves-and-syncfail", [
        *SHOP, want(obj("Job", "smoke", "shop-dev", annotations=hook("PostSync"))),
    ], {}, [
        "PreSync",
        "  wave 0",
        "    hook    Job/shop-dev/shop-backup",
        "Sync",
        "  wave -5",
        "    create  Service/shop-dev/postgres",
        "    create  StatefulSet/shop-dev/postgres",
        "  wave 0",
        "    update  Deployment/shop-dev/web",
        "PostSync",
        "  wave 0",
        "    hook    Job/shop-dev/smoke",
        "SyncFail (only if the sync fails)",
        "    hook    Job/shop-dev/shop-alert",
    ]),
    ("namespace-pulled-into-presync-by-its-hook", [
        want(obj("Namespace", "shop-dev", annotations=wave(-10))), *SHOP[:3],
    ], {}, [
        "PreSync",
        "  wave 0",
        "    create  Namespace/shop-dev",
        "    hook    Job/shop-dev/shop-backup",
        "Sync",
        "  wave -5",
        "    create  Service/shop-dev/postgres",
        "    create  StatefulSet/shop-dev/postgres",
    ]),
    ("prunes-messages-and-not-applied", [
        want(obj("ConfigMap", "settings"), obj("ConfigMap", "settings"), modified=False),
        want(obj("ConfigMap", "fresh", annotations=wave(1))),
        gone(obj("Deployment", "old", annotations=wave(1))),
        gone(obj("Deployment", "legacy", annotations={**NO_PRUNE, **wave(1)})),
    ], {"prune": True, "dry_run": True, "apply_out_of_sync_only": True,
        "create_namespace": ManagedNamespace("shop")}, [
        "PreSync",
        "  wave 0",
        "    create        Namespace/shop  CreateNamespace=true",
        "Sync",
        "  wave 1",
        "    prune         Deployment/shop/old  pruned (dry run)",
        "    create        ConfigMap/shop/fresh",
        "Not applied",
        "    unchanged     ConfigMap/shop/settings",
        "    prune-skipped Deployment/shop/legacy  ignored (no prune)",
    ]),
    ("only-skipped", [gone(obj("ConfigMap", "old"))], {}, [
        "Not applied",
        "    prune-skipped ConfigMap/shop/old  ignored (requires pruning)",
    ]),
    ("empty", [], {}, ["Nothing to do"]),
]


@pytest.mark.parametrize(("items", "options", "expected"), [r[1:] for r in RENDER],
                         ids=[r[0] for r in RENDER])
def test_render_tree(items: list[PlanItem], options: dict[str, Any],
                     expected: list[str]) -> None:
    assert render_tree(plan(*items, **options)) == expected


def test_module_docstring_example_is_real_output() -> None:
    doc = render.__doc__ or ""
    example = doc.split("::\n\n", 1)[1].split("\n\n", 1)[0]
    assert render_tree(plan(*DOC_ITEMS, **DOC_OPTIONS)) == \
        [line[4:] for line in example.splitlines()]
