"""Search columns kept on disk (ketnav.trials.search.colstore): a new process opens them instead of reading
every study, and never gets another version's or another database's columns.

Writes are committed here (the store refuses to write from inside a transaction), so this module loads
its own small registry from the real records."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.db import connection, transaction

from ketnav.trials.loading import load_paths
from ketnav.trials.search.colstore import ColumnStore
from ketnav.trials.search.engine import SearchRequest, SearchResults, search
from ketnav.trials.search.filters import build_filters
from ketnav.trials.search.kernels import StudyColumns
from ketnav.trials.search.state import SearchIndex
from tests.conftest import current_database_url, ketnav_cmd
from tests.trials.conftest import clear_registry

pytestmark = pytest.mark.django_db(transaction=True)

ANY = build_filters(status=["any"])
REQUESTS = [
    SearchRequest(text="pain", filters=ANY, page_size=10, snippets=False),
    SearchRequest(text="depression", filters=build_filters(age=40, sex="F"), page_size=10, snippets=False),
    SearchRequest(text="cancer", filters=build_filters(status=["any"], phase=["PHASE2"]), snippets=False),
    SearchRequest(
        filters=build_filters(status=["any"], near="42.36,-71.06", radius_km=300), sort="distance", snippets=False
    ),
    SearchRequest(text="anxiety", filters=ANY, facets=True, snippets=False),
]


@pytest.fixture
def registry(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> Any:
    chosen = [s for s in v2_studies.values() if "statusModule" in s["protocolSection"]][:400]
    path = tmp_path / "some.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in chosen))
    load_paths([path], workers=1)
    yield chosen
    clear_registry()


def summary(results: SearchResults) -> tuple[Any, ...]:
    return results.total, [(h.nct_id, h.score, h.nearest_site) for h in results.hits], results.facets


def mapped(array: np.ndarray) -> bool:
    base: Any = array
    while base is not None and not isinstance(base, np.memmap):
        base = base.base
    return isinstance(base, np.memmap)


def epoch() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT epoch FROM trials_registryversion WHERE id = 1")
        return str(cursor.fetchone()[0])


def test_every_database_has_a_random_epoch() -> None:
    found = epoch()
    assert len(found) == 32 and int(found, 16) >= 0


def test_a_second_process_opens_the_columns_and_answers_the_same(registry: Any, tmp_path: Path) -> None:
    store = ColumnStore(tmp_path / "columns")
    first = SearchIndex(broad_min_rows=20, column_store=store)
    expected = [summary(search(r, index=first)) for r in REQUESTS]
    built = first.snapshot()
    # built from the database, then handed to the store: the process keeps the mapped copy, not its own
    assert mapped(built.columns.ids)
    [saved] = [p for p in store.directory.iterdir() if not p.name.startswith(".")]
    assert (saved / "meta.json").is_file() and (saved / "points.json").is_file()  # the geo search saved them

    second = SearchIndex(broad_min_rows=20, column_store=store)  # what a new process starts with
    opened = second.snapshot()
    assert opened.version == built.version and mapped(opened.columns.ids)
    for name in StudyColumns.__dataclass_fields__:
        a, b = getattr(built.columns, name), getattr(opened.columns, name)
        same = np.array_equal(a, b, equal_nan=a.dtype.kind == "f") if isinstance(a, np.ndarray) else a == b
        assert same, name
    assert [summary(search(r, index=second)) for r in REQUESTS] == expected
    assert mapped(second.site_points(opened).entries)
    # The broad terms' hits the first index read from the text index, the second maps from the store.
    kept = {k: h for k, h in second.snapshot().terms.entries.items() if len(h.rows) >= 20}  # broad_min_rows
    assert kept and all(mapped(hits.rows) and mapped(hits.scores) for hits in kept.values())
    assert set(kept) <= set(built.terms.entries)
    # the first index, once it handed them to the store, kept the mapped copies (page cache, not its own)
    assert all(mapped(h.rows) and mapped(h.scores) for h in built.terms.entries.values() if len(h.rows) >= 20)


def test_another_version_of_the_search_code_does_not_read_the_files(registry: Any, tmp_path: Path) -> None:
    store = ColumnStore(tmp_path / "columns")
    snap = SearchIndex(column_store=store).snapshot()
    assert store.load(epoch(), snap.version) is not None
    upgraded = ColumnStore(tmp_path / "columns")
    upgraded.code = "0" * 12  # what a changed kernels.py or backend would compute
    assert upgraded.load(epoch(), snap.version) is None
    upgraded.save(epoch(), snap.columns, build_cpu_s=0.1)
    assert [p.name.endswith("0" * 12) for p in store.directory.iterdir()] == [True]  # the old code's pruned


def test_a_write_moves_the_version_and_the_store_is_not_stale(
    registry: Any, tmp_path: Path, v2_studies: dict[str, dict[str, Any]]
) -> None:
    store = ColumnStore(tmp_path / "columns")
    SearchIndex(column_store=store).snapshot()
    loaded = {s["protocolSection"]["identificationModule"]["nctId"] for s in registry}
    extra = next(s for n, s in v2_studies.items() if n not in loaded and "statusModule" in s["protocolSection"])
    path = tmp_path / "extra.jsonl"
    path.write_text(json.dumps(extra) + "\n")
    load_paths([path], workers=1)
    directories = {p.name for p in store.directory.iterdir()}
    later = SearchIndex(column_store=store).snapshot()
    new = {p.name for p in store.directory.iterdir()} - directories
    assert len(new) == 1 and new.pop().split("-")[2] == f"{later.version:012d}"  # built and saved: none was there
    assert int(extra["protocolSection"]["identificationModule"]["nctId"][3:]) in set(later.columns.ids.tolist())
    assert len(later.columns) == len(registry) + 1


def test_another_database_with_the_same_version_is_not_served(registry: Any, tmp_path: Path) -> None:
    store = ColumnStore(tmp_path / "columns")
    snap = SearchIndex(column_store=store).snapshot()
    assert store.load(epoch(), snap.version) is not None
    assert store.load("0" * 32, snap.version) is None  # a recreated or different database
    assert store.load(epoch(), snap.version + 1) is None


def test_nothing_is_written_from_inside_a_transaction(registry: Any, tmp_path: Path) -> None:
    store = ColumnStore(tmp_path / "columns")
    with transaction.atomic():
        SearchIndex(column_store=store).snapshot()
    assert not store.directory.exists()


def test_a_writer_killed_half_way_leaves_nothing_readable_and_prune_clears_it(registry: Any, tmp_path: Path) -> None:
    store = ColumnStore(tmp_path / "columns", keep=2)
    snap = SearchIndex(column_store=store).snapshot()
    half = store.directory / ".tmp-killed"
    half.mkdir()
    (half / "columns.ids.npy").write_bytes(b"\x93NUMPY")  # a file cut short
    os.utime(half, (0, 0))
    broken = store.directory / f"f1-{epoch()}-{snap.version + 1:012d}-{store.code}"
    broken.mkdir()  # a directory without its files (removed by hand, say): read as absent
    assert store.load(epoch(), snap.version + 1) is None
    for extra in (2, 3):
        (store.directory / f"f1-{epoch()}-{snap.version + extra:012d}-{store.code}").mkdir()
    store.prune(epoch())
    left = sorted(p.name for p in store.directory.iterdir())
    assert left == [f"f1-{epoch()}-{snap.version + extra:012d}-{store.code}" for extra in (2, 3)]


def test_ketnav_search_processes_share_the_store(registry: Any, clean_env: dict[str, str]) -> None:
    env = clean_env | {"KETNAV_DATABASE_URL": current_database_url()}
    args = ketnav_cmd("search", "pain", "--status", "any", "--json")
    first = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert first.returncode == 0, first.stderr
    store = Path(env["KETNAV_DATA_DIR"]) / "search-columns"
    assert [p for p in store.iterdir() if p.name.startswith("f1-")]
    second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert second.returncode == 0 and json.loads(second.stdout) == json.loads(first.stdout)


def test_ketnav_load_leaves_the_columns_ready(
    clean_env: dict[str, str], tmp_path: Path, v2_studies: dict[str, dict[str, Any]]
) -> None:
    env = clean_env | {"KETNAV_DATABASE_URL": current_database_url()}
    path = tmp_path / "some.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in list(v2_studies.values())[:50]))
    try:
        done = subprocess.run(ketnav_cmd("load", str(path)), env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "note:" not in done.stderr
        store = ColumnStore(Path(env["KETNAV_DATA_DIR"]) / "search-columns")
        version = SearchIndex().registry_version()
        found = store.load(epoch(), version)
        assert found is not None and len(found[0]) == 50
        assert store.load_points(epoch(), version) is not None
    finally:
        clear_registry()


STRUCTURED = ["condition:pain", "intervention:placebo condition:depression,anxiety", 'condition:"breast cancer"']


def test_a_structured_querys_checked_studies_are_kept_for_other_processes(registry: Any, tmp_path: Path) -> None:
    """Purely structured queries (the guide's live counts) check every candidate's record once per registry
    version: the answer is kept in the store, and another process answers every filter from it exactly as
    an index that checks the records itself."""
    # the narrowest first: what is kept must hold for every filter, not only the first search's
    filters = [build_filters(status=["any"], phase=["PHASE2", "PHASE3"], age=50), build_filters(), ANY]
    requests = [SearchRequest(text=q, filters=f, snippets=False) for q in STRUCTURED for f in filters]
    reference = [summary(search(r, index=SearchIndex())) for r in requests]  # no store: checks each time
    assert any(total for total, *_rest in reference)
    store = ColumnStore(tmp_path / "columns")
    first = SearchIndex(column_store=store)
    assert [summary(search(r, index=first)) for r in requests] == reference
    second = SearchIndex(column_store=store)  # a new process
    snap = second.snapshot()
    assert all(second.verified_rows(snap, q) is not None for q in STRUCTURED)  # read from the store
    assert [summary(search(r, index=second)) for r in requests] == reference


def test_checked_studies_are_not_kept_from_inside_a_transaction(registry: Any, tmp_path: Path) -> None:
    store = ColumnStore(tmp_path / "columns")
    SearchIndex(column_store=store).snapshot()  # the columns, written outside
    index = SearchIndex(column_store=store)
    with transaction.atomic():
        search(SearchRequest(text=STRUCTURED[0], filters=ANY, snippets=False), index=index)
        assert not index.snapshot().verified
    later = SearchIndex(column_store=store)
    assert later.verified_rows(later.snapshot(), STRUCTURED[0]) is None
