"""Text of a diff as ``argocd app diff`` prints it: a header, then a unified diff of YAML.

No colours here: the CLI colours the lines. Keys are sorted so the same object always prints
the same way, and the comparison is live (``---``) against the predicted live (``+++``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import yaml

from gitsync.diff.result import ResourceDiff
from gitsync.model.resource import ResourceKey

__all__ = ["header", "render_app_diff", "render_diff", "to_yaml"]


# libyaml's emitter when PyYAML was built with it: rendering 1,000 objects stays fast
_Base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_Base):  # type: ignore[valid-type,misc]
    # objects share sub-dicts (the prediction reuses the manifest's); never print anchors
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # block style for multi-line strings (scripts, config files), as kubectl prints them
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(obj: dict[str, Any] | None) -> str:
    """Block YAML with sorted keys; "" for no object."""
    if obj is None:
        return ""
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=True, default_flow_style=False,
                     allow_unicode=True, width=1 << 16)


def header(key: ResourceKey) -> str:
    """``===== apps/Deployment shop/web ======`` (the group is empty for the core group)."""
    return f"===== {key.group}/{key.kind} {key.namespace}/{key.name} ======"


def render_diff(diff: ResourceDiff, *, context: int = 3) -> str:
    """The header and a unified diff from the live object to the predicted live object."""
    live = to_yaml(diff.normalized_live).splitlines()
    desired = to_yaml(diff.predicted_live).splitlines()
    lines = difflib.unified_diff(live, desired, "live", "desired", n=context, lineterm="")
    return "\n".join([header(diff.key), *lines]) + "\n"


def render_app_diff(diffs: Iterable[ResourceDiff], *, context: int = 3) -> str:
    """Every differing resource, sorted by key, separated by blank lines."""
    shown = sorted((d for d in diffs if d.modified), key=lambda d: d.key)
    return "\n".join(render_diff(d, context=context) for d in shown)
