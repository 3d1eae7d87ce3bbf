"""Settings read from the environment once and validated at start-up.

Every setting is declared in ``SETTINGS`` so the README's settings table and ``ketnav settings``
come from one place. Errors name the environment variable, because that is what a user must fix.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ketnav.errors import ConfigurationError

APP_NAME = "ketnav"


@dataclass(frozen=True)
class SettingSpec:
    name: str
    default: str
    help: str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "KETNAV_DATA_DIR",
        "per-user data directory (e.g. ~/.local/share/ketnav)",
        "Where the SQLite database, the generated secret key, sync cursors and the search columns "
        "(search-columns/, rebuilt when deleted) are kept.",
    ),
    SettingSpec(
        "KETNAV_DATABASE_URL",
        "sqlite:///<KETNAV_DATA_DIR>/ketnav.sqlite3",
        "Database to use: sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/NAME.",
    ),
    SettingSpec(
        "KETNAV_SECRET_KEY",
        "generated once and kept in <KETNAV_DATA_DIR>/secret_key",
        "Signs sessions and CSRF tokens. Required when KETNAV_MODE=production.",
    ),
    SettingSpec("KETNAV_DEBUG", "off", "Django debug pages (on/off). Never on in production."),
    SettingSpec(
        "KETNAV_MODE",
        "local",
        "local (one person on their own machine) or production (a shared, self-hosted server).",
    ),
    SettingSpec(
        "KETNAV_ALLOWED_HOSTS",
        "localhost,127.0.0.1,[::1]",
        "Comma-separated host names the site answers to (Django ALLOWED_HOSTS).",
    ),
    # --- accounts and mail (the journal) ---
    SettingSpec(
        "KETNAV_SIGNUP",
        "on",
        "Whether anyone can create an account on the site (on/off); "
        "with off, operators add accounts with ketnav user create.",
    ),
    SettingSpec(
        "KETNAV_LOGIN_FAILURES",
        "10",
        "Wrong passwords in a row that lock an account (site and admin sign-in), 3-100.",
    ),
    SettingSpec(
        "KETNAV_LOCKOUT_MINUTES",
        "15",
        "How long a locked account stays locked, 1-1440 minutes; ketnav user unlock ends it sooner.",
    ),
    SettingSpec(
        "KETNAV_EMAIL_URL",
        "console",
        "How mail (password resets, watch-list alerts) is sent: console (printed by the server), "
        "smtp://USER:PASSWORD@HOST:587 (STARTTLS) or smtps://USER:PASSWORD@HOST:465 (TLS).",
    ),
    SettingSpec(
        "KETNAV_EMAIL_FROM",
        "Ketamine Navigator <ketnav@localhost>",
        "The sender address of mail from the site.",
    ),
    SettingSpec(
        "KETNAV_TRUSTED_PROXY",
        "127.0.0.1",
        "Production mode: IP address of the TLS-terminating reverse proxy whose X-Forwarded-Proto header "
        "ketnav serve believes (* for any).",
    ),
)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class DatabaseConfig:
    """A database URL broken into the parts Django needs."""

    vendor: str  # "sqlite" or "postgresql"
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EmailConfig:
    """Where mail goes: the console (nothing leaves the machine) or an SMTP server."""

    backend: str  # "console" or "smtp"
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    starttls: bool = False
    ssl: bool = False

    @property
    def configured(self) -> bool:
        """True when mail really leaves the machine (so alerts are worth sending)."""
        return self.backend == "smtp"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database: DatabaseConfig
    database_url: str
    secret_key: str
    debug: bool
    production: bool
    allowed_hosts: tuple[str, ...]
    signup: bool = True
    login_failures: int = 10
    lockout_minutes: int = 15
    email: EmailConfig = EmailConfig("console")
    email_from: str = "Ketamine Navigator <ketnav@localhost>"
    trusted_proxy: str = "127.0.0.1"


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name}: expected on/off (or 1/0, true/false), got {raw!r}")


def parse_database_url(url: str, *, setting: str = "KETNAV_DATABASE_URL") -> DatabaseConfig:
    """Accept only the two databases we test against, with a message that says what is wrong."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # As in dj-database-url: sqlite:///relative/path, sqlite:////absolute/path.
        raw = url.strip()
        path = unquote(raw[len("sqlite:///") :]) if raw.startswith("sqlite:///") else ""
        if not path or path.endswith("/"):
            raise ConfigurationError(
                f"{setting}: a sqlite URL needs a file path, e.g. sqlite:////var/lib/ketnav/db.sqlite3"
            )
        if path == ":memory:":
            raise ConfigurationError(f"{setting}: an in-memory SQLite database would lose everything; give a file path")
        return DatabaseConfig(vendor="sqlite", name=path)
    if scheme in {"postgres", "postgresql", "pgsql", "postgresql+psycopg"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigurationError(
                f"{setting}: a PostgreSQL URL needs a database name, e.g. postgresql://user@host:5432/ketnav"
            )
        try:
            port = parts.port
        except ValueError as exc:
            raise ConfigurationError(f"{setting}: invalid port in {url!r}") from exc
        return DatabaseConfig(
            vendor="postgresql",
            name=name,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=str(port or ""),
            options=tuple(parse_qsl(parts.query)),
        )
    if not scheme:
        raise ConfigurationError(f"{setting}: {url!r} is not a URL; use sqlite:///PATH or postgresql://USER@HOST/NAME")
    raise ConfigurationError(
        f"{setting}: unsupported database {scheme!r}; use sqlite:///PATH or postgresql://USER@HOST/NAME"
    )


def parse_email_url(url: str, *, setting: str = "KETNAV_EMAIL_URL") -> EmailConfig:
    """console, smtp://USER:PASSWORD@HOST:PORT (STARTTLS) or smtps://... (implicit TLS)."""
    raw = url.strip()
    if raw.lower() in {"", "console"}:
        return EmailConfig("console")
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in {"smtp", "smtps"}:
        raise ConfigurationError(
            f"{setting}: use console, smtp://USER:PASSWORD@HOST:587 or smtps://USER:PASSWORD@HOST:465"
        )
    if not parts.hostname:
        raise ConfigurationError(f"{setting}: an SMTP URL needs a host, e.g. smtp://user:password@mail.example.org:587")
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError(f"{setting}: invalid port in the SMTP URL") from exc
    return EmailConfig(
        backend="smtp",
        host=parts.hostname,
        port=port or (465 if scheme == "smtps" else 587),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        starttls=scheme == "smtp",
        ssl=scheme == "smtps",
    )


def parse_int(name: str, raw: str, *, low: int, high: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigurationError(f"{name}: expected a whole number from {low} to {high}, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigurationError(f"{name}: {value} is outside {low}-{high}")
    return value


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def ensure_writable_dir(path: Path, *, setting: str) -> Path:
    """Create the directory and prove we can write there, so failures happen at start-up, not mid-load."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ConfigurationError(f"{setting}: cannot write to {path} ({reason})") from exc
    return path


def _read_or_create_secret(data_dir: Path) -> str:
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; raise ConfigurationError naming the first bad one."""
    env = os.environ if env is None else env
    mode = env.get("KETNAV_MODE", "local").strip().lower() or "local"
    if mode not in {"local", "production"}:
        raise ConfigurationError(f"KETNAV_MODE: expected 'local' or 'production', got {mode!r}")
    production = mode == "production"
    debug = parse_bool("KETNAV_DEBUG", env.get("KETNAV_DEBUG", "off"))
    if production and debug:
        raise ConfigurationError("KETNAV_DEBUG: debug pages must stay off when KETNAV_MODE=production")

    raw_dir = env.get("KETNAV_DATA_DIR", "").strip()
    data_dir = Path(raw_dir).expanduser() if raw_dir else default_data_dir()
    data_dir = ensure_writable_dir(data_dir.resolve(), setting="KETNAV_DATA_DIR")

    raw_url = env.get("KETNAV_DATABASE_URL", "").strip()
    database_url = raw_url or f"sqlite:///{data_dir / 'ketnav.sqlite3'}"
    database = parse_database_url(database_url)
    if database.vendor == "sqlite":
        ensure_writable_dir(Path(database.name).expanduser().resolve().parent, setting="KETNAV_DATABASE_URL")

    secret_key = env.get("KETNAV_SECRET_KEY", "").strip()
    if not secret_key:
        if production:
            raise ConfigurationError("KETNAV_SECRET_KEY: required when KETNAV_MODE=production (a long random string)")
        secret_key = _read_or_create_secret(data_dir)
    elif len(secret_key) < 32:
        raise ConfigurationError("KETNAV_SECRET_KEY: too short; use at least 32 random characters")

    hosts_raw = env.get("KETNAV_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
    allowed_hosts = tuple(h.strip() for h in hosts_raw.split(",") if h.strip())
    if not allowed_hosts:
        raise ConfigurationError("KETNAV_ALLOWED_HOSTS: give at least one host name")

    email_from = env.get("KETNAV_EMAIL_FROM", "").strip() or "Ketamine Navigator <ketnav@localhost>"
    if "\n" in email_from or "\r" in email_from or "@" not in email_from:
        raise ConfigurationError("KETNAV_EMAIL_FROM: give one address, e.g. Clinic <noreply@clinic.example>")
    trusted_proxy = env.get("KETNAV_TRUSTED_PROXY", "127.0.0.1").strip() or "127.0.0.1"
    if trusted_proxy != "*":
        try:
            ipaddress.ip_address(trusted_proxy)
        except ValueError:
            raise ConfigurationError(
                f"KETNAV_TRUSTED_PROXY: {trusted_proxy!r} is not an IP address (or * for any proxy)"
            ) from None

    return Settings(
        data_dir=data_dir,
        database=database,
        database_url=database_url,
        secret_key=secret_key,
        debug=debug,
        production=production,
        allowed_hosts=allowed_hosts,
        signup=parse_bool("KETNAV_SIGNUP", env.get("KETNAV_SIGNUP", "on")),
        login_failures=parse_int("KETNAV_LOGIN_FAILURES", env.get("KETNAV_LOGIN_FAILURES", "10"), low=3, high=100),
        lockout_minutes=parse_int("KETNAV_LOCKOUT_MINUTES", env.get("KETNAV_LOCKOUT_MINUTES", "15"), low=1, high=1440),
        email=parse_email_url(env.get("KETNAV_EMAIL_URL", "console")),
        email_from=email_from,
        trusted_proxy=trusted_proxy,
    )


@cache
def get_settings() -> Settings:
    return load_settings()


def django_database(db: DatabaseConfig) -> dict[str, Any]:
    """Translate our database config into Django's DATABASES entry."""
    if db.vendor == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": db.name,
            "OPTIONS": {
                # WAL lets readers (the web server) work while a load writes; IMMEDIATE avoids
                # "database is locked" upgrades inside write transactions.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; "
                    # 8 MB page cache per connection: a server keeps one per thread, and with 64 MB each
                    # (what a bulk load wants; its writers set that themselves, trials.ingest) one serving
                    # process at 500,000 studies grew to 780 MB of its own memory.
                    "PRAGMA cache_size=-8192; PRAGMA temp_store=MEMORY;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # Each server thread keeps its connection between requests, as with PostgreSQL: opening one per
            # request (running the pragmas above and registering Django's SQL functions) was an eighth of
            # the server's time on the trials page and API, and threw away the page cache every time.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": str(Path(db.name).with_name("test-" + Path(db.name).name))},
        }
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": db.name,
        "USER": db.user,
        "PASSWORD": db.password,
        "HOST": db.host,
        "PORT": db.port,
        "OPTIONS": dict(db.options),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
