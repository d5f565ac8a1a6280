"""Fetching from Git: one cached bare clone per repository, revisions resolved on every run.

``resolve`` asks the remote (``git ls-remote``) where a branch, tag or HEAD points now, and
fetches only that ref when the commit is not cached yet; ``checkout`` exports a commit into a
read-only folder that later runs reuse. Every cache change happens under the repository's
lock, so parallel gitsync processes neither corrupt nor duplicate work.
"""

from __future__ import annotations

from pathlib import Path

from gitsync.errors import InvalidInputError, OperationFailedError, UnreachableError
from gitsync.source.cache import RepoCache
from gitsync.source.export import export_tree
from gitsync.source.gitcmd import NETWORK_TIMEOUT, GitResult, run_git
from gitsync.source.refs import (
    FULL_SHA,
    RemoteRefs,
    Revision,
    RevisionKind,
    kind_of,
    looks_like_sha,
    match,
    parse_ls_remote,
)
from gitsync.source.urls import normalise, scrub

#: where the cache records the remote's HEAD (a symbolic ref to its default branch)
HEAD_REF = "refs/gitsync/HEAD"
_ALL_REFS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
# git archive would drop export-ignore files and expand export-subst: a checkout does neither
_ATTRIBUTES = "* -export-ignore -export-subst\n"


def resolve(repo_url: str, target_revision: str, *, offline: bool = False) -> Revision:
    """The commit ``target_revision`` (branch, tag, SHA, ``HEAD``) names now, fetched if new."""
    url = _checked(repo_url)
    cache = RepoCache.for_url(url)
    with cache.lock():
        if offline:
            return _resolve_offline(cache, target_revision)
        _init(cache)
    # asking the remote needs no lock: parallel runs on one repository overlap here
    remote = _ls_remote(cache)
    with cache.lock():
        rev = match(remote, target_revision)
        if rev is not None:
            _ensure(cache, rev)
            return rev
        if looks_like_sha(target_revision):
            return _resolve_commit(cache, target_revision.strip().lower(), remote)
    raise _not_found(target_revision, scrub(url), remote.listing())


def checkout(repo_url: str, sha: str) -> Path:
    """A read-only folder holding the files of commit ``sha`` (exported once, then reused)."""
    url = _checked(repo_url)
    sha = sha.strip().lower()
    if not FULL_SHA.match(sha):
        raise InvalidInputError(f"checkout needs a full commit SHA, not '{sha}'",
                                hint="resolve the revision first")
    cache = RepoCache.for_url(url)
    tree = cache.tree(sha)
    if tree.is_dir():
        return tree
    with cache.lock():
        if tree.is_dir():  # another process exported it while this one waited
            return tree
        _init(cache)
        if not _has_commit(cache, sha):
            _fetch(cache, _ALL_REFS)
            if not _has_commit(cache, sha):
                _fetch(cache, [f"+{sha}:refs/gitsync/commits/{sha}"], check=False)
            if not _has_commit(cache, sha):
                raise InvalidInputError(f"commit {sha} not found in {scrub(url)}")
        export_tree(cache, sha, tree)
    return tree


# --- resolution ---------------------------------------------------------------------------


def _ensure(cache: RepoCache, rev: Revision) -> None:
    if not _has_commit(cache, rev.sha):
        detached_head = rev.kind is RevisionKind.HEAD and rev.ref == "HEAD"
        _fetch(cache, ["HEAD"] if detached_head else [f"+{rev.ref}:{rev.ref}"])
        if not _has_commit(cache, rev.sha):
            raise UnreachableError(f"{scrub(cache.url)}: {rev.ref} moved while it was being "
                                   f"fetched", hint="run the command again")
    # record what this run saw, so that an --offline run resolves the same way
    if rev.ref != "HEAD":
        _local(cache, ["update-ref", rev.ref, rev.sha])
    if rev.kind is RevisionKind.HEAD:
        if rev.ref != "HEAD":
            _local(cache, ["symbolic-ref", HEAD_REF, rev.ref])
        else:
            _local(cache, ["update-ref", "--no-deref", HEAD_REF, rev.sha])


def _resolve_commit(cache: RepoCache, text: str, remote: RemoteRefs) -> Revision:
    sha = _rev_parse(cache, text)
    if sha is None:
        _fetch(cache, _ALL_REFS)
        sha = _rev_parse(cache, text)
    if sha is None and FULL_SHA.match(text):
        # some servers (GitHub among them) serve commits no branch or tag points at
        _fetch(cache, [f"+{text}:refs/gitsync/commits/{text}"], check=False)
        sha = _rev_parse(cache, text)
    if sha is None:
        raise _not_found(text, scrub(cache.url), remote.listing())
    return Revision(sha, text, RevisionKind.COMMIT)


def _resolve_offline(cache: RepoCache, target_revision: str) -> Revision:
    url = scrub(cache.url)
    if not (cache.git_dir / "HEAD").is_file():
        raise InvalidInputError(f"{url} is not in the Git cache ({cache.root})",
                                hint="run once without --offline to fetch it")
    rev = target_revision.strip() or "HEAD"
    if rev == "HEAD":
        sha = _rev_parse(cache, HEAD_REF)
        if sha is not None:
            target = _local(cache, ["symbolic-ref", "-q", HEAD_REF], check=False)
            return Revision(sha, target.out.strip() or "HEAD", RevisionKind.HEAD)
    else:
        for candidate in (rev, f"refs/tags/{rev}", f"refs/heads/{rev}"):
            if candidate.startswith("refs/") and (sha := _rev_parse(cache, candidate)):
                return Revision(sha, candidate, kind_of(candidate))
        if looks_like_sha(rev) and (sha := _rev_parse(cache, rev.lower())):
            return Revision(sha, rev.lower(), RevisionKind.COMMIT)
    listed = _local(cache, ["for-each-ref", "--format=%(refname)"], check=False)
    cached = RemoteRefs({name: "" for name in listed.out.split()})
    raise InvalidInputError(f"revision '{rev}' not found in the cache of {url} (offline): "
                            f"{cached.listing()}", hint="run without --offline to fetch it")


def _not_found(revision: str, url: str, listing: str) -> InvalidInputError:
    return InvalidInputError(f"revision '{revision.strip()}' not found in {url}: {listing}",
                             hint="set targetRevision to a branch, a tag or a commit SHA of "
                                  "the repository")


# --- git commands -------------------------------------------------------------------------


def _checked(repo_url: str) -> str:
    url = normalise(repo_url)
    # a URL starting with "-" would be read by git as an option (--upload-pack=...)
    if not url or url.startswith("-"):
        raise InvalidInputError(f"invalid repository URL '{scrub(repo_url)}'")
    return url


def _init(cache: RepoCache) -> None:
    if (cache.git_dir / "HEAD").is_file():
        return
    _local(cache, ["init", "--bare", "--quiet", str(cache.git_dir)], in_repo=False)
    info = cache.git_dir / "info"
    info.mkdir(exist_ok=True)
    (info / "attributes").write_text(_ATTRIBUTES)


def _ls_remote(cache: RepoCache) -> RemoteRefs:
    url = cache.url
    # run inside the cache's own repository, so that the config of whatever repository the
    # user stands in (url.insteadOf, hooks) plays no part
    res = run_git(["ls-remote", "--symref", url], cwd=cache.git_dir, timeout=NETWORK_TIMEOUT)
    if not res.ok:
        raise UnreachableError(f"cannot reach Git repository {scrub(url)}: {res.summary()}",
                               hint=f"check the URL, the network and your git credentials "
                                    f"(`git ls-remote {scrub(url)}` should work)")
    return parse_ls_remote(res.out)


def _fetch(cache: RepoCache, refspecs: list[str], *, check: bool = True) -> bool:
    res = run_git(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", cache.url,
                   *refspecs], cwd=cache.git_dir, timeout=NETWORK_TIMEOUT)
    if not res.ok and check:
        raise UnreachableError(f"fetching {', '.join(refspecs)} from {scrub(cache.url)} "
                               f"failed: {res.summary()}")
    return res.ok


def _has_commit(cache: RepoCache, sha: str) -> bool:
    return _local(cache, ["cat-file", "-e", f"{sha}^{{commit}}"], check=False).ok


def _rev_parse(cache: RepoCache, name: str) -> str | None:
    res = _local(cache, ["rev-parse", "--verify", f"{name}^{{commit}}"], check=False)
    if res.ok:
        return res.out.strip()
    if "ambiguous" in res.err:
        raise InvalidInputError(f"short SHA '{name}' is ambiguous in {scrub(cache.url)}",
                                hint="use more hex digits, or the full commit SHA")
    return None


def _local(cache: RepoCache, args: list[str], *, check: bool = True,
           in_repo: bool = True) -> GitResult:
    res = run_git(args, cwd=cache.git_dir if in_repo else None)
    if check and not res.ok:
        raise OperationFailedError(f"git {args[0]} failed in the cache of {scrub(cache.url)}: "
                                   f"{res.summary()}",
                                   hint=f"delete {cache.root} to rebuild the cache")
    return res
