"""kubectl, unmodified, against the sandbox: its output must look as against a real cluster.

Every kubectl run is a subprocess with the fixture's kubeconfig, its own cache directory and a
timeout. Ages vary, so table rows are matched with patterns where an AGE cell appears.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitsync.sandbox.testing import SandboxHandle

pytestmark = pytest.mark.fidelity

KUBECTL = shutil.which("kubectl")
AGE = r"\d+[smhd]"

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
"""

CONFIGMAPS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-a
  labels: {app: demo, env: prod}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-b
  labels: {app: demo, env: dev}
data: {a: "1", b: "2"}
"""

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, description: How big the widget is.}
              color: {type: string}
"""

WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1}
spec: {size: 3, color: blue}
"""

JOB = """\
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: pi, image: perl:5.34}
"""

MANY_KINDS = """\
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 443}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: nginx
  rules:
  - host: example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {user: admin, password: hunter2}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: lock}
spec: {holderIdentity: me, leaseDurationSeconds: 15}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: robot, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: global-reader}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: global-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: global-reader}
subjects: [{kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: pg, image: postgres:16}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: agent, image: busybox:1.36}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: tick, image: busybox:1.36}]
---
apiVersion: v1
kind: Event
metadata: {name: web.17a}
involvedObject: {apiVersion: apps/v1, kind: Deployment, name: web, namespace: default}
reason: ScalingReplicaSet
message: Scaled up replica set web-abc to 2
type: Normal
source: {component: deployment-controller}
firstTimestamp: "2020-01-01T00:00:00Z"
lastTimestamp: "2020-01-01T00:00:00Z"
count: 1
"""


@dataclass
class Kubectl:
    """Runs kubectl against one sandbox; raises with kubectl's output when it fails."""

    kubeconfig: Path
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, stdin: str | None = None, check: bool = True,
            timeout: float = 30, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        assert KUBECTL is not None
        cmd = [KUBECTL, "--kubeconfig", str(self.kubeconfig),
               "--cache-dir", str(self.workdir / "cache"), *args]
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, **self.env, **(env or {})},
                              check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} exited {proc.returncode}:\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        return proc

    def __call__(self, *args: str, stdin: str | None = None) -> str:
        return self.run(*args, stdin=stdin).stdout

    def apply(self, manifest: str, *flags: str) -> str:
        return self("apply", "-f", "-", *flags, stdin=manifest)

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "-o", "json"))

    def write(self, name: str, text: str) -> str:
        path = self.workdir / name
        path.write_text(text)
        return str(path)


@pytest.fixture
def kubectl(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[Kubectl]:
    if KUBECTL is None:
        pytest.skip("kubectl not on PATH: the fidelity tests drive the real kubectl binary")
    # no user kubeconfig or cache leaks in, and nothing is written outside tmp_path
    yield Kubectl(sandbox.kubeconfig, tmp_path,
                  {"HOME": str(tmp_path), "KUBECONFIG": str(sandbox.kubeconfig)})


def lines(text: str) -> list[str]:
    return [re.sub(r"\s+", " ", line).strip() for line in text.strip().splitlines()]


def matches(text: str, *patterns: str) -> None:
    got = lines(text)
    assert len(got) == len(patterns), text
    for line, pattern in zip(got, patterns, strict=True):
        assert re.fullmatch(pattern, line), f"{line!r} !~ {pattern!r}\n{text}"


# --- cluster information --------------------------------------------------------------------


def test_version_api_versions_and_cluster_info(kubectl: Kubectl, sandbox: SandboxHandle) -> None:
    version = json.loads(kubectl("version", "-o", "json"))
    assert version["serverVersion"]["gitVersion"] == "v1.34.0"
    assert version["serverVersion"]["minor"] == "34"
    groups = kubectl("api-versions").split()
    assert {"v1", "apps/v1", "batch/v1", "networking.k8s.io/v1"} <= set(groups)
    assert groups == sorted(groups)
    info = kubectl("cluster-info")
    assert f"Kubernetes control plane is running at {sandbox.url}" in info


def test_api_resources_lists_builtins_and_crds(kubectl: Kubectl) -> None:
    out = kubectl("api-resources")
    assert lines(out)[0] == "NAME SHORTNAMES APIVERSION NAMESPACED KIND"
    assert "deployments deploy apps/v1 true Deployment" in lines(out)
    assert "namespaces ns v1 false Namespace" in lines(out)
    assert "widgets" not in out
    kubectl.apply(CRD)
    out = kubectl("api-resources", "--api-group=example.com")
    assert lines(out) == ["NAME SHORTNAMES APIVERSION NAMESPACED KIND",
                          "widgets wd example.com/v1 true Widget"]
    assert kubectl("api-resources", "--namespaced=false", "-o", "name").count("namespaces\n")


def test_explain_uses_openapi_v3(kubectl: Kubectl) -> None:
    out = kubectl("explain", "deployment.spec.replicas")
    assert out.startswith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\n"
                          "FIELD: replicas <integer>\n")
    assert "Number of desired pods." in out
    out = kubectl("explain", "pods")
    assert "KIND:       Pod\nVERSION:    v1\n" in out
    assert re.search(r"^  spec\t<PodSpec>$", out, re.M), out
    kubectl.apply(CRD)
    out = kubectl("explain", "widgets.spec.size")
    assert "GROUP:      example.com\nKIND:       Widget" in out
    assert "How big the widget is." in out


# --- reading ----------------------------------------------------------------------------------


def test_get_output_forms(kubectl: Kubectl) -> None:
    kubectl.apply(CONFIGMAPS)
    sel = "-l=app=demo"
    matches(kubectl("get", "configmaps", sel), "NAME DATA AGE",
            f"cm-a 1 {AGE}", f"cm-b 2 {AGE}")
    matches(kubectl("get", "cm", sel, "-o", "wide"), "NAME DATA AGE",
            f"cm-a 1 {AGE}", f"cm-b 2 {AGE}")
    matches(kubectl("get", "cm", sel, "--show-labels"), "NAME DATA AGE LABELS",
            f"cm-a 1 {AGE} app=demo,env=prod", f"cm-b 2 {AGE} app=demo,env=dev")
    matches(kubectl("get", "cm", "-l", "env=prod"), "NAME DATA AGE", f"cm-a 1 {AGE}")
    matches(kubectl("get", "cm", "-l", "env in (dev,test)", "--no-headers"), f"cm-b 2 {AGE}")
    assert kubectl("get", "cm", sel, "-o", "name") == "configmap/cm-a\nconfigmap/cm-b\n"
    assert kubectl("get", "cm", sel, "-o", "jsonpath={.items[*].metadata.name}") == "cm-a cm-b"
    assert kubectl("get", "cm", "cm-b", "-o", "jsonpath={.data.b}") == "2"
    assert lines(kubectl("get", "cm", sel, "-o",
                         "custom-columns=NAME:.metadata.name,ENV:.metadata.labels.env")) == [
        "NAME ENV", "cm-a prod", "cm-b dev"]
    listed = yaml.safe_load(kubectl("get", "cm", sel, "-o", "yaml"))
    assert listed["kind"] == "List" and listed["apiVersion"] == "v1"
    assert [i["metadata"]["name"] for i in listed["items"]] == ["cm-a", "cm-b"]
    assert listed["items"][0]["kind"] == "ConfigMap"
    one = kubectl.json("get", "cm", "cm-a")
    assert one["apiVersion"] == "v1" and one["kind"] == "ConfigMap"
    assert one["data"] == {"a": "1"}
    assert set(one["metadata"]) >= {"uid", "resourceVersion", "creationTimestamp"}
    assert "managedFields" not in one["metadata"]
    shown = kubectl.json("get", "cm", "cm-a", "--show-managed-fields")
    assert shown["metadata"]["managedFields"][0]["manager"] == "kubectl-client-side-apply"
    missing = kubectl.run("get", "cm", "nope", check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == 'Error from server (NotFound): configmaps "nope" not found'


def test_get_all_namespaces_and_namespace_manifest(kubectl: Kubectl) -> None:
    assert kubectl("create", "-f", "-", stdin="apiVersion: v1\nkind: Namespace\nmetadata:\n"
                   "  name: other\n") == "namespace/other created\n"
    matches(kubectl("get", "ns", "other"), "NAME STATUS AGE", f"other Active {AGE}")
    kubectl.apply(CONFIGMAPS)
    kubectl.apply(CONFIGMAPS.split("---")[0], "-n", "other")
    matches(kubectl("get", "cm", "-A", "-l", "app=demo"), "NAMESPACE NAME DATA AGE",
            f"default cm-a 1 {AGE}", f"default cm-b 2 {AGE}", f"other cm-a 1 {AGE}")
    matches(kubectl("get", "cm", "-n", "other", "-l", "app=demo"), "NAME DATA AGE",
            f"cm-a 1 {AGE}")


def test_typed_create_gets_a_clean_unsupported_media_type(kubectl: Kubectl) -> None:
    # kubectl's typed generators send protobuf, which the sandbox does not decode
    proc = kubectl.run("create", "configmap", "typed", "--from-literal=a=b", check=False)
    assert proc.returncode == 1
    assert "the body of the request was in an unknown format" in proc.stderr
    assert "panic" not in proc.stderr and "InternalError" not in proc.stderr
    assert kubectl.run("get", "cm", "typed", check=False).returncode == 1


def test_custom_resource_columns(kubectl: Kubectl) -> None:
    kubectl.apply(CRD)
    assert kubectl.apply(WIDGET) == "widget.example.com/w1 created\n"
    matches(kubectl("get", "widgets"), "NAME SIZE COLOR AGE", f"w1 3 blue {AGE}")
    matches(kubectl("get", "wd", "w1", "-o", "wide"), "NAME SIZE COLOR AGE", f"w1 3 blue {AGE}")
    matches(kubectl("get", "crd"), "NAME CREATED AT",
            r"widgets\.example\.com \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_tables_of_many_kinds(kubectl: Kubectl) -> None:
    kubectl.apply(MANY_KINDS)
    kinds = ("svc,ing,secret,sa,pvc,pv,lease,hpa,pdb,role,rolebinding,clusterrole,"
             "clusterrolebinding,netpol,sts,ds,cronjob")
    out = kubectl("get", kinds, "-o", "wide")
    blocks = [lines(b) for b in out.strip().split("\n\n")]
    heads: dict[str, list[str]] = {}
    for block in blocks:  # roles and cluster roles (and their bindings) share a header
        heads.setdefault(block[0], []).extend(block[1:])
    ip, when = r"\d+\.\d+\.\d+\.\d+", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    expected = {
        "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR": [
            rf"service/kubernetes ClusterIP {ip} <none> 443/TCP {AGE} <none>",
            rf"service/lb LoadBalancer {ip} ({ip}|<pending>) 443:\d+/TCP {AGE} app=web",
            rf"service/web ClusterIP {ip} <none> 80/TCP {AGE} app=web"],
        "NAME CLASS HOSTS ADDRESS PORTS AGE": [
            rf"ingress.networking.k8s.io/web nginx example.com ({ip} )?80 {AGE}"],
        "NAME TYPE DATA AGE": [f"secret/creds Opaque 2 {AGE}"],
        "NAME AGE": [f"serviceaccount/default {AGE}", f"serviceaccount/robot {AGE}"],
        "NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE "
        "VOLUMEMODE": [rf"persistentvolumeclaim/data Bound pvc-[0-9a-f-]+ 1Gi RWO( \S+)? "
                       rf"<unset> {AGE} Filesystem"],
        "NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS "
        "VOLUMEATTRIBUTESCLASS REASON AGE VOLUMEMODE": [
            rf"persistentvolume/pvc-[0-9a-f-]+ 1Gi RWO Delete Bound default/data \S+ <unset> "
            rf"{AGE} Filesystem"],
        "NAME HOLDER AGE": [f"lease.coordination.k8s.io/lock me {AGE}"],
        "NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE": [
            rf"horizontalpodautoscaler.autoscaling/web Deployment/web cpu: <unknown>/50% 1 3 "
            rf"\d+ {AGE}"],
        "NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE": [
            rf"poddisruptionbudget.policy/web 1 N/A \d+ {AGE}"],
        "NAME CREATED AT": [f"role.rbac.authorization.k8s.io/reader {when}",
                            f"clusterrole.rbac.authorization.k8s.io/global-reader {when}"],
        "NAME ROLE AGE USERS GROUPS SERVICEACCOUNTS": [
            f"rolebinding.rbac.authorization.k8s.io/reader Role/reader {AGE} alice "
            "default/robot",
            "clusterrolebinding.rbac.authorization.k8s.io/global-reader "
            f"ClusterRole/global-reader {AGE} devs"],
        "NAME POD-SELECTOR AGE": [f"networkpolicy.networking.k8s.io/deny app=web {AGE}"],
        "NAME READY AGE CONTAINERS IMAGES": [rf"statefulset.apps/db \d/1 {AGE} pg postgres:16"],
        "NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE CONTAINERS IMAGES "
        "SELECTOR": [rf"daemonset.apps/agent( \d+){{5}} kubernetes.io/os=linux {AGE} agent "
                     r"busybox:1.36 app=agent"],
        "NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE CONTAINERS IMAGES SELECTOR": [
            rf"cronjob.batch/tick \*/5 \* \* \* \* <none> False \d+ (<none>|{AGE}) {AGE} tick "
            r"busybox:1.36 <none>"],
    }
    assert set(heads) == set(expected), out
    for head, rows in heads.items():
        patterns = expected[head]
        assert all(any(re.fullmatch(p, r) for p in patterns) for r in rows), (head, rows)
        assert all(any(re.fullmatch(p, r) for r in rows) for p in patterns), (head, rows)
    matches(kubectl("get", "events"), "LAST SEEN TYPE REASON OBJECT MESSAGE",
            r"\d+[dy]\S* Normal ScalingReplicaSet deployment/web Scaled up replica set "
            r"web-abc to 2")


# --- writing ----------------------------------------------------------------------------------


def test_client_side_apply_and_diff(kubectl: Kubectl) -> None:
    path = kubectl.write("cm.yaml", CONFIGMAPS.split("---")[1])
    assert kubectl("apply", "-f", path) == "configmap/cm-b created\n"
    live = kubectl.json("get", "cm", "cm-b")
    last = json.loads(live["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"])
    assert last["data"] == {"a": "1", "b": "2"}
    assert kubectl("apply", "-f", path) == "configmap/cm-b unchanged\n"
    same = kubectl.run("diff", "-f", path, check=False)
    assert (same.returncode, same.stdout) == (0, "")
    changed = kubectl.write("cm2.yaml", CONFIGMAPS.split("---")[1].replace(
        'b: "2"', 'c: "3"'))
    diff = kubectl.run("diff", "-f", changed, check=False)
    assert diff.returncode == 1, diff.stderr
    assert re.search(r"^-  b: \"2\"$", diff.stdout, re.M), diff.stdout
    assert re.search(r"^\+  c: \"3\"$", diff.stdout, re.M), diff.stdout
    assert kubectl("apply", "-f", changed) == "configmap/cm-b configured\n"
    # the key dropped from the manifest is pruned through the last-applied annotation
    assert kubectl.json("get", "cm", "cm-b")["data"] == {"a": "1", "c": "3"}


def test_server_side_apply_conflicts_and_force(kubectl: Kubectl) -> None:
    manifest = CONFIGMAPS.split("---")[0]
    assert kubectl.apply(manifest, "--server-side") == "configmap/cm-a serverside-applied\n"
    managed = kubectl.json("get", "cm", "cm-a", "--show-managed-fields")["metadata"][
        "managedFields"]
    assert [(m["manager"], m["operation"]) for m in managed] == [("kubectl", "Apply")]
    other = manifest.replace('a: "1"', 'a: "2"')
    proc = kubectl.run("apply", "--server-side", "--field-manager=other", "-f", "-",
                       stdin=other, check=False)
    assert proc.returncode == 1
    assert 'Apply failed with 1 conflict: conflict with "kubectl": .data.a' in proc.stderr
    assert kubectl.apply(other, "--server-side", "--field-manager=other",
                         "--force-conflicts") == "configmap/cm-a serverside-applied\n"
    assert kubectl.json("get", "cm", "cm-a")["data"] == {"a": "2"}


def test_strict_validation_rejects_unknown_fields(kubectl: Kubectl) -> None:
    bad = CONFIGMAPS.split("---")[0] + "bogus: 1\n"
    proc = kubectl.run("apply", "-f", "-", stdin=bad, check=False)
    assert proc.returncode == 1
    assert 'strict decoding error: unknown field "bogus"' in proc.stderr, proc.stderr
    assert kubectl.run("get", "cm", "cm-a", check=False).returncode == 1


def test_label_annotate_patch_and_edit(kubectl: Kubectl) -> None:
    kubectl.apply(CONFIGMAPS.split("---")[0])
    assert kubectl("label", "cm", "cm-a", "team=x") == "configmap/cm-a labeled\n"
    failed = kubectl.run("label", "cm", "cm-a", "team=y", check=False)
    assert failed.returncode == 1 and "already has a value (x)" in failed.stderr
    assert kubectl("label", "cm", "cm-a", "team=y", "--overwrite") == "configmap/cm-a labeled\n"
    assert kubectl("label", "cm", "cm-a", "team-") == "configmap/cm-a unlabeled\n"
    assert kubectl("annotate", "cm", "cm-a", "note=hi") == "configmap/cm-a annotated\n"
    meta = kubectl.json("get", "cm", "cm-a")["metadata"]
    assert meta["labels"] == {"app": "demo", "env": "prod"}
    assert meta["annotations"]["note"] == "hi"
    assert kubectl("patch", "cm", "cm-a", "--type=merge", "-p",
                   '{"data":{"m":"1"}}') == "configmap/cm-a patched\n"
    assert kubectl("patch", "cm", "cm-a", "--type=json", "-p",
                   '[{"op":"add","path":"/data/j","value":"2"}]') == "configmap/cm-a patched\n"
    assert kubectl("patch", "cm", "cm-a", "--type=strategic", "-p",
                   '{"data":{"s":"3"}}') == "configmap/cm-a patched\n"
    assert kubectl("patch", "cm", "cm-a", "-p", '{"data":{"s":"3"}}') == \
        "configmap/cm-a patched (no change)\n"
    assert kubectl.json("get", "cm", "cm-a")["data"] == {"a": "1", "m": "1", "j": "2", "s": "3"}
    editor = kubectl.write("editor.py", "import sys\np = sys.argv[1]\ntext = open(p).read()\n"
                           "open(p, 'w').write(text.replace('m: \"1\"', 'm: \"edited\"'))\n")
    out = kubectl.run("edit", "cm", "cm-a", env={"KUBE_EDITOR": f"{sys.executable} {editor}"})
    assert out.stdout == "configmap/cm-a edited\n", out.stderr
    assert kubectl.json("get", "cm", "cm-a")["data"]["m"] == "edited"


def test_get_watch_prints_table_rows(kubectl: Kubectl) -> None:
    kubectl.apply(CONFIGMAPS.split("---")[0])
    assert KUBECTL is not None
    watch = subprocess.Popen(
        [KUBECTL, "--kubeconfig", str(kubectl.kubeconfig), "--cache-dir",
         str(kubectl.workdir / "cache"), "get", "cm", "-l", "app=demo", "--watch",
         "--request-timeout=2s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **kubectl.env})
    try:
        time.sleep(0.8)
        kubectl("label", "cm", "cm-a", "extra=1")
        out, err = watch.communicate(timeout=10)
    finally:
        watch.kill()
    assert watch.returncode == 0, err
    matches(out, "NAME DATA AGE", f"cm-a 1 {AGE}", f"cm-a 1 {AGE}")


# --- workloads --------------------------------------------------------------------------------


def test_deployment_rollout_scale_and_wide_output(kubectl: Kubectl) -> None:
    assert kubectl.apply(DEPLOYMENT) == "deployment.apps/web created\n"
    kubectl("rollout", "status", "deployment/web", "--timeout=20s")
    assert kubectl("wait", "--for=condition=Available", "deployment/web", "--timeout=20s") == \
        "deployment.apps/web condition met\n"
    matches(kubectl("get", "deploy", "web"), "NAME READY UP-TO-DATE AVAILABLE AGE",
            f"web 2/2 2 2 {AGE}")
    matches(kubectl("get", "deploy", "-o", "wide"),
            "NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR",
            f"web 2/2 2 2 {AGE} nginx nginx:1.27 app=web")
    matches(kubectl("get", "rs"), "NAME DESIRED CURRENT READY AGE",
            rf"web-[a-z0-9]+ 2 2 2 {AGE}")
    pods = kubectl("get", "pods", "-o", "wide")
    assert lines(pods)[0] == "NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE " \
                             "READINESS GATES"
    assert all(re.fullmatch(rf"web-[a-z0-9]+-[a-z0-9]{{5}} 1/1 Running 0 {AGE} \S+ \S+ "
                            r"<none> <none>", line) for line in lines(pods)[1:]), pods
    assert len(lines(pods)) == 3
    assert kubectl("scale", "deployment", "web", "--replicas=3") == "deployment.apps/web scaled\n"
    kubectl("rollout", "status", "deployment/web", "--timeout=20s")
    assert kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}") == "3"


def test_rollout_status_reports_success(kubectl: Kubectl) -> None:
    kubectl.apply(DEPLOYMENT)
    out = kubectl("rollout", "status", "deployment/web", "--timeout=20s")
    assert out.strip().endswith('deployment "web" successfully rolled out')


def test_wait_for_job_completion(kubectl: Kubectl) -> None:
    assert kubectl.apply(JOB) == "job.batch/pi created\n"
    assert kubectl("wait", "--for=condition=complete", "job/pi", "--timeout=20s") == \
        "job.batch/pi condition met\n"
    matches(kubectl("get", "jobs"), "NAME STATUS COMPLETIONS DURATION AGE",
            f"pi Complete 1/1 {AGE} {AGE}")


@pytest.mark.parametrize(("cascade", "rs_left"), [("background", 0), ("foreground", 0),
                                                  ("orphan", 1)])
def test_delete_cascade(kubectl: Kubectl, cascade: str, rs_left: int) -> None:
    kubectl.apply(DEPLOYMENT)
    kubectl("rollout", "status", "deployment/web", "--timeout=20s")
    out = kubectl("delete", "deployment", "web", f"--cascade={cascade}", "--timeout=20s")
    assert out == 'deployment.apps "web" deleted\n'
    assert kubectl.run("get", "deployment", "web", check=False).returncode == 1
    deadline = time.monotonic() + 10
    while True:
        left = kubectl("get", "rs", "-o", "name").split()
        if len(left) == rs_left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(left) == rs_left
    if rs_left:
        assert "ownerReferences" not in kubectl.json("get", left[0])["metadata"]
