"""Discovery is identical to the real server's documents in ../shared/reference."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from gitsync.sandbox.testing import SandboxHandle

PACKAGE_COPY = Path(__file__).parents[2] / "src" / "gitsync" / "sandbox" / "data" / "discovery"
REFERENCE = Path(__file__).parents[3] / "shared" / "reference" / "kubernetes" / "discovery"
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def get(sandbox: SandboxHandle, path: str, accept: str = "application/json") -> tuple[Any, str]:
    req = urllib.request.Request(sandbox.url + path, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read()), resp.headers["Content-Type"]


def reference(name: str) -> Any:
    return json.loads((PACKAGE_COPY / name).read_text())


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference is not beside the repo")
@pytest.mark.parametrize("name", sorted(p.name for p in PACKAGE_COPY.glob("*.json")))
def test_package_copy_is_the_reference(name: str) -> None:
    assert (PACKAGE_COPY / name).read_bytes() == (REFERENCE / name).read_bytes()


@pytest.mark.parametrize(
    ("path", "file"),
    [("/api/v1", "api__v1.json")]
    + [(f"/apis/{p.stem.split('__')[1]}/{p.stem.split('__')[2]}", p.name)
       for p in sorted(PACKAGE_COPY.glob("apis__*__*.json"))],
    ids=lambda v: str(v),
)
def test_resource_lists_are_verbatim(sandbox: SandboxHandle, path: str, file: str) -> None:
    body, ctype = get(sandbox, path)
    assert ctype == "application/json"
    assert body == reference(file)


def test_group_list_is_verbatim(sandbox: SandboxHandle) -> None:
    body, _ = get(sandbox, "/apis")
    assert body == reference("apis.json")


def test_aggregated_discovery_when_asked(sandbox: SandboxHandle) -> None:
    body, ctype = get(sandbox, "/apis", AGGREGATED + ",application/json")
    assert ctype == AGGREGATED
    assert body == reference("aggregated_v2.json")


def test_core_aggregated_discovery_lists_core_resources(sandbox: SandboxHandle) -> None:
    body, ctype = get(sandbox, "/api", AGGREGATED)
    assert ctype == AGGREGATED
    resources = {r["resource"]: r for r in body["items"][0]["versions"][0]["resources"]}
    assert resources["pods"]["scope"] == "Namespaced"
    assert resources["namespaces"]["scope"] == "Cluster"
    assert "deletecollection" not in resources["namespaces"]["verbs"]
    assert resources["services"]["shortNames"] == ["svc"]


def test_legacy_versions_report_this_server(sandbox: SandboxHandle) -> None:
    body, _ = get(sandbox, "/api")
    assert body["kind"] == "APIVersions"
    assert body["versions"] == ["v1"]
    assert body["serverAddressByClientCIDRs"][0]["serverAddress"].startswith("127.0.0.1:")


def test_version(sandbox: SandboxHandle) -> None:
    body, _ = get(sandbox, "/version")
    assert body["gitVersion"] == "v1.34.0"
    assert (body["major"], body["minor"]) == ("1", "34")


def test_unknown_group_is_not_found(sandbox: SandboxHandle) -> None:
    req = urllib.request.Request(sandbox.url + "/apis/nope.example.com/v1/things")
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(req, timeout=10)
    assert exc.value.code == 404
    status = json.loads(exc.value.read())
    assert status["reason"] == "NotFound"
    assert status["message"] == "the server could not find the requested resource"
