"""Scheduler and kubelet of the single node: bind, start, run and finish pods on a timeline.

A pod's outcome and duration come from its own annotations, else its controller owner's (a
ReplicaSet carries its Deployment's annotations, as the deployment controller copies them).
"""

from __future__ import annotations

from typing import Any

from gitsync.sandbox import meta
from gitsync.sandbox.controllers.base import Runtime
from gitsync.sandbox.controllers.controller import Controller
from gitsync.sandbox.controllers.podutil import (
    NODE_IP,
    NODE_NAME,
    PODS,
    is_deleting,
    is_terminal,
    phase,
)
from gitsync.sandbox.controllers.util import (
    as_int,
    duration_of,
    fraction,
    hexid,
    outcome_of,
)
from gitsync.sandbox.store import Key

KUBELET = "kubelet"
#: seconds from start to a pod's end of life, by the kind of its controller
_DEFAULT_SPAN = {"ReplicaSet": 2.5, "StatefulSet": 3.0, "DaemonSet": 2.0, "Job": 3.0}
_STATUS_ORDER = ("observedGeneration", "phase", "conditions", "message", "reason",
                 "nominatedNodeName", "hostIP", "hostIPs", "podIP", "podIPs", "startTime",
                 "initContainerStatuses", "containerStatuses", "qosClass")


def image_ref(image: str) -> str:
    """``nginx`` -> ``docker.io/library/nginx:latest``, as containerd reports images."""
    name = image or "unknown"
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = "docker.io/library/" + name
    elif "." not in first and ":" not in first and first != "localhost":
        name = "docker.io/" + name
    if "@" not in name and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def qos_class(spec: dict[str, Any]) -> str:
    """BestEffort without requests or limits; Guaranteed when every container's cpu and
    memory limits are set and requests (if given) equal them; Burstable otherwise."""
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    guaranteed, any_set = True, False
    for c in containers:
        res = c.get("resources") or {}
        limits, requests = res.get("limits") or {}, res.get("requests") or {}
        any_set = any_set or any(k in limits or k in requests for k in ("cpu", "memory"))
        for k in ("cpu", "memory"):
            if k not in limits or requests.get(k, limits[k]) != limits[k]:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _repository(image: str) -> str:
    """The image name without tag or digest (what precedes ``@sha256:`` in an imageID)."""
    base = image.split("@", 1)[0]
    head, _, last = base.rpartition("/")
    return f"{head}/{last.split(':', 1)[0]}" if head else last.split(":", 1)[0]


def _names(containers: list[dict[str, Any]]) -> str:
    return "[" + " ".join(str(c.get("name", "")) for c in containers) + "]"


class PodController(Controller):
    """Binds pods to the node and plays the kubelet's part in their status."""
    name = "pods"
    key = PODS

    def __init__(self, mgr: Runtime) -> None:
        super().__init__(mgr)
        self.rt = mgr.rtype("", "v1", "pods")
        self._ips = 4

    def resync(self) -> None:
        # continue numbering after the addresses restored pods already have
        """Reconcile every pod, continuing pod IPs after those in use."""
        bucket = self.cluster.store.buckets.get(self.key)
        for entry in bucket.objects.values() if bucket else ():
            ip = str((entry.obj.get("status") or {}).get("podIP") or "")
            octets = ip.split(".")
            if ip.startswith("10.244.") and len(octets) == 4 and all(o.isdigit() for o in octets):
                self._ips = max(self._ips, int(octets[2]) * 254 + int(octets[3]) - 1)
        super().resync()

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Take one pod one step along bind, start, run, finish."""
        pod = self.get(ns, name)
        if pod is None or is_deleting(pod) or is_terminal(pod):
            self.forget(ns, name)
            return
        spec = pod.get("spec") or {}
        if not spec.get("nodeName"):
            if not spec.get("schedulingGates"):
                self._bind(pod)
            return
        if spec["nodeName"] != NODE_NAME:
            return      # bound to a node that does not exist: stays Pending, as upstream
        uid = pod["metadata"]["uid"]
        outcome, span = self._profile(pod)
        status = pod.get("status") or {}
        run_at = span * (0.5 + 0.3 * fraction(uid))
        if not status.get("startTime"):
            self._write(pod, "Pending", "creating")
        elif phase(pod) == "Pending":
            if not self.due(ns, name, ("run", uid), run_at):
                return
            if outcome == "fail":
                always = spec.get("restartPolicy", "Always") == "Always"
                self._write(pod, "Running" if always else "Failed",
                            "crashloop" if always else "failed")
            else:
                self._write(pod, "Running", "running")
        elif spec.get("restartPolicy", "Always") != "Always" and outcome == "succeed" \
                and self.due(ns, name, ("finish", uid), span * 0.95 - run_at):
            self._write(pod, "Succeeded", "completed")

    def _profile(self, pod: dict[str, Any]) -> tuple[str, float]:
        """(outcome, seconds the pod lives) from the pod and its controller owner."""
        owner = self.mgr.owner(pod)
        outcome = outcome_of(pod, owner) or "succeed"
        kind = owner["kind"] if owner else "Pod"
        span = duration_of(pod, owner)
        if span is None:
            span = _DEFAULT_SPAN.get(kind, 2.0)
        ospec = (owner or {}).get("spec") or {}
        if kind == "StatefulSet" and ospec.get("podManagementPolicy") != "Parallel":
            span /= max(as_int(ospec.get("replicas"), 1), 1)    # pods start one by one
        elif kind == "Job" and outcome == "fail":
            span /= max(as_int(ospec.get("backoffLimit"), 6), 0) + 1
        return outcome, span

    def _bind(self, pod: dict[str, Any]) -> None:
        now = meta.now()

        def mutate(o: dict[str, Any]) -> None:
            o["spec"]["nodeName"] = NODE_NAME
            st = o.setdefault("status", {})
            st.setdefault("phase", "Pending")
            conds = [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"]
            conds.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                          "lastTransitionTime": now})
            st["conditions"] = conds
        self.mgr.commit_raw(self.rt, pod, mutate, touches=("spec", "status"))

    def _write(self, pod: dict[str, Any], new_phase: str, state: str) -> None:
        now = meta.now()
        spec = pod.get("spec") or {}
        old = pod.get("status") or {}
        gen = pod["metadata"].get("generation")
        values: dict[str, Any] = {"qosClass": old.get("qosClass") or qos_class(spec),
                                  "observedGeneration": gen, "phase": new_phase,
                                  "conditions": self._conditions(pod, state, now, gen),
                                  "hostIP": NODE_IP, "hostIPs": [{"ip": NODE_IP}],
                                  "startTime": old.get("startTime") or now}
        if state != "creating":
            ip = old.get("podIP") or (NODE_IP if spec.get("hostNetwork") else self._next_ip())
            values.update(podIP=ip, podIPs=[{"ip": ip}])
        inits = spec.get("initContainers") or []
        if inits:
            values["initContainerStatuses"] = [
                self._container(pod, c, "init-waiting" if state == "creating" else "init-done",
                                now, old) for c in inits]
        values["containerStatuses"] = [
            self._container(pod, c, "init-waiting" if state == "creating" and inits else state,
                            now, old) for c in spec.get("containers") or []]
        status = {k: values.get(k, old.get(k)) for k in _STATUS_ORDER}
        status.update({k: v for k, v in old.items() if k not in status})
        self.mgr.set_status(self.rt, pod, {k: v for k, v in status.items() if v is not None},
                            KUBELET)

    def _next_ip(self) -> str:
        self._ips += 1
        return f"10.244.{self._ips // 254 % 256}.{self._ips % 254 + 1}"

    def _conditions(self, pod: dict[str, Any], state: str, now: str,
                    gen: int | None) -> list[dict[str, Any]]:
        spec = pod.get("spec") or {}
        unready = f"containers with unready status: {_names(spec.get('containers') or [])}"
        inits = spec.get("initContainers") or []
        want: list[tuple[str, str, str, str]] = []    # type, status, reason, message
        sandbox = "True" if state in ("running", "crashloop") else "False"
        want.append(("PodReadyToStartContainers", sandbox, "", ""))
        if state == "creating" and inits:
            want.append(("Initialized", "False", "ContainersNotInitialized",
                         f"containers with incomplete status: {_names(inits)}"))
        else:
            want.append(("Initialized", "True", "PodCompleted" if state == "completed" else "",
                         ""))
        if state == "running":
            ready = ("True", "", "")
        elif state == "completed":
            ready = ("False", "PodCompleted", "")
        elif state == "failed":
            ready = ("False", "PodFailed", "")
        else:
            ready = ("False", "ContainersNotReady", unready)
        want.append(("Ready", *ready))
        want.append(("ContainersReady", *ready))
        old = {c.get("type"): c for c in (pod.get("status") or {}).get("conditions") or []}
        want.append(("PodScheduled", "True", "", ""))
        out = []
        for ctype, status, reason, message in want:
            prev = old.get(ctype)
            c: dict[str, Any] = {"type": ctype}
            if gen is not None:
                c["observedGeneration"] = gen
            c["status"] = status
            c["lastProbeTime"] = None
            c["lastTransitionTime"] = (prev["lastTransitionTime"] if prev and
                                       prev.get("status") == status and
                                       prev.get("lastTransitionTime") else now)
            if reason:
                c["reason"] = reason
            if message:
                c["message"] = message
            out.append(c)
        return out

    def _container(self, pod: dict[str, Any], c: dict[str, Any], state: str, now: str,
                   old: dict[str, Any]) -> dict[str, Any]:
        name = str(c.get("name", ""))
        uid = pod["metadata"]["uid"]
        image = image_ref(str(c.get("image", "")))
        cid = "containerd://" + hexid(uid, name)
        started_at = old.get("startTime") or now
        prev = {s.get("name"): s for s in (old.get("containerStatuses") or [])
                + (old.get("initContainerStatuses") or [])}.get(name) or {}
        running_since = ((prev.get("state") or {}).get("running") or {}).get("startedAt", now)
        out: dict[str, Any] = {"name": name}
        last: dict[str, Any] = {}
        restarts, ready, started = 0, False, False
        if state == "creating" or state == "init-waiting":
            reason = "ContainerCreating" if state == "creating" else "PodInitializing"
            out.update(state={"waiting": {"reason": reason}}, lastState={}, ready=False,
                       restartCount=0, image=image, imageID="", started=False)
            return out
        if state == "running":
            st: dict[str, Any] = {"running": {"startedAt": running_since}}
            ready = started = True
        elif state == "crashloop":
            st = {"waiting": {"reason": "CrashLoopBackOff", "message": (
                f"back-off 10s restarting failed container={name} pod="
                f"{pod['metadata']['name']}_{pod['metadata'].get('namespace', '')}({uid})")}}
            last = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": started_at,
                                   "finishedAt": now, "containerID": cid}}
            restarts = 1
        else:
            code, reason = (1, "Error") if state == "failed" else (0, "Completed")
            st = {"terminated": {"exitCode": code, "reason": reason,
                                 "startedAt": running_since, "finishedAt": now,
                                 "containerID": cid}}
            ready = state == "init-done"
        out.update(state=st, lastState=last, ready=ready, restartCount=restarts, image=image,
                   imageID=_repository(image) + "@sha256:" + hexid(image),
                   containerID=cid, started=started)
        return out
