"""The kube error family, and the translation of API answers and transport failures into it.

Nothing here imports ``kubernetes`` at module level, so the CLI can map these errors to exit
codes without paying for the client's import.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TypedDict, Unpack, cast

from gitsync.errors import EXIT_UNREACHABLE, GitsyncError, UnreachableError
from gitsync.kube.types import Status, StatusCause
from gitsync.model import ResourceKey


class Where(TypedDict, total=False):
    """What a failed request was about: subject (an identity), key, HTTP status and reason."""

    subject: str
    key: ResourceKey | None
    status: int
    reason: str


class KubeError(GitsyncError):
    """A cluster request failed; ``subject`` names what it was about, ``status`` the HTTP code."""

    def __init__(self, message: str, *, hint: str = "", **where: Unpack[Where]) -> None:
        super().__init__(message, hint=hint)
        self.subject = where.get("subject", "")
        self.key = where.get("key")
        self.status = where.get("status", 0)
        self.reason = where.get("reason", "")


class NotFoundError(KubeError):
    """The object (or its namespace, or its kind) does not exist."""


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """A field another field manager owns, as a server-side apply conflict reports it."""

    manager: str
    field: str


class ConflictError(KubeError):
    """409: a stale resourceVersion, or fields owned by other managers (``conflicts``)."""

    def __init__(self, message: str, *, conflicts: tuple[FieldConflict, ...] = (),
                 hint: str = "", **where: Unpack[Where]) -> None:
        super().__init__(message, hint=hint, **where)
        self.conflicts = conflicts


class AlreadyExistsError(ConflictError):
    """409 AlreadyExists: a create found the name taken."""


class InvalidObjectError(KubeError):
    """400/422: the server refused the object; ``causes`` names the offending fields."""

    def __init__(self, message: str, *, causes: tuple[StatusCause, ...] = (),
                 hint: str = "", **where: Unpack[Where]) -> None:
        super().__init__(message, hint=hint, **where)
        self.causes = causes


class ForbiddenError(KubeError):
    """401/403: the kubeconfig's user may not do this."""


class ExpiredError(KubeError):
    """410 Gone: a watch or continue token is older than the server's history; re-list."""


class UnknownKindError(KubeError):
    """The cluster serves no resource of this kind (a missing CRD, a typo in apiVersion)."""


class ApiUnavailableError(KubeError, UnreachableError):
    """The API server could not be reached or kept failing (5xx, 429) after retries."""

    exit_code = EXIT_UNREACHABLE


_MANAGER = re.compile(r'conflict with "((?:[^"\\]|\\.)*)"')


def parse_status(body: bytes | str | None) -> Status:
    """The ``Status`` in an error body; ``{}`` when the body is not one (a proxy's HTML page)."""
    if not body:
        return {}
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return {}
    return cast(Status, data) if isinstance(data, dict) and data.get("kind") == "Status" else {}


def field_conflicts(status: Status) -> tuple[FieldConflict, ...]:
    """The (manager, field) pairs of a server-side apply conflict."""
    out = []
    for cause in status.get("details", {}).get("causes") or []:
        if cause.get("reason") != "FieldManagerConflict":
            continue
        m = _MANAGER.search(cause.get("message", ""))
        manager = m.group(1).replace('\\"', '"') if m else cause.get("message", "")
        out.append(FieldConflict(manager, cause.get("field", "")))
    return tuple(out)


def from_status(code: int, body: bytes | str | None, *, subject: str,
                key: ResourceKey | None = None, attempts: int = 1,
                elapsed: float = 0.0) -> KubeError:
    """Translate a non-2xx answer into the matching KubeError."""
    status = parse_status(body)
    reason = status.get("reason", "")
    server_says = status.get("message", "") or _plain(body) or f"HTTP {code}"
    common: Where = {"subject": subject, "key": key, "status": code, "reason": reason}
    if code == 404:
        missing_ns = status.get("details", {}).get("kind") == "namespaces"
        return NotFoundError(f"{subject}: {server_says}",
                             hint="create the namespace first (or sync with CreateNamespace=true)"
                             if missing_ns else "", **common)
    if code == 409:
        return _conflict(status, server_says, common)
    if code in (400, 422):
        causes = tuple(status.get("details", {}).get("causes") or [])
        named = "; ".join(f"{c.get('field') or '(object)'}: {c.get('message', '')}"
                          for c in causes)
        return InvalidObjectError(
            f"{subject} is invalid: {named or server_says}", causes=causes,
            hint="fix the manifest; the API server named the offending fields", **common)
    if code in (401, 403):
        what = "unauthorized" if code == 401 else "forbidden"
        hint = ("the credentials of the kubeconfig user were refused; log in again"
                if code == 401 else "check the RBAC permissions of the kubeconfig user")
        return ForbiddenError(f"{subject}: {what}: {server_says}", hint=hint, **common)
    if code == 410:
        return ExpiredError(f"{subject}: {server_says}", hint="list again and watch from there",
                            **common)
    if code == 429 or code >= 500:
        return ApiUnavailableError(f"{subject}: the API server answered {code} "
                                   f"{reason or 'error'}: {server_says}"
                                   f"{_tries(attempts, elapsed)}",
                                   hint="the cluster is overloaded or unhealthy; try again later",
                                   **common)
    return KubeError(f"{subject}: {code} {reason or 'error'}: {server_says}", **common)


def _conflict(status: Status, server_says: str, common: Where) -> KubeError:
    subject = common.get("subject", "")
    if common.get("reason") == "AlreadyExists":
        return AlreadyExistsError(f"{subject}: already exists",
                                  hint="apply it instead of creating it", **common)
    conflicts = field_conflicts(status)
    if conflicts:
        owned = ", ".join(f"{c.field} (owned by {c.manager})" for c in conflicts)
        return ConflictError(
            f"{subject}: {len(conflicts)} field(s) belong to other managers: {owned}",
            conflicts=conflicts,
            hint="apply with force to take these fields over, or stop the other manager "
                 "from setting them", **common)
    return ConflictError(f"{subject}: {server_says}",
                         hint="the object changed meanwhile; read it again and retry", **common)


def unavailable(subject: str, server: str, cause: BaseException | str, attempts: int,
                elapsed: float, key: ResourceKey | None = None) -> ApiUnavailableError:
    """The error for a server that never answered (refused, reset, timed out)."""
    detail = cause if isinstance(cause, str) else describe_transport_error(cause)
    return ApiUnavailableError(
        f"{subject}: the API server at {server} did not answer: {detail}"
        f"{_tries(attempts, elapsed)}",
        hint="check that the cluster is running and that the kubeconfig points at it",
        subject=subject, key=key)


def _tries(attempts: int, elapsed: float) -> str:
    return f" (after {attempts} attempts in {elapsed:.1f}s)" if attempts > 1 else ""


def describe_transport_error(exc: BaseException) -> str:
    """A short, human reason for a urllib3 or socket failure ("connection refused")."""
    text = str(exc).lower()
    for needle, said in (("refused", "connection refused"), ("reset", "connection reset"),
                         ("timed out", "timed out"), ("read timeout", "timed out"),
                         ("remote end closed", "connection closed by the server"),
                         ("aborted", "connection aborted"),
                         ("name or service not known", "unknown host"),
                         ("certificate", "TLS certificate problem")):
        if needle in text:
            return said
    return f"{type(exc).__name__}: {exc}"


def _plain(body: bytes | str | None) -> str:
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return " ".join(text.split())[:200]
