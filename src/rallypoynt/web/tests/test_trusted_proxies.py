"""The client address: REMOTE_ADDR, unless a trusted proxy forwarded the request."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from django.http import HttpResponse

from rallypoynt.config import env
from rallypoynt.web.middleware import PEER_ADDR_KEY, TrustedProxyMiddleware, client_address

PROXIES = [ip_network("10.0.0.0/8"), ip_network("2001:db8::/32"), ip_network("192.0.2.7/32")]


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # No proxy in front, or an untrusted one: its header is ignored.
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # One trusted proxy: the address it saw.
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # The client may prepend anything; only the rightmost untrusted entry counts.
        ("10.0.0.2", "1.1.1.1, 198.51.100.1", "198.51.100.1"),
        # Chains of trusted proxies are skipped, whatever the header's spacing and ports.
        ("10.0.0.2", "1.1.1.1,198.51.100.1:4711 , 192.0.2.7, 10.9.9.9", "198.51.100.1"),
        ("2001:db8::1", "[2001:db8:ffff::5]:443, 2001:db8::2", "2001:db8:ffff::5"),
        ("2001:db8::1", "2a00:1450::1", "2a00:1450::1"),
        ("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # Only trusted hops: the leftmost one is the best we know.
        ("10.0.0.2", "10.0.0.9, 10.0.0.3", "10.0.0.9"),
        # Nothing forwarded, or garbage: the last address we could read.
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "unknown, 10.0.0.3", "10.0.0.3"),
        ("10.0.0.2", "198.51.100.1, not-an-ip", "10.0.0.2"),
    ],
)
def test_client_address(remote, forwarded, expected):
    assert client_address(remote, forwarded, PROXIES) == expected


def test_without_trusted_proxies_the_header_is_never_read():
    assert client_address("10.0.0.2", "198.51.100.1", []) == "10.0.0.2"


def test_the_middleware_replaces_remote_addr_and_keeps_the_peer(rf, settings):
    settings.TRUSTED_PROXIES = PROXIES
    seen = {}

    def view(request):
        seen.update(request.META)
        return HttpResponse()

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1")
    TrustedProxyMiddleware(view)(request)
    assert seen["REMOTE_ADDR"] == "198.51.100.1"
    assert seen[PEER_ADDR_KEY] == "10.0.0.2"

    settings.TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    TrustedProxyMiddleware(view)(request)
    assert request.META["REMOTE_ADDR"] == "10.0.0.2"


def test_trusted_proxies_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7 ,::1")
    assert env.env_networks("TRUSTED_PROXIES") == [
        ip_network("10.0.0.0/8"),
        ip_network("192.0.2.7/32"),
        ip_network("::1/128"),
    ]
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal")
    with pytest.raises(ValueError, match=r"proxy\.internal"):
        env.env_networks("TRUSTED_PROXIES")
    monkeypatch.delenv("TRUSTED_PROXIES")
    assert env.env_networks("TRUSTED_PROXIES") == []
