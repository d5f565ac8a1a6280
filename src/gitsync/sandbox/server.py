"""HTTP/1.1 transport on asyncio: keep-alive, chunked watch streams, fault injection."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import traceback
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import parse_qsl, unquote, urlsplit

from gitsync.sandbox.api import Api
from gitsync.sandbox.errors import internal_error
from gitsync.sandbox.faults import Faults
from gitsync.sandbox.http import Request, Response, Stream, json_response
from gitsync.sandbox.meta import new_uid
from gitsync.sandbox.routing import resolve

log = logging.getLogger("gitsync.sandbox")

MAX_HEADER = 64 * 1024
MAX_BODY = 3 * 1024 * 1024 + 512 * 1024   # etcd's request limit plus envelope, as upstream


class _BadRequest(Exception):
    pass


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class HttpServer:
    """Serves one :class:`Api` on a socket; all handling happens on one event loop."""

    def __init__(self, api: Api, faults: Faults) -> None:
        self.api = api
        self.faults = faults
        self.requests = 0
        self._server: asyncio.base_events.Server | None = None
        self._conns: set[asyncio.StreamWriter] = set()

    async def start(self, host: str, port: int) -> int:
        self._server = await asyncio.start_server(self._serve, host, port, limit=MAX_HEADER,
                                                  backlog=512)
        sock = self._server.sockets[0]
        return int(sock.getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for w in list(self._conns):
                w.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._conns.add(writer)
        try:
            while True:
                try:
                    req, keep_alive = await self._read_request(reader)
                except _BadRequest as exc:
                    await self._write(writer, Response(400, f"{exc}\n".encode(),
                                                       "text/plain; charset=utf-8"), False)
                    return
                if req is None:
                    return
                self.requests += 1
                if not await self._dispatch(req, reader, writer, keep_alive):
                    return
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            self._conns.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _read_request(self, reader: asyncio.StreamReader) -> tuple[Request | None, bool]:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None, False
        except asyncio.LimitOverrunError:
            raise _BadRequest("request header too large") from None
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            raise _BadRequest("malformed request line") from None
        if not version.startswith("HTTP/1.") or not method.isalpha():
            raise _BadRequest("malformed request line")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers and key in (
                "accept",) else value
        body = b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            total = 0
            while True:
                size_line = await reader.readuntil(b"\r\n")
                try:
                    size = int(size_line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise _BadRequest("malformed chunk size") from None
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                total += size
                if total > MAX_BODY:
                    raise _BadRequest("request entity too large")
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(chunks)
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise _BadRequest("malformed Content-Length") from None
            if length > MAX_BODY:
                raise _BadRequest("request entity too large")
            if headers.get("expect", "").lower() == "100-continue":
                # nothing to negotiate: accept every body up to the limit
                pass
            body = await reader.readexactly(length)
        url = urlsplit(target)
        query = {k: v for k, v in parse_qsl(url.query, keep_blank_values=True)}
        conn = headers.get("connection", "").lower()
        keep_alive = (version == "HTTP/1.1" and conn != "close") or conn == "keep-alive"
        return Request(method.upper(), unquote(url.path), query, headers, body), keep_alive

    def _describe(self, req: Request) -> tuple[str, str, str, str]:
        """(verb, resource, group, name) of a request, for fault rules."""
        parts = [p for p in req.path.split("/") if p]
        try:
            t = resolve(self.api.cluster.registry, parts)
        except Exception:
            t = None
        if t is None:
            return (req.method.lower(), "", "", "")
        if req.method == "GET":
            if t.is_collection:
                verb = "watch" if (t.legacy_watch or req.flag("watch")) else "list"
            else:
                verb = "get"
        else:
            verb = {"POST": "create", "PUT": "update", "PATCH": "patch",
                    "DELETE": "deletecollection" if t.is_collection else "delete"}.get(
                        req.method, req.method.lower())
        return verb, t.rt.plural, t.rt.group, t.name

    async def _dispatch(self, req: Request, reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter, keep_alive: bool) -> bool:
        if self.faults.rules:
            verb, resource, group, name = self._describe(req)
            decision = self.faults.decide(verb, resource)
            if decision.delay:
                await asyncio.sleep(decision.delay)
            if decision.drop:
                writer.transport.abort()
                return False
            if decision.error is not None:
                err = decision.error.error(resource, group, name)
                await self._write(writer, json_response(err.code, err.status(),
                                                        dict(err.headers)), keep_alive)
                return True
        try:
            resp = self.api.handle(req)
        except Exception as exc:
            log.error("internal error on %s %s: %s", req.method, req.path,
                      traceback.format_exc())
            err = internal_error(f"{type(exc).__name__}: {exc}")
            resp = json_response(500, err.status())
        if isinstance(resp, Stream):
            await self._stream(resp, reader, writer)
            return False  # the hang-up watcher may have read ahead: start afresh
        await self._write(writer, resp, keep_alive)
        return True

    async def _write(self, writer: asyncio.StreamWriter, resp: Response, keep_alive: bool) -> None:
        headers = {
            "Audit-Id": new_uid(),
            "Cache-Control": "no-cache, private",
            "Content-Type": resp.content_type,
            "Date": _http_date(),
        }
        headers.update(resp.headers)
        headers["Content-Length"] = str(len(resp.body))
        if not keep_alive:
            headers["Connection"] = "close"
        head = f"HTTP/1.1 {resp.status} {_reason(resp.status)}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        writer.write(head.encode("latin-1") + resp.body)
        await writer.drain()

    async def _stream(self, stream: Stream, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
        headers = {"Audit-Id": new_uid(), "Cache-Control": "no-cache, private",
                   "Content-Type": stream.content_type, "Date": _http_date(),
                   "Transfer-Encoding": "chunked"}
        headers.update(stream.headers)
        head = f"HTTP/1.1 {stream.status} {_reason(stream.status)}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        writer.write(head.encode("latin-1"))
        await writer.drain()
        # a client that hangs up ends the watch at once instead of at its next event
        gone = asyncio.ensure_future(reader.read(1))
        chunks = stream.chunks.__aiter__()
        try:
            while True:
                nxt = asyncio.ensure_future(chunks.__anext__())
                done, _ = await asyncio.wait({nxt, gone}, return_when=asyncio.FIRST_COMPLETED)
                if gone in done:
                    nxt.cancel()
                    with contextlib.suppress(BaseException):
                        await nxt
                    raise ConnectionResetError
                try:
                    chunk = nxt.result()
                except StopAsyncIteration:
                    break
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                await writer.drain()
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        finally:
            gone.cancel()
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(BaseException):
                    await aclose()


_DATE: tuple[int, str] = (-1, "")


def _http_date() -> str:
    """``formatdate(usegmt=True)``, formatted once a second (it has no finer resolution)."""
    global _DATE
    now = int(time.time())
    got = _DATE
    if got[0] != now:
        got = _DATE = (now, formatdate(now, usegmt=True))
    return got[1]
