"""Request and response middleware: the client's real address behind proxies, security headers."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The address the connection really came from, kept when REMOTE_ADDR is replaced.
PEER_ADDR_KEY = "rallypoynt.peer_addr"


def parse_address(value: str) -> IPAddress | None:
    """An address from a header entry, tolerating a port ("1.2.3.4:80", "[::1]:80"); else None."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(
    remote_addr: str | None, forwarded_for: str | None, trusted: Iterable[IPNetwork]
) -> str | None:
    """The client's address: REMOTE_ADDR unless it is a trusted proxy, else the rightmost
    untrusted entry of X-Forwarded-For (entries left of it are the client's to forge)."""
    trusted = tuple(trusted)
    peer = parse_address(remote_addr or "")
    if peer is None or not trusted or not is_trusted(peer, trusted):
        return remote_addr
    client = peer
    for entry in reversed((forwarded_for or "").split(",")):
        address = parse_address(entry)
        if address is None:
            # Garbage from the far side of our proxies: keep the last hop we could read.
            break
        client = address
        if not is_trusted(address, trusted):
            break
    return str(client)


class TrustedProxyMiddleware:
    """Set REMOTE_ADDR to the real client address when the request came through a proxy
    listed in TRUSTED_PROXIES, so every reader (login throttling, logs) sees the client."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if trusted := settings.TRUSTED_PROXIES:
            remote = request.META.get("REMOTE_ADDR")
            client = client_address(remote, request.META.get("HTTP_X_FORWARDED_FOR"), trusted)
            request.META[PEER_ADDR_KEY] = remote
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


def csp_header(policy: dict[str, list[str]]) -> str:
    """Serialise a {directive: [sources]} policy, the shape of Django 6's SECURE_CSP."""
    return "; ".join(" ".join([name, *sources]) for name, sources in policy.items())


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """Serialise {feature: [origins]}; an empty list denies the feature everywhere."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    A response that already carries a policy (the API docs page) keeps its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.csp = csp_header(settings.SECURE_CSP) if settings.SECURE_CSP else ""
        self.permissions = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        return response
