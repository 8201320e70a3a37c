"""`rallypoynt serve`: run gunicorn (and a worker), say once where it runs, stop them together."""

from __future__ import annotations

import http.client
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

# How long the banner waits for a worker still busy with the jobs queued before it started.
WORKER_READY_SECONDS = 30.0
WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}


def web_command(*, host: str, port: int, workers: int, threads: int, access_log: bool) -> list[str]:
    """The gunicorn command line."""
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "rallypoynt.config.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--graceful-timeout",
        "10",
    ]
    # No flag means no access log at all; a log to /dev/null still formats every line.
    return web + (["--access-logfile", "-"] if access_log else [])


def url_host(host: str) -> str:
    """The host to put in a URL for a bind address (a wildcard is reached on loopback)."""
    host = WILDCARDS.get(host, host)
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def port_taken(host: str, port: int) -> bool:
    """Whether another server listens on the address (gunicorn would retry, then give up)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except OSError:
        return False  # gunicorn says what is wrong with the address
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            probe.bind(address)
        except OSError:
            return True
    return False


def serving(host: str, port: int) -> bool:
    """Whether the server answers an HTTP request (any status: a 400 for the host is an answer)."""
    connection = http.client.HTTPConnection(url_host(host).strip("[]"), port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


class Supervisor:
    """Waits until one process ends or a signal arrives, then stops them all.

    Meanwhile it calls `on_ready` once, when the web server answers and the worker (given the
    read end of its pipe) has said it is idle, or has had WORKER_READY_SECONDS to.
    """

    def __init__(
        self,
        processes: Sequence[subprocess.Popen],
        *,
        host: str,
        port: int,
        worker_ready: int | None = None,
    ) -> None:
        self.processes = processes
        self.host = host
        self.port = port
        self.worker_ready = worker_ready
        self.web_up = False
        self.web_up_at = 0.0

    def ready(self) -> bool:
        if not self.web_up:
            if not serving(self.host, self.port):
                return False
            self.web_up, self.web_up_at = True, time.monotonic()
        if self.worker_ready is None:
            return True
        said, _, _ = select.select([self.worker_ready], [], [], 0)
        if not said and time.monotonic() - self.web_up_at < WORKER_READY_SECONDS:
            return False
        os.close(self.worker_ready)
        self.worker_ready = None
        return True

    def stop(self, *_: Any) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()

    def run(self, on_ready: Callable[[], None] | None = None) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        try:
            while all(proc.poll() is None for proc in self.processes):
                if on_ready is not None and self.ready():
                    on_ready()
                    on_ready = None
                time.sleep(0.5 if on_ready is None else 0.2)
        except KeyboardInterrupt:
            pass
        self.stop()
        for proc in self.processes:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        return max((proc.returncode or 0) for proc in self.processes)
