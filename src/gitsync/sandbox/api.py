"""Request dispatch: health, version, discovery, OpenAPI and the resource verbs."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import yaml

from gitsync.sandbox import discovery, openapi, tables
from gitsync.sandbox.cluster import APPLY_PATCH, Cluster, WriteOptions, WriteResult
from gitsync.sandbox.errors import (
    ApiError,
    bad_request,
    expired,
    method_not_allowed,
    resource_not_found,
)
from gitsync.sandbox.http import JSON, Request, Response, Stream, decode_body, json_response
from gitsync.sandbox.registry import ResourceType
from gitsync.sandbox.routing import Target, resolve
from gitsync.sandbox.selectors import (
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
)
from gitsync.sandbox.store import Entry, encode
from gitsync.sandbox.watch import watch_stream

_VERB_OF_METHOD = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}
_TABLE = "as=Table"


class Api:
    """Turns requests into cluster operations and responses."""

    def __init__(self, cluster: Cluster, address: str = "127.0.0.1:6443",
                 bookmark_interval: float = 60.0) -> None:
        self.cluster = cluster
        self.address = address
        self.bookmark_interval = bookmark_interval

    def handle(self, req: Request) -> Response | Stream:
        try:
            return self._route(req)
        except ApiError as err:
            return json_response(err.code, err.status(), dict(err.headers))

    # --- routing ----------------------------------------------------------------------------

    def _route(self, req: Request) -> Response | Stream:
        parts = [p for p in req.path.split("/") if p]
        reg = self.cluster.registry
        if not parts:
            return json_response(200, {"paths": sorted(_root_paths(reg))})
        head = parts[0]
        if head in ("healthz", "livez", "readyz") and len(parts) <= 2:
            return Response(200, b"ok", "text/plain; charset=utf-8")
        if head == "version" and len(parts) == 1:
            return json_response(200, discovery.VERSION_INFO)
        if head == "openapi":
            return openapi.handle(self.cluster, parts[1:], req)
        if head == "api" and len(parts) == 1:
            agg = discovery.wants_aggregated(req.accept)
            if agg:
                return json_response(200, discovery.aggregated_core(reg, agg),
                                     {"Content-Type": agg})
            return json_response(200, discovery.legacy_versions(reg, self.address))
        if head == "apis" and len(parts) == 1:
            agg = discovery.wants_aggregated(req.accept)
            if agg:
                return json_response(200, discovery.aggregated(reg, agg), {"Content-Type": agg})
            return json_response(200, discovery.group_list(reg))
        if head == "apis" and len(parts) == 2:
            grp = discovery.group(reg, parts[1])
            if grp is None:
                raise resource_not_found()
            return json_response(200, grp)
        if (head == "api" and len(parts) == 2) or (head == "apis" and len(parts) == 3):
            gv = parts[1] if head == "api" else f"{parts[1]}/{parts[2]}"
            doc = discovery.resource_list(reg, gv)
            if doc is None:
                raise resource_not_found()
            return json_response(200, doc)
        target = resolve(reg, parts)
        if target is None:
            return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")
        return self._resource(req, target)

    def _resource(self, req: Request, t: Target) -> Response | Stream:
        rt = t.rt
        method = req.method
        if t.subresource and t.subresource not in ("status", "scale"):
            raise method_not_allowed(f"{rt.plural}/{t.subresource}", rt.group, t.name)
        if method == "GET":
            if t.is_collection:
                if t.legacy_watch or req.flag("watch"):
                    self._need(rt, "watch", t)
                    return self._watch(req, t)
                self._need(rt, "list", t)
                return self._list(req, t)
            if t.legacy_watch:
                return self._watch(req, t, single=t.name)
            self._need(rt, "get", t)
            return self._get(req, t)
        verb = _VERB_OF_METHOD.get(method)
        if verb is None:
            raise method_not_allowed(rt.plural, rt.group, t.name)
        if t.is_collection:
            if method == "POST":
                self._need(rt, "create", t)
                return self._create(req, t)
            if method == "DELETE":
                self._need(rt, "deletecollection", t)
                return self._delete_collection(req, t)
            raise method_not_allowed(rt.plural, rt.group)
        if method == "POST":
            raise method_not_allowed(rt.plural, rt.group, t.name)
        self._need(rt, verb, t)
        if method == "DELETE":
            if t.subresource:
                raise method_not_allowed(rt.plural, rt.group, t.name)
            return self._delete(req, t)
        return self._write(req, t, verb)

    def _need(self, rt: ResourceType, verb: str, t: Target) -> None:
        verbs = rt.subresources[t.subresource].verbs if t.subresource else rt.verbs
        if verb not in verbs:
            raise method_not_allowed(rt.plural, rt.group, t.name)

    # --- reads ------------------------------------------------------------------------------

    def _get(self, req: Request, t: Target) -> Response:
        entry = self.cluster.get_entry(t.rt, t.namespace, t.name)
        if t.subresource == "scale":
            return json_response(200, scale_of(t.rt, entry.obj))
        if _TABLE in req.accept:
            return json_response(200, tables.table(t.rt, [entry.obj], req))
        return self._object_response(200, t.rt, entry, req)

    def _object_response(self, status: int, rt: ResourceType, entry: Entry,
                         req: Request, warnings: list[str] | None = None) -> Response:
        headers = _warning_headers(warnings)
        if _wants_yaml(req.accept):
            return Response(status, yaml.safe_dump(_as_version(rt, entry.obj)).encode(),
                            "application/yaml", headers)
        if entry.obj.get("apiVersion") == rt.api_version:
            return Response(status, entry.raw, JSON, headers)
        return Response(status, encode(_as_version(rt, entry.obj)), JSON, headers)

    def _list(self, req: Request, t: Target) -> Response:
        rt = t.rt
        labels = parse_label_selector(req.query.get("labelSelector"))
        fields = parse_field_selector(req.query.get("fieldSelector"), rt.plural)
        limit = _int_param(req, "limit")
        start = _decode_continue(req.query.get("continue"), self.cluster.store.rv)
        entries: list[Entry] = []
        remaining = 0
        for entry in self.cluster.store.items(rt.key, t.namespace or None):
            md = entry.obj["metadata"]
            key = f"{md.get('namespace', '')}/{md['name']}"
            if start is not None and key <= start:
                continue
            if not labels_match(labels, entry.obj) or not fields_match(fields, entry.obj):
                continue
            if limit and len(entries) >= limit:
                remaining += 1
                continue
            entries.append(entry)
        list_meta: dict[str, Any] = {"resourceVersion": str(self.cluster.store.rv)}
        if remaining:
            last = entries[-1].obj["metadata"]
            list_meta["continue"] = _encode_continue(
                self.cluster.store.rv, f"{last.get('namespace', '')}/{last['name']}")
            if not labels and not fields:
                list_meta["remainingItemCount"] = remaining
        if _TABLE in req.accept:
            return json_response(200, tables.table(rt, [e.obj for e in entries], req, list_meta))
        head: dict[str, Any] = {"kind": f"{rt.kind}List", "apiVersion": rt.api_version,
                                "metadata": list_meta}
        if _wants_yaml(req.accept):
            head["items"] = [_as_version(rt, e.obj) for e in entries]
            return Response(200, yaml.safe_dump(head).encode(), "application/yaml")
        body = encode(head)[:-1] + b',"items":[' + b",".join(
            _list_item(rt, e) for e in entries) + b"]}"
        return Response(200, body)

    def _watch(self, req: Request, t: Target, single: str = "") -> Stream:
        rt = t.rt
        labels = parse_label_selector(req.query.get("labelSelector"))
        fields = parse_field_selector(req.query.get("fieldSelector"), rt.plural)
        if single:
            fields = [*fields, ("metadata.name", "=", single)]
        rv_param = req.query.get("resourceVersion", "")
        try:
            rv = int(rv_param) if rv_param else None
        except ValueError:
            raise bad_request(f"invalid resource version: {rv_param}") from None
        timeout = _int_param(req, "timeoutSeconds") or 1800
        send_initial = req.query.get("sendInitialEvents", "").lower() == "true"
        since = None
        if rv not in (None, 0) and not send_initial:
            assert rv is not None
            if self.cluster.store.events_since(rt.key, rv) is None:
                err = expired(f"too old resource version: {rv} ({self.cluster.store.rv})")
                return Stream(_one_error(err))
            since = rv
        # kubectl get --watch asks for Tables: each event then carries a one-row Table
        transform = tables.watch_transform(rt, req) if _TABLE in req.accept else None
        return Stream(watch_stream(
            self.cluster.store, rt, t.namespace, labels, fields, since,
            bookmarks=req.flag("allowWatchBookmarks"), interval=self.bookmark_interval,
            timeout=float(timeout), send_initial=send_initial or rv in (None, 0),
            transform=transform))

    # --- writes -----------------------------------------------------------------------------

    def _options(self, req: Request, apply: bool = False) -> WriteOptions:
        dry = req.query.get("dryRun", "")
        if dry and dry != "All":
            raise bad_request(f'dryRun: Unsupported value: "{dry}": supported values: "All"')
        fv = req.query.get("fieldValidation", "") or "Warn"
        if fv not in ("Strict", "Warn", "Ignore"):
            raise bad_request(f"fieldValidation: Unsupported value: \"{fv}\": supported "
                              f"values: \"Ignore\", \"Strict\", \"Warn\"")
        manager = req.query.get("fieldManager", "")
        if not manager and not apply:
            manager = req.user_agent_manager()
        if len(manager) > 128:
            raise bad_request("fieldManager: Too long: may not be more than 128 bytes")
        force = req.query.get("force", "")
        if force and not apply:
            raise bad_request("force: Invalid value: true: may not be specified for non-apply "
                              "patch")
        raw = req.body if req.method in ("POST", "PUT") else None
        return WriteOptions(manager, dry == "All", fv, force.lower() == "true", raw)

    def _created(self, res: WriteResult, rt: ResourceType, req: Request) -> Response:
        md = res.obj.get("metadata") or {}
        stored = self.cluster.store.get(rt.key, md.get("namespace", "") if rt.namespaced else "",
                                        md.get("name", ""))
        # the object as stored (a no-op write answers with it too): its encoding is kept for
        # the watchers and readers to come
        entry = stored if stored is not None and stored.obj is res.obj else Entry(res.obj)
        return self._object_response(201 if res.created else 200, rt, entry, req, res.warnings)

    def _create(self, req: Request, t: Target) -> Response:
        body = decode_body(req)
        res = self.cluster.create(t.rt, t.namespace, body, self._options(req))
        return self._created(res, t.rt, req)

    def _write(self, req: Request, t: Target, verb: str) -> Response:
        rt = t.rt
        apply = verb == "patch" and req.content_type == APPLY_PATCH
        opts = self._options(req, apply=apply)
        body = decode_body(req)
        if t.subresource == "scale":
            res = self.cluster_scale(t, verb, req.content_type, body, opts)
            return json_response(200, scale_of(rt, res.obj), _warning_headers(res.warnings))
        if verb == "update":
            res = self.cluster.update(rt, t.namespace, t.name, body, opts, t.subresource)
        else:
            res = self.cluster.patch(rt, t.namespace, t.name, req.content_type, body, opts,
                                     t.subresource)
        return self._created(res, rt, req)

    def cluster_scale(self, t: Target, verb: str, content_type: str, body: Any,
                      opts: WriteOptions) -> WriteResult:
        """PUT/PATCH on /scale: the Scale's spec.replicas becomes the parent's."""
        from gitsync.sandbox.patch import json_patch, merge_patch, strategic_merge_patch
        entry = self.cluster.get_entry(t.rt, t.namespace, t.name)
        current = scale_of(t.rt, entry.obj)
        if verb == "update":
            new_scale = body
        elif content_type == "application/json-patch+json":
            new_scale = json_patch(current, body)
        elif content_type == "application/merge-patch+json":
            new_scale = merge_patch(current, body)
        elif content_type == "application/strategic-merge-patch+json":
            new_scale = strategic_merge_patch(current, body, None)
        else:
            raise bad_request(f"unsupported patch type for scale: {content_type}")
        if not isinstance(new_scale, dict):
            raise bad_request("the object provided is unrecognized in the request body")
        replicas = (new_scale.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            from gitsync.sandbox.errors import Cause, invalid
            raise invalid("Scale", "autoscaling", t.name, [Cause(
                "FieldValueInvalid", f"Invalid value: {replicas}: must be greater than or "
                f"equal to 0", "spec.replicas")])
        rv = (new_scale.get("metadata") or {}).get("resourceVersion")
        obj = entry.copy()
        if rv:
            obj["metadata"]["resourceVersion"] = rv
        path = t.rt.scale_paths.get("specReplicasPath", ".spec.replicas").lstrip(".").split(".")
        cur = obj
        for p in path[:-1]:
            cur = cur.setdefault(p, {})
        cur[path[-1]] = replicas
        return self.cluster.update(t.rt, t.namespace, t.name, obj, opts, "scale")

    def _delete(self, req: Request, t: Target) -> Response:
        options = self._delete_options(req)
        dry = req.query.get("dryRun", "") == "All" or "All" in (options.get("dryRun") or [])
        obj, removed = self.cluster.delete(t.rt, t.namespace, t.name, options, dry)
        if removed and not self.cluster.returns_object_on_delete(t.rt):
            details: dict[str, Any] = {"name": t.name}
            if t.rt.group:
                details["group"] = t.rt.group
            details["kind"] = t.rt.plural
            details["uid"] = obj["metadata"].get("uid", "")
            return json_response(200, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                       "status": "Success", "details": details})
        status = 202 if (not removed and options.get("orphanDependents") is False) else 200
        return self._object_response(status, t.rt, Entry(obj), req)

    def _delete_collection(self, req: Request, t: Target) -> Response:
        rt = t.rt
        options = self._delete_options(req)
        dry = req.query.get("dryRun", "") == "All"
        labels = parse_label_selector(req.query.get("labelSelector"))
        fields = parse_field_selector(req.query.get("fieldSelector"), rt.plural)
        out = []
        for entry in list(self.cluster.store.items(rt.key, t.namespace or None)):
            if labels_match(labels, entry.obj) and fields_match(fields, entry.obj):
                md = entry.obj["metadata"]
                obj, _ = self.cluster.delete(rt, md.get("namespace", ""), md["name"],
                                             options, dry)
                out.append(obj)
        return json_response(200, {"kind": f"{rt.kind}List", "apiVersion": rt.api_version,
                                   "metadata": {"resourceVersion": str(self.cluster.store.rv)},
                                   "items": out})

    def _delete_options(self, req: Request) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if req.body.strip():
            body = decode_body(req)
            if not isinstance(body, dict):
                raise bad_request("DeleteOptions must be a JSON object")
            options.update(body)
        if "propagationPolicy" in req.query:
            options["propagationPolicy"] = req.query["propagationPolicy"]
        if "orphanDependents" in req.query:
            options["orphanDependents"] = req.flag("orphanDependents")
        if "gracePeriodSeconds" in req.query:
            options["gracePeriodSeconds"] = _int_param(req, "gracePeriodSeconds")
        return options


# --- helpers ----------------------------------------------------------------------------------


def scale_of(rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
    """The autoscaling/v1 Scale view of a Deployment, StatefulSet, ReplicaSet or CR."""
    md = obj["metadata"]
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    selector = spec.get("selector") or {}
    if isinstance(selector, dict):
        parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
        for expr in selector.get("matchExpressions") or []:
            op = expr.get("operator", "")
            vals = ",".join(expr.get("values") or [])
            parts.append({"In": f"{expr['key']} in ({vals})",
                          "NotIn": f"{expr['key']} notin ({vals})",
                          "Exists": expr["key"], "DoesNotExist": f"!{expr['key']}"}.get(op, ""))
        sel = ",".join(p for p in parts if p)
    else:
        sel = str(selector)
    scale_md = {k: md[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                   "creationTimestamp") if k in md}
    return {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": scale_md,
            "spec": {"replicas": spec.get("replicas", 0)},
            "status": {"replicas": status.get("replicas", 0), "selector": sel}}


def _as_version(rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
    if obj.get("apiVersion") == rt.api_version:
        return obj
    return {**obj, "apiVersion": rt.api_version}


def _list_item(rt: ResourceType, entry: Entry) -> bytes:
    """Typed lists carry no apiVersion/kind per item upstream; custom resources do."""
    raw = entry.raw
    if rt.custom:
        if entry.obj.get("apiVersion") == rt.api_version:
            return raw
        return encode(_as_version(rt, entry.obj))
    prefix = b'{"apiVersion":' + json.dumps(entry.obj.get("apiVersion")).encode() + \
        b',"kind":' + json.dumps(entry.obj.get("kind")).encode() + b","
    if raw.startswith(prefix):
        return b"{" + raw[len(prefix):]
    return encode({k: v for k, v in entry.obj.items() if k not in ("apiVersion", "kind")})


def _wants_yaml(accept: str) -> bool:
    first = accept.split(",")[0].strip().split(";")[0]
    return first == "application/yaml"


def _warning_headers(warnings: list[str] | None) -> dict[str, str]:
    if not warnings:
        return {}
    return {"Warning": ", ".join(f'299 - "{w}"' for w in warnings)}


def _int_param(req: Request, name: str) -> int:
    raw = req.query.get(name, "")
    if not raw:
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{name}: Invalid value: \"{raw}\": must be an integer") from None
    if value < 0:
        raise bad_request(f"{name}: Invalid value: {value}: must be greater than or equal to 0")
    return value


def _encode_continue(rv: int, start: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start + "\x00"})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_continue(token: str | None, current_rv: int) -> str | None:
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        start = str(data["start"]).rstrip("\x00")
        int(data["rv"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise bad_request("continue key is not valid: incorrect encoded start resourceVersion "
                          "(version meta.k8s.io/v1)") from None
    return start


async def _one_error(err: ApiError) -> Any:
    yield encode({"type": "ERROR", "object": err.status()}) + b"\n"


def _root_paths(reg: Any) -> set[str]:
    paths = {"/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version",
             "/openapi/v2", "/openapi/v3"}
    for gv in reg.resource_lists:
        if gv != "v1":
            paths.add(f"/apis/{gv}")
            paths.add(f"/apis/{gv.split('/')[0]}")
    return paths

