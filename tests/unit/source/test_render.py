"""render(): path safety, source type discovery, namespace defaulting, validation switches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitsync.errors import InvalidInputError
from gitsync.model.application import DirectorySource, HelmSource, KustomizeSource
from gitsync.source.render import SourceType, source_type
from tests.unit.source.conftest import RenderFn, make_app, names, write_tree

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
BAD_DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
{annotations}spec:
  replicas: three
"""


@pytest.mark.parametrize(("path", "message"), [
    ("../outside", "source path '../outside' leaves the repository"),
    ("app/../../outside", "source path 'app/../../outside' leaves the repository"),
    ("..", "source path '..' leaves the repository"),
    ("/etc", "source path '/etc' is absolute; it must be relative to the repository root"),
    ("missing", "source path 'missing' does not exist in the repository"),
    ("app/cm.yaml", "source path 'app/cm.yaml' is not a folder"),
], ids=["dotdot", "dotdot-inside", "parent", "absolute", "missing", "file"])
def test_bad_source_paths(repo: Path, do_render: RenderFn, path: str, message: str) -> None:
    write_tree(repo, {"app/cm.yaml": CM})
    with pytest.raises(InvalidInputError) as info:
        do_render(path=path)
    assert info.value.message == message


def test_path_that_goes_up_and_comes_back_is_fine(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/cm.yaml": CM})
    assert names(do_render(path="app/../app/./")) == ["ConfigMap/dest/cm"]


def test_root_path_renders_the_repository_root(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"cm.yaml": CM})
    assert names(do_render(path=".")) == names(do_render(path=""))


def test_source_folder_that_is_a_symlink_out_is_refused(repo: Path, tmp_path: Path,
                                                        do_render: RenderFn) -> None:
    write_tree(tmp_path / "elsewhere", {"cm.yaml": CM})
    (repo / "app").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InvalidInputError) as info:
        do_render()
    assert info.value.message == "source path 'app' leaves the repository through a symlink"


def test_symlinked_file_pointing_out_is_refused(repo: Path, tmp_path: Path,
                                                do_render: RenderFn) -> None:
    write_tree(tmp_path, {"secret.yaml": CM})
    write_tree(repo, {"app/cm.yaml": CM})
    (repo / "app" / "stolen.yaml").symlink_to(tmp_path / "secret.yaml")
    with pytest.raises(InvalidInputError) as info:
        do_render()
    assert info.value.message == (f"app/stolen.yaml: symlink points outside the repository "
                                  f"({tmp_path / 'secret.yaml'})")


def test_relative_symlink_out_anywhere_in_the_repository_is_refused(
        repo: Path, do_render: RenderFn) -> None:
    # Argo CD checks the whole repository: a kustomization elsewhere could read through it
    write_tree(repo, {"app/cm.yaml": CM, "other/x": ""})
    os.symlink("../../../etc/passwd", repo / "other" / "link")
    with pytest.raises(InvalidInputError) as info:
        do_render()
    assert info.value.message == ("other/link: symlink points outside the repository "
                                  "(../../../etc/passwd)")


@pytest.mark.parametrize(("files", "app_kw", "expected"), [
    ({"app/cm.yaml": CM}, {}, SourceType.DIRECTORY),
    ({"app/kustomization.yaml": ""}, {}, SourceType.KUSTOMIZE),
    ({"app/Kustomization": ""}, {}, SourceType.KUSTOMIZE),
    ({"app/Chart.yaml": ""}, {}, SourceType.HELM),
    ({"app/Chart.yaml": "", "app/kustomization.yml": ""}, {}, SourceType.KUSTOMIZE),
    ({"app/kustomization.yaml": ""}, {"directory": DirectorySource()}, SourceType.DIRECTORY),
    ({"app/Chart.yaml": ""}, {"kustomize": KustomizeSource()}, SourceType.KUSTOMIZE),
    ({"app/cm.yaml": CM}, {"helm": HelmSource()}, SourceType.HELM),
], ids=["plain", "kustomization", "Kustomization", "chart", "kustomize-wins",
        "explicit-directory", "explicit-kustomize", "explicit-helm"])
def test_source_type(repo: Path, files: dict[str, str | bytes], app_kw: dict[str, object],
                     expected: SourceType) -> None:
    write_tree(repo, files)
    assert source_type(make_app(**app_kw), repo / "app") is expected  # type: ignore[arg-type]


def test_namespace_defaulting_follows_the_cluster_scope(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/all.yaml": CM + """\
---
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: other}
"""})
    got = do_render()
    # namespaced: stamped; cluster-scoped and unknown kinds (reported by the caller): left alone
    assert names(got) == ["ConfigMap/dest/cm", "Namespace/team", "Widget/w", "Secret/other/s"]
    assert got[0].obj["metadata"]["namespace"] == "dest"


def test_no_destination_namespace_stamps_nothing(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/cm.yaml": CM})
    assert names(do_render(namespace="")) == ["ConfigMap/cm"]


def test_validate_false_on_the_application_skips_schema_checks(repo: Path,
                                                               do_render: RenderFn) -> None:
    write_tree(repo, {"app/d.yaml": BAD_DEPLOY.format(annotations="")})
    assert names(do_render(sync_options={"Validate": "false"})) == ["Deployment/dest/web"]


def test_validate_false_on_the_resource_skips_its_schema_check(repo: Path,
                                                               do_render: RenderFn) -> None:
    annotations = "  annotations:\n    argocd.argoproj.io/sync-options: Validate=false\n"
    write_tree(repo, {"app/d.yaml": BAD_DEPLOY.format(annotations=annotations)})
    assert names(do_render()) == ["Deployment/dest/web"]


def test_validate_argument_false_skips_schema_checks(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/d.yaml": BAD_DEPLOY.format(annotations="")})
    assert names(do_render(validate=False)) == ["Deployment/dest/web"]


def test_annotations_are_checked_even_without_validation(repo: Path,
                                                         do_render: RenderFn) -> None:
    write_tree(repo, {"app/cm.yaml": CM + "  annotations:\n    argocd.argoproj.io/sync-wave: x\n"})
    with pytest.raises(InvalidInputError):
        do_render(validate=False)


def test_hooks_may_use_generate_name(repo: Path, do_render: RenderFn) -> None:
    hook = """\
apiVersion: batch/v1
kind: Job
metadata:
  generateName: migrate-
  annotations: {argocd.argoproj.io/hook: PreSync}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: busybox}]
"""
    write_tree(repo, {"app/a.yaml": hook, "app/b.yaml": hook})
    got = do_render()
    assert [r.obj["metadata"]["generateName"] for r in got] == ["migrate-", "migrate-"]
    assert all(r.is_hook for r in got)


def test_custom_resources_are_not_schema_checked(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/w.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n"
                                    "  name: w\nspec: {anything: [1, 2]}\n"})
    assert names(do_render()) == ["Widget/w"]


def test_resources_carry_their_origin(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/cm.yaml": "# leading comment\n" + CM})
    (res,) = do_render()
    assert str(res.origin) == "app/cm.yaml:2 (document 1)"
