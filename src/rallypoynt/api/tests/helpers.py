"""Calling the API as a member, with a real bearer token; every answer is checked against the
OpenAPI document."""

from __future__ import annotations

import json

from django.test import Client

from rallypoynt.accounts.services import api_token_create
from rallypoynt.api.tests.conformance import check_conformance
from rallypoynt.core.testing import client_for
from rallypoynt.orgs.models import Membership


class ApiClient:
    """A Django test client that sends `Authorization: Bearer <token>` on every call and fails
    on an answer the OpenAPI document does not declare (see conformance.py)."""

    def __init__(self, member: Membership | None = None, token: str | None = None):
        self.client = Client()
        if member is not None and token is None:
            _, token = api_token_create(actor=member, name="tests")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def _send(self, method: str, path: str, data=None, **extra):
        kwargs = {**self.headers, **extra}
        if data is not None:
            kwargs["data"] = json.dumps(data)
            kwargs["content_type"] = "application/json"
        return self._checked(getattr(self.client, method)(path, **kwargs))

    @staticmethod
    def _checked(response):
        check_conformance(response)
        return response

    def get(self, path: str, **extra):
        return self._checked(self.client.get(path, **{**self.headers, **extra}))

    def post(self, path: str, data=None, **extra):
        return self._send("post", path, data, **extra)

    def put(self, path: str, data=None, **extra):
        return self._send("put", path, data, **extra)

    def patch(self, path: str, data=None, **extra):
        return self._send("patch", path, data, **extra)

    def delete(self, path: str, **extra):
        return self._checked(self.client.delete(path, **{**self.headers, **extra}))


def client_for_url(member: Membership, url: str) -> ApiClient | Client:
    """The member's API client for an /api/ URL, else their logged-in browser."""
    return ApiClient(member) if url.startswith("/api/") else client_for(member)
