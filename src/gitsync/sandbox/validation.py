"""Validation of objects as kube-apiserver does it (v1.34), with its exact messages.

* :func:`validate_name` -- the rules a resource's names follow (``metadata.name``).
* :func:`check_schema` -- decoding against the schema: wrong types (400), unknown and duplicate
  fields (``fieldValidation``), custom-resource schema violations, pruning.
* :func:`validate` -- the semantic validation of a decoded, defaulted object on create or update:
  a list of ``Cause`` for a 422 Invalid (``errors.invalid``).

Pure functions on plain dicts; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitsync.sandbox import fielderr as fe
from gitsync.sandbox import formats as fm
from gitsync.sandbox.defaults import BUILTIN_GROUPS
from gitsync.sandbox.errors import Cause
from gitsync.sandbox.schema import GVK
from gitsync.sandbox.schemacheck import SchemaReport, check_schema, duplicate_fields
from gitsync.sandbox.validation_core import CHECKS as CORE_CHECKS
from gitsync.sandbox.validation_meta import (
    d,
    lst,
    s,
    validate_annotations,
    validate_kube_finalizers,
    validate_labels,
)
from gitsync.sandbox.validation_pods import validate_pod_spec, validate_pod_template
from gitsync.sandbox.validation_workloads import CHECKS as WORKLOAD_CHECKS

__all__ = ["SchemaReport", "check_schema", "duplicate_fields", "name_rule", "resource_for_kind",
           "validate", "validate_metadata", "validate_name"]

_RBAC = "rbac.authorization.k8s.io"

#: (group, resource) -> the name rule; everything else is a DNS-1123 subdomain
_NAME_RULES: dict[tuple[str, str], fm.NameFunc] = {
    ("", "namespaces"): fm.name_is_dns_label,
    ("", "services"): fm.name_is_dns1035_label,
    ("apps", "statefulsets"): fm.name_is_dns_label,
    (_RBAC, "roles"): fm.path_segment_name,
    (_RBAC, "rolebindings"): fm.path_segment_name,
    (_RBAC, "clusterroles"): fm.path_segment_name,
    (_RBAC, "clusterrolebindings"): fm.path_segment_name,
}

#: kinds whose resource name is not simply the lower-cased plural
_RESOURCES: dict[str, str] = {
    "Endpoints": "endpoints", "PodSecurityPolicy": "podsecuritypolicies",
    "NetworkPolicy": "networkpolicies", "PodDisruptionBudget": "poddisruptionbudgets",
    "IngressClass": "ingressclasses", "PriorityClass": "priorityclasses",
    "StorageClass": "storageclasses", "RuntimeClass": "runtimeclasses",
    "ResourceQuota": "resourcequotas", "CustomResourceDefinition": "customresourcedefinitions",
    "EndpointSlice": "endpointslices", "ComponentStatus": "componentstatuses",
    "CSIStorageCapacity": "csistoragecapacities", "VolumeAttributesClass":
        "volumeattributesclasses",
}

#: kinds that have no namespace
CLUSTER_SCOPED = frozenset({
    ("", "Namespace"), ("", "Node"), ("", "PersistentVolume"), ("", "ComponentStatus"),
    (_RBAC, "ClusterRole"), (_RBAC, "ClusterRoleBinding"), ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "StorageClass"), ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"), ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"), ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "IPAddress"), ("networking.k8s.io", "ServiceCIDR"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
})


def resource_for_kind(kind: str) -> str:
    """The resource (plural) of a built-in kind: ``Deployment`` -> ``deployments``."""
    if kind in _RESOURCES:
        return _RESOURCES[kind]
    low = kind.lower()
    if low.endswith("s"):
        return low + "es"
    if low.endswith("y"):
        return low[:-1] + "ies"
    return low + "s"


def name_rule(resource: str, group: str) -> fm.NameFunc:
    return _NAME_RULES.get((group, resource), fm.name_is_dns_subdomain)


def validate_name(resource: str, group: str, name: str, prefix: bool = False) -> list[str]:
    """Problems with ``name`` for a ``resource`` of ``group``; ``prefix`` for ``generateName``."""
    return name_rule(resource, group)(name, prefix)


def validate_metadata(meta: Mapping[str, Any], name_fn: fm.NameFunc, *,
                      namespaced: bool | None = None, builtin: bool = True,
                      old: Mapping[str, Any] | None = None) -> list[Cause]:
    """``ValidateObjectMeta`` (create) or ``ValidateObjectMetaUpdate`` (``old`` given)."""
    out: list[Cause] = []
    name = s(meta.get("name"))
    if old is None:
        gen = s(meta.get("generateName"))
        if gen:
            out += fe.each(name_fn(gen, True), "metadata.generateName", gen)
        if not name:
            out.append(fe.required("metadata.name", "name or generateName is required"))
        else:
            out += fe.each(name_fn(name, False), "metadata.name", name)
        ns = s(meta.get("namespace"))
        if namespaced and not ns:
            out.append(fe.required("metadata.namespace"))
        elif namespaced and ns:
            out += fe.each(fm.is_dns1123_label(ns), "metadata.namespace", ns)
        elif namespaced is False and ns:
            out.append(fe.forbidden("metadata.namespace", "not allowed on this type"))
        gen_no = meta.get("generation", 0)
        out += fe.nonnegative(gen_no, "metadata.generation")
    else:
        if isinstance(meta.get("generation"), int) and \
                meta["generation"] < old.get("generation", 0):
            out.append(fe.invalid("metadata.generation", meta["generation"],
                                  "must not be decremented"))
        for fname in ("name", "namespace", "uid"):
            if meta.get(fname, "") != old.get(fname, ""):
                out.append(fe.immutable(f"metadata.{fname}", meta.get(fname, "")))
    out += validate_labels(meta.get("labels"), "metadata.labels")
    out += validate_annotations(meta.get("annotations"), "metadata.annotations")
    out += _owner_references(lst(meta.get("ownerReferences")))
    finalizers = lst(meta.get("finalizers"))
    for f in finalizers:
        out += fe.each(fm.is_qualified_name(s(f)), "metadata.finalizers", s(f))
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        out.append(fe.invalid("metadata.finalizers", finalizers,
                              "finalizer orphan and foregroundDeletion cannot be both set"))
    if builtin:
        out += validate_kube_finalizers(finalizers, "metadata.finalizers")
    if old is not None and old.get("deletionTimestamp"):
        extra = sorted(set(map(str, finalizers)) - set(map(str, lst(old.get("finalizers")))))
        if extra:
            out.append(fe.forbidden(
                "metadata.finalizers", "no new finalizers can be added if the object is being "
                f"deleted, found new finalizers {fe.go_string_slice(extra)}"))
    return out


def _owner_references(refs: list[Any]) -> list[Cause]:
    out: list[Cause] = []
    controller = ""
    for ref in refs:
        ref = d(ref)
        api_version = s(ref.get("apiVersion"))
        if not api_version.rpartition("/")[2]:
            out.append(fe.invalid("metadata.ownerReferences.apiVersion", api_version,
                                  "version must not be empty"))
        for fname in ("kind", "name", "uid"):
            if not s(ref.get(fname)):
                out.append(fe.invalid(f"metadata.ownerReferences.{fname}", "", "must not be empty"))
        if ref.get("controller"):
            current = f"{s(ref.get('kind'))}/{s(ref.get('name'))}"
            if controller:
                out.append(fe.invalid(
                    "metadata.ownerReferences", fe.GoRepr("[]v1.OwnerReference{...}"),
                    f'Only one reference can have Controller set to true. Found "true" in '
                    f"references for {controller} and {current}"))
            else:
                controller = current
    return out


def _pod_template(obj: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[Cause]:
    return validate_pod_template(d(obj.get("template")), "template")


def _pod(obj: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[Cause]:
    if old is not None:  # pod updates are checked by their own rules, not modelled here
        return []
    return validate_pod_spec(d(obj.get("spec")), "spec")


_CHECKS = {**WORKLOAD_CHECKS, **CORE_CHECKS, ("", "PodTemplate"): _pod_template, ("", "Pod"): _pod}


def validate(gvk: GVK, obj: Mapping[str, Any], old: Mapping[str, Any] | None = None, *,
             namespaced: bool | None = None) -> list[Cause]:
    """The 422 causes for a create (``old`` None) or an update of a decoded, defaulted object.

    ``namespaced`` says whether the kind lives in namespaces (None: derive it for built-ins,
    skip the check for others).  Kinds without specific rules get metadata validation only.
    """
    key = (gvk.group, gvk.kind)
    resource = resource_for_kind(gvk.kind)
    check = _CHECKS.get(key)
    builtin = check is not None or gvk.group in BUILTIN_GROUPS
    if namespaced is None and builtin:
        namespaced = key not in CLUSTER_SCOPED
    meta = d(obj.get("metadata"))
    out: list[Cause]
    if old is None:
        out = validate_metadata(meta, name_rule(resource, gvk.group), namespaced=namespaced,
                                builtin=builtin)
    else:
        out = validate_metadata(meta, name_rule(resource, gvk.group), builtin=builtin,
                                old=d(old.get("metadata")))
    if check is not None:
        out += check(obj, old)
    return out

