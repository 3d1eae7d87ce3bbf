"""PostgreSQL: the text index's length function reads each lexeme's last position instead of unnesting
every position (backends/postgresql.py, tokens_function_sql): the same value, at a third of the cost of
computing it as each document is written. Replacing the function keeps the stored lengths, which it
computes alike. SQLite is unchanged."""

from typing import Any

from django.db import migrations

from ketnav.trials.search.backends.postgresql import PostgreSQLBackend


def replace_function(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PostgreSQLBackend().tokens_function_sql())


class Migration(migrations.Migration):
    dependencies = [("trials", "0008_pg_document_lengths")]
    operations = [migrations.RunPython(replace_function, migrations.RunPython.noop)]
