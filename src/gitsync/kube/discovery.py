"""Discovery: which resource types a cluster serves, parsed from its documents, cached on disk.

The aggregated form (``/api`` and ``/apis`` as ``APIGroupDiscoveryList``, Kubernetes >= 1.26)
takes two requests; older servers get the legacy walk, one request per group version, in
parallel. Like kubectl, the result is cached per server for a TTL (6 hours by default).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gitsync.kube.errors import InvalidObjectError
from gitsync.kube.types import GroupKind, Obj
from gitsync.model import ResourceKey

AGGREGATED_ACCEPT = ",".join((
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
    "application/json",
))
_CACHE_FORMAT = 1

#: fetch(path, accept) -> the JSON document, or None when the server has no such path
Fetch = Callable[[str, str], Obj | None]
#: map a function over items concurrently, keeping their order
ParallelMap = Callable[[Callable[[str], Obj | None], Sequence[str]], list[Obj | None]]


@dataclass(frozen=True, slots=True)
class ResourceType:
    """A served resource: group, preferred version, kind, plural, scope and verbs."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    verbs: frozenset[str]
    #: every served version, preferred first
    versions: tuple[str, ...] = ()

    @property
    def group_kind(self) -> GroupKind:
        return GroupKind(self.group, self.kind)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """``deployments.apps``: how kubectl and the API server name the resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def at(self, version: str) -> ResourceType:
        """This type at another served version (an object's own apiVersion)."""
        return self if version == self.version else replace(self, version=version)

    def path(self, namespace: str = "", name: str = "") -> str:
        """The URL path of the collection (all namespaces when ``namespace`` is "") or object."""
        out = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            out += f"/namespaces/{quote(namespace, safe='')}"
        out += f"/{self.plural}"
        return f"{out}/{quote(name, safe='')}" if name else out

    def locate(self, key: ResourceKey, *, collection: bool = False) -> str:
        """The path of ``key`` (or of the collection it is created in); checks its scope."""
        if self.namespaced and not key.namespace:
            raise InvalidObjectError(
                f"{key.identity}: {self.kind} is namespaced but no namespace was given",
                hint="set metadata.namespace or the Application's destination namespace",
                subject=key.identity, key=key)
        return self.path(key.namespace, "" if collection else key.name)


class ResourceTypes:
    """The resource types of one cluster, by (group, kind)."""

    def __init__(self, types: Iterable[ResourceType], fetched_at: float) -> None:
        self._by_kind: dict[GroupKind, ResourceType] = {}
        for rt in types:
            # the first seen is the preferred version: discovery lists versions by preference
            self._by_kind.setdefault(rt.group_kind, rt)
        self.fetched_at = fetched_at

    def get(self, group: str, kind: str) -> ResourceType | None:
        """The type of a kind at its preferred version, or None when not served."""
        return self._by_kind.get(GroupKind(group, kind))

    def __iter__(self) -> Iterator[ResourceType]:
        return iter(self._by_kind.values())

    def __len__(self) -> int:
        return len(self._by_kind)

    def to_json(self) -> Obj:
        """The cache file's content."""
        return {"format": _CACHE_FORMAT, "fetchedAt": self.fetched_at, "types": [
            {"group": t.group, "version": t.version, "kind": t.kind, "plural": t.plural,
             "namespaced": t.namespaced, "verbs": sorted(t.verbs), "versions": list(t.versions)}
            for t in self]}

    @classmethod
    def from_json(cls, data: Obj) -> ResourceTypes:
        """Read back what ``to_json`` wrote; ValueError/KeyError/TypeError when it is not."""
        if data.get("format") != _CACHE_FORMAT:
            raise ValueError("unknown discovery cache format")
        return cls((ResourceType(str(t["group"]), str(t["version"]), str(t["kind"]),
                                 str(t["plural"]), bool(t["namespaced"]),
                                 frozenset(t["verbs"]), tuple(t["versions"]))
                    for t in data["types"]), float(data["fetchedAt"]))


def fetch_resource_types(fetch: Fetch, pmap: ParallelMap) -> ResourceTypes:
    """Ask the server what it serves: aggregated discovery when it speaks it, else legacy."""
    core, groups = pmap(lambda path: fetch(path, AGGREGATED_ACCEPT), ["/api", "/apis"])
    core, groups = core or {}, groups or {}
    if core.get("kind") == "APIGroupDiscoveryList":
        return ResourceTypes(_aggregated(core, "") + _aggregated(groups, None), time.time())
    # an older server answered the plain APIVersions and APIGroupList documents instead
    return ResourceTypes(_legacy(core, groups, fetch, pmap), time.time())


def _aggregated(doc: Obj, group: str | None) -> list[ResourceType]:
    out: list[ResourceType] = []
    for item in doc.get("items") or []:
        name = group if group is not None else str((item.get("metadata") or {}).get("name", ""))
        versions = [str(v.get("version", "")) for v in item.get("versions") or []]
        for v in item.get("versions") or []:
            for r in v.get("resources") or []:
                kind = (r.get("responseKind") or {}).get("kind", "")
                if not kind:
                    continue
                out.append(ResourceType(name, str(v.get("version", "")), kind,
                                        str(r.get("resource", "")),
                                        r.get("scope") == "Namespaced",
                                        frozenset(r.get("verbs") or ()), tuple(versions)))
    return out


def _legacy(core: Obj, groups: Obj, fetch: Fetch, pmap: ParallelMap) -> list[ResourceType]:
    gvs: list[tuple[str, list[str]]] = [("", list(core.get("versions") or ["v1"]))]
    for g in groups.get("groups") or []:
        preferred = (g.get("preferredVersion") or {}).get("version", "")
        vs = [str(v.get("version", "")) for v in g.get("versions") or []]
        gvs.append((str(g.get("name", "")), sorted(vs, key=lambda v: v != preferred)))
    paths = [f"/apis/{g}/{v}" if g else f"/api/{v}" for g, vs in gvs for v in vs]
    docs = dict(zip(paths, pmap(lambda p: fetch(p, "application/json"), paths), strict=True))
    out: list[ResourceType] = []
    for group, versions in gvs:
        for version in versions:
            doc = docs[f"/apis/{group}/{version}" if group else f"/api/{version}"] or {}
            out.extend(ResourceType(group, version, str(r["kind"]), str(r["name"]),
                                    bool(r.get("namespaced")), frozenset(r.get("verbs") or ()),
                                    tuple(versions))
                       for r in doc.get("resources") or [] if "/" not in str(r.get("name")))
    return out


# --- the disk cache ------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/gitsync``, else ``~/.cache/gitsync``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gitsync"


def cache_file(cache_dir: Path, server: str) -> Path:
    """Where one server's discovery is cached: a hash of its URL, as kubectl does per host."""
    digest = hashlib.sha256(server.rstrip("/").encode()).hexdigest()[:16]
    return cache_dir / "discovery" / digest / "resources.json"


def read_cache(path: Path, ttl: float) -> ResourceTypes | None:
    """The cached types when younger than ``ttl`` seconds; a broken cache counts as a miss."""
    try:
        if time.time() - path.stat().st_mtime > ttl:
            return None
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        return ResourceTypes.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_cache(path: Path, types: ResourceTypes) -> None:
    """Write atomically, so a concurrent gitsync never reads half a file; failures are ignored."""
    tmp = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".resources-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(types.to_json(), f, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError:
        # a read-only home must not break a sync: the next run asks the server again
        with contextlib.suppress(OSError):
            if tmp:
                os.unlink(tmp)
