"""List merge keys from the Kubernetes OpenAPI definitions (as ``kubernetes_validate`` ships).

Pure: it takes the already-loaded definitions. Lookups walk the schema from the kind's root
definition along the field path and are cached, so each list is resolved once per run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SchemaListKeys", "list_keys_from_definitions"]

_GVK = "x-kubernetes-group-version-kind"


class SchemaListKeys:
    """A :class:`~gitsync.diff.merge.ListKeys` answered from OpenAPI definitions."""

    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self._defs = definitions
        self._roots: dict[tuple[str, str], str] = {}
        for name, schema in definitions.items():
            for gvk in schema.get(_GVK) or () if isinstance(schema, Mapping) else ():
                group, version = gvk.get("group") or "", gvk.get("version") or ""
                api_version = f"{group}/{version}" if group else version
                self._roots.setdefault((api_version, gvk.get("kind") or ""), name)
        self._cache: dict[tuple[str, str, tuple[str, ...]], tuple[str, ...] | None] = {}

    def _resolve(self, node: Any) -> Any:
        # "$ref", possibly wrapped in allOf as some generators write it
        for _ in range(32):
            if not isinstance(node, Mapping):
                return None
            ref = node.get("$ref")
            if ref is None and isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
                ref = node["allOf"][0].get("$ref")
            if not isinstance(ref, str):
                return node
            node = self._defs.get(ref.rsplit("/", 1)[-1])
        return None

    def _lookup(self, api_version: str, kind: str, path: tuple[str, ...]) -> Any:
        root = self._roots.get((api_version, kind))
        node = self._resolve(self._defs.get(root)) if root else None
        for name in path:
            if node is None:
                return None
            if _is_array(node):
                node = self._resolve(node.get("items"))
                if node is None:
                    return None
            props = node.get("properties")
            if isinstance(props, Mapping) and name in props:
                node = self._resolve(props[name])
            elif isinstance(node.get("additionalProperties"), Mapping):
                node = self._resolve(node["additionalProperties"])
            else:
                return None
        return node

    def __call__(self, api_version: str, kind: str, path: tuple[str, ...], /) -> \
            tuple[str, ...] | None:
        """Keys of the list at ``path``: list-map keys, ``()`` for a set, None if atomic."""
        cache_key = (api_version, kind, path)
        if cache_key in self._cache:
            return self._cache[cache_key]
        node = self._lookup(api_version, kind, path)
        got = _list_keys(node) if node is not None and _is_array(node) else None
        self._cache[cache_key] = got
        return got


def _is_array(node: Mapping[str, Any]) -> bool:
    t = node.get("type")
    return t == "array" or (isinstance(t, list) and "array" in t)


def _list_keys(node: Mapping[str, Any]) -> tuple[str, ...] | None:
    # kube-openapi's rule: an explicit list-type wins; else a "merge" patch strategy makes the
    # list a map on its merge key (a set without one); else the list is atomic
    list_type = node.get("x-kubernetes-list-type")
    if list_type == "map":
        keys = node.get("x-kubernetes-list-map-keys") or ()
        merge_key = node.get("x-kubernetes-patch-merge-key")
        return tuple(keys) if keys else ((merge_key,) if merge_key else None)
    if list_type == "set":
        return ()
    if list_type is None and "merge" in str(node.get("x-kubernetes-patch-strategy") or ""):
        merge_key = node.get("x-kubernetes-patch-merge-key")
        return (merge_key,) if merge_key else ()
    return None


def list_keys_from_definitions(defs: Mapping[str, Any]) -> SchemaListKeys:
    """ListKeys from a loaded ``_definitions.json`` (``$defs`` or ``definitions``) or its map."""
    for wrapper in ("$defs", "definitions"):
        inner = defs.get(wrapper)
        if isinstance(inner, Mapping):
            return SchemaListKeys(inner)
    return SchemaListKeys(defs)
