"""Argo CD ``Application`` manifests (``argoproj.io/v1alpha1``), accepted unchanged."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gitsync.model.reader import Reader
from gitsync.model.resource import Origin

API_VERSION = "argoproj.io/v1alpha1"
DEFAULT_HISTORY_LIMIT = 10
IN_CLUSTER = "https://kubernetes.default.svc"

#: app-level sync options and their allowed values (None: any value)
APP_SYNC_OPTIONS: dict[str, tuple[str, ...] | None] = {
    "Prune": ("true", "false", "confirm"),
    "Delete": ("true", "false", "confirm"),
    "Validate": ("true", "false"),
    "SkipDryRunOnMissingResource": ("true", "false"),
    "PruneLast": ("true", "false"),
    "ApplyOutOfSyncOnly": ("true", "false"),
    "PrunePropagationPolicy": ("foreground", "background", "orphan"),
    "Replace": ("true", "false"),
    "ServerSideApply": ("true", "false"),
    "ClientSideApplyMigration": ("true", "false"),
    "CreateNamespace": ("true", "false"),
    "FailOnSharedResource": ("true", "false"),
    "RespectIgnoreDifferences": ("true", "false"),
}


@dataclass(frozen=True)
class DirectorySource:
    recurse: bool = False
    include: str = ""
    exclude: str = ""


@dataclass(frozen=True)
class KustomizeSource:
    images: tuple[str, ...] = ()
    name_prefix: str = ""
    name_suffix: str = ""
    namespace: str = ""
    common_labels: dict[str, str] = field(default_factory=dict)
    common_annotations: dict[str, str] = field(default_factory=dict)
    replicas: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class HelmParameter:
    name: str
    value: str
    force_string: bool = False


@dataclass(frozen=True)
class HelmSource:
    release_name: str = ""
    value_files: tuple[str, ...] = ()
    values: str = ""
    values_object: dict[str, Any] = field(default_factory=dict)
    parameters: tuple[HelmParameter, ...] = ()
    skip_crds: bool = False
    ignore_missing_value_files: bool = False


@dataclass(frozen=True)
class AppSource:
    repo_url: str
    path: str = "."
    target_revision: str = "HEAD"
    directory: DirectorySource | None = None
    kustomize: KustomizeSource | None = None
    helm: HelmSource | None = None


@dataclass(frozen=True)
class Destination:
    server: str = ""
    name: str = ""
    namespace: str = ""

    def __str__(self) -> str:
        target = self.name or self.server
        return f"{target}/{self.namespace}" if self.namespace else target


@dataclass(frozen=True)
class Automated:
    prune: bool = False
    self_heal: bool = False
    allow_empty: bool = False
    enabled: bool = True


@dataclass(frozen=True)
class Backoff:
    """Retry back-off in seconds (Argo CD defaults: 5 s, factor 2, at most 3 min)."""

    duration: float = 5.0
    factor: float = 2.0
    max_duration: float = 180.0


@dataclass(frozen=True)
class RetryStrategy:
    limit: int = 0
    backoff: Backoff = field(default_factory=Backoff)
    refresh: bool = False

    def delay(self, retries_done: int) -> float:
        """Wait before the next retry: duration * factor**retries, capped at max_duration."""
        wait = self.backoff.duration * self.backoff.factor ** retries_done
        if self.backoff.max_duration > 0:
            wait = min(wait, self.backoff.max_duration)
        return wait

    def allows(self, retries_done: int) -> bool:
        return self.limit < 0 or retries_done < self.limit


@dataclass(frozen=True)
class ManagedNamespaceMetadata:
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SyncPolicy:
    automated: Automated | None = None
    sync_options: dict[str, str] = field(default_factory=dict)
    retry: RetryStrategy | None = None
    managed_namespace_metadata: ManagedNamespaceMetadata | None = None

    @property
    def is_automated(self) -> bool:
        return self.automated is not None and self.automated.enabled

    def option(self, name: str) -> str | None:
        return self.sync_options.get(name)

    def describe(self) -> str:
        """``Automated (Prune, SelfHeal)`` / ``Manual``, as ``argocd app list`` prints it."""
        if not self.is_automated or self.automated is None:
            return "Manual"
        flags = [n for n, on in (("Prune", self.automated.prune),
                                 ("SelfHeal", self.automated.self_heal)) if on]
        return "Automated" + (f" ({', '.join(flags)})" if flags else "")


@dataclass(frozen=True)
class IgnoreDifference:
    kind: str
    group: str = ""
    name: str = ""
    namespace: str = ""
    json_pointers: tuple[str, ...] = ()
    jq_path_expressions: tuple[str, ...] = ()
    managed_fields_managers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Application:
    name: str
    source: AppSource
    destination: Destination
    project: str = "default"
    namespace: str = ""
    sync_policy: SyncPolicy = field(default_factory=SyncPolicy)
    ignore_differences: tuple[IgnoreDifference, ...] = ()
    revision_history_limit: int = DEFAULT_HISTORY_LIMIT
    origin: Origin | None = None


_GO_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h))+$")
_GO_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float | None:
    """Argo CD durations: a bare integer is seconds, else a Go duration (``2m``, ``1h30m``)."""
    text = text.strip()
    if re.fullmatch(r"\d+", text):
        return float(text)
    if not text or not _GO_DURATION.match(text):
        return None
    return sum(float(n) * _UNITS[u] for n, u in _GO_PART.findall(text))


def parse_application(r: Reader, origin: Origin | None = None) -> Application:
    """Build an Application from its manifest; ``r`` raises with the field's path."""
    if r.get("apiVersion") != API_VERSION:
        r.fail("apiVersion", f'must be "{API_VERSION}"')
    name = r.string("metadata.name", required=True)
    spec = r.mapping("spec", required=True)
    if "sources" in spec:
        r.fail("spec.sources", "multi-source Applications are not supported; use spec.source")
    source = _source(r)
    dest = _destination(r)
    return Application(
        name=name,
        namespace=r.string("metadata.namespace"),
        project=r.string("spec.project") or "default",
        source=source,
        destination=dest,
        sync_policy=_sync_policy(r),
        ignore_differences=_ignore_differences(r),
        revision_history_limit=r.integer("spec.revisionHistoryLimit",
                                         default=DEFAULT_HISTORY_LIMIT, minimum=0),
        origin=origin,
    )


def _source(r: Reader) -> AppSource:
    r.mapping("spec.source", required=True)
    for unsupported in ("chart", "plugin"):
        if r.has(f"spec.source.{unsupported}"):
            r.fail(f"spec.source.{unsupported}",
                   f"{unsupported} sources are not supported; point repoURL at a Git "
                   f"repository and path at the chart or manifests")
    if r.has("spec.source.directory.jsonnet"):
        r.fail("spec.source.directory.jsonnet", "jsonnet is not supported")
    directory = kustomize = helm = None
    if r.has("spec.source.directory"):
        directory = DirectorySource(
            recurse=r.boolean("spec.source.directory.recurse"),
            include=r.string("spec.source.directory.include"),
            exclude=r.string("spec.source.directory.exclude"))
    if r.has("spec.source.kustomize"):
        p = "spec.source.kustomize"
        replicas = []
        for i, _item in enumerate(r.sequence(f"{p}.replicas")):
            replicas.append((r.string(f"{p}.replicas.{i}.name", required=True),
                             r.integer(f"{p}.replicas.{i}.count", required=True, minimum=0)))
        kustomize = KustomizeSource(
            images=tuple(r.strings(f"{p}.images")),
            name_prefix=r.string(f"{p}.namePrefix"), name_suffix=r.string(f"{p}.nameSuffix"),
            namespace=r.string(f"{p}.namespace"),
            common_labels=r.string_map(f"{p}.commonLabels"),
            common_annotations=r.string_map(f"{p}.commonAnnotations"),
            replicas=tuple(replicas))
    if r.has("spec.source.helm"):
        p = "spec.source.helm"
        params = []
        for i, _item in enumerate(r.sequence(f"{p}.parameters")):
            params.append(HelmParameter(r.string(f"{p}.parameters.{i}.name", required=True),
                                        r.scalar_string(f"{p}.parameters.{i}.value"),
                                        r.boolean(f"{p}.parameters.{i}.forceString")))
        helm = HelmSource(
            release_name=r.string(f"{p}.releaseName"),
            value_files=tuple(r.strings(f"{p}.valueFiles")),
            values=r.string(f"{p}.values"),
            values_object=r.mapping(f"{p}.valuesObject"),
            parameters=tuple(params), skip_crds=r.boolean(f"{p}.skipCrds"),
            ignore_missing_value_files=r.boolean(f"{p}.ignoreMissingValueFiles"))
    if sum(x is not None for x in (directory, kustomize, helm)) > 1:
        r.fail("spec.source", "only one of directory, kustomize and helm may be set")
    path = r.string("spec.source.path") or "."
    return AppSource(repo_url=r.string("spec.source.repoURL", required=True), path=path,
                     target_revision=r.string("spec.source.targetRevision") or "HEAD",
                     directory=directory, kustomize=kustomize, helm=helm)


def _destination(r: Reader) -> Destination:
    r.mapping("spec.destination", required=True)
    server = r.string("spec.destination.server")
    name = r.string("spec.destination.name")
    if bool(server) == bool(name):
        r.fail("spec.destination", "exactly one of server and name must be set")
    return Destination(server=server, name=name,
                       namespace=r.string("spec.destination.namespace"))


def _sync_policy(r: Reader) -> SyncPolicy:
    p = "spec.syncPolicy"
    if not r.has(p):
        return SyncPolicy()
    automated = None
    if r.has(f"{p}.automated"):
        r.mapping(f"{p}.automated")
        automated = Automated(prune=r.boolean(f"{p}.automated.prune"),
                              self_heal=r.boolean(f"{p}.automated.selfHeal"),
                              allow_empty=r.boolean(f"{p}.automated.allowEmpty"),
                              enabled=r.boolean(f"{p}.automated.enabled", default=True))
    options: dict[str, str] = {}
    for i, item in enumerate(r.strings(f"{p}.syncOptions")):
        name, sep, value = item.partition("=")
        where = f"{p}.syncOptions.{i}"
        if not sep:
            r.fail(where, f'"{item}" is not of the form Name=value')
        if name not in APP_SYNC_OPTIONS:
            r.fail(where, f'unknown sync option "{name}" (known: '
                          f'{", ".join(sorted(APP_SYNC_OPTIONS))})')
        allowed = APP_SYNC_OPTIONS[name]
        if allowed is not None and value.lower() not in allowed:
            r.fail(where, f"{name}={value} is not one of {'|'.join(allowed)}")
        options[name] = value.lower() if allowed is not None else value
    retry = None
    if r.has(f"{p}.retry"):
        b = f"{p}.retry.backoff"
        backoff = Backoff(duration=_duration(r, f"{b}.duration", 5.0),
                          factor=float(r.number(f"{b}.factor", default=2, minimum=1)),
                          max_duration=_duration(r, f"{b}.maxDuration", 180.0))
        retry = RetryStrategy(limit=r.integer(f"{p}.retry.limit", default=0), backoff=backoff,
                              refresh=r.boolean(f"{p}.retry.refresh"))
    mnm = None
    if r.has(f"{p}.managedNamespaceMetadata"):
        mnm = ManagedNamespaceMetadata(
            labels=r.string_map(f"{p}.managedNamespaceMetadata.labels"),
            annotations=r.string_map(f"{p}.managedNamespaceMetadata.annotations"))
    return SyncPolicy(automated=automated, sync_options=options, retry=retry,
                      managed_namespace_metadata=mnm)


def _duration(r: Reader, path: str, default: float) -> float:
    raw = r.scalar_string(path)
    if not raw:
        return default
    value = parse_duration(raw)
    if value is None:
        r.fail(path, f'"{raw}" is not a duration (seconds, or a Go duration such as "2m")')
    return float(value or 0)


def _ignore_differences(r: Reader) -> tuple[IgnoreDifference, ...]:
    out = []
    for i, _item in enumerate(r.sequence("spec.ignoreDifferences")):
        p = f"spec.ignoreDifferences.{i}"
        pointers = r.strings(f"{p}.jsonPointers")
        for j, ptr in enumerate(pointers):
            if ptr and not ptr.startswith("/"):
                r.fail(f"{p}.jsonPointers.{j}", f'"{ptr}" is not a JSON pointer (must start '
                                               f'with "/")')
        out.append(IgnoreDifference(
            kind=r.string(f"{p}.kind", required=True), group=r.string(f"{p}.group"),
            name=r.string(f"{p}.name"), namespace=r.string(f"{p}.namespace"),
            json_pointers=tuple(pointers),
            jq_path_expressions=tuple(r.strings(f"{p}.jqPathExpressions")),
            managed_fields_managers=tuple(r.strings(f"{p}.managedFieldsManagers"))))
    return tuple(out)
