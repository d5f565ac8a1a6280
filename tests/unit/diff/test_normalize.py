"""Normalisation: server-only fields gone, values spelled as the server stores them."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from gitsync.diff.normalize import KindInfo, normalize

from .conftest import load


def y(text: str) -> Any:
    return yaml.safe_load(text)


CASES = [
    ("server-metadata-and-status-dropped", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          uid: u
          resourceVersion: "1"
          generation: 2
          creationTimestamp: "2024-01-01T00:00:00Z"
          selfLink: /api/v1/x
          deletionTimestamp: "2024-01-02T00:00:00Z"
          deletionGracePeriodSeconds: 30
          managedFields: [{manager: x}]
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: "{}"
        data: {a: b}
        status: {phase: Active}
        """, """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
        data: {a: b}
        """),
    ("secret-stringdata-to-base64-data", """
        apiVersion: v1
        kind: Secret
        metadata: {name: s}
        stringData: {user: admin, empty: null}
        data: {token: dG9rZW4=, nothing: null}
        """, """
        apiVersion: v1
        kind: Secret
        metadata: {name: s}
        data: {user: YWRtaW4=, empty: "", token: dG9rZW4=, nothing: ""}
        """),
    ("stringdata-wins-over-data", """
        apiVersion: v1
        kind: Secret
        metadata: {name: s}
        stringData: {k: new}
        data: {k: b2xk}
        """, """
        apiVersion: v1
        kind: Secret
        metadata: {name: s}
        data: {k: bmV3}
        """),
    ("not-a-core-secret", """
        apiVersion: example.com/v1
        kind: Secret
        metadata: {name: s}
        stringData: {k: v}
        """, """
        apiVersion: example.com/v1
        kind: Secret
        metadata: {name: s}
        stringData: {k: v}
        """),
    ("empty-maps-lists-and-nulls-are-absent", """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c, labels: {}, annotations: {}, finalizers: []}
        data: {a: null}
        binaryData: {}
        """, """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
        """),
    ("emptydir-is-not-absent", """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers: [{name: c, image: i, resources: {}}]
          volumes: [{name: cache, emptyDir: {}}]
        """, """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers: [{name: c, image: i}]
          volumes: [{name: cache, emptyDir: {}}]
        """),
    ("quantities-in-pod-template", """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          template:
            spec:
              containers:
              - name: c
                resources:
                  limits: {cpu: 0.5, memory: 1024Mi, nvidia.com/gpu: 1}
                  requests: {cpu: "1000m", memory: 0.5Gi}
              initContainers:
              - {name: i, resources: {limits: {cpu: "2000m"}}}
              volumes: [{name: v, emptyDir: {sizeLimit: 1024Ki}}]
        """, """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          template:
            spec:
              containers:
              - name: c
                resources:
                  limits: {cpu: 500m, memory: 1Gi, nvidia.com/gpu: "1"}
                  requests: {cpu: "1", memory: 512Mi}
              initContainers:
              - {name: i, resources: {limits: {cpu: "2"}}}
              volumes: [{name: v, emptyDir: {sizeLimit: 1Mi}}]
        """),
    ("quantities-in-cronjob-template", """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: j}
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  containers: [{name: c, resources: {requests: {memory: 2048Mi}}}]
        """, """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: j}
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  containers: [{name: c, resources: {requests: {memory: 2Gi}}}]
        """),
    ("quantities-in-claim-and-quota", """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        spec: {resources: {requests: {storage: 10240Mi}}}
        """, """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        spec: {resources: {requests: {storage: 10Gi}}}
        """),
    ("quantities-only-where-the-kind-has-them", """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
        data: {limit: "1024Mi"}
        """, """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
        data: {limit: "1024Mi"}
        """),
    ("container-port-protocol-defaults-to-tcp", """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}]}]
        """, """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: c
            ports: [{containerPort: 80, protocol: TCP}, {containerPort: 53, protocol: UDP}]
        """),
    ("service-port-protocol-defaults-to-tcp", """
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec: {ports: [{port: 80}]}
        """, """
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec: {ports: [{port: 80, protocol: TCP}]}
        """),
    ("endpoints-sorted-with-tcp-default", """
        apiVersion: v1
        kind: Endpoints
        metadata: {name: e}
        subsets:
        - addresses: [{ip: 10.0.0.2}, {ip: 10.0.0.1}]
          ports: [{port: 80}]
        """, """
        apiVersion: v1
        kind: Endpoints
        metadata: {name: e}
        subsets:
        - addresses: [{ip: 10.0.0.1}, {ip: 10.0.0.2}]
          ports: [{port: 80, protocol: TCP}]
        """),
    ("role-empty-rules-are-absent", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: r}
        rules: []
        """, """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: r}
        """),
]


@pytest.mark.parametrize(("given", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_normalize(given: str, want: str) -> None:
    assert normalize(y(given)) == y(want)


def test_durations_and_quantities_of_a_custom_kind() -> None:
    info = KindInfo(quantities=("spec.size",), durations=("spec.duration", "spec.steps[].wait"))
    obj = y("""
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata: {name: c}
        spec: {size: 2048Mi, duration: 2160h0m0s, steps: [{wait: 90s}, {wait: 1h}]}
        """)
    assert normalize(obj, kind_info=info)["spec"] == {
        "size": "2Gi", "duration": "2160h0m0s", "steps": [{"wait": "1m30s"}, {"wait": "1h0m0s"}]}


def test_normalize_does_not_touch_its_input() -> None:
    live = load("deployment-live")
    before = load("deployment-live")
    normalize(live)
    assert live == before
