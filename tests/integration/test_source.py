"""gitsync.source against real Git repositories made in tmp_path (file:// URLs and paths)."""

from __future__ import annotations

import importlib
import os
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gitsync.errors import InvalidInputError, UnreachableError
from gitsync.model.application import (
    Application,
    AppSource,
    Destination,
    KustomizeSource,
)
from gitsync.source import RevisionKind, checkout, render, resolve
from gitsync.source import git as gitmod
from gitsync.source.cache import RepoCache
from gitsync.source.gitcmd import GitResult, run_git

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  value: '{value}'\n"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


class Remote:
    """A Git repository the tests commit to, as a user's remote would change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "-q", "-b", "main")

    @property
    def url(self) -> str:
        return self.path.as_uri()

    def commit(self, files: dict[str, str], message: str = "change") -> str:
        for rel, text in files.items():
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "-m", message)
        return git(self.path, "rev-parse", "HEAD")


@pytest.fixture(autouse=True)
def hermetic_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A private cache and no user or system git configuration."""
    monkeypatch.setenv("GITSYNC_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "gitconfig").write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{var}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{var}_EMAIL", "test@example.com")


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    """main (2 commits), dev (1 more), lightweight tag v1, annotated tag v2."""
    r = Remote(tmp_path / "remote")
    r.commit({"app/cm.yaml": CM.format(name="cm", value="1")}, "first")
    git(r.path, "tag", "v1")
    r.commit({"app/cm.yaml": CM.format(name="cm", value="2")}, "second")
    git(r.path, "tag", "-a", "v2", "-m", "release 2")
    git(r.path, "checkout", "-q", "-b", "dev")
    r.commit({"app/extra.yaml": CM.format(name="extra", value="dev")}, "dev work")
    git(r.path, "checkout", "-q", "main")
    return r


@pytest.fixture
def git_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """Every git command gitsync.source.git runs, recorded."""
    calls: list[list[str]] = []
    def record(args: list[str], **kw: Any) -> GitResult:
        calls.append(args)
        return run_git(args, **kw)

    monkeypatch.setattr(gitmod, "run_git", record)
    yield calls


def fetches(calls: list[list[str]]) -> list[list[str]]:
    return [c[4:] for c in calls if c[0] == "fetch"]


def sha_of(remote: Remote, rev: str) -> str:
    return git(remote.path, "rev-parse", f"{rev}^{{commit}}")


# --- resolve ------------------------------------------------------------------------------


@pytest.mark.parametrize(("revision", "ref", "kind", "expect"), [
    ("HEAD", "refs/heads/main", RevisionKind.HEAD, "main"),
    ("", "refs/heads/main", RevisionKind.HEAD, "main"),
    ("main", "refs/heads/main", RevisionKind.BRANCH, "main"),
    ("dev", "refs/heads/dev", RevisionKind.BRANCH, "dev"),
    ("refs/heads/dev", "refs/heads/dev", RevisionKind.BRANCH, "dev"),
    ("v1", "refs/tags/v1", RevisionKind.TAG, "v1"),
    ("v2", "refs/tags/v2", RevisionKind.TAG, "v2"),
], ids=["HEAD", "empty", "branch", "other-branch", "full-ref", "tag", "annotated-tag"])
@pytest.mark.parametrize("as_path", [False, True], ids=["file-url", "path"])
def test_resolve_names(remote: Remote, revision: str, ref: str, kind: RevisionKind,
                       expect: str, as_path: bool) -> None:
    url = str(remote.path) if as_path else remote.url
    rev = resolve(url, revision)
    assert (rev.sha, rev.ref, rev.kind) == (sha_of(remote, expect), ref, kind)


def test_resolve_full_and_short_sha(remote: Remote) -> None:
    first = sha_of(remote, "v1")
    dev = sha_of(remote, "dev")
    assert resolve(remote.url, first).sha == first
    short = resolve(remote.url, dev[:8].upper())
    assert (short.sha, short.ref, short.kind) == (dev, dev[:8].lower(), RevisionKind.COMMIT)


def test_relative_path_url(remote: Remote, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(remote.path.parent)
    assert resolve("remote", "main").sha == sha_of(remote, "main")


def test_only_the_needed_ref_is_fetched(remote: Remote, git_calls: list[list[str]]) -> None:
    resolve(remote.url, "main")
    assert fetches(git_calls) == [[remote.url, "+refs/heads/main:refs/heads/main"]]
    cache = RepoCache.for_url(remote.url)
    refs = git(cache.git_dir, "for-each-ref", "--format=%(refname)").split()
    assert refs == ["refs/heads/main"]


def test_moved_branch_is_re_resolved_and_fetched_incrementally(
        remote: Remote, git_calls: list[list[str]]) -> None:
    before = resolve(remote.url, "main")
    git_calls.clear()
    assert resolve(remote.url, "main") == before
    assert fetches(git_calls) == []  # asked the remote (ls-remote), nothing new to fetch
    assert [c[0] for c in git_calls].count("ls-remote") == 1
    moved = remote.commit({"app/cm.yaml": CM.format(name="cm", value="3")}, "third")
    after = resolve(remote.url, "main")
    assert after.sha == moved != before.sha
    assert fetches(git_calls) == [[remote.url, "+refs/heads/main:refs/heads/main"]]
    cache = RepoCache.for_url(remote.url)
    # the old commit is still there: the same clone was updated, not replaced
    git(cache.git_dir, "cat-file", "-e", f"{before.sha}^{{commit}}")
    assert git(cache.git_dir, "rev-list", "--count", "main") == "3"


def test_short_sha_of_a_branch_not_fetched_yet(remote: Remote,
                                               git_calls: list[list[str]]) -> None:
    resolve(remote.url, "main")
    dev = sha_of(remote, "dev")
    assert resolve(remote.url, dev[:7]).sha == dev
    assert fetches(git_calls)[-1][1:] == ["+refs/heads/*:refs/heads/*",
                                          "+refs/tags/*:refs/tags/*"]


def test_detached_remote_head(tmp_path: Path, remote: Remote) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(remote.path), str(bare))
    first = sha_of(remote, "v1")
    git(bare, "update-ref", "--no-deref", "HEAD", first)
    rev = resolve(str(bare), "HEAD")
    assert (rev.sha, rev.ref, rev.kind) == (first, "HEAD", RevisionKind.HEAD)
    assert resolve(str(bare), "HEAD", offline=True) == rev


def test_unknown_revision_lists_branches_and_tags(remote: Remote) -> None:
    with pytest.raises(InvalidInputError) as info:
        resolve(remote.url, "nope")
    assert info.value.message == (f"revision 'nope' not found in {remote.url}: "
                                  f"branches dev, main; tags v1, v2")


def test_unknown_short_sha(remote: Remote) -> None:
    with pytest.raises(InvalidInputError) as info:
        resolve(remote.url, "0000000")
    assert info.value.message.startswith(f"revision '0000000' not found in {remote.url}: ")


def test_unreachable_local_remote(tmp_path: Path) -> None:
    with pytest.raises(UnreachableError) as info:
        resolve(str(tmp_path / "missing"), "main")
    assert info.value.message.startswith(
        f"cannot reach Git repository {tmp_path / 'missing'}: fatal: '{tmp_path / 'missing'}' "
        f"does not appear to be a git repository")
    assert info.value.exit_code == 11
    assert "\n" not in info.value.message


def test_credentials_never_reach_a_message() -> None:
    # port 1 on loopback refuses at once: an unreachable https remote without waiting
    with pytest.raises(UnreachableError) as info:
        resolve("https://alice:s3cret@127.0.0.1:1/repo.git", "main")
    text = f"{info.value.message} {info.value.hint}"
    assert "s3cret" not in text and "alice" not in text
    assert info.value.message.startswith(
        "cannot reach Git repository https://127.0.0.1:1/repo.git: ")


def test_option_like_url_is_refused() -> None:
    # scp-like syntax starting with "-" would reach ssh as an option
    with pytest.raises(InvalidInputError) as info:
        resolve("-oProxyCommand=touch:repo", "main")
    assert info.value.message == "invalid repository URL '-oProxyCommand=touch:repo'"


# --- offline ------------------------------------------------------------------------------


def test_offline_uses_what_the_last_run_saw(remote: Remote) -> None:
    seen = resolve(remote.url, "main")
    tag = resolve(remote.url, "v2")
    head = resolve(remote.url, "HEAD")
    remote.commit({"app/cm.yaml": CM.format(name="cm", value="9")}, "later")
    assert resolve(remote.url, "main", offline=True) == seen
    assert resolve(remote.url, "v2", offline=True) == tag
    assert resolve(remote.url, "HEAD", offline=True) == head
    short = resolve(remote.url, seen.sha[:9], offline=True)
    assert (short.sha, short.kind) == (seen.sha, RevisionKind.COMMIT)


def test_offline_without_cache(remote: Remote, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as info:
        resolve(remote.url, "main", offline=True)
    cache = RepoCache.for_url(remote.url)
    assert info.value.message == f"{remote.url} is not in the Git cache ({cache.root})"
    assert info.value.hint == "run once without --offline to fetch it"


def test_offline_unknown_revision(remote: Remote) -> None:
    resolve(remote.url, "main")
    with pytest.raises(InvalidInputError) as info:
        resolve(remote.url, "dev", offline=True)
    assert info.value.message == (f"revision 'dev' not found in the cache of {remote.url} "
                                  f"(offline): branches main; tags none")


# --- checkout -----------------------------------------------------------------------------


def test_checkout_exports_a_read_only_tree_once(remote: Remote,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    rev = resolve(remote.url, "v1")
    tree = checkout(remote.url, rev.sha)
    assert (tree / "app/cm.yaml").read_text() == CM.format(name="cm", value="1")
    assert not (tree / ".git").exists()
    mode = (tree / "app/cm.yaml").stat().st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)

    def no_export(*args: object) -> None:
        raise AssertionError("exported twice")

    assert checkout(str(remote.path), rev.sha) != tree  # another URL, another cache
    monkeypatch.setattr(gitmod, "export_tree", no_export)
    assert checkout(remote.url, rev.sha) == tree


def test_checkout_keeps_export_ignored_files_symlinks_and_modes(remote: Remote) -> None:
    (remote.path / "run.sh").write_text("#!/bin/sh\n")
    (remote.path / "run.sh").chmod(0o755)
    os.symlink("app/cm.yaml", remote.path / "link.yaml")
    sha = remote.commit({".gitattributes": "app/* export-ignore\n"}, "attrs")
    tree = checkout(remote.url, resolve(remote.url, "main").sha)
    assert sha == resolve(remote.url, "main").sha
    assert (tree / "app/cm.yaml").is_file()
    assert os.readlink(tree / "link.yaml") == "app/cm.yaml"
    assert os.access(tree / "run.sh", os.X_OK)


def test_checkout_fetches_a_commit_it_has_not_seen(remote: Remote) -> None:
    dev = sha_of(remote, "dev")
    tree = checkout(remote.url, dev)
    assert (tree / "app/extra.yaml").is_file()


def test_checkout_errors(remote: Remote) -> None:
    with pytest.raises(InvalidInputError) as info:
        checkout(remote.url, "abc1234")
    assert info.value.message == "checkout needs a full commit SHA, not 'abc1234'"
    with pytest.raises(InvalidInputError) as info:
        checkout(remote.url, "0" * 40)
    assert info.value.message == f"commit {'0' * 40} not found in {remote.url}"


def test_parallel_runs_share_one_cache(remote: Remote) -> None:
    results: list[Path] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            rev = resolve(remote.url, "main")
            results.append(checkout(remote.url, rev.sha))
        except BaseException as exc:  # collected: the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(set(results)) == 1 and len(results) == 6
    trees = RepoCache.for_url(remote.url).trees
    assert [p.name for p in trees.iterdir()] == [sha_of(remote, "main")]


# --- end to end: resolve, checkout, render -------------------------------------------------


def app(path: str, repo_url: str, **source: Any) -> Application:
    return Application("demo", AppSource(repo_url, path, "main", **source),
                       Destination(server="https://kubernetes.default.svc", namespace="dest"))


def namespaced(group: str, kind: str) -> bool | None:
    return kind != "Namespace"


def test_render_a_kustomize_overlay_from_git(remote: Remote) -> None:
    remote.commit({
        "base/kustomization.yaml": "resources: [cm.yaml]\n",
        "base/cm.yaml": CM.format(name="settings", value="base"),
        "overlays/prod/kustomization.yaml": "resources: [../../base]\n",
    })
    rev = resolve(remote.url, "main")
    root = checkout(remote.url, rev.sha)
    got = render(app("overlays/prod", remote.url,
                     kustomize=KustomizeSource(name_prefix="prod-",
                                               common_labels={"env": "prod"})),
                 root, namespaced=namespaced, validate=True)
    assert [r.key.identity for r in got] == ["ConfigMap/dest/prod-settings"]
    assert got[0].obj["metadata"]["labels"] == {"env": "prod"}


def test_render_refuses_a_committed_symlink_out_of_the_repository(remote: Remote) -> None:
    os.symlink("/etc/passwd", remote.path / "app" / "passwd.yaml")
    remote.commit({}, "sneaky")
    root = checkout(remote.url, resolve(remote.url, "main").sha)
    with pytest.raises(InvalidInputError) as info:
        render(app("app", remote.url), root, namespaced=namespaced, validate=True)
    assert info.value.message == "app/passwd.yaml: symlink points outside the repository " \
                                 "(/etc/passwd)"


def test_render_directory_from_git_names_files_relative_to_the_repository(
        remote: Remote) -> None:
    root = checkout(remote.url, resolve(remote.url, "dev").sha)
    got = render(app("app", remote.url), root, namespaced=namespaced, validate=True)
    assert [str(r.origin) for r in got] == ["app/cm.yaml:1 (document 1)",
                                            "app/extra.yaml:1 (document 1)"]


def test_an_export_is_checked_for_symlinks_once(remote: Remote,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # the package re-exports render(), which hides the module of the same name
    render_mod = importlib.import_module("gitsync.source.render")
    walks: list[Path] = []
    real = render_mod.check_symlinks

    def counting(path: Path) -> None:
        walks.append(path)
        real(path)

    monkeypatch.setattr(render_mod, "check_symlinks", counting)
    root = checkout(remote.url, resolve(remote.url, "main").sha)
    for _ in range(3):
        render(app("app", remote.url), root, namespaced=namespaced, validate=True)
    assert walks == [root.resolve()]
