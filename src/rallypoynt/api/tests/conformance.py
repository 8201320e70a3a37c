"""Check a test's API answer against the OpenAPI document: its status code is declared for the
operation, its media type is the declared one, and its body matches the declared schema.

ApiClient runs it on every answer, so the whole API test suite keeps the document honest (the
fuzz test only reaches the error paths)."""

from __future__ import annotations

import functools

import requests
import schemathesis
from django.http import HttpResponse, StreamingHttpResponse
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.schemas import OpenApiSchema

API_PREFIX = "/api/v1"
CHECKS = (status_code_conformance, content_type_conformance, response_schema_conformance)


@functools.cache
def _schema() -> OpenApiSchema:
    from rallypoynt.api.api import api

    return schemathesis.openapi.from_dict(api.get_openapi_schema())


def _body(response: HttpResponse | StreamingHttpResponse) -> bytes:
    if not response.streaming:
        return response.content
    content = b"".join(response.streaming_content)
    response.streaming_content = [content]  # the test reads it again
    return content


def check_conformance(response: HttpResponse | StreamingHttpResponse) -> None:
    """Raise (schemathesis' failure, naming what differs) when `response` is not what the
    document declares. Unknown routes and 5xx answers are left to the test's own asserts."""
    request = response.request
    path, method = request["PATH_INFO"], request["REQUEST_METHOD"]
    if not path.startswith(f"{API_PREFIX}/") or response.status_code >= 500:
        return
    operation = _schema().find_operation_by_path(method, path)
    if operation is None:
        return  # not an operation: 404/405 of the routing, or the document itself
    sent = requests.Request(method=method, url=f"http://testserver{path}").prepare()
    answer = Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.items()},
        content=_body(response),
        request=sent,
        elapsed=0.0,
        verify=False,
    )
    case = operation.Case(method=method)
    for check in CHECKS:
        check(None, answer, case)
