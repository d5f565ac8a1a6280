"""The Deployment controller: one ReplicaSet per pod template, rollout status and conditions.

A rollout surges the whole new ReplicaSet at once (Recreate empties the old ones first) and
scales the old ones to zero once the new one is available. Conditions, reasons and messages
are upstream's; the progress deadline is the object's duration when its outcome is ``fail``.
"""

from __future__ import annotations

from typing import Any

from gitsync.sandbox import meta
from gitsync.sandbox.controllers.base import Handler, Runtime
from gitsync.sandbox.controllers.controller import Controller
from gitsync.sandbox.controllers.podutil import is_deleting, owned
from gitsync.sandbox.controllers.util import (
    as_int,
    condition,
    controller_ref,
    duration_of,
    intstr,
    json_copy,
    outcome_of,
    owner_ref,
    set_condition,
    template_hash,
)
from gitsync.sandbox.store import Key

RS_KEY: Key = ("apps", "replicasets")
HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX = "deployment.kubernetes.io/max-replicas"
#: deployment annotations the controller does not copy onto its ReplicaSets
_NOT_COPIED = {"kubectl.kubernetes.io/last-applied-configuration", REVISION, DESIRED, MAX,
               "deployment.kubernetes.io/revision-history",
               "deprecated.deployment.rollback.to"}
DEFAULT_DURATION = 2.5


def _st(obj: dict[str, Any] | None, field: str) -> int:
    return as_int(((obj or {}).get("status") or {}).get(field), 0)


def _revision(rs: dict[str, Any]) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


class DeploymentController(Controller):
    """ReplicaSets per template revision, and the Deployment's rollout status."""
    name = "deployments"
    key = ("apps", "deployments")

    def __init__(self, mgr: Runtime) -> None:
        super().__init__(mgr)
        self.rt = mgr.rtype("apps", "v1", "deployments")
        self.rs_rt = mgr.rtype("apps", "v1", "replicasets")

    def routes(self) -> dict[Key, Handler]:
        """Deployments and the ReplicaSets they control."""
        return {self.key: self.on_own_event, RS_KEY: self.wake_owner("Deployment")}

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Sync ReplicaSets with the Deployment, then its status."""
        d = self.get(ns, name)
        if d is None:
            self.forget(ns, name)
            return
        spec = d.get("spec") or {}
        replicas = max(as_int(spec.get("replicas"), 1), 0)
        h = template_hash(spec.get("template") or {}, as_int((d.get("status") or {})
                                                              .get("collisionCount"), 0))
        conds = list((d.get("status") or {}).get("conditions") or [])
        new_rs = next((r for r in owned(self.mgr, d, RS_KEY)
                       if r["metadata"]["name"] == f"{name}-{h}"), None)
        paused = bool(spec.get("paused"))
        if not is_deleting(d):
            conds = self._paused_condition(conds, paused)
            if new_rs is None and not paused:
                new_rs, note = self._new_rs(d, f"{name}-{h}", h, replicas)
                if new_rs is None:
                    if note == "collision":
                        self._collided(d)
                    return
                conds = set_condition(conds, self._progressing("True", note, new_rs))
            elif new_rs is not None and condition(conds, "Progressing") is None:
                conds = set_condition(conds, self._progressing("True", "FoundNewReplicaSet",
                                                               new_rs))
            self._scale(d, new_rs, replicas, paused)
        self._status(d, conds, replicas, paused)

    # --- replica sets -----------------------------------------------------------------------

    def _new_rs(self, d: dict[str, Any], rs_name: str, h: str,
                replicas: int) -> tuple[dict[str, Any] | None, str]:
        ns = d["metadata"].get("namespace", "")
        existing = self.mgr.get(RS_KEY, ns, rs_name)
        if existing is not None:
            if controller_ref(existing) is not None or is_deleting(existing):
                return None, "collision"
            # an orphan with our template's hash (left by an Orphan delete): adopt it
            self.mgr.update(self.rs_rt, existing, lambda o: o["metadata"].setdefault(
                "ownerReferences", []).append(owner_ref(d)))
            return self.mgr.get(RS_KEY, ns, rs_name), "FoundNewReplicaSet"
        spec = d.get("spec") or {}
        tmpl = json_copy(spec.get("template") or {})
        tmd = tmpl.setdefault("metadata", {})
        tmd["labels"] = {**(tmd.get("labels") or {}), HASH_LABEL: h}
        selector = json_copy(spec.get("selector") or {})
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: h}
        md: dict[str, Any] = {"name": rs_name, "namespace": ns, "labels": tmd["labels"],
                              "annotations": {}, "ownerReferences": [owner_ref(d)]}
        olds = owned(self.mgr, d, RS_KEY)
        rs_spec: dict[str, Any] = {"replicas": self._target(d, olds, replicas),
                                   "selector": selector, "template": tmpl}
        if spec.get("minReadySeconds"):
            rs_spec["minReadySeconds"] = spec["minReadySeconds"]
        body = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": md, "spec": rs_spec}
        self._annotate(d, body, replicas)
        md["annotations"][REVISION] = str(max((_revision(r) for r in olds), default=0) + 1)
        created = self.mgr.create(self.rs_rt, ns, body)
        return created, "NewReplicaSetCreated"

    def _collided(self, d: dict[str, Any]) -> None:
        """Another object holds our ReplicaSet's name: bump collisionCount, as upstream."""
        status = dict(d.get("status") or {})
        status["collisionCount"] = as_int(status.get("collisionCount"), 0) + 1
        self.mgr.set_status(self.rt, d, status)

    def _annotate(self, d: dict[str, Any], rs: dict[str, Any], replicas: int) -> None:
        ann = rs["metadata"].setdefault("annotations", {})
        for k, v in ((d["metadata"].get("annotations") or {}).items()):
            if k not in _NOT_COPIED:
                ann[k] = v
        ann[DESIRED] = str(replicas)
        ann[MAX] = str(replicas + self._surge(d, replicas))

    def _in_sync(self, d: dict[str, Any], rs: dict[str, Any], want: int, replicas: int,
                 top: int) -> bool:
        """Whether _scale's ``sync`` would leave the stored ReplicaSet as it is (then the
        write, and the copy it starts from, are skipped)."""
        md = rs["metadata"]
        cur = self.mgr.get(RS_KEY, md.get("namespace", ""), md["name"])
        if cur is None:
            return True  # Runtime.update does nothing either
        spec, ann = cur.get("spec"), cur["metadata"].get("annotations")
        if type(spec) is not dict or type(ann) is not dict or "replicas" not in spec \
                or spec["replicas"] != want or _revision(cur) <= top:
            return False
        for k, v in (d["metadata"].get("annotations") or {}).items():
            if k not in _NOT_COPIED and (k not in ann or ann[k] != v):
                return False
        return (DESIRED in ann and ann[DESIRED] == str(replicas) and MAX in ann
                and ann[MAX] == str(replicas + self._surge(d, replicas)))

    def _target(self, d: dict[str, Any], old: list[dict[str, Any]], replicas: int) -> int:
        """The new ReplicaSet's size: all at once, after the old pods are gone for Recreate."""
        strategy = (d.get("spec") or {}).get("strategy") or {}
        if strategy.get("type") == "Recreate" and any(
                _st(r, "replicas") or (r.get("spec") or {}).get("replicas") for r in old):
            return 0
        return replicas

    def _surge(self, d: dict[str, Any], replicas: int) -> int:
        strategy = (d.get("spec") or {}).get("strategy") or {}
        if strategy.get("type") == "Recreate":
            return 0
        return intstr((strategy.get("rollingUpdate") or {}).get("maxSurge"), replicas, True)

    def _max_unavailable(self, d: dict[str, Any], replicas: int) -> int:
        strategy = (d.get("spec") or {}).get("strategy") or {}
        if strategy.get("type") == "Recreate":
            return 0
        value = intstr((strategy.get("rollingUpdate") or {}).get("maxUnavailable"),
                       replicas, False)
        if value == 0 and self._surge(d, replicas) == 0:
            value = 1       # both zero would deadlock; upstream resolves to one
        return min(value, replicas)

    def _scale(self, d: dict[str, Any], new_rs: dict[str, Any] | None, replicas: int,
               paused: bool) -> None:
        rss = owned(self.mgr, d, RS_KEY)
        old = [r for r in rss if new_rs is None or r["metadata"]["uid"]
               != new_rs["metadata"]["uid"]]
        recreate = ((d.get("spec") or {}).get("strategy") or {}).get("type") == "Recreate"
        if new_rs is not None:
            want = self._target(d, old, replicas)
            top = max((_revision(r) for r in old), default=0)

            def sync(o: dict[str, Any]) -> None:
                o["spec"]["replicas"] = want
                self._annotate(d, o, replicas)
                if _revision(o) <= top:
                    o["metadata"]["annotations"][REVISION] = str(top + 1)
            if not self._in_sync(d, new_rs, want, replicas, top):
                self.mgr.update(self.rs_rt, new_rs, sync,
                                touches=("spec", "metadata.annotations"))
            rev = str(max(top + 1, _revision(new_rs)))
            if (d["metadata"].get("annotations") or {}).get(REVISION) != rev:
                self.mgr.update(self.rt, d, lambda o: o["metadata"].setdefault(
                    "annotations", {}).__setitem__(REVISION, rev),
                    touches=("metadata.annotations",))
        if paused:
            return
        done = new_rs is not None and _st(new_rs, "availableReplicas") >= replicas
        for r in old:
            if (recreate or done) and (r.get("spec") or {}).get("replicas"):
                self.mgr.update(self.rs_rt, r, lambda o: o["spec"].__setitem__("replicas", 0),
                                touches=("spec",))
        limit = max(as_int((d.get("spec") or {}).get("revisionHistoryLimit"), 10), 0)
        idle = sorted((r for r in old if not (r.get("spec") or {}).get("replicas")
                       and not _st(r, "replicas") and not is_deleting(r)), key=_revision)
        for r in idle[:max(len(idle) - limit, 0)]:
            self.mgr.delete(self.rs_rt, r["metadata"].get("namespace", ""),
                            r["metadata"]["name"], uid=r["metadata"]["uid"])

    # --- status -----------------------------------------------------------------------------

    def _progressing(self, status: str, reason: str,
                     rs: dict[str, Any] | None) -> dict[str, Any]:
        rs_name = rs["metadata"]["name"] if rs else ""
        message = {
            "NewReplicaSetCreated": f'Created new replica set "{rs_name}"',
            "FoundNewReplicaSet": f'Found new replica set "{rs_name}"',
            "ReplicaSetUpdated": f'ReplicaSet "{rs_name}" is progressing.',
            "NewReplicaSetAvailable": f'ReplicaSet "{rs_name}" has successfully progressed.',
            "ProgressDeadlineExceeded": f'ReplicaSet "{rs_name}" has timed out progressing.',
            "DeploymentPaused": "Deployment is paused",
            "DeploymentResumed": "Deployment is resumed",
        }[reason]
        now = meta.now()
        return {"type": "Progressing", "status": status, "lastUpdateTime": now,
                "lastTransitionTime": now, "reason": reason, "message": message}

    def _paused_condition(self, conds: list[dict[str, Any]],
                          paused: bool) -> list[dict[str, Any]]:
        cur = condition(conds, "Progressing")
        reason = cur.get("reason") if cur else None
        if reason == "ProgressDeadlineExceeded":
            return conds
        if paused and reason != "DeploymentPaused":
            return set_condition(conds, self._progressing("Unknown", "DeploymentPaused", None))
        if not paused and reason == "DeploymentPaused":
            return set_condition(conds, self._progressing("Unknown", "DeploymentResumed", None))
        return conds

    def _status(self, d: dict[str, Any], conds: list[dict[str, Any]], replicas: int,
                paused: bool) -> None:
        md = d["metadata"]
        old = d.get("status") or {}
        rss = owned(self.mgr, d, RS_KEY)
        h = template_hash((d.get("spec") or {}).get("template") or {},
                          as_int(old.get("collisionCount"), 0))
        new_rs = next((r for r in rss if r["metadata"]["name"] == f"{md['name']}-{h}"), None)
        new: dict[str, int] = {
            "replicas": sum(_st(r, "replicas") for r in rss),
            "updatedReplicas": _st(new_rs, "replicas"),
            "readyReplicas": sum(_st(r, "readyReplicas") for r in rss),
            "availableReplicas": sum(_st(r, "availableReplicas") for r in rss)}
        total = sum(max(as_int((r.get("spec") or {}).get("replicas"), 0), 0) for r in rss)
        new["unavailableReplicas"] = max(total - new["availableReplicas"], 0)
        if new["availableReplicas"] >= replicas - self._max_unavailable(d, replicas):
            avail = ("True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
        else:
            avail = ("False", "MinimumReplicasUnavailable",
                     "Deployment does not have minimum availability.")
        now = meta.now()
        conds = set_condition(conds, {"type": "Available", "status": avail[0],
                                      "lastUpdateTime": now, "lastTransitionTime": now,
                                      "reason": avail[1], "message": avail[2]})
        if not paused and not is_deleting(d):
            conds = self._progress(d, conds, new, replicas, new_rs)
        status: dict[str, Any] = {"observedGeneration": md.get("generation"), **new,
                                  "conditions": conds,
                                  "collisionCount": old.get("collisionCount")}
        self.mgr.set_status(self.rt, d, {k: v for k, v in status.items() if v})

    def _progress(self, d: dict[str, Any], conds: list[dict[str, Any]], new: dict[str, int],
                  replicas: int, new_rs: dict[str, Any] | None) -> list[dict[str, Any]]:
        """syncRolloutStatus: complete, progressing, or timed out (checked in that order)."""
        old = d.get("status") or {}
        cur = condition(conds, "Progressing")
        if new["replicas"] == new["updatedReplicas"] and cur is not None \
                and cur.get("reason") == "NewReplicaSetAvailable":
            return conds
        if new["updatedReplicas"] == new["replicas"] == new["availableReplicas"] == replicas:
            return set_condition(conds, self._progressing("True", "NewReplicaSetAvailable",
                                                          new_rs))
        old_rest = as_int(old.get("replicas"), 0) - as_int(old.get("updatedReplicas"), 0)
        if (new["updatedReplicas"] > as_int(old.get("updatedReplicas"), 0)
                or new["replicas"] - new["updatedReplicas"] < old_rest
                or new["readyReplicas"] > as_int(old.get("readyReplicas"), 0)
                or new["availableReplicas"] > as_int(old.get("availableReplicas"), 0)):
            c = self._progressing("True", "ReplicaSetUpdated", new_rs)
            if cur is not None and cur.get("status") == "True":
                c["lastTransitionTime"] = cur.get("lastTransitionTime", c["lastTransitionTime"])
            return [x for x in conds if x.get("type") != "Progressing"] + [c]
        if cur is not None and cur.get("reason") == "ProgressDeadlineExceeded":
            return conds
        if self._deadline_passed(d, new):
            return set_condition(conds, self._progressing("False", "ProgressDeadlineExceeded",
                                                          new_rs))
        return conds

    def _deadline_passed(self, d: dict[str, Any], new: dict[str, int]) -> bool:
        """No progress for the deadline: the duration when failing, else the real
        progressDeadlineSeconds (never at time scale 0, where healthy rollouts are instant)."""
        md = d["metadata"]
        if outcome_of(d) == "fail":
            seconds = duration_of(d)
            seconds = DEFAULT_DURATION if seconds is None else seconds
        elif self.mgr.time_scale > 0:
            seconds = as_int((d.get("spec") or {}).get("progressDeadlineSeconds"), 600)
        else:
            return False
        stalled = ("deadline", md.get("generation"), *sorted(new.items()))
        return self.due(md.get("namespace", ""), md["name"], stalled, seconds)
