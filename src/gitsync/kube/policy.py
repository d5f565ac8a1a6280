"""How the choke point treats failures: which are transient, and how long to back off."""

from __future__ import annotations

import http.client
import random
from dataclasses import dataclass, field
from pathlib import Path

import urllib3.exceptions as u3

#: answers that say "not now" rather than "no": throttling and server-side trouble
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
#: of those, the ones that prove a request was not acted upon, so even a POST may be resent
UNPROCESSED_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential back-off within a time budget (defaults: 0.25 s, x2, cap 8 s, 30 s)."""

    attempts: int = 8
    initial: float = 0.25
    factor: float = 2.0
    max_delay: float = 8.0
    budget: float = 30.0
    #: +/- this fraction of each back-off, so parallel callers do not retry in lockstep
    jitter: float = 0.2

    def delay(self, retries_done: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retries_done + 1``; Retry-After wins."""
        if retry_after is not None:
            return max(0.0, retry_after)
        base = min(self.max_delay, self.initial * self.factor ** retries_done)
        return base * (1 + random.uniform(-self.jitter, self.jitter))


@dataclass(frozen=True)
class ClusterOptions:
    """Tuning of a Cluster connection; the defaults suit a CLI run against a real cluster."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: concurrent requests of one call (LISTs of an app, GETs of missed objects)
    workers: int = 10
    #: seconds for one request (connect + read); watches use their own timeout
    request_timeout: float = 30.0
    #: objects per LIST page, as kubectl's --chunk-size
    page_size: int = 500
    #: the discovery cache's lifetime, as kubectl's (6 hours)
    discovery_ttl: float = 6 * 3600.0
    #: where discovery is cached; None: $XDG_CACHE_HOME/gitsync or ~/.cache/gitsync
    cache_dir: Path | None = None


def is_transient_status(status: int, *, idempotent: bool) -> bool:
    """Whether an HTTP answer is worth retrying."""
    if not idempotent:
        return status in UNPROCESSED_STATUSES
    return status in TRANSIENT_STATUSES


def is_transient_error(exc: BaseException, *, idempotent: bool) -> bool:
    """Whether a transport failure is worth retrying.

    A failure to connect means the request never left, so it is always safe to resend; a reset
    or a read timeout after sending is resent only when the request is idempotent (a second
    POST of a generateName object would create a second object).
    """
    if isinstance(exc, u3.NameResolutionError | u3.SSLError):
        return False  # a typo or a certificate problem: waiting will not fix it
    if isinstance(exc, u3.NewConnectionError | u3.ConnectTimeoutError | ConnectionRefusedError):
        return True
    if isinstance(exc, u3.HTTPError | OSError | http.client.HTTPException):
        return idempotent  # reset, aborted, read timeout, truncated body
    return False
