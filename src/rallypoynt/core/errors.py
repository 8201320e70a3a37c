"""Errors that services raise; the API and pages translate them for the caller."""

from __future__ import annotations


class ServiceError(Exception):
    """A caller's mistake or an illegal move, with a stable code and per-field messages."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str = ""):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(ServiceError):
    status = 422
    code = "validation_failed"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class PermissionDenied(ServiceError):
    status = 403
    code = "permission_denied"


class Conflict(ServiceError):
    status = 409
    code = "conflict"
