"""The server's search warm-up restores the site indexes a killed first load left missing. ``ketnav
serve`` hands it ``trials.ingest.ensure_indexes`` (issue 17), so the search package never imports the
loader that writes through it."""

from __future__ import annotations

import pytest
from django.db import connection

from ketnav.trials.ingest import ensure_indexes
from ketnav.trials.models import Site
from ketnav.trials.search.state import SearchIndex

pytestmark = pytest.mark.django_db(transaction=True)


def _missing_site_indexes() -> set[str]:
    with connection.cursor() as cursor:
        present = set(connection.introspection.get_constraints(cursor, Site._meta.db_table))
    return {str(index.name) for index in Site._meta.indexes} - present


def test_the_warm_up_restores_the_site_indexes_it_is_given() -> None:
    with connection.cursor() as cursor:
        for index in Site._meta.indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {index.name}")
    assert _missing_site_indexes()
    report = SearchIndex().warm_up(restore_indexes=ensure_indexes)
    assert report.failed == ""
    assert next(iter(report.seconds)) == "site indexes"
    assert _missing_site_indexes() == set()


def test_without_a_restore_the_warm_up_leaves_the_schema_alone() -> None:
    report = SearchIndex().warm_up()
    assert "site indexes" not in report.seconds
    assert _missing_site_indexes() == set()
