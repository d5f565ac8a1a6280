"""Watch streams: newline-delimited JSON events, resumed from the last resourceVersion on a drop.

A stream ends for harmless reasons (the server's timeoutSeconds, a proxy's idle cut, a reset):
each time it is reopened from the newest resourceVersion seen, bookmarks included, so no event
is lost or repeated. Only a 410 (history compacted) is surfaced, as ExpiredError.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import urllib3

from gitsync.kube import errors as err
from gitsync.kube.policy import RetryPolicy
from gitsync.kube.transport import Answer
from gitsync.kube.types import WatchEvent

#: (resourceVersion, seconds left) -> an open 2xx streaming answer, or a raised KubeError
OpenStream = Callable[[str, float], Answer]

_DROPPED = (urllib3.exceptions.HTTPError, OSError, http.client.HTTPException)


def watch_events(open_stream: OpenStream, resource_version: str, timeout: float, subject: str,
                 policy: RetryPolicy, server: str) -> Iterator[WatchEvent]:
    """Yield events until ``timeout`` seconds have passed; reconnect on dropped streams."""
    deadline = time.monotonic() + timeout
    rv = resource_version
    drops = 0  # consecutive streams that died without delivering anything
    start = time.monotonic()
    while (remaining := deadline - time.monotonic()) > 0:
        answer = open_stream(rv, remaining)
        delivered = False
        try:
            for line in _lines(answer.stream):
                event = _parse(line, subject)
                if event is None:
                    continue
                obj_rv = str((event.object.get("metadata") or {}).get("resourceVersion") or "")
                rv = obj_rv or rv
                delivered = True
                if event.type != "BOOKMARK":
                    yield event
            drops = 0
            continue  # the server ended the stream (its timeoutSeconds): open the next one
        except _DROPPED as exc:
            drops = 0 if delivered else drops + 1
            if drops >= policy.attempts:
                raise err.unavailable(subject, server, exc, drops,
                                      time.monotonic() - start) from exc
        finally:
            _close(answer.stream)
        # a server that accepts and drops at once must not be hammered
        time.sleep(min(policy.delay(drops - 1) if drops else 0.0,
                       max(0.0, deadline - time.monotonic())))


def _parse(line: bytes, subject: str) -> WatchEvent | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None  # a torn line cannot happen on a healthy stream; skip rather than crash
    if not isinstance(data, dict):
        return None
    obj = data.get("object")
    obj = obj if isinstance(obj, dict) else {}
    kind = str(data.get("type") or "")
    if kind == "ERROR":
        # 410 Gone arrives as an ERROR event carrying a Status
        raise err.from_status(int(obj.get("code") or 500), json.dumps(obj), subject=subject)
    return WatchEvent(kind, obj)


def _lines(stream: Any) -> Iterator[bytes]:
    buffer = b""
    for chunk in stream.stream(2**16, decode_content=True):
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        yield from (line for line in lines if line.strip())
    if buffer.strip():
        yield buffer


def _close(stream: Any) -> None:
    try:
        stream.close()  # closes the socket too: an unread watch cannot go back to the pool
        stream.release_conn()
    except _DROPPED:
        pass
