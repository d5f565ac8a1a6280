"""Errors of the history package: a corrupt record, a lock someone else holds, a lock lost."""

from __future__ import annotations

from gitsync.errors import InvalidInputError, OperationFailedError


class HistoryCorruptError(InvalidInputError):
    """The history ConfigMap cannot be read; the message names it and what is wrong."""

    def __init__(self, configmap: str, where: str, what: str, *, namespace: str = "") -> None:
        # how to recover matters more than the detail: a fresh history loses nothing live
        ns = f"-n {namespace} " if namespace else ""
        name = configmap.rpartition("/")[2]
        super().__init__(
            f"history ConfigMap {configmap} is corrupt: {where}: {what}",
            hint=f"delete it to start a fresh history (kubectl {ns}delete configmap {name}); "
                 f"the applied objects are not affected")
        self.configmap = configmap
        self.where = where
        self.what = what


class LockHeldError(OperationFailedError):
    """Another operation holds the app's Lease; exit 20, since the operation could not run."""

    def __init__(self, app: str, holder: str, since: str, lease: str, *,
                 waited_s: float | None = None) -> None:
        waited = f" (still held after waiting {waited_s:g}s)" if waited_s is not None else ""
        super().__init__(
            f"app {app} is locked by {holder} since {since or 'an unknown time'}{waited}",
            hint=f"wait for that operation to finish, or pass --wait-lock; if its holder is "
                 f"gone the Lease {lease} expires by itself, or delete it")
        self.app = app
        self.holder = holder
        self.since = since
        self.lease = lease


class LockLostError(OperationFailedError):
    """The Lease was taken over or deleted while this operation held it."""

    def __init__(self, app: str, lease: str, now_held_by: str) -> None:
        by = f"now held by {now_held_by}" if now_held_by else "it was released or deleted"
        super().__init__(
            f"lost the lock of app {app} (Lease {lease}): {by}",
            hint="another gitsync took over after the lease expired: was this process paused "
                 "longer than the lease duration? Check the app's state before retrying")
        self.app = app
        self.lease = lease
        self.now_held_by = now_held_by
