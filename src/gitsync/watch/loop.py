"""The reconcile loop of one app: lead, compare, decide, act; on a timer and on watch events.

Periodic refreshes ask the Git remote for the target revision; refreshes woken by a watch
event compare against the revision resolved last (drift needs no Git round trip, and a busy
cluster must not turn into a stream of ``git ls-remote``). New commits are therefore noticed
every ``interval``, drift within about a second.
"""

from __future__ import annotations

import threading
import time

from gitsync.compare import AppState, CompareOptions, compare_app
from gitsync.errors import EXIT_OPERATION_FAILED, GitsyncError
from gitsync.history import HistoryStore, LeaseLock, LockHeldError, acquire
from gitsync.kube import KubeError
from gitsync.model.application import RetryStrategy
from gitsync.sync import Operation, Outcome, SyncRequest
from gitsync.watch.backoff import HealCount, next_interval, reconnect_delay
from gitsync.watch.decide import Action, Decision, Observed, decide
from gitsync.watch.drift import changes, last_op, observe
from gitsync.watch.events import EventReporter, Kind, Sink
from gitsync.watch.lead import take_lead
from gitsync.watch.options import AppTarget, WatchOptions
from gitsync.watch.report import AppReport
from gitsync.watch.watches import Watches

#: Argo CD's retry for automated syncs when the app sets none (semantics §6.2, step 4)
AUTOMATED_RETRY = RetryStrategy(limit=5)
#: longest the loop sleeps without looking at its Lease
_TICK = 1.0


class AppWatcher:
    """Watches one app until ``stop``; ``exit_code`` summarises a ``--once`` run."""

    def __init__(self, target: AppTarget, options: WatchOptions, sink: Sink,
                 stop: threading.Event, holder: str) -> None:
        self.target = target
        self.app = target.app
        self.opts = options
        self.sink = sink
        self.stop = stop
        self.holder = holder
        self.wake = threading.Event()
        self.exit_code = 0
        self.store = HistoryStore(target.cluster, namespace=options.history_namespace)
        self._resolved = ""          # the last revision resolved against the remote
        self._heal = HealCount()
        self._heal_at: float | None = None
        self.say = AppReport(self.app.name, self.app.source.target_revision, sink)

    # --- leadership -------------------------------------------------------------------------

    def run(self) -> None:
        self.say.emit(Kind.WATCHING, f"policy {self.app.sync_policy.describe()}, target "
                                     f"{self.app.source.target_revision}")
        failures = 0
        while not self.stop.is_set():
            try:
                if self.opts.once:
                    self._run_once()
                    break
                self._term()
                failures = 0
            except Exception as exc:  # a bug (or a failed release) must not end the watch
                failures += 1
                self.exit_code = max(self.exit_code, EXIT_OPERATION_FAILED)
                self.say.emit(Kind.ERROR, f"unexpected {type(exc).__name__}: {exc}")
                if self.opts.once or self.stop.wait(reconnect_delay(failures)):
                    break
        self.say.emit(Kind.STOPPED, f"exit {self.exit_code}" if self.opts.once else "")

    def _term(self) -> None:
        """One term as leader: wait for the Lease, act while holding it, let it go."""
        lock = take_lead(self.target.cluster, self.app.name, self.holder,
                         duration_s=self.opts.lease_duration,
                         namespace=self.opts.history_namespace, stop=self.stop, sink=self.sink)
        if lock is None:
            return
        try:
            self._lead(lock)
        finally:
            lock.release()
        if lock.lost is not None:
            self.say.emit(Kind.LOCK_LOST, lock.lost.message)
            self.say.forget()

    def _run_once(self) -> None:
        # a cron job must not queue behind a long-running watcher: fail fast instead
        try:
            lock = acquire(self.target.cluster, self.app.name, self.holder,
                           namespace=self.opts.history_namespace,
                           duration_s=self.opts.lease_duration)
        except LockHeldError as exc:
            self._fail(exc, Kind.REFUSED)
            return
        except GitsyncError as exc:
            self._fail(exc)
            return
        with lock:
            lock.keep_alive()
            self._reconcile(lock, remote=True, watches=None)

    def _lead(self, lock: LeaseLock) -> None:
        watches = Watches(self.target.cluster, self.app.name, self.sink, self.wake)
        due = time.monotonic()  # the first refresh at once, against the remote
        failures = 0
        try:
            while not self.stop.is_set() and lock.lost is None:
                now = time.monotonic()
                healing = self._heal_at is not None and now >= self._heal_at
                if not (self.wake.is_set() or now >= due or healing):
                    until = min(due, self._heal_at or due) - now
                    self.wake.wait(max(0.0, min(until, _TICK)))
                    continue
                remote = now >= due
                if not remote and self.stop.wait(self.opts.settle):
                    break  # (the pause lets a burst of events end in one refresh)
                self.wake.clear()
                self._heal_at = None
                if self._reconcile(lock, remote, watches):
                    failures = 0
                    if remote:
                        due = time.monotonic() + next_interval(self.opts.interval,
                                                               self.opts.jitter)
                else:
                    failures += 1
                    due = time.monotonic() + reconnect_delay(failures)
        finally:
            watches.close()

    # --- one reconciliation -----------------------------------------------------------------

    def _reconcile(self, lock: LeaseLock, remote: bool, watches: Watches | None) -> bool:
        """Compare, decide, act; False when the cluster or Git could not be read."""
        try:
            state = self._compare(remote)
            if watches is not None:
                watches.ensure((r.key.group, r.key.kind) for r in state.resources)
            seen = observe(state)
            self.say.refresh(state, seen, remote)
            now = time.monotonic()
            self._heal = self._heal.at(seen.revision, now, self.opts.backoff.cap)
            since = None if self._heal.last_end is None else now - self._heal.last_end
            last = last_op(self.store.load(self.app.name).operation)
            decision = decide(self.app.sync_policy.automated, seen, last,
                              retry_failed=self.opts.retry_failed and remote,
                              heal_wait=self.opts.backoff.remaining(self._heal.attempts, since))
            if last is not None and last.revision == seen.revision and not last.succeeded \
                    and not last.interrupted:
                # Synced but Degraded after a failed sync is no success for ``--once``
                self.exit_code = max(self.exit_code, EXIT_OPERATION_FAILED)
            self._act(decision, state, seen, lock)
            return True
        except GitsyncError as exc:
            self._fail(exc)
            return False
        except Exception as exc:  # a bug must not cost the Lease or the watch: report, go on
            self.say.emit(Kind.ERROR, f"unexpected {type(exc).__name__}: {exc}")
            self.exit_code = max(self.exit_code, EXIT_OPERATION_FAILED)
            return False

    def _compare(self, remote: bool) -> AppState:
        t = self.target
        if remote or not self._resolved:
            try:
                state = compare_app(t.app, t.project, t.cluster)
                self._resolved = state.revision.sha
                return state
            except KubeError:
                raise
            except GitsyncError as exc:
                if not self._resolved:
                    raise
                # Git is down or the new commit does not render: keep the last good revision
                self.say.emit(Kind.ERROR, f"{exc.message}; comparing with the last good "
                                          f"revision {self._resolved[:7]}")
        return compare_app(t.app, t.project, t.cluster,
                           CompareOptions(revision=self._resolved, offline=True))

    # --- acting -----------------------------------------------------------------------------

    def _act(self, d: Decision, state: AppState, seen: Observed, lock: LeaseLock) -> None:
        if d.action == Action.NOTHING:
            if not seen.synced and self.say.news("skip", (d.reason, seen)):
                self.say.emit(Kind.SKIPPED, d.reason, revision=d.revision)
        elif d.action == Action.REFUSE:
            self.exit_code = max(self.exit_code, EXIT_OPERATION_FAILED)
            if self.say.news("refuse", (d.reason, seen)):
                self.say.emit(Kind.REFUSED, d.reason, revision=d.revision)
        elif d.action == Action.WAIT:
            self._heal_at = time.monotonic() + d.wait
            if self.say.news("wait", (d.revision, self._heal.attempts)):
                self.say.emit(Kind.HEAL_WAITING, f"attempt {self._heal.attempts + 1} in "
                                                 f"{d.wait:.3g}s (back-off)",
                              revision=d.revision)
        elif d.action == Action.SYNC:
            self._sync(d, lock)
        else:
            self._self_heal(d, state, lock)

    def _sync(self, d: Decision, lock: LeaseLock) -> None:
        self.say.emit(Kind.SYNC_STARTED, f"{d.reason}; prune {'on' if d.prune else 'off'}",
                      revision=d.revision)
        # no revision pinned: the operation and its retries take the newest commit
        request = SyncRequest(prune=d.prune, automated=True, allow_mass_prune=True,
                              retry=self.app.sync_policy.retry or AUTOMATED_RETRY,
                              reason=f"automated sync: {d.reason}")
        outcome = self._operate(request, lock)
        if outcome is not None:
            self.say.emit(Kind.SYNC_FINISHED, outcome.state.message,
                          revision=outcome.state.revision, phase=outcome.state.phase.value)

    def _self_heal(self, d: Decision, state: AppState, lock: LeaseLock) -> None:
        found = changes(state, d.resources)
        attempt = self._heal.attempts + 1
        self.say.emit(Kind.HEAL_STARTED, f"attempt {attempt}: re-applying {len(d.resources)} "
                                         f"object(s)", revision=d.revision, changes=found)
        # the reverted fields and their managers go into the operation state's reason
        request = SyncRequest(prune=d.prune, revision=d.revision, automated=True,
                              target_revision=self.app.source.target_revision,
                              only=d.resources, skip_hooks=True, operation="self-heal",
                              allow_mass_prune=True, offline=True,
                              reason="self-heal: " + "; ".join(map(str, found)))
        outcome = self._operate(request, lock)
        self._heal = self._heal.healed(time.monotonic())
        if outcome is not None:
            verb = "reverted" if outcome.succeeded else "could not revert"
            self.say.emit(Kind.HEAL_FINISHED, f"{outcome.state.message}; {verb} "
                                              f"{len(found)} change(s)",
                          revision=outcome.state.revision, phase=outcome.state.phase.value,
                          changes=found)

    def _operate(self, request: SyncRequest, lock: LeaseLock) -> Outcome | None:
        t = self.target
        try:
            outcome = Operation(t.app, t.project, t.cluster, request,
                                EventReporter(self.app.name, self.sink), self.stop,
                                history_namespace=self.opts.history_namespace,
                                lock=lock).run()
        except GitsyncError as exc:
            self._fail(exc)
            return None
        self._resolved = outcome.state.revision or self._resolved
        if not outcome.succeeded:
            self.exit_code = max(self.exit_code, EXIT_OPERATION_FAILED)
        return outcome

    def _fail(self, exc: GitsyncError, kind: Kind = Kind.ERROR) -> None:
        self.exit_code = max(self.exit_code, exc.exit_code)
        self.say.emit(kind, exc.message + (f" (hint: {exc.hint})" if exc.hint else ""))
