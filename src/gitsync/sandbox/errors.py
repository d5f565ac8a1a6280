"""API errors as kube-apiserver reports them: a ``Status`` body with reason, code and details."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Cause:
    """One ``details.causes`` entry: reason (e.g. FieldValueInvalid), message and field path."""

    reason: str
    message: str
    field: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"reason": self.reason, "message": self.message}
        if self.field:
            out["field"] = self.field
        return out


@dataclass
class ApiError(Exception):
    """An error answered as a ``Status`` object; never a 500 unless the server really failed."""

    code: int
    reason: str
    message: str
    details: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} {self.reason}: {self.message}"

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def qualified(resource: str, group: str) -> str:
    """``deployments.apps`` / ``pods``: how the apiserver names a resource in messages."""
    return f"{resource}.{group}" if group else resource


def _details(name: str, group: str, kind: str, **extra: Any) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if name:
        d["name"] = name
    if group:
        d["group"] = group
    d["kind"] = kind
    d.update(extra)
    return d


def not_found(resource: str, group: str, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{qualified(resource, group)} "{name}" not found',
                    _details(name, group, resource))


def resource_not_found() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(resource: str, group: str, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists",
                    f'{qualified(resource, group)} "{name}" already exists',
                    _details(name, group, resource))


def conflict(resource: str, group: str, name: str, why: str) -> ApiError:
    subject = f'{qualified(resource, group)} "{name}"'
    return ApiError(409, "Conflict", f"Operation cannot be fulfilled on {subject}: {why}",
                    _details(name, group, resource))


STALE = ("the object has been modified; please apply your changes to the latest version "
         "and try again")


def invalid(kind: str, group: str, name: str, causes: list[Cause]) -> ApiError:
    """422 Invalid: ``Deployment.apps "x" is invalid: <field>: <message>`` (bracketed if many)."""
    parts = [f"{c.field}: {c.message}" if c.field else c.message for c in causes]
    summary = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    return ApiError(422, "Invalid", f'{qualified(kind, group)} "{name}" is invalid: {summary}',
                    _details(name, group, kind, causes=[c.to_dict() for c in causes]))


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message, {})


def method_not_allowed(resource: str, group: str, name: str = "") -> ApiError:
    return ApiError(405, "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                    _details(name, group, resource))


def unsupported_media_type(content_type: str) -> ApiError:
    return ApiError(415, "UnsupportedMediaType",
                    f"the body of the request was in an unknown format - accepted media types "
                    f"include: application/json-patch+json, application/merge-patch+json, "
                    f"application/apply-patch+yaml (got {content_type!r})", {})


def not_acceptable(accept: str) -> ApiError:
    return ApiError(406, "NotAcceptable",
                    f"the server was unable to respond with a content type that the client "
                    f"supports ({accept})", {})


def expired(message: str) -> ApiError:
    return ApiError(410, "Expired", message, {})


def forbidden(resource: str, group: str, name: str, message: str,
              causes: list[Cause] | None = None) -> ApiError:
    extra: dict[str, Any] = {"causes": [c.to_dict() for c in causes]} if causes else {}
    return ApiError(403, "Forbidden",
                    f'{qualified(resource, group)} "{name}" is forbidden: {message}',
                    _details(name, group, resource, **extra))


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, "TooManyRequests",
                    "the server has received too many requests and has asked us to try again "
                    "later", {"retryAfterSeconds": retry_after},
                    {"Retry-After": str(retry_after)})


def internal_error(message: str) -> ApiError:
    return ApiError(500, "InternalError",
                    f"Internal error occurred: {message}", {"causes": [
                        {"message": message}]})


def service_unavailable(message: str = "the server is currently unable to handle the request"
                        ) -> ApiError:
    return ApiError(503, "ServiceUnavailable", message, {})


def generic_invalid() -> ApiError:
    """422 as ``NewGenericServerResponse`` builds it: a fixed message, the cause left out."""
    return ApiError(422, "Invalid",
                    "the server rejected our request due to an error in our request", {})


def unknown_error(message: str) -> ApiError:
    """A malformed patch the apiserver passes through as a bare Go error.

    Upstream this surfaces as a 500 with no reason; the sandbox answers 400 BadRequest with the
    same message instead, because a malformed request body must never look like a server fault.
    """
    return ApiError(400, "BadRequest", message)


def request_entity_too_large(message: str) -> ApiError:
    return ApiError(413, "RequestEntityTooLarge", f"Request entity too large: {message}")


def apply_conflict(message: str, causes: list[Cause]) -> ApiError:
    """409 from server-side apply (``NewApplyConflict``): only ``causes`` in the details."""
    return ApiError(409, "Conflict", message, {"causes": [c.to_dict() for c in causes]})
