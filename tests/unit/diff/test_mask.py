"""Secret masking as Argo CD's HideSecretData: equal values equal masks, new values longer ones."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gitsync.diff.mask import MASK, hide_secret_data
from gitsync.model import annotations as ann

from .conftest import load

M8, M12, M16 = MASK, MASK + "++++", MASK + "++++++++"


def secret(data: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}
    if data is not None:
        obj["data"] = data
    obj.update(extra)
    return obj


def last_applied(data: dict[str, str]) -> dict[str, Any]:
    return {"annotations": {ann.LAST_APPLIED: json.dumps(secret(data))}, "name": "s"}


CASES = [
    ("equal-values-equal-masks", secret({"a": "eA=="}), secret({"a": "eA=="}),
     {"a": M8}, {"a": M8}),
    ("changed-value-different-mask", secret({"a": "eA=="}), secret({"a": "eQ=="}),
     {"a": M8}, {"a": M12}),
    ("masks-restart-per-key", secret({"a": "eA==", "b": "eA=="}),
     secret({"a": "eA==", "b": "eg=="}), {"a": M8, "b": M8}, {"a": M8, "b": M12}),
    ("key-only-live", secret({"a": "eA=="}), secret({"a": "eA==", "gone": "eQ=="}),
     {"a": M8}, {"a": M8, "gone": M8}),
    ("string-data-folded-first", secret(stringData={"a": "x"}), secret({"a": "eA=="}),
     {"a": M8}, {"a": M8}),
    ("no-live", secret({"a": "eA=="}), None, {"a": M8}, None),
]


@pytest.mark.parametrize(("desired", "live", "want_desired", "want_live"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_masks(desired: Any, live: Any, want_desired: Any, want_live: Any) -> None:
    got_desired, got_live = hide_secret_data(desired, live)
    assert got_desired is not None and got_desired["data"] == want_desired
    assert (got_live["data"] if got_live is not None else None) == want_live


def test_last_applied_copy_is_masked_in_order() -> None:
    live = secret({"a": "eQ=="}, metadata=last_applied({"a": "eg=="}))
    _, got = hide_secret_data(secret({"a": "eA=="}), live)
    assert got is not None
    assert got["data"] == {"a": M12}
    orig = json.loads(got["metadata"]["annotations"][ann.LAST_APPLIED])
    assert orig["data"] == {"a": M16}


@pytest.mark.parametrize("text", ["{not json", "[1, 2]"], ids=["invalid", "not-an-object"])
def test_unreadable_last_applied_is_masked_whole(text: str) -> None:
    live = secret({"a": "eQ=="}, metadata={"name": "s", "annotations": {ann.LAST_APPLIED: text}})
    _, got = hide_secret_data(None, live)
    assert got is not None and got["metadata"]["annotations"][ann.LAST_APPLIED] == MASK


def test_sensitive_annotations() -> None:
    desired = secret({}, metadata={"name": "s", "annotations": {"vault/token": "t1", "x": "y"}})
    live = secret({}, metadata={"name": "s", "annotations": {"vault/token": "t2", "x": "y"}})
    got_desired, got_live = hide_secret_data(desired, live,
                                             sensitive_annotations=["vault/token"])
    assert got_desired is not None and got_live is not None
    assert got_desired["metadata"]["annotations"] == {"vault/token": M8, "x": "y"}
    assert got_live["metadata"]["annotations"] == {"vault/token": M12, "x": "y"}


@pytest.mark.parametrize("obj", [
    {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}},
    {"apiVersion": "example.com/v1", "kind": "Secret", "data": {"a": "b"}},
], ids=["configmap", "secret-of-another-group"])
def test_other_kinds_untouched(obj: dict[str, Any]) -> None:
    assert hide_secret_data(obj, obj) == (obj, obj)


def test_inputs_are_not_mutated() -> None:
    desired, live = load("secret-desired"), load("secret-live")
    hide_secret_data(desired, live)
    assert desired == load("secret-desired") and live == load("secret-live")
