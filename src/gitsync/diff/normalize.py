"""Normalisation: remove what only the server sets and spell values the way the server does.

Applied to both the desired manifest and the live object before comparing, so that a field
differs only when applying Git would really change it. Mirrors Argo CD's pre-diff
normalisation (gitops-engine ``diff.Normalize`` plus the known-types normaliser).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gitsync.diff.quantity import canonical_duration, canonical_quantity
from gitsync.model import annotations as ann

__all__ = ["KindInfo", "fold_string_data", "kind_info_for", "normalize"]

Pattern = tuple[str, ...]

#: metadata fields the API server owns; never part of a comparison
SERVER_METADATA = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                   "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds")
# An empty ``emptyDir: {}`` selects the volume type: unlike other empty maps it is not "absent".
_PRESENCE_KEYS = frozenset({"emptyDir"})


def _pattern(text: str) -> Pattern:
    # "spec.containers[].resources.limits.*" -> ("spec", "containers", "[]", ..., "*")
    return tuple(part for seg in text.split(".") for part in
                 ((seg[:-2], "[]") if seg.endswith("[]") else (seg,)))


@dataclass(frozen=True)
class KindInfo:
    """What normalisation knows of one kind: where quantities and durations live.

    Paths are dotted, ``[]`` for every list item and ``*`` for every map key, like Argo CD's
    ``knownTypeFields`` (``spec.template.spec.containers[].resources.limits.*``).
    """

    quantities: tuple[str, ...] = ()
    durations: tuple[str, ...] = ()
    _compiled: tuple[tuple[Pattern, Callable[[object], object]], ...] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = [(_pattern(p), canonical_quantity) for p in self.quantities]
        compiled += [(_pattern(p), canonical_duration) for p in self.durations]
        object.__setattr__(self, "_compiled", tuple(compiled))

    def extend(self, other: KindInfo) -> KindInfo:
        """Both infos' fields (built-in knowledge plus a caller's, for example)."""
        return KindInfo(self.quantities + other.quantities, self.durations + other.durations)


def _pod_spec(prefix: str) -> tuple[str, ...]:
    containers = [f"{prefix}.{c}[].resources.{r}.*" for c in
                  ("containers", "initContainers", "ephemeralContainers")
                  for r in ("limits", "requests")]
    return (*containers, f"{prefix}.overhead.*", f"{prefix}.volumes[].emptyDir.sizeLimit",
            f"{prefix}.resources.limits.*", f"{prefix}.resources.requests.*")


_POD_TEMPLATE = KindInfo(quantities=_pod_spec("spec.template.spec"))
_CLAIM = ("spec.resources.requests.*", "spec.resources.limits.*")
_BUILTIN: dict[tuple[str, str], KindInfo] = {
    ("", "Pod"): KindInfo(quantities=_pod_spec("spec")),
    ("", "PodTemplate"): KindInfo(quantities=_pod_spec("template.spec")),
    ("", "ReplicationController"): _POD_TEMPLATE,
    ("apps", "Deployment"): _POD_TEMPLATE,
    ("apps", "ReplicaSet"): _POD_TEMPLATE,
    ("apps", "DaemonSet"): _POD_TEMPLATE,
    ("apps", "StatefulSet"): KindInfo(quantities=_pod_spec("spec.template.spec") + tuple(
        "spec.volumeClaimTemplates[]." + p for p in _CLAIM)),
    ("batch", "Job"): _POD_TEMPLATE,
    ("batch", "CronJob"): KindInfo(quantities=_pod_spec("spec.jobTemplate.spec.template.spec")),
    # Argo CD's known-types normaliser covers Argo Rollouts' pod template too
    ("argoproj.io", "Rollout"): _POD_TEMPLATE,
    ("", "PersistentVolumeClaim"): KindInfo(quantities=_CLAIM),
    ("", "PersistentVolume"): KindInfo(quantities=("spec.capacity.*",)),
    ("", "ResourceQuota"): KindInfo(quantities=("spec.hard.*",)),
    ("", "LimitRange"): KindInfo(quantities=tuple(
        f"spec.limits[].{f}.*" for f in
        ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"))),
}
_NONE = KindInfo()


def kind_info_for(api_version: str, kind: str) -> KindInfo:
    """Built-in knowledge of a kind (pod templates, claims, quotas); empty for others."""
    return _BUILTIN.get((api_version.rpartition("/")[0], kind), _NONE)


def normalize(obj: dict[str, Any], *, kind_info: KindInfo | None = None) -> dict[str, Any]:
    """A normalised deep copy of ``obj``: server-only fields gone, values in server spelling."""
    api_version, kind = str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")
    group = api_version.rpartition("/")[0]
    if kind_info is None:
        kind_info = kind_info_for(api_version, kind)
    # drop server-only parts before copying: managedFields is often the largest part
    view = {k: v for k, v in obj.items() if k != "status"}
    if isinstance(obj.get("metadata"), dict):
        view["metadata"] = {k: v for k, v in obj["metadata"].items()
                            if k not in SERVER_METADATA}
    out: dict[str, Any] = _clean(view)  # a deep copy too: every container is rebuilt
    md = out.get("metadata")
    if isinstance(md, dict):
        annotations = md.get("annotations")
        if isinstance(annotations, dict):
            annotations.pop(ann.LAST_APPLIED, None)
            if not annotations:
                del md["annotations"]
    if group == "":
        if kind == "Secret":
            fold_string_data(out, obj)
        elif kind == "Endpoints":
            _endpoints(out)
    elif group == "apps" and kind == "StatefulSet":
        _claim_templates(out)
    for pattern, fn in kind_info._compiled:
        _rewrite(out, pattern, fn)
    _default_port_protocols(out)
    return out


def _claim_templates(obj: dict[str, Any]) -> None:
    """Strip what the server adds inside volumeClaimTemplates (an atomic list), as Argo CD does.

    The server stamps each template with apiVersion/kind, an empty status and the default
    volumeMode; Git rarely says so, and the list is compared as a whole.
    """
    templates = (obj.get("spec") or {}).get("volumeClaimTemplates")
    for t in templates if isinstance(templates, list) else ():
        if not isinstance(t, dict):
            continue
        if t.get("apiVersion") == "v1" and t.get("kind") == "PersistentVolumeClaim":
            del t["apiVersion"], t["kind"]
        t.pop("status", None)
        spec = t.get("spec")
        if isinstance(spec, dict) and spec.get("volumeMode") == "Filesystem":
            del spec["volumeMode"]


def _clean(value: Any) -> Any:
    """Drop nulls and empty maps/lists: the server omits them, so they equal absent."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _clean(v)
            if v is None or (v in ({}, []) and k not in _PRESENCE_KEYS):
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def fold_string_data(out: dict[str, Any], raw: dict[str, Any] | None = None) -> None:
    """Fold a Secret's ``stringData`` into base64 ``data`` (of ``raw``, default ``out``)."""
    raw = out if raw is None else raw
    data = raw.get("data")
    # read the raw object: a null value is an empty secret value, not an absent key
    merged = {k: "" if v is None else v for k, v in data.items()} if isinstance(data, dict) else {}
    string_data = raw.get("stringData")
    if isinstance(string_data, dict):
        for k, v in string_data.items():
            merged[k] = base64.b64encode(("" if v is None else str(v)).encode()).decode()
    out.pop("stringData", None)
    if merged:
        out["data"] = merged
    else:
        out.pop("data", None)


def _endpoints(obj: dict[str, Any]) -> None:
    subsets = obj.get("subsets")
    if not isinstance(subsets, list):
        return
    for subset in subsets:
        if not isinstance(subset, dict):
            continue
        for port in subset.get("ports") or ():
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")
        # the server does not keep Endpoints in order, as Kubernetes' SortSubsets notes
        for name in ("addresses", "notReadyAddresses", "ports"):
            if isinstance(subset.get(name), list):
                subset[name] = sorted(subset[name], key=_json_key)
    obj["subsets"] = sorted(subsets, key=_json_key)


def _json_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _rewrite(node: Any, pattern: Pattern, fn: Callable[[object], object]) -> None:
    if not pattern or not isinstance(node, dict | list):
        return
    head, rest = pattern[0], pattern[1:]
    if head == "[]":
        targets: Iterable[tuple[Any, Any]] = (enumerate(node) if isinstance(node, list)
                                              else ())
    elif not isinstance(node, dict):
        return
    elif head == "*":
        targets = list(node.items())
    else:
        targets = [(head, node[head])] if head in node else ()
    for key, child in targets:
        if rest:
            _rewrite(child, rest, fn)
        else:
            node[key] = fn(child)


# The Kubernetes schema defaults port protocols to TCP and uses them as list-map keys.
_PORT_LISTS = ("containers", "initContainers", "ephemeralContainers")


def _default_port_protocols(obj: dict[str, Any]) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    if obj.get("kind") == "Service" and isinstance(spec.get("ports"), list):
        _tcp(spec["ports"])
    for pod_spec in _pod_specs(spec):
        for name in _PORT_LISTS:
            for container in pod_spec.get(name) or ():
                if isinstance(container, dict) and isinstance(container.get("ports"), list):
                    _tcp(container["ports"])


def _pod_specs(spec: dict[str, Any]) -> Iterable[dict[str, Any]]:
    # a Pod's spec, a template's spec, or a CronJob's job template's pod spec
    node: Any = spec
    for step in ((), ("template", "spec"), ("jobTemplate", "spec", "template", "spec")):
        node = spec
        for key in step:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get("containers"), list):
            yield node


def _tcp(ports: list[Any]) -> None:
    for port in ports:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
