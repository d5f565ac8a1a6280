"""The kustomize edits gitsync makes itself, with ``kustomize edit``'s rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gitsync.errors import InvalidInputError
from gitsync.model.application import KustomizeSource
from gitsync.source.renderers.kustedit import (
    add_metadata,
    apply_edits,
    parse_image,
    set_images,
    set_replicas,
)


@pytest.mark.parametrize(("arg", "entry"), [
    ("nginx:1.27", {"name": "nginx", "newTag": "1.27"}),
    ("nginx@sha256:abc", {"name": "nginx", "digest": "sha256:abc"}),
    ("nginx=registry/nginx:2", {"name": "nginx", "newName": "registry/nginx", "newTag": "2"}),
    ("nginx=registry/nginx@sha256:d", {"name": "nginx", "newName": "registry/nginx",
                                       "digest": "sha256:d"}),
    ("nginx=registry/nginx", {"name": "nginx", "newName": "registry/nginx"}),
    ("localhost:5000/app:v1", {"name": "localhost:5000/app", "newTag": "v1"}),
    ("nginx=*:1.2", {"name": "nginx", "newName": "*", "newTag": "1.2"}),
], ids=["tag", "digest", "new-name-tag", "new-name-digest", "new-name", "registry-port",
        "preserve-name"])
def test_parse_image(arg: str, entry: dict[str, str]) -> None:
    assert parse_image(arg, "app") == entry


@pytest.mark.parametrize("arg", ["nginx", "", "a=b=c"])
def test_parse_image_rejects(arg: str) -> None:
    with pytest.raises(InvalidInputError, match=r"^app: kustomize image '.*' is invalid; use "):
        parse_image(arg, "app")


def test_set_images_merges_by_name_and_sorts() -> None:
    current = [{"name": "redis", "newTag": "6"}, {"name": "nginx", "newName": "mirror/nginx",
                                                  "newTag": "1.0"}]
    got = set_images(current, ("nginx=*:1.1", "app:v2"), "app")
    assert got == [{"name": "app", "newTag": "v2"},
                   {"name": "nginx", "newName": "mirror/nginx", "newTag": "1.1"},
                   {"name": "redis", "newTag": "6"}]


def test_set_images_drops_preserve_marker_without_previous_value() -> None:
    assert set_images([], ("nginx=*:1.1",), "app") == [{"name": "nginx", "newTag": "1.1"}]


def test_set_replicas_replaces_and_adds() -> None:
    got = set_replicas([{"name": "web", "count": 1}, {"name": "api", "count": 2}],
                       (("web", 5), ("db", 1)))
    assert got == [{"name": "api", "count": 2}, {"name": "db", "count": 1},
                   {"name": "web", "count": 5}]


def test_add_metadata_refuses_an_existing_key() -> None:
    assert add_metadata({"a": "1"}, {"b": "2"}, "label", "app") == {"a": "1", "b": "2"}
    with pytest.raises(InvalidInputError) as info:
        add_metadata({"a": "1"}, {"a": "2"}, "annotation", "app")
    assert info.value.message == "app: annotation a already in kustomization file"


def test_apply_edits_rewrites_the_file(tmp_path: Path) -> None:
    path = tmp_path / "kustomization.yml"
    path.write_text("resources: [a.yaml]\nnamePrefix: old-\n")
    path.chmod(0o444)  # exports are read-only; the folder is what must be writable
    apply_edits(tmp_path, KustomizeSource(name_prefix="new-", name_suffix="-x", namespace="ns",
                                          images=("nginx:2",), replicas=(("web", 2),),
                                          common_labels={"l": "v"},
                                          common_annotations={"a": "b"}), "app")
    assert yaml.safe_load(path.read_text()) == {
        "resources": ["a.yaml"], "namePrefix": "new-", "nameSuffix": "-x",
        "images": [{"name": "nginx", "newTag": "2"}], "replicas": [{"name": "web", "count": 2}],
        "commonLabels": {"l": "v"}, "commonAnnotations": {"a": "b"}, "namespace": "ns"}


def test_apply_edits_refuses_a_kustomization_that_is_not_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("- a\n")
    with pytest.raises(InvalidInputError) as info:
        apply_edits(tmp_path, KustomizeSource(name_prefix="p-"), "app")
    assert info.value.message == "app/kustomization.yaml: not a mapping"
