"""Transport-neutral request and response values exchanged by the server and the API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from gitsync.sandbox.errors import ApiError

JSON = "application/json"


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]           # lower-case names
    body: bytes = b""

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("true", "1")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def accept(self) -> str:
        return self.headers.get("accept", "")

    def user_agent_manager(self) -> str:
        """The default field manager: the User-Agent up to its first '/', as upstream."""
        ua = self.headers.get("user-agent", "")
        return ua.split("/", 1)[0][:128] if ua else "unknown"


@dataclass(slots=True)
class Response:
    status: int
    body: bytes
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Stream:
    """A streamed (chunked) response: watches."""

    chunks: AsyncIterator[bytes]
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


def json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(status, body, JSON, headers or {})


def error_response(err: ApiError) -> Response:
    return json_response(err.code, err.status(), dict(err.headers))


_BODY_TYPES = {"", "application/json", "application/yaml", "*/*",
               "application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml"}


#: libyaml's loader when PyYAML was built with it: ~20x faster than the pure-Python one
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def decode_body(req: Request, *, yaml_ok: bool = True) -> Any:
    """Parse a JSON (or YAML) request body; a malformed body is a 400, never a 500."""
    raw = req.body
    ct = req.content_type
    if ct not in _BODY_TYPES:
        raise ApiError(415, "UnsupportedMediaType",
                       f"the body of the request was in an unknown format - accepted media "
                       f"types include: application/json, application/yaml (got {ct!r})", {})
    if not raw.strip():
        raise ApiError(400, "BadRequest", "the body of the request was empty", {})
    try:
        if ct in ("application/yaml", "application/apply-patch+yaml") and yaml_ok:
            if raw.lstrip()[:1] == b"{":
                # clients send apply configurations as JSON, which is YAML too
                try:
                    return json.loads(raw)
                except ValueError:
                    pass
            return yaml.load(raw.decode("utf-8"), Loader=_YAML_LOADER)
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as exc:
        # upstream words decode failures like this for both JSON and YAML bodies
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ApiError(400, "BadRequest",
                       f"the object provided is unrecognized in the request body: {msg}",
                       {}) from None
