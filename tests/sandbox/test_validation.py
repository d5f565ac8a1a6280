"""Validation answers as kube-apiserver v1.34 answers: names, decoding, semantic checks.

Expected messages are the ones a real server returns (``kubectl`` prints them after the field
path); objects go through decoding and defaulting first, as they do on a real server.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
import yaml

from gitsync.sandbox.defaults import apply_defaults
from gitsync.sandbox.errors import Cause, invalid
from gitsync.sandbox.schema import GVK, Node, SchemaRegistry, builtin_registry
from gitsync.sandbox.schemacheck import base64_error
from gitsync.sandbox.validation import check_schema, duplicate_fields, validate, validate_name

DEPLOY = GVK("apps", "v1", "Deployment")
STS = GVK("apps", "v1", "StatefulSet")
DS = GVK("apps", "v1", "DaemonSet")
JOB = GVK("batch", "v1", "Job")
CRONJOB = GVK("batch", "v1", "CronJob")
SVC = GVK("", "v1", "Service")
CM = GVK("", "v1", "ConfigMap")
SECRET = GVK("", "v1", "Secret")
PVC = GVK("", "v1", "PersistentVolumeClaim")
RB = GVK("rbac.authorization.k8s.io", "v1", "RoleBinding")
ROLE = GVK("rbac.authorization.k8s.io", "v1", "Role")
ING = GVK("networking.k8s.io", "v1", "Ingress")
HPA = GVK("autoscaling", "v2", "HorizontalPodAutoscaler")
WIDGET = GVK("example.com", "v1", "Widget")

DNS1123_SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
DNS1123_LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_LABEL = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
LABEL_VALUE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
QUALIFIED_NAME = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
    "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
CONFIG_KEY = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
    "'[-._a-zA-Z0-9]+')")
MISMATCH = "`selector` does not match template `labels`"

REQ, INV, NS, DUP, FORB = ("FieldValueRequired", "FieldValueInvalid", "FieldValueNotSupported",
                           "FieldValueDuplicate", "FieldValueForbidden")


def y(text: str) -> dict[str, Any]:
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


@cache
def registry() -> SchemaRegistry:
    reg = builtin_registry()
    reg.register_custom(WIDGET, y(WIDGET_SCHEMA))
    return reg


def root(gvk: GVK) -> Node:
    node = registry().root(gvk)
    assert node is not None
    return node


def decoded(gvk: GVK, text: str, *, uid: str = "") -> dict[str, Any]:
    """What the server validates: the decoded, defaulted object."""
    obj = y(text)
    obj.setdefault("apiVersion", gvk.api_version)
    obj.setdefault("kind", gvk.kind)
    meta = obj.setdefault("metadata", {})
    if gvk.kind not in ("Namespace", "ClusterRole", "ClusterRoleBinding"):
        meta.setdefault("namespace", "default")
    if uid:
        meta["uid"] = uid
    report = check_schema(obj, root(gvk))
    assert report.message(gvk) is None
    apply_defaults(gvk, obj, root(gvk))
    return obj


def causes(*items: tuple[str, str, str]) -> list[Cause]:
    return [Cause(reason, message, fld) for reason, message, fld in items]


DEPLOYMENT = """
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
"""


def deployment(**patch: Any) -> str:
    obj = y(DEPLOYMENT)
    for path, value in patch.items():
        node = obj
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if isinstance(node, list) else node.setdefault(k, {})
        if value is _DELETE:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
    return yaml.safe_dump(obj)


_DELETE = object()


def _set(obj: Any, path: str, value: Any) -> Any:
    node = obj
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    node[keys[-1]] = value
    return obj
TEMPLATE = "spec__template__spec__"

# -- validate_name -------------------------------------------------------------------------------

NAME_CASES = [
    ("deployment-ok", "deployments", "apps", "web.v1", []),
    ("deployment-upper", "deployments", "apps", "Web", [DNS1123_SUBDOMAIN]),
    ("deployment-too-long", "deployments", "apps", "a" * 254,
     ["must be no more than 253 characters"]),
    ("service-dns1035", "services", "", "1web", [DNS1035_LABEL]),
    ("service-dots", "services", "", "web.v1", [DNS1035_LABEL]),
    ("namespace-dots", "namespaces", "", "team.a", ["must not contain dots"]),
    ("namespace-long", "namespaces", "", "n" * 64, ["must be no more than 63 characters"]),
    ("statefulset-label", "statefulsets", "apps", "db.primary", ["must not contain dots"]),
    ("configmap-subdomain", "configmaps", "", "app.config", []),
    ("rbac-colon-ok", "clusterroles", "rbac.authorization.k8s.io", "system:controller:x", []),
    ("rbac-slash", "roles", "rbac.authorization.k8s.io", "a/b%c",
     ["may not contain '/'", "may not contain '%'"]),
    ("rbac-dotdot", "rolebindings", "rbac.authorization.k8s.io", "..", ["may not be '..'"]),
    ("custom-resource", "widgets", "example.com", "My_Widget", [DNS1123_SUBDOMAIN]),
]


@pytest.mark.parametrize(("resource", "group", "name", "expected"),
                         [c[1:] for c in NAME_CASES], ids=[c[0] for c in NAME_CASES])
def test_validate_name(resource: str, group: str, name: str, expected: list[str]) -> None:
    assert validate_name(resource, group, name) == expected


def test_generate_name_prefix_may_end_with_dash() -> None:
    assert validate_name("pods", "", "web-", prefix=True) == []
    assert validate_name("pods", "", "web-") == [DNS1123_SUBDOMAIN]


# -- check_schema: decoding ----------------------------------------------------------------------

DECODE_CASES = [
    ("replicas-string", DEPLOY, deployment(spec__replicas="3"),
     "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type "
     "int32"),
    ("replicas-fraction", DEPLOY, deployment(spec__replicas=1.5),
     "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of "
     "type int32"),
    ("label-number", DEPLOY, deployment(metadata__labels={"version": 2}),
     "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type "
     "string"),
    ("containers-object", DEPLOY, deployment(**{TEMPLATE + "containers": {"name": "x"}}),
     "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers "
     "of type []v1.Container"),
    ("image-bool", DEPLOY, deployment(**{TEMPLATE + "containers__0__image": True}),
     "json: cannot unmarshal bool into Go struct field Container.spec.template.spec.containers."
     "image of type string"),
    ("bad-quantity", DEPLOY,
     deployment(**{TEMPLATE + "containers__0__resources": {"limits": {"cpu": "one"}}}),
     "quantities must match the regular expression "
     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("secret-base64", SECRET, "metadata: {name: s}\ndata: {key: 'abc$'}",
     "illegal base64 data at input byte 3"),
]


@pytest.mark.parametrize(("gvk", "text", "error"), [c[1:] for c in DECODE_CASES],
                         ids=[c[0] for c in DECODE_CASES])
def test_type_errors_fail_decoding(gvk: GVK, text: str, error: str) -> None:
    report = check_schema(y(text), root(gvk), mode="Ignore")
    assert report.message(gvk) == (f'{gvk.kind} in version "v1" cannot be handled as a '
                                   f"{gvk.kind}: {error}")
    err = report.error(gvk)
    assert err is not None and err.code == 400 and err.reason == "BadRequest"


UNKNOWN = deployment(spec__paused2=True, **{TEMPLATE + "containers__0__imagePolicy": "x"})


@pytest.mark.parametrize(("mode", "message", "warnings"), [
    ("Strict", 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding '
               'error: unknown field "spec.paused2", unknown field '
               '"spec.template.spec.containers[0].imagePolicy"', []),
    ("Warn", None, ['unknown field "spec.paused2"',
                    'unknown field "spec.template.spec.containers[0].imagePolicy"']),
    ("Ignore", None, []),
], ids=["strict", "warn", "ignore"])
def test_unknown_fields_follow_field_validation(mode: str, message: str | None,
                                                warnings: list[str]) -> None:
    obj = y(UNKNOWN)
    report = check_schema(obj, root(DEPLOY), mode=mode)
    assert report.message(DEPLOY) == message
    assert report.warnings == warnings
    assert "paused2" not in obj["spec"]
    assert "imagePolicy" not in obj["spec"]["template"]["spec"]["containers"][0]


def test_duplicate_fields_come_from_the_body() -> None:
    body = '{"metadata": {"name": "a", "name": "b"}, "spec": {"replicas": 1, "replicas": 2}}'
    dups = duplicate_fields(body)
    assert dups == ["metadata.name", "spec.replicas"]
    report = check_schema(y(DEPLOYMENT), root(DEPLOY), mode="Warn", duplicates=dups)
    assert report.warnings == ['duplicate field "metadata.name"', 'duplicate field "spec.replicas"']


def test_quantities_come_back_canonical() -> None:
    obj = y(deployment(**{TEMPLATE + "containers__0__resources": {
        "requests": {"cpu": 0.5, "memory": "1024Mi"}, "limits": {"cpu": "1000m",
                                                               "memory": "1.5Gi"}}}))
    check_schema(obj, root(DEPLOY))
    res = obj["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert res == {"requests": {"cpu": "500m", "memory": "1Gi"},
                   "limits": {"cpu": "1", "memory": "1536Mi"}}


@pytest.mark.parametrize(("text", "error"), [
    ("YWJj", None), ("YWI=", None), ("YQ==", None), ("YWJj\nZGVm", None),
    ("abc", "illegal base64 data at input byte 0"),
    ("a=bc", "illegal base64 data at input byte 1"),
    ("YQ=", "illegal base64 data at input byte 3"),
    ("YWJjZA==x", "illegal base64 data at input byte 8"),
], ids=["plain", "pad1", "pad2", "newline", "short", "early-pad", "half-pad", "trailing"])
def test_base64_errors_as_go_reports_them(text: str, error: str | None) -> None:
    assert base64_error(text) == error


# -- check_schema: custom resources --------------------------------------------------------------

WIDGET_SCHEMA = """
type: object
properties:
  spec:
    type: object
    required: [size]
    properties:
      size: {type: integer, minimum: 1, maximum: 10}
      mode: {type: string, enum: [fast, safe], default: safe}
      name: {type: string, maxLength: 5, pattern: '^[a-z]+$'}
      tags: {type: array, maxItems: 2, items: {type: string}}
      extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
      port: {x-kubernetes-int-or-string: true}
"""

CR_CASES = [
    ("type", "spec: {size: big}", causes((
        "FieldValueTypeInvalid",
        'Invalid value: "string": spec.size in body must be of type integer: "string"',
        "spec.size"))),
    ("enum", "spec: {size: 1, mode: slow}", causes((
        NS, 'Unsupported value: "slow": supported values: "fast", "safe"', "spec.mode"))),
    ("required", "spec: {mode: fast}", causes((REQ, "Required value", "spec.size"))),
    ("maximum", "spec: {size: 11}", causes((
        INV, "Invalid value: 11: spec.size in body should be less than or equal to 10",
        "spec.size"))),
    ("max-length-and-pattern", "spec: {size: 1, name: Abcdef}", causes(
        ("FieldValueTooLong", "Too long: may not be more than 5 bytes", "spec.name"),
        (INV, "Invalid value: \"Abcdef\": spec.name in body should match '^[a-z]+$'",
         "spec.name"))),
    ("max-items", "spec: {size: 1, tags: [a, b, c]}", causes((
        "FieldValueTooMany", "Too many: 3: must have at most 2 items", "spec.tags"))),
    ("int-or-string", "spec: {size: 1, port: http}", []),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CR_CASES],
                         ids=[c[0] for c in CR_CASES])
def test_custom_resource_schema_causes(text: str, expected: list[Cause]) -> None:
    report = check_schema(y(text), root(WIDGET), custom=True)
    assert report.causes == expected
    assert report.message(WIDGET) is None


def test_custom_resources_are_pruned_unless_preserved() -> None:
    obj = y("spec: {size: 1, colour: red, extra: {anything: [1, 2]}}\nstatus: {ok: true}")
    report = check_schema(obj, root(WIDGET), mode="Strict", custom=True)
    assert obj == {"spec": {"size": 1, "extra": {"anything": [1, 2]}}}
    assert report.message(WIDGET) == (
        'Widget in version "v1" cannot be handled as a Widget: strict decoding error: '
        'unknown field "spec.colour", unknown field "status"')


# -- validate: semantic validation ---------------------------------------------------------------

CREATE_CASES = [
    ("deployment-valid", DEPLOY, DEPLOYMENT, []),
    ("label-value", DEPLOY, deployment(metadata__labels={"tier": "front end"}), causes(
        (INV, f'Invalid value: "front end": {LABEL_VALUE}', "metadata.labels"))),
    ("annotation-key", DEPLOY, deployment(metadata__annotations={"bad key": "x"}), causes(
        (INV, f'Invalid value: "bad key": {QUALIFIED_NAME}', "metadata.annotations"))),
    ("name-uppercase", DEPLOY, deployment(metadata__name="Web"), causes(
        (INV, f'Invalid value: "Web": {DNS1123_SUBDOMAIN}', "metadata.name"))),
    ("finalizer-unqualified", DEPLOY, deployment(metadata__finalizers=["cleanup"]), causes(
        (INV, 'Invalid value: "cleanup": name is neither a standard finalizer name nor is it '
              "fully qualified", "metadata.finalizers[0]"))),
    ("selector-mismatch", DEPLOY, deployment(spec__selector={"matchLabels": {"app": "api"}}),
     causes((INV, f'Invalid value: map[string]string{{"app":"web"}}: {MISMATCH}',
             "spec.template.metadata.labels"))),
    ("selector-missing", DEPLOY, deployment(spec__selector=_DELETE), causes(
        (REQ, "Required value", "spec.selector"),
        (INV, f'Invalid value: map[string]string{{"app":"web"}}: {MISMATCH}',
         "spec.template.metadata.labels"))),
    ("selector-empty", DEPLOY, deployment(spec__selector={}), causes(
        (INV, "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
              "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid "
              "for deployment", "spec.selector"))),
    ("containers-empty", DEPLOY, deployment(**{TEMPLATE + "containers": []}), causes(
        (REQ, "Required value", "spec.template.spec.containers"))),
    ("container-name-and-image", DEPLOY,
     deployment(**{TEMPLATE + "containers": [{"name": "Web_1"}]}), causes(
         (INV, f'Invalid value: "Web_1": {DNS1123_LABEL}', "spec.template.spec.containers[0].name"),
         (REQ, "Required value", "spec.template.spec.containers[0].image"))),
    ("container-duplicate", DEPLOY, deployment(**{TEMPLATE + "containers": [
        {"name": "web", "image": "a"}, {"name": "web", "image": "b"}]}), causes(
        (DUP, 'Duplicate value: "web"', "spec.template.spec.containers[1].name"))),
    ("port-range", DEPLOY, deployment(**{TEMPLATE + "containers__0__ports": [
        {"containerPort": 70000, "protocol": "HTTP"}]}), causes(
        (INV, "Invalid value: 70000: must be between 1 and 65535, inclusive",
         "spec.template.spec.containers[0].ports[0].containerPort"),
        (NS, 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
         "spec.template.spec.containers[0].ports[0].protocol"))),
    ("pull-policy", DEPLOY, deployment(**{TEMPLATE + "containers__0__imagePullPolicy": "Often"}),
     causes((NS, 'Unsupported value: "Often": supported values: "Always", "IfNotPresent", '
                 '"Never"', "spec.template.spec.containers[0].imagePullPolicy"))),
    ("volume-mount-not-found", DEPLOY, deployment(**{TEMPLATE + "containers__0__volumeMounts": [
        {"name": "data", "mountPath": "/data"}]}), causes(
        ("FieldValueNotFound", 'Not found: "data"',
         "spec.template.spec.containers[0].volumeMounts[0].name"))),
    ("requests-over-limits", DEPLOY, deployment(**{TEMPLATE + "containers__0__resources": {
        "requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}), causes(
        (INV, 'Invalid value: "2": must be less than or equal to cpu limit of 1',
         "spec.template.spec.containers[0].resources.requests[cpu]"))),
    ("liveness-success-threshold", DEPLOY, deployment(**{
        TEMPLATE + "containers__0__livenessProbe": {"tcpSocket": {"port": 80},
                                                    "successThreshold": 2}}), causes(
        (INV, "Invalid value: 2: must be 1",
         "spec.template.spec.containers[0].livenessProbe.successThreshold"))),
    ("restart-never", DEPLOY, deployment(**{TEMPLATE + "restartPolicy": "Never"}), causes(
        (NS, 'Unsupported value: "Never": supported values: "Always"',
         "spec.template.spec.restartPolicy"))),
    ("max-surge-and-unavailable-zero", DEPLOY, deployment(spec__strategy={
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}}),
     causes((INV, "Invalid value: 0%: may not be 0 when `maxSurge` is 0",
             "spec.strategy.rollingUpdate.maxUnavailable"))),
    ("progress-deadline", DEPLOY, deployment(spec__minReadySeconds=600), causes(
        (INV, "Invalid value: 600: must be greater than minReadySeconds",
         "spec.progressDeadlineSeconds"))),
    ("statefulset-pod-spec-unchecked", STS, """
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  podManagementPolicy: Sometimes
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: DB}]}
""", causes((INV, 'Invalid value: "Sometimes": must be \'OrderedReady\' or \'Parallel\'',
             "spec.podManagementPolicy"))),
    ("daemonset-nil-selector", DS, """
metadata: {name: agent}
spec:
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: agent}]}
""", causes((INV, f'Invalid value: map[string]string{{"app":"agent"}}: {MISMATCH}',
             "spec.template.metadata.labels"))),
    ("job-restart-always", JOB, """
metadata: {name: migrate}
spec:
  template:
    spec: {containers: [{name: migrate, image: app}]}
""", causes((NS, 'Unsupported value: "Always": supported values: "OnFailure", "Never"',
             "spec.template.spec.restartPolicy"))),
    ("job-name-too-long-for-label", JOB, f"""
metadata: {{name: {"j" * 64}}}
spec:
  template:
    spec: {{restartPolicy: Never, containers: [{{name: j, image: app}}]}}
""", causes(*[(INV, f'Invalid value: "{"j" * 64}": must be no more than 63 characters',
               "spec.template.labels")] * 2)),
    ("cronjob-schedule", CRONJOB, """
metadata: {name: nightly}
spec:
  schedule: '0 3 * *'
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: OnFailure, containers: [{name: n, image: app}]}
""", causes((INV, 'Invalid value: "0 3 * *": expected exactly 5 fields, found 4: 0 3 * *',
             "spec.schedule"))),
    ("cronjob-range", CRONJOB, """
metadata: {name: nightly}
spec:
  schedule: '0 25 * * *'
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: OnFailure, containers: [{name: n, image: app}]}
""", causes((INV, 'Invalid value: "0 25 * * *": end of range (25) above maximum (23): 25',
             "spec.schedule"))),
    ("service-name", SVC, "metadata: {name: 1api}\nspec: {ports: [{port: 80}]}", causes(
        (INV, f'Invalid value: "1api": {DNS1035_LABEL}', "metadata.name"))),
    ("service-ports", SVC, """
metadata: {name: api}
spec:
  ports: [{port: 80}, {name: web, port: 80}]
""", causes((REQ, "Required value", "spec.ports[0].name"),
            (DUP, 'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", '
                  'AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, '
                  'IntVal:0, StrVal:""}, NodePort:0}', "spec.ports[1]"))),
    ("service-no-ports", SVC, "metadata: {name: api}\nspec: {selector: {app: api}}", causes(
        (REQ, "Required value", "spec.ports"))),
    ("service-type", SVC, "metadata: {name: api}\nspec: {type: Internal, ports: [{port: 80}]}",
     causes((NS, 'Unsupported value: "Internal": supported values: "ClusterIP", '
                 '"ExternalName", "LoadBalancer", "NodePort"', "spec.type"))),
    ("configmap-key", CM, "metadata: {name: c}\ndata: {'app config': x}", causes(
        (INV, f'Invalid value: "app config": {CONFIG_KEY}', "data[app config]"))),
    ("secret-tls", SECRET, "metadata: {name: s}\ntype: kubernetes.io/tls\n"
                           "data: {tls.crt: YQ==}", causes(
        (REQ, "Required value", "data[tls.key]"))),
    ("pvc-required", PVC, "metadata: {name: data}\nspec: {}", causes(
        (REQ, "Required value: at least 1 access mode is required", "spec.accessModes"),
        (REQ, "Required value", "spec.resources[storage]"))),
    ("rolebinding-subjects", RB, """
metadata: {name: rb}
roleRef: {kind: Deployment, name: view}
subjects: [{kind: Robot, name: r}, {kind: User, name: u, apiGroup: ''}]
""", causes((NS, 'Unsupported value: "Deployment": supported values: "Role", "ClusterRole"',
             "roleRef.kind"),
            (NS, 'Unsupported value: "Robot": supported values: "ServiceAccount", "User", '
                 '"Group"', "subjects[0].kind"))),
    ("role-rules", ROLE, "metadata: {name: r}\nrules: [{resources: [pods]}]", causes(
        (REQ, "Required value: verbs must contain at least one value", "rules[0].verbs"),
        (REQ, "Required value: resource rules must supply at least one api group",
         "rules[0].apiGroups"))),
    ("ingress-path-type", ING, """
metadata: {name: web}
spec:
  rules:
  - host: Example.com
    http:
      paths: [{path: /, backend: {service: {name: web, port: {number: 80}}}}]
""", causes((INV, f'Invalid value: "Example.com": {DNS1123_SUBDOMAIN}', "spec.rules[0].host"),
            (REQ, "Required value: pathType must be specified",
             "spec.rules[0].http.paths[0].pathType"))),
    ("hpa-replicas", HPA, """
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 5
  maxReplicas: 2
""", causes((INV, "Invalid value: 2: must be greater than or equal to `minReplicas`",
             "spec.maxReplicas"))),
]


@pytest.mark.parametrize(("gvk", "text", "expected"), [c[1:] for c in CREATE_CASES],
                         ids=[c[0] for c in CREATE_CASES])
def test_validate_create(gvk: GVK, text: str, expected: list[Cause]) -> None:
    assert validate(gvk, decoded(gvk, text, uid="0e6c1a2e-1111-4a44-9a5e-000000000001")) == \
        expected


def _sts(vct_size: str = "1Gi", replicas: int = 1, service: str = "db") -> str:
    return f"""
metadata: {{name: db}}
spec:
  replicas: {replicas}
  serviceName: {service}
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec: {{containers: [{{name: db, image: postgres}}]}}
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {{requests: {{storage: {vct_size}}}}}
"""


UPDATE_CASES = [
    ("deployment-selector", DEPLOY, DEPLOYMENT, deployment(
        spec__selector={"matchLabels": {"app": "web", "v": "2"}},
        **{"spec__template__metadata__labels": {"app": "web", "v": "2"}}), causes(
        (INV, 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", '
              '"v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is '
              "immutable", "spec.selector"))),
    ("deployment-scale-ok", DEPLOY, DEPLOYMENT, deployment(spec__replicas=5), []),
    ("statefulset-scale-ok", STS, _sts(), _sts(replicas=3), []),
    ("statefulset-claims", STS, _sts(), _sts(vct_size="2Gi"), causes(
        (FORB, "Forbidden: updates to statefulset spec for fields other than 'replicas', "
               "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
               "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
         "spec"))),
    ("statefulset-service-name", STS, _sts(), _sts(service="db2"), causes(
        (FORB, "Forbidden: updates to statefulset spec for fields other than 'replicas', "
               "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
               "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
         "spec"))),
    ("service-cluster-ip", SVC, "metadata: {name: api}\nspec: {clusterIP: 10.96.0.10, "
                                "ports: [{port: 80}]}",
     "metadata: {name: api}\nspec: {clusterIP: 10.96.0.11, clusterIPs: [10.96.0.11], "
     "ports: [{port: 80}]}", causes(
        (INV, 'Invalid value: []string{"10.96.0.11"}: may not change once set',
         "spec.clusterIPs[0]"))),
    ("service-cluster-ip-omitted", SVC, "metadata: {name: api}\nspec: {clusterIP: 10.96.0.10, "
                                        "ports: [{port: 80}]}",
     "metadata: {name: api}\nspec: {ports: [{port: 8080}]}", []),
    ("configmap-immutable", CM, "metadata: {name: c}\nimmutable: true\ndata: {a: '1'}",
     "metadata: {name: c}\nimmutable: true\ndata: {a: '2'}", causes(
        (FORB, "Forbidden: field is immutable when `immutable` is set", "data"))),
    ("secret-type-and-immutable", SECRET, "metadata: {name: s}\nimmutable: true\ndata: {a: YQ==}",
     "metadata: {name: s}\ntype: kubernetes.io/basic-auth\ndata: {a: YQ==}", causes(
        (INV, 'Invalid value: "kubernetes.io/basic-auth": field is immutable', "type"),
        (FORB, "Forbidden: field is immutable when `immutable` is set", "immutable"),
        (REQ, "Required value", "data[username]"), (REQ, "Required value", "data[password]"))),
    ("job-template", JOB, """
metadata: {name: m}
spec:
  template:
    spec: {restartPolicy: Never, containers: [{name: m, image: app:1}]}
""", lambda live: _set(live, "spec.template.spec.containers.0.image", "app:2"), causes(
        (INV, "Invalid value: core.PodTemplateSpec{...}: field is immutable", "spec.template"))),
    ("job-replaced-without-selector", JOB, """
metadata: {name: m}
spec:
  template:
    spec: {restartPolicy: Never, containers: [{name: m, image: app:1}]}
""", """
metadata: {name: m}
spec:
  template:
    spec: {restartPolicy: Never, containers: [{name: m, image: app:1}]}
""", causes(
        (REQ, "Required value", "spec.selector"),
        (INV, f"Invalid value: map[string]string{{}}: {MISMATCH}",
         "spec.template.metadata.labels"),
        (INV, "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
              "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
         "spec.selector"),
        (INV, "Invalid value: core.PodTemplateSpec{...}: field is immutable", "spec.template"))),
    ("pvc-shrink", PVC, "metadata: {name: d}\nspec: {accessModes: [ReadWriteOnce], "
                        "resources: {requests: {storage: 2Gi}}}\n"
                        "status: {phase: Bound, capacity: {storage: 2Gi}}",
     "metadata: {name: d}\nspec: {accessModes: [ReadWriteOnce], "
     "resources: {requests: {storage: 1Gi}}}\nstatus: {phase: Bound}", causes(
        (FORB, "Forbidden: field can not be less than status.capacity",
         "spec.resources.requests.storage"))),
    ("rolebinding-role-ref", RB, "metadata: {name: rb}\nroleRef: {kind: Role, name: a}",
     "metadata: {name: rb}\nroleRef: {kind: Role, name: b}", causes(
        (INV, 'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", '
              'Name:"b"}: cannot change roleRef', "roleRef"))),
]


@pytest.mark.parametrize(("gvk", "old_text", "new_text", "expected"),
                         [c[1:] for c in UPDATE_CASES], ids=[c[0] for c in UPDATE_CASES])
def test_validate_update(gvk: GVK, old_text: str, new_text: str | Callable[[Any], Any],
                         expected: list[Cause]) -> None:
    uid = "0e6c1a2e-1111-4a44-9a5e-000000000002"
    old = decoded(gvk, old_text, uid=uid)
    if "status" in y(old_text):
        old["status"] = y(old_text)["status"]
    if callable(new_text):
        new = new_text(copy.deepcopy(old))
        assert validate(gvk, new, old) == expected
        return
    new = y(new_text)
    new.setdefault("metadata", {}).update(namespace="default", uid=uid)
    check_schema(new, root(gvk))
    if "status" in y(new_text):
        new["status"] = y(new_text)["status"]
    apply_defaults(gvk, new, root(gvk), old=old)
    if "status" in y(new_text):
        new["status"] = y(new_text)["status"]
    assert validate(gvk, new, old) == expected


def test_pvc_spec_change_is_forbidden_with_its_diff() -> None:
    old = decoded(PVC, "metadata: {name: d}\nspec: {accessModes: [ReadWriteOnce], "
                       "resources: {requests: {storage: 1Gi}}}")
    new = copy.deepcopy(old)
    new["spec"]["storageClassName"] = "fast"
    (cause,) = validate(PVC, new, old)
    assert cause.field == "spec"
    assert cause.message.split("\n")[0] == (
        "Forbidden: spec is immutable after creation except resources.requests and "
        "volumeAttributesClassName for bound claims")


def test_causes_make_the_real_422_message() -> None:
    obj = decoded(DEPLOY, deployment(spec__selector=_DELETE))
    err = invalid("Deployment", "apps", "web", validate(DEPLOY, obj))
    assert err.code == 422
    assert err.message == (
        'Deployment.apps "web" is invalid: [spec.selector: Required value, '
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
        "`selector` does not match template `labels`]")


def test_deployment_write_path_is_fast() -> None:
    body = y(DEPLOYMENT)
    start = time.perf_counter()
    for _ in range(200):
        obj = copy.deepcopy(body)
        obj["metadata"]["namespace"] = "default"
        check_schema(obj, root(DEPLOY))
        apply_defaults(DEPLOY, obj, root(DEPLOY))
        validate(DEPLOY, obj)
    assert (time.perf_counter() - start) / 200 < 0.001
