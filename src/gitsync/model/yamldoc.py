"""YAML documents with line numbers, duplicate-key detection and bounds against YAML bombs.

Manifests and Application files are parsed here, so every error can name the file, the line
and the field. Scalars resolve as Kubernetes' YAML does (timestamps stay strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

#: files larger than this are refused rather than parsed (a manifest is rarely over 1 MiB)
MAX_FILE_BYTES = 8 * 1024 * 1024
#: nodes visited per document, aliases counted each time they are expanded (billion laughs)
MAX_NODES = 500_000
MAX_DEPTH = 200

Path = tuple[str | int, ...]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(Exception):
    """A document could not be read; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, document: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.document = document


@dataclass
class Document:
    """One YAML document: its value, its index in the file, and where each path starts."""

    value: Any
    index: int
    line: int
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.line


class _Constructor(SafeConstructor):
    pass


# Kubernetes reads YAML through JSON: timestamps and binary stay plain strings
for _tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
    _Constructor.add_constructor(_tag, _Constructor.construct_yaml_str)  # type: ignore[type-var]


class _Builder:
    def __init__(self) -> None:
        self.constructor = _Constructor()
        self.visited = 0
        self.lines: dict[Path, int] = {}

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise YamlError(f"document too large or too deeply aliased (over {MAX_NODES:,} "
                            f"nodes): refusing to expand it", node.start_mark.line + 1)
        if depth > MAX_DEPTH:
            raise YamlError(f"document nested deeper than {MAX_DEPTH} levels",
                            node.start_mark.line + 1)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self.constructor.flatten_mapping(node)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.constructor.construct_object(key_node, deep=True)
                if isinstance(key, list | dict):
                    raise YamlError("mapping keys must be scalars", key_node.start_mark.line + 1)
                key = str(key) if not isinstance(key, str) else key
                if key in out:
                    raise YamlError(f'duplicate key "{key}"', key_node.start_mark.line + 1)
                # a field's line is its key's line: what an editor should jump to
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)


def parse_documents(text: str | bytes, *, max_bytes: int = MAX_FILE_BYTES) -> list[Document]:
    """All non-empty documents of a YAML (or JSON) stream."""
    size = len(text)
    if size > max_bytes:
        raise YamlError(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlError(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    docs: list[Document] = []
    index = 0
    try:
        for node in yaml.compose_all(text, Loader=_LOADER):
            if node is None:
                index += 1
                continue
            builder = _Builder()
            value = builder.build(node, (), 0)
            if value is not None:
                docs.append(Document(value, index, node.start_mark.line + 1, builder.lines))
            index += 1
    except YamlError as exc:
        exc.document = index
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem}", line, index) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", 0, index) from None
    return docs
