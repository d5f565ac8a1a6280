"""Kubeconfig loading and destination -> context mapping, then a real request to prove it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gitsync.errors import InvalidInputError
from gitsync.kube import config as kconfig
from gitsync.kube import connect
from gitsync.model.application import IN_CLUSTER, Destination
from gitsync.sandbox.testing import SandboxHandle
from tests.integration.kube.helpers import options

ELSEWHERE = "https://elsewhere.example:6443"


def write_config(path: Path, contexts: dict[str, tuple[str, str]], current: str = "",
                 namespace: str = "") -> Path:
    """A kubeconfig with ``context -> (cluster name, server)`` entries."""
    doc: dict[str, Any] = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": c, "cluster": {"server": s}} for c, s in contexts.values()],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": n, "context": {"cluster": c, "user": "u",
                                             **({"namespace": namespace} if namespace else {})}}
                     for n, (c, _) in contexts.items()],
    }
    if current:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.fixture
def two_contexts(sandbox: SandboxHandle, tmp_path: Path) -> Path:
    """Contexts ``sandbox`` (cluster ``lab``, the sandbox) and ``prod`` (a server elsewhere)."""
    return write_config(tmp_path / "config", {"sandbox": ("lab", sandbox.url),
                                              "prod": ("prod-cluster", ELSEWHERE)},
                        current="prod", namespace="team")


@pytest.mark.parametrize(("destination", "context", "expected"), [
    (Destination(name="sandbox"), None, "sandbox"),
    (Destination(name="lab"), None, "sandbox"),
    (Destination(name="prod-cluster"), None, "prod"),
    (Destination(server=ELSEWHERE), None, "prod"),
    (Destination(server=ELSEWHERE + "/"), None, "prod"),
    (Destination(server="https://ELSEWHERE.example:6443"), None, "prod"),
    (Destination(server=IN_CLUSTER), None, "prod"),
    (Destination(server=IN_CLUSTER), "sandbox", "sandbox"),
    (Destination(name="in-cluster"), "sandbox", "sandbox"),
    (None, None, "prod"),
    (None, "sandbox", "sandbox"),
], ids=["context-name", "cluster-name", "other-cluster-name", "server", "server-slash",
        "server-case", "in-cluster-current", "in-cluster-context-flag", "in-cluster-name",
        "none-current", "none-context-flag"])
def test_destination_maps_to_context(two_contexts: Path, destination: Destination | None,
                                     context: str | None, expected: str) -> None:
    kc = kconfig.load_kubeconfig([two_contexts])
    assert kconfig.resolve_context(kc, destination, context) == expected


def test_server_url_shared_by_contexts_prefers_the_current_one(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c", {"a": ("x", ELSEWHERE), "b": ("y", ELSEWHERE)},
                        current="b")
    kc = kconfig.load_kubeconfig([path])
    assert kconfig.resolve_context(kc, Destination(server=ELSEWHERE)) == "b"
    assert kconfig.resolve_context(kc, Destination(server=ELSEWHERE), "a") == "a"


@pytest.mark.parametrize(("destination", "context"), [
    (Destination(name="nowhere"), None),
    (Destination(server="https://nowhere.example"), None),
    (None, "missing"),
], ids=["name", "server", "context-flag"])
def test_unmatched_destination_lists_the_contexts(two_contexts: Path,
                                                  destination: Destination | None,
                                                  context: str | None) -> None:
    kc = kconfig.load_kubeconfig([two_contexts])
    with pytest.raises(InvalidInputError) as info:
        kconfig.resolve_context(kc, destination, context)
    assert "sandbox (http" in info.value.message
    assert f"prod ({ELSEWHERE})" in info.value.message


def test_connect_talks_to_the_mapped_context(sandbox: SandboxHandle, two_contexts: Path,
                                             tmp_path: Path) -> None:
    with connect(Destination(name="lab", namespace="x"), kubeconfig=two_contexts,
                 options=options(tmp_path)) as cluster:
        assert (cluster.context, cluster.server, cluster.namespace) == (
            "sandbox", sandbox.url, "team")
        assert cluster.resource_type("apps", "Deployment").plural == "deployments"


def test_kubeconfig_env_merges_files_first_wins(sandbox: SandboxHandle, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    first = write_config(tmp_path / "first", {"sandbox": ("lab", sandbox.url)}, current="sandbox")
    # the second file redefines "sandbox" (ignored: first wins) and adds "prod"
    second = write_config(tmp_path / "second", {"sandbox": ("lab", ELSEWHERE),
                                                "prod": ("prod-cluster", ELSEWHERE)},
                          current="prod")
    missing = tmp_path / "missing"
    monkeypatch.setenv("KUBECONFIG", f"{first}:{missing}:{second}")
    paths = kconfig.kubeconfig_paths()
    assert paths == [first, second]
    kc = kconfig.load_kubeconfig(paths)
    assert kc.current == "sandbox"
    assert kc.contexts["sandbox"].server == sandbox.url
    assert kconfig.resolve_context(kc, Destination(name="prod")) == "prod"
    with connect(options=options(tmp_path)) as cluster:
        assert (cluster.context, cluster.server) == ("sandbox", sandbox.url)
        assert cluster.get_many([]) == {}
        cluster.discover()


def test_explicit_kubeconfig_wins_over_env(sandbox: SandboxHandle, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    other = write_config(tmp_path / "other", {"prod": ("prod-cluster", ELSEWHERE)}, "prod")
    monkeypatch.setenv("KUBECONFIG", str(other))
    assert kconfig.kubeconfig_paths(sandbox.kubeconfig) == [sandbox.kubeconfig]
    with pytest.raises(InvalidInputError, match="does not exist"):
        kconfig.kubeconfig_paths(tmp_path / "nope")


def test_malformed_kubeconfig_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.write_text("contexts: {not: a list}\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=str(bad)):
        kconfig.load_kubeconfig([bad])


def test_broken_credentials_are_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump({
        "clusters": [{"name": "c", "cluster": {"server": ELSEWHERE}}],
        "users": [{"name": "u", "user": {"client-certificate": str(tmp_path / "no.crt"),
                                         "client-key": str(tmp_path / "no.key")}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x"}), encoding="utf-8")
    with pytest.raises(InvalidInputError, match='cannot load context "x"'):
        connect(kubeconfig=path, options=options(tmp_path))


def test_in_cluster_without_kubeconfig_uses_the_service_account(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    account = tmp_path / "serviceaccount"
    account.mkdir()
    (account / "token").write_text("secret-token")
    (account / "ca.crt").write_text("-----BEGIN CERTIFICATE-----\n")
    (account / "namespace").write_text("gitsync-system\n")
    monkeypatch.setattr(kconfig, "SERVICE_ACCOUNT_DIR", account)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    with connect(Destination(server=IN_CLUSTER), options=options(tmp_path)) as cluster:
        assert (cluster.context, cluster.server, cluster.namespace) == (
            "in-cluster", "https://10.0.0.1:443", "gitsync-system")
    with pytest.raises(InvalidInputError, match="no kubeconfig context serves"):
        connect(Destination(name="prod"), options=options(tmp_path))


def test_no_kubeconfig_at_all_says_where_it_looked(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(InvalidInputError, match="no kubeconfig found") as info:
        connect(options=options(tmp_path))
    assert str(tmp_path / "absent") in info.value.message
