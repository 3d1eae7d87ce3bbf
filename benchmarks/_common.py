"""Helpers the benchmark scripts share: a scratch database, Django set-up, loading, timing."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KETNAV_SHARED_DATA", REPO.parent / "shared" / "data"))


@contextmanager
def scratch_database(pg_url: str = "") -> Iterator[str]:
    """A fresh SQLite file, or a fresh database beside the PostgreSQL URL given; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="ketnav-bench-") as tmp:
        os.environ["KETNAV_DATA_DIR"] = tmp
        if not pg_url:
            yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            return
        import psycopg

        name = f"ketnav_bench_{os.getpid()}"
        admin = pg_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield pg_url.rsplit("/", 1)[0] + "/" + name
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ketnav(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KETNAV_DATABASE_URL"} | {"KETNAV_DATABASE_URL": db_url}
    result = subprocess.run([sys.executable, "-m", "ketnav", *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"ketnav {' '.join(args)} failed: {result.stderr[-2000:]}")
    return result


def setup_django(db_url: str) -> None:
    os.environ["KETNAV_DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnav.web.settings")
    import django

    django.setup()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def document_texts() -> Iterator[tuple[str, str]]:
    """(nct_id, all indexed fields as one text) for every stored study, for the bm25s reference."""
    from ketnav.trials.models import Study
    from ketnav.trials.search.documents import search_fields
    from ketnav.trials.selectors import study_record

    for study in Study.objects.only("nct_id", "raw", "source_format").iterator(chunk_size=2000):
        yield study.nct_id, "\n".join(search_fields(study_record(study)))
