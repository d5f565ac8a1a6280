"""A temporary, writable copy of a repository, for renderers that must change files first."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def writable_copy(repo: Path) -> Iterator[Path]:
    """A copy of ``repo`` (symlinks kept as links), deleted when the block ends."""
    with tempfile.TemporaryDirectory(prefix="gitsync-render-") as tmp:
        copy = Path(tmp) / "repo"
        # the whole repository: a kustomization or chart may refer to ../base or ../common
        shutil.copytree(repo, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"),
                        copy_function=_copy_writable)
        yield copy


def _copy_writable(src: str, dst: str) -> str:
    # exports are read-only; renderers (kustomize edits, helm dependency build) write here
    shutil.copyfile(src, dst)
    mode = os.stat(src).st_mode
    os.chmod(dst, 0o755 if mode & stat.S_IXUSR else 0o644)
    return dst
