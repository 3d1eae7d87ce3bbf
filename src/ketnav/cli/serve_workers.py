"""``ketnav serve --workers N``: N processes under gunicorn, sharing the socket ``ketnav serve`` bound.

This process becomes gunicorn's arbiter: it forks the workers, restarts one that dies, and stops them
all on SIGTERM or Ctrl+C (graceful: requests in flight may finish for ``GRACEFUL_S``). Each worker runs
gunicorn's threaded worker (``--threads`` threads) and, once forked:

- asks the kernel to kill it when the arbiter dies (PR_SET_PDEATHSIG, as load workers do), so a
  ``kill -9`` of ``ketnav serve`` never leaves workers serving, or holding database connections, behind;
- starts its own search warm-up thread (threads do not survive a fork, and each process keeps its own
  caches, checked against the registry version in the database on every search).

Database connections are closed before the fork: a connection copied into several processes would
interleave their traffic on one socket.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication

GRACEFUL_S = 10  # a search or page takes well under a second; a sync started from the admin is cut short
WORKER_TIMEOUT_S = 60  # a worker silent this long (a stuck main loop, not a slow request thread) is restarted


class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn has no type information
    def __init__(self, application: Callable[..., Any], options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[..., Any]:
        return self.application


def forwarded_proto_from(application: Callable[..., Any], trusted_proxy: str | None) -> Callable[..., Any]:
    """Drop X-Forwarded-Proto unless it comes from the trusted proxy, before Django sees it.

    gunicorn believes the header (wsgi.url_scheme) only from ``forwarded_allow_ips``, but passes it on
    in the environ from anyone, and Django's SECURE_PROXY_SSL_HEADER (production mode) reads it from
    there: a client reaching the port directly could claim HTTPS. waitress removes such untrusted
    headers itself; this does the same under gunicorn."""

    def trusted(peer: str) -> bool:
        if trusted_proxy is None or not peer:
            return False
        if trusted_proxy == "*":
            return True
        try:
            return ipaddress.ip_address(peer) == ipaddress.ip_address(trusted_proxy)
        except ValueError:
            return False

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "HTTP_X_FORWARDED_PROTO" in environ and not trusted(str(environ.get("REMOTE_ADDR", ""))):
            del environ["HTTP_X_FORWARDED_PROTO"]
        result: Iterable[bytes] = application(environ, start_response)
        return result

    return app


def gunicorn_options(
    sock: socket.socket,
    *,
    workers: int,
    threads: int,
    trusted_proxy: str | None,
    warm_up: Callable[[], None],
) -> dict[str, Any]:
    """gunicorn's settings for ``ketnav serve --workers``: the hooks that run in each worker after the
    fork, and the same proxy rule waitress follows (believe X-Forwarded-Proto only from the configured
    proxy, and only in production mode)."""
    arbiter = os.getpid()

    def post_fork(_server: object, _worker: object) -> None:
        from ketnav.trials.writing_workers import die_with_parent

        die_with_parent(arbiter)

    def post_worker_init(_worker: object) -> None:
        warm_up()

    return {
        "bind": [f"fd://{sock.fileno()}"],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": WORKER_TIMEOUT_S,
        "graceful_timeout": GRACEFUL_S,
        "proc_name": "ketnav",
        "loglevel": "warning",
        "accesslog": None,
        "errorlog": "-",
        "post_fork": post_fork,
        "post_worker_init": post_worker_init,
        "forwarded_allow_ips": trusted_proxy or "",
        "secure_scheme_headers": {"X-FORWARDED-PROTO": "https"},
        # Only the proxy's own scheme header is believed; gunicorn would also rewrite SCRIPT_NAME and
        # PATH_INFO from a trusted proxy's headers, which ketnav's proxy setup never sends.
        "forwarder_headers": "",
    }


def serve_workers(
    application: Callable[..., Any],
    sock: socket.socket,
    *,
    workers: int,
    threads: int,
    trusted_proxy: str | None,
    warm_up: Callable[[], None],
) -> None:
    """Run gunicorn's arbiter in this process until it is stopped (gunicorn ends it with SystemExit)."""
    from django.db import connections

    connections.close_all()
    options = gunicorn_options(sock, workers=workers, threads=threads, trusted_proxy=trusted_proxy, warm_up=warm_up)
    _Server(forwarded_proto_from(application, trusted_proxy), options).run()
