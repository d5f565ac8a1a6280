"""load_catalog: Applications and AppProjects from files and folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitsync.errors import InvalidInputError
from gitsync.source.apps import load_catalog
from tests.unit.source.conftest import write_tree


def app(name: str, project: str = "default") -> str:
    return f"""\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
spec:
  project: {project}
  source: {{repoURL: https://git.example.com/r.git, path: apps/{name}}}
  destination: {{server: https://kubernetes.default.svc, namespace: {name}}}
"""


PROJECT = """\
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: team}
spec: {}
"""


def test_files_and_folders_recursively(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "apps/a.yaml": app("a") + "---\n" + app("b", "team"),
        "apps/nested/c.yml": app("c"),
        "apps/nested/d.json": '{"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", '
                              '"metadata": {"name": "d"}, "spec": {"source": {"repoURL": "r"}, '
                              '"destination": {"name": "in-cluster"}}}',
        "apps/.hidden/e.yaml": app("e"),
        "apps/notes.txt": app("f"),
        "projects.yaml": PROJECT + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    })
    cat = load_catalog([tmp_path / "apps", tmp_path / "projects.yaml"])
    assert sorted(cat.apps) == ["a", "b", "c", "d"]
    assert sorted(cat.projects) == ["team"]
    assert str(cat.apps["b"].origin) == f"{tmp_path}/apps/a.yaml:10 (document 2)"
    assert cat.project(cat.apps["b"]).name == "team"


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    write_tree(tmp_path, {"apps/a.yaml": app("a")})
    cat = load_catalog([tmp_path / "apps", tmp_path / "apps" / "a.yaml"])
    assert list(cat.apps) == ["a"]


def test_no_paths_is_an_empty_catalog() -> None:
    assert load_catalog([]).apps == {}


def test_missing_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as info:
        load_catalog([tmp_path / "nope"])
    assert info.value.message == f"apps path {tmp_path / 'nope'} does not exist"
    assert "GITSYNC_APPS" in info.value.hint


def test_broken_files_without_applications_are_ignored(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": app("a"), "broken.yaml": "key: [unclosed\n",
                          "binary.yaml": b"\xff\xfe"})
    assert list(load_catalog([tmp_path]).apps) == ["a"]


def test_syntax_error_in_an_application_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": app("a") + "  extra: [\n"})
    with pytest.raises(InvalidInputError) as info:
        load_catalog([tmp_path])
    assert info.value.message.startswith(f"{tmp_path}/a.yaml:10 (document 1): invalid YAML: ")


def test_duplicate_key_in_an_application_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": app("a") + "kind: Application\n"})
    with pytest.raises(InvalidInputError) as info:
        load_catalog([tmp_path])
    assert info.value.message == f'{tmp_path}/a.yaml:9 (document 1): duplicate key "kind"'


def test_application_defined_twice(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": app("a"), "b.yaml": app("a")})
    with pytest.raises(InvalidInputError) as info:
        load_catalog([tmp_path])
    assert info.value.message == (f"{tmp_path}/b.yaml:1 (document 1): application a is defined "
                                  f"twice (first in {tmp_path}/a.yaml:1 (document 1))")


def test_invalid_application_names_the_field(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": app("a").replace("namespace: a}", "namespace: a}\n"
                                                     "  revisionHistoryLimit: lots")})
    with pytest.raises(InvalidInputError) as info:
        load_catalog([tmp_path])
    assert info.value.message == (f"{tmp_path}/a.yaml:9: Application a: "
                                  f"spec.revisionHistoryLimit: must be an integer, not a string")


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gitsync.source import apps

    monkeypatch.setattr(apps, "MAX_FILE_BYTES", 100)
    write_tree(tmp_path, {"a.yaml": app("a") + "#" * 100})
    size = (tmp_path / "a.yaml").stat().st_size
    with pytest.raises(InvalidInputError) as info:
        load_catalog([tmp_path / "a.yaml"])
    assert info.value.message == (f"{tmp_path}/a.yaml: file is {size:,} bytes, over the "
                                  f"100-byte limit")
