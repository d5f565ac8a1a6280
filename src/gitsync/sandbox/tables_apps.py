"""Table printers for workloads: pods, controllers, jobs, autoscalers, disruption budgets.

Columns and cells follow kube-apiserver's printers (``pkg/printers/internalversion``); the
server always prints the wide set and clients hide priority-1 columns.
"""

from __future__ import annotations

import time
from typing import Any

from gitsync.sandbox.tables_fmt import (
    Obj,
    Row,
    RowFunc,
    age,
    age_col,
    bool_ptr,
    col,
    condition_true,
    containers_cells,
    doc,
    format_labels,
    format_selector,
    human_duration,
    int_or_string,
    name,
    name_col,
    parse_time,
    quantity_string,
    selector_string,
    since,
    template_containers,
)

Printers = dict[tuple[str, str], tuple[list[dict[str, Any]], RowFunc]]

_CONTAINERS = "Names of each container in the template."
_IMAGES = "Images referenced by each container in the template."
_SUCCESS = [{"type": "Completed", "status": "True", "reason": "Succeeded",
             "message": "The pod has completed successfully."}]
_FAILED = [{"type": "Completed", "status": "True", "reason": "Failed",
            "message": "The pod failed."}]


def _spec(obj: Obj) -> dict[str, Any]:
    return obj.get("spec") or {}


def _status(obj: Obj) -> dict[str, Any]:
    return obj.get("status") or {}


def _later(current: str | None, candidate: Any) -> str | None:
    """The later of two timestamps (``lastRestartDate.Before(&terminatedDate)``)."""
    t = parse_time(candidate)
    if t is None:
        return current
    if current is None or (parse_time(current) or 0) < t:
        return str(candidate)
    return current


def _finished(cs: dict[str, Any]) -> Any:
    return ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")


def pod_row(pod: Obj) -> Row:
    """``printPod``: READY, STATUS (the reason kubectl users know), RESTARTS with last restart."""
    spec, status = _spec(pod), _status(pod)
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    sidecars = {n for n, c in init_specs.items() if c.get("restartPolicy") == "Always"}
    total = len(spec.get("containers") or []) + len(sidecars)
    ready = restarts = sidecar_restarts = 0
    last: str | None = None
    last_sidecar: str | None = None
    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for i, cs in enumerate(init_statuses):
        restarts += int(cs.get("restartCount") or 0)
        last = _later(last, _finished(cs))
        sidecar = cs.get("name") in sidecars
        if sidecar:
            sidecar_restarts += int(cs.get("restartCount") or 0)
            last_sidecar = _later(last_sidecar, _finished(cs))
        state = cs.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting")
        if term is not None and int(term.get("exitCode") or 0) == 0:
            continue
        if sidecar and cs.get("started"):
            ready += 1 if cs.get("ready") else 0
            continue
        if term is not None:
            if term.get("reason"):
                reason = "Init:" + term["reason"]
            elif term.get("signal"):
                reason = f"Init:Signal:{term['signal']}"
            else:
                reason = f"Init:ExitCode:{term.get('exitCode', 0)}"
        elif wait is not None and wait.get("reason") and wait["reason"] != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break
    if not initializing or condition_true(status.get("conditions"), "Initialized"):
        restarts, last = sidecar_restarts, last_sidecar
        has_running = False
        error_reason = ""
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            last = _later(last, _finished(cs))
            state = cs.get("state") or {}
            term, wait = state.get("terminated"), state.get("waiting")
            if wait is not None and wait.get("reason"):
                reason = wait["reason"]
            elif term is not None:
                if term.get("reason"):
                    reason = term["reason"]
                elif term.get("signal"):
                    reason = f"Signal:{term['signal']}"
                else:
                    reason = f"ExitCode:{term.get('exitCode', 0)}"
                if int(term.get("exitCode") or 0) != 0:
                    error_reason = reason
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed":
            if has_running and condition_true(status.get("conditions"), "Ready"):
                reason = "Running"
            elif error_reason:
                reason = error_reason
            elif has_running:
                reason = "NotReady"
    deleting = bool((pod.get("metadata") or {}).get("deletionTimestamp"))
    if deleting and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    restarts_text = str(restarts)
    if restarts and last is not None:
        restarts_text = f"{restarts} ({since(last)} ago)"
    ips = status.get("podIPs") or []
    pod_ip = (ips[0].get("ip") if ips else "") or "<none>"
    gates = spec.get("readinessGates") or []
    gates_text = "<none>"
    if gates:
        true = 0
        for gate in gates:
            for cond in status.get("conditions") or []:
                if cond.get("type") == gate.get("conditionType"):
                    true += 1 if cond.get("status") == "True" else 0
                    break
        gates_text = f"{true}/{len(gates)}"
    return [name(pod), f"{ready}/{total}", reason, restarts_text, age(pod), pod_ip,
            spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>",
            gates_text]


def pod_conditions(pod: Obj) -> list[dict[str, str]] | None:
    """Row conditions: finished pods are marked Completed."""
    phase = _status(pod).get("phase")
    return _SUCCESS if phase == "Succeeded" else _FAILED if phase == "Failed" else None


def _deployment(obj: Obj) -> Row:
    spec, status = _spec(obj), _status(obj)
    names, images = template_containers(obj)
    return [name(obj), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            int(status.get("updatedReplicas") or 0), int(status.get("availableReplicas") or 0),
            age(obj), names, images, selector_string(spec.get("selector"))]


def _replica_set(obj: Obj) -> Row:
    spec, status = _spec(obj), _status(obj)
    names, images = template_containers(obj)
    return [name(obj), int(spec.get("replicas", 1)), int(status.get("replicas") or 0),
            int(status.get("readyReplicas") or 0), age(obj), names, images,
            format_selector(spec.get("selector"))]


def _replication_controller(obj: Obj) -> Row:
    spec, status = _spec(obj), _status(obj)
    names, images = template_containers(obj)
    return [name(obj), int(spec.get("replicas", 1)), int(status.get("replicas") or 0),
            int(status.get("readyReplicas") or 0), age(obj), names, images,
            format_labels(spec.get("selector"))]


def _stateful_set(obj: Obj) -> Row:
    spec, status = _spec(obj), _status(obj)
    names, images = template_containers(obj)
    return [name(obj), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}", age(obj),
            names, images]


def _daemon_set(obj: Obj) -> Row:
    spec, status = _spec(obj), _status(obj)
    names, images = template_containers(obj)
    node_selector = ((spec.get("template") or {}).get("spec") or {}).get("nodeSelector")
    return [name(obj), *(int(status.get(k) or 0) for k in (
        "desiredNumberScheduled", "currentNumberScheduled", "numberReady",
        "updatedNumberScheduled", "numberAvailable")),
        format_labels(node_selector), age(obj), names, images,
        format_selector(spec.get("selector"))]


def _job_status(obj: Obj) -> str:
    conds = _status(obj).get("conditions")
    if condition_true(conds, "Complete"):
        return "Complete"
    if condition_true(conds, "Failed"):
        return "Failed"
    if (obj.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    for kind in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if condition_true(conds, kind):
            return kind
    return "Running"


def _job(obj: Obj) -> Row:
    spec, status = _spec(obj), _status(obj)
    succeeded = int(status.get("succeeded") or 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif int(spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    start, end = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    duration = ""
    if start is not None:
        duration = human_duration((end if end is not None else time.time()) - start)
    names, images = template_containers(obj)
    return [name(obj), _job_status(obj), completions, duration, age(obj), names, images,
            format_selector(spec.get("selector"))]


def _cron_job(obj: Obj) -> Row:
    spec, status = _spec(obj), _status(obj)
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    names, images = containers_cells(((job_spec.get("template") or {}).get("spec") or {})
                                     .get("containers"))
    last = status.get("lastScheduleTime")
    return [name(obj), spec.get("schedule", ""), spec.get("timeZone") or "<none>",
            bool_ptr(spec.get("suspend")), len(status.get("active") or []),
            since(last) if last else "<none>", age(obj), names, images,
            format_selector(job_spec.get("selector"))]


def _metric(spec: dict[str, Any], status: dict[str, Any] | None) -> str:
    """One ``formatHPAMetrics`` entry (autoscaling/v2 shape)."""
    kind = spec.get("type")
    key = {"External": "external", "Pods": "pods", "Object": "object", "Resource": "resource",
           "ContainerResource": "containerResource"}.get(str(kind))
    if key is None:
        return "<unknown type>"
    source = spec.get(key) or {}
    target = source.get("target") or {}
    current = ((status or {}).get(key) or {}).get("current") if status else None
    if key in ("external", "object", "pods"):
        if key == "pods" or target.get("averageValue") is not None:
            cur = quantity_string(current["averageValue"]) if current and current.get(
                "averageValue") is not None else "<unknown>"
            suffix = "" if key == "pods" else " (avg)"
            return f"{cur}/{quantity_string(target.get('averageValue'))}{suffix}"
        cur = quantity_string(current.get("value")) if current else "<unknown>"
        return f"{cur}/{quantity_string(target.get('value'))}"
    res = source.get("name", "")
    if target.get("averageValue") is not None:
        cur = quantity_string(current.get("averageValue")) if current else "<unknown>"
        return f"{res}: {cur}/{quantity_string(target['averageValue'])}"
    cur = "<unknown>"
    if current and current.get("averageUtilization") is not None:
        cur = f"{current['averageUtilization']}%"
    util = target.get("averageUtilization")
    return f"{res}: {cur}/{util}%" if util is not None else f"{res}: {cur}/<auto>"


def _hpa(obj: Obj) -> Row:
    spec, status = _spec(obj), _status(obj)
    metrics = spec.get("metrics")
    statuses = status.get("currentMetrics") or []
    if metrics is None and "targetCPUUtilizationPercentage" in spec:
        # autoscaling/v1 objects: the internal version sees one CPU utilization metric
        metrics = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "averageUtilization": spec["targetCPUUtilizationPercentage"]}}}]
        if status.get("currentCPUUtilizationPercentage") is not None:
            statuses = [{"type": "Resource", "resource": {"name": "cpu", "current": {
                "averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
    if not metrics:
        text = "<none>"
    else:
        items = [_metric(m, statuses[i] if i < len(statuses) else None)
                 for i, m in enumerate(metrics)]
        text = ", ".join(items[:2])
        if len(items) > 2:
            text += f" + {len(items) - 2} more..."
    ref = spec.get("scaleTargetRef") or {}
    min_pods = str(spec["minReplicas"]) if spec.get("minReplicas") is not None else "<unset>"
    return [name(obj), f"{ref.get('kind', '')}/{ref.get('name', '')}", text, min_pods,
            int(spec.get("maxReplicas") or 0), int(status.get("currentReplicas") or 0),
            age(obj)]


def _pdb(obj: Obj) -> Row:
    spec = _spec(obj)
    low = spec.get("minAvailable")
    high = spec.get("maxUnavailable")
    return [name(obj), "N/A" if low is None else int_or_string(low),
            "N/A" if high is None else int_or_string(high),
            int(_status(obj).get("disruptionsAllowed") or 0), age(obj)]


def _controller_revision(obj: Obj) -> Row:
    owner = "<none>"
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            group = str(ref.get("apiVersion", "")).rpartition("/")[0]
            kind = ref.get("kind", "")
            owner = f"{kind}.{group}".lower() if group else str(kind).lower()
            owner += "/" + str(ref.get("name", ""))
            break
    return [name(obj), owner, int(obj.get("revision") or 0), age(obj)]


def printers() -> Printers:
    """Columns and row functions by (group, resource)."""
    containers = col("Containers", priority=1, description=_CONTAINERS)
    images = col("Images", priority=1, description=_IMAGES)

    def selector(definition: str) -> dict[str, Any]:
        return col("Selector", priority=1, description=doc(definition, "selector"))

    return {
        ("", "pods"): ([
            name_col(),
            col("Ready", description="The aggregate readiness state of this pod for accepting "
                                     "traffic."),
            col("Status", description="The aggregate status of the containers in this pod."),
            col("Restarts", description="The number of times the containers in this pod have "
                                        "been restarted and when the last container in this "
                                        "pod has restarted."),
            age_col(),
            col("IP", priority=1, description=doc("core.v1.PodStatus", "podIP")),
            col("Node", priority=1, description=doc("core.v1.PodSpec", "nodeName")),
            col("Nominated Node", priority=1,
                description=doc("core.v1.PodStatus", "nominatedNodeName")),
            col("Readiness Gates", priority=1,
                description=doc("core.v1.PodSpec", "readinessGates"))], pod_row),
        ("apps", "deployments"): ([
            name_col(), col("Ready", description="Number of the pod with ready state"),
            col("Up-to-date", description=doc("apps.v1.DeploymentStatus", "updatedReplicas")),
            col("Available", description=doc("apps.v1.DeploymentStatus", "availableReplicas")),
            age_col(), containers, images, selector("apps.v1.DeploymentSpec")], _deployment),
        ("apps", "replicasets"): ([
            name_col(),
            col("Desired", "integer", description=doc("apps.v1.ReplicaSetSpec", "replicas")),
            col("Current", "integer", description=doc("apps.v1.ReplicaSetStatus", "replicas")),
            col("Ready", "integer", description=doc("apps.v1.ReplicaSetStatus",
                                                    "readyReplicas")),
            age_col(), containers, images, selector("apps.v1.ReplicaSetSpec")], _replica_set),
        ("", "replicationcontrollers"): ([
            name_col(),
            col("Desired", "integer", description=doc("core.v1.ReplicationControllerSpec",
                                                      "replicas")),
            col("Current", "integer", description=doc("core.v1.ReplicationControllerStatus",
                                                      "replicas")),
            col("Ready", "integer", description=doc("core.v1.ReplicationControllerStatus",
                                                    "readyReplicas")),
            age_col(), containers, images, selector("core.v1.ReplicationControllerSpec")],
            _replication_controller),
        ("apps", "statefulsets"): ([
            name_col(), col("Ready", description="Number of the pod with ready state"),
            age_col(), containers, images], _stateful_set),
        ("apps", "daemonsets"): ([
            name_col(),
            *(col(title, "integer", description=doc("apps.v1.DaemonSetStatus", field))
              for title, field in (("Desired", "desiredNumberScheduled"),
                                   ("Current", "currentNumberScheduled"),
                                   ("Ready", "numberReady"),
                                   ("Up-to-date", "updatedNumberScheduled"),
                                   ("Available", "numberAvailable"))),
            col("Node Selector", description=doc("core.v1.PodSpec", "nodeSelector")),
            age_col(), containers, images, selector("apps.v1.DaemonSetSpec")], _daemon_set),
        ("batch", "jobs"): ([
            name_col(), col("Status", description="Status of the job."),
            col("Completions", description=doc("batch.v1.JobStatus", "succeeded")),
            col("Duration", description="Time required to complete the job."),
            age_col(), containers, images, selector("batch.v1.JobSpec")], _job),
        ("batch", "cronjobs"): ([
            name_col(), col("Schedule", description=doc("batch.v1.CronJobSpec", "schedule")),
            col("Timezone", description=doc("batch.v1.CronJobSpec", "timeZone")),
            col("Suspend", "boolean", description=doc("batch.v1.CronJobSpec", "suspend")),
            col("Active", "integer", description=doc("batch.v1.CronJobStatus", "active")),
            col("Last Schedule", description=doc("batch.v1.CronJobStatus",
                                                 "lastScheduleTime")),
            age_col(), containers, images, selector("batch.v1.JobSpec")], _cron_job),
        ("autoscaling", "horizontalpodautoscalers"): ([
            name_col(),
            col("Reference", description=doc("autoscaling.v2.HorizontalPodAutoscalerSpec",
                                             "scaleTargetRef")),
            col("Targets", description=doc("autoscaling.v2.HorizontalPodAutoscalerSpec",
                                           "metrics")),
            col("MinPods", description=doc("autoscaling.v2.HorizontalPodAutoscalerSpec",
                                           "minReplicas")),
            col("MaxPods", description=doc("autoscaling.v2.HorizontalPodAutoscalerSpec",
                                           "maxReplicas")),
            col("Replicas", description=doc("autoscaling.v2.HorizontalPodAutoscalerStatus",
                                            "currentReplicas")),
            age_col()], _hpa),
        ("policy", "poddisruptionbudgets"): ([
            name_col(),
            col("Min Available", description="The minimum number of pods that must be "
                                             "available."),
            col("Max Unavailable", description="The maximum number of pods that may be "
                                               "unavailable."),
            col("Allowed Disruptions", "integer", description="Calculated number of pods that "
                                                              "may be disrupted at this time."),
            age_col()], _pdb),
        ("apps", "controllerrevisions"): ([
            name_col(), col("Controller", description="Controller of the object"),
            col("Revision", description=doc("apps.v1.ControllerRevision", "revision")),
            age_col()], _controller_revision),
    }
