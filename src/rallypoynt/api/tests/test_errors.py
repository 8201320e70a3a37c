import json

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.test import RequestFactory
from ninja.errors import AuthenticationError, HttpError

from rallypoynt.api.api import api
from rallypoynt.api.auth import RateLimited
from rallypoynt.api.errors import _field_path
from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationFailed,
)
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client():
    return ApiClient(MembershipFactory())


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def handled(exc):
    response = api.on_exception(RequestFactory().get("/api/v1/x"), exc)
    return response.status_code, json.loads(response.content)["error"]


# validation


def test_missing_body_field_is_422_named_without_body_or_payload_prefix(api_client):
    response = api_client.post("/api/v1/tokens", {})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed" and error["message"]
    assert list(error["fields"]) == ["name"]
    assert error["fields"]["name"]


def test_wrong_type_in_body_is_422_on_that_field(api_client):
    response = api_client.post("/api/v1/tokens", {"name": ["a"]})
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["name"]


def test_wrong_type_in_query_is_422_on_that_parameter(api_client):
    response = api_client.get("/api/v1/members?limit=many")
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["limit"]


def test_wrong_type_in_path_is_422_on_that_parameter(api_client):
    response = api_client.delete("/api/v1/tokens/abc")
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["token_id"]


def test_empty_body_is_422_on_the_whole_body_not_on_payload(api_client):
    response = api_client.client.post(
        "/api/v1/tokens", "", content_type="application/json", **api_client.headers
    )
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["__all__"]


def test_unparseable_json_is_400_in_the_error_shape(api_client):
    response = api_client.client.post(
        "/api/v1/tokens", "{not json", content_type="application/json", **api_client.headers
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


@pytest.mark.parametrize(
    "loc, expected",
    [
        (["body", "payload", "name"], "name"),
        (["body", "payload", "address", "city"], "address.city"),
        (["body", "payload", "items", 0], "items.0"),
        (["query", "limit"], "limit"),
        (["path", "token_id"], "token_id"),
        (["body", "payload"], "__all__"),
        (["query", "payload"], "payload"),
        (["body"], "__all__"),
        ([], "__all__"),
    ],
)
def test_field_path_drops_the_source_and_argument_name(loc, expected):
    assert _field_path(loc) == expected


# mapping of exceptions


@pytest.mark.parametrize(
    "exc, status, code",
    [
        (ServiceError("bad"), 400, "invalid"),
        (ValidationFailed("bad"), 422, "validation_failed"),
        (PermissionDenied("no"), 403, "permission_denied"),
        (NotFound("gone"), 404, "not_found"),
        (Conflict("taken"), 409, "conflict"),
        (Conflict("taken", code="duplicate_email"), 409, "duplicate_email"),
    ],
)
def test_service_errors_map_to_their_status_and_code(exc, status, code):
    got_status, error = handled(exc)
    assert (got_status, error["code"], error["message"]) == (status, code, exc.message)


def test_service_error_fields_are_passed_through():
    _, error = handled(ValidationFailed("bad", fields={"email": ["taken", "odd"]}))
    assert error["fields"] == {"email": ["taken", "odd"]}


@pytest.mark.parametrize(
    "exc, status, code",
    [
        (AuthenticationError(), 401, "unauthenticated"),
        (Http404(), 404, "not_found"),
        (DjangoPermissionDenied(), 403, "permission_denied"),
        (HttpError(413, "too big"), 413, "too_large"),
        (HttpError(418, "teapot"), 418, "error"),
        (RateLimited(retry_after=0), 429, "rate_limited"),
    ],
)
def test_framework_errors_use_the_same_shape(exc, status, code):
    assert handled(exc)[0] == status
    assert handled(exc)[1]["code"] == code


def test_rate_limited_retry_after_is_at_least_one_second():
    response = api.on_exception(RequestFactory().get("/"), RateLimited(retry_after=0))
    assert response["Retry-After"] == "1"


def test_service_error_raised_in_an_endpoint_reaches_the_caller(api_client):
    response = api_client.delete("/api/v1/tokens/999999")
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "not_found",
        "message": "No such active token.",
        "fields": {},
    }


def test_unauthenticated_is_401_in_the_error_shape():
    response = ApiClient().get("/api/v1/tokens")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


# routes ninja does not own


def test_unknown_api_route_is_404(api_client):
    assert api_client.get("/api/v1/no-such-thing").status_code == 404


def test_unknown_api_route_uses_the_error_shape(api_client):
    assert error_of(api_client.get("/api/v1/no-such-thing"))["code"] == "not_found"


def test_wrong_method_on_a_known_route_is_405(api_client):
    assert api_client.patch("/api/v1/me", {}).status_code == 405


def test_wrong_method_on_a_known_route_uses_the_error_shape(api_client):
    assert error_of(api_client.patch("/api/v1/me", {}))["code"] == "method_not_allowed"
