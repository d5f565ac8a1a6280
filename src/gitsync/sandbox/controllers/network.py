"""Load balancers, MetalLB-on-kind style: LoadBalancer Services get an address from
172.18.255.0/24 at once, Ingresses after their duration."""

from __future__ import annotations

from typing import Any

from gitsync.sandbox.controllers.base import Runtime
from gitsync.sandbox.controllers.controller import Controller
from gitsync.sandbox.controllers.podutil import is_deleting
from gitsync.sandbox.controllers.util import duration_of
from gitsync.sandbox.store import Key

SVC_KEY: Key = ("", "services")
ING_KEY: Key = ("networking.k8s.io", "ingresses")
_PREFIX = "172.18.255."
#: MetalLB examples for kind hand out .200 upwards first
_ORDER = [*range(200, 255), *range(1, 200)]
INGRESS_DURATION = 2.0


class AddressPool:
    """Addresses handed out, by owner (resource key, namespace, name)."""

    def __init__(self) -> None:
        self.by_owner: dict[tuple[Key, str, str], str] = {}

    def claim(self, owner: tuple[Key, str, str], wanted: str | None = None) -> str:
        """The address of ``owner``: its own, ``wanted`` if free, else the next free one."""
        cur = self.by_owner.get(owner)
        if cur:
            return cur
        used = set(self.by_owner.values())
        if not wanted or wanted in used:
            free = [f"{_PREFIX}{n}" for n in _ORDER if f"{_PREFIX}{n}" not in used]
            wanted = free[0] if free else f"{_PREFIX}254"
        self.by_owner[owner] = wanted
        return wanted

    def release(self, owner: tuple[Key, str, str]) -> None:
        """Give ``owner``'s address back."""
        self.by_owner.pop(owner, None)


def _address(obj: dict[str, Any]) -> str | None:
    ingress = (((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or [])
    return next((i.get("ip") for i in ingress if isinstance(i, dict) and i.get("ip")), None)


class _Balancer(Controller):
    """Shared by Services and Ingresses: keep the pool in step with the store."""

    def __init__(self, mgr: Runtime, pool: AddressPool, version: str) -> None:
        super().__init__(mgr)
        self.pool = pool
        self.rt = mgr.rtype(self.key[0], version, self.key[1])

    def resync(self) -> None:
        """Re-learn addresses already published, then reconcile everything."""
        bucket = self.cluster.store.buckets.get(self.key)
        for (ns, name), entry in list(bucket.objects.items()) if bucket else []:
            ip = _address(entry.obj)
            if ip:
                self.pool.claim((self.key, ns, name), ip)
        super().resync()

    def _publish(self, obj: dict[str, Any], entry: dict[str, Any] | None) -> None:
        status = dict(obj.get("status") or {})
        status["loadBalancer"] = {"ingress": [entry]} if entry else {}
        self.mgr.set_status(self.rt, obj, status)


class ServiceController(_Balancer):
    """LoadBalancer Services get an address at once."""
    name = "services"
    key = SVC_KEY

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Publish, keep or withdraw the Service's load balancer address."""
        svc = self.get(ns, name)
        owner = (self.key, ns, name)
        if svc is None:
            self.pool.release(owner)
            return
        spec = svc.get("spec") or {}
        if is_deleting(svc):
            return
        if spec.get("type") != "LoadBalancer":
            self.pool.release(owner)
            if _address(svc):
                self._publish(svc, None)
            return
        ip = self.pool.claim(owner, _address(svc) or spec.get("loadBalancerIP"))
        self._publish(svc, {"ip": ip, "ipMode": "VIP"})


class IngressController(_Balancer):
    """Ingresses get an address after their duration."""
    name = "ingresses"
    key = ING_KEY

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Publish the Ingress address once its duration has passed."""
        ing = self.get(ns, name)
        owner = (self.key, ns, name)
        if ing is None:
            self.pool.release(owner)
            self.forget(ns, name)
            return
        if is_deleting(ing) or _address(ing):
            return
        seconds = duration_of(ing)
        if self.due(ns, name, ("address", ing["metadata"]["uid"]),
                    INGRESS_DURATION if seconds is None else seconds):
            self._publish(ing, {"ip": self.pool.claim(owner)})
