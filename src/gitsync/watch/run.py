"""Watching several apps at once: a thread per app, all ended by one stop event."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Sequence

from gitsync.history import default_holder
from gitsync.watch.events import Sink, locked
from gitsync.watch.loop import AppWatcher
from gitsync.watch.options import AppTarget, WatchOptions

#: how often the waiting thread looks at ``stop`` (signal handlers only set it)
_POLL = 0.2


def watch_apps(targets: Sequence[AppTarget], options: WatchOptions, sink: Sink,
               stop: threading.Event) -> int:
    """Watch ``targets`` until ``stop`` is set; 0, or with ``--once`` the worst exit code.

    ``--once`` codes: 0 all in sync (or left as their policy says), 20 a sync failed or was
    refused, 11 the cluster or Git was unreachable, 2 invalid input.
    """
    # unique per run: two watchers in one process (or a restarted pod) are told apart
    holder = options.holder or f"{default_holder()}/watch-{secrets.token_hex(3)}"
    emit = locked(sink)
    watchers = [AppWatcher(t, options, emit, stop, holder) for t in targets]
    threads = [threading.Thread(target=w.run, name=f"gitsync-app-{w.app.name}", daemon=True)
               for w in watchers]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(_POLL)
            if stop.is_set():
                for w in watchers:
                    w.wake.set()  # cut their waits short
    # a long-running watcher stopped by SIGTERM did its job, whatever happened on the way
    return max((w.exit_code for w in watchers), default=0) if options.once else 0
