"""``gitsync app list/get/diff/manifests/resources`` end to end: Git repos, sandbox, CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitsync.compare import CompareOptions, desired_state
from gitsync.errors import EXIT_DIFFERENCES, EXIT_UNREACHABLE, EXIT_USAGE
from gitsync.kube import connect
from gitsync.model.catalog import build_catalog
from gitsync.model.yamldoc import parse_documents
from tests.integration.conftest import Workspace, git
from tests.integration.syncing import apps_api, core


def apply_app(ws: Workspace, name: str, revision: str = "") -> None:
    """Put the app's rendered manifests in the cluster as gitsync would (no hooks)."""
    docs = [(str(p), d) for p in sorted(ws.apps.glob("*.yaml"))
            for d in parse_documents(p.read_text())]
    cat = build_catalog(docs)
    app = cat.app(name)
    with connect(app.destination, kubeconfig=ws.sandbox.kubeconfig) as cluster:
        desired = desired_state(app, cat.project(app), cluster, CompareOptions(revision=revision))
        ordered = sorted((r for r in desired.resources if not r.is_hook),
                         key=lambda r: (r.kind != "Namespace", r.key))
        for r in ordered:
            cluster.apply(r.obj)


# --- list ------------------------------------------------------------------------------------


def test_list_from_apps_folder_and_env(ws: Workspace) -> None:
    result = ws.cli("app", "list", "--apps", str(ws.apps))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "PROJECT", "REPO", "PATH", "TARGET", "DESTINATION",
                                "SYNC", "POLICY"]
    assert [ln.split()[0] for ln in lines[1:]] == ["shop-dev", "shop-prod", "shop-staging"]
    assert "Automated (Prune, SelfHeal)" in lines[1]
    env = ws.cli("app", "list", "-o", "json", env={"GITSYNC_APPS": str(ws.apps)})
    data = json.loads(env.stdout)
    assert data[2] == {"name": "shop-staging", "project": "shop", "repo": ws.url,
                       "path": "shop/overlays/staging", "targetRevision": "main",
                       "destination": {"server": "https://kubernetes.default.svc", "name": "",
                                       "namespace": "shop-staging"},
                       "syncPolicy": "Manual", "file": str(ws.apps / "shop-staging.yaml")}


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    return workspace


# --- diff ------------------------------------------------------------------------------------


def test_diff_of_an_empty_cluster_lists_everything_missing(ws: Workspace) -> None:
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps), "-o", "json")
    assert result.exit_code == EXIT_DIFFERENCES, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "gitsync.io/diff/v1"
    assert doc["differs"] is True and doc["syncStatus"] == "OutOfSync"
    assert doc["revision"]["ref"] == "refs/heads/develop"
    assert doc["summary"] == {"modified": 0, "missing": 9, "extraneous": 0, "unchanged": 0}
    kinds = sorted(f"{r['kind']}/{r['name']}" for r in doc["resources"])
    # hooks are left out, as argocd app diff does
    assert kinds == ["ConfigMap/payment-settings", "ConfigMap/shop-config", "Deployment/api",
                     "Deployment/frontend", "Namespace/shop-dev", "Service/api",
                     "Service/frontend", "Service/postgres", "StatefulSet/postgres"]


def test_no_difference_after_apply_exits_zero(ws: Workspace) -> None:
    apply_app(ws, "shop-dev")
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "no differences: 9 resources match develop (" in result.stderr


def test_drift_by_another_manager_is_attributed(ws: Workspace) -> None:
    apply_app(ws, "shop-dev")
    apps_api(ws).patch_namespaced_deployment_scale(
        "api", "shop-dev", {"spec": {"replicas": 5}}, field_manager="kubectl-scale")
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps))
    assert result.exit_code == EXIT_DIFFERENCES
    out = result.stdout
    assert out.startswith("===== apps/Deployment shop-dev/api ======\n--- live\n+++ desired\n")
    assert "-  replicas: 5\n+  replicas: 1\n" in out
    assert "# spec.replicas: 5 → 1 (changed in the cluster by kubectl-scale)" in out
    assert "1 of 9 resources differ from develop (" in result.stderr


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not on PATH")
def test_kubectl_edit_style_patch_shows_as_drift(ws: Workspace) -> None:
    apply_app(ws, "shop-dev")
    subprocess.run(["kubectl", "--kubeconfig", str(ws.sandbox.kubeconfig), "-n", "shop-dev",
                    "label", "configmap", "shop-config", "owner=ops"], check=True,
                   capture_output=True)
    subprocess.run(["kubectl", "--kubeconfig", str(ws.sandbox.kubeconfig), "-n", "shop-dev",
                    "patch", "configmap", "shop-config", "--type=merge", "-p",
                    '{"data":{"LOG_LEVEL":"warn"}}'], check=True, capture_output=True)
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps), "-o", "json")
    doc = json.loads(result.stdout)
    changed = {r["name"]: r for r in doc["resources"] if r["status"] == "modified"}
    assert list(changed) == ["shop-config"]
    changes = changed["shop-config"]["changes"]
    assert changes == [{"path": "data.LOG_LEVEL", "live": "warn", "desired": "debug",
                        "reason": "changed in the cluster by kubectl-patch",
                        "manager": "kubectl-patch"}]


def test_change_in_git_and_revision_flag(ws: Workspace) -> None:
    apply_app(ws, "shop-dev")
    git(ws.repo, "checkout", "-q", "develop")
    overlay = ws.repo / "shop/overlays/dev/kustomization.yaml"
    ws.commit("dev: api 1.5.0", **{"shop/overlays/dev/kustomization.yaml":
                                  overlay.read_text().replace("1.5.0-rc.2", "1.5.0")})
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps), "-o", "json")
    assert result.exit_code == EXIT_DIFFERENCES
    doc = json.loads(result.stdout)
    (api,) = [r for r in doc["resources"] if r["status"] == "modified"]
    assert api["changes"] == [{
        "path": "spec.template.spec.containers[name=api].image",
        "live": "shop/api:1.5.0-rc.2", "desired": "shop/api:1.5.0",
        "reason": "changed in Git", "manager": "gitsync"}]
    # the previous commit is what the cluster runs
    first = git(ws.repo, "rev-parse", "HEAD~1")
    same = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps), "--revision", first[:8])
    assert same.exit_code == 0, same.stdout + same.stderr


def test_removed_field_and_removed_resource(ws: Workspace) -> None:
    apply_app(ws, "shop-dev")
    git(ws.repo, "checkout", "-q", "develop")
    config_yaml = (ws.repo / "shop/base/config.yaml").read_text()
    frontend = (ws.repo / "shop/base/frontend.yaml").read_text()
    kustomization = (ws.repo / "shop/base/kustomization.yaml").read_text()
    ws.commit("drop the checkout flag and the frontend", **{
        "shop/base/config.yaml": config_yaml.replace('  FEATURE_CHECKOUT_V2: "false"\n', ""),
        "shop/overlays/dev/kustomization.yaml": (ws.repo / "shop/overlays/dev/"
                                                 "kustomization.yaml").read_text()
        .replace("  - name: frontend\n    count: 1\n", "")
        .replace("      - op: replace\n        path: /data/FEATURE_CHECKOUT_V2\n"
                 "        value: \"true\"\n", ""),
        "shop/base/kustomization.yaml": kustomization.replace("  - frontend.yaml\n", ""),
        "shop/base/frontend.yaml": ""})
    assert frontend
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps), "-o", "json")
    doc = json.loads(result.stdout)
    by_name = {(r["kind"], r["name"]): r for r in doc["resources"] if r["status"] != "unchanged"}
    assert by_name[("Deployment", "frontend")]["status"] == "extraneous"
    assert by_name[("Service", "frontend")]["status"] == "extraneous"
    cm = by_name[("ConfigMap", "shop-config")]
    assert cm["changes"] == [{"path": "data.FEATURE_CHECKOUT_V2", "live": "true",
                              "desired": None, "reason": "removed from Git",
                              "manager": "gitsync"}]
    get = ws.cli("app", "get", "shop-dev", "--apps", str(ws.apps))
    rows = [ln.split() for ln in get.stdout.splitlines() if "frontend" in ln]
    assert ["apps", "Deployment", "shop-dev", "frontend", "OutOfSync", "Healthy", "requires",
            "pruning"] in rows


def test_ignore_differences_hides_replicas(ws: Workspace) -> None:
    ws.write_app("shop-dev", (ws.apps / "shop-dev.yaml").read_text().replace(
        "  syncPolicy:", "  ignoreDifferences:\n    - group: apps\n      kind: Deployment\n"
        "      jsonPointers: [/spec/replicas]\n  syncPolicy:"))
    apply_app(ws, "shop-dev")
    apps_api(ws).patch_namespaced_deployment_scale("api", "shop-dev", {"spec": {"replicas": 7}})
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps))
    assert result.exit_code == 0, result.stdout


def test_secret_values_are_masked(ws: Workspace) -> None:
    git(ws.repo, "checkout", "-q", "develop")
    secret = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\n"
              "stringData:\n  password: hunter2\n  user: shop\n")
    kustomization = (ws.repo / "shop/overlays/dev/kustomization.yaml").read_text()
    ws.commit("add a secret", **{"shop/overlays/dev/secret.yaml": secret,
                                 "shop/overlays/dev/kustomization.yaml": kustomization.replace(
                                     "  - namespace.yaml\n", "  - namespace.yaml\n"
                                                             "  - secret.yaml\n")})
    apply_app(ws, "shop-dev")
    core(ws).patch_namespaced_secret("db", "shop-dev", {"stringData": {"password": "s3cr3t-new"}},
                                     field_manager="ops")
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps))
    assert result.exit_code == EXIT_DIFFERENCES
    assert "hunter2" not in result.stdout and "s3cr3t-new" not in result.stdout
    assert "aHVudGVyMg" not in result.stdout  # nor base64 of it
    assert "password: ++++++++" in result.stdout or "password: '++++++++" in result.stdout


def test_local_folder_and_markdown(ws: Workspace) -> None:
    apply_app(ws, "shop-dev")
    local = ws.tmp / "local"
    local.mkdir()
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl not on PATH: needed to build the local manifests")
    built = subprocess.run(["kubectl", "kustomize", str(ws.repo / "shop/overlays/dev")],
                           check=True, capture_output=True, text=True).stdout
    (local / "all.yaml").write_text(built.replace("LOG_LEVEL: debug", "LOG_LEVEL: trace"))
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps), "--local", str(local),
                    "-o", "markdown")
    assert result.exit_code == EXIT_DIFFERENCES, result.stderr
    md = result.stdout
    assert md.startswith("### gitsync diff: `shop-dev` at local folder")
    assert "| modified |  | shop-dev | shop-config | `data.LOG_LEVEL` changed in Git |" in md \
        or "| modified | ConfigMap | shop-dev | shop-config | `data.LOG_LEVEL` changed in Git |" \
        in md
    assert "<details><summary>ConfigMap shop-dev/shop-config</summary>" in md
    assert "-  LOG_LEVEL: debug\n+  LOG_LEVEL: trace" in md


def test_server_side_diff(ws: Workspace) -> None:
    apply_app(ws, "shop-dev")
    apps_api(ws).patch_namespaced_deployment_scale(
        "api", "shop-dev", {"spec": {"replicas": 3}}, field_manager="hpa-like")
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps), "--server-side",
                    "-o", "json")
    assert result.exit_code == EXIT_DIFFERENCES, result.stderr
    doc = json.loads(result.stdout)
    (api,) = [r for r in doc["resources"] if r["status"] == "modified"]
    assert [c["path"] for c in api["changes"]] == ["spec.replicas"]
    # and nothing was written by the dry run
    assert apps_api(ws).read_namespaced_deployment("api", "shop-dev").spec.replicas == 3


# --- get, manifests, resources ---------------------------------------------------------------


def test_get_summary_and_json(ws: Workspace) -> None:
    apply_app(ws, "shop-dev")
    result = ws.cli("app", "get", "shop-dev", "--apps", str(ws.apps))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    sha = git(ws.repo, "rev-parse", "develop")
    assert lines[:10] == [
        "Name:               shop-dev", "Project:            shop",
        "Server:             https://kubernetes.default.svc", "Namespace:          shop-dev",
        f"Repo:               {ws.url}", "Target:             develop",
        "Path:               shop/overlays/dev",
        "Sync Policy:        Automated (Prune, SelfHeal)",
        f"Sync Status:        Synced to develop ({sha[:7]})", "Health Status:      Healthy"]
    assert lines[11].split() == ["GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH",
                                 "MESSAGE"]
    data = json.loads(ws.cli("app", "get", "shop-dev", "--apps", str(ws.apps), "-o",
                             "json").stdout)
    assert data["syncStatus"] == "Synced" and data["health"]["status"] == "Healthy"
    assert data["revision"]["sha"] == sha
    assert len([r for r in data["resources"] if not r["hook"]]) == 9


def test_get_reports_missing_health_and_degraded(ws: Workspace) -> None:
    result = ws.cli("app", "get", "shop-dev", "--apps", str(ws.apps), "-o", "json")
    data = json.loads(result.stdout)
    assert data["syncStatus"] == "OutOfSync"
    assert data["health"]["status"] == "Missing"


def test_manifests_from_git_and_live(ws: Workspace) -> None:
    result = ws.cli("app", "manifests", "shop-dev", "--apps", str(ws.apps))
    assert result.exit_code == 0, result.stderr
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    names = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in docs)
    assert "Job/shop-migrate" in names and "Deployment/api" in names
    api = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "api")
    assert api["metadata"]["labels"]["gitsync.io/app"] == "shop-dev"
    assert api["metadata"]["annotations"]["gitsync.io/tracking-id"] == \
        "shop-dev:apps/Deployment:shop-dev/api"
    assert api["spec"]["template"]["spec"]["containers"][0]["image"] == "shop/api:1.5.0-rc.2"
    apply_app(ws, "shop-dev")
    live = ws.cli("app", "manifests", "shop-dev", "--apps", str(ws.apps), "--source", "live")
    docs = [d for d in yaml.safe_load_all(live.stdout) if d]
    assert all("resourceVersion" in d["metadata"] for d in docs)
    assert len(docs) == 9


def test_resources_and_orphans(ws: Workspace) -> None:
    apply_app(ws, "shop-dev")
    core(ws).create_namespaced_config_map("shop-dev", {"metadata": {"name": "stray"}})
    result = ws.cli("app", "resources", "shop-dev", "--apps", str(ws.apps))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["GROUP", "KIND", "NAMESPACE", "NAME",
                                                     "ORPHANED"]
    assert "stray" not in result.stdout
    orphans = ws.cli("app", "resources", "shop-dev", "--apps", str(ws.apps), "--orphaned",
                     "-o", "json")
    names = [r["name"] for r in json.loads(orphans.stdout)]
    assert "stray" in names
    assert "default" not in names and "kube-root-ca.crt" not in names


# --- errors ----------------------------------------------------------------------------------


def _error(result: Any) -> str:
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return str(lines[0])


@pytest.mark.parametrize(
    ("mutate", "code", "fragment"),
    [
        (lambda ws: None, EXIT_USAGE, "application nope not found (found: shop-dev, "
                                      "shop-prod, shop-staging)"),
    ],
    ids=["unknown-app"],
)
def test_unknown_app(ws: Workspace, mutate: Any, code: int, fragment: str) -> None:
    result = ws.cli("app", "diff", "nope", "--apps", str(ws.apps))
    assert result.exit_code == code
    assert fragment in _error(result)


def test_errors_exit_codes(ws: Workspace) -> None:
    cases: list[tuple[str, str, int, str]] = []
    # unknown revision
    ws.write_app("shop-dev", (ws.apps / "shop-dev.yaml").read_text()
                 .replace("targetRevision: develop", "targetRevision: nope"))
    cases.append(("shop-dev", "", EXIT_USAGE, "revision 'nope' not found in"))
    for name, extra, code, fragment in cases:
        result = ws.cli("app", "diff", name, "--apps", str(ws.apps), *([extra] if extra else []))
        assert result.exit_code == code, result.stdout + result.stderr
        assert fragment in _error(result)


def test_unreachable_git_is_exit_11(ws: Workspace) -> None:
    ws.write_app("shop-dev", (ws.apps / "shop-dev.yaml").read_text()
                 .replace(ws.url, "https://127.0.0.1:9/nowhere.git"))
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps))
    assert result.exit_code == EXIT_UNREACHABLE, result.stderr
    _error(result)


def test_unreachable_cluster_is_exit_11(ws: Workspace, tmp_path: Path) -> None:
    kubeconfig = tmp_path / "dead"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "dead",
        "clusters": [{"name": "dead", "cluster": {"server": "http://127.0.0.1:9"}}],
        "users": [{"name": "dead", "user": {"token": "x"}}],
        "contexts": [{"name": "dead", "context": {"cluster": "dead", "user": "dead"}}]}))
    from typer.testing import CliRunner

    from gitsync.cli.main import app as cli_app
    from tests.integration.conftest import ENV
    result = CliRunner().invoke(cli_app, ["--kubeconfig", str(kubeconfig), "app", "diff",
                                          "shop-dev", "--apps", str(ws.apps)], env=ENV)
    assert result.exit_code == EXIT_UNREACHABLE, result.stderr
    _error(result)


@pytest.mark.parametrize(
    ("file", "text", "fragment"),
    [
        ("shop/overlays/dev/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x]}\n",
         "metadata.name"),
        ("shop/overlays/dev/bad.yaml", "apiVersion: example.com/v1\nkind: Gadget\n"
                                       "metadata: {name: g}\n",
         "the cluster does not know kind Gadget"),
        ("shop/overlays/dev/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: w\n"
                                       "  annotations:\n    argocd.argoproj.io/sync-wave: "
                                       "soon\n", "is not an integer"),
        ("shop/overlays/dev/bad.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: "
                                       "{name: d}\nspec: {replicas: many}\n", "replicas"),
        ("shop/overlays/dev/bad.yaml", "apiVersion: rbac.authorization.k8s.io/v1\n"
                                       "kind: ClusterRole\nmetadata: {name: r}\n",
         "clusterResourceWhitelist"),
    ],
    ids=["name-not-string", "unknown-kind", "bad-wave", "schema", "project-denies-kind"],
)
def test_bad_manifests_exit_2(ws: Workspace, file: str, text: str, fragment: str) -> None:
    git(ws.repo, "checkout", "-q", "develop")
    kustomization = (ws.repo / "shop/overlays/dev/kustomization.yaml").read_text()
    ws.commit("bad", **{file: text, "shop/overlays/dev/kustomization.yaml": kustomization
                        .replace("  - namespace.yaml\n", "  - namespace.yaml\n  - bad.yaml\n")})
    result = ws.cli("app", "diff", "shop-dev", "--apps", str(ws.apps))
    assert result.exit_code == EXIT_USAGE, result.stdout + result.stderr
    assert fragment in _error(result)


def test_respect_ignore_differences_keeps_live_replicas(ws: Workspace) -> None:
    ws.write_app("shop-staging", (ws.apps / "shop-staging.yaml").read_text()
                 .replace("      - PruneLast=true\n",
                          "      - PruneLast=true\n      - RespectIgnoreDifferences=true\n")
                 .replace("  syncPolicy:", "  ignoreDifferences:\n    - group: apps\n"
                          "      kind: Deployment\n      name: api\n"
                          "      jsonPointers: [/spec/replicas]\n  syncPolicy:"))
    first = ws.cli("app", "sync", "shop-staging", "--apps", str(ws.apps))
    assert first.exit_code == 0, first.stdout + first.stderr
    apps_api(ws).patch_namespaced_deployment_scale(
        "api", "shop-staging", {"spec": {"replicas": 6}}, field_manager="hpa")
    again = ws.cli("app", "sync", "shop-staging", "--apps", str(ws.apps))
    assert again.exit_code == 0, again.stdout + again.stderr
    # the ignored field kept its live value; the rest of the object is Git's
    api = apps_api(ws).read_namespaced_deployment("api", "shop-staging")
    assert api.spec.replicas == 6
    assert api.spec.template.spec.containers[0].image == "shop/api:1.4.0"
