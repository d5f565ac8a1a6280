"""OpenAPI v3 documents and server-side Tables, as kube-apiserver serves them."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from gitsync.sandbox.tables import jsonpath
from gitsync.sandbox.tables_apps import pod_row
from gitsync.sandbox.tables_fmt import human_duration, selector_string
from gitsync.sandbox.testing import SandboxHandle

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"kind": "Gadget", "plural": "gadgets", "singular": "gadget"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "additionalPrinterColumns": [
                               {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                               {"name": "Ready", "type": "string", "jsonPath":
                                '.status.conditions[?(@.type=="Ready")].status'}],
                           "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                               "spec": {"type": "object", "properties": {
                                   "size": {"type": "integer"}}},
                               "status": {"type": "object",
                                          "x-kubernetes-preserve-unknown-fields": True}}}}}]}}


def call(sandbox: SandboxHandle, path: str, method: str = "GET", body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(sandbox.url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_index_lists_group_versions_with_hashes(sandbox: SandboxHandle) -> None:
    status, headers, body = call(sandbox, "/openapi/v3")
    assert status == 200 and headers["Content-Type"] == "application/json"
    paths = json.loads(body)["paths"]
    assert {"api", "api/v1", "apis", "apis/apps", "apis/apps/v1", "version"} <= set(paths)
    url = paths["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    assert len(url.split("hash=")[1]) == 128


def test_document_caching_headers(sandbox: SandboxHandle) -> None:
    url = json.loads(call(sandbox, "/openapi/v3")[2])["paths"]["apis/apps/v1"][
        "serverRelativeURL"]
    digest = url.split("hash=")[1]
    status, headers, body = call(sandbox, url, headers={"Accept": "application/json"})
    assert status == 200
    assert headers["Cache-Control"] == "public, immutable"
    assert headers["Etag"] == f'"{digest}"'
    assert headers["Vary"] == "Accept"
    status, headers, _ = call(sandbox, "/openapi/v3/apis/apps/v1")
    assert status == 200 and headers["Cache-Control"] == "no-cache, private"
    status, headers, _ = call(sandbox, "/openapi/v3/apis/apps/v1?hash=0BAD")
    assert status == 301 and headers["Location"] == url
    status, _, body = call(sandbox, url, headers={"If-None-Match": f'"{digest}"'})
    assert (status, body) == (304, b"")
    assert call(sandbox, url, headers={"Accept": "application/x-protobuf"})[0] == 406
    assert call(sandbox, "/openapi/v3/apis/nope/v1")[0] == 404
    assert call(sandbox, "/openapi/v2")[0] == 404


def test_document_declares_field_validation_on_patch(sandbox: SandboxHandle) -> None:
    doc = json.loads(call(sandbox, "/openapi/v3/apis/apps/v1")[2])
    assert doc["openapi"] == "3.0.0"
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["operationId"] == "patchAppsV1NamespacedDeployment"
    assert patch["x-kubernetes-group-version-kind"] == {
        "group": "apps", "kind": "Deployment", "version": "v1"}
    assert {p["name"] for p in patch["parameters"]} == {
        "dryRun", "fieldManager", "fieldValidation", "force"}
    schemas = doc["components"]["schemas"]
    deployment = schemas["io.k8s.api.apps.v1.Deployment"]
    assert deployment["properties"]["spec"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}]
    assert deployment["properties"]["kind"] == {
        "description": deployment["properties"]["kind"]["description"], "type": "string"}
    assert "io.k8s.api.core.v1.PodSpec" in schemas
    assert "io.k8s.api.batch.v1.Job" not in schemas
    refs = {r for r in json.dumps(doc).split('"$ref": "')[1:]}
    assert all(r.split('"')[0].removeprefix("#/components/schemas/") in schemas for r in refs)


def test_every_patch_operation_declares_field_validation(sandbox: SandboxHandle) -> None:
    # kubectl checks the first PATCH operation of a kind it meets, in random map order
    paths = json.loads(call(sandbox, "/openapi/v3")[2])["paths"]
    for key, entry in paths.items():
        doc = json.loads(call(sandbox, entry["serverRelativeURL"])[2])
        for path, item in doc["paths"].items():
            patch = item.get("patch")
            if patch is None or patch["x-kubernetes-action"] == "connect":
                continue
            names = {p["name"] for p in patch["parameters"]}
            assert "fieldValidation" in names, (key, path)
            assert patch["x-kubernetes-group-version-kind"]["kind"] in json.dumps(
                doc["components"]["schemas"]), (key, path)


def test_crd_documents_follow_the_crd(sandbox: SandboxHandle) -> None:
    assert call(sandbox, "/openapi/v3/apis/example.com/v1")[0] == 404
    status, _, _ = call(sandbox, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                        "POST", CRD)
    assert status == 201
    paths = json.loads(call(sandbox, "/openapi/v3")[2])["paths"]
    assert "apis/example.com/v1" in paths
    doc = json.loads(call(sandbox, paths["apis/example.com/v1"]["serverRelativeURL"])[2])
    gadget = doc["components"]["schemas"]["com.example.v1.Gadget"]
    assert gadget["x-kubernetes-group-version-kind"] == [
        {"group": "example.com", "kind": "Gadget", "version": "v1"}]
    assert gadget["properties"]["spec"]["properties"]["size"] == {"type": "integer"}
    patch = doc["paths"]["/apis/example.com/v1/namespaces/{namespace}/gadgets/{name}"]["patch"]
    assert "application/strategic-merge-patch+json" not in patch["requestBody"]["content"]
    crd = json.loads(call(sandbox, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                               "gadgets.example.com")[2])
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"][
        "properties"]["color"] = {"type": "string"}
    assert call(sandbox, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                         "gadgets.example.com", "PUT", crd)[0] == 200
    new_paths = json.loads(call(sandbox, "/openapi/v3")[2])["paths"]
    assert new_paths["apis/example.com/v1"] != paths["apis/example.com/v1"]
    doc = json.loads(call(sandbox, "/openapi/v3/apis/example.com/v1")[2])
    assert "color" in doc["components"]["schemas"]["com.example.v1.Gadget"]["properties"][
        "spec"]["properties"]


def test_tables_for_builtins_defaults_and_custom_resources(sandbox: SandboxHandle) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "b"}},
          "data": {"x": "1", "y": "2"}}
    assert call(sandbox, "/api/v1/namespaces/default/configmaps", "POST", cm)[0] == 201
    table = json.loads(call(sandbox, "/api/v1/namespaces/default/configmaps/c",
                            headers={"Accept": TABLE})[2])
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert table["rows"][0]["cells"][:2] == ["c", 2]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert table["rows"][0]["object"]["metadata"]["labels"] == {"a": "b"}
    assert table["metadata"]["resourceVersion"]
    full = json.loads(call(sandbox, "/api/v1/namespaces/default/configmaps?includeObject=Object",
                           headers={"Accept": TABLE})[2])
    assert [r["object"]["data"] for r in full["rows"] if r["cells"][0] == "c"] == [
        {"x": "1", "y": "2"}]
    bare = json.loads(call(sandbox, "/api/v1/namespaces/default/configmaps?includeObject=None",
                           headers={"Accept": TABLE})[2])
    assert all(r["object"] is None for r in bare["rows"])
    assert call(sandbox, "/api/v1/configmaps?includeObject=All", headers={"Accept": TABLE})[
        0] == 400
    beta = json.loads(call(sandbox, "/api/v1/namespaces", headers={
        "Accept": "application/json;as=Table;v=v1beta1;g=meta.k8s.io"})[2])
    assert beta["apiVersion"] == "meta.k8s.io/v1beta1"
    roles = json.loads(call(sandbox, "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                            headers={"Accept": TABLE})[2])
    assert [(c["name"], c["type"]) for c in roles["columnDefinitions"]] == [
        ("Name", "string"), ("Created At", "date")]
    assert call(sandbox, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "POST",
                CRD)[0] == 201
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"},
              "spec": {"size": 4}}
    assert call(sandbox, "/apis/example.com/v1/namespaces/default/gadgets", "POST",
                gadget)[0] == 201
    table = json.loads(call(sandbox, "/apis/example.com/v1/namespaces/default/gadgets",
                            headers={"Accept": TABLE})[2])
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Size", "Ready"]
    assert table["rows"][0]["cells"] == ["g", 4, None]


def test_human_duration_matches_apimachinery() -> None:
    cases = {0: "0s", 59: "59s", 119: "119s", 120: "2m", 150: "2m30s", 600: "10m",
             10799: "179m", 10800: "3h", 3 * 3600 + 1800: "3h30m", 8 * 3600: "8h",
             47 * 3600: "47h", 48 * 3600: "2d", 50 * 3600: "2d2h", 8 * 86400: "8d",
             800 * 86400: "2y70d", 3000 * 86400: "8y", -1: "0s", -5: "<invalid>"}
    assert {s: human_duration(s) for s in cases} == cases


def test_selectors_and_jsonpath() -> None:
    sel = {"matchLabels": {"b": "2", "a": "1"},
           "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]},
                                {"key": "d", "operator": "DoesNotExist"}]}
    assert selector_string(sel) == "a=1,b=2,c in (x,y),!d"
    obj = {"status": {"conditions": [{"type": "A", "status": "False"},
                                     {"type": "Ready", "status": "True"}]},
           "spec": {"items": [{"n": 1}, {"n": 2}], "m": {"k.x": "v"}}}
    assert jsonpath(obj, '.status.conditions[?(@.type=="Ready")].status') == ["True"]
    assert jsonpath(obj, ".spec.items[1].n") == [2]
    assert jsonpath(obj, ".spec.items[*].n") == [1, 2]
    assert jsonpath(obj, ".spec.m['k.x']") == ["v"]
    assert jsonpath(obj, ".spec.missing") == []


@pytest.mark.parametrize(("status", "expected"), [
    ({"phase": "Pending"}, ["0/1", "Pending", "0"]),
    ({"phase": "Running", "containerStatuses": [
        {"name": "c", "ready": True, "restartCount": 2, "state": {"running": {}},
         "lastState": {"terminated": {"finishedAt": "2020-01-01T00:00:00Z"}}}]},
     ["1/1", "Running", "2 ("]),
    ({"phase": "Running", "containerStatuses": [
        {"name": "c", "ready": False, "restartCount": 0,
         "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]},
     ["0/1", "CrashLoopBackOff", "0"]),
    ({"phase": "Pending", "initContainerStatuses": [
        {"name": "i", "ready": False, "restartCount": 0, "state": {"running": {}}}]},
     ["0/1", "Init:0/1", "0"]),
    ({"phase": "Succeeded", "containerStatuses": [
        {"name": "c", "ready": False, "restartCount": 0,
         "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]},
     ["0/1", "Completed", "0"]),
])
def test_pod_status_column(status: dict[str, Any], expected: list[str]) -> None:
    pod = {"metadata": {"name": "p", "creationTimestamp": time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        "spec": {"containers": [{"name": "c"}],
                 "initContainers": [{"name": "i"}] if "initContainerStatuses" in status
                 else []},
        "status": status}
    cells = pod_row(pod)
    assert cells[1:3] == expected[:2]
    assert str(cells[3]).startswith(expected[2])
    assert cells[5:] == ["<none>", "<none>", "<none>", "<none>"]
