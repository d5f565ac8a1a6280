"""The cluster state and every write path: create, update, patch, apply, delete.

The HTTP layer and the simulated controllers both write through these methods, so every
change gets the same resourceVersion, generation, managedFields and watch-event treatment.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gitsync.sandbox import admission, crds, meta
from gitsync.sandbox.apply import record_update, server_side_apply
from gitsync.sandbox.errors import (
    STALE,
    ApiError,
    Cause,
    already_exists,
    bad_request,
    conflict,
    forbidden,
    invalid,
    not_found,
    unsupported_media_type,
)
from gitsync.sandbox.patch import json_patch, merge_patch, strategic_merge_patch
from gitsync.sandbox.registry import ResourceRegistry, ResourceType
from gitsync.sandbox.schema import GVK, Node, SchemaRegistry, builtin_registry
from gitsync.sandbox.store import Entry, Store

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
APPLY_CBOR = "application/apply-patch+cbor"

NS_KEY = ("", "namespaces")
CRD_KEY = ("apiextensions.k8s.io", "customresourcedefinitions")

#: namespaces every cluster starts with
BOOT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")

#: resources whose DELETE answers with the deleted object rather than a Status
_RETURNS_OBJECT = {("", "pods"), ("", "services"), ("", "namespaces"), ("", "nodes"),
                   ("", "persistentvolumes"), ("", "persistentvolumeclaims"),
                   ("apiextensions.k8s.io", "customresourcedefinitions")}

#: resources whose default deletion propagation is Orphan (legacy behaviour kept upstream)
_ORPHAN_BY_DEFAULT = {("batch", "jobs"), ("", "replicationcontrollers")}


@dataclass
class WriteOptions:
    manager: str
    dry_run: bool = False
    field_validation: str = "Warn"
    force: bool = False
    #: the request body as sent, for duplicate-field detection
    raw_body: bytes | None = None
    #: a simulated controller's write of an admitted object: well-formed by construction
    trusted: bool = False


@dataclass
class WriteResult:
    obj: dict[str, Any]
    created: bool = False
    warnings: list[str] = field(default_factory=list)


class Cluster:
    """Registry, schemas and store of one sandbox cluster, with its write semantics."""

    def __init__(self, schemas: SchemaRegistry | None = None) -> None:
        self.registry = ResourceRegistry()
        self.schemas = schemas or builtin_registry()
        self.store = Store()
        self.allocator = admission.Allocator()
        #: called with (resource, old, new) after every committed write; controllers hook here
        self.admission_hooks: list[Callable[[ResourceType, dict[str, Any] | None,
                                             dict[str, Any]], None]] = []

    # --- helpers ----------------------------------------------------------------------------

    def schema(self, rt: ResourceType) -> Node | None:
        return self.schemas.root(GVK(rt.group, rt.version, rt.kind))

    def get_entry(self, rt: ResourceType, namespace: str, name: str) -> Entry:
        entry = self.store.get(rt.key, namespace if rt.namespaced else "", name)
        if entry is None:
            raise not_found(rt.plural, rt.group, name)
        return entry

    def _check_namespace(self, rt: ResourceType, namespace: str, name: str) -> None:
        if not rt.namespaced:
            return
        ns = self.store.get(NS_KEY, "", namespace)
        if ns is None:
            raise not_found("namespaces", "", namespace)
        if ns.obj["metadata"].get("deletionTimestamp"):
            raise forbidden(rt.plural, rt.group, name,
                            f"unable to create new content in namespace {namespace} because it "
                            f"is being terminated",
                            [Cause("NamespaceTerminating",
                                   f"namespace {namespace} is being terminated",
                                   "metadata.namespace")])

    def _check_body(self, rt: ResourceType, body: Any, namespace: str, name: str | None) -> None:
        if not isinstance(body, dict):
            raise bad_request("the object provided is unrecognized in the request body: "
                              "expected a JSON object")
        if not rt.custom:
            # typed endpoints default the type from the URL, as the apiserver's codec does
            body.setdefault("apiVersion", rt.api_version)
            body.setdefault("kind", rt.kind)
        api_version, kind = body.get("apiVersion"), body.get("kind")
        if not kind:
            raise bad_request(f"Object 'Kind' is missing in '{_short(body)}'")
        if not api_version:
            raise bad_request(f"Object 'apiVersion' is missing in '{_short(body)}'")
        if kind != rt.kind:
            raise bad_request(f"the kind in the data ({kind}) does not match the expected kind "
                              f"({rt.kind})")
        if api_version != rt.api_version:
            group = api_version.rpartition("/")[0]
            if group != rt.group:
                raise bad_request(f"the API version in the data ({api_version}) does not match "
                                  f"the expected API version ({rt.api_version})")
        md = body.get("metadata")
        if md is not None and not isinstance(md, dict):
            raise bad_request("the object provided is unrecognized in the request body: "
                              "metadata must be an object")
        md = md or {}
        body_ns = md.get("namespace")
        if rt.namespaced and body_ns and namespace and body_ns != namespace:
            raise bad_request("the namespace of the provided object does not match the "
                              "namespace sent on the request")
        if name is not None and md.get("name") and md["name"] != name:
            raise bad_request(f"the name of the object ({md['name']}) does not match the name "
                              f"on the URL ({name})")

    def _finish(self, rt: ResourceType, obj: dict[str, Any], namespace: str) -> dict[str, Any]:
        md = obj.setdefault("metadata", {})
        if rt.namespaced:
            md["namespace"] = namespace
        else:
            md.pop("namespace", None)
        return meta.ordered(obj, rt.api_version, rt.kind)

    def _commit(self, rt: ResourceType, obj: dict[str, Any],
                old: dict[str, Any] | None) -> dict[str, Any]:
        obj["metadata"]["resourceVersion"] = str(self.store.next_rv())
        self.store.put(rt.key, obj)
        if rt.key == CRD_KEY:
            self._serve_crd(obj)
        for hook in list(self.admission_hooks):
            hook(rt, old, obj)
        return obj

    # --- create -----------------------------------------------------------------------------

    def create(self, rt: ResourceType, namespace: str, body: Any,
               opts: WriteOptions) -> WriteResult:
        self._check_body(rt, body, namespace, None)
        obj: dict[str, Any] = body
        md = obj.setdefault("metadata", {})
        if rt.namespaced:
            namespace = namespace or md.get("namespace") or ""
            if not namespace:
                raise bad_request("the server could not find the requested resource: "
                                  "a namespace is required")
        if not md.get("name"):
            if md.get("generateName"):
                md["name"] = meta.generated_name(md["generateName"])
            else:
                raise invalid(rt.kind, rt.group, "", [Cause(
                    "FieldValueRequired", "Required value: name or generateName is required",
                    "metadata.name")])
        name = md["name"]
        self._check_namespace(rt, namespace, name)
        for k in meta.SERVER_FIELDS:
            md.pop(k, None)
        if rt.has_status:
            obj.pop("status", None)
        # the uid exists before defaulting: a Job's generated selector is built from it
        md["uid"] = meta.new_uid()
        if rt.namespaced:
            md["namespace"] = namespace
        warnings = admission.admit(self, rt, obj, None, opts.field_validation,
                                   raw_body=opts.raw_body)
        obj = self._finish(rt, obj, namespace)
        if self.store.get(rt.key, namespace if rt.namespaced else "", name) is not None:
            raise already_exists(rt.plural, rt.group, name)
        md = obj["metadata"]
        if meta.has_generation(rt.key, rt.custom):
            md["generation"] = 1
        md["creationTimestamp"] = meta.now()
        schema = self.schema(rt)
        md["managedFields"] = record_update(
            None, _tracked(obj), manager=opts.manager, schema=schema or _ANY,
            api_version=rt.api_version, now=md["creationTimestamp"], share=True)
        if not md["managedFields"]:
            del md["managedFields"]
        obj = meta.ordered(obj, rt.api_version, rt.kind)
        if opts.dry_run:
            return WriteResult(obj, True, warnings)
        return WriteResult(self._commit(rt, obj, None), True, warnings)

    # --- update (PUT) -----------------------------------------------------------------------

    def update(self, rt: ResourceType, namespace: str, name: str, body: Any,
               opts: WriteOptions, subresource: str = "") -> WriteResult:
        self._check_body(rt, body, namespace, name)
        ns = namespace if rt.namespaced else ""
        entry = self.store.get(rt.key, ns, name)
        if entry is None:
            if rt.create_on_update and not subresource:
                body.setdefault("metadata", {})["name"] = name
                return self.create(rt, namespace, body, opts)
            raise not_found(rt.plural, rt.group, name)
        rv = (body.get("metadata") or {}).get("resourceVersion")
        if rv and rv != entry.obj["metadata"]["resourceVersion"]:
            raise conflict(rt.plural, rt.group, name, STALE)
        return self._replace(rt, namespace, entry, body, opts, subresource)

    def _replace(self, rt: ResourceType, namespace: str, entry: Entry, new: dict[str, Any],
                 opts: WriteOptions, subresource: str,
                 managed: list[dict[str, Any]] | None = None) -> WriteResult:
        """Common tail of update, patch and apply: admission, metadata, no-op detection."""
        old = entry.obj
        name = old["metadata"]["name"]
        new = _carry_over(rt, old, new, subresource)
        md = new.setdefault("metadata", {})
        for k in ("uid", "creationTimestamp"):
            # a PUT that leaves these out keeps the stored ones, as kube-apiserver does
            if not md.get(k) and k in old["metadata"]:
                md[k] = old["metadata"][k]
        warnings = [] if opts.trusted else admission.admit(
            self, rt, new, old, opts.field_validation, subresource, opts.raw_body)
        new = self._finish(rt, new, namespace)
        md = new["metadata"]
        for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                  "generation"):
            if k in old["metadata"]:
                md[k] = old["metadata"][k]
            else:
                md.pop(k, None)
        md["resourceVersion"] = old["metadata"]["resourceVersion"]
        if old["metadata"].get("deletionTimestamp"):
            added = set(md.get("finalizers") or ()) - set(old["metadata"].get("finalizers") or ())
            if added:
                raise invalid(rt.kind, rt.group, name, [Cause(
                    "FieldValueForbidden",
                    "Forbidden: no new finalizers can be added if the object is being deleted, "
                    f"found new finalizers []string{{{', '.join(map(repr, sorted(added)))}}}"
                    .replace("'", '"'), "metadata.finalizers")])
        if "generation" in md and meta.spec_changed(old, new):
            md["generation"] = int(md["generation"]) + 1
        schema = self.schema(rt) or _ANY
        if managed is None:
            mf = record_update(_tracked(old), _tracked(new), manager=opts.manager, schema=schema,
                               api_version=rt.api_version, now=meta.now(),
                               subresource=subresource, share=True)
        else:
            mf = managed
        if mf:
            md["managedFields"] = mf
        else:
            md.pop("managedFields", None)
        new = meta.ordered(new, rt.api_version, rt.kind)
        if _same(old, new):
            return WriteResult(old, False, warnings)
        if opts.dry_run:
            return WriteResult(new, False, warnings)
        # a terminating namespace also waits for its spec.finalizers (the namespace controller)
        if md.get("deletionTimestamp") and not md.get("finalizers") and not (
                rt.key == NS_KEY and (new.get("spec") or {}).get("finalizers")):
            return WriteResult(self._remove(rt, new), False, warnings)
        return WriteResult(self._commit(rt, new, old), False, warnings)

    # --- patch ------------------------------------------------------------------------------

    def patch(self, rt: ResourceType, namespace: str, name: str, content_type: str,
              body: Any, opts: WriteOptions, subresource: str = "") -> WriteResult:
        ns = namespace if rt.namespaced else ""
        entry = self.store.get(rt.key, ns, name)
        if content_type in (APPLY_PATCH, APPLY_CBOR):
            return self._apply(rt, namespace, name, entry, body, opts, subresource)
        if entry is None:
            raise not_found(rt.plural, rt.group, name)
        current = entry.copy()
        if content_type == JSON_PATCH:
            patched = json_patch(current, body)
        elif content_type == MERGE_PATCH:
            patched = merge_patch(current, body)
        elif content_type == STRATEGIC_PATCH:
            if rt.custom or self.schema(rt) is None:
                raise ApiError(415, "UnsupportedMediaType",
                               "strategic merge patch format is not supported", {})
            patched = strategic_merge_patch(current, body, self.schema(rt))
        else:
            raise unsupported_media_type(content_type)
        if not isinstance(patched, dict):
            raise bad_request("the patch did not produce a JSON object")
        rv = (patched.get("metadata") or {}).get("resourceVersion")
        if rv and rv != entry.obj["metadata"]["resourceVersion"]:
            raise conflict(rt.plural, rt.group, name, STALE)
        self._check_body(rt, patched, namespace, name)
        return self._replace(rt, namespace, entry, patched, opts, subresource)

    def _apply(self, rt: ResourceType, namespace: str, name: str, entry: Entry | None,
               config: Any, opts: WriteOptions, subresource: str) -> WriteResult:
        if not opts.manager:
            raise bad_request("PATCH /apply requires fieldManager to be set")
        self._check_body(rt, config, namespace, name)
        config.setdefault("metadata", {})["name"] = name
        if rt.namespaced:
            config["metadata"]["namespace"] = namespace
        if subresource != "status" and rt.has_status:
            config.pop("status", None)
        elif subresource == "status":
            config = {k: v for k, v in config.items() if k in ("apiVersion", "kind", "status")}
            config["metadata"] = {"name": name}
        schema = self.schema(rt) or _ANY
        now = meta.now()
        if entry is None:
            self._check_namespace(rt, namespace, name)
            result = server_side_apply(None, _tracked(config), manager=opts.manager,
                                       schema=schema, force=opts.force,
                                       api_version=rt.api_version, now=now, share=True)
            return self._create_applied(rt, namespace, _untracked_merge(config, result), opts)
        live = entry.obj
        result = server_side_apply(_tracked(live), _tracked(config), manager=opts.manager,
                                   schema=schema, force=opts.force,
                                   api_version=rt.api_version, now=now,
                                   subresource=subresource, share=True)
        if result == _tracked(live):
            # re-applying what is there (the common GitOps case): nothing to admit or store
            return WriteResult(live, False, [])
        new = _untracked_merge(config, result, base=live)
        return self._replace(rt, namespace, entry, new, opts, subresource,
                             managed=result["metadata"].get("managedFields") or [])

    def _create_applied(self, rt: ResourceType, namespace: str, obj: dict[str, Any],
                        opts: WriteOptions) -> WriteResult:
        """Create an object from an apply: managedFields come from the apply, not an Update."""
        managed = obj["metadata"].pop("managedFields", [])
        result = self.create(rt, namespace, obj, WriteOptions(
            opts.manager, True, opts.field_validation))
        created = result.obj
        created["metadata"]["managedFields"] = managed
        created = meta.ordered(created, rt.api_version, rt.kind)
        if opts.dry_run:
            return WriteResult(created, True, result.warnings)
        if self.store.get(rt.key, namespace if rt.namespaced else "",
                          created["metadata"]["name"]) is not None:
            raise already_exists(rt.plural, rt.group, created["metadata"]["name"])
        created["metadata"].pop("resourceVersion", None)
        return WriteResult(self._commit(rt, created, None), True, result.warnings)

    # --- delete -----------------------------------------------------------------------------

    def delete(self, rt: ResourceType, namespace: str, name: str, options: dict[str, Any],
               dry_run: bool = False) -> tuple[dict[str, Any], bool]:
        """Delete one object; returns (object, removed-now)."""
        entry = self.get_entry(rt, namespace, name)
        obj = _top_copy(entry.obj)
        md = obj["metadata"]
        pre = options.get("preconditions") or {}
        if pre.get("uid") and pre["uid"] != md.get("uid"):
            raise conflict(rt.plural, rt.group, name,
                           f"Precondition failed: UID in precondition: {pre['uid']}, UID in "
                           f"object meta: {md.get('uid')}")
        if pre.get("resourceVersion") and pre["resourceVersion"] != md.get("resourceVersion"):
            raise conflict(rt.plural, rt.group, name,
                           f"Precondition failed: ResourceVersion in precondition: "
                           f"{pre['resourceVersion']}, ResourceVersion in object meta: "
                           f"{md.get('resourceVersion')}")
        policy = options.get("propagationPolicy")
        if policy is None and options.get("orphanDependents") is not None:
            policy = "Orphan" if options["orphanDependents"] else "Background"
        if policy is None:
            policy = "Orphan" if rt.key in _ORPHAN_BY_DEFAULT else "Background"
        if policy not in ("Foreground", "Background", "Orphan"):
            raise invalid("DeleteOptions", "", "", [Cause(
                "FieldValueNotSupported",
                f'Unsupported value: "{policy}": supported values: "Foreground", '
                f'"Background", "Orphan"', "propagationPolicy")])
        finalizers = list(md.get("finalizers") or [])
        if policy == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
        if policy == "Orphan" and "orphan" not in finalizers:
            finalizers.append("orphan")
        if rt.key == NS_KEY:
            return self._delete_namespace(rt, obj, dry_run)
        if finalizers:
            if md.get("deletionTimestamp"):
                if finalizers != md.get("finalizers"):
                    md["finalizers"] = finalizers
                    if not dry_run:
                        obj = self._commit(rt, meta.ordered(obj, rt.api_version, rt.kind),
                                           entry.obj)
                return obj, False
            md["deletionTimestamp"] = meta.now()
            md["deletionGracePeriodSeconds"] = 0
            md["finalizers"] = finalizers
            if dry_run:
                return obj, False
            return self._commit(rt, meta.ordered(obj, rt.api_version, rt.kind), entry.obj), False
        if dry_run:
            return obj, True
        return self._remove(rt, obj), True

    def _delete_namespace(self, rt: ResourceType, obj: dict[str, Any],
                          dry_run: bool) -> tuple[dict[str, Any], bool]:
        md = obj["metadata"]
        if not md.get("deletionTimestamp"):
            md["deletionTimestamp"] = meta.now()
            md["deletionGracePeriodSeconds"] = 0
            obj.setdefault("status", {})["phase"] = "Terminating"
            if not dry_run:
                old = self.get_entry(rt, "", md["name"]).obj
                obj = self._commit(rt, meta.ordered(obj, rt.api_version, rt.kind), old)
        return obj, False

    def _remove(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        md = obj["metadata"]
        md["resourceVersion"] = str(self.store.next_rv())
        self.store.remove(rt.key, md.get("namespace", "") if rt.namespaced else "",
                          md["name"], obj)
        if rt.key == CRD_KEY:
            self._unserve_crd(obj)
        return obj

    # --- custom resource definitions --------------------------------------------------------

    def _serve_crd(self, crd: dict[str, Any]) -> None:
        types = crds.resource_types(crd)
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        self.registry.remove_custom(spec.get("group", ""), names.get("plural", ""))
        crds.register_schemas(self.schemas, crd)
        self.registry.add_custom(types)

    def _unserve_crd(self, crd: dict[str, Any]) -> None:
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        gone = self.registry.remove_custom(spec.get("group", ""), names.get("plural", ""))
        crds.unregister_schemas(self.schemas, crd)
        if gone:
            b = self.store.buckets.get(gone[0].key)
            for entry in list(b.objects.values()) if b else []:
                self._remove(gone[0], _top_copy(entry.obj))

    # --- start-up ---------------------------------------------------------------------------

    def bootstrap(self) -> None:
        """Create what every cluster has: the standard namespaces (idempotent)."""
        ns_rt = self.registry.get("", "v1", "namespaces")
        assert ns_rt is not None
        for name in BOOT_NAMESPACES:
            if self.store.get(NS_KEY, "", name) is None:
                self.create(ns_rt, "", {"apiVersion": "v1", "kind": "Namespace",
                                        "metadata": {"name": name}},
                            WriteOptions("kube-apiserver"))

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Load a saved state (``serve --state``), re-serving its CRDs."""
        self.store.restore(snapshot)
        for entry in self.store.items(("", "services")):
            spec = entry.obj.get("spec") or {}
            self.allocator.used_ips.update(spec.get("clusterIPs") or [])
            self.allocator.used_ports.update(p["nodePort"] for p in spec.get("ports") or []
                                             if p.get("nodePort"))
        b = self.store.buckets.get(CRD_KEY)
        for entry in list(b.objects.values()) if b else []:
            self._serve_crd(entry.obj)

    def returns_object_on_delete(self, rt: ResourceType) -> bool:
        return rt.custom or rt.key in _RETURNS_OBJECT

    # --- used by controllers ----------------------------------------------------------------

    def write_status(self, rt: ResourceType, namespace: str, name: str,
                     mutate: Callable[[dict[str, Any]], None],
                     manager: str = "kube-controller-manager") -> dict[str, Any] | None:
        """Let a controller change an object's status (or finalizers) through the status path."""
        entry = self.store.get(rt.key, namespace if rt.namespaced else "", name)
        if entry is None:
            return None
        obj = entry.copy()
        mutate(obj)
        res = self._replace(rt, namespace, entry, obj,
                            WriteOptions(manager, False, "Ignore", trusted=True),
                            "status" if rt.has_status else "")
        return res.obj

    def replace_status(self, rt: ResourceType, namespace: str, name: str,
                       status: dict[str, Any],
                       manager: str = "kube-controller-manager") -> dict[str, Any] | None:
        """``write_status`` of a whole new status: no copy of the object to mutate needed, as
        the write replaces only the top-level status (stored objects are never mutated)."""
        entry = self.store.get(rt.key, namespace if rt.namespaced else "", name)
        if entry is None:
            return None
        obj = dict(entry.obj)
        obj["metadata"] = dict(obj["metadata"])
        obj["status"] = status
        res = self._replace(rt, namespace, entry, obj,
                            WriteOptions(manager, False, "Ignore", trusted=True),
                            "status" if rt.has_status else "")
        return res.obj

    def remove_finalizer(self, rt: ResourceType, namespace: str, name: str,
                         finalizer: str) -> None:
        entry = self.store.get(rt.key, namespace if rt.namespaced else "", name)
        if entry is None:
            return
        obj = entry.copy()
        fins = [f for f in obj["metadata"].get("finalizers") or [] if f != finalizer]
        if fins:
            obj["metadata"]["finalizers"] = fins
        else:
            obj["metadata"].pop("finalizers", None)
        self._replace(rt, namespace, entry, obj, WriteOptions("kube-controller-manager",
                                                               False, "Ignore"), "")

    def remove_now(self, rt: ResourceType, namespace: str, name: str) -> None:
        """Final removal (namespace finalisation, GC) regardless of finalizers."""
        entry = self.store.get(rt.key, namespace if rt.namespaced else "", name)
        if entry is not None:
            self._remove(rt, _top_copy(entry.obj))


_ANY = Node({}, {})
_UNTRACKED_META = ("uid", "resourceVersion", "generation", "creationTimestamp",
                   "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields",
                   "selfLink")


def _top_copy(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of a stored object to change metadata or the top of status in: only those maps
    are copied, the rest is shared (stored objects are never mutated)."""
    out = dict(obj)
    out["metadata"] = dict(obj["metadata"])
    if type(obj.get("status")) is dict:
        out["status"] = dict(obj["status"])
    return out


def _tracked(obj: dict[str, Any]) -> dict[str, Any]:
    """The part of an object managedFields describe (no server-owned metadata).

    managedFields themselves stay: the field manager reads the current owners from them.
    """
    out = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    md = {k: v for k, v in (obj.get("metadata") or {}).items()
          if (k not in _UNTRACKED_META or k == "managedFields")
          and k not in ("name", "namespace")}
    out["metadata"] = md
    return out


def _untracked_merge(config: dict[str, Any], result: dict[str, Any],
                     base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Put back what _tracked took out (identity, server metadata) around an apply result."""
    out = dict(result)
    md = dict(result.get("metadata") or {})
    src = (base or config).get("metadata") or {}
    for k in ("name", "namespace", *_UNTRACKED_META):
        if k in src and k != "managedFields":
            md[k] = src[k]
    if base is None and config.get("metadata", {}).get("name"):
        md["name"] = config["metadata"]["name"]
    out["metadata"] = md
    out["apiVersion"] = config["apiVersion"]
    out["kind"] = config["kind"]
    return out


def _carry_over(rt: ResourceType, old: dict[str, Any], new: dict[str, Any],
                subresource: str) -> dict[str, Any]:
    """Status writes change only status; main-resource writes never change status."""
    if subresource == "status":
        out = {k: v for k, v in old.items() if k != "status"}
        out["metadata"] = dict(old["metadata"])
        if "status" in new:
            out["status"] = new["status"]
        # controllers finish deletions through the status path too
        out["metadata"]["finalizers"] = (new.get("metadata") or {}).get("finalizers")
        if out["metadata"]["finalizers"] is None:
            out["metadata"].pop("finalizers")
        return out
    if rt.has_status:
        new = dict(new)
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    return new


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Equal apart from managedFields timestamps: such writes are no-ops upstream too."""
    # compared part by part, without building stripped copies; shared parts are skipped
    om, nm = old["metadata"], new["metadata"]
    if old.keys() != new.keys() or (om.keys() | _MF) != (nm.keys() | _MF):
        return False
    for k, v in old.items():
        if k != "metadata" and v is not new[k] and v != new[k]:
            return False
    for k, v in om.items():
        if k != "managedFields" and v is not nm[k] and v != nm[k]:
            return False
    a, b = om.get("managedFields") or [], nm.get("managedFields") or []
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x is not y and ((x.keys() - _TIME) != (y.keys() - _TIME) or any(
                k != "time" and v != y[k] for k, v in x.items())):
            return False
    return True


_MF = {"managedFields"}
_TIME = {"time"}


def _short(body: dict[str, Any]) -> str:
    text = json.dumps(body, separators=(",", ":"))
    return text if len(text) <= 200 else text[:200] + "..."
