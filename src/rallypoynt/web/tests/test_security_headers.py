"""Every response carries the strict Content-Security-Policy and the Permissions-Policy; no
template carries inline script, style or event handlers the policy would block."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.orgs.tests.factories import MembershipFactory
from rallypoynt.web.middleware import csp_header, permissions_policy_header

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


def assert_secured(response) -> None:
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    # Django's own headers are still there.
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_carry_the_policies():
    client = Client()
    client.force_login(MembershipFactory().user)
    response = client.get("/contacts/")
    assert response.status_code == 200
    assert_secured(response)
    assert_secured(Client().get("/accounts/login/"))
    assert_secured(Client().get("/no-such-page/"))


def test_api_responses_carry_the_policies():
    response = ApiClient(MembershipFactory()).get("/api/v1/me")
    assert response.status_code == 200
    assert_secured(response)
    assert_secured(Client().get("/api/v1/me"))  # a 401 too


def test_the_api_docs_run_from_our_own_files_under_the_same_policy():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert_secured(response)
    html = response.text
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing from a CDN
    assert "/static/ninja/swagger-ui-bundle.js" in html
    settings_json = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1)
    # The validator badge would load an image from validator.swagger.io.
    assert json.loads(settings_json)["validatorUrl"] is None
    assert_secured(Client().get("/api/v1/openapi.json"))


def test_a_response_that_sets_its_own_policy_keeps_it(rf):
    from django.http import HttpResponse

    from rallypoynt.web.middleware import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse()
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(rf.get("/"))
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert "camera=()" in response["Permissions-Policy"]


def test_policies_serialise_in_the_header_grammar():
    policy = {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}
    assert csp_header(policy) == "default-src 'self'; img-src 'self' data:"
    assert permissions_policy_header({"camera": [], "fullscreen": ["self"]}) == (
        "camera=(), fullscreen=(self)"
    )


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+\s*=|javascript:", re.I
)


def test_no_template_has_inline_script_style_or_handlers():
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in SRC.glob("*/templates/**/*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line) and 'type="application/json"' not in line
    ]
    assert offenders == []


def test_https_redirects_carry_the_policies(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
