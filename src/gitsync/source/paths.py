"""Keeping an app's source path inside its repository: no ``..``, no absolute, no symlink out."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path, PureWindowsPath

from gitsync.errors import InvalidInputError


def app_dir(repo: Path, path: str) -> Path:
    """The real folder of ``spec.source.path`` inside ``repo`` (which must be resolved)."""
    raw = path.strip() or "."
    if raw.startswith(("/", "\\")) or PureWindowsPath(raw).is_absolute():
        raise InvalidInputError(f"source path '{path}' is absolute; it must be relative to "
                                f"the repository root")
    norm = posixpath.normpath(raw.replace("\\", "/"))
    if norm == ".." or norm.startswith("../"):
        raise InvalidInputError(f"source path '{path}' leaves the repository")
    target = repo / norm
    real = Path(os.path.realpath(target))
    if not inside(real, repo):
        raise InvalidInputError(f"source path '{path}' leaves the repository through a "
                                f"symlink")
    if not real.exists():
        raise InvalidInputError(f"source path '{path}' does not exist in the repository")
    if not real.is_dir():
        raise InvalidInputError(f"source path '{path}' is not a folder")
    return real


def check_symlinks(repo: Path) -> None:
    """Refuse a repository holding a symlink that points outside it (as Argo CD does)."""
    for folder, dirs, files in os.walk(repo):
        for name in sorted(dirs + files):
            full = os.path.join(folder, name)
            if not os.path.islink(full):
                continue
            if not inside(Path(os.path.realpath(full)), repo):
                rel = os.path.relpath(full, repo)
                raise InvalidInputError(f"{rel}: symlink points outside the repository "
                                        f"({os.readlink(full)})",
                                        hint="replace the symlink with the file it points "
                                             "to, or point it inside the repository")


def inside(path: Path, root: Path) -> bool:
    """True when ``path`` is ``root`` or below it (both already resolved)."""
    return path == root or path.is_relative_to(root)


def resolve_inside(repo: Path, base: Path, rel: str, what: str) -> Path:
    """``rel`` (relative to ``base``, or to ``repo`` when absolute) kept inside ``repo``."""
    start = repo if rel.startswith("/") else base
    real = Path(os.path.realpath(start / rel.lstrip("/")))
    if not inside(real, repo):
        raise InvalidInputError(f"{what} '{rel}' leaves the repository")
    return real
