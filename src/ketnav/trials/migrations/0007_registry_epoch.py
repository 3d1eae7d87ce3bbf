"""A random epoch beside the registry version, so caches kept outside the database (the search columns on
disk, ketnav.trials.search.colstore) can tell this database from one recreated or restored elsewhere whose
version counter happens to reach the same number."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute("ALTER TABLE trials_registryversion ADD COLUMN epoch varchar(32) NOT NULL DEFAULT ''")
    schema_editor.execute("UPDATE trials_registryversion SET epoch = %s WHERE id = 1", [uuid.uuid4().hex])


def backwards(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute("ALTER TABLE trials_registryversion DROP COLUMN epoch")


class Migration(migrations.Migration):
    dependencies = [("trials", "0006_sync_job")]
    operations = [migrations.RunPython(forwards, backwards)]
