"""A registry version number that every write to trials_study bumps (by trigger, so ORM deletes,
loads, syncs and hand edits all count). Searches compare it to rebuild their in-memory columns."""

from typing import Any

from django.db import migrations

SQLITE = [
    "CREATE TABLE trials_registryversion (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)",
    "INSERT INTO trials_registryversion (id, version) VALUES (1, 0)",
    *(
        f"CREATE TRIGGER trials_study_version_{op.lower()} AFTER {op} ON trials_study "
        "BEGIN UPDATE trials_registryversion SET version = version + 1 WHERE id = 1; END"
        for op in ("INSERT", "UPDATE", "DELETE")
    ),
]
SQLITE_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS trials_study_version_{op}" for op in ("insert", "update", "delete")),
    "DROP TABLE IF EXISTS trials_registryversion",
]
POSTGRES = [
    "CREATE TABLE trials_registryversion (id integer PRIMARY KEY, version bigint NOT NULL)",
    "INSERT INTO trials_registryversion (id, version) VALUES (1, 0)",
    "CREATE FUNCTION trials_bump_registry_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN UPDATE trials_registryversion SET version = version + 1 WHERE id = 1; RETURN NULL; END $$",
    "CREATE TRIGGER trials_study_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON trials_study "
    "FOR EACH STATEMENT EXECUTE FUNCTION trials_bump_registry_version()",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS trials_study_version ON trials_study",
    "DROP FUNCTION IF EXISTS trials_bump_registry_version()",
    "DROP TABLE IF EXISTS trials_registryversion",
]


def forwards(apps: Any, schema_editor: Any) -> None:
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps: Any, schema_editor: Any) -> None:
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("trials", "0002_search_index")]
    operations = [migrations.RunPython(forwards, backwards)]
