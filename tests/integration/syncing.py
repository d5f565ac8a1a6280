"""Helpers of the sync, history and rollback tests: small apps in Git, the CLI, reading back.

Apps here are plain-YAML folders committed to the workspace repository (project ``default``),
each with its own destination namespace created out of band, so a test sees only its objects.
Everything is read back with the official ``kubernetes`` client; the order of writes comes from
replaying the sandbox's watch history (resourceVersions are cluster-wide and increasing).
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import urllib3
import yaml
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from tests.integration.conftest import Workspace

ARGO = "argocd.argoproj.io"
SANDBOX = "sandbox.gitsync.io"
HISTORY_NS = "gitsync-system"

APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
spec:
  project: default
  source:
    repoURL: REPO_URL
    targetRevision: main
    path: apps/{name}
  destination:
    server: https://kubernetes.default.svc
    namespace: {namespace}
"""


# --- manifests -------------------------------------------------------------------------------


def _meta(name: str, wave: int | None, annotations: dict[str, str] | None,
          generate: bool = False) -> dict[str, Any]:
    ann = dict(annotations or {})
    if wave is not None:
        ann[f"{ARGO}/sync-wave"] = str(wave)
    md: dict[str, Any] = {"generateName": name} if generate else {"name": name}
    if ann:
        md["annotations"] = ann
    return md


def configmap(name: str, wave: int | None = None, data: dict[str, str] | None = None,
              annotations: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(name, wave, annotations),
            "data": data if data is not None else {"name": name}}


def deployment(name: str, image: str = "shop/app:1", wave: int | None = None,
               annotations: dict[str, str] | None = None, replicas: int = 1
               ) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": _meta(name, wave, annotations),
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "main", "image": image}]}}}}


def job(name: str, hook: str | None = None, policy: str | None = None, wave: int | None = None,
        fail: bool = False, generate: bool = False) -> dict[str, Any]:
    ann: dict[str, str] = {}
    if hook:
        ann[f"{ARGO}/hook"] = hook
    if policy:
        ann[f"{ARGO}/hook-delete-policy"] = policy
    if fail:
        ann[f"{SANDBOX}/outcome"] = "fail"
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": _meta(name, wave, ann, generate),
            "spec": {"backoffLimit": 0, "template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "main", "image": "busybox:1.36",
                                "command": ["true"]}]}}}}


def secret(name: str, value: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
            "type": "Opaque", "stringData": {"password": value}}


def documents(*objs: dict[str, Any]) -> str:
    return "---\n".join(yaml.safe_dump(o, sort_keys=False) for o in objs)


# --- apps ------------------------------------------------------------------------------------


def make_app(ws: Workspace, name: str, *objs: dict[str, Any], namespace: str = "",
             spec: dict[str, Any] | None = None, create_namespace: bool = True) -> str:
    """Commit ``objs`` as ``apps/<name>/manifests.yaml``, write the Application; its namespace."""
    ns = namespace or name
    ws.commit(f"{name}: first version", **{f"apps/{name}/manifests.yaml": documents(*objs)})
    text = APP.format(name=name, namespace=ns)
    if spec:
        doc = yaml.safe_load(text)
        doc["spec"].update(spec)
        text = yaml.safe_dump(doc, sort_keys=False)
    ws.write_app(name, text)
    if create_namespace:
        try:
            core(ws).create_namespace({"metadata": {"name": ns}})
        except ApiException as exc:
            if exc.status != 409:
                raise
    return ns


def change_app(ws: Workspace, name: str, *objs: dict[str, Any], message: str = "") -> str:
    """Commit new manifests for app ``name``; the new commit's sha."""
    return ws.commit(message or f"{name}: change",
                     **{f"apps/{name}/manifests.yaml": documents(*objs)})


# --- the CLI ---------------------------------------------------------------------------------


def sync(ws: Workspace, name: str, *args: str) -> Any:
    return ws.cli("app", "sync", name, "--apps", str(ws.apps), *args)


def sync_json(ws: Workspace, name: str, *args: str) -> tuple[Any, dict[str, Any]]:
    result = sync(ws, name, "-o", "json", *args)
    try:
        return result, json.loads(result.stdout)
    except ValueError:
        raise AssertionError(f"no JSON (exit {result.exit_code}):\n{result.stdout}\n"
                             f"{result.stderr}") from None


def history(ws: Workspace, name: str, *args: str) -> Any:
    return ws.cli("app", "history", name, "--apps", str(ws.apps), *args)


def rollback(ws: Workspace, name: str, *args: str) -> Any:
    return ws.cli("app", "rollback", name, "--apps", str(ws.apps), *args)


def ok(result: Any) -> Any:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    return result


def events(stderr: str) -> list[tuple[str, str, str]]:
    """The per-resource lines ``Kind/ns/name  Status  message`` printed while syncing."""
    out = []
    for line in stderr.splitlines():
        parts = line.split("  ", 2)
        if len(parts) >= 2 and "/" in parts[0] and " " not in parts[0]:
            out.append((parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
    return out


def steps(stderr: str) -> list[tuple[str, set[str]]]:
    """``(step header, identities created in it)`` for each ``Phase ▸ wave N`` of a sync."""
    out: list[tuple[str, set[str]]] = []
    for line in stderr.splitlines():
        if " ▸ wave " in line or line == "SyncFail hooks":
            out.append((line, set()))
        elif out and line.endswith("  Synced  created"):
            out[-1][1].add(line.split("  ")[0])
    return out


def created(stderr: str) -> list[str]:
    """Identities reported ``Synced  created``, in the order they were created."""
    return [who for who, status, msg in events(stderr) if (status, msg) == ("Synced", "created")]


def results(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """An operation state's resource results by ``Kind/name``."""
    return {f"{r['kind']}/{r['name']}": r for r in state["resources"]}


# --- reading back ----------------------------------------------------------------------------


def api(ws: Workspace) -> client.ApiClient:
    return config.new_client_from_config(str(ws.sandbox.kubeconfig))


def core(ws: Workspace) -> client.CoreV1Api:
    return client.CoreV1Api(api(ws))


def apps_api(ws: Workspace) -> client.AppsV1Api:
    return client.AppsV1Api(api(ws))


def batch(ws: Workspace) -> client.BatchV1Api:
    return client.BatchV1Api(api(ws))


def read(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, or None on 404."""
    try:
        return fn(*args)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def configmaps(ws: Workspace, ns: str) -> dict[str, Any]:
    return {c.metadata.name: c for c in core(ws).list_namespaced_config_map(ns).items
            if c.metadata.name != "kube-root-ca.crt"}


@dataclass
class Records:
    """The history ConfigMap of an app, decoded: last operation, entries, manifests by id."""

    resource_version: str
    operation: dict[str, Any] | None
    entries: list[dict[str, Any]]
    manifests: dict[int, list[dict[str, Any]]]

    @property
    def ids(self) -> list[int]:
        return [e["id"] for e in self.entries]


def records(ws: Workspace, app: str) -> Records | None:
    cm = read(core(ws).read_namespaced_config_map, f"gitsync-{app}", HISTORY_NS)
    if cm is None:
        return None
    data = cm.data or {}
    index = json.loads(data["history"])
    blobs = {int(k.removeprefix("manifests-")): json.loads(gzip.decompress(base64.b64decode(v)))
             for k, v in (cm.binary_data or {}).items()}
    op = json.loads(data["operation"]) if "operation" in data else None
    return Records(cm.metadata.resource_version, op, index["entries"], blobs)


def cluster_rv(ws: Workspace) -> int:
    return int(core(ws).list_namespace().metadata.resource_version)


@dataclass(frozen=True)
class Event:
    type: str
    kind: str
    name: str
    rv: int
    obj: dict[str, Any]


_PATHS = {"ConfigMap": "/api/v1/namespaces/{ns}/configmaps",
          "Deployment": "/apis/apps/v1/namespaces/{ns}/deployments",
          "ReplicaSet": "/apis/apps/v1/namespaces/{ns}/replicasets",
          "Job": "/apis/batch/v1/namespaces/{ns}/jobs",
          "Pod": "/api/v1/namespaces/{ns}/pods",
          "Service": "/api/v1/namespaces/{ns}/services",
          "StatefulSet": "/apis/apps/v1/namespaces/{ns}/statefulsets",
          "Lease": "/apis/coordination.k8s.io/v1/namespaces/{ns}/leases",
          "Secret": "/api/v1/namespaces/{ns}/secrets",
          "Namespace": "/api/v1/namespaces"}


class Timeline:
    """Every watch event of some kinds in one namespace from now on, in cluster order.

    The sandbox keeps each type's recent events, so a watch from the starting resourceVersion
    replays them at once; the stream going quiet for a moment means the replay is complete.
    """

    def __init__(self, ws: Workspace, namespace: str, *kinds: str) -> None:
        self.ws, self.namespace, self.kinds = ws, namespace, kinds
        for kind in kinds:
            # a type's event window starts at its first watch or write: open it now
            self._watch(kind, cluster_rv(ws), 5.0).close()
        self.since = cluster_rv(ws)

    def _watch(self, kind: str, rv: int, read: float) -> Any:
        url = self.ws.sandbox.url + _PATHS[kind].format(ns=self.namespace)
        # one connection per watch, never reused: a stream is closed, not drained
        return urllib3.PoolManager().request(
            "GET", url, fields={"watch": "1", "resourceVersion": str(rv)},
            preload_content=False, retries=False, timeout=urllib3.Timeout(connect=5, read=read))

    def events(self) -> list[Event]:
        found: list[Event] = []
        lock = threading.Lock()

        def one(kind: str) -> None:
            resp = self._watch(kind, self.since, 0.5)
            try:
                for line in resp:
                    ev = json.loads(line)
                    assert ev["type"] in ("ADDED", "MODIFIED", "DELETED"), ev
                    md = ev["object"]["metadata"]
                    with lock:
                        found.append(Event(ev["type"], kind, md["name"],
                                           int(md["resourceVersion"]), ev["object"]))
            except (urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.ProtocolError):
                pass
            finally:
                resp.close()

        threads = [threading.Thread(target=one, args=(k,)) for k in self.kinds]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return sorted(found, key=lambda e: e.rv)


def first(evs: list[Event], type_: str, kind: str, name: str,
          cond: Callable[[dict[str, Any]], bool] = lambda o: True) -> Event:
    for e in evs:
        if (e.type, e.kind, e.name) == (type_, kind, name) and cond(e.obj):
            return e
    raise AssertionError(f"no {type_} event of {kind}/{name} among "
                         f"{[(e.type, e.kind, e.name) for e in evs]}")


def available(obj: dict[str, Any]) -> bool:
    conds = (obj.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Available" and c.get("status") == "True" for c in conds) \
        and (obj.get("status") or {}).get("readyReplicas") == obj["spec"]["replicas"]


def job_done(obj: dict[str, Any], condition: str = "Complete") -> bool:
    conds = (obj.get("status") or {}).get("conditions") or []
    return any(c.get("type") == condition and c.get("status") == "True" for c in conds)


def table(stdout: str, first_header: str = "GROUP") -> list[dict[str, str]]:
    """The rows of the kubectl-style table in ``stdout``, cut at the header's columns."""
    lines = stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith(first_header))
    header = lines[start]
    names = header.split()
    cols = [m.start() for m in re.finditer(r"\S+", header)]
    rows = []
    for ln in lines[start + 1:]:
        if not ln.strip():
            break
        cells = [ln[a:b].strip() for a, b in zip(cols, [*cols[1:], None], strict=True)]
        rows.append(dict(zip(names, cells, strict=True)))
    return rows
