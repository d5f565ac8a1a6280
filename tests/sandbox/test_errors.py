"""Bad requests get the real Status reason and code, never a 500 or a dropped connection,
and never change what is stored."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from gitsync.sandbox.testing import SandboxHandle

CM_PATH = "/api/v1/namespaces/default/configmaps"
DEPLOY_PATH = "/apis/apps/v1/namespaces/default/deployments"


def call(sandbox: SandboxHandle, method: str, path: str, body: Any = None,
         ctype: str = "application/json", conn: http.client.HTTPConnection | None = None
         ) -> tuple[int, dict[str, Any] | str]:
    own = conn is None
    conn = conn or http.client.HTTPConnection(sandbox.url.split("//")[1], timeout=10)
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = ctype
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    raw = resp.read()
    if own:
        conn.close()
    try:
        return resp.status, json.loads(raw)
    except ValueError:
        return resp.status, raw.decode()


def deployment(name: str = "web") -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "keep"}, "data": {"a": "1"}}


@pytest.fixture
def seeded(sandbox: SandboxHandle) -> SandboxHandle:
    assert call(sandbox, "POST", CM_PATH, CM)[0] == 201
    assert call(sandbox, "POST", DEPLOY_PATH, deployment())[0] == 201
    return sandbox


BAD = [
    # (id, method, path, body, content type, code, reason, message fragment)
    ("malformed-json", "POST", CM_PATH, b"{not json", "application/json", 400, "BadRequest",
     "the object provided is unrecognized in the request body"),
    ("empty-body", "POST", CM_PATH, b"", "application/json", 400, "BadRequest",
     "the body of the request was empty"),
    ("body-is-a-list", "POST", CM_PATH, [1, 2], "application/json", 400, "BadRequest",
     "unrecognized"),
    ("protobuf-body", "POST", CM_PATH, b"k8s\x00\x0a", "application/vnd.kubernetes.protobuf",
     415, "UnsupportedMediaType", "unknown format"),
    ("wrong-kind", "POST", CM_PATH, {**CM, "kind": "Secret"}, "application/json", 400,
     "BadRequest", "the kind in the data (Secret) does not match the expected kind (ConfigMap)"),
    ("wrong-group", "POST", DEPLOY_PATH, {**deployment(), "apiVersion": "batch/v1"},
     "application/json", 400, "BadRequest", "does not match the expected API version"),
    ("namespace-mismatch", "POST", CM_PATH,
     {**CM, "metadata": {"name": "x", "namespace": "other"}}, "application/json", 400,
     "BadRequest", "the namespace of the provided object does not match"),
    ("name-mismatch", "PUT", CM_PATH + "/keep", {**CM, "metadata": {"name": "other"}},
     "application/json", 400, "BadRequest",
     "the name of the object (other) does not match the name on the URL (keep)"),
    ("no-name", "POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}},
     "application/json", 422, "Invalid", "name or generateName is required"),
    ("invalid-name", "POST", CM_PATH, {**CM, "metadata": {"name": "Not_Valid"}},
     "application/json", 422, "Invalid", "a lowercase RFC 1123 subdomain"),
    ("already-exists", "POST", CM_PATH, CM, "application/json", 409, "AlreadyExists",
     'configmaps "keep" already exists'),
    ("stale-update", "PUT", CM_PATH + "/keep",
     {**CM, "metadata": {"name": "keep", "resourceVersion": "1"}}, "application/json", 409,
     "Conflict", "the object has been modified"),
    ("missing-namespace", "POST", "/api/v1/namespaces/nope/configmaps", CM, "application/json",
     404, "NotFound", 'namespaces "nope" not found'),
    ("get-missing", "GET", CM_PATH + "/missing", None, "", 404, "NotFound",
     'configmaps "missing" not found'),
    ("unknown-resource", "GET", "/api/v1/namespaces/default/widgets", None, "", 404,
     "NotFound", "the server could not find the requested resource"),
    ("unknown-subresource", "GET", CM_PATH + "/keep/frobnicate", None, "", 404, "NotFound",
     "the server could not find the requested resource"),
    ("verb-not-allowed", "DELETE", "/api/v1/namespaces", None, "", 405, "MethodNotAllowed",
     "the server does not allow this method"),
    ("post-to-item", "POST", CM_PATH + "/keep", CM, "application/json", 405,
     "MethodNotAllowed", "the server does not allow this method"),
    ("bad-label-selector", "GET", CM_PATH + "?labelSelector=a%20in%20(b", None, "", 400,
     "BadRequest", "unable to parse requirement"),
    ("bad-field-selector", "GET", CM_PATH + "?fieldSelector=spec.foo%3Dx", None, "", 400,
     "BadRequest", "field label not supported: spec.foo"),
    ("bad-limit", "GET", CM_PATH + "?limit=abc", None, "", 400, "BadRequest",
     "must be an integer"),
    ("bad-continue", "GET", CM_PATH + "?limit=1&continue=%%%", None, "", 400, "BadRequest",
     "continue key is not valid"),
    ("bad-dry-run", "POST", CM_PATH + "?dryRun=Some", {**CM, "metadata": {"name": "d"}},
     "application/json", 400, "BadRequest", 'Unsupported value: "Some"'),
    ("bad-field-validation", "POST", CM_PATH + "?fieldValidation=Loose",
     {**CM, "metadata": {"name": "d"}}, "application/json", 400, "BadRequest",
     'Unsupported value: "Loose"'),
    ("strict-unknown-field", "POST", DEPLOY_PATH + "?fieldValidation=Strict",
     {**deployment("s"), "spec": {**deployment("s")["spec"], "replica": 2}},
     "application/json", 400, "BadRequest", 'strict decoding error: unknown field "spec.replica"'),
    ("wrong-type", "POST", DEPLOY_PATH,
     {**deployment("t"), "spec": {**deployment("t")["spec"], "replicas": "two"}},
     "application/json", 400, "BadRequest", "cannot unmarshal string"),
    ("selector-mismatch", "POST", DEPLOY_PATH,
     {**deployment("m"), "spec": {**deployment("m")["spec"],
                                  "selector": {"matchLabels": {"app": "other"}}}},
     "application/json", 422, "Invalid", "`selector` does not match template `labels`"),
    ("json-patch-failed-test", "PATCH", CM_PATH + "/keep",
     [{"op": "test", "path": "/data/a", "value": "2"}], "application/json-patch+json", 422,
     "Invalid", "the server rejected our request"),
    ("json-patch-not-a-list", "PATCH", CM_PATH + "/keep", {"op": "add"},
     "application/json-patch+json", 400, "BadRequest", "cannot unmarshal"),
    ("smp-missing-merge-key", "PATCH", DEPLOY_PATH + "/web",
     {"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}},
     "application/strategic-merge-patch+json", 400, "BadRequest",
     "does not contain declared merge key: name"),
    ("unknown-patch-type", "PATCH", CM_PATH + "/keep", {"data": {}}, "application/json", 415,
     "UnsupportedMediaType", "unknown format"),
    ("apply-without-manager", "PATCH", CM_PATH + "/keep", CM, "application/apply-patch+yaml",
     400, "BadRequest", "fieldManager"),
    ("apply-bad-yaml", "PATCH", CM_PATH + "/keep?fieldManager=t", b"a: [b",
     "application/apply-patch+yaml", 400, "BadRequest", "unrecognized"),
    ("force-on-merge-patch", "PATCH", CM_PATH + "/keep?force=true", {"data": {}},
     "application/merge-patch+json", 400, "BadRequest", "may not be specified for non-apply"),
    ("patch-missing", "PATCH", CM_PATH + "/missing", {"data": {}},
     "application/merge-patch+json", 404, "NotFound", 'configmaps "missing" not found'),
    ("delete-bad-policy", "DELETE", CM_PATH + "/keep?propagationPolicy=Sideways", None, "",
     422, "Invalid", 'Unsupported value: "Sideways"'),
    ("delete-uid-precondition", "DELETE", CM_PATH + "/keep",
     {"preconditions": {"uid": "not-it"}}, "application/json", 409, "Conflict",
     "Precondition failed: UID in precondition: not-it"),
    ("scale-negative", "PUT", DEPLOY_PATH + "/web/scale",
     {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web"},
      "spec": {"replicas": -1}}, "application/json", 422, "Invalid",
     "must be greater than or equal to 0"),
    ("watch-bad-rv", "GET", CM_PATH + "?watch=1&resourceVersion=abc", None, "", 400,
     "BadRequest", "invalid resource version"),
    ("strategic-on-custom-kind-less", "PATCH", "/apis/apps/v1/namespaces/default/deployments",
     {"spec": {}}, "application/merge-patch+json", 405, "MethodNotAllowed",
     "the server does not allow this method"),
]


@pytest.mark.parametrize(("method", "path", "body", "ctype", "code", "reason", "fragment"),
                         [pytest.param(*case[1:], id=case[0]) for case in BAD])
def test_bad_request_gets_status(seeded: SandboxHandle, method: str, path: str, body: Any,
                                 ctype: str, code: int, reason: str, fragment: str) -> None:
    before = call(seeded, "GET", CM_PATH + "/keep")[1]
    before_deploy = call(seeded, "GET", DEPLOY_PATH + "/web")[1]
    status, out = call(seeded, method, path, body, ctype)
    assert isinstance(out, dict), out
    assert (status, out["kind"], out["status"], out["code"], out["reason"]) == (
        code, "Status", "Failure", code, reason)
    assert fragment in out["message"]
    # nothing was half-applied
    assert call(seeded, "GET", CM_PATH + "/keep")[1] == before
    assert call(seeded, "GET", DEPLOY_PATH + "/web")[1] == before_deploy


def test_connection_survives_errors(seeded: SandboxHandle) -> None:
    """A keep-alive connection keeps working after any error answer."""
    conn = http.client.HTTPConnection(seeded.url.split("//")[1], timeout=10)
    for case in BAD:
        _, method, path, body, ctype = case[:5]
        status, _ = call(seeded, method, path, body, ctype, conn=conn)
        assert status == case[5]
    assert call(seeded, "GET", CM_PATH + "/keep", conn=conn)[0] == 200


def test_garbage_request_line_is_a_400_not_a_crash(sandbox: SandboxHandle) -> None:
    import socket
    host, port = sandbox.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        data = s.recv(4096)
    assert data.startswith(b"HTTP/1.1 400")
    assert call(sandbox, "GET", "/version")[0] == 200


def test_invalid_custom_resource_is_422(sandbox: SandboxHandle) -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "gadgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {
                                      "type": "object", "properties": {"spec": {
                                          "type": "object", "properties": {
                                              "size": {"type": "integer", "minimum": 1}}}}}}}]}}
    assert call(sandbox, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                crd)[0] == 201
    path = "/apis/example.com/v1/namespaces/default/gadgets"
    status, out = call(sandbox, "POST", path, {"apiVersion": "example.com/v1", "kind": "Gadget",
                                               "metadata": {"name": "g"},
                                               "spec": {"size": 0}})
    assert status == 422 and isinstance(out, dict)
    assert out["reason"] == "Invalid"
    assert out["details"]["causes"][0]["field"] == "spec.size"
    status, out = call(sandbox, "PATCH", path + "/g", {"spec": {}},
                       "application/strategic-merge-patch+json")
    assert status in (404, 415)
