"""The Applications and AppProjects found in ``--apps`` files, checked against each other."""

from __future__ import annotations

from dataclasses import dataclass, field

from gitsync.errors import InvalidInputError
from gitsync.model.application import Application, parse_application
from gitsync.model.project import DEFAULT_PROJECT, AppProject, parse_project
from gitsync.model.reader import Reader
from gitsync.model.resource import Origin
from gitsync.model.yamldoc import Document

APP_KIND = "Application"
PROJECT_KIND = "AppProject"


@dataclass
class Catalog:
    apps: dict[str, Application] = field(default_factory=dict)
    projects: dict[str, AppProject] = field(default_factory=dict)

    def app(self, name: str) -> Application:
        """The named app, or an error listing what was found."""
        if name in self.apps:
            return self.apps[name]
        known = ", ".join(sorted(self.apps)) or "none"
        raise InvalidInputError(f"application {name} not found (found: {known})",
                                hint="point --apps (or GITSYNC_APPS) at the files or folders "
                                     "holding your Application manifests")

    def project(self, app: Application) -> AppProject:
        if app.project in self.projects:
            return self.projects[app.project]
        if app.project == "default":
            return DEFAULT_PROJECT
        origin = f"{app.origin}: " if app.origin else ""
        raise InvalidInputError(f"{origin}application {app.name}: project {app.project} not "
                                f"found (found: {', '.join(sorted(self.projects)) or 'none'})",
                                hint="add the AppProject manifest to --apps, or use project "
                                     "default")


def build_catalog(documents: list[tuple[str, Document]]) -> Catalog:
    """Parse every Application and AppProject document; other kinds are ignored."""
    cat = Catalog()
    for file, doc in documents:
        if not isinstance(doc.value, dict):
            continue
        kind = doc.value.get("kind")
        if kind not in (APP_KIND, PROJECT_KIND):
            continue
        name = (doc.value.get("metadata") or {}).get("name") or "?"
        reader = Reader(doc, file, f"{kind} {name}")
        origin = Origin(file, doc.index, doc.line)
        if kind == APP_KIND:
            app = parse_application(reader, origin)
            if app.name in cat.apps:
                raise InvalidInputError(f"{origin}: application {app.name} is defined twice "
                                        f"(first in {cat.apps[app.name].origin})")
            cat.apps[app.name] = app
        else:
            proj = parse_project(reader, origin)
            if proj.name in cat.projects:
                raise InvalidInputError(f"{origin}: AppProject {proj.name} is defined twice")
            cat.projects[proj.name] = proj
    return cat
