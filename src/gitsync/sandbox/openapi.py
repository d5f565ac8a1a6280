"""OpenAPI v3 documents, as kube-apiserver serves them under ``/openapi/v3``.

kubectl reads them to decide whether the server validates fields itself (it looks for the
``fieldValidation`` parameter on the PATCH operation of a kind) and for ``kubectl explain``.
Built-in schemas come from the ``kubernetes-validate`` definitions, turned back from JSON
Schema into OpenAPI 3.0 (single types, ``allOf``-wrapped ``$ref`` siblings); custom resources
use their CRD's structural schema. Documents are generated once and cached: built-in ones for
the whole process, CRD ones per cluster until a CRD of the group changes.
"""

from __future__ import annotations

import hashlib
import json
import time
import weakref
from dataclasses import dataclass
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from gitsync.sandbox import openapi_paths as op
from gitsync.sandbox.http import Request, Response
from gitsync.sandbox.registry import ResourceType
from gitsync.sandbox.schema import GVK, SCHEMA_VERSION

if TYPE_CHECKING:
    from gitsync.sandbox.cluster import Cluster

_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_NOT_FOUND = Response(404, b"404 page not found\n", "text/plain; charset=utf-8")
_CRD_KEY = ("apiextensions.k8s.io", "customresourcedefinitions")
_API_VERSION_DOC = (
    "APIVersion defines the versioned schema of this representation of an object. Servers "
    "should convert recognized schemas to the latest internal value, and may reject "
    "unrecognized values. More info: https://git.k8s.io/community/contributors/devel/"
    "sig-architecture/api-conventions.md#resources")
_KIND_DOC = (
    "Kind is a string value representing the REST resource this object represents. Servers "
    "may infer this from the endpoint the client submits requests to. Cannot be updated. In "
    "CamelCase. More info: https://git.k8s.io/community/contributors/devel/"
    "sig-architecture/api-conventions.md#types-kinds")
_METADATA_DOC = ("Standard object's metadata. More info: https://git.k8s.io/community/"
                 "contributors/devel/sig-architecture/api-conventions.md#metadata")


@dataclass(frozen=True, slots=True)
class Doc:
    """One serialised document and its validators."""

    body: bytes
    etag: str
    last_modified: str


def _doc(obj: dict[str, Any]) -> Doc:
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    # the real server's ETag and ?hash= value: upper-case hex SHA-512 of the JSON
    return Doc(body, hashlib.sha512(body).hexdigest().upper(), formatdate(usegmt=True))


# --- schema conversion --------------------------------------------------------------------


def _one_type(value: Any) -> Any:
    """JSON Schema's ``["string", "null"]`` is OpenAPI 3.0's ``"string"``."""
    if isinstance(value, list):
        types = [t for t in value if t != "null"]
        return types[0] if len(types) == 1 else (types or None)
    return value


def convert(schema: Any, refs: set[str] | None = None) -> Any:
    """A kubernetes-validate (JSON Schema) node as OpenAPI v3; collects ``$ref`` targets."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$ref":
            continue
        if key == "type":
            value = _one_type(value)
            if value is None:
                continue
        elif key == "properties" and isinstance(value, dict):
            value = {name: convert(sub, refs) for name, sub in value.items()}
        elif key in ("items", "not") or (key == "additionalProperties"
                                         and isinstance(value, dict)):
            value = convert(value, refs)
        elif key in ("oneOf", "anyOf", "allOf") and isinstance(value, list):
            value = [convert(sub, refs) for sub in value]
        out[key] = value
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if refs is not None:
            refs.add(name)
        target = {"$ref": "#/components/schemas/" + name}
        # OpenAPI 3.0 ignores siblings of $ref, so the real server wraps the ref in allOf
        return {"allOf": [target], **out} if out else target
    return out


class _Components:
    """Every built-in definition converted once, with the names each one refers to."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.schemas: dict[str, Any] = {}
        self.refs: dict[str, set[str]] = {}
        for name, raw in definitions.items():
            refs: set[str] = set()
            conv = convert(raw, refs)
            if "x-kubernetes-group-version-kind" in raw:
                # kubernetes-validate pins apiVersion/kind with enums the server never has
                for prop in ("apiVersion", "kind"):
                    conv.get("properties", {}).get(prop, {}).pop("enum", None)
            self.schemas[name] = conv
            self.refs[name] = refs
        ios = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
        if ios in self.schemas:
            self.schemas[ios] = {"format": "int-or-string",
                                 "oneOf": [{"type": "integer"}, {"type": "string"}]}

    def closure(self, roots: set[str], extra: dict[str, tuple[Any, set[str]]]
                ) -> dict[str, Any]:
        """The schemas reachable from ``roots`` (``extra`` adds CRD schemas), sorted by name."""
        seen: set[str] = set()
        todo = [r for r in roots if r in self.schemas or r in extra]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            refs = extra[name][1] if name in extra else self.refs.get(name, set())
            todo.extend(r for r in refs if r not in seen and (r in self.schemas or r in extra))
        return {n: (extra[n][0] if n in extra else self.schemas[n]) for n in sorted(seen)}


_COMPONENTS: _Components | None = None
_BUILTIN_DOCS: dict[str, Doc] = {}


def _components(cluster: Cluster) -> _Components:
    global _COMPONENTS
    if _COMPONENTS is None:
        _COMPONENTS = _Components(cluster.schemas.definitions)
    return _COMPONENTS


# --- documents ----------------------------------------------------------------------------


def _envelope(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": SCHEMA_VERSION},
            "paths": paths, "components": {"schemas": schemas}}


def _custom_schema(cluster: Cluster, rt: ResourceType) -> tuple[Any, set[str]] | None:
    node = cluster.schemas.root(GVK(rt.group, rt.version, rt.kind))
    if node is None:
        return None
    refs: set[str] = set()
    conv = convert(node.raw, refs)
    props = dict(conv.get("properties") or {})
    props["apiVersion"] = {"description": _API_VERSION_DOC, "type": "string"}
    props["kind"] = {"description": _KIND_DOC, "type": "string"}
    props["metadata"] = {"allOf": [{"$ref": "#/components/schemas/" + _META + "ObjectMeta"}],
                         "description": _METADATA_DOC}
    refs.add(_META + "ObjectMeta")
    conv["properties"] = dict(sorted(props.items()))
    conv["type"] = "object"
    conv["x-kubernetes-group-version-kind"] = [
        {"group": rt.group, "kind": rt.kind, "version": rt.version}]
    return conv, refs


def _custom_list_schema(rt: ResourceType, item: str) -> tuple[Any, set[str]]:
    schema = {
        "description": f"{rt.kind}List is a list of {rt.kind}",
        "properties": {
            "apiVersion": {"description": _API_VERSION_DOC, "type": "string"},
            "items": {"description": f"List of {rt.plural}. More info: https://git.k8s.io/"
                                     "community/contributors/devel/sig-architecture/"
                                     "api-conventions.md",
                      "items": {"$ref": "#/components/schemas/" + item}, "type": "array"},
            "kind": {"description": _KIND_DOC, "type": "string"},
            "metadata": {"allOf": [{"$ref": "#/components/schemas/" + _META + "ListMeta"}],
                         "description": "Standard list metadata. More info: https://git.k8s."
                                        "io/community/contributors/devel/sig-architecture/"
                                        "api-conventions.md#types-kinds"}},
        "required": ["items"], "type": "object",
        "x-kubernetes-group-version-kind": [
            {"group": rt.group, "kind": rt.kind + "List", "version": rt.version}]}
    return schema, {item, _META + "ListMeta"}


def _subresource_kinds(cluster: Cluster, rt: ResourceType) -> dict[str, GVK]:
    """What each subresource answers with; discovery omits group and version when they are
    the resource's own (``pods/exec`` is a ``v1`` ``PodExecOptions``)."""
    kinds = {s.name: s.kind or GVK(rt.group, rt.version, rt.kind)
             for s in rt.subresources.values()}
    doc = cluster.registry.resource_lists.get(rt.api_version) or {}
    for entry in doc.get("resources") or []:
        parent, _, sub = str(entry.get("name", "")).partition("/")
        if parent == rt.plural and sub in kinds and not entry.get("version"):
            kinds[sub] = GVK(rt.group, rt.version, str(entry.get("kind") or rt.kind))
    return kinds


def _group_version_doc(cluster: Cluster, group: str, version: str) -> dict[str, Any] | None:
    reg = cluster.registry
    gv = f"{group}/{version}" if group else version
    if gv not in reg.resource_lists:
        return None
    comps = _components(cluster)
    names = cluster.schemas
    extra: dict[str, tuple[Any, set[str]]] = {}
    roots = {_META + "APIResourceList"}
    resources: list[op.Resource] = []
    for rt in sorted((r for r in reg.all() if r.group == group and r.version == version),
                     key=lambda r: r.plural):
        if rt.custom:
            custom = _custom_schema(cluster, rt)
            if custom is None:
                continue
            item = op.custom_definition_name(rt)
            extra[item] = custom
            extra[item + "List"] = _custom_list_schema(rt, item)
            kind_def, list_def = item, item + "List"
        else:
            kind_def = names.definition_name(rt.gvk) or ""
            list_def = names.definition_name(GVK(rt.group, rt.version, rt.kind + "List")) or ""
            if kind_def not in comps.schemas:
                continue
        subs: dict[str, tuple[GVK, str]] = {}
        for sub, gvk in _subresource_kinds(cluster, rt).items():
            same = gvk == GVK(rt.group, rt.version, rt.kind)
            subs[sub] = (gvk, kind_def if same else names.definition_name(gvk) or "")
        resources.append(op.Resource(rt, kind_def, list_def, subs,
                                     cluster.returns_object_on_delete(rt)))
    paths, used = op.group_version_paths(group, version, resources)
    roots |= used
    return _envelope(paths, comps.closure(roots, extra))


def _simple_doc(cluster: Cluster, key: str) -> dict[str, Any] | None:
    """The small documents of the index: ``api``, ``apis``, ``apis/<group>``, ``version``."""
    found = op.root_paths(key, {gv.split("/")[0] for gv in cluster.registry.resource_lists
                                if "/" in gv})
    if found is None:
        return None
    paths, roots = found
    return _envelope(paths, _components(cluster).closure(roots, {}))


class _ClusterDocs:
    """CRD-dependent documents of one cluster, keyed by path and CRD resourceVersions."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple[Any, Doc]] = {}


_PER_CLUSTER: weakref.WeakKeyDictionary[Cluster, _ClusterDocs] = weakref.WeakKeyDictionary()


def _index_keys(cluster: Cluster) -> list[str]:
    keys = {"api", "apis", "version"}
    for gv in cluster.registry.resource_lists:
        if gv == "v1":
            keys.add("api/v1")
        else:
            keys.add("apis/" + gv)
            keys.add("apis/" + gv.split("/")[0])
    return sorted(keys)


def _crd_fingerprint(cluster: Cluster, group: str) -> tuple[tuple[str, str], ...]:
    out = []
    for entry in cluster.store.items(_CRD_KEY):
        md = entry.obj["metadata"]
        if (entry.obj.get("spec") or {}).get("group") == group:
            out.append((str(md.get("name")), str(md.get("resourceVersion"))))
    return tuple(out)


def document(cluster: Cluster, key: str) -> Doc | None:
    """The document at ``/openapi/v3/<key>`` (e.g. ``apis/apps/v1``), or None."""
    parts = key.split("/")
    if len(parts) == 2 and parts[0] == "api":
        group, version = "", parts[1]
    elif len(parts) == 3 and parts[0] == "apis":
        group, version = parts[1], parts[2]
    else:
        group = version = ""
    custom = bool(version) and any(
        rt.custom for rt in cluster.registry.all()
        if rt.group == group and rt.version == version)
    if key not in _index_keys(cluster):
        return None
    if not custom:
        if key not in _BUILTIN_DOCS:
            obj = _group_version_doc(cluster, group, version) if version else \
                _simple_doc(cluster, key)
            if obj is None:
                return None
            # built-in documents depend on nothing a client can change: build them once
            _BUILTIN_DOCS[key] = _doc(obj)
        return _BUILTIN_DOCS[key]
    per = _PER_CLUSTER.setdefault(cluster, _ClusterDocs())
    fp = _crd_fingerprint(cluster, group)
    cached = per.docs.get(key)
    if cached is not None and cached[0] == fp:
        return cached[1]
    obj = _group_version_doc(cluster, group, version)
    if obj is None:
        return None
    doc = _doc(obj)
    per.docs[key] = (fp, doc)
    return doc


def index(cluster: Cluster) -> dict[str, Any]:
    """``GET /openapi/v3``: every document path with its content-hashed URL."""
    paths: dict[str, Any] = {}
    for key in _index_keys(cluster):
        doc = document(cluster, key)
        if doc is not None:
            paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={doc.etag}"}
    return {"paths": paths}


# --- HTTP ---------------------------------------------------------------------------------


def _wants_json(accept: str) -> bool:
    if not accept.strip():
        return True
    for clause in accept.split(","):
        media = clause.split(";")[0].strip().lower()
        if media in ("application/json", "application/*", "*/*"):
            return True
    return False


def _conditional(req: Request, doc: Doc, headers: dict[str, str]) -> Response:
    etag = f'"{doc.etag}"'
    headers = {"Etag": etag, "Last-Modified": doc.last_modified, "Accept-Ranges": "bytes",
               **headers}
    match = req.headers.get("if-none-match", "")
    if match and (match.strip() == "*" or etag in [m.strip() for m in match.split(",")]):
        return Response(304, b"", "application/json", headers)
    return Response(200, doc.body, "application/json", headers)


def handle(cluster: Cluster, parts: list[str], req: Request) -> Response:
    """Serve ``/openapi/v3`` and its documents; ``/openapi/v2`` is not served (404)."""
    if req.method not in ("GET", "HEAD") or not parts or parts[0] != "v3":
        return _NOT_FOUND
    if len(parts) == 1:
        doc = _doc(index(cluster))
        return _conditional(req, doc, {})
    doc_or_none = document(cluster, "/".join(parts[1:]))
    if doc_or_none is None:
        return _NOT_FOUND
    doc = doc_or_none
    if not _wants_json(req.accept):
        return Response(406, b"", "text/plain; charset=utf-8", {"Vary": "Accept"})
    headers = {"Vary": "Accept"}
    wanted = req.query.get("hash", "")
    if wanted:
        if wanted != doc.etag:
            url = f"/openapi/v3/{'/'.join(parts[1:])}?hash={doc.etag}"
            body = f'<a href="{url}">Moved Permanently</a>.\n\n'.encode()
            return Response(301, body, "text/html; charset=utf-8", {"Location": url})
        # a hash names immutable content: let clients cache it for a year
        headers["Cache-Control"] = "public, immutable"
        headers["Expires"] = time.strftime("%a, %d %b %Y %H:%M:%S UTC",
                                           time.gmtime(time.time() + 365 * 86400))
    resp = _conditional(req, doc, headers)
    if req.method == "HEAD":
        resp.body = b""
    return resp
