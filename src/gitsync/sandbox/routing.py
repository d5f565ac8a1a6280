"""Resolve a request path to a resource, namespace, name and subresource, as the apiserver does."""

from __future__ import annotations

from dataclasses import dataclass

from gitsync.sandbox.errors import resource_not_found
from gitsync.sandbox.registry import ResourceRegistry, ResourceType


@dataclass(frozen=True, slots=True)
class Target:
    rt: ResourceType
    namespace: str          # "" for cluster-scoped requests or all namespaces
    name: str               # "" for collection requests
    subresource: str = ""
    legacy_watch: bool = False

    @property
    def is_collection(self) -> bool:
        return not self.name


def resolve(registry: ResourceRegistry, parts: list[str]) -> Target | None:
    """``parts`` are the path segments; None when the path is not a resource path at all."""
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if not rest:
        return None
    legacy_watch = False
    if rest[0] == "watch":
        legacy_watch, rest = True, rest[1:]
        if not rest:
            raise resource_not_found()
    namespace = ""
    if rest[0] == "namespaces" and len(rest) >= 3:
        rt = registry.get(group, version, rest[2])
        if rt is not None and rt.namespaced:
            namespace, rest = rest[1], rest[2:]
        elif len(rest) == 3:
            # /api/v1/namespaces/NS/status and /finalize are namespace subresources
            rt = registry.get(group, version, "namespaces")
            if rt is None or rest[2] not in rt.subresources:
                raise resource_not_found()
            return Target(rt, "", rest[1], rest[2], legacy_watch)
        else:
            raise resource_not_found()
    rt = registry.get(group, version, rest[0])
    if rt is None or len(rest) > 3:
        raise resource_not_found()
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    if sub and sub not in rt.subresources:
        raise resource_not_found()
    return Target(rt, namespace, name, sub, legacy_watch)
