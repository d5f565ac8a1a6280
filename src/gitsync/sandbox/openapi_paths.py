"""The ``paths`` of OpenAPI v3 documents: the operations kube-apiserver's installer publishes.

Operation ids, descriptions, parameters and vendor extensions follow the real server (kubectl
finds a kind's PATCH operation by ``x-kubernetes-group-version-kind`` and checks it for the
``fieldValidation`` parameter; ``kubectl explain`` maps a resource to its kind the same way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gitsync.sandbox.registry import ResourceType
from gitsync.sandbox.schema import GVK

_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_REF = "#/components/schemas/"
_FORMATS = ("application/json", "application/vnd.kubernetes.protobuf", "application/yaml")
_WATCH_FORMATS = ("application/json", "application/json;stream=watch",
                  "application/vnd.kubernetes.protobuf",
                  "application/vnd.kubernetes.protobuf;stream=watch", "application/yaml")
_PATCH_TYPES = ("application/apply-patch+yaml", "application/json-patch+json",
                "application/merge-patch+json", "application/strategic-merge-patch+json")
#: subresources that stream or proxy: published as ``connect`` operations
_CONNECT = {"attach", "exec", "portforward", "proxy"}

_P = {
    "allowWatchBookmarks": ("boolean", "allowWatchBookmarks requests watch events with type "
                            "\"BOOKMARK\". Servers that do not implement bookmarks may ignore "
                            "this flag and bookmarks are sent at the server's discretion. "
                            "Clients should not assume bookmarks are returned at any specific "
                            "interval, nor may they assume the server will send any BOOKMARK "
                            "event during a session. If this is not a watch, this field is "
                            "ignored."),
    "continue": ("string", "The continue option should be set when retrieving more results "
                 "from the server. Since this value is server defined, clients may only use "
                 "the continue value from a previous query result with identical query "
                 "parameters (except for the value of continue) and the server may reject a "
                 "continue value it does not recognize."),
    "dryRun": ("string", "When present, indicates that modifications should not be persisted. "
               "An invalid or unrecognized dryRun directive will result in an error response "
               "and no further processing of the request. Valid values are: - All: all dry "
               "run stages will be processed"),
    "fieldManager": ("string", "fieldManager is a name associated with the actor or entity "
                     "that is making these changes. The value must be less than or 128 "
                     "characters long, and only contain printable characters, as defined by "
                     "https://golang.org/pkg/unicode/#IsPrint."),
    "fieldSelector": ("string", "A selector to restrict the list of returned objects by their "
                      "fields. Defaults to everything."),
    "fieldValidation": ("string", "fieldValidation instructs the server on how to handle "
                        "objects in the request (POST/PUT/PATCH) containing unknown or "
                        "duplicate fields. Valid values are: - Ignore: This will ignore any "
                        "unknown fields that are silently dropped from the object, and will "
                        "ignore all but the last duplicate field that the decoder encounters. "
                        "This is the default behavior prior to v1.23. - Warn: This will send a "
                        "warning via the standard warning response header for each unknown "
                        "field that is dropped from the object, and for each duplicate field "
                        "that is encountered. The request will still succeed if there are no "
                        "other errors, and will only persist the last of any duplicate fields. "
                        "This is the default in v1.23+ - Strict: This will fail the request "
                        "with a BadRequest error if any unknown fields would be dropped from "
                        "the object, or if any duplicate fields are present. The error "
                        "returned from the server will contain all unknown and duplicate "
                        "fields encountered."),
    "force": ("boolean", "Force is going to \"force\" Apply requests. It means user will "
              "re-acquire conflicting fields owned by other people. Force flag must be unset "
              "for non-apply patch requests."),
    "gracePeriodSeconds": ("integer", "The duration in seconds before the object should be "
                           "deleted. Value must be non-negative integer. The value zero "
                           "indicates delete immediately. If this value is nil, the default "
                           "grace period for the specified type will be used. Defaults to a "
                           "per object value if not specified. zero means delete immediately."),
    "ignoreStoreReadErrorWithClusterBreakingPotential": (
        "boolean", "if set to true, it will trigger an unsafe deletion of the resource in case "
        "the normal deletion flow fails with a corrupt object error. The default value is "
        "false, and the user must opt in to enable it"),
    "labelSelector": ("string", "A selector to restrict the list of returned objects by their "
                      "labels. Defaults to everything."),
    "limit": ("integer", "limit is a maximum number of responses to return for a list call. If "
              "more items exist, the server will set the `continue` field on the list metadata "
              "to a value that can be used with the same initial query to retrieve the next "
              "set of results."),
    "orphanDependents": ("boolean", "Deprecated: please use the PropagationPolicy, this field "
                         "will be deprecated in 1.7. Should the dependent objects be orphaned. "
                         "If true/false, the \"orphan\" finalizer will be added to/removed "
                         "from the object's finalizers list. Either this field or "
                         "PropagationPolicy may be set, but not both."),
    "pretty": ("string", "If 'true', then the output is pretty printed. Defaults to 'false' "
               "unless the user-agent indicates a browser or command-line HTTP tool (curl and "
               "wget)."),
    "propagationPolicy": ("string", "Whether and how garbage collection will be performed. "
                          "Either this field or OrphanDependents may be set, but not both. The "
                          "default policy is decided by the existing finalizer set in the "
                          "metadata.finalizers and the resource-specific default policy. "
                          "Acceptable values are: 'Orphan' - orphan the dependents; "
                          "'Background' - allow the garbage collector to delete the "
                          "dependents in the background; 'Foreground' - a cascading policy "
                          "that deletes all dependents in the foreground."),
    "resourceVersion": ("string", "resourceVersion sets a constraint on what resource versions "
                        "a request may be served from. See https://kubernetes.io/docs/"
                        "reference/using-api/api-concepts/#resource-versions for details.\n\n"
                        "Defaults to unset"),
    "resourceVersionMatch": ("string", "resourceVersionMatch determines how resourceVersion is "
                             "applied to list calls. It is highly recommended that "
                             "resourceVersionMatch be set for list calls where resourceVersion "
                             "is set See https://kubernetes.io/docs/reference/using-api/"
                             "api-concepts/#resource-versions for details.\n\nDefaults to "
                             "unset"),
    "sendInitialEvents": ("boolean", "`sendInitialEvents=true` may be set together with "
                          "`watch=true`. In that case, the watch stream will begin with "
                          "synthetic events to produce the current state of objects in the "
                          "collection. Once all such events have been sent, a synthetic "
                          "\"Bookmark\" event  will be sent."),
    "timeoutSeconds": ("integer", "Timeout for the list/watch call. This limits the duration of "
                       "the call, regardless of any activity or inactivity."),
    "watch": ("boolean", "Watch for changes to the described resources and return them as a "
              "stream of add, update, and remove notifications. Specify resourceVersion."),
}

_LIST_Q = ("allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit",
           "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds",
           "watch")
_DELETE_Q = ("dryRun", "gracePeriodSeconds", "ignoreStoreReadErrorWithClusterBreakingPotential",
             "orphanDependents", "propagationPolicy")
_DELETECOLLECTION_Q = ("continue", "dryRun", "fieldSelector", "gracePeriodSeconds",
                       "ignoreStoreReadErrorWithClusterBreakingPotential", "labelSelector",
                       "limit", "orphanDependents", "propagationPolicy", "resourceVersion",
                       "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds")
_WRITE_Q = ("dryRun", "fieldManager", "fieldValidation")
_PATCH_Q = ("dryRun", "fieldManager", "fieldValidation", "force")


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource as a document needs it: its type and the schema names it answers with."""

    rt: ResourceType
    kind_def: str
    list_def: str
    #: subresource name -> the kind it answers with and that kind's definition name
    subs: dict[str, tuple[GVK, str]]
    returns_object_on_delete: bool


def custom_definition_name(rt: ResourceType) -> str:
    """``com.example.stable.v1.CronTab``: reversed group, version, kind (as CRDs publish)."""
    return ".".join(reversed(rt.group.split("."))) + f".{rt.version}.{rt.kind}"


def _camel(group: str) -> str:
    if not group:
        return "Core"
    words = re.split(r"[.\-]", group.removesuffix(".k8s.io"))
    return "".join(w[:1].upper() + w[1:] for w in words if w)


def _tag(group: str, version: str) -> str:
    camel = _camel(group)
    return f"{camel[:1].lower()}{camel[1:]}_{version}"


def _article(noun: str) -> str:
    """The installer's GetArticleForNoun: plurals get none, vowels get "an"."""
    if noun.endswith("s") and not noun.endswith("ss"):
        return " "
    return " an " if noun[:1].lower() in "aeiou" else " a "


def _param(name: str, where: str = "query", description: str = "") -> dict[str, Any]:
    typ, doc = _P.get(name, ("string", description))
    out: dict[str, Any] = {"description": description or doc, "in": where, "name": name}
    if where == "path":
        out["required"] = True
    out["schema"] = {"type": typ, "uniqueItems": True}
    return out


def _content(ref: str, formats: tuple[str, ...] = _FORMATS) -> dict[str, Any]:
    schema = {"$ref": _REF + ref} if ref else {"type": "string"}
    return {f: {"schema": schema} for f in formats}


def _responses(ref: str, *codes: str, formats: tuple[str, ...] = _FORMATS) -> dict[str, Any]:
    words = {"200": "OK", "201": "Created", "202": "Accepted"}
    return {c: {"content": _content(ref, formats), "description": words[c]} for c in codes}


class _Builder:
    """Collects the paths of one group-version and the definitions they name."""

    def __init__(self, group: str, version: str) -> None:
        self.group = group
        self.version = version
        self.prefix = f"/apis/{group}/{version}" if group else f"/api/{version}"
        self.ident = _camel(group) + version[:1].upper() + version[1:]
        self.tags = [_tag(group, version)]
        self.paths: dict[str, Any] = {}
        self.used: set[str] = set()

    def op(self, verb: str, ident: str, description: str, action: str | None,
           gvk: dict[str, str] | None, query: tuple[str, ...] = (),
           responses: dict[str, Any] | None = None, body: str | None = None,
           body_types: tuple[str, ...] = ("*/*",)) -> dict[str, Any]:
        out: dict[str, Any] = {"description": description, "operationId": verb + ident}
        if query:
            out["parameters"] = [_param(q) for q in query]
        if body is not None:
            out["requestBody"] = {"content": {t: {"schema": {"$ref": _REF + body}}
                                              for t in body_types}, "required": True}
            self.used.add(body)
        out["responses"] = responses or {}
        out["tags"] = self.tags
        if action is not None:
            out["x-kubernetes-action"] = action
        if gvk is not None:
            out["x-kubernetes-group-version-kind"] = gvk
        return out

    def path(self, path: str, params: list[dict[str, Any]], ops: dict[str, Any]) -> None:
        if ops:
            self.paths[path] = {**ops, "parameters": params}

    def resource(self, res: Resource) -> None:
        rt = res.rt
        kind, plural, verbs = rt.kind, rt.plural, rt.verbs
        gvk = {"group": rt.group, "kind": kind, "version": rt.version}
        ns = "Namespaced" if rt.namespaced else ""
        ident = f"{self.ident}{ns}{kind}"
        base = f"{self.prefix}/namespaces/{{namespace}}/{plural}" if rt.namespaced else \
            f"{self.prefix}/{plural}"
        ns_params = [_param("namespace", "path", "object name and auth scope, such as for "
                            "teams and projects")] if rt.namespaced else []
        name_param = _param("name", "path", f"name of the {kind}")
        pretty = _param("pretty")
        art = _article(kind)
        kd, ld = res.kind_def, res.list_def
        self.used.update(d for d in (kd, ld) if d)
        deleted = kd if res.returns_object_on_delete else _META + "Status"
        coll: dict[str, Any] = {}
        if "list" in verbs and ld:
            coll["get"] = self.op("list", ident, f"list or watch objects of kind {kind}",
                                  "list", gvk, _LIST_Q,
                                  _responses(ld, "200", formats=_WATCH_FORMATS))
        if "create" in verbs:
            coll["post"] = self.op("create", ident, f"create{art}{kind}", "post", gvk,
                                   _WRITE_Q, _responses(kd, "200", "201", "202"), kd)
        if "deletecollection" in verbs:
            self.used.update((_META + "Status", _META + "DeleteOptions"))
            coll["delete"] = self.op(
                "delete", f"{self.ident}Collection{ns}{kind}",
                f"delete collection of {kind}", "deletecollection", gvk, _DELETECOLLECTION_Q,
                _responses(_META + "Status", "200"), _META + "DeleteOptions")
        self.path(base, [*ns_params, pretty], dict(sorted(coll.items())))
        item: dict[str, Any] = {}
        if "get" in verbs:
            item["get"] = self.op("read", ident, f"read the specified {kind}", "get", gvk,
                                  responses=_responses(kd, "200"))
        if "update" in verbs:
            item["put"] = self.op("replace", ident, f"replace the specified {kind}", "put",
                                  gvk, _WRITE_Q, _responses(kd, "200", "201"), kd)
        if "patch" in verbs:
            item["patch"] = self._patch(ident, f"partially update the specified {kind}",
                                        gvk, kd, rt.custom)
        if "delete" in verbs:
            self.used.update((deleted, _META + "DeleteOptions"))
            item["delete"] = self.op("delete", ident, f"delete{art}{kind}", "delete", gvk,
                                     _DELETE_Q, _responses(deleted, "200", "202"),
                                     _META + "DeleteOptions")
        self.path(f"{base}/{{name}}", [name_param, *ns_params, pretty],
                  dict(sorted(item.items())))
        for sub in sorted(rt.subresources.values(), key=lambda s: s.name):
            self.subresource(res, sub.name, sub.verbs, base, [name_param, *ns_params, pretty])
        if "watch" in verbs:
            self.used.add(_META + "WatchEvent")
            watch_base = f"{self.prefix}/watch" + base[len(self.prefix):]
            wparams = [_param(q) for q in _LIST_Q]
            events = _responses(_META + "WatchEvent", "200", formats=_WATCH_FORMATS)
            self.path(watch_base, [*ns_params, pretty, *wparams], {"get": self.op(
                "watch", ident + "List", f"watch individual changes to a list of {kind}. "
                "deprecated: use the 'watch' parameter with a list operation instead.",
                "watchlist", gvk, responses=events)})
            self.path(f"{watch_base}/{{name}}", [name_param, *ns_params, pretty, *wparams],
                      {"get": self.op(
                          "watch", ident, f"watch changes to an object of kind {kind}. "
                          "deprecated: use the 'watch' parameter with a list operation "
                          "instead, filtered to a single item with the 'fieldSelector' "
                          "parameter.", "watch", gvk, responses=events)})
        if rt.namespaced and "list" in verbs and ld:
            self.path(f"{self.prefix}/{plural}", [pretty, *[_param(q) for q in _LIST_Q]],
                      {"get": self.op("list", f"{self.ident}{kind}ForAllNamespaces",
                                      f"list or watch objects of kind {kind}", "list", gvk,
                                      responses=_responses(ld, "200",
                                                           formats=_WATCH_FORMATS))})
        if rt.namespaced and "watch" in verbs:
            self.path(f"{self.prefix}/watch/{plural}",
                      [pretty, *[_param(q) for q in _LIST_Q]],
                      {"get": self.op("watch", f"{self.ident}{kind}ListForAllNamespaces",
                                      f"watch individual changes to a list of {kind}. "
                                      "deprecated: use the 'watch' parameter with a list "
                                      "operation instead.", "watchlist", gvk,
                                      responses=_responses(_META + "WatchEvent", "200",
                                                           formats=_WATCH_FORMATS))})

    def _patch(self, ident: str, description: str, gvk: dict[str, str], ref: str,
               custom: bool) -> dict[str, Any]:
        types = tuple(t for t in _PATCH_TYPES if not (custom and "strategic" in t))
        return self.op("patch", ident, description, "patch", gvk, _PATCH_Q,
                       _responses(ref, "200", "201"), _META + "Patch", types)

    def subresource(self, res: Resource, sub: str, verbs: frozenset[str], base: str,
                    params: list[dict[str, Any]]) -> None:
        rt = res.rt
        sub_kind, ref = res.subs[sub]
        gvk = {"group": sub_kind.group, "kind": sub_kind.kind, "version": sub_kind.version}
        ns = "Namespaced" if rt.namespaced else ""
        ident = f"{self.ident}{ns}{rt.kind}{sub[:1].upper()}{sub[1:]}"
        ops: dict[str, Any] = {}
        if sub in _CONNECT:
            for verb in sorted(verbs & {"get", "create", "update", "patch", "delete"}):
                method = {"create": "post", "update": "put"}.get(verb, verb)
                title = method.upper()
                ops[method] = self.op(f"connect{title[:1]}{title[1:].lower()}", ident,
                                      f"connect {title} requests to {sub} of {rt.kind}",
                                      "connect", gvk, responses={"200": {
                                          "content": {"*/*": {"schema": {"type": "string"}}},
                                          "description": "OK"}})
            self.path(f"{base}/{{name}}/{sub}", params, ops)
            return
        if sub == "log":
            ref = ""  # logs are plain text
        if ref:
            self.used.add(ref)
        if "get" in verbs:
            ops["get"] = self.op("read", ident, f"read {sub} of the specified {rt.kind}",
                                 "get", gvk, responses=_responses(ref, "200"))
        if "update" in verbs and ref:
            ops["put"] = self.op("replace", ident, f"replace {sub} of the specified {rt.kind}",
                                 "put", gvk, _WRITE_Q, _responses(ref, "200", "201"), ref)
        if "patch" in verbs and ref:
            ops["patch"] = self._patch(ident, f"partially update {sub} of the specified "
                                       f"{rt.kind}", gvk, ref, rt.custom)
        if "create" in verbs and ref:
            ops["post"] = self.op("create", ident, f"create {sub} of{_article(rt.kind)}"
                                  f"{rt.kind}", "post", gvk, _WRITE_Q,
                                  _responses(ref, "200", "201", "202"), ref)
        self.path(f"{base}/{{name}}/{sub}", params, dict(sorted(ops.items())))


def group_version_paths(group: str, version: str, resources: list[Resource]
                        ) -> tuple[dict[str, Any], set[str]]:
    """The paths of one group-version document and the definitions they refer to."""
    b = _Builder(group, version)
    b.paths[b.prefix + "/"] = {"get": b.op(
        "get", f"{b.ident}APIResources", "get available resources", None, None,
        responses=_responses(_META + "APIResourceList", "200"))}
    for res in resources:
        b.resource(res)
    return dict(sorted(b.paths.items())), b.used | {_META + "APIResourceList"}


def root_paths(key: str, groups: set[str]) -> tuple[dict[str, Any], set[str]] | None:
    """Paths of the non-resource documents: ``api``, ``apis``, ``apis/<group>``, ``version``."""
    def get(op_id: str, description: str, ref: str, tag: str) -> dict[str, Any]:
        return {"get": {"description": description, "operationId": op_id,
                        "responses": _responses(ref, "200"), "tags": [tag]}}
    if key == "api":
        return ({"/api/": get("getCoreAPIVersions", "get available API versions",
                              _META + "APIVersions", "core")}, {_META + "APIVersions"})
    if key == "apis":
        return ({"/apis/": get("getAPIVersions", "get available API versions",
                               _META + "APIGroupList", "apis")}, {_META + "APIGroupList"})
    if key == "version":
        info = "io.k8s.apimachinery.pkg.version.Info"
        return ({"/version/": get("getCodeVersion", "get the code version", info, "version")},
                {info})
    if key.startswith("apis/") and key.count("/") == 1 and key[5:] in groups:
        group = key[5:]
        camel = _camel(group)
        return ({f"/apis/{group}/": get(f"get{camel}APIGroup", "get information of a group",
                                        _META + "APIGroup", camel[:1].lower() + camel[1:])},
                {_META + "APIGroup"})
    return None
