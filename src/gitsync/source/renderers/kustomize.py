"""Kustomize sources: ``kustomize build``, else ``kubectl kustomize``, after the app's edits."""

from __future__ import annotations

import shutil
from pathlib import Path

from gitsync.errors import InvalidInputError
from gitsync.model.application import KustomizeSource
from gitsync.source.manifests import Manifest, parse_stream
from gitsync.source.proc import run
from gitsync.source.renderers.kustedit import apply_edits, has_edits
from gitsync.source.renderers.workcopy import writable_copy


def build_command() -> list[str]:
    """``kustomize build`` when installed, else kubectl's built-in kustomize."""
    kustomize = shutil.which("kustomize")
    if kustomize:
        return [kustomize, "build"]
    kubectl = shutil.which("kubectl")
    if kubectl:
        return [kubectl, "kustomize"]
    raise InvalidInputError("rendering a kustomization needs the kustomize or kubectl binary, "
                            "and neither is on PATH",
                            hint="install kustomize (or kubectl, which includes it)")


def render(src: Path, repo: Path, options: KustomizeSource | None) -> list[Manifest]:
    """The objects ``kustomize build`` makes of ``src`` with the app's kustomize options."""
    cmd = build_command()
    rel = src.relative_to(repo).as_posix()
    label = f"kustomize build {rel}"
    if options is None or not has_edits(options):
        out = run([*cmd, str(src)], cwd=src, what=label)
        return parse_stream(out, label)
    # Argo CD edits its own scratch checkout; gitsync's exports are shared, so edit a copy
    with writable_copy(repo) as copy:
        folder = copy / rel
        apply_edits(folder, options, rel)
        out = run([*cmd, str(folder)], cwd=folder, what=label)
    return parse_stream(out, label)
