"""``Cluster``: every request to one cluster, through one choke point that retries and translates.

Reads follow DESIGN.md §4.2 (one LIST per resource type by tracking label, in parallel; GETs only
for what the LISTs missed); writes follow §4.1 (server-side apply, field manager ``gitsync``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, Unpack

import urllib3

from gitsync.kube import discovery as disco
from gitsync.kube import errors as err
from gitsync.kube.policy import ClusterOptions, is_transient_error, is_transient_status
from gitsync.kube.transport import (
    Answer,
    Query,
    Request,
    Transport,
    dump,
    is_transport_error,
    parse_json,
    retry_after,
)
from gitsync.kube.types import GroupKind, Listing, Obj, Propagation, WatchEvent
from gitsync.kube.watch import watch_events
from gitsync.model import ResourceKey
from gitsync.model.annotations import FIELD_MANAGER, TRACKING_LABEL

_T = TypeVar("_T")
_R = TypeVar("_R")
_WORKER = "gitsync-kube"
_APPLY = "application/apply-patch+yaml"
_MERGE = "application/merge-patch+json"
_JSON = "application/json"


class Cluster:
    """A connection to one cluster (a kubeconfig context); thread-safe, close it when done."""

    def __init__(self, api_client: Any, *, context: str, namespace: str = "default",
                 options: ClusterOptions | None = None) -> None:
        self.options = options or ClusterOptions()
        self._http = Transport(api_client)
        self.server = self._http.server
        self.context = context
        #: the context's default namespace, for callers that need one
        self.namespace = namespace or "default"
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._types: disco.ResourceTypes | None = None
        self._types_fresh = False
        #: requests sent, retries included: cheap evidence that reads stay batched
        self.requests = 0

    def close(self) -> None:
        """Release the connection pool and worker threads."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        self._http.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- discovery --------------------------------------------------------------------------

    def discover(self, *, refresh: bool = False) -> disco.ResourceTypes:
        """The served resource types, from the disk cache unless stale or ``refresh``."""
        with self._lock:
            if self._types is not None and not refresh:
                return self._types
        path = disco.cache_file(self.options.cache_dir or disco.default_cache_dir(), self.server)
        types = None if refresh else disco.read_cache(path, self.options.discovery_ttl)
        fresh = types is None
        if types is None:
            types = disco.fetch_resource_types(self._discovery_doc, self._map)
            disco.write_cache(path, types)
        with self._lock:
            self._types, self._types_fresh = types, fresh
        return types

    def resource_type(self, group: str, kind: str, version: str = "") -> disco.ResourceType:
        """The type serving ``kind``; a miss in a cached answer asks the server again once."""
        rt = self.discover().get(group, kind)
        if (rt is None or (version and version not in rt.versions)) and not self._types_fresh:
            rt = self.discover(refresh=True).get(group, kind)
        api_version = f"{group}/{version}" if group else version
        if rt is None or (version and version not in rt.versions):
            where = f' in version "{api_version}"' if version else f' in group "{group}"'
            raise err.UnknownKindError(
                f'no matches for kind "{kind}"{where}: the cluster does not serve it',
                hint="check apiVersion and kind, or install the CRD first",
                subject=str(GroupKind(group, kind)))
        return rt.at(version) if version else rt

    def _discovery_doc(self, path: str, accept: str) -> Obj | None:
        answer = self._call("GET", path, subject=f"discovery {path}", accept=accept,
                            missing_ok=True)
        return None if answer.status == 404 else parse_json(answer, subject=path)

    # --- reads ------------------------------------------------------------------------------

    def list_tracked(self, app: str, kinds: Iterable[tuple[str, str]]) -> dict[ResourceKey, Obj]:
        """Every object of ``kinds`` labelled as ``app``'s, in all namespaces: one LIST per type."""
        return self._list_many(self._listable(kinds), "", f"{TRACKING_LABEL}={app}")

    def list_namespace(self, namespace: str,
                       kinds: Iterable[tuple[str, str]]) -> dict[ResourceKey, Obj]:
        """Every object of the namespaced ``kinds`` in ``namespace`` (orphan detection)."""
        types = [rt for rt in self._listable(kinds) if rt.namespaced]
        return self._list_many(types, namespace, "")

    def list_objects(self, kind: tuple[str, str], *, namespace: str = "",
                     label_selector: str = "") -> Listing:
        """One kind's objects (all namespaces when ``namespace`` is ""), to watch from after."""
        return self._list(self.resource_type(*kind), namespace, label_selector)

    def get(self, key: ResourceKey) -> Obj | None:
        """The live object, or None when it does not exist."""
        rt = self.resource_type(key.group, key.kind)
        answer = self._call("GET", rt.locate(key), subject=key.identity, key=key,
                            missing_ok=True)
        return None if answer.status == 404 else parse_json(answer, key.identity)

    def get_many(self, keys: Iterable[ResourceKey]) -> dict[ResourceKey, Obj]:
        """The live objects of ``keys``, fetched in parallel; missing ones are left out."""
        wanted = list(dict.fromkeys(keys))
        found = self._map(self.get, wanted)
        return {k: obj for k, obj in zip(wanted, found, strict=True) if obj is not None}

    def _listable(self, kinds: Iterable[tuple[str, str]]) -> list[disco.ResourceType]:
        types: dict[GroupKind, disco.ResourceType] = {}
        for group, kind in kinds:
            try:
                rt = self.resource_type(group, kind)
            except err.UnknownKindError:
                continue  # nothing can exist of a kind the cluster does not serve
            if "list" in rt.verbs:
                types.setdefault(rt.group_kind, rt)
        return list(types.values())

    def _list_many(self, types: Sequence[disco.ResourceType], namespace: str,
                   selector: str) -> dict[ResourceKey, Obj]:
        out: dict[ResourceKey, Obj] = {}
        for listing in self._map(lambda rt: self._list(rt, namespace, selector), types):
            out.update((ResourceKey.of(obj), obj) for obj in listing.items)
        return out

    def _list(self, rt: disco.ResourceType, namespace: str, selector: str) -> Listing:
        subject = f"list {rt.qualified}" + (f" in namespace {namespace}" if namespace else "")
        items: list[Obj] = []
        rv, token = "", ""
        while True:
            query: Query = [("limit", str(self.options.page_size))]
            query += [("labelSelector", selector)] if selector else []
            query += [("continue", token)] if token else []
            try:
                page = self._call_json("GET", rt.path(namespace), query=query, subject=subject)
            except err.ExpiredError:
                if not token:
                    raise
                # the continue token outlived the server's history: list in one go instead
                items, token = [], ""
                query = [("labelSelector", selector)] if selector else []
                page = self._call_json("GET", rt.path(namespace), query=query, subject=subject)
            meta = page.get("metadata") or {}
            rv = rv or str(meta.get("resourceVersion") or "")
            for item in page.get("items") or []:
                # items of built-in lists carry no apiVersion/kind: the list's own say it
                item.setdefault("apiVersion", page.get("apiVersion") or rt.api_version)
                item.setdefault("kind", rt.kind)
                items.append(item)
            token = str(meta.get("continue") or "")
            if not token:
                return Listing(items, rv)

    # --- writes -----------------------------------------------------------------------------

    def apply(self, obj: Obj, *, dry_run: bool = False, force: bool = True,
              manager: str = FIELD_MANAGER) -> Obj:
        """Server-side apply ``obj`` (one PATCH); returns the object as the server stored it."""
        key, rt = self._target(obj)
        query: Query = [("fieldManager", manager)]
        query += [("force", "true")] if force else []
        query += [("dryRun", "All")] if dry_run else []
        return self._call_json("PATCH", rt.locate(key), query=query, key=key,
                               subject=key.identity, body=dump(obj), content_type=_APPLY)

    def create(self, obj: Obj, *, dry_run: bool = False) -> Obj:
        """Create ``obj`` (POST; ``metadata.generateName`` works); fails if the name is taken."""
        key, rt = self._target(obj, name_required=False)
        query: Query = [("fieldManager", FIELD_MANAGER)] + ([("dryRun", "All")] if dry_run else [])
        return self._call_json("POST", rt.locate(key, collection=True), query=query, key=key,
                               subject=key.identity, body=dump(obj))

    def replace(self, obj: Obj, *, dry_run: bool = False) -> Obj:
        """Replace ``obj`` whole (PUT), as ``Replace=true`` asks; a resourceVersion makes it CAS."""
        key, rt = self._target(obj)
        query: Query = [("fieldManager", FIELD_MANAGER)] + ([("dryRun", "All")] if dry_run else [])
        return self._call_json("PUT", rt.locate(key), query=query, key=key,
                               subject=key.identity, body=dump(obj))

    def scale(self, key: ResourceKey, replicas: int, *, manager: str) -> Obj:
        """Set replicas through the scale subresource, as ``kubectl scale`` does."""
        rt = self.resource_type(key.group, key.kind)
        body = dump({"spec": {"replicas": replicas}})
        return self._call_json("PATCH", rt.locate(key) + "/scale",
                               query=[("fieldManager", manager)], key=key,
                               subject=key.identity, body=body, content_type=_MERGE)

    def delete(self, key: ResourceKey, *, propagation: Propagation = "Foreground",
               dry_run: bool = False) -> bool:
        """Delete the object; False when it was already gone."""
        rt = self.resource_type(key.group, key.kind)
        query: Query = [("propagationPolicy", propagation)]
        query += [("dryRun", "All")] if dry_run else []
        answer = self._call("DELETE", rt.locate(key), query=query, key=key,
                            subject=key.identity, missing_ok=True)
        return answer.status != 404

    def _target(self, obj: Obj, *,
                name_required: bool = True) -> tuple[ResourceKey, disco.ResourceType]:
        key = ResourceKey.of(obj)
        if not key.kind or not obj.get("apiVersion"):
            raise err.InvalidObjectError(f"{key.identity or 'object'}: apiVersion and kind are "
                                         f"required", subject=key.identity, key=key)
        if name_required and not key.name:
            raise err.InvalidObjectError(f"{key.kind}: metadata.name is required",
                                         subject=key.identity, key=key)
        version = str(obj["apiVersion"]).rpartition("/")[2]
        return key, self.resource_type(key.group, key.kind, version)

    # --- watch ------------------------------------------------------------------------------

    def watch(self, kind: tuple[str, str], namespace: str = "", label_selector: str = "",
              resource_version: str = "", timeout: float = 300.0, *,
              field_selector: str = "") -> Iterator[WatchEvent]:
        """Changes of ``kind`` for ``timeout`` seconds, resumed across dropped streams.

        Raises ExpiredError when ``resource_version`` is too old: list again and watch from
        the listing's resourceVersion.
        """
        rt = self.resource_type(*kind)
        subject = f"watch {rt.qualified}" + (f" in namespace {namespace}" if namespace else "")

        def open_stream(rv: str, remaining: float) -> Answer:
            query: Query = [("watch", "1"), ("allowWatchBookmarks", "true"),
                            ("timeoutSeconds", str(max(1, int(remaining))))]
            query += [("resourceVersion", rv)] if rv else []
            query += [("labelSelector", label_selector)] if label_selector else []
            query += [("fieldSelector", field_selector)] if field_selector else []
            return self._call("GET", rt.path(namespace), query=query, subject=subject,
                              stream=True, read_timeout=remaining + 10)

        return watch_events(open_stream, resource_version, timeout, subject, self.options.retry,
                            self.server)

    # --- the choke point --------------------------------------------------------------------

    def _call(self, method: str, path: str, *, subject: str, **req: Unpack[Request]) -> Answer:
        """Send one request: retry what is transient, translate every failure to a KubeError."""
        key = req.get("key")
        policy = self.options.retry
        idempotent = method != "POST"
        timeout = urllib3.Timeout(connect=min(10.0, self.options.request_timeout),
                                  read=req.get("read_timeout") or self.options.request_timeout)
        start = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            with self._lock:
                self.requests += 1
            answer: Answer | None = None
            failure: BaseException | None = None
            try:
                answer = self._http.send(
                    method, path, req.get("query") or [], body=req.get("body"),
                    content_type=req.get("content_type", _JSON),
                    accept=req.get("accept", _JSON), timeout=timeout,
                    stream=req.get("stream", False))
            except Exception as exc:
                if not is_transport_error(exc):
                    raise err.KubeError(f"{subject}: the kubernetes client failed: {exc}",
                                        subject=subject, key=key) from exc
                failure = exc
            if answer is not None:
                if 200 <= answer.status < 300 or (req.get("missing_ok") and answer.status == 404):
                    return answer
                transient = is_transient_status(answer.status, idempotent=idempotent)
                wait = policy.delay(attempt - 1, retry_after(answer))
            else:
                assert failure is not None
                transient = is_transient_error(failure, idempotent=idempotent)
                wait = policy.delay(attempt - 1)
            elapsed = time.monotonic() - start
            if not transient or attempt >= policy.attempts or elapsed + wait > policy.budget:
                if answer is not None:
                    raise err.from_status(answer.status, answer.data, subject=subject, key=key,
                                          attempts=attempt, elapsed=elapsed)
                raise err.unavailable(subject, self.server, failure or "no answer", attempt,
                                      elapsed, key=key) from failure
            time.sleep(wait)

    def _call_json(self, method: str, path: str, *, subject: str,
                   **req: Unpack[Request]) -> Obj:
        """``_call``, then the answer's JSON object."""
        return parse_json(self._call(method, path, subject=subject, **req), subject)

    def _map(self, fn: Callable[[_T], _R], items: Sequence[_T]) -> list[_R]:
        """``fn`` over ``items`` on the bounded pool, in order; the first failure is raised."""
        # a worker that maps again (discovery inside get_many) runs inline: waiting on its own
        # pool could deadlock it
        if len(items) <= 1 or threading.current_thread().name.startswith(_WORKER):
            return [fn(item) for item in items]
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.options.workers,
                                                    thread_name_prefix=_WORKER)
            executor = self._executor
        return list(executor.map(fn, items))
