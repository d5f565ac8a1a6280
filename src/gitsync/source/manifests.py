"""Rendered documents before they become Resources: parsing, ``List`` expansion, shape checks.

Every error is one line, ``file:line (document N): what is wrong``, so the user can jump to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from gitsync.errors import InvalidInputError
from gitsync.model.reader import type_name
from gitsync.model.resource import Origin
from gitsync.model.yamldoc import MAX_FILE_BYTES, Document, YamlError, parse_documents

YPath = tuple[str | int, ...]
_REQUIRED = ("apiVersion", "kind")


@dataclass(frozen=True)
class Manifest:
    """One rendered object: its value, the file and document it came from, where it sits."""

    value: Any
    file: str
    doc: Document
    at: YPath = ()

    def origin(self, field: YPath = ()) -> Origin:
        """Where ``field`` of this object is written (the object's own line for ``()``)."""
        return Origin(self.file, self.doc.index, self.doc.line_of(self.at + field))

    def fail(self, field: YPath, message: str, hint: str = "") -> NoReturn:
        raise InvalidInputError(f"{self.origin(field)}: {message}", hint=hint)


def parse_file(full: Path, rel: str) -> list[Manifest]:
    """The objects of one manifest file (YAML, multi-document, or JSON)."""
    try:
        size = full.stat().st_size
        # checked before reading: parse_documents would refuse it, but only once in memory
        if size > MAX_FILE_BYTES:
            raise InvalidInputError(f"{rel}: file is {size:,} bytes, over the "
                                    f"{MAX_FILE_BYTES:,}-byte limit")
        data = full.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{rel}: cannot read: {exc.strerror}") from None
    try:
        docs = parse_documents(data)
    except YamlError as exc:
        if not (rel.endswith(".json") and exc.message.startswith("invalid YAML")):
            raise yaml_error(exc, rel) from None
        # JSON may be indented with tabs, which YAML forbids
        docs = [_parse_json(data, rel)]
    return [Manifest(d.value, rel, d) for d in docs]


def parse_stream(text: str, label: str) -> list[Manifest]:
    """The objects of a renderer's output; ``label`` stands in for the file name."""
    try:
        docs = parse_documents(text)
    except YamlError as exc:
        raise yaml_error(exc, label) from None
    return [Manifest(d.value, label, d) for d in docs]


def yaml_error(exc: YamlError, file: str) -> InvalidInputError:
    """A yamldoc error as one line naming the file (and document and line when known)."""
    where = str(Origin(file, exc.document, exc.line)) if exc.line else file
    return InvalidInputError(f"{where}: {exc.message}")


def _parse_json(data: bytes, rel: str) -> Document:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise ValueError(f'duplicate key "{key}"')
            out[key] = value
        return out

    try:
        value = json.loads(data, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{Origin(rel, 0, exc.lineno)}: invalid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise InvalidInputError(f"{rel} (document 1): {exc}") from None
    except RecursionError:
        raise InvalidInputError(f"{rel} (document 1): document nested too deeply") from None
    return Document(value, 0, 1)


def expand_lists(manifests: list[Manifest]) -> list[Manifest]:
    """``v1/List`` (and ``*List``) documents replaced by their items, as kubectl does."""
    out: list[Manifest] = []
    for m in manifests:
        v = m.value
        if (isinstance(v, dict) and str(v.get("kind") or "").endswith("List")
                and isinstance(v.get("items"), list)):
            out.extend(Manifest(item, m.file, m.doc, (*m.at, "items", i))
                       for i, item in enumerate(v["items"]))
        else:
            out.append(m)
    return out


def check_shape(m: Manifest) -> dict[str, Any]:
    """The object, once it has the fields every Kubernetes object needs."""
    v = m.value
    if not isinstance(v, dict):
        m.fail((), f"expected a Kubernetes object (a mapping), got {type_name(v)}")
    kind = v.get("kind")
    md = v.get("metadata")
    name = md.get("name") if isinstance(md, dict) else None
    subject = _subject(kind, name)
    for key in _REQUIRED:
        _string(m, v, (key,), subject, required=True)
    if md is None:
        m.fail(("metadata",), f"{subject}metadata: required field is missing")
    if not isinstance(md, dict):
        m.fail(("metadata",), f"{subject}metadata: must be a mapping, not {type_name(md)}")
    _string(m, md, ("metadata", "namespace"), subject)
    generate = _string(m, md, ("metadata", "generateName"), subject)
    if not _string(m, md, ("metadata", "name"), subject) and not generate:
        m.fail(("metadata",), f"{subject}metadata.name: required field is missing")
    return v


def _string(m: Manifest, obj: dict[str, Any], path: YPath, subject: str, *,
            required: bool = False) -> str:
    value = obj.get(str(path[-1]))
    dotted = ".".join(str(p) for p in path)
    if value is None or value == "":
        if required:
            m.fail(path if value is not None else (), f"{subject}{dotted}: required field is "
                                                      f"missing")
        return ""
    if not isinstance(value, str):
        m.fail(path, f"{subject}{dotted}: must be a string, not {type_name(value)}")
    return value


def _subject(kind: Any, name: Any) -> str:
    if isinstance(kind, str) and kind:
        return f"{kind}/{name}: " if isinstance(name, str) and name else f"{kind}: "
    return ""
