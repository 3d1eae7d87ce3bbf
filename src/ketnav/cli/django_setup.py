"""Starting Django from the CLI: settings validated first, database errors turned into one line."""

from __future__ import annotations

import os

from ketnav.errors import ConfigurationError


def setup() -> None:
    """Validate settings (one-line ConfigurationError naming the variable), then start Django."""
    from ketnav.config import get_settings

    get_settings()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnav.web.settings")
    import django

    django.setup()


def check_database() -> None:
    """Open a connection now so a wrong URL or a server that is down fails before any work starts."""
    from django.db import OperationalError, connection

    try:
        connection.ensure_connection()
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise ConfigurationError(f"KETNAV_DATABASE_URL: cannot connect to the database ({first_line})") from exc


def migrate(*, verbose: bool = False) -> list[str]:
    """Apply outstanding migrations; return the ones applied (empty when already up to date)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    check_database()
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return []
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]
