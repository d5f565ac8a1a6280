"""Fixtures for end-to-end tests: a real Git repository made from examples/, and the CLI."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gitsync.cli.main import app as cli_app
from gitsync.sandbox.testing import SandboxHandle

EXAMPLES = Path(__file__).parents[2] / "examples"
ENV = {"NO_COLOR": "1", "COLUMNS": "200", "CI": "", "FORCE_COLOR": "", "TERM": "dumb"}


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", "-c", "user.email=dev@example.com", "-c", "user.name=dev",
                          *args], cwd=repo, check=True, capture_output=True, text=True)
    return out.stdout.strip()


@dataclass
class Workspace:
    """A Git repository of the shop example, its Application files and a sandbox."""

    repo: Path
    apps: Path
    sandbox: SandboxHandle
    tmp: Path

    @property
    def url(self) -> str:
        return f"file://{self.repo}"

    def commit(self, message: str, **files: str) -> str:
        """Write files (relative path → content; "" deletes) and commit on the current branch."""
        for rel, text in files.items():
            path = self.repo / rel
            if text == "":
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-qm", message)
        return git(self.repo, "rev-parse", "HEAD")

    def cli(self, *args: str, env: dict[str, str] | None = None) -> Any:
        """Run ``gitsync --kubeconfig <sandbox> ARGS`` through the entry point."""
        full = ["--kubeconfig", str(self.sandbox.kubeconfig), *args]
        return CliRunner().invoke(cli_app, full, env={**ENV, **(env or {})})

    def write_app(self, name: str, text: str) -> Path:
        path = self.apps / f"{name}.yaml"
        path.write_text(text.replace("REPO_URL", self.url))
        return path


@pytest.fixture
def workspace(tmp_path: Path, sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
              ) -> Iterator[Workspace]:
    repo = tmp_path / "deploy"
    shutil.copytree(EXAMPLES / "shop", repo / "shop")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "shop: first release")
    git(repo, "tag", "v1.4.0")
    git(repo, "branch", "develop")
    apps = tmp_path / "apps"
    apps.mkdir()
    for f in (EXAMPLES / "apps").glob("*.yaml"):
        (apps / f.name).write_text(
            f.read_text().replace("https://git.example.com/shop/deploy.git", f"file://{repo}"))
    monkeypatch.setenv("GITSYNC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("GITSYNC_APPS", raising=False)
    yield Workspace(repo, apps, sandbox, tmp_path)
