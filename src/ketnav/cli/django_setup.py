"""Starting Django from the CLI: settings validated first, database errors turned into one line."""

from __future__ import annotations

import os

from ketnav.errors import ConfigurationError


def setup(*, reader: bool = False) -> None:
    """Validate settings (one-line ConfigurationError naming the variable), then start Django.

    ``reader``: for a command that only reads the registry, install the trials app alone (see
    ketnav.web.settings_reader). A settings module chosen by the caller's environment is kept as is."""
    from ketnav.config import get_settings

    get_settings()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnav.web.settings_reader" if reader else "ketnav.web.settings")
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


def pending_migrations() -> list[str]:
    """Migrations on disk not yet recorded as applied, as "app.name". One query and a directory listing
    per app: unlike ``migrate``, no migration module is imported and no graph is built."""
    import pkgutil
    from importlib import import_module

    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    applied = set(recorder.applied_migrations()) if recorder.has_table() else set()
    pending = []
    for app in apps.get_app_configs():
        module_name, _explicit = MigrationLoader.migrations_module(app.label)
        try:
            module = import_module(module_name) if module_name else None
        except ModuleNotFoundError:
            continue
        for _finder, name, is_package in pkgutil.iter_modules(getattr(module, "__path__", [])):
            if not is_package and name[0] not in "_~" and (app.label, name) not in applied:
                pending.append(f"{app.label}.{name}")
    return sorted(pending)


def require_migrated() -> None:
    """For commands that only read: stop with one line when the database is not up to date, instead
    of changing its schema (with several app servers on one PostgreSQL database, upgrading it is a
    deliberate step: ``ketnav migrate``)."""
    check_database()
    pending = pending_migrations()
    if not pending:
        return
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    if not MigrationRecorder(connection).has_table():
        raise ConfigurationError(
            "the database has no tables yet: load studies with `ketnav load FILE` or `ketnav sync` "
            "(or create it empty with `ketnav migrate`)"
        )
    count = f"{len(pending)} migration{'s' if len(pending) != 1 else ''}"
    raise ConfigurationError(
        f"the database is older than this version of ketnav ({count} to apply): run `ketnav migrate` first"
    )


def prepare_search() -> None:
    """After a load or sync: build what a first search would wait for at the new registry version (the
    columns, site points and the hits of the most studied conditions' words and of the guide's live
    counts) and keep it in the column store, so the next `ketnav search`, server or worker opens it in
    milliseconds instead of reading every study and scoring common words (seconds at 500,000). Never
    fails the command that wrote the studies: a problem is logged, and searches build what they need."""
    from ketnav.guide.knowledge import live_count_queries
    from ketnav.trials.search.engine import warm_search
    from ketnav.trials.search.state import search_index

    search_index().warm_up(queries=live_count_queries, searches=warm_search)
