"""PostgreSQL: each text-index document's length and the registry's total, so terms are scored by BM25 as
FTS5 scores them on SQLite (see backends/postgresql.py). Adding the generated column computes every stored
document's length from its tsvector, so nothing is re-indexed. SQLite is unchanged."""

from typing import Any

from django.db import migrations

from ketnav.trials.search.backends.postgresql import PostgreSQLBackend


def add_lengths(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in PostgreSQLBackend().length_sql():
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("trials", "0007_registry_epoch")]
    operations = [migrations.RunPython(add_lengths, migrations.RunPython.noop)]
