"""The directory renderer: file order, recurse, include/exclude globs, List expansion, JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitsync.errors import InvalidInputError
from gitsync.model.application import DirectorySource
from tests.unit.source.conftest import RenderFn, names, write_tree


def cm(name: str, extra: str = "") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{extra}"


TREE: dict[str, str | bytes] = {
    "app/b.yaml": cm("b"),
    "app/a.yml": cm("a"),
    "app/c.json": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}',
    "app/README.md": "# not a manifest",
    "app/values.txt": "key: value",
    "app/sub/d.yaml": cm("d"),
    "app/sub/deeper/e.yaml": cm("e"),
    "app/b-c.yaml": cm("bc"),
    "app/.git/config.yaml": "not: a manifest",
    "other/f.yaml": cm("f"),
}


def test_top_level_files_only_by_default(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, TREE)
    # name order, as filepath.Walk: "b-c.yaml" < "b.yaml" ("-" sorts before ".")
    assert names(do_render()) == ["ConfigMap/dest/a", "ConfigMap/dest/bc", "ConfigMap/dest/b",
                                  "ConfigMap/dest/c"]


def test_recurse_visits_folders_in_walk_order(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, TREE)
    got = do_render(directory=DirectorySource(recurse=True))
    # sub/ is visited where "sub" sorts; .git is skipped
    assert names(got) == ["ConfigMap/dest/a", "ConfigMap/dest/bc", "ConfigMap/dest/b",
                          "ConfigMap/dest/c", "ConfigMap/dest/d", "ConfigMap/dest/e"]
    assert [str(r.origin) for r in got][-2:] == ["app/sub/d.yaml:1 (document 1)",
                                                 "app/sub/deeper/e.yaml:1 (document 1)"]


@pytest.mark.parametrize(("include", "exclude", "expected"), [
    ("*.yaml", "", ["bc", "b", "d", "e"]),
    ("{a.yml,sub/d.yaml}", "", ["a", "d"]),
    ("", "sub/*", ["a", "bc", "b", "c"]),
    ("", "{*.json,*deeper*}", ["a", "bc", "b", "d"]),
    ("*.y?ml", "b*", ["d", "e"]),
    ("[ab].*", "", ["a", "b"]),
    ("[!ab]*", "", ["c", "d", "e"]),
], ids=["star-crosses-folders", "braces", "exclude-folder", "exclude-braces", "both",
        "class", "negated-class"])
def test_include_and_exclude_match_the_relative_path(
        repo: Path, do_render: RenderFn, include: str, exclude: str,
        expected: list[str]) -> None:
    write_tree(repo, TREE)
    got = do_render(directory=DirectorySource(recurse=True, include=include, exclude=exclude))
    assert [r.key.name for r in got] == expected


def test_invalid_glob_is_an_error(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, TREE)
    with pytest.raises(InvalidInputError) as info:
        do_render(directory=DirectorySource(include="{a,b"))
    assert info.value.message == 'spec.source.directory.include: invalid glob "{a,b": unclosed "{"'


def test_list_kinds_are_expanded_with_item_origins(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/list.yaml": """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: one}
- apiVersion: example.com/v1
  kind: WidgetList
  metadata: {name: not-expanded}
- apiVersion: v1
  kind: Secret
  metadata: {name: two}
---
apiVersion: v1
kind: ServiceAccountList
items: []
"""})
    got = do_render()
    assert names(got) == ["ConfigMap/dest/one", "WidgetList/dest/not-expanded", "Secret/dest/two"]
    assert [str(r.origin) for r in got] == ["app/list.yaml:4 (document 1)",
                                            "app/list.yaml:7 (document 1)",
                                            "app/list.yaml:10 (document 1)"]


def test_multi_document_files_and_empty_documents(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/m.yaml": "---\n" + cm("x") + "---\n# only a comment\n---\n" + cm("y")})
    got = do_render()
    # a leading "---" starts document 1; the comment-only document still counts
    assert [str(r.origin) for r in got] == ["app/m.yaml:2 (document 1)",
                                            "app/m.yaml:9 (document 3)"]


def test_json_indented_with_a_leading_tab_is_read_as_json(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/c.json": '\t{"apiVersion": "v1", "kind": "ConfigMap", '
                                    '"metadata": {"name": "c"}}'})
    assert names(do_render()) == ["ConfigMap/dest/c"]


def test_empty_folder_renders_nothing(repo: Path, do_render: RenderFn) -> None:
    (repo / "app").mkdir()
    assert do_render() == []


def test_symlinked_file_inside_the_repository_is_read(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"shared/cm.yaml": cm("shared"), "app/keep.txt": ""})
    (repo / "app" / "cm.yaml").symlink_to("../shared/cm.yaml")
    assert names(do_render()) == ["ConfigMap/dest/shared"]
