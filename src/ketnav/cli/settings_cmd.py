"""``ketnav settings``: what is in effect, so a self-hoster can check before starting the server."""

from __future__ import annotations

import argparse
import json
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print as JSON")


def _redact(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def run(args: argparse.Namespace) -> int:
    from ketnav.config import SETTINGS, load_settings

    cfg = load_settings()
    values = {
        "KETNAV_DATA_DIR": str(cfg.data_dir),
        "KETNAV_DATABASE_URL": _redact(cfg.database_url),
        "KETNAV_SECRET_KEY": "(set)" if os.environ.get("KETNAV_SECRET_KEY") else "(generated, in data dir)",
        "KETNAV_DEBUG": "on" if cfg.debug else "off",
        "KETNAV_MODE": "production" if cfg.production else "local",
        "KETNAV_ALLOWED_HOSTS": ",".join(cfg.allowed_hosts),
        "KETNAV_SIGNUP": "on" if cfg.signup else "off",
        "KETNAV_LOGIN_FAILURES": str(cfg.login_failures),
        "KETNAV_LOCKOUT_MINUTES": str(cfg.lockout_minutes),
        "KETNAV_EMAIL_URL": _redact(os.environ.get("KETNAV_EMAIL_URL", "").strip() or "console"),
        "KETNAV_EMAIL_FROM": cfg.email_from,
        "KETNAV_TRUSTED_PROXY": cfg.trusted_proxy,
    }
    rows = [
        {"name": s.name, "value": values[s.name], "from": "environment" if os.environ.get(s.name) else "default"}
        for s in SETTINGS
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        width = max(len(r["name"]) for r in rows)
        for r in rows:
            print(f"{r['name']:<{width}}  {r['value']}  ({r['from']})")
    return 0
