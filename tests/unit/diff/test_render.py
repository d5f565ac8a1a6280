"""Rendering: argocd's header, a unified diff of sorted-key YAML, masked Secrets, no colours."""

from __future__ import annotations

from gitsync.diff.compare import diff_resource
from gitsync.diff.render import header, render_app_diff, render_diff, to_yaml
from gitsync.model.resource import ResourceKey

from .conftest import DictListKeys, load

EXPECTED = """\
===== apps/Deployment shop/web ======
--- live
+++ desired
@@ -5,12 +5,11 @@
     deployment.kubernetes.io/revision: '4'
   labels:
     app: web
-    tier: backend
   name: web
   namespace: shop
 spec:
   progressDeadlineSeconds: 600
-  replicas: 5
+  replicas: 3
   revisionHistoryLimit: 10
   selector:
     matchLabels:
@@ -33,7 +32,7 @@
           value: info
         - name: MODE
           value: prod
-        image: shop/web:1.0
+        image: shop/web:1.1
         imagePullPolicy: IfNotPresent
         name: web
         ports:
"""


def test_deployment_diff_text() -> None:
    diff = diff_resource(load("deployment-desired"), load("deployment-live"),
                         list_keys=DictListKeys())
    assert render_diff(diff) == EXPECTED


def test_headers() -> None:
    assert header(ResourceKey("", "Service", "shop", "web")) == "===== /Service shop/web ======"
    assert header(ResourceKey("rbac.authorization.k8s.io", "ClusterRole", "", "view")) == \
        "===== rbac.authorization.k8s.io/ClusterRole /view ======"


def test_secret_diff_shows_masks_only() -> None:
    text = render_diff(diff_resource(load("secret-desired"), load("secret-live"),
                                     list_keys=DictListKeys()))
    assert "czNjcmV0" not in text and "c2hvcA==" not in text
    assert "-  password: ++++++++++++\n+  password: ++++++++\n" in text


def test_missing_and_extraneous_are_whole_objects() -> None:
    keys = DictListKeys()
    missing = render_diff(diff_resource(load("service-desired"), None, list_keys=keys))
    assert missing.splitlines()[1:4] == ["--- live", "+++ desired", "@@ -0,0 +1,16 @@"]
    extra = render_diff(diff_resource(None, load("service-live"), list_keys=keys))
    assert all(line.startswith(("-", "@", "=", "+++")) for line in extra.splitlines())


def test_app_diff_sorted_and_unchanged_skipped() -> None:
    keys = DictListKeys()
    diffs = [diff_resource(load("deployment-desired"), load("deployment-live"), list_keys=keys),
             diff_resource(load("service-desired"), load("service-live"), list_keys=keys),
             diff_resource(load("secret-desired"), load("secret-live"), list_keys=keys)]
    headers = [line for line in render_app_diff(diffs).splitlines() if line.startswith("=====")]
    assert headers == ["===== /Secret shop/db ======", "===== apps/Deployment shop/web ======"]


def test_yaml_is_stable_and_readable() -> None:
    obj = {"b": 1, "a": {"script": "line1\nline2\n"}, "c": [{"y": 1, "x": 2}]}
    assert to_yaml(obj) == "a:\n  script: |\n    line1\n    line2\nb: 1\nc:\n- x: 2\n  y: 1\n"
    shared = {"k": "v"}
    assert "&" not in to_yaml({"one": shared, "two": shared})
    assert to_yaml(None) == ""
