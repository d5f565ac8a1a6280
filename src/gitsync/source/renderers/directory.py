"""Plain manifests in a folder, as Argo CD's directory source reads them.

Files ending ``.yaml``, ``.yml`` or ``.json`` are read in path order (the order Go's
``filepath.Walk`` visits them); sub-folders only with ``recurse``; include/exclude globs
match the path relative to the app folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from re import Pattern

from gitsync.errors import InvalidInputError
from gitsync.model.application import DirectorySource
from gitsync.source.globs import GlobError, compile_glob
from gitsync.source.manifests import Manifest, parse_file

SUFFIXES = (".yaml", ".yml", ".json")


def render(src: Path, repo: Path, options: DirectorySource) -> list[Manifest]:
    """Every manifest of the folder ``src`` (inside ``repo``), in Argo CD's file order."""
    include = _pattern(options.include, "include")
    exclude = _pattern(options.exclude, "exclude")
    out: list[Manifest] = []
    for rel in _walk(src, "", recurse=options.recurse):
        if exclude is not None and exclude.fullmatch(rel):
            continue
        if include is not None and not include.fullmatch(rel):
            continue
        full = src / rel
        out.extend(parse_file(full, os.path.relpath(full, repo).replace(os.sep, "/")))
    return out


def _pattern(glob: str, which: str) -> Pattern[str] | None:
    if not glob:
        return None
    try:
        return compile_glob(glob)
    except GlobError as exc:
        raise InvalidInputError(f"spec.source.directory.{which}: invalid glob {exc}") from None


def _walk(folder: Path, prefix: str, *, recurse: bool) -> Iterator[str]:
    """Relative paths of manifest files, each folder's entries in name order."""
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        rel = f"{prefix}{entry.name}"
        # symlinked folders are not followed, as filepath.Walk does not follow them
        if entry.is_dir(follow_symlinks=False):
            if recurse and entry.name != ".git":
                yield from _walk(Path(entry.path), rel + "/", recurse=True)
        elif entry.name.endswith(SUFFIXES) and not entry.is_dir():
            yield rel
