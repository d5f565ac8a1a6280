"""Selective sync: ``--resource [!]GROUP:KIND:[NAMESPACE/]NAME`` filters, as ``argocd app sync``.

An empty group is the core group (``:Service:web``); ``*`` matches any text (a whole field as in
Argo CD, or part of one: ``web-*``); a leading ``!`` excludes. Without a namespace the filter
matches the name in any namespace. Includes are evaluated first (no includes: everything), then
any matching exclude wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from gitsync.errors import InvalidInputError
from gitsync.model.resource import ResourceKey

FORM = "[!]GROUP:KIND:[NAMESPACE/]NAME"
_HINT = ("write [!]GROUP:KIND:[NAMESPACE/]NAME, e.g. apps:Deployment:shop/web or :Service:web "
         "(empty group = core, * = any, leading ! = exclude)")


@dataclass(frozen=True)
class ResourceFilter:
    """One parsed ``--resource`` filter."""

    group: str
    kind: str
    #: None: any namespace (the filter named none)
    namespace: str | None
    name: str
    exclude: bool = False

    def matches(self, key: ResourceKey) -> bool:
        """Whether ``key`` is one of the objects this filter names."""
        return (_match(self.group, key.group) and _match(self.kind, key.kind)
                and (self.namespace is None or _match(self.namespace, key.namespace))
                and _match(self.name, key.name))

    def __str__(self) -> str:
        where = self.name if self.namespace is None else f"{self.namespace}/{self.name}"
        return f"{'!' if self.exclude else ''}{self.group}:{self.kind}:{where}"


def _match(pattern: str, value: str) -> bool:
    if "*" not in pattern:
        return pattern == value
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, value) is not None


def _invalid(text: str, why: str) -> InvalidInputError:
    return InvalidInputError(f'resource filter "{text}": {why}', hint=_HINT)


def parse_resource_filter(text: str) -> ResourceFilter:
    """Parse ``[!]GROUP:KIND:[NAMESPACE/]NAME``; a malformed filter is an InvalidInputError."""
    body = text.strip()
    exclude = body.startswith("!")
    if exclude:
        body = body[1:]
    fields = body.split(":")
    if len(fields) != 3:
        raise _invalid(text, f"expected {FORM}")
    group, kind, where = (f.strip() for f in fields)
    if "/" in group:
        raise _invalid(text, f'group "{group}" must not carry a version (write apps, not apps/v1)')
    if not kind or "/" in kind:
        raise _invalid(text, "the kind is missing (use * for any kind)")
    namespace: str | None = None
    if "/" in where:
        namespace, _, name = where.partition("/")
        if not namespace or "/" in name:
            raise _invalid(text, f'"{where}" is not NAMESPACE/NAME')
    else:
        name = where
    if not name:
        raise _invalid(text, "the name is missing (use * for any name)")
    return ResourceFilter(group, kind, namespace, name, exclude)


def parse_resource_filters(texts: Iterable[str]) -> tuple[ResourceFilter, ...]:
    """Parse every ``--resource`` value, in order."""
    return tuple(parse_resource_filter(t) for t in texts)


def is_selected(key: ResourceKey, filters: Iterable[ResourceFilter]) -> bool:
    """Includes first (none: everything), then any matching exclude wins."""
    flist = list(filters)
    includes = [f for f in flist if not f.exclude]
    chosen = not includes or any(f.matches(key) for f in includes)
    return chosen and not any(f.matches(key) for f in flist if f.exclude)


def check_filters(keys: Iterable[ResourceKey], filters: Iterable[ResourceFilter]) -> None:
    """Raise when a filter matches none of ``keys`` or the filters select nothing at all."""
    klist, flist = list(keys), list(filters)
    if not flist:
        return
    # a filter that names nothing is nearly always a typo; syncing the rest would hide it
    unmatched = [str(f) for f in flist if not any(f.matches(k) for k in klist)]
    if unmatched:
        quoted = ", ".join(f'"{u}"' for u in unmatched)
        which = "filter" if len(unmatched) == 1 else "filters"
        raise InvalidInputError(
            f"resource {which} {quoted} {'matches' if len(unmatched) == 1 else 'match'} no "
            f"resource of the application",
            hint=_HINT + "; hooks cannot be selected (selective syncs run no hooks)")
    if not any(is_selected(k, flist) for k in klist):
        shown = ", ".join(f'"{f}"' for f in flist)
        raise InvalidInputError(f"resource filters {shown} select no resource (every match is "
                                f"excluded)", hint=_HINT)
