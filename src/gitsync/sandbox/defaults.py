"""Defaulting, as kube-apiserver applies it on create and update (v1.34).

For built-in kinds this is what ``pkg/apis/*/v1/defaults.go`` sets, what the registry strategies
prepare before validation (Job selectors and labels, Service cluster IPs and node ports, status
reset on create and kept on update, Namespace finalizers) and the zero-valued structs Go always
serializes (``resources: {}``, ``status: {}``), so that an object reads back exactly as from a
real cluster.  For custom resources it applies the ``default`` values of the structural schema.

Callers assign ``metadata.uid`` before defaulting (Jobs select their pods by it).
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any

from gitsync.sandbox.defaults_pods import (
    container,
    dicts,
    obj,
    pod_spec,
    pod_template,
    pvc_spec,
    resource_list,
    set_if_missing,
)
from gitsync.sandbox.defaults_service import service as _service_defaults
from gitsync.sandbox.formats import is_label_value
from gitsync.sandbox.schema import GVK, Node

Obj = dict[str, Any]
#: returns a free cluster IP of the given family ("IPv4" or "IPv6")
IPAllocator = Callable[[str], str]
#: returns a free node port (30000-32767)
PortAllocator = Callable[[], int]

_RBAC = "rbac.authorization.k8s.io"

#: API groups served by kube-apiserver itself; every other group is a custom resource
BUILTIN_GROUPS = frozenset({
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", _RBAC, "storage.k8s.io",
    "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "apiextensions.k8s.io",
    "admissionregistration.k8s.io", "node.k8s.io", "certificates.k8s.io", "events.k8s.io",
    "flowcontrol.apiserver.k8s.io", "resource.k8s.io", "storagemigration.k8s.io",
    "apiregistration.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
    "internal.apiserver.k8s.io",
})


class _Ctx:
    __slots__ = ("allocate_ip", "allocate_node_port", "old")

    def __init__(self, old: Obj | None, allocate_ip: IPAllocator | None,
                 allocate_node_port: PortAllocator | None) -> None:
        self.old = old
        self.allocate_ip = allocate_ip
        self.allocate_node_port = allocate_node_port


def _copy(value: Any) -> Any:
    """A deep copy of decoded JSON (dicts, lists, scalars): copy.deepcopy's result, faster."""
    t = type(value)
    if t is dict:
        return {k: _copy(v) for k, v in value.items()}
    if t is list:
        return [_copy(v) for v in value]
    return copy.deepcopy(value) if t not in _ATOMS else value


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _status(o: Obj, ctx: _Ctx, zero: Obj) -> None:
    """Status is reset on create and carried over on update; Go prints its zero fields."""
    if ctx.old is None:
        o["status"] = _copy(zero)
    else:
        o["status"] = _copy(ctx.old.get("status") or zero)
        for k, v in zero.items():
            o["status"].setdefault(k, _copy(v))


# -- apps/v1 ------------------------------------------------------------------------------------

def _deployment(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    set_if_missing(spec, "replicas", 1)
    strategy = obj(spec, "strategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        ru = obj(strategy, "rollingUpdate")
        set_if_missing(ru, "maxUnavailable", "25%")
        set_if_missing(ru, "maxSurge", "25%")
    set_if_missing(spec, "revisionHistoryLimit", 10)
    set_if_missing(spec, "progressDeadlineSeconds", 600)
    pod_template(obj(spec, "template"))
    _status(o, ctx, {})


def _replica_set(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    set_if_missing(spec, "replicas", 1)
    pod_template(obj(spec, "template"))
    _status(o, ctx, {"replicas": 0})


def _daemon_set(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    strategy = obj(spec, "updateStrategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        ru = obj(strategy, "rollingUpdate")
        set_if_missing(ru, "maxUnavailable", 1)
        set_if_missing(ru, "maxSurge", 0)
    set_if_missing(spec, "revisionHistoryLimit", 10)
    pod_template(obj(spec, "template"))
    _status(o, ctx, {"currentNumberScheduled": 0, "desiredNumberScheduled": 0,
                     "numberMisscheduled": 0, "numberReady": 0})


def _stateful_set(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    if not spec.get("podManagementPolicy"):
        spec["podManagementPolicy"] = "OrderedReady"
    strategy = obj(spec, "updateStrategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        obj(strategy, "rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(strategy.get("rollingUpdate"), dict):
        set_if_missing(strategy["rollingUpdate"], "partition", 0)
    policy = obj(spec, "persistentVolumeClaimRetentionPolicy")
    for key in ("whenDeleted", "whenScaled"):
        if not policy.get(key):
            policy[key] = "Retain"
    set_if_missing(spec, "replicas", 1)
    set_if_missing(spec, "revisionHistoryLimit", 10)
    pod_template(obj(spec, "template"))
    for claim in dicts(spec.get("volumeClaimTemplates")):
        claim["apiVersion"] = "v1"
        claim["kind"] = "PersistentVolumeClaim"
        obj(claim, "metadata")
        pvc_spec(obj(claim, "spec"))
        status = obj(claim, "status")
        if not status.get("phase"):
            status["phase"] = "Pending"
        resource_list(status.get("capacity"))
        resource_list(status.get("allocatedResources"))
    _status(o, ctx, {"availableReplicas": 0, "replicas": 0})


# -- batch/v1 -----------------------------------------------------------------------------------

def _job_spec_defaults(spec: Obj) -> None:
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    set_if_missing(spec, "parallelism", 1)
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = 2**31 - 1 if spec.get("backoffLimitPerIndex") is not None else 6
    set_if_missing(spec, "completionMode", "NonIndexed")
    set_if_missing(spec, "suspend", False)
    pfp = spec.get("podFailurePolicy")
    if isinstance(pfp, dict):
        for rule in dicts(pfp.get("rules")):
            for pattern in dicts(rule.get("onPodConditions")):
                if not pattern.get("status"):
                    pattern["status"] = "True"
    if spec.get("podReplacementPolicy") is None:
        spec["podReplacementPolicy"] = "Failed" if isinstance(pfp, dict) else \
            "TerminatingOrFailed"


def _job(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    meta = obj(o, "metadata")
    template = obj(spec, "template")
    uid = meta.get("uid")
    if ctx.old is None and not spec.get("manualSelector") and uid:
        labels = obj(obj(template, "metadata"), "labels")
        name = meta.get("name", "")
        for key in ("job-name", "batch.kubernetes.io/job-name"):
            labels.setdefault(key, name)
        for key in ("controller-uid", "batch.kubernetes.io/controller-uid"):
            labels.setdefault(key, uid)
        selector = obj(spec, "selector")
        obj(selector, "matchLabels").setdefault("batch.kubernetes.io/controller-uid", uid)
    _job_spec_defaults(spec)
    # Defaulting copies the template's labels onto a Job without labels.  A real server does it
    # on decode, so the generated labels reach the Job when it is read back from storage; here
    # they are copied at once, unless they are invalid and the create fails validation anyway.
    template_labels = obj(template, "metadata").get("labels")
    if template_labels and not meta.get("labels") and not any(
            is_label_value(str(v)) for v in template_labels.values()):
        meta["labels"] = dict(template_labels)
    pod_template(template)
    _status(o, ctx, {})


def _cron_job(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    if not spec.get("concurrencyPolicy"):
        spec["concurrencyPolicy"] = "Allow"
    set_if_missing(spec, "suspend", False)
    set_if_missing(spec, "successfulJobsHistoryLimit", 3)
    set_if_missing(spec, "failedJobsHistoryLimit", 1)
    job_template = obj(spec, "jobTemplate")
    obj(job_template, "metadata")
    pod_template(obj(obj(job_template, "spec"), "template"))
    _status(o, ctx, {})


# -- core/v1 ------------------------------------------------------------------------------------

def _pod(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    pod_spec(spec)
    for key in ("containers", "initContainers"):
        for c in dicts(spec.get(key)):
            res = obj(c, "resources")
            limits = res.get("limits")
            if isinstance(limits, dict) and limits:
                requests = obj(res, "requests")
                for k, v in limits.items():
                    requests.setdefault(k, v)
    set_if_missing(spec, "enableServiceLinks", True)
    if spec.get("hostNetwork"):
        for key in ("containers", "initContainers"):
            for c in dicts(spec.get(key)):
                for port in dicts(c.get("ports")):
                    if not port.get("hostPort"):
                        port["hostPort"] = port.get("containerPort", 0)


def _replication_controller(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    template = spec.get("template")
    if isinstance(template, dict):
        labels = obj(template, "metadata").get("labels")
        if labels is not None:
            if not spec.get("selector"):
                spec["selector"] = dict(labels)
            meta = obj(o, "metadata")
            if not meta.get("labels"):
                meta["labels"] = dict(labels)
        pod_template(template)
    set_if_missing(spec, "replicas", 1)
    _status(o, ctx, {"replicas": 0})


def _secret(o: Obj, ctx: _Ctx) -> None:
    if not o.get("type"):
        o["type"] = "Opaque"
    string_data = o.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = obj(o, "data")
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()


def _pvc(o: Obj, ctx: _Ctx) -> None:
    pvc_spec(obj(o, "spec"))
    _status(o, ctx, {})
    if not o["status"].get("phase"):
        o["status"]["phase"] = "Pending"


def _pv(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    if not spec.get("persistentVolumeReclaimPolicy"):
        spec["persistentVolumeReclaimPolicy"] = "Retain"
    set_if_missing(spec, "volumeMode", "Filesystem")
    resource_list(spec.get("capacity"))
    status = obj(o, "status")
    if not status.get("phase"):
        status["phase"] = "Pending"


def _namespace(o: Obj, ctx: _Ctx) -> None:
    meta = obj(o, "metadata")
    if meta.get("name"):
        obj(meta, "labels")["kubernetes.io/metadata.name"] = meta["name"]
    spec = obj(o, "spec")
    if ctx.old is None:
        spec["finalizers"] = ["kubernetes"]
    else:
        spec["finalizers"] = copy.deepcopy(
            (ctx.old.get("spec") or {}).get("finalizers") or spec.get("finalizers") or [])
        if not spec["finalizers"]:
            del spec["finalizers"]
    _status(o, ctx, {"phase": "Active"})


def _endpoints(o: Obj, ctx: _Ctx) -> None:
    for subset in dicts(o.get("subsets")):
        for port in dicts(subset.get("ports")):
            if not port.get("protocol"):
                port["protocol"] = "TCP"


def _pod_template_kind(o: Obj, ctx: _Ctx) -> None:
    pod_template(obj(o, "template"))


# -- other groups -------------------------------------------------------------------------------

def _endpoint_slice(o: Obj, ctx: _Ctx) -> None:
    for port in dicts(o.get("ports")):
        set_if_missing(port, "name", "")
        set_if_missing(port, "protocol", "TCP")


def _network_policy(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])
    for direction in ("ingress", "egress"):
        for rule in dicts(spec.get(direction)):
            for port in dicts(rule.get("ports")):
                set_if_missing(port, "protocol", "TCP")


def _ingress(o: Obj, ctx: _Ctx) -> None:
    _status(o, ctx, {"loadBalancer": {}})


def _ingress_class(o: Obj, ctx: _Ctx) -> None:
    params = (o.get("spec") or {}).get("parameters")
    if isinstance(params, dict) and params.get("scope") is None:
        params["scope"] = "Cluster"


def _pdb(o: Obj, ctx: _Ctx) -> None:
    _status(o, ctx, {"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0,
                     "expectedPods": 0})


_SCALE_UP = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
             "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                          {"type": "Percent", "value": 100, "periodSeconds": 15}]}
_SCALE_DOWN = {"stabilizationWindowSeconds": 300, "selectPolicy": "Max",
               "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


def _hpa(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    set_if_missing(spec, "minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        for key, rules in (("scaleUp", _SCALE_UP), ("scaleDown", _SCALE_DOWN)):
            current = behavior.get(key)
            if not isinstance(current, dict):
                behavior[key] = copy.deepcopy(rules)
                continue
            for k, v in rules.items():
                set_if_missing(current, k, copy.deepcopy(v))
    _status(o, ctx, {"desiredReplicas": 0})


def _binding(o: Obj, ctx: _Ctx) -> None:
    ref = obj(o, "roleRef")
    if not ref.get("apiGroup"):
        ref["apiGroup"] = _RBAC
    for subject in dicts(o.get("subjects")):
        if not subject.get("apiGroup") and subject.get("kind") in ("User", "Group"):
            subject["apiGroup"] = _RBAC


def _priority_class(o: Obj, ctx: _Ctx) -> None:
    set_if_missing(o, "preemptionPolicy", "PreemptLowerPriority")


def _storage_class(o: Obj, ctx: _Ctx) -> None:
    set_if_missing(o, "reclaimPolicy", "Delete")
    set_if_missing(o, "volumeBindingMode", "Immediate")


def _crd(o: Obj, ctx: _Ctx) -> None:
    spec = obj(o, "spec")
    set_if_missing(spec, "conversion", {"strategy": "None"})
    names = obj(spec, "names")
    kind = names.get("kind") or ""
    if not names.get("singular") and kind:
        names["singular"] = kind.lower()
    if not names.get("listKind") and kind:
        names["listKind"] = kind + "List"
    storage = [v.get("name") for v in dicts(spec.get("versions")) if v.get("storage")]
    if ctx.old is None:
        o["status"] = {"acceptedNames": {"kind": "", "plural": ""}, "storedVersions": storage}
    else:
        o["status"] = _copy(ctx.old.get("status") or {})


def _service(o: Obj, ctx: _Ctx) -> None:
    _service_defaults(o, ctx.old, ctx.allocate_ip, ctx.allocate_node_port)
    _status(o, ctx, {"loadBalancer": {}})


_HANDLERS: dict[tuple[str, str], Callable[[Obj, _Ctx], None]] = {
    ("apps", "Deployment"): _deployment,
    ("apps", "ReplicaSet"): _replica_set,
    ("apps", "DaemonSet"): _daemon_set,
    ("apps", "StatefulSet"): _stateful_set,
    ("batch", "Job"): _job,
    ("batch", "CronJob"): _cron_job,
    ("", "Pod"): _pod,
    ("", "PodTemplate"): _pod_template_kind,
    ("", "ReplicationController"): _replication_controller,
    ("", "Service"): _service,
    ("", "Secret"): _secret,
    ("", "PersistentVolumeClaim"): _pvc,
    ("", "PersistentVolume"): _pv,
    ("", "Namespace"): _namespace,
    ("", "Endpoints"): _endpoints,
    ("discovery.k8s.io", "EndpointSlice"): _endpoint_slice,
    ("networking.k8s.io", "NetworkPolicy"): _network_policy,
    ("networking.k8s.io", "Ingress"): _ingress,
    ("networking.k8s.io", "IngressClass"): _ingress_class,
    ("policy", "PodDisruptionBudget"): _pdb,
    ("autoscaling", "HorizontalPodAutoscaler"): _hpa,
    (_RBAC, "RoleBinding"): _binding,
    (_RBAC, "ClusterRoleBinding"): _binding,
    ("scheduling.k8s.io", "PriorityClass"): _priority_class,
    ("storage.k8s.io", "StorageClass"): _storage_class,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _crd,
}


# -- custom resources ---------------------------------------------------------------------------

def default_from_schema(value: Any, node: Node) -> None:
    """Apply structural-schema ``default`` values in place, top-down, as apiextensions does."""
    if isinstance(value, dict):
        raw = node.raw
        props = raw.get("properties")
        if isinstance(props, dict):
            fields = node.fields
            for k, sub in fields.items():
                if k not in value and sub.has_default:
                    value[k] = copy.deepcopy(sub.default)
            for k, v in value.items():
                sub_node = fields.get(k)
                if sub_node is not None and k != "metadata":
                    default_from_schema(v, sub_node)
        elif isinstance(raw.get("additionalProperties"), dict):
            item = node.items
            for v in value.values():
                default_from_schema(v, item)
    elif isinstance(value, list) and isinstance(node.raw.get("items"), dict):
        item = node.items
        for v in value:
            default_from_schema(v, item)


def apply_defaults(gvk: GVK, o: Obj, schema: Node | None = None, *, old: Obj | None = None,
                   allocate_ip: IPAllocator | None = None,
                   allocate_node_port: PortAllocator | None = None,
                   custom: bool | None = None) -> None:
    """Default ``o`` (a create, or an update of ``old``) in place.

    ``custom`` selects schema defaulting (None: for groups kube-apiserver does not serve).
    ``allocate_ip`` / ``allocate_node_port`` hand out Service cluster IPs and node ports; without
    them a Service keeps what it was given (or what ``old`` had).
    """
    handler = _HANDLERS.get((gvk.group, gvk.kind))
    if custom is None:
        custom = gvk.group not in BUILTIN_GROUPS
    if custom:
        if schema is not None:
            default_from_schema(o, schema)
        return
    if handler is not None:
        handler(o, _Ctx(old, allocate_ip, allocate_node_port))


__all__ = ["BUILTIN_GROUPS", "IPAllocator", "PortAllocator", "apply_defaults", "container",
           "default_from_schema", "pod_spec"]
