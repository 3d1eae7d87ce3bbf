"""The full-text index, which Django models cannot express: FTS5 on SQLite, tsvector + GIN on PostgreSQL."""

from typing import Any

from django.db import migrations

from ketnav.trials.search.index import create_sql, drop_sql


def create(apps: Any, schema_editor: Any) -> None:
    for sql in create_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop(apps: Any, schema_editor: Any) -> None:
    for sql in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("trials", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
