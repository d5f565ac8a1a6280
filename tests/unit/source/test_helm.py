"""Helm: the missing-binary error, the command line, value files, and output attribution."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gitsync.errors import InvalidInputError
from gitsync.model.application import HelmParameter, HelmSource
from gitsync.source.renderers import helm
from tests.unit.source.conftest import RenderFn, names, write_tree

CHART = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web-chart\nversion: 0.1.0\n",
    "charts/web/values.yaml": "replicas: 1\n",
    "charts/web/values-prod.yaml": "replicas: 3\n",
    "charts/web/templates/cm.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cfg
data:
  replicas: "{{ .Values.replicas }}"
""",
}

OUTPUT = """\
---
# Source: web-chart/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo-cfg
---
# Source: web-chart/templates/deploy.yaml
apiVersion: v1
kind: Service
metadata:
  name: demo
---
# Source: web-chart/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo-extra
---
# Source: web-chart/charts/db/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: demo-db
"""


def test_missing_helm_is_a_clear_error(repo: Path, do_render: RenderFn,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    write_tree(repo, CHART)
    with pytest.raises(InvalidInputError) as info:
        do_render(path="charts/web")
    assert info.value.message == ("rendering a Helm chart needs the helm binary, which is not "
                                  "on PATH")
    assert "install Helm 3" in info.value.hint


def test_template_args_follow_argo_cd(repo: Path) -> None:
    write_tree(repo, CHART)
    chart = repo / "charts/web"
    opts = HelmSource(value_files=("values-prod.yaml", "/charts/web/values.yaml",
                                   "https://example.com/v.yaml"),
                      parameters=(HelmParameter("image.tag", "1,2"),
                                  HelmParameter("port", "80", force_string=True)))
    args = helm.template_args(opts, chart=chart, repo=repo, release="demo", namespace="ns",
                              values_file=Path("/tmp/inline.yaml"))
    assert args == ["template", str(chart), "--name-template", "demo", "--namespace", "ns",
                    "--include-crds",
                    "--values", str(chart / "values-prod.yaml"),
                    "--values", str(chart / "values.yaml"),
                    "--values", "https://example.com/v.yaml",
                    "--values", "/tmp/inline.yaml",
                    "--set", "image.tag=1\\,2", "--set-string", "port=80"]


def test_template_args_release_name_and_skip_crds(repo: Path) -> None:
    write_tree(repo, CHART)
    args = helm.template_args(HelmSource(release_name="rel", skip_crds=True),
                              chart=repo / "charts/web", repo=repo, release="demo",
                              namespace="", values_file=None)
    assert args == ["template", str(repo / "charts/web"), "--name-template", "rel"]


def test_value_file_outside_the_repository_is_refused(repo: Path) -> None:
    write_tree(repo, CHART)
    with pytest.raises(InvalidInputError) as info:
        helm.template_args(HelmSource(value_files=("../../../secrets.yaml",)),
                           chart=repo / "charts/web", repo=repo, release="demo", namespace="",
                           values_file=None)
    assert info.value.message == "helm value file '../../../secrets.yaml' leaves the repository"


def test_missing_value_file(repo: Path) -> None:
    write_tree(repo, CHART)
    chart = repo / "charts/web"
    with pytest.raises(InvalidInputError) as info:
        helm.template_args(HelmSource(value_files=("nope.yaml",)), chart=chart, repo=repo,
                           release="demo", namespace="", values_file=None)
    assert info.value.message == "helm value file 'nope.yaml' not found"
    args = helm.template_args(HelmSource(value_files=("nope.yaml",),
                                         ignore_missing_value_files=True),
                              chart=chart, repo=repo, release="d", namespace="",
                              values_file=None)
    assert "--values" not in args


def test_values_object_wins_over_values() -> None:
    assert helm.inline_values(HelmSource(values="a: 1")) == "a: 1"
    assert helm.inline_values(HelmSource(values="a: 1", values_object={"b": 2})) == '{"b": 2}'


def test_dependency_build_needed_only_when_charts_are_missing(repo: Path) -> None:
    write_tree(repo, {"c/Chart.yaml": "name: c\ndependencies: [{name: db, version: 1.0.0}]\n",
                      "plain/Chart.yaml": "name: plain\n"})
    assert helm.needs_dependency_build(repo / "c")
    assert not helm.needs_dependency_build(repo / "plain")
    (repo / "c/charts").mkdir()
    assert not helm.needs_dependency_build(repo / "c")


def test_output_is_attributed_to_template_files() -> None:
    got = helm.split_output(OUTPUT, "charts/web")
    assert [str(m.origin()) for m in got] == [
        "charts/web/templates/cm.yaml (document 1)",
        "charts/web/templates/deploy.yaml (document 1)",
        "charts/web/templates/cm.yaml (document 2)",
        "charts/web/charts/db/templates/secret.yaml (document 1)"]


FAKE_HELM = """\
#!/bin/sh
printf '%s\\n' "$*" >> "$HELM_LOG"
if [ "$1" = dependency ]; then mkdir -p "$3/charts"; exit 0; fi
for arg in "$@"; do case "$arg" in *values.yaml) cat "$arg" >> "$HELM_LOG";; esac; done
cat "$HELM_OUTPUT"
"""


@pytest.fixture
def fake_helm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in ``helm`` on PATH that logs its arguments and prints OUTPUT."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "helm").write_text(FAKE_HELM)
    (bin_dir / "helm").chmod(0o755)
    (tmp_path / "output.yaml").write_text(OUTPUT)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HELM_LOG", str(tmp_path / "helm.log"))
    monkeypatch.setenv("HELM_OUTPUT", str(tmp_path / "output.yaml"))
    return tmp_path / "helm.log"


def test_render_runs_helm_template_on_the_chart(repo: Path, do_render: RenderFn,
                                                fake_helm: Path) -> None:
    write_tree(repo, CHART)
    got = do_render(path="charts/web", helm=HelmSource(values_object={"replicas": 5}))
    assert names(got) == ["ConfigMap/dest/demo-cfg", "Service/dest/demo",
                          "ConfigMap/dest/demo-extra", "Secret/dest/demo-db"]
    assert str(got[0].origin) == "charts/web/templates/cm.yaml (document 1)"
    log = fake_helm.read_text().splitlines()
    assert log[0].startswith(f"template {repo / 'charts/web'} --name-template demo "
                             f"--namespace dest --include-crds --values ")
    assert log[1] == '{"replicas": 5}'


def test_render_builds_missing_dependencies_in_a_copy(repo: Path, do_render: RenderFn,
                                                      fake_helm: Path) -> None:
    write_tree(repo, {**CHART, "charts/web/Chart.yaml":
                      "apiVersion: v2\nname: web-chart\nversion: 0.1.0\n"
                      "dependencies: [{name: db, version: 1.0.0, repository: file://../db}]\n"})
    do_render(path="charts/web")
    dep, template = fake_helm.read_text().splitlines()
    assert dep.startswith("dependency build ") and dep.endswith("/repo/charts/web")
    assert not dep.startswith(f"dependency build {repo}")
    assert not (repo / "charts/web/charts").exists()
    assert template.startswith("template ") and f"{repo}/" not in template


@pytest.mark.skipif(shutil.which("helm") is None,
                    reason="helm is not installed: the success path needs the real binary")
def test_helm_template_renders_the_chart(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, CHART)
    got = do_render(path="charts/web", helm=HelmSource(value_files=("values-prod.yaml",)))
    assert names(got) == ["ConfigMap/dest/demo-cfg"]
    assert got[0].obj["data"] == {"replicas": "3"}
    assert str(got[0].origin) == "charts/web/templates/cm.yaml (document 1)"
