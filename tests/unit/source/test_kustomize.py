"""Kustomize: base + overlay built by kustomize (or kubectl kustomize), with the app's options."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gitsync.errors import InvalidInputError
from gitsync.model.application import KustomizeSource
from gitsync.model.resource import Resource
from gitsync.source.renderers import kustomize
from tests.unit.source.conftest import RenderFn, names, write_tree

BASE = {
    "base/kustomization.yaml": "resources: [deploy.yaml, cm.yaml]\n",
    "base/deploy.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: nginx:1.25}
      - {name: side, image: busybox:1.36}
""",
    "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"
                    "data: {mode: base}\n",
    "overlays/prod/kustomization.yaml": """\
resources: [../../base]
patches:
- target: {kind: ConfigMap, name: settings}
  patch: |-
    - op: replace
      path: /data/mode
      value: prod
""",
}


def deployment(resources: list[Resource]) -> dict[str, Any]:
    found = [r.obj for r in resources if r.kind == "Deployment"]
    assert len(found) == 1
    return found[0]


def images(deploy: dict[str, Any]) -> list[str]:
    return [c["image"] for c in deploy["spec"]["template"]["spec"]["containers"]]


def test_overlay_over_base_without_options(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, BASE)
    got = do_render(path="overlays/prod")
    assert sorted(names(got)) == ["ConfigMap/dest/settings", "Deployment/dest/web"]
    cm = next(r for r in got if r.kind == "ConfigMap")
    assert cm.obj["data"] == {"mode": "prod"}
    assert str(cm.origin).startswith("kustomize build overlays/prod:")


@pytest.mark.parametrize(("options", "check"), [
    (KustomizeSource(images=("nginx:1.27",)),
     lambda d: images(d) == ["nginx:1.27", "busybox:1.36"]),
    (KustomizeSource(images=("nginx=registry.local/nginx:2", "busybox@sha256:abc")),
     lambda d: images(d) == ["registry.local/nginx:2", "busybox@sha256:abc"]),
    (KustomizeSource(name_prefix="p-"), lambda d: d["metadata"]["name"] == "p-web"),
    (KustomizeSource(name_suffix="-s"), lambda d: d["metadata"]["name"] == "web-s"),
    (KustomizeSource(name_prefix="p-", name_suffix="-s"),
     lambda d: d["metadata"]["name"] == "p-web-s"),
    (KustomizeSource(namespace="team"), lambda d: d["metadata"]["namespace"] == "team"),
    (KustomizeSource(common_labels={"team": "blue"}),
     lambda d: d["metadata"]["labels"]["team"] == "blue"
     and d["spec"]["selector"]["matchLabels"]["team"] == "blue"),
    (KustomizeSource(common_annotations={"owner": "ops", "tier": "1"}),
     lambda d: d["metadata"]["annotations"] == {"owner": "ops", "tier": "1"}),
    (KustomizeSource(replicas=(("web", 4),)), lambda d: d["spec"]["replicas"] == 4),
], ids=["image-tag", "image-name-and-digest", "name-prefix", "name-suffix", "prefix-suffix",
        "namespace", "common-labels", "common-annotations", "replicas"])
def test_each_kustomize_option(repo: Path, do_render: RenderFn, options: KustomizeSource,
                               check: Callable[[dict[str, Any]], bool]) -> None:
    write_tree(repo, BASE)
    got = do_render(path="overlays/prod", kustomize=options)
    assert check(deployment(got))


def test_options_do_not_change_the_checkout(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, BASE)
    before = (repo / "overlays/prod/kustomization.yaml").read_text()
    do_render(path="overlays/prod", kustomize=KustomizeSource(name_prefix="p-"))
    assert (repo / "overlays/prod/kustomization.yaml").read_text() == before


def test_kustomize_namespace_option_wins_over_destination(repo: Path,
                                                          do_render: RenderFn) -> None:
    write_tree(repo, BASE)
    got = do_render(path="overlays/prod", kustomize=KustomizeSource(namespace="team"))
    assert sorted(names(got)) == ["ConfigMap/team/settings", "Deployment/team/web"]


def test_build_failure_reports_stderr(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/kustomization.yaml": "resources: [missing.yaml]\n"})
    with pytest.raises(InvalidInputError) as info:
        do_render()
    assert info.value.message.startswith("kustomize build app failed: ")
    assert "missing.yaml" in info.value.message
    assert "\n" not in info.value.message


def test_existing_common_label_is_an_error_as_in_kustomize(repo: Path,
                                                            do_render: RenderFn) -> None:
    write_tree(repo, {**BASE, "overlays/prod/kustomization.yaml":
                      "resources: [../../base]\ncommonLabels: {team: red}\n"})
    with pytest.raises(InvalidInputError) as info:
        do_render(path="overlays/prod", kustomize=KustomizeSource(common_labels={"team": "blue"}))
    assert info.value.message == "overlays/prod: label team already in kustomization file"


def test_bad_image_option(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, BASE)
    with pytest.raises(InvalidInputError) as info:
        do_render(path="overlays/prod", kustomize=KustomizeSource(images=("nginx",)))
    assert info.value.message == (
        "overlays/prod: kustomize image 'nginx' is invalid; use <image>=<newimage>:<newtag>, "
        "<image>=<newimage>@<digest>, <image>=<newimage>, <image>:<newtag> or <image>@<digest>")


def test_explicit_kustomize_without_kustomization(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"})
    with pytest.raises(InvalidInputError) as info:
        do_render(kustomize=KustomizeSource(name_prefix="p-"))
    assert info.value.message == ("app: no kustomization.yaml to apply the application's "
                                  "kustomize options to")


def test_kubectl_is_used_when_kustomize_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which",
                        lambda name: "/usr/bin/kubectl" if name == "kubectl" else None)
    assert kustomize.build_command() == ["/usr/bin/kubectl", "kustomize"]


def test_kustomize_binary_is_preferred(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: f"/opt/bin/{name}")
    assert kustomize.build_command() == ["/opt/bin/kustomize", "build"]


def test_no_binary_at_all_is_a_clear_error(repo: Path, do_render: RenderFn,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(repo, BASE)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(InvalidInputError) as info:
        do_render(path="overlays/prod")
    assert info.value.message == ("rendering a kustomization needs the kustomize or kubectl "
                                  "binary, and neither is on PATH")
    assert "install kustomize" in info.value.hint
