"""``gitsync sandbox demo``: the shop team's day on a throwaway cluster, in under a minute.

A local Git repository is made from the packaged ``examples/``, a sandbox is started, and the
real commands run against them: a wave-by-wave sync with hooks, a manual change and its diff,
a new commit, a prune, the history, and a rollback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from gitsync.cli.console import Console
from gitsync.errors import OperationFailedError

APP = "shop-staging"
REPO_PLACEHOLDER = "https://git.example.com/shop/deploy.git"


def examples_dir() -> Path:
    """The packaged examples (``gitsync/examples`` links to the repository's ``examples/``)."""
    return Path(str(resources.files("gitsync").joinpath("examples")))


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=shop team", "-c", "user.email=shop@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True,
                   capture_output=True, text=True)


def make_repo(root: Path) -> tuple[Path, Path]:
    """A Git repository with the shop manifests, and a folder of Applications pointing at it."""
    if shutil.which("git") is None:
        raise OperationFailedError("the demo needs git on PATH")
    repo = root / "deploy"
    shutil.copytree(examples_dir() / "shop", repo / "shop")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "shop: first release")
    _git(repo, "branch", "develop")
    _git(repo, "tag", "v1.4.0")
    apps = root / "apps"
    apps.mkdir()
    for f in sorted((examples_dir() / "apps").glob("*.yaml")):
        (apps / f.name).write_text(f.read_text().replace(REPO_PLACEHOLDER, f"file://{repo}"))
    return repo, apps


@contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_demo(console: Console, time_scale: float, color: bool) -> None:
    """Run every step; a step that does not end as expected stops the demo with exit 20."""
    from gitsync.cli.main import app as cli
    from gitsync.sandbox.runtime import Sandbox, SandboxConfig

    with tempfile.TemporaryDirectory(prefix="gitsync-demo-") as tmp, \
            Sandbox(SandboxConfig(time_scale=time_scale)) as sandbox, \
            _env(GITSYNC_CACHE_DIR=str(Path(tmp) / "cache"),
                 XDG_CACHE_HOME=str(Path(tmp) / "xdg")):
        root = Path(tmp)
        kubeconfig = sandbox.write_kubeconfig(root / "kubeconfig")
        repo, apps = make_repo(root)
        console.info(f"Sandbox Kubernetes API at {sandbox.url} (time scale {time_scale:g}); "
                     f"Git repository {repo}")
        base = [*([] if color else ["--no-color"]), "--kubeconfig", str(kubeconfig), "app"]

        def step(title: str, *args: str, expect: int = 0) -> None:
            console.result("")
            console.result(f"$ gitsync app {' '.join(args)}")
            console.info(f"── {title}")
            code = cli([*base, *args, "--apps", str(apps)], prog_name="gitsync",
                       standalone_mode=False)
            if code != expect:
                raise OperationFailedError(f"demo step failed: gitsync app {' '.join(args)} "
                                           f"exited {code}, expected {expect}")

        step("The Applications", "list")
        step("What a first sync would do", "sync", APP, "--dry-run")
        step("Sync wave by wave: namespace, database, migration hook, API, frontend",
             "sync", APP, "-m", "first release")
        _scale(kubeconfig, "shop-staging", "api", 5)
        console.info("(someone runs: kubectl -n shop-staging scale deployment api "
                     "--replicas=5)")
        step("The drift, and who caused it", "diff", APP, expect=1)
        _commit_image(repo, "1.4.1")
        step("A new commit on main, synced", "sync", APP, "-m", "api 1.4.1")
        _remove_frontend(repo)
        step("The frontend leaves Git: a prune", "sync", APP, "--prune",
             "-m", "retire the old frontend")
        step("The history", "history", APP)
        step("Roll back to the first release (no Git needed)", "rollback", APP, "1",
             "-m", "back to 1.4.0")
        step("The history after the rollback", "history", APP)
    console.info("Done. Start a sandbox that stays with 'gitsync sandbox serve', then use "
                 "'kubectl --context gitsync-sandbox …' and 'gitsync app …' against it.")


def _scale(kubeconfig: Path, namespace: str, name: str, replicas: int) -> None:
    """A manual change as kubectl makes it: the scale subresource, manager kubectl-scale."""
    from gitsync.kube import connect
    from gitsync.model.resource import ResourceKey
    with connect(kubeconfig=kubeconfig) as cluster:
        cluster.scale(ResourceKey("apps", "Deployment", namespace, name), replicas,
                      manager="kubectl-scale")


def _commit_image(repo: Path, tag: str) -> None:
    path = repo / "shop/overlays/staging/kustomization.yaml"
    text = path.read_text()
    path.write_text(text.replace("  - name: shop/api\n    newTag: 1.4.0",
                                 f"  - name: shop/api\n    newTag: {tag}"))
    _git(repo, "commit", "-qam", f"staging: api {tag}")


def _remove_frontend(repo: Path) -> None:
    kustomization = repo / "shop/base/kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("  - frontend.yaml\n", ""))
    (repo / "shop/base/frontend.yaml").unlink()
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "retire the old frontend")
