"""Defaulting as kube-apiserver v1.34 does it: objects read back as from a real cluster.

Each case is what a client sends and what ``kubectl get -o yaml`` shows afterwards, less the
system metadata (uid, resourceVersion, creationTimestamp, managedFields) other modules set.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
import yaml

from gitsync.sandbox.defaults import apply_defaults, default_from_schema
from gitsync.sandbox.defaults_pods import image_pull_policy
from gitsync.sandbox.schema import GVK, Node, SchemaRegistry, builtin_registry
from gitsync.sandbox.validation import check_schema, validate

UID = "6b0f5c1e-3c1d-4b8e-9a36-5d2c1f0e7a01"


def y(text: str) -> dict[str, Any]:
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


@cache
def registry() -> SchemaRegistry:
    return builtin_registry()


def root(gvk: GVK) -> Node:
    node = registry().root(gvk)
    assert node is not None
    return node


def allocators() -> tuple[Callable[[str], str], Callable[[], int]]:
    ips = (f"10.96.{n // 256}.{n % 256}" for n in itertools.count(10))
    ports = itertools.count(30080)
    return (lambda family: next(ips)), (lambda: next(ports))


def write(gvk: GVK, text: str, old: dict[str, Any] | None = None) -> dict[str, Any]:
    """Decode, default and validate like a create (or an update of ``old``) on a real server."""
    obj = y(text)
    meta = obj.setdefault("metadata", {})
    meta["uid"] = UID
    if old is not None:
        old = copy.deepcopy(old)
        old["metadata"]["uid"] = UID
    report = check_schema(obj, root(gvk))
    assert report.message(gvk) is None
    ip, port = allocators()
    apply_defaults(gvk, obj, root(gvk), old=old, allocate_ip=ip, allocate_node_port=port)
    assert validate(gvk, obj, old) == []
    obj["metadata"].pop("uid")
    return obj


# ``kubectl create deployment nginx --image=nginx`` sends this (kubectl v1.34) ...
KUBECTL_CREATE_DEPLOYMENT = """
kind: Deployment
apiVersion: apps/v1
metadata:
  name: nginx
  namespace: default
  creationTimestamp: null
  labels: {app: nginx}
spec:
  replicas: 1
  selector:
    matchLabels: {app: nginx}
  template:
    metadata:
      creationTimestamp: null
      labels: {app: nginx}
    spec:
      containers:
      - name: nginx
        image: nginx
        resources: {}
  strategy: {}
status: {}
"""

# ... and ``kubectl get deployment nginx -o yaml`` on a v1.34 cluster shows this.
KUBECTL_GET_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: nginx
  name: nginx
  namespace: default
spec:
  progressDeadlineSeconds: 600
  replicas: 1
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: nginx
  strategy:
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 25%
    type: RollingUpdate
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - image: nginx
        imagePullPolicy: Always
        name: nginx
        resources: {}
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
status: {}
"""


def test_kubectl_create_deployment_reads_back_as_on_a_real_cluster() -> None:
    assert write(GVK("apps", "v1", "Deployment"), KUBECTL_CREATE_DEPLOYMENT) == \
        y(KUBECTL_GET_DEPLOYMENT)


POD_SPEC_DEFAULTS = """
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
"""
CONTAINER_DEFAULTS = """
        resources: {}
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
"""


def _with_pod_defaults(text: str) -> str:
    return text.replace("      #POD\n", POD_SPEC_DEFAULTS.lstrip("\n")).replace(
        "        #CONTAINER\n", CONTAINER_DEFAULTS.lstrip("\n"))


KIND_CASES: list[tuple[str, GVK, str, str]] = [
    ("replicaset", GVK("apps", "v1", "ReplicaSet"), """
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: 'nginx:1.27'}]}
""", """
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        imagePullPolicy: IfNotPresent
        #CONTAINER
      #POD
status: {replicas: 0}
"""),
    ("daemonset", GVK("apps", "v1", "DaemonSet"), """
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: 'agent@sha256:0123'}]}
""", """
metadata: {name: agent, namespace: default}
spec:
  revisionHistoryLimit: 10
  selector: {matchLabels: {app: agent}}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 0, maxUnavailable: 1}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: agent
        image: agent@sha256:0123
        imagePullPolicy: IfNotPresent
        #CONTAINER
      #POD
status: {currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0,
         numberReady: 0}
"""),
    ("statefulset", GVK("apps", "v1", "StatefulSet"), """
metadata: {name: db, namespace: default}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: 'postgres:17'}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1024Mi}}
""", """
metadata: {name: db, namespace: default}
spec:
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Retain}
  podManagementPolicy: OrderedReady
  replicas: 1
  revisionHistoryLimit: 10
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres:17
        imagePullPolicy: IfNotPresent
        #CONTAINER
      #POD
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {partition: 0}
  volumeClaimTemplates:
  - apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
      volumeMode: Filesystem
    status: {phase: Pending}
status: {availableReplicas: 0, replicas: 0}
"""),
    ("job-generated-selector", GVK("batch", "v1", "Job"), """
metadata: {name: pi, namespace: default}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: pi, image: 'perl:5.34', command: [perl]}]
""", f"""
metadata:
  name: pi
  namespace: default
  labels:
    batch.kubernetes.io/controller-uid: {UID}
    batch.kubernetes.io/job-name: pi
    controller-uid: {UID}
    job-name: pi
spec:
  backoffLimit: 6
  completionMode: NonIndexed
  completions: 1
  parallelism: 1
  podReplacementPolicy: TerminatingOrFailed
  selector:
    matchLabels: {{batch.kubernetes.io/controller-uid: {UID}}}
  suspend: false
  template:
    metadata:
      labels:
        batch.kubernetes.io/controller-uid: {UID}
        batch.kubernetes.io/job-name: pi
        controller-uid: {UID}
        job-name: pi
    spec:
      containers:
      - name: pi
        image: perl:5.34
        command: [perl]
        imagePullPolicy: IfNotPresent
        #CONTAINER
      dnsPolicy: ClusterFirst
      restartPolicy: Never
      schedulerName: default-scheduler
      securityContext: {{}}
      terminationGracePeriodSeconds: 30
status: {{}}
"""),
    ("cronjob", GVK("batch", "v1", "CronJob"), """
metadata: {name: nightly, namespace: default}
spec:
  schedule: '0 3 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: backup, image: 'backup:2'}]
""", """
metadata: {name: nightly, namespace: default}
spec:
  concurrencyPolicy: Allow
  failedJobsHistoryLimit: 1
  schedule: '0 3 * * *'
  successfulJobsHistoryLimit: 3
  suspend: false
  jobTemplate:
    metadata: {}
    spec:
      template:
        metadata: {}
        spec:
          containers:
          - name: backup
            image: backup:2
            imagePullPolicy: IfNotPresent
            resources: {}
            terminationMessagePath: /dev/termination-log
            terminationMessagePolicy: File
          dnsPolicy: ClusterFirst
          restartPolicy: OnFailure
          schedulerName: default-scheduler
          securityContext: {}
          terminationGracePeriodSeconds: 30
status: {}
"""),
    ("service-cluster-ip", GVK("", "v1", "Service"), """
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}, {name: dns, port: 53, protocol: UDP}]
""", """
metadata: {name: web, namespace: default}
spec:
  clusterIP: 10.96.0.10
  clusterIPs: [10.96.0.10]
  internalTrafficPolicy: Cluster
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  ports:
  - {name: http, port: 80, protocol: TCP, targetPort: http}
  - {name: dns, port: 53, protocol: UDP, targetPort: 53}
  selector: {app: web}
  sessionAffinity: None
  type: ClusterIP
status: {loadBalancer: {}}
"""),
    ("service-load-balancer", GVK("", "v1", "Service"), """
metadata: {name: edge, namespace: default}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  sessionAffinity: ClientIP
  selector: {app: edge}
  ports: [{port: 443}]
""", """
metadata: {name: edge, namespace: default}
spec:
  allocateLoadBalancerNodePorts: true
  clusterIP: 10.96.0.10
  clusterIPs: [10.96.0.10]
  externalTrafficPolicy: Local
  healthCheckNodePort: 30081
  internalTrafficPolicy: Cluster
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  ports: [{nodePort: 30080, port: 443, protocol: TCP, targetPort: 443}]
  selector: {app: edge}
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 10800}}
  type: LoadBalancer
status: {loadBalancer: {}}
"""),
    ("service-headless", GVK("", "v1", "Service"), """
metadata: {name: db, namespace: default}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
""", """
metadata: {name: db, namespace: default}
spec:
  clusterIP: None
  clusterIPs: [None]
  internalTrafficPolicy: Cluster
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  ports: [{port: 5432, protocol: TCP, targetPort: 5432}]
  selector: {app: db}
  sessionAffinity: None
  type: ClusterIP
status: {loadBalancer: {}}
"""),
    ("service-headless-selectorless", GVK("", "v1", "Service"), """
metadata: {name: ext, namespace: default}
spec: {clusterIP: None, ports: [{port: 80}]}
""", """
metadata: {name: ext, namespace: default}
spec:
  clusterIP: None
  clusterIPs: [None]
  internalTrafficPolicy: Cluster
  ipFamilies: [IPv4, IPv6]
  ipFamilyPolicy: RequireDualStack
  ports: [{port: 80, protocol: TCP, targetPort: 80}]
  sessionAffinity: None
  type: ClusterIP
status: {loadBalancer: {}}
"""),
    ("service-external-name", GVK("", "v1", "Service"), """
metadata: {name: db, namespace: default}
spec: {type: ExternalName, externalName: db.example.com}
""", """
metadata: {name: db, namespace: default}
spec: {type: ExternalName, externalName: db.example.com, sessionAffinity: None}
status: {loadBalancer: {}}
"""),
    ("secret-string-data", GVK("", "v1", "Secret"), """
metadata: {name: creds, namespace: default}
stringData: {password: s3cret}
data: {user: YWRtaW4=}
""", """
metadata: {name: creds, namespace: default}
data: {user: YWRtaW4=, password: czNjcmV0}
type: Opaque
"""),
    ("configmap-untouched", GVK("", "v1", "ConfigMap"), """
metadata: {name: cfg, namespace: default}
data: {a: '1'}
""", """
metadata: {name: cfg, namespace: default}
data: {a: '1'}
"""),
    ("pvc", GVK("", "v1", "PersistentVolumeClaim"), """
metadata: {name: data, namespace: default}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 0.5Gi}}}
""", """
metadata: {name: data, namespace: default}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 512Mi}}
  volumeMode: Filesystem
status: {phase: Pending}
"""),
    ("namespace", GVK("", "v1", "Namespace"), """
metadata: {name: team-a, labels: {owner: a}}
""", """
metadata:
  name: team-a
  labels: {owner: a, kubernetes.io/metadata.name: team-a}
spec: {finalizers: [kubernetes]}
status: {phase: Active}
"""),
    ("network-policy", GVK("networking.k8s.io", "v1", "NetworkPolicy"), """
metadata: {name: np, namespace: default}
spec:
  podSelector: {}
  ingress: [{ports: [{port: 80}]}]
  egress: [{ports: [{port: 53, protocol: UDP}]}]
""", """
metadata: {name: np, namespace: default}
spec:
  podSelector: {}
  ingress: [{ports: [{port: 80, protocol: TCP}]}]
  egress: [{ports: [{port: 53, protocol: UDP}]}]
  policyTypes: [Ingress, Egress]
"""),
    ("ingress", GVK("networking.k8s.io", "v1", "Ingress"), """
metadata: {name: web, namespace: default}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
""", """
metadata: {name: web, namespace: default}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
status: {loadBalancer: {}}
"""),
    ("pod-disruption-budget", GVK("policy", "v1", "PodDisruptionBudget"), """
metadata: {name: web, namespace: default}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
""", """
metadata: {name: web, namespace: default}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
status: {currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0}
"""),
    ("hpa", GVK("autoscaling", "v2", "HorizontalPodAutoscaler"), """
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
  behavior: {scaleDown: {stabilizationWindowSeconds: 60}}
""", """
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
  minReplicas: 1
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 60
      selectPolicy: Max
      policies: [{type: Percent, value: 100, periodSeconds: 15}]
    scaleUp:
      stabilizationWindowSeconds: 0
      selectPolicy: Max
      policies: [{type: Pods, value: 4, periodSeconds: 15},
                 {type: Percent, value: 100, periodSeconds: 15}]
status: {desiredReplicas: 0}
"""),
    ("rolebinding", GVK("rbac.authorization.k8s.io", "v1", "RoleBinding"), """
metadata: {name: view, namespace: default}
roleRef: {kind: ClusterRole, name: view}
subjects: [{kind: User, name: alice}, {kind: ServiceAccount, name: ci, namespace: default}]
""", """
metadata: {name: view, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
- {kind: ServiceAccount, name: ci, namespace: default}
"""),
    ("storage-class", GVK("storage.k8s.io", "v1", "StorageClass"), """
metadata: {name: fast}
provisioner: example.com/disk
""", """
metadata: {name: fast}
provisioner: example.com/disk
reclaimPolicy: Delete
volumeBindingMode: Immediate
"""),
    ("priority-class", GVK("scheduling.k8s.io", "v1", "PriorityClass"), """
metadata: {name: high}
value: 1000
""", """
metadata: {name: high}
value: 1000
preemptionPolicy: PreemptLowerPriority
"""),
    ("custom-resource-definition", GVK("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
     """
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object}}
""", """
metadata: {name: widgets.example.com}
spec:
  conversion: {strategy: None}
  group: example.com
  scope: Namespaced
  names: {plural: widgets, kind: Widget, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object}}
status:
  acceptedNames: {kind: '', plural: ''}
  storedVersions: [v1]
"""),
]


@pytest.mark.parametrize(("gvk", "sent", "stored"), [c[1:] for c in KIND_CASES],
                         ids=[c[0] for c in KIND_CASES])
def test_defaults_per_kind(gvk: GVK, sent: str, stored: str) -> None:
    assert write(gvk, sent) == y(_with_pod_defaults(stored))


CONTAINER_CASES = [
    ("ports-env-probes", {
        "name": "c", "image": "registry:5000/app:latest",
        "ports": [{"containerPort": 8080}],
        "env": [{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "livenessProbe": {"httpGet": {"port": 8080}},
        "readinessProbe": {"grpc": {"port": 9090}, "periodSeconds": 5},
        "lifecycle": {"preStop": {"httpGet": {"port": 8080, "path": "/stop"}}},
    }, {
        "name": "c", "image": "registry:5000/app:latest", "imagePullPolicy": "Always",
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
        "env": [{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name",
                                                            "apiVersion": "v1"}}}],
        "livenessProbe": {"httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"},
                          "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1,
                          "failureThreshold": 3},
        "readinessProbe": {"grpc": {"port": 9090, "service": ""}, "periodSeconds": 5,
                           "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
        "lifecycle": {"preStop": {"httpGet": {"port": 8080, "path": "/stop",
                                              "scheme": "HTTP"}}},
        "resources": {}, "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }),
    ("resources-rounded", {
        "name": "c", "image": "app:1",
        "resources": {"requests": {"cpu": "0.0001", "memory": 1000},
                      "limits": {"cpu": 2, "memory": "2048Mi"}},
    }, {
        "name": "c", "image": "app:1", "imagePullPolicy": "IfNotPresent",
        "resources": {"requests": {"cpu": "1m", "memory": "1k"},
                      "limits": {"cpu": "2", "memory": "2Gi"}},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
    }),
]


@pytest.mark.parametrize(("sent", "stored"), [c[1:] for c in CONTAINER_CASES],
                         ids=[c[0] for c in CONTAINER_CASES])
def test_container_defaults(sent: dict[str, Any], stored: dict[str, Any]) -> None:
    obj = y(KUBECTL_CREATE_DEPLOYMENT)
    obj["spec"]["template"]["spec"]["containers"] = [sent]
    gvk = GVK("apps", "v1", "Deployment")
    check_schema(obj, root(gvk))
    apply_defaults(gvk, obj, root(gvk))
    assert obj["spec"]["template"]["spec"]["containers"] == [stored]


VOLUMES_SENT = """
- {name: scratch}
- {name: cfg, configMap: {name: cfg}}
- {name: creds, secret: {secretName: creds, defaultMode: 256}}
- {name: host, hostPath: {path: /var/log}}
- name: token
  projected:
    sources:
    - serviceAccountToken: {path: token}
    - downwardAPI: {items: [{path: name, fieldRef: {fieldPath: metadata.name}}]}
- name: cache
  ephemeral:
    volumeClaimTemplate:
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""
VOLUMES_STORED = """
- {name: scratch, emptyDir: {}}
- {name: cfg, configMap: {name: cfg, defaultMode: 420}}
- {name: creds, secret: {secretName: creds, defaultMode: 256}}
- {name: host, hostPath: {path: /var/log, type: ''}}
- name: token
  projected:
    defaultMode: 420
    sources:
    - serviceAccountToken: {path: token, expirationSeconds: 3600}
    - downwardAPI:
        items: [{path: name, fieldRef: {fieldPath: metadata.name, apiVersion: v1}}]
- name: cache
  ephemeral:
    volumeClaimTemplate:
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
        volumeMode: Filesystem
"""


def test_volume_defaults() -> None:
    obj = y(KUBECTL_CREATE_DEPLOYMENT)
    obj["spec"]["template"]["spec"]["volumes"] = yaml.safe_load(VOLUMES_SENT)
    gvk = GVK("apps", "v1", "Deployment")
    check_schema(obj, root(gvk))
    apply_defaults(gvk, obj, root(gvk))
    assert obj["spec"]["template"]["spec"]["volumes"] == yaml.safe_load(VOLUMES_STORED)


@pytest.mark.parametrize(("image", "policy"), [
    ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent"),
    ("localhost:5000/app", "Always"), ("localhost:5000/app:v2", "IfNotPresent"),
    ("app@sha256:abcd", "IfNotPresent"), ("app:latest@sha256:abcd", "Always"),
], ids=["bare", "latest", "tag", "registry-port", "registry-port-tag", "digest",
        "latest-digest"])
def test_image_pull_policy(image: str, policy: str) -> None:
    assert image_pull_policy(image) == policy


def test_pod_gets_pod_only_defaults() -> None:
    pod = write(GVK("", "v1", "Pod"), """
metadata: {name: p, namespace: default}
spec:
  containers: [{name: c, image: 'app:1', resources: {limits: {cpu: 500m}}}]
""")
    spec = pod["spec"]
    assert spec["enableServiceLinks"] is True
    assert spec["containers"][0]["resources"] == {"limits": {"cpu": "500m"},
                                                  "requests": {"cpu": "500m"}}


# -- updates ------------------------------------------------------------------------------------

def test_service_update_keeps_what_was_allocated() -> None:
    gvk = GVK("", "v1", "Service")
    sent = "metadata: {name: web, namespace: default}\n" \
           "spec: {type: NodePort, selector: {app: web}, ports: [{name: http, port: 80}]}"
    live = write(gvk, sent)
    again = write(gvk, sent, old=live)
    assert again["spec"]["clusterIP"] == live["spec"]["clusterIP"] == "10.96.0.10"
    assert again["spec"]["ports"][0]["nodePort"] == live["spec"]["ports"][0]["nodePort"] == 30080


def test_status_is_reset_on_create_and_kept_on_update() -> None:
    gvk = GVK("apps", "v1", "Deployment")
    sent = y(KUBECTL_CREATE_DEPLOYMENT)
    sent["status"] = {"replicas": 3}
    live = write(gvk, yaml.safe_dump(sent))
    assert live["status"] == {}
    live["status"] = {"replicas": 1, "readyReplicas": 1}
    again = write(gvk, yaml.safe_dump(sent), old=copy.deepcopy(live))
    assert again["status"] == {"replicas": 1, "readyReplicas": 1}


def test_namespace_finalizers_are_kept_on_update() -> None:
    gvk = GVK("", "v1", "Namespace")
    live = write(gvk, "metadata: {name: team-b}")
    again = write(gvk, "metadata: {name: team-b}\nspec: {}", old=live)
    assert again["spec"] == {"finalizers": ["kubernetes"]}


# -- custom resources ---------------------------------------------------------------------------

CR_SCHEMA = """
type: object
properties:
  spec:
    type: object
    default: {}
    properties:
      replicas: {type: integer, default: 1}
      mode: {type: string, default: safe}
      backup:
        type: object
        default: {enabled: false}
        properties:
          enabled: {type: boolean}
          schedule: {type: string, default: '@daily'}
      ports:
        type: array
        items:
          type: object
          properties:
            port: {type: integer}
            protocol: {type: string, default: TCP}
      limits:
        type: object
        additionalProperties:
          type: object
          properties:
            max: {type: integer, default: 10}
"""

CR_CASES = [
    ("empty", {}, {"spec": {"replicas": 1, "mode": "safe",
                            "backup": {"enabled": False, "schedule": "@daily"}}}),
    ("kept", {"spec": {"replicas": 3, "backup": {"enabled": True}}},
     {"spec": {"replicas": 3, "mode": "safe", "backup": {"enabled": True, "schedule": "@daily"}}}),
    ("arrays-and-maps", {"spec": {"ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}],
                                  "limits": {"cpu": {}}}},
     {"spec": {"replicas": 1, "mode": "safe", "backup": {"enabled": False, "schedule": "@daily"},
               "ports": [{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}],
               "limits": {"cpu": {"max": 10}}}}),
]


@pytest.mark.parametrize(("sent", "stored"), [c[1:] for c in CR_CASES],
                         ids=[c[0] for c in CR_CASES])
def test_custom_resource_schema_defaults(sent: dict[str, Any], stored: dict[str, Any]) -> None:
    reg = builtin_registry()
    gvk = GVK("example.com", "v1", "Widget")
    reg.register_custom(gvk, y(CR_SCHEMA))
    node = reg.root(gvk)
    assert node is not None
    obj = copy.deepcopy(sent)
    apply_defaults(gvk, obj, node)
    assert obj == stored


def test_null_values_with_defaults_are_pruned_then_defaulted() -> None:
    reg = builtin_registry()
    gvk = GVK("example.com", "v1", "Widget")
    reg.register_custom(gvk, y(CR_SCHEMA))
    node = reg.root(gvk)
    assert node is not None
    obj: dict[str, Any] = {"spec": {"mode": None}}
    assert check_schema(obj, node, custom=True).causes == []
    default_from_schema(obj, node)
    assert obj["spec"]["mode"] == "safe"
