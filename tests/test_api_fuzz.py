"""Fuzz every API operation from its own OpenAPI document: no input may answer a 500, and every
answer is one the document declares (status code, media type and body schema).

Schemathesis loads /api/v1/openapi.json through the WSGI app and sends a few generated
requests per operation as the broker of a test brokerage (a real bearer token). Examples per
operation are few and bounded so the file stays quick; the API tests' own calls check the
success answers the same way (api/tests/conformance.py).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from rallypoynt.accounts.services import api_token_create
from rallypoynt.config.wsgi import application

EXAMPLES = 4
# Fuzzed requests mostly reach the error answers: their codes and shape must be documented too.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]


@schemathesis.serializer("message/rfc822")
def _rfc822(ctx, value):
    # POST /leads/email takes a raw e-mail; any generated text stands in for one.
    return value if isinstance(value, bytes) else str(value).encode()


# Loaded at collection through the WSGI app (no database needed to write the document).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def keep_connection():
    # The WSGI app closes "old" connections when a request finishes; the test's transaction
    # lives on that connection (Django's test client disconnects the same signal).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(brokerage, keep_connection):
    cache.clear()  # rate-limit counters: token ids repeat across rolled-back tests
    _, token = api_token_create(actor=brokerage.broker, name="fuzz")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_500_or_off_its_document(case, bearer):
    cache.clear()  # every example gets the full rate limit
    case.call_and_validate(headers=bearer, checks=CHECKS)
