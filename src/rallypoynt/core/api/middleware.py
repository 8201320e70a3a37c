"""Keep the API's error shape for answers ninja does not produce (unknown route, 405), and
refuse NUL characters in any request's text before they reach the database."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase

from rallypoynt.core.api.errors import STATUS_CODES

API_PREFIX = "/api/"
MESSAGES = {404: "No such API route.", 405: "This route does not accept that method."}

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class ApiErrorShapeMiddleware:
    """Rewrite non-JSON 4xx answers under /api/ into {"error": {"code", "message", "fields"}}."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or not 400 <= response.status_code < 500:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        body = {
            "error": {
                "code": STATUS_CODES.get(status, "error"),
                "message": MESSAGES.get(status, response.reason_phrase),
                "fields": {},
            }
        }
        shaped = JsonResponse(body, status=status, json_dumps_params={"separators": (",", ":")})
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped


NUL = "\x00"
# How a YAML double-quoted string writes a NUL.
YAML_NUL_ESCAPES = (b"\\0", b"\\x00", b"\\u0000", b"\\U00000000")


def _nul_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) holding a NUL character, if any."""
    if isinstance(value, str):
        return path or "__all__" if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                return here
            found = _nul_path(item, here)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def _nul_field(request: HttpRequest) -> str | None:
    """Where the request carries a NUL character: a query, form or JSON field, a file name."""
    if NUL in request.path:
        return "__all__"
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            return key
    content_type = request.content_type or ""
    api = request.path.startswith(API_PREFIX)  # ninja reads any API body as JSON
    if api and content_type == "multipart/form-data":
        # Left to the endpoint: parsing it here would keep an endpoint that reads the raw
        # body from reading it (the one multipart endpoint, imports, checks its own file).
        return None
    if content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in v for v in values):
                return key
        for key, files in request.FILES.lists():
            if any(NUL in (f.name or "") for f in files):
                return key
        return None
    if not (api or content_type.endswith("json") or content_type.startswith("text/")):
        return None  # a binary body is the view's to judge
    body = request.body
    if b"\x00" in body:
        return "__all__"
    if content_type.endswith("yaml") and any(e in body for e in YAML_NUL_ESCAPES):
        return "__all__"
    if (api or content_type.endswith("json")) and b"\\u0000" in body:
        try:
            return _nul_path(json.loads(body))
        except ValueError:
            return None  # not JSON: the endpoint answers that with its own 400/422
    return None


class RefuseNulMiddleware:
    """Refuse a NUL character in any query, form or JSON value (PostgreSQL cannot store one):
    a 422 in the API's error shape naming the field under /api/, Django's 400 page elsewhere."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            field = _nul_field(request)
        except MultiPartParserError:
            status, message, fields = 400, "The form body cannot be read (bad multipart).", {}
        else:
            if field is None:
                return self.get_response(request)
            # 422 like every other invalid value, naming the field.
            status, message = 422, "Text must not contain NUL (\\u0000) characters."
            fields = {field: ["must not contain NUL characters"]}
        if not request.path.startswith(API_PREFIX):
            raise BadRequest(message)
        body = {
            "error": {
                "code": STATUS_CODES[status],
                "message": message,
                "fields": fields,
            }
        }
        return JsonResponse(body, status=status, json_dumps_params={"separators": (",", ":")})
