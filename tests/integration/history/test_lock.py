"""The app lock against the sandbox: a Lease taken, refused, waited for, renewed, released."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from gitsync.history import LeaseLock, LockHeldError, LockLostError, acquire, default_holder
from gitsync.history.lock import is_free
from gitsync.kube import Cluster
from gitsync.model import ResourceKey
from tests.integration.kube.helpers import eventually

LEASE = ResourceKey("coordination.k8s.io", "Lease", "gitsync-system", "gitsync-shop")


def later(seconds: float) -> Callable[[], datetime]:
    """A clock ``seconds`` ahead of this one (a lease looks expired from there)."""
    return lambda: datetime.now(UTC) + timedelta(seconds=seconds)


def spec(cluster: Cluster) -> dict[str, object]:
    lease = cluster.get(LEASE)
    assert lease is not None
    return dict(lease["spec"])


def test_acquire_creates_namespace_and_lease(cluster: Cluster) -> None:
    lock = acquire(cluster, "shop", "alice@laptop/1")
    s = spec(cluster)
    assert s["holderIdentity"] == "alice@laptop/1" and s["leaseDurationSeconds"] == 30
    assert s["acquireTime"] == s["renewTime"] and s["leaseTransitions"] == 0
    lease = cluster.get(LEASE)
    assert lease is not None
    assert lease["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "gitsync"
    assert lock.name == "gitsync-system/gitsync-shop"


def test_default_holder_is_user_at_host_slash_pid() -> None:
    user_host, _, pid = default_holder().rpartition("/")
    assert "@" in user_host and pid.isdigit()


def test_second_acquire_fails_naming_the_holder(cluster: Cluster) -> None:
    acquire(cluster, "shop", "alice@laptop/1")
    since = spec(cluster)["acquireTime"]
    with pytest.raises(LockHeldError) as caught:
        acquire(cluster, "shop", "bob@ci/2")
    assert caught.value.message == f"app shop is locked by alice@laptop/1 since {since}"
    assert "--wait-lock" in caught.value.hint and caught.value.exit_code == 20
    assert spec(cluster)["holderIdentity"] == "alice@laptop/1"


def test_locks_of_different_apps_are_independent(cluster: Cluster) -> None:
    acquire(cluster, "shop", "alice@laptop/1")
    acquire(cluster, "blog", "bob@ci/2")


def test_waiting_gets_the_lock_once_released(cluster: Cluster) -> None:
    first = acquire(cluster, "shop", "alice@laptop/1")
    timer = threading.Timer(0.2, first.release)
    timer.start()
    second = acquire(cluster, "shop", "bob@ci/2", wait=True, timeout_s=10, poll_s=0.02)
    timer.join()
    assert second.holder == "bob@ci/2" and spec(cluster)["holderIdentity"] == "bob@ci/2"


def test_waiting_is_bounded(cluster: Cluster) -> None:
    acquire(cluster, "shop", "alice@laptop/1")
    start = time.monotonic()
    with pytest.raises(LockHeldError, match=r"\(still held after waiting 0\.2s\)$"):
        acquire(cluster, "shop", "bob@ci/2", wait=True, timeout_s=0.2, poll_s=0.02)
    assert time.monotonic() - start < 2


def test_an_expired_lease_is_taken_over(cluster: Cluster) -> None:
    acquire(cluster, "shop", "alice@laptop/1", duration_s=30)
    lock = acquire(cluster, "shop", "bob@ci/2", now=later(31))
    s = spec(cluster)
    assert s["holderIdentity"] == "bob@ci/2" and s["leaseTransitions"] == 1
    assert lock.holder == "bob@ci/2"


def test_a_lease_within_its_duration_is_not_expired(cluster: Cluster) -> None:
    acquire(cluster, "shop", "alice@laptop/1", duration_s=30)
    with pytest.raises(LockHeldError):
        acquire(cluster, "shop", "bob@ci/2", now=later(29))


def test_a_released_lease_is_taken_at_once(cluster: Cluster) -> None:
    acquire(cluster, "shop", "alice@laptop/1").release()
    assert "holderIdentity" not in spec(cluster)
    acquire(cluster, "shop", "bob@ci/2")
    assert spec(cluster)["holderIdentity"] == "bob@ci/2"


def test_renew_moves_renew_time(cluster: Cluster) -> None:
    ahead = timedelta()
    lock = acquire(cluster, "shop", "alice@laptop/1", now=lambda: datetime.now(UTC) + ahead)
    before = spec(cluster)
    ahead = timedelta(seconds=10)
    lock.renew()
    after = spec(cluster)
    assert after["acquireTime"] == before["acquireTime"]
    assert str(after["renewTime"]) > str(before["renewTime"])
    lease = cluster.get(LEASE)
    assert lease is not None and not is_free(lease, datetime.now(UTC) + timedelta(seconds=35))


def test_renew_after_a_takeover_says_who_has_it(cluster: Cluster) -> None:
    first = acquire(cluster, "shop", "alice@laptop/1")
    acquire(cluster, "shop", "bob@ci/2", now=later(60))
    with pytest.raises(LockLostError, match=r"^lost the lock of app shop \(Lease "
                       r"gitsync-system/gitsync-shop\): now held by bob@ci/2$"):
        first.renew()


def test_release_never_steals_a_lease_taken_over(cluster: Cluster) -> None:
    first = acquire(cluster, "shop", "alice@laptop/1")
    acquire(cluster, "shop", "bob@ci/2", now=later(60))
    assert first.release() is False
    assert spec(cluster)["holderIdentity"] == "bob@ci/2"


def test_release_is_idempotent(cluster: Cluster) -> None:
    lock = acquire(cluster, "shop", "alice@laptop/1")
    assert lock.release() is True
    assert lock.release() is False


def test_context_manager_releases(cluster: Cluster) -> None:
    with acquire(cluster, "shop", "alice@laptop/1") as lock:
        assert isinstance(lock, LeaseLock)
        assert spec(cluster)["holderIdentity"] == "alice@laptop/1"
    assert "holderIdentity" not in spec(cluster)


def test_context_manager_releases_on_error(cluster: Cluster) -> None:
    with pytest.raises(RuntimeError), acquire(cluster, "shop", "alice@laptop/1"):
        raise RuntimeError("sync blew up")
    assert "holderIdentity" not in spec(cluster)


def test_keep_alive_renews_until_released(cluster: Cluster) -> None:
    lock = acquire(cluster, "shop", "alice@laptop/1")
    first = spec(cluster)["renewTime"]
    with lock.keep_alive(interval_s=0.02):
        eventually(lambda: spec(cluster)["renewTime"] != first, what="a renewal")
        assert lock.renewing
    assert not lock.renewing
    assert "holderIdentity" not in spec(cluster)
    lock.check()


def test_keep_alive_notices_a_lost_lease(cluster: Cluster) -> None:
    lock = acquire(cluster, "shop", "alice@laptop/1").keep_alive(interval_s=0.02)
    acquire(cluster, "shop", "bob@ci/2", now=later(60))
    eventually(lambda: lock.lost, what="the keep-alive to notice")
    with pytest.raises(LockLostError, match="now held by bob@ci/2"):
        lock.check()
    assert lock.release() is False and spec(cluster)["holderIdentity"] == "bob@ci/2"


def test_racing_acquirers_get_exactly_one_lock(connect_cluster: Callable[[], Cluster]) -> None:
    clusters = [connect_cluster() for _ in range(6)]
    won: list[str] = []
    refused: list[str] = []
    barrier = threading.Barrier(len(clusters))

    def race(i: int) -> None:
        barrier.wait()
        try:
            won.append(acquire(clusters[i], "shop", f"racer-{i}").holder)
        except LockHeldError as exc:
            refused.append(exc.holder)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(clusters))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(refused) == len(clusters) - 1
    assert set(refused) == set(won)
