"""Reading the Application and AppProject manifests that ``--apps`` names."""

from __future__ import annotations

import os
from pathlib import Path

from gitsync.errors import InvalidInputError
from gitsync.model.catalog import Catalog, build_catalog
from gitsync.model.yamldoc import MAX_FILE_BYTES, Document, YamlError, parse_documents
from gitsync.source.manifests import yaml_error

SUFFIXES = (".yaml", ".yml", ".json")
_KINDS = (b"Application", b"AppProject")


def load_catalog(paths: list[Path]) -> Catalog:
    """Every Application and AppProject in the given files and folders (searched recursively)."""
    documents: list[tuple[str, Document]] = []
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise InvalidInputError(f"apps path {path} does not exist",
                                    hint="point --apps (or GITSYNC_APPS) at files or folders "
                                         "holding Application manifests")
        for file in [path] if path.is_file() else _manifest_files(path):
            real = file.resolve()
            if real in seen:  # a file named directly and again through its folder
                continue
            seen.add(real)
            documents.extend((str(file), doc) for doc in _read(file))
    return build_catalog(documents)


def _manifest_files(folder: Path) -> list[Path]:
    out: list[Path] = []
    for current, dirs, files in os.walk(folder):
        # .git and other hidden folders hold no apps, and may hold many YAML files
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out.extend(Path(current) / f for f in sorted(files) if f.endswith(SUFFIXES))
    return out


def _read(file: Path) -> list[Document]:
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInputError(f"{file}: file is {size:,} bytes, over the "
                                    f"{MAX_FILE_BYTES:,}-byte limit")
        data = file.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{file}: cannot read: {exc.strerror}") from None
    # only Application and AppProject matter: other files (even broken ones) are not parsed
    if not any(kind in data for kind in _KINDS):
        return []
    try:
        return parse_documents(data)
    except YamlError as exc:
        raise yaml_error(exc, str(file)) from None
