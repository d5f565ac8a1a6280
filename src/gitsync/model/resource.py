"""Resources: a manifest with its identity, origin, wave, hooks and sync options."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from gitsync.model import annotations as ann
from gitsync.model.enums import HealthStatus, HookDeletePolicy, HookType

_HELM_HOOKS = {
    "pre-install": HookType.PRE_SYNC, "pre-upgrade": HookType.PRE_SYNC,
    "post-install": HookType.POST_SYNC, "post-upgrade": HookType.POST_SYNC,
    "pre-delete": HookType.PRE_DELETE, "post-delete": HookType.POST_DELETE,
}
_HELM_DELETE = {
    "before-hook-creation": HookDeletePolicy.BEFORE_HOOK_CREATION,
    "hook-succeeded": HookDeletePolicy.HOOK_SUCCEEDED,
    "hook-failed": HookDeletePolicy.HOOK_FAILED,
}

#: sync options a resource may carry, with their allowed values (None: any value)
RESOURCE_SYNC_OPTIONS: dict[str, tuple[str, ...] | None] = {
    "Prune": ("true", "false", "confirm"),
    "Delete": ("true", "false", "confirm"),
    "Validate": ("true", "false"),
    "SkipDryRunOnMissingResource": ("true", "false"),
    "PruneLast": ("true", "false"),
    "Replace": ("true", "false"),
    "Force": ("true", "false"),
    "ServerSideApply": ("true", "false"),
}


class ManifestError(ValueError):
    """A manifest that cannot be used; ``field`` names the offending path."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, order=True, slots=True)
class ResourceKey:
    """Identity of an object: group, kind, namespace ("" if cluster-scoped), name."""

    group: str
    kind: str
    namespace: str
    name: str

    @property
    def identity(self) -> str:
        """``Kind/namespace/name`` (``Kind/name`` when cluster-scoped): logs, tables, errors."""
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"

    @property
    def group_kind(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind

    def tracking_id(self, app: str, default_namespace: str = "") -> str:
        """``app:group/Kind:namespace/name`` as Argo CD's annotation tracking writes it."""
        return f"{app}:{self.group}/{self.kind}:{self.namespace or default_namespace}/{self.name}"

    def __str__(self) -> str:
        return self.identity

    @classmethod
    def of(cls, obj: dict[str, Any]) -> ResourceKey:
        api_version = str(obj.get("apiVersion") or "")
        group = api_version.rpartition("/")[0]
        md = obj.get("metadata") or {}
        return cls(group, str(obj.get("kind") or ""), str(md.get("namespace") or ""),
                   str(md.get("name") or ""))


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a manifest came from: file (relative to the source root), document, line."""

    file: str
    document: int = 0
    line: int = 0

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        return f"{where} (document {self.document + 1})"


def csv(value: str) -> list[str]:
    """Argo CD's CSV annotations: split on commas, trim, drop empties, keep first of duplicates."""
    out: list[str] = []
    for part in value.split(","):
        p = part.strip()
        if p and p not in out:
            out.append(p)
    return out


def parse_int(value: str) -> int | None:
    """Go's ``strconv.Atoi``: optional sign, decimal digits, no spaces."""
    text = value
    if text[:1] in "+-":
        text = text[1:]
    if not text.isdigit() or not text.isascii():
        return None
    n = int(value)
    return n if -(2**63) <= n < 2**63 else None


@dataclass
class Resource:
    """A desired object as rendered from Git, with what its annotations say."""

    obj: dict[str, Any]
    origin: Origin | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def key(self) -> ResourceKey:
        return ResourceKey.of(self.obj)

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion") or "")

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind") or "")

    @property
    def annotations(self) -> dict[str, str]:
        return dict((self.obj.get("metadata") or {}).get("annotations") or {})

    # --- waves and hooks --------------------------------------------------------------------

    @cached_property
    def wave(self) -> int:
        """Sync wave: the sync-wave annotation, else the Helm hook weight, else 0."""
        a = self.annotations
        for key in (ann.SYNC_WAVE, ann.HELM_HOOK_WEIGHT):
            if key in a:
                n = parse_int(str(a[key]))
                if n is None:
                    raise ManifestError(f'annotation {key}: "{a[key]}" is not an integer',
                                        f"metadata.annotations.{key}")
                return n
        return 0

    @cached_property
    def hook_types(self) -> tuple[HookType, ...]:
        """Hook types from the Argo CD annotation, else from Helm's; () for a plain resource."""
        a = self.annotations
        if ann.HOOK in a:
            out = []
            for value in csv(str(a[ann.HOOK])):
                try:
                    out.append(HookType(value))
                except ValueError:
                    allowed = ", ".join(h.value for h in HookType)
                    raise ManifestError(f'annotation {ann.HOOK}: unknown hook "{value}" '
                                        f"(expected {allowed})",
                                        f"metadata.annotations.{ann.HOOK}") from None
            return tuple(out)
        if ann.HELM_HOOK in a:
            values = csv(str(a[ann.HELM_HOOK]))
            if values == ["crd-install"]:
                return ()
            return tuple(dict.fromkeys(_HELM_HOOKS[v] for v in values if v in _HELM_HOOKS))
        return ()

    @property
    def is_hook(self) -> bool:
        a = self.annotations
        if ann.HOOK in a:
            return True
        return ann.HELM_HOOK in a and csv(str(a[ann.HELM_HOOK])) != ["crd-install"]

    @property
    def is_skipped(self) -> bool:
        """Never applied: only ``Skip``, delete-time hooks, or Helm hooks like ``test``."""
        return self.is_hook and not any(t.is_sync_phase for t in self.hook_types)

    @cached_property
    def delete_policies(self) -> tuple[HookDeletePolicy, ...]:
        """Union of Argo CD and Helm delete policies; BeforeHookCreation when none is given."""
        a = self.annotations
        out: list[HookDeletePolicy] = []
        if ann.HOOK_DELETE_POLICY in a:
            for value in csv(str(a[ann.HOOK_DELETE_POLICY])):
                try:
                    out.append(HookDeletePolicy(value))
                except ValueError:
                    allowed = ", ".join(p.value for p in HookDeletePolicy)
                    raise ManifestError(
                        f'annotation {ann.HOOK_DELETE_POLICY}: unknown policy "{value}" '
                        f"(expected {allowed})",
                        f"metadata.annotations.{ann.HOOK_DELETE_POLICY}") from None
        for value in csv(str(a.get(ann.HELM_HOOK_DELETE_POLICY, ""))):
            if value in _HELM_DELETE and _HELM_DELETE[value] not in out:
                out.append(_HELM_DELETE[value])
        return tuple(out) or (HookDeletePolicy.BEFORE_HOOK_CREATION,)

    # --- options ----------------------------------------------------------------------------

    @cached_property
    def sync_options(self) -> dict[str, str]:
        """``argocd.argoproj.io/sync-options: A=b,C=d`` as a mapping; bad entries are errors."""
        raw = self.annotations.get(ann.SYNC_OPTIONS)
        return parse_options(str(raw), RESOURCE_SYNC_OPTIONS, ann.SYNC_OPTIONS) if raw else {}

    def option(self, name: str) -> str | None:
        return self.sync_options.get(name)

    @property
    def ignores_health(self) -> bool:
        return self.annotations.get(ann.IGNORE_HEALTHCHECK) == "true"

    def validate(self) -> None:
        """Parse every annotation gitsync reads, so a bad value fails before anything runs."""
        _ = (self.wave, self.hook_types, self.delete_policies, self.sync_options)


def parse_options(raw: str, allowed: dict[str, tuple[str, ...] | None],
                  where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in csv(raw):
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise ManifestError(f'{where}: "{item}" is not of the form Name=value',
                                f"metadata.annotations.{where}")
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise ManifestError(f'{where}: unknown option "{name}" (known: {known})',
                                f"metadata.annotations.{where}")
        values = allowed[name]
        if values is not None and value.lower() not in values:
            raise ManifestError(f'{where}: {name}={value} is not one of '
                                f'{"|".join(values)}', f"metadata.annotations.{where}")
        out[name] = value.lower() if values is not None else value
    return out


@dataclass(frozen=True, slots=True)
class HealthReport:
    """The health of one object, with a message a human can act on."""

    status: HealthStatus
    message: str = ""
