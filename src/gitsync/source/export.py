"""Exporting one commit of the cache into its own read-only folder (``git archive``)."""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from gitsync.errors import OperationFailedError
from gitsync.source.cache import RepoCache
from gitsync.source.gitcmd import LOCAL_TIMEOUT, run_git
from gitsync.source.urls import scrub


def export_tree(cache: RepoCache, sha: str, dest: Path) -> None:
    """Write the files of commit ``sha`` to ``dest``, atomically (call it under the lock)."""
    cache.trees.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{sha[:12]}-", dir=cache.trees))
    try:
        with tempfile.TemporaryFile(dir=cache.root) as archive:
            res = run_git(["archive", "--format=tar", sha], cwd=cache.git_dir,
                          timeout=LOCAL_TIMEOUT, output=archive)
            if not res.ok:
                raise OperationFailedError(f"exporting {sha} of {scrub(cache.url)} failed: "
                                           f"{res.summary()}",
                                           hint=f"delete {cache.root} to rebuild the cache")
            archive.seek(0)
            _extract(archive, staging)
        # a rename, so a reader never sees a half-written tree
        os.replace(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _extract(archive: BinaryIO, dest: Path) -> None:
    """Unpack a ``git archive`` tar; symlinks are kept as written (render checks them)."""
    root = os.path.realpath(dest)
    with tarfile.open(fileobj=archive, mode="r:") as tar:
        for member in tar:
            rel = PurePosixPath(member.name)
            if rel.is_absolute() or ".." in rel.parts:
                raise OperationFailedError(f"refusing unsafe path in repository: {member.name}")
            target = dest.joinpath(*rel.parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            # a crafted tree could put a file "under" a symlink to write outside the export
            parent = os.path.realpath(target.parent)
            if parent != root and not parent.startswith(root + os.sep):
                raise OperationFailedError(f"refusing path through a symlink: {member.name}")
            if member.issym():
                os.symlink(member.linkname, target)
            elif member.isfile():
                source = tar.extractfile(member)
                if source is None:  # pragma: no cover - a regular file always has a body
                    continue
                with source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
                # files read-only so nothing edits a shared export; folders stay writable so
                # that `rm -rf` of the cache works without a chmod first
                executable = member.mode & 0o111
                os.chmod(target, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
                         | (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH if executable else 0))
