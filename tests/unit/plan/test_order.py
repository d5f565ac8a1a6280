"""Ordering: phase, wave, kind rank, namespace, name; Namespaces and CRDs bubble to their users."""

from __future__ import annotations

import pytest

from gitsync.model import annotations as ann
from gitsync.model.enums import SyncPhase
from gitsync.model.resource import ResourceKey
from gitsync.plan import Action, PlanItem, Task, kind_rank, sort_key

from .conftest import gone, hook, obj, order, plan, steps, want, wave

CRD = obj("CustomResourceDefinition", "widgets.example.com",
          spec={"group": "example.com", "names": {"kind": "Widget"}})


def crd(annotations: dict[str, str]) -> dict[str, object]:
    return obj("CustomResourceDefinition", "widgets.example.com", annotations=annotations,
               spec={"group": "example.com", "names": {"kind": "Widget"}})


ORDER_CASES: list[tuple[str, list[PlanItem], list[tuple[str, int, list[str]]]]] = [
    ("waves-ascending-negative-first",
     [want(obj("ConfigMap", "c", annotations=wave(5))),
      want(obj("ConfigMap", "b", annotations=wave(-3))),
      want(obj("ConfigMap", "a"))],
     [("Sync", -3, ["ConfigMap/shop/b"]), ("Sync", 0, ["ConfigMap/shop/a"]),
      ("Sync", 5, ["ConfigMap/shop/c"])]),
    ("plus-sign-wave",
     [want(obj("ConfigMap", "a", annotations=wave("+2"))), want(obj("ConfigMap", "b"))],
     [("Sync", 0, ["ConfigMap/shop/b"]), ("Sync", 2, ["ConfigMap/shop/a"])]),
    ("helm-weight-when-no-sync-wave",
     [want(obj("ConfigMap", "a", annotations={ann.HELM_HOOK_WEIGHT: "-1"})),
      want(obj("ConfigMap", "b"))],
     [("Sync", -1, ["ConfigMap/shop/a"]), ("Sync", 0, ["ConfigMap/shop/b"])]),
    ("sync-wave-beats-helm-weight",
     [want(obj("ConfigMap", "a", annotations={**wave(3), ann.HELM_HOOK_WEIGHT: "-1"}))],
     [("Sync", 3, ["ConfigMap/shop/a"])]),
    ("kind-order-within-a-wave",
     [want(obj("Deployment", "web")), want(obj("Service", "web")),
      want(obj("ConfigMap", "web")), want(obj("ServiceAccount", "web")),
      want(obj("Secret", "web")), want(obj("Ingress", "web")), want(obj("Job", "web")),
      want(obj("PersistentVolumeClaim", "web")), want(obj("Role", "web")),
      want(obj("StatefulSet", "web"))],
     [("Sync", 0, ["ServiceAccount/shop/web", "Secret/shop/web", "ConfigMap/shop/web",
                   "PersistentVolumeClaim/shop/web", "Role/shop/web", "Service/shop/web",
                   "Deployment/shop/web", "StatefulSet/shop/web", "Job/shop/web",
                   "Ingress/shop/web"])]),
    ("unknown-kinds-after-known-interleaved-by-name",
     [want(obj("Widget", "b", group="example.com")), want(obj("Gadget", "a", group="x.io")),
      want(obj("APIService", "z", ns=""))],
     [("Sync", 0, ["APIService/z", "Gadget/shop/a", "Widget/shop/b"])]),
    ("wave-beats-kind",
     [want(obj("ServiceAccount", "sa", annotations=wave(1))), want(obj("Deployment", "web"))],
     [("Sync", 0, ["Deployment/shop/web"]), ("Sync", 1, ["ServiceAccount/shop/sa"])]),
    ("tie-broken-by-namespace-then-name",
     [want(obj("ConfigMap", "a", ns="zeta")), want(obj("ConfigMap", "b", ns="alpha")),
      want(obj("ConfigMap", "a", ns="alpha"))],
     [("Sync", 0, ["ConfigMap/alpha/a", "ConfigMap/alpha/b", "ConfigMap/zeta/a"])]),
    ("cluster-scoped-before-namespaced-same-kind",
     [want(obj("Widget", "w", ns="shop", group="example.com")),
      want(obj("Widget", "w", ns="", group="example.com"))],
     [("Sync", 0, ["Widget/w", "Widget/shop/w"])]),
    ("namespace-bubbles-to-first-user-and-takes-its-wave",
     [want(obj("Namespace", "shop")),
      want(obj("ConfigMap", "early", annotations=wave(-5)))],
     [("Sync", -5, ["Namespace/shop", "ConfigMap/shop/early"])]),
    ("namespace-bubbles-into-presync-for-a-hook",
     [want(obj("Namespace", "shop")),
      want(obj("Job", "migrate", annotations=hook("PreSync")))],
     [("PreSync", 0, ["Namespace/shop", "Job/shop/migrate"])]),
    ("namespace-stays-when-its-users-come-later",
     [want(obj("Namespace", "shop", annotations=wave(-1))),
      want(obj("ConfigMap", "c"))],
     [("Sync", -1, ["Namespace/shop"]), ("Sync", 0, ["ConfigMap/shop/c"])]),
    ("namespace-ignores-users-in-other-namespaces",
     [want(obj("Namespace", "shop", annotations=wave(3))),
      want(obj("ConfigMap", "c", ns="other"))],
     [("Sync", 0, ["ConfigMap/other/c"]), ("Sync", 3, ["Namespace/shop"])]),
    ("namespace-not-pulled-by-a-prune",
     [want(obj("Namespace", "shop", annotations=wave(2))),
      gone(obj("ConfigMap", "old", annotations=wave(-4)))],
     [("Sync", -4, ["ConfigMap/shop/old"]), ("Sync", 2, ["Namespace/shop"])]),
    ("crd-bubbles-before-first-custom-resource",
     [want(crd(wave(5))), want(obj("Widget", "w1", group="example.com"))],
     [("Sync", 0, ["CustomResourceDefinition/widgets.example.com", "Widget/shop/w1"])]),
    ("crd-stays-when-custom-resources-come-later",
     [want(crd(wave(-1))), want(obj("Widget", "w1", group="example.com"))],
     [("Sync", -1, ["CustomResourceDefinition/widgets.example.com"]),
      ("Sync", 0, ["Widget/shop/w1"])]),
    ("crd-ignores-other-group-same-kind",
     [want(crd(wave(5))), want(obj("Widget", "w1", group="other.io"))],
     [("Sync", 0, ["Widget/shop/w1"]),
      ("Sync", 5, ["CustomResourceDefinition/widgets.example.com"])]),
    ("namespace-and-crd-both-bubble",
     [want(obj("Namespace", "shop", annotations=wave(9))), want(crd(wave(9))),
      want(obj("Widget", "w1", group="example.com", annotations=wave(-2)))],
     # Namespaces are bubbled first, then CRDs, each just before the same first user
     [("Sync", -2, ["Namespace/shop", "CustomResourceDefinition/widgets.example.com",
                    "Widget/shop/w1"])]),
]


@pytest.mark.parametrize(("items", "expected"), [c[1:] for c in ORDER_CASES],
                         ids=[c[0] for c in ORDER_CASES])
def test_order(items: list[PlanItem], expected: list[tuple[str, int, list[str]]]) -> None:
    assert steps(plan(*items, prune=True)) == expected


def test_order_does_not_depend_on_input_order() -> None:
    items = [want(obj("ConfigMap", n, ns=ns)) for n in "cab" for ns in ("y", "x")]
    items += [want(obj("Widget", "a", group=g)) for g in ("b.io", "a.io")]
    assert order(plan(*items)) == order(plan(*reversed(items)))


RANK_CASES = [("namespace-first", "Namespace", -35), ("apiservice-last-known", "APIService", -1),
              ("deployment", "Deployment", -8), ("unknown", "Widget", 0)]


@pytest.mark.parametrize(("kind", "rank"), [c[1:] for c in RANK_CASES],
                         ids=[c[0] for c in RANK_CASES])
def test_kind_rank(kind: str, rank: int) -> None:
    assert kind_rank(kind) == rank


def test_sort_key_puts_prunes_first_in_a_wave() -> None:
    apply = Task(ResourceKey("", "Namespace", "", "a"), SyncPhase.SYNC, 0, Action.CREATE)
    prune = Task(ResourceKey("apps", "Deployment", "a", "b"), SyncPhase.SYNC, 0, Action.PRUNE)
    assert sorted([apply, prune], key=sort_key) == [prune, apply]
