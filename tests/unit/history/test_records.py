"""Records: timestamps, counts, rollback targets, and the names of history objects."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from gitsync.errors import InvalidInputError
from gitsync.history import AppRecords, ResourceCounts, object_name, rfc3339
from gitsync.history._common import label_value
from gitsync.history.records import parse_time
from gitsync.model import ResourceKey, ResultCode
from tests.unit.history.factories import entry, records, result


def test_rfc3339_is_utc_with_seconds() -> None:
    moment = datetime(2024, 5, 1, 14, 0, 5, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert rfc3339(moment) == "2024-05-01T12:00:05Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rfc3339())


@pytest.mark.parametrize("text", ["2024-05-01T12:00:05Z", "2024-05-01T12:00:05.123456Z",
                                  "2024-05-01T14:00:05+02:00"])
def test_parse_time_accepts_rfc3339(text: str) -> None:
    assert parse_time(text).replace(microsecond=0) == datetime(2024, 5, 1, 12, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2024-05-01", "2024-05-01T12:00:05", "yesterday", ""])
def test_parse_time_refuses_the_rest(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


def test_counts_of_results() -> None:
    counts = ResourceCounts.of([result(), result("b"), result("c", ResultCode.PRUNED),
                                result("d", ResultCode.SYNC_FAILED)])
    assert counts == ResourceCounts(synced=2, sync_failed=1, pruned=1, prune_skipped=0)


def test_result_key() -> None:
    assert result().key == ResourceKey("apps", "Deployment", "shop", "web")


def test_resolve_defaults_to_the_second_newest_as_argo_cd() -> None:
    recs = records(3)
    assert recs.resolve(None, "shop").id == 2
    assert recs.resolve(1, "shop").id == 1


def test_resolve_unknown_id_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInputError, match=r"^app shop has no history entry 9 "
                                                 r"\(known: 1, 2, 3\)$"):
        records(3).resolve(9, "shop")


def test_resolve_without_a_previous_entry() -> None:
    with pytest.raises(InvalidInputError, match="no previous history entry"):
        AppRecords().appended(entry()).resolve(None, "shop")


@pytest.mark.parametrize(("app", "name"), [
    ("shop", "gitsync-shop"),
    ("frontend-prod", "gitsync-frontend-prod"),
    ("My_App", "gitsync-my-app-" + "[0-9a-f]{8}"),
    ("my.app", "gitsync-my-app-" + "[0-9a-f]{8}"),
    ("___", "gitsync-[0-9a-f]{8}"),
], ids=["plain", "dashes", "upper-underscore", "dot", "nothing-left"])
def test_object_names_are_dns_1123(app: str, name: str) -> None:
    assert re.fullmatch(name, object_name(app))


def test_names_that_sanitise_alike_stay_apart() -> None:
    assert object_name("My_App") != object_name("my_app") != object_name("my-app")


def test_long_names_are_cut_to_the_limits() -> None:
    app = "a" * 300
    assert len(object_name(app)) <= 253 and len(label_value(app)) <= 63
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", label_value(app))
    assert object_name(app) != object_name("a" * 299)
