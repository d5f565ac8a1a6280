"""Revisions: what ``git ls-remote`` lists, and how a ``targetRevision`` resolves against it.

Names resolve as git's own rev-parse does (full ref, then tag, then branch); a name that is no
ref may be a commit SHA, full or abbreviated (7 to 39 hex digits, as Argo CD accepts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

FULL_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
SHORT_SHA = re.compile(r"^[0-9a-f]{7,39}$")
_LISTED = 10


class RevisionKind(StrEnum):
    BRANCH = "branch"
    TAG = "tag"
    COMMIT = "commit"
    HEAD = "HEAD"
    REF = "ref"


@dataclass(frozen=True)
class Revision:
    """A resolved revision: the commit, the ref it came from and what kind of name it was."""

    sha: str
    ref: str
    kind: RevisionKind

    @property
    def short(self) -> str:
        return self.sha[:7]

    def __str__(self) -> str:
        return f"{self.ref} ({self.short})" if self.ref != self.sha else self.short


@dataclass
class RemoteRefs:
    """Refs of a repository: full name to commit SHA (annotated tags peeled), and HEAD."""

    refs: dict[str, str] = field(default_factory=dict)
    head_sha: str = ""
    head_target: str = ""

    def names(self, prefix: str) -> list[str]:
        return sorted(r[len(prefix):] for r in self.refs if r.startswith(prefix))

    def listing(self) -> str:
        """``branches main, dev; tags v1`` (long lists cut), for not-found messages."""
        parts = []
        for label, prefix in (("branches", "refs/heads/"), ("tags", "refs/tags/")):
            names = self.names(prefix)
            shown = ", ".join(names[:_LISTED]) or "none"
            if len(names) > _LISTED:
                shown += f" (and {len(names) - _LISTED} more)"
            parts.append(f"{label} {shown}")
        return "; ".join(parts)


def parse_ls_remote(text: str) -> RemoteRefs:
    """Parse the output of ``git ls-remote --symref``."""
    out = RemoteRefs()
    peeled: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ref: "):
            target, _, name = line[5:].partition("\t")
            if name == "HEAD":
                out.head_target = target
            continue
        sha, _, name = line.partition("\t")
        if not name:
            continue
        if name == "HEAD":
            out.head_sha = sha
        elif name.endswith("^{}"):
            peeled[name[:-3]] = sha
        else:
            out.refs[name] = sha
    # an annotated tag's own object is not a commit; the peeled line names the commit
    out.refs.update(peeled)
    return out


def kind_of(ref: str) -> RevisionKind:
    if ref.startswith("refs/heads/"):
        return RevisionKind.BRANCH
    if ref.startswith("refs/tags/"):
        return RevisionKind.TAG
    return RevisionKind.REF


def match(remote: RemoteRefs, revision: str) -> Revision | None:
    """The ref ``revision`` names in ``remote`` (HEAD, full ref, tag, branch), or None."""
    rev = revision.strip() or "HEAD"
    if rev == "HEAD":
        if not remote.head_sha:
            return None
        return Revision(remote.head_sha, remote.head_target or "HEAD", RevisionKind.HEAD)
    for candidate in (rev, f"refs/tags/{rev}", f"refs/heads/{rev}"):
        if candidate.startswith("refs/") and candidate in remote.refs:
            return Revision(remote.refs[candidate], candidate, kind_of(candidate))
    return None


def looks_like_sha(revision: str) -> bool:
    text = revision.strip().lower()
    return bool(FULL_SHA.match(text) or SHORT_SHA.match(text))
