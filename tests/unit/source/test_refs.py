"""ls-remote parsing and how a targetRevision names a ref."""

from __future__ import annotations

import pytest

from gitsync.source.refs import (
    RemoteRefs,
    Revision,
    RevisionKind,
    looks_like_sha,
    match,
    parse_ls_remote,
)

A, B, C, T = "a" * 40, "b" * 40, "c" * 40, "d" * 40
LS_REMOTE = f"""\
ref: refs/heads/main\tHEAD
{A}\tHEAD
{A}\trefs/heads/main
{B}\trefs/heads/dev
{B}\trefs/heads/both
{C}\trefs/tags/both
{T}\trefs/tags/v1
{C}\trefs/tags/v1^{{}}
{A}\trefs/pull/7/head
"""


def test_parse_ls_remote_peels_annotated_tags() -> None:
    remote = parse_ls_remote(LS_REMOTE)
    assert remote.head_sha == A
    assert remote.head_target == "refs/heads/main"
    assert remote.refs["refs/tags/v1"] == C
    assert remote.names("refs/heads/") == ["both", "dev", "main"]


@pytest.mark.parametrize(("revision", "expected"), [
    ("HEAD", Revision(A, "refs/heads/main", RevisionKind.HEAD)),
    ("", Revision(A, "refs/heads/main", RevisionKind.HEAD)),
    ("main", Revision(A, "refs/heads/main", RevisionKind.BRANCH)),
    (" dev ", Revision(B, "refs/heads/dev", RevisionKind.BRANCH)),
    ("v1", Revision(C, "refs/tags/v1", RevisionKind.TAG)),
    ("both", Revision(C, "refs/tags/both", RevisionKind.TAG)),
    ("refs/heads/both", Revision(B, "refs/heads/both", RevisionKind.BRANCH)),
    ("refs/pull/7/head", Revision(A, "refs/pull/7/head", RevisionKind.REF)),
    ("nope", None),
    (A, None),
], ids=["HEAD", "empty", "branch", "spaces", "annotated-tag", "tag-before-branch",
        "full-ref", "other-ref", "unknown", "sha-is-not-a-ref"])
def test_match(revision: str, expected: Revision | None) -> None:
    assert match(parse_ls_remote(LS_REMOTE), revision) == expected


def test_detached_head_has_no_target() -> None:
    remote = parse_ls_remote(f"{A}\tHEAD\n")
    assert match(remote, "HEAD") == Revision(A, "HEAD", RevisionKind.HEAD)
    assert match(RemoteRefs(), "HEAD") is None


def test_listing_cuts_long_lists() -> None:
    remote = RemoteRefs({f"refs/heads/b{i:02}": A for i in range(12)})
    assert remote.listing() == ("branches b00, b01, b02, b03, b04, b05, b06, b07, b08, b09 "
                                "(and 2 more); tags none")


@pytest.mark.parametrize(("text", "expected"), [
    (A, True), ("abc1234", True), ("ABC1234", True), ("abc123", False), ("main", False),
    ("e" * 64, True), ("e" * 41, False)])
def test_looks_like_sha(text: str, expected: bool) -> None:
    assert looks_like_sha(text) is expected


def test_revision_text() -> None:
    assert str(Revision(A, "refs/heads/main", RevisionKind.BRANCH)) == "refs/heads/main (aaaaaaa)"
    assert str(Revision(A, A, RevisionKind.COMMIT)) == "aaaaaaa"
