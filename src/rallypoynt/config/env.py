"""Read settings from environment variables with safe defaults."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool = False) -> bool:
    """Return the boolean value of an environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in TRUE_WORDS


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated environment variable as a list."""
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of IP addresses or CIDR networks; a bad entry stops start-up."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"{name}: {item!r} is not an IP address or network") from exc
    return networks


def var_dir() -> Path:
    """The directory for local state: SQLite file, secret key, media, cache."""
    path = Path(os.environ.get("RALLYPOYNT_VAR_DIR", Path.cwd() / "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(var: Path) -> str:
    """SECRET_KEY from the environment, else from var/secret_key (created once)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = var / "secret_key"
    if not path.exists():
        # Written with 0600 so only the service account can read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


def email_config(url: str) -> dict[str, object]:
    """Translate EMAIL_URL (smtp://, smtps://, console://, file://, locmem://) to settings."""
    parts = urlparse(url)
    scheme = parts.scheme.lower()
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "submission": "django.core.mail.backends.smtp.EmailBackend",
    }
    if scheme not in backends:
        raise ValueError(f"EMAIL_URL scheme {scheme!r} is not one of {sorted(backends)}")
    config: dict[str, object] = {"EMAIL_BACKEND": backends[scheme]}
    if scheme == "file":
        config["EMAIL_FILE_PATH"] = unquote(parts.netloc + parts.path) or "var/mail"
        return config
    if scheme in {"smtp", "smtps", "submission"}:
        query = parse_qs(parts.query)
        default_port = {"smtp": 25, "smtps": 465, "submission": 587}[scheme]
        config.update(
            EMAIL_HOST=parts.hostname or "127.0.0.1",
            EMAIL_PORT=parts.port or default_port,
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=scheme == "smtps",
            EMAIL_USE_TLS=scheme == "submission" or "tls" in query,
            EMAIL_TIMEOUT=10,
        )
    return config
