"""One error shape for every API failure: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rallypoynt.api.auth import RateLimited
from rallypoynt.core.api.errors import STATUS_CODES
from rallypoynt.core.errors import ServiceError


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    message: str,
    *,
    code: str = "",
    fields: dict | None = None,
) -> HttpResponse:
    body = {
        "error": {
            "code": code or STATUS_CODES.get(status, "error"),
            "message": message,
            "fields": fields or {},
        }
    }
    return api.create_response(request, body, status=status)


def _field_path(loc: list) -> str:
    # ninja locations start with where the value came from ("body", "query", "path")
    # and, for a body, the schema argument's name; callers want the field path.
    # A missing body is reported at ("body", "payload"): that is the whole body, "__all__".
    parts = [str(p) for p in loc]
    source = ""
    if parts and parts[0] in {"body", "query", "path", "header", "form", "cookie"}:
        source, parts = parts[0], parts[1:]
    if parts and parts[0] == "payload" and (source == "body" or len(parts) > 1):
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def on_validation(request, exc: ValidationError):
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            fields.setdefault(_field_path(list(err.get("loc", []))), []).append(err.get("msg", ""))
        return error_response(api, request, 422, "The request is not valid.", fields=fields)

    @api.exception_handler(ServiceError)
    def on_service_error(request, exc: ServiceError):
        return error_response(
            api, request, exc.status, exc.message, code=exc.code, fields=exc.fields
        )

    @api.exception_handler(AuthenticationError)
    def on_auth(request, exc):
        return error_response(api, request, 401, "Authentication required: send a bearer token.")

    @api.exception_handler(RateLimited)
    def on_rate_limited(request, exc: RateLimited):
        response = error_response(api, request, 429, "Too many requests for this token.")
        response["Retry-After"] = str(max(exc.retry_after, 1))
        return response

    @api.exception_handler(Http404)
    def on_404(request, exc):
        return error_response(api, request, 404, "Not found.")

    @api.exception_handler(DjangoPermissionDenied)
    def on_403(request, exc):
        return error_response(api, request, 403, str(exc) or "Permission denied.")

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        return error_response(api, request, exc.status_code, str(exc))
