"""``ketnav serve``: a production WSGI server in front of the Django site.

One process (the default) runs under waitress, which works everywhere. ``--workers N`` runs N processes
under gunicorn (Linux and macOS): one Python process uses one core for Python code, so a busy shared
server needs several. Each worker keeps its own search caches; they stay correct because every search
compares them with the registry version in the database (``ketnav.trials.search.state``), so a sync or
load seen by one process is seen by all. Each worker warms its own caches after it is forked: a thread
started before the fork would not exist in the children, and caches built before it would be copied
into every worker and then diverge anyway.
"""

from __future__ import annotations

import argparse
import errno
import socket
import sys

from ketnav.errors import InvalidInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--threads", type=int, default=8, help="worker threads per process (default 8)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="processes (default 1, under waitress; more run under gunicorn, on Linux and macOS)",
    )


MAX_WORKERS = 64  # more than any one machine's cores: a typo, not a plan


def bind(host: str, port: int) -> socket.socket:
    """Bind before starting the server so a busy port is a clear one-line error, not a traceback."""
    if not 0 < port < 65536:
        raise InvalidInput(f"--port: {port} is not a valid port (1-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InvalidInput(f"--host: cannot resolve {host!r} ({exc.strerror})") from exc
    family, socktype, proto, _canon, address = infos[0]
    sock = socket.socket(family, socktype, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InvalidInput(f"--port: port {port} on {host} is already in use; choose another with --port") from exc
        if exc.errno == errno.EACCES:
            raise InvalidInput(f"--port: not allowed to listen on port {port} on {host}") from exc
        raise InvalidInput(f"--host: cannot listen on {host}:{port} ({exc.strerror})") from exc
    sock.listen(128)
    return sock


def check_counts(workers: int, threads: int) -> None:
    if not 1 <= workers <= MAX_WORKERS:
        raise InvalidInput(f"--workers: {workers} is not between 1 and {MAX_WORKERS}")
    if not 1 <= threads <= 256:
        raise InvalidInput(f"--threads: {threads} is not between 1 and 256")
    if workers > 1:
        try:
            import gunicorn  # noqa: F401
        except ImportError:
            raise InvalidInput(
                "--workers: more than one process needs gunicorn, which runs on Linux and macOS only; "
                "on this machine use one process (--threads for more concurrency)"
            ) from None


def run(args: argparse.Namespace) -> int:
    from ketnav.cli import django_setup

    check_counts(args.workers, args.threads)
    sock = bind(args.host, args.port)
    django_setup.setup()
    applied = django_setup.migrate()
    if applied:
        print(f"ketnav: applied {len(applied)} database migrations", file=sys.stderr)

    from waitress import serve

    from ketnav.trials.background import interrupted_by_restart
    from ketnav.web.wsgi import application

    interrupted_by_restart()  # admin syncs of a previous run of the server died with it

    from ketnav.config import get_settings
    from ketnav.web.limits import MAX_REQUEST_BODY_BYTES

    cfg = get_settings()
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    processes = "" if args.workers == 1 else f" with {args.workers} processes"
    print(
        f"Ketamine Navigator is running at http://{shown_host}:{args.port}/{processes} (press Ctrl+C to stop)",
        flush=True,
    )
    if args.workers > 1:
        from ketnav.cli.serve_workers import serve_workers

        serve_workers(
            application,
            sock,
            workers=args.workers,
            threads=args.threads,
            trusted_proxy=cfg.trusted_proxy if cfg.production else None,
            warm_up=_start_search_warm_up,
        )
        return 0

    _start_search_warm_up()
    # In production the reverse proxy terminates TLS and says so in X-Forwarded-Proto; waitress drops
    # that header unless it comes from the trusted proxy, and without it Django would treat every request
    # as plain HTTP (no HSTS, and CSRF's origin check would refuse every form).
    proxy = (
        {"trusted_proxy": cfg.trusted_proxy, "trusted_proxy_headers": {"x-forwarded-proto"}} if cfg.production else {}
    )
    # waitress refuses a larger body (413) from its Content-Length, before reading it; its check is ">=".
    serve(
        application,
        sockets=[sock],
        threads=args.threads,
        ident="ketnav",
        _quiet=True,
        max_request_body_size=MAX_REQUEST_BODY_BYTES + 1,
        **proxy,
    )
    return 0


def _start_search_warm_up() -> None:
    """Warm the search index in the background (the site indexes a killed load left missing, columns,
    synonyms and site points: about 20 s at 500,000 studies), with the words of the guide's live counts
    ("N open studies of ketamine for PTSD") among the terms kept, and keep it warm after every load or
    sync. Failures are logged."""
    from ketnav.guide.knowledge import live_count_queries
    from ketnav.trials.ingest import ensure_indexes
    from ketnav.trials.search.engine import warm_search
    from ketnav.trials.search.state import search_index

    search_index().start_warming(queries=live_count_queries, restore_indexes=ensure_indexes, searches=warm_search)
    import threading

    threading.Thread(target=_warm_criteria, name="ketnav-criteria-warm-up", daemon=True).start()


def _warm_criteria() -> None:
    """After the search warm-up, parse the criteria of the studies "describe yourself" searches show first
    (open ones, most recently updated), so the first person's pre-screen does not parse 50 studies'
    criteria while they wait. Failures are logged: the pre-screen then parses what it needs itself."""
    import logging
    import time

    from django.db import connection

    from ketnav.trials.apps import criteria_cache
    from ketnav.trials.search.state import search_index
    from ketnav.trials.selectors import warm_criteria
    from ketnav.web.activity import request_activity

    log = logging.getLogger("ketnav.trials")
    try:
        search_index().wait_for_warming()
        started = time.perf_counter()
        # Small batches, each only when no request is being answered: the warm-up holds the GIL while it
        # parses, and people come first (ketnav.web.activity).
        n = warm_criteria(criteria_cache(), batch=20, before_batch=request_activity().wait_until_idle)
        log.info("criteria warm-up: %d studies' criteria parsed in %.1f s", n, time.perf_counter() - started)
    except Exception:
        log.exception("criteria warm-up failed; the first pre-screens will parse criteria themselves")
    finally:
        connection.close()
