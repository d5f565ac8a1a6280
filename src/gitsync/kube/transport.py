"""One HTTP exchange with the API server through the official client's connection pool.

The ``kubernetes`` ApiClient contributes what it is good at (kubeconfig-derived TLS, tokens that
exec plugins refresh, proxies); bodies stay raw JSON bytes, so no model is ever built. Retries
and error translation are not done here but in ``Cluster._call``, the one choke point.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any, TypedDict
from urllib.parse import urlencode

import urllib3

from gitsync.kube.errors import KubeError
from gitsync.kube.types import Obj
from gitsync.model import ResourceKey

#: query parameters, in order (a key may repeat)
Query = list[tuple[str, str]]


class Request(TypedDict, total=False):
    """What one request may carry besides its method, path and subject."""

    key: ResourceKey | None
    query: Query
    body: bytes | None
    content_type: str
    accept: str
    #: return a 2xx answer unread, for a watch to stream
    stream: bool
    read_timeout: float
    #: a 404 is an answer (None, False), not an error
    missing_ok: bool


@dataclass
class Answer:
    """A response: status, headers and body; ``stream`` is the open response of a watch."""

    status: int
    headers: dict[str, str]
    data: bytes
    stream: Any = None

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class Transport:
    """Sends requests with an ApiClient's auth and pool; raises only urllib3/socket errors."""

    def __init__(self, api_client: Any) -> None:
        if not hasattr(api_client, "param_serialize"):
            raise RuntimeError("gitsync needs kubernetes>=37 (ApiClient.param_serialize)")
        self._api = api_client
        self._pool: urllib3.PoolManager = api_client.rest_client.pool_manager

    @property
    def server(self) -> str:
        return str(self._api.configuration.host).rstrip("/")

    def send(self, method: str, path: str, query: Query, *, body: bytes | None,
             content_type: str, accept: str, timeout: urllib3.Timeout,
             stream: bool = False) -> Answer:
        """One attempt; with ``stream`` a 2xx answer is returned unread, for the caller to read."""
        resource = f"{path}?{urlencode(query)}" if query else path
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = content_type
        # param_serialize adds the bearer token (refreshing exec-plugin credentials) and host
        _, url, headers, _, _ = self._api.param_serialize(
            method=method, resource_path=resource, header_params=headers,
            auth_settings=["BearerToken"])
        resp = self._pool.request(method, url, body=body, headers=headers, timeout=timeout,
                                  retries=False, redirect=False, preload_content=False)
        answer_headers = {k.lower(): v for k, v in resp.headers.items()}
        if stream and 200 <= resp.status < 300:
            return Answer(resp.status, answer_headers, b"", resp)
        try:
            data = resp.data
        finally:
            resp.release_conn()
        return Answer(resp.status, answer_headers, data)

    def close(self) -> None:
        self._api.close()


def is_transport_error(exc: BaseException) -> bool:
    """Whether ``exc`` is the network failing (as opposed to a bug or a client misuse)."""
    return isinstance(exc, urllib3.exceptions.HTTPError | OSError | http.client.HTTPException)


def retry_after(answer: Answer) -> float | None:
    """The seconds a Retry-After header asks for, if it gives a number."""
    value = answer.header("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to our own back-off


def parse_json(answer: Answer, subject: str) -> Obj:
    """The JSON object of a 2xx answer; anything else means we are not talking to Kubernetes."""
    try:
        data = json.loads(answer.data)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        what = answer.header("Content-Type") or "no content type"
        raise KubeError(f"{subject}: the server answered {what}, not a Kubernetes object",
                        hint="check the server URL of the kubeconfig context: something other "
                             "than the Kubernetes API answered", subject=subject,
                        status=answer.status)
    return data


def dump(obj: Obj) -> bytes:
    """A request body: compact JSON (valid YAML too, so it serves apply-patch+yaml)."""
    return json.dumps(obj, separators=(",", ":")).encode()
