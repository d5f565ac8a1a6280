"""The app's kustomize options written into a kustomization file, as ``kustomize edit`` does.

Argo CD runs ``kustomize edit set nameprefix|namesuffix|image|replicas|namespace`` and
``kustomize edit add label|annotation`` before building. ``kubectl kustomize`` has no ``edit``,
so gitsync makes the same changes itself, on a temporary copy, with kustomize's rules.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from gitsync.errors import InvalidInputError
from gitsync.model.application import KustomizeSource

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_TAG = re.compile(r"^(.*):([a-zA-Z0-9._-]*|\*)$")
_PRESERVE = "*"
_IMAGE_FORMATS = ("<image>=<newimage>:<newtag>, <image>=<newimage>@<digest>, "
                  "<image>=<newimage>, <image>:<newtag> or <image>@<digest>")


def has_edits(opts: KustomizeSource) -> bool:
    return bool(opts.images or opts.name_prefix or opts.name_suffix or opts.namespace
                or opts.common_labels or opts.common_annotations or opts.replicas)


def find_kustomization(folder: Path) -> Path | None:
    for name in KUSTOMIZATION_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def apply_edits(folder: Path, opts: KustomizeSource, label: str) -> None:
    """Rewrite the kustomization file of ``folder``; ``label`` names it in errors."""
    path = find_kustomization(folder)
    if path is None:
        raise InvalidInputError(f"{label}: no kustomization.yaml to apply the application's "
                                f"kustomize options to")
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise InvalidInputError(f"{label}/{path.name}: not a mapping")
    # the order Argo CD runs its edit commands in
    if opts.name_prefix:
        data["namePrefix"] = opts.name_prefix
    if opts.name_suffix:
        data["nameSuffix"] = opts.name_suffix
    if opts.images:
        data["images"] = set_images(data.get("images") or [], opts.images, label)
    if opts.replicas:
        data["replicas"] = set_replicas(data.get("replicas") or [], opts.replicas)
    if opts.common_labels:
        data["commonLabels"] = add_metadata(data.get("commonLabels") or {},
                                            opts.common_labels, "label", label)
    if opts.common_annotations:
        data["commonAnnotations"] = add_metadata(data.get("commonAnnotations") or {},
                                                 opts.common_annotations, "annotation", label)
    if opts.namespace:
        data["namespace"] = opts.namespace
    # the copy's file may be read-only (exports are); replacing it needs only the folder
    path.unlink()
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def parse_image(arg: str, label: str) -> dict[str, str]:
    """``kustomize edit set image`` argument -> an ``images`` entry."""
    parts = arg.split("=")
    if len(parts) == 2:
        name, (new_name, tag, digest) = parts[0], _overwrite(parts[1], True, arg, label)
    else:
        new_name, tag, digest = _overwrite(arg, False, arg, label)
        name, new_name = new_name, ""
    entry = {"name": name, "newName": new_name, "newTag": tag, "digest": digest}
    return {k: v for k, v in entry.items() if v}


def _overwrite(arg: str, allow_bare: bool, whole: str, label: str) -> tuple[str, str, str]:
    if "@" in arg:
        name, _, digest = arg.partition("@")
        return name, "", digest
    m = _TAG.match(arg)
    if m:
        return m.group(1), m.group(2), ""
    if arg and allow_bare:
        return arg, "", ""
    raise InvalidInputError(f"{label}: kustomize image '{whole}' is invalid; use "
                            f"{_IMAGE_FORMATS}")


def set_images(current: list[Any], args: tuple[str, ...], label: str) -> list[dict[str, str]]:
    """Merge ``args`` into ``images`` by name (``*`` keeps the existing value), sorted."""
    wanted = {img["name"]: img for img in (parse_image(a, label) for a in args)}
    merged: dict[str, dict[str, str]] = {}
    for old in current:
        if not isinstance(old, dict):
            continue
        name = str(old.get("name", ""))
        new = wanted.pop(name, None)
        if new is None:
            merged[name] = old
            continue
        for key in ("newName", "newTag", "digest"):
            if new.get(key) == _PRESERVE:
                new[key] = old.get(key, "")
        merged[name] = {k: v for k, v in new.items() if v}
    for name, new in wanted.items():
        merged[name] = {k: v for k, v in new.items() if v and v != _PRESERVE}
    return [merged[n] for n in sorted(merged)]


def set_replicas(current: list[Any], replicas: tuple[tuple[str, int], ...]) -> list[Any]:
    """Replace or add ``replicas`` entries by name, sorted by name."""
    merged = {str(r.get("name")): r for r in current if isinstance(r, dict)}
    for name, count in replicas:
        merged[name] = {"name": name, "count": count}
    return [merged[n] for n in sorted(merged)]


def add_metadata(current: dict[str, Any], new: dict[str, str], what: str,
                 label: str) -> dict[str, Any]:
    """Add labels/annotations; an existing key is an error, as without ``--force``."""
    out = dict(current)
    for key in sorted(new):
        if key in out:
            raise InvalidInputError(f"{label}: {what} {key} already in kustomization file",
                                    hint=f"remove {key} from the kustomization or from the "
                                         f"application's kustomize options")
        out[key] = new[key]
    return out
