"""Shared API schemas: the one error shape, and the responses every operation declares."""

from __future__ import annotations

from ninja import Schema

# What any operation may answer besides its own success: 400 an unreadable body, 401 no or a
# bad token, 403 a role or CSRF refusal, 404 a missing or hidden row, 409 a state that forbids
# the move, 422 an invalid value (a NUL character in any query included), 429 the rate limit.
COMMON_ERROR_CODES = (400, 401, 403, 404, 409, 422, 429)


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorBody


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """`{code: ErrorOut}` for each code, to spread into an operation's `response=`."""
    return dict.fromkeys(codes, ErrorOut)


ERRORS = error_responses(*COMMON_ERROR_CODES)


def file_responses(description: str, content_type: str) -> dict:
    """`openapi_extra` for an operation answering a file: its 200 is that media type, not JSON
    (the operation returns the HttpResponse itself; its `response=` holds only ERRORS)."""
    return {"responses": {200: {"description": description, "content": {content_type: {}}}}}
