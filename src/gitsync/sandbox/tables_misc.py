"""Table printers for networking, configuration, storage, cluster and RBAC resources."""

from __future__ import annotations

from typing import Any

from gitsync.sandbox.tables_apps import Printers
from gitsync.sandbox.tables_fmt import (
    Obj,
    Row,
    age,
    age_col,
    col,
    containers_cells,
    doc,
    format_labels,
    format_selector,
    name,
    name_col,
    quantity_string,
    since,
)

_ACCESS_MODES = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"),
                 ("ReadWriteOncePod", "RWOP"))
_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"


def _spec(obj: Obj) -> dict[str, Any]:
    return obj.get("spec") or {}


def _status(obj: Obj) -> dict[str, Any]:
    return obj.get("status") or {}


def _terminating(obj: Obj, phase: Any) -> str:
    return "Terminating" if (obj.get("metadata") or {}).get("deletionTimestamp") else \
        str(phase or "")


def _lb_ingress(entries: Any) -> str:
    """The sorted, de-duplicated IPs or hostnames of a load balancer status."""
    found = {e.get("ip") or e.get("hostname") for e in entries or []}
    return ",".join(sorted(f for f in found if f))


def _service(obj: Obj) -> Row:
    spec = _spec(obj)
    kind = spec.get("type") or "ClusterIP"
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    external = spec.get("externalIPs") or []
    if kind in ("ClusterIP", "NodePort"):
        ext = ",".join(external) if external else "<none>"
    elif kind == "LoadBalancer":
        lb = _lb_ingress((_status(obj).get("loadBalancer") or {}).get("ingress"))
        parts = (lb.split(",") if lb else []) + list(external)
        ext = ",".join(parts) if external else (lb or "<pending>")
    elif kind == "ExternalName":
        ext = str(spec.get("externalName", ""))
    else:
        ext = "<unknown>"
    ports = []
    for p in spec.get("ports") or []:
        proto = p.get("protocol") or "TCP"
        ports.append(f"{p.get('port')}:{p['nodePort']}/{proto}" if p.get("nodePort")
                     else f"{p.get('port')}/{proto}")
    return [name(obj), kind, ips[0] if ips else "<none>", ext, ",".join(ports) or "<none>",
            age(obj), format_labels(spec.get("selector"))]


def _ingress(obj: Obj) -> Row:
    spec = _spec(obj)
    rules = spec.get("rules") or []
    hosts = [r["host"] for r in rules if r.get("host")][:3]
    hosts_text = ",".join(hosts) if hosts else "*"
    if len(rules) > 3 and hosts:
        hosts_text += f" + {len(rules) - 3} more..."
    address = _lb_ingress((_status(obj).get("loadBalancer") or {}).get("ingress"))
    return [name(obj), spec.get("ingressClassName") or "<none>", hosts_text, address,
            "80, 443" if spec.get("tls") else "80", age(obj)]


def _ingress_class(obj: Obj) -> Row:
    spec = _spec(obj)
    params = spec.get("parameters")
    text = "<none>"
    if params:
        text = str(params.get("kind", ""))
        if params.get("apiGroup") is not None:
            text += "." + str(params["apiGroup"])
        text += "/" + str(params.get("name", ""))
    return [name(obj), spec.get("controller", ""), text, age(obj)]


def _node(obj: Obj) -> Row:
    status = _status(obj)
    states = []
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Ready":
            states = ["Ready" if cond.get("status") == "True" else "NotReady"]
    if not states:
        states = ["Unknown"]
    if _spec(obj).get("unschedulable"):
        states.append("SchedulingDisabled")
    roles = set()
    for k, v in ((obj.get("metadata") or {}).get("labels") or {}).items():
        if k.startswith("node-role.kubernetes.io/") and len(k) > 24:
            roles.add(k[24:])
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    info = status.get("nodeInfo") or {}
    addresses = status.get("addresses") or []

    def address(kind: str) -> str:
        return next((a["address"] for a in addresses if a.get("type") == kind), "<none>")
    return [name(obj), ",".join(states), ",".join(sorted(roles)) or "<none>", age(obj),
            info.get("kubeletVersion", ""), address("InternalIP"), address("ExternalIP"),
            info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


def _access_modes(modes: Any) -> str:
    have = set(modes or [])
    return ",".join(short for full, short in _ACCESS_MODES if full in have)


def _pv(obj: Obj) -> Row:
    spec = _spec(obj)
    claim = spec.get("claimRef")
    claim_text = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    klass = annotations.get(_CLASS_ANNOTATION, spec.get("storageClassName") or "")
    return [name(obj), quantity_string((spec.get("capacity") or {}).get("storage")),
            _access_modes(spec.get("accessModes")),
            spec.get("persistentVolumeReclaimPolicy", ""),
            _terminating(obj, _status(obj).get("phase")), claim_text, klass,
            spec.get("volumeAttributesClassName") or "<unset>",
            _status(obj).get("reason", ""), age(obj), spec.get("volumeMode") or "<unset>"]


def _pvc(obj: Obj) -> Row:
    spec, status = _spec(obj), _status(obj)
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = _access_modes(status.get("accessModes"))
        capacity = quantity_string((status.get("capacity") or {}).get("storage"))
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    klass = annotations.get(_CLASS_ANNOTATION, spec.get("storageClassName") or "")
    return [name(obj), _terminating(obj, status.get("phase")), spec.get("volumeName", ""),
            capacity, modes, klass, spec.get("volumeAttributesClassName") or "<unset>",
            age(obj), spec.get("volumeMode") or "<unset>"]


def _event(obj: Obj) -> Row:
    """``printEvent`` for core/v1 Events and (converted) events.k8s.io/v1 Events."""
    if "regarding" in obj or "note" in obj or obj.get("apiVersion") == "events.k8s.io/v1":
        source = obj.get("deprecatedSource") or {}
        involved = obj.get("regarding") or {}
        first_ts, last_ts = obj.get("deprecatedFirstTimestamp"), obj.get(
            "deprecatedLastTimestamp")
        message, count = obj.get("note", ""), obj.get("deprecatedCount") or 0
    else:
        source = obj.get("source") or {}
        involved = obj.get("involvedObject") or {}
        first_ts, last_ts = obj.get("firstTimestamp"), obj.get("lastTimestamp")
        message, count = obj.get("message", ""), obj.get("count") or 0
    first = since(first_ts) if first_ts else since(obj.get("eventTime"))
    last = since(last_ts) if last_ts else first
    series = obj.get("series")
    if series:
        last = since(series.get("lastObservedTime"))
        count = series.get("count") or 0
    elif not count:
        count = 1  # singleton events of the new API carry no count
    kind = str(involved.get("kind", "")).lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    component = source.get("component") or obj.get("reportingController") or ""
    host = source.get("host") or obj.get("reportingInstance") or ""
    return [last, obj.get("type", ""), obj.get("reason", ""), target,
            involved.get("fieldPath", ""), f"{component}, {host}" if host else component,
            str(message or "").strip(), first, int(count), name(obj)]


def _subjects(obj: Obj) -> list[str]:
    users, groups, sas = [], [], []
    for s in obj.get("subjects") or []:
        kind = s.get("kind")
        if kind == "User":
            users.append(s.get("name", ""))
        elif kind == "Group":
            groups.append(s.get("name", ""))
        elif kind == "ServiceAccount":
            sas.append(f"{s.get('namespace', '')}/{s.get('name', '')}")
    return [", ".join(users), ", ".join(groups), ", ".join(sas)]


def _binding(obj: Obj) -> Row:
    ref = obj.get("roleRef") or {}
    return [name(obj), f"{ref.get('kind', '')}/{ref.get('name', '')}", age(obj),
            *_subjects(obj)]


def _endpoints(obj: Obj) -> Row:
    entries: list[str] = []
    count = 0
    for subset in obj.get("subsets") or []:
        addresses = subset.get("addresses") or []
        ports = subset.get("ports") or [None]
        for port in ports:
            count += len(addresses)
            for a in addresses:
                if len(entries) < 3:
                    ip = a.get("ip", "")
                    host = f"[{ip}]" if ":" in ip else ip
                    entries.append(f"{host}:{port.get('port')}" if port else ip)
    text = ",".join(entries) if obj.get("subsets") else "<none>"
    if count > 3:
        text += f" + {count - 3} more..."
    return [name(obj), text, age(obj)]


def _more(items: list[str], count: int) -> str:
    text = ",".join(items)
    if count > 3:
        return f"{text} + {count - 3} more..."
    return text or "<unset>"


def _endpoint_slice(obj: Obj) -> Row:
    ports = [str(p.get("port") if p.get("port") is not None else p.get("name") or "*")
             for p in obj.get("ports") or []]
    addresses = [a for e in obj.get("endpoints") or [] for a in e.get("addresses") or []]
    return [name(obj), obj.get("addressType", ""), _more(ports[:3], len(ports)),
            _more(addresses[:3], len(addresses)), age(obj)]


def _storage_class(obj: Obj) -> Row:
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    default = any(annotations.get(k) == "true" for k in (
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class"))
    return [name(obj) + (" (default)" if default else ""), obj.get("provisioner", ""),
            obj.get("reclaimPolicy") or "Delete", obj.get("volumeBindingMode") or "Immediate",
            bool(obj.get("allowVolumeExpansion")), age(obj)]


def printers() -> Printers:
    """Columns and row functions by (group, resource)."""
    def simple(*cols: dict[str, Any]) -> list[dict[str, Any]]:
        return [name_col(), *cols, age_col()]

    binding_cols = [name_col(), col("Role", description=doc("rbac.v1.RoleBinding", "roleRef")),
                    age_col(), col("Users", priority=1, description="Users in the roleBinding"),
                    col("Groups", priority=1, description="Groups in the roleBinding"),
                    col("ServiceAccounts", priority=1,
                        description="ServiceAccounts in the roleBinding")]
    event_cols = [
        col("Last Seen", description=doc("core.v1.Event", "lastTimestamp")),
        col("Type", description=doc("core.v1.Event", "type")),
        col("Reason", description=doc("core.v1.Event", "reason")),
        col("Object", description=doc("core.v1.Event", "involvedObject")),
        col("Subobject", priority=1, description=doc("core.v1.ObjectReference", "fieldPath")),
        col("Source", priority=1, description=doc("core.v1.Event", "source")),
        col("Message", description=doc("core.v1.Event", "message")),
        col("First Seen", priority=1, description=doc("core.v1.Event", "firstTimestamp")),
        col("Count", priority=1, description=doc("core.v1.Event", "count")),
        col("Name", priority=1, fmt="name",
            description=doc("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "name"))]
    webhooks = simple(col("Webhooks", "integer", description="Webhooks indicates the number of "
                                                             "webhooks registered in this "
                                                             "configuration"))
    return {
        ("", "services"): ([
            name_col(), col("Type", description=doc("core.v1.ServiceSpec", "type")),
            col("Cluster-IP", description=doc("core.v1.ServiceSpec", "clusterIP")),
            col("External-IP", description=doc("core.v1.ServiceSpec", "externalIPs")),
            col("Port(s)", description=doc("core.v1.ServiceSpec", "ports")), age_col(),
            col("Selector", priority=1, description=doc("core.v1.ServiceSpec", "selector"))],
            _service),
        ("networking.k8s.io", "ingresses"): ([
            name_col(), col("Class", description="The name of the IngressClass resource that "
                                                 "should be used for additional configuration"),
            col("Hosts", description="Hosts that incoming requests are matched against before "
                                     "the ingress rule"),
            col("Address", description="Address is a list containing ingress points for the "
                                       "load-balancer"),
            col("Ports", description="Ports of TLS configurations that open"), age_col()],
            _ingress),
        ("networking.k8s.io", "ingressclasses"): (simple(
            col("Controller", description="Controller that is responsible for handling this "
                                          "class"),
            col("Parameters", description="A reference to a resource with additional "
                                          "parameters")), _ingress_class),
        ("networking.k8s.io", "networkpolicies"): (simple(
            col("Pod-Selector", description=doc("networking.v1.NetworkPolicySpec",
                                                "podSelector"))),
            lambda o: [name(o), format_selector(_spec(o).get("podSelector") or {}), age(o)]),
        ("", "configmaps"): (simple(col("Data", description=doc("core.v1.ConfigMap", "data"))),
                             lambda o: [name(o), len(o.get("data") or {}) + len(
                                 o.get("binaryData") or {}), age(o)]),
        ("", "secrets"): (simple(col("Type", description=doc("core.v1.Secret", "type")),
                                 col("Data", description=doc("core.v1.Secret", "data"))),
                          lambda o: [name(o), o.get("type") or "Opaque",
                                     len(o.get("data") or {}), age(o)]),
        ("", "namespaces"): (simple(col("Status", description="The status of the namespace")),
                             lambda o: [name(o), _status(o).get("phase", ""), age(o)]),
        ("", "serviceaccounts"): (simple(), lambda o: [name(o), age(o)]),
        ("", "nodes"): ([
            name_col(), col("Status", description="The status of the node"),
            col("Roles", description="The roles of the node"), age_col(),
            col("Version", description=doc("core.v1.NodeSystemInfo", "kubeletVersion")),
            col("Internal-IP", priority=1, description=doc("core.v1.NodeStatus", "addresses")),
            col("External-IP", priority=1, description=doc("core.v1.NodeStatus", "addresses")),
            col("OS-Image", priority=1, description=doc("core.v1.NodeSystemInfo", "osImage")),
            col("Kernel-Version", priority=1,
                description=doc("core.v1.NodeSystemInfo", "kernelVersion")),
            col("Container-Runtime", priority=1,
                description=doc("core.v1.NodeSystemInfo", "containerRuntimeVersion"))], _node),
        ("", "persistentvolumes"): ([
            name_col(),
            col("Capacity", description=doc("core.v1.PersistentVolumeSpec", "capacity")),
            col("Access Modes", description=doc("core.v1.PersistentVolumeSpec", "accessModes")),
            col("Reclaim Policy", description=doc("core.v1.PersistentVolumeSpec",
                                                  "persistentVolumeReclaimPolicy")),
            col("Status", description=doc("core.v1.PersistentVolumeStatus", "phase")),
            col("Claim", description=doc("core.v1.PersistentVolumeSpec", "claimRef")),
            col("StorageClass", description="StorageClass of the pv"),
            col("VolumeAttributesClass", description="VolumeAttributesClass of the pv"),
            col("Reason", description=doc("core.v1.PersistentVolumeStatus", "reason")),
            age_col(),
            col("VolumeMode", priority=1, description=doc("core.v1.PersistentVolumeSpec",
                                                          "volumeMode"))], _pv),
        ("", "persistentvolumeclaims"): ([
            name_col(),
            col("Status", description=doc("core.v1.PersistentVolumeClaimStatus", "phase")),
            col("Volume", description=doc("core.v1.PersistentVolumeClaimSpec", "volumeName")),
            col("Capacity", description=doc("core.v1.PersistentVolumeClaimStatus",
                                            "capacity")),
            col("Access Modes", description=doc("core.v1.PersistentVolumeClaimStatus",
                                                "accessModes")),
            col("StorageClass", description="StorageClass of the pvc"),
            col("VolumeAttributesClass", description="VolumeAttributesClass of the pvc"),
            age_col(),
            col("VolumeMode", priority=1, description=doc("core.v1.PersistentVolumeClaimSpec",
                                                          "volumeMode"))], _pvc),
        ("", "events"): (event_cols, _event),
        ("events.k8s.io", "events"): (event_cols, _event),
        ("coordination.k8s.io", "leases"): (
            simple(col("Holder", description=doc("coordination.v1.LeaseSpec",
                                                 "holderIdentity"))),
            lambda o: [name(o), _spec(o).get("holderIdentity") or "", age(o)]),
        ("rbac.authorization.k8s.io", "rolebindings"): (binding_cols, _binding),
        ("rbac.authorization.k8s.io", "clusterrolebindings"): ([
            {**c, "description": c["description"].replace("roleBinding", "clusterRoleBinding")}
            for c in binding_cols], _binding),
        ("", "endpoints"): (simple(col("Endpoints", description=doc("core.v1.Endpoints",
                                                                    "subsets"))), _endpoints),
        ("discovery.k8s.io", "endpointslices"): (simple(
            col("AddressType", description=doc("discovery.v1.EndpointSlice", "addressType")),
            col("Ports", description=doc("discovery.v1.EndpointSlice", "ports")),
            col("Endpoints", description=doc("discovery.v1.EndpointSlice", "endpoints"))),
            _endpoint_slice),
        ("storage.k8s.io", "storageclasses"): ([
            name_col(),
            col("Provisioner", description=doc("storage.v1.StorageClass", "provisioner")),
            col("ReclaimPolicy", description=doc("storage.v1.StorageClass", "reclaimPolicy")),
            col("VolumeBindingMode", description=doc("storage.v1.StorageClass",
                                                     "volumeBindingMode")),
            col("AllowVolumeExpansion", description=doc("storage.v1.StorageClass",
                                                        "allowVolumeExpansion")),
            age_col()], _storage_class),
        ("scheduling.k8s.io", "priorityclasses"): ([
            name_col(),
            col("Value", "integer", description=doc("scheduling.v1.PriorityClass", "value")),
            col("Global-Default", "boolean", description=doc("scheduling.v1.PriorityClass",
                                                             "globalDefault")),
            age_col(),
            col("PreemptionPolicy", priority=1,
                description=doc("scheduling.v1.PriorityClass", "preemptionPolicy"))],
            lambda o: [name(o), int(o.get("value") or 0), bool(o.get("globalDefault")),
                       age(o), o.get("preemptionPolicy") or ""]),
        ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): (
            webhooks, lambda o: [name(o), len(o.get("webhooks") or []), age(o)]),
        ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): (
            webhooks, lambda o: [name(o), len(o.get("webhooks") or []), age(o)]),
        ("node.k8s.io", "runtimeclasses"): (
            simple(col("Handler")), lambda o: [name(o), o.get("handler", ""), age(o)]),
        ("", "podtemplates"): ([
            name_col(), col("Containers", description="Names of each container in the "
                                                      "template."),
            col("Images", description="Images referenced by each container in the template."),
            col("Pod Labels", description="The labels for the pod template.")],
            lambda o: [name(o), *containers_cells(((o.get("template") or {}).get("spec") or {})
                                                  .get("containers")),
                       format_labels(((o.get("template") or {}).get("metadata") or {})
                                     .get("labels"))]),
    }
