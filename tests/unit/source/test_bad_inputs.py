"""Bad manifests: each is one line of InvalidInputError naming file, document and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitsync.errors import InvalidInputError
from gitsync.model import yamldoc
from gitsync.source import manifests
from tests.unit.source.conftest import RenderFn, write_tree

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
"""
# nine levels of ten aliases each: a billion laughs in nine lines
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
ITEMS = ("apiVersion: v1\nkind: List\nitems:\n"
         "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n")


def ann(key: str, value: str) -> str:
    return CM + f"  annotations:\n    argocd.argoproj.io/{key}: {value!r}\n"


CASES: list[tuple[str, dict[str, str | bytes], str]] = [
    ("yaml-syntax", {"app/a.yaml": CM + "  labels: [a\n"},
     "app/a.yaml:6 (document 1): invalid YAML: did not find expected ',' or ']'"),
    ("yaml-indentation", {"app/a.yaml": "apiVersion: v1\nkind: ConfigMap\n  metadata: x\n"},
     "app/a.yaml:3 (document 1): invalid YAML: mapping values are not allowed in this context"),
    ("duplicate-key", {"app/a.yaml": CM + "kind: Secret\n"},
     'app/a.yaml:5 (document 1): duplicate key "kind"'),
    ("duplicate-key-second-document",
     {"app/a.yaml": CM + "---\n" + CM + "data:\n  a: '1'\n  a: '2'\n"},
     'app/a.yaml:12 (document 2): duplicate key "a"'),
    ("document-is-a-list", {"app/a.yaml": "- a\n- b\n"},
     "app/a.yaml:1 (document 1): expected a Kubernetes object (a mapping), got a list"),
    ("document-is-a-string", {"app/a.yaml": CM + "---\njust text\n"},
     "app/a.yaml:6 (document 2): expected a Kubernetes object (a mapping), got a string"),
    ("missing-apiVersion", {"app/a.yaml": "kind: ConfigMap\nmetadata:\n  name: cm\n"},
     "app/a.yaml:1 (document 1): ConfigMap/cm: apiVersion: required field is missing"),
    ("missing-kind", {"app/a.yaml": "apiVersion: v1\nmetadata:\n  name: cm\n"},
     "app/a.yaml:1 (document 1): kind: required field is missing"),
    ("apiVersion-not-a-string", {"app/a.yaml": CM.replace("v1", "1")},
     "app/a.yaml:1 (document 1): ConfigMap/cm: apiVersion: must be a string, not an integer"),
    ("kind-not-a-string", {"app/a.yaml": CM.replace("ConfigMap", "[ConfigMap]")},
     "app/a.yaml:2 (document 1): kind: must be a string, not a list"),
    ("missing-metadata", {"app/a.yaml": "apiVersion: v1\nkind: ConfigMap\n"},
     "app/a.yaml:1 (document 1): ConfigMap: metadata: required field is missing"),
    ("metadata-not-a-mapping", {"app/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: [cm]\n"},
     "app/a.yaml:3 (document 1): ConfigMap: metadata: must be a mapping, not a list"),
    ("missing-name", {"app/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n"},
     "app/a.yaml:3 (document 1): ConfigMap: metadata.name: required field is missing"),
    ("name-not-a-string", {"app/a.yaml": CM.replace("name: cm", "name: 42")},
     "app/a.yaml:4 (document 1): ConfigMap: metadata.name: must be a string, not an integer"),
    ("namespace-not-a-string", {"app/a.yaml": CM + "  namespace: [a]\n"},
     "app/a.yaml:5 (document 1): ConfigMap/cm: metadata.namespace: must be a string, not a list"),
    ("generateName-without-hook", {"app/a.yaml": CM.replace("name: cm", "generateName: cm-")},
     "app/a.yaml:3 (document 1): ConfigMap: metadata.name: required field is missing "
     "(generateName is only supported on hooks)"),
    ("list-item-not-a-mapping", {"app/a.yaml": ITEMS + "- oops\n"},
     "app/a.yaml:7 (document 1): expected a Kubernetes object (a mapping), got a string"),
    ("duplicate-object-same-file", {"app/a.yaml": CM + "---\n" + CM},
     "app/a.yaml:6 (document 2): ConfigMap/dest/cm is defined twice "
     "(first at app/a.yaml:1 (document 1))"),
    ("duplicate-object-after-namespace-defaulting",
     {"app/a.yaml": CM, "app/b.yaml": CM + "  namespace: dest\n"},
     "app/b.yaml:1 (document 1): ConfigMap/dest/cm is defined twice "
     "(first at app/a.yaml:1 (document 1))"),
    ("sync-wave-not-an-integer", {"app/a.yaml": ann("sync-wave", "soon")},
     'app/a.yaml:6 (document 1): ConfigMap/cm: annotation argocd.argoproj.io/sync-wave: "soon" '
     "is not an integer"),
    ("unknown-hook", {"app/a.yaml": ann("hook", "PreSync,Later")},
     'app/a.yaml:6 (document 1): ConfigMap/cm: annotation argocd.argoproj.io/hook: unknown hook '
     '"Later" (expected PreSync, Sync, PostSync, SyncFail, Skip, PreDelete, PostDelete)'),
    ("unknown-hook-delete-policy", {"app/a.yaml": ann("hook-delete-policy", "Never")},
     "app/a.yaml:6 (document 1): ConfigMap/cm: annotation argocd.argoproj.io/hook-delete-policy: "
     'unknown policy "Never" (expected HookSucceeded, HookFailed, BeforeHookCreation)'),
    ("sync-option-without-value", {"app/a.yaml": ann("sync-options", "Prune")},
     'app/a.yaml:6 (document 1): ConfigMap/cm: argocd.argoproj.io/sync-options: "Prune" is not '
     "of the form Name=value"),
    ("unknown-sync-option", {"app/a.yaml": ann("sync-options", "Frobnicate=true")},
     'app/a.yaml:6 (document 1): ConfigMap/cm: argocd.argoproj.io/sync-options: unknown option '
     '"Frobnicate" (known: Delete, Force, Prune, PruneLast, Replace, ServerSideApply, '
     "SkipDryRunOnMissingResource, Validate)"),
    ("bad-sync-option-value", {"app/a.yaml": ann("sync-options", "Prune=maybe")},
     "app/a.yaml:6 (document 1): ConfigMap/cm: argocd.argoproj.io/sync-options: Prune=maybe is "
     "not one of true|false|confirm"),
    ("schema-unknown-field",
     {"app/d.yaml": DEPLOY.replace("  selector:", "  replica: 3\n  selector:")},
     'app/d.yaml:6 (document 1): Deployment/web: unknown field "spec.replica"'),
    ("schema-wrong-type",
     {"app/d.yaml": DEPLOY.replace("  selector:", "  replicas: three\n  selector:")},
     "app/d.yaml:6 (document 1): Deployment/web: spec.replicas: must be an integer, not a string"),
    ("schema-nested-list",
     {"app/d.yaml": DEPLOY + "        ports:\n        - containerPort: http\n"},
     "app/d.yaml:14 (document 1): Deployment/web: "
     "spec.template.spec.containers[0].ports[0].containerPort: must be an integer, not a string"),
    ("schema-label-value", {"app/a.yaml": CM + "  labels:\n    tier: {a: b}\n"},
     "app/a.yaml:6 (document 1): ConfigMap/cm: metadata.labels.tier: must be a string, "
     "not a mapping"),
    ("schema-in-list-item", {"app/a.yaml": ITEMS + "  date: {}\n"},
     'app/a.yaml:7 (document 1): ConfigMap/a: unknown field "date"'),
    ("schema-int-or-string", {"app/s.yaml": """\
apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports:
  - port: 80
    targetPort: [http]
"""}, "app/s.yaml:7 (document 1): Service/s: spec.ports[0].targetPort: must be a string or an "
      "integer, not a list"),
    ("yaml-bomb", {"app/a.yaml": BOMB},
     "app/a.yaml:1 (document 1): document too large or too deeply aliased (over 500,000 nodes): "
     "refusing to expand it"),
    ("nested-too-deep", {"app/a.yaml": "a: " + "[" * 250 + "]" * 250 + "\n"},
     "app/a.yaml:1 (document 1): document nested deeper than 200 levels"),
    ("not-utf8", {"app/a.yaml": b"apiVersion: v1\nkind: \xff\n"},
     "app/a.yaml: not UTF-8 text: invalid start byte at byte 21"),
    ("invalid-json", {"app/a.json": '{\n\t"apiVersion": "v1"\n\t"kind": "ConfigMap"\n}\n'},
     "app/a.json:3 (document 1): invalid JSON: Expecting ',' delimiter"),
    ("json-duplicate-key", {"app/a.json": '{\n "kind": "a",\n "kind": "b"\n}\n'},
     'app/a.json:3 (document 1): duplicate key "kind"'),
]


@pytest.mark.parametrize(("files", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_manifest_is_one_clear_line(repo: Path, do_render: RenderFn,
                                        files: dict[str, str | bytes], message: str) -> None:
    write_tree(repo, files)
    with pytest.raises(InvalidInputError) as info:
        do_render()
    assert info.value.message == message
    assert "\n" not in info.value.message


def test_schema_errors_say_how_to_skip_validation(repo: Path, do_render: RenderFn) -> None:
    write_tree(repo, {"app/d.yaml": DEPLOY.replace("  selector:", "  replica: 3\n  selector:")})
    with pytest.raises(InvalidInputError) as info:
        do_render()
    assert "Validate=false" in info.value.hint


def test_huge_file_is_refused_before_reading(repo: Path, do_render: RenderFn,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifests, "MAX_FILE_BYTES", 1000)
    write_tree(repo, {"app/big.yaml": b"#" * 1500})

    def no_read(self: Path) -> bytes:
        raise AssertionError("read a file over the limit")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    with pytest.raises(InvalidInputError) as info:
        do_render()
    assert info.value.message == "app/big.yaml: file is 1,500 bytes, over the 1,000-byte limit"


def test_the_default_size_limit_is_yamldocs(repo: Path, do_render: RenderFn) -> None:
    limit = yamldoc.MAX_FILE_BYTES
    write_tree(repo, {"app/big.yaml": b"#" * (limit + 1)})
    with pytest.raises(InvalidInputError) as info:
        do_render()
    assert info.value.message == (f"app/big.yaml: file is {limit + 1:,} bytes, over the "
                                  f"{limit:,}-byte limit")
