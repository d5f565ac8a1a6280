"""``AppProject`` restrictions: source repositories, destinations, allowed resource kinds."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from gitsync.errors import InvalidInputError
from gitsync.model.application import Application
from gitsync.model.reader import Reader
from gitsync.model.resource import Origin


@dataclass(frozen=True)
class GroupKind:
    group: str
    kind: str

    def matches(self, group: str, kind: str) -> bool:
        return fnmatch.fnmatchcase(group, self.group) and fnmatch.fnmatchcase(kind, self.kind)

    def __str__(self) -> str:
        group = self.group or '""'
        return f"{group}/{self.kind}"


@dataclass(frozen=True)
class ProjectDestination:
    server: str = ""
    name: str = ""
    namespace: str = ""


@dataclass(frozen=True)
class AppProject:
    """What apps of a project may deploy from where to where. Globs match as Argo CD's."""

    name: str
    source_repos: tuple[str, ...] = ("*",)
    destinations: tuple[ProjectDestination, ...] = (ProjectDestination("*", "*", "*"),)
    cluster_allow: tuple[GroupKind, ...] = (GroupKind("*", "*"),)
    cluster_deny: tuple[GroupKind, ...] = ()
    namespace_allow: tuple[GroupKind, ...] | None = None
    namespace_deny: tuple[GroupKind, ...] = ()
    origin: Origin | None = field(default=None, compare=False)

    def check_app(self, app: Application) -> None:
        """Raise naming the rule when the app's source or destination is not permitted."""
        repo = app.source.repo_url
        if not any(fnmatch.fnmatchcase(repo, g) for g in self.source_repos):
            raise InvalidInputError(
                f"application {app.name}: repository {repo} is not permitted in project "
                f"{self.name} (sourceRepos: {', '.join(self.source_repos) or 'none'})",
                hint=f"add it to spec.sourceRepos of AppProject {self.name}")
        d = app.destination
        for allowed in self.destinations:
            target_ok = ((d.server and allowed.server and fnmatch.fnmatchcase(d.server,
                                                                             allowed.server))
                         or (d.name and allowed.name and fnmatch.fnmatchcase(d.name,
                                                                            allowed.name)))
            if target_ok and fnmatch.fnmatchcase(d.namespace, allowed.namespace or "*"):
                return
        raise InvalidInputError(
            f"application {app.name}: destination {d} is not permitted in project {self.name} "
            f"(destinations: {self._destinations()})",
            hint=f"add it to spec.destinations of AppProject {self.name}")

    def _destinations(self) -> str:
        return ", ".join(f"{x.name or x.server}/{x.namespace or '*'}"
                         for x in self.destinations) or "none"

    def resource_violation(self, group: str, kind: str, namespaced: bool) -> str | None:
        """Why this project refuses a resource kind, or None when it is permitted."""
        scope = "namespace" if namespaced else "cluster"
        deny = self.namespace_deny if namespaced else self.cluster_deny
        for rule in deny:
            if rule.matches(group, kind):
                return (f"{kind} ({group or 'core'}) is denied by project {self.name} "
                        f"({scope}ResourceBlacklist {rule})")
        allow = self.namespace_allow if namespaced else self.cluster_allow
        if allow is not None and not any(rule.matches(group, kind) for rule in allow):
            return (f"{kind} ({group or 'core'}) is not permitted by project {self.name} "
                    f"({scope}ResourceWhitelist: {', '.join(map(str, allow)) or 'none'})")
        return None


DEFAULT_PROJECT = AppProject(name="default")


def parse_project(r: Reader, origin: Origin | None = None) -> AppProject:
    name = r.string("metadata.name", required=True)

    def group_kinds(path: str) -> tuple[GroupKind, ...]:
        out = []
        for i, _ in enumerate(r.sequence(path)):
            out.append(GroupKind(r.string(f"{path}.{i}.group"),
                                 r.string(f"{path}.{i}.kind", required=True)))
        return tuple(out)

    dests = []
    for i, _ in enumerate(r.sequence("spec.destinations")):
        p = f"spec.destinations.{i}"
        dests.append(ProjectDestination(r.string(f"{p}.server"), r.string(f"{p}.name"),
                                        r.string(f"{p}.namespace")))
    return AppProject(
        name=name,
        source_repos=tuple(r.strings("spec.sourceRepos")),
        destinations=tuple(dests),
        # Argo CD denies cluster-scoped kinds unless whitelisted
        cluster_allow=group_kinds("spec.clusterResourceWhitelist"),
        cluster_deny=group_kinds("spec.clusterResourceBlacklist"),
        namespace_allow=(group_kinds("spec.namespaceResourceWhitelist")
                         if r.has("spec.namespaceResourceWhitelist") else None),
        namespace_deny=group_kinds("spec.namespaceResourceBlacklist"),
        origin=origin,
    )
