"""Loading files into a real database: formats, bad input, versions, idempotence."""

from __future__ import annotations

import copy
import gzip
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ketnav.trials.loading import load_paths
from ketnav.trials.models import LoadRun, Site, Study

pytestmark = pytest.mark.django_db(transaction=True)

KETAMINE = "NCT04179266"


def write_jsonl(path: Path, objects: list[Any], *, gz: bool = False) -> Path:
    text = "".join(json.dumps(o) + "\n" for o in objects)
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def some(v2_studies: dict[str, dict[str, Any]], n: int) -> list[dict[str, Any]]:
    complete = [s for s in v2_studies.values() if "statusModule" in s["protocolSection"]]
    return complete[:n]


def test_loads_a_single_study_json(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    path = tmp_path / "study.json"
    path.write_text(json.dumps(v2_studies[KETAMINE]))
    summary = load_paths([path], workers=1)
    assert (summary.inserted, summary.rejected) == (1, 0)
    study = Study.objects.get(nct_id=KETAMINE)
    assert study.phases == "PHASE1,PHASE2"
    assert study.start_date_precision == "day"
    assert study.minimum_age_years == 18.0
    assert Site.objects.filter(study=study).count() == len(
        v2_studies[KETAMINE]["protocolSection"]["contactsLocationsModule"]["locations"]
    )


def test_raw_record_is_kept_and_re_derivable(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    from ketnav.trials.rawcodec import unpack
    from ketnav.trials.selectors import study_record

    path = write_jsonl(tmp_path / "one.jsonl", [v2_studies[KETAMINE]])
    load_paths([path], workers=1)
    study = Study.objects.get(nct_id=KETAMINE)
    assert json.loads(unpack(study.raw)) == v2_studies[KETAMINE]
    record = study_record(study)
    assert record.nct_id == KETAMINE
    assert record.interventions[0].name == "Ketamine"
    assert study.summary == {"conditions": ["Cluster Headache"], "interventions": [["DRUG", "Ketamine"]]}


def test_loads_api_page_directory_and_zip(
    tmp_path: Path, v2_studies: dict[str, dict[str, Any]], xml_docs: dict[str, str]
) -> None:
    studies = some(v2_studies, 6)
    (tmp_path / "page.json").write_text(json.dumps({"studies": studies[:3], "nextPageToken": "abc"}))
    folder = tmp_path / "dir"
    folder.mkdir()
    for s in studies[3:5]:
        nct = s["protocolSection"]["identificationModule"]["nctId"]
        (folder / f"{nct}.json").write_text(json.dumps(s))
    buffer = io.BytesIO()
    xml_ids = list(xml_docs)[:3]
    with zipfile.ZipFile(buffer, "w") as archive:
        nct = studies[5]["protocolSection"]["identificationModule"]["nctId"]
        archive.writestr(f"ctg-studies/{nct}.json", json.dumps(studies[5]))
        for xid in xml_ids:
            archive.writestr(f"NCT0000xxxx/{xid}.xml", xml_docs[xid])
    (tmp_path / "bulk.zip").write_bytes(buffer.getvalue())
    summary = load_paths([tmp_path / "page.json", folder, tmp_path / "bulk.zip"], workers=1)
    assert (summary.inserted, summary.rejected) == (9, 0)
    assert Study.objects.filter(source_format="xml").count() == 3


def test_bad_input_gets_specific_messages_and_good_records_still_load(
    tmp_path: Path, v2_studies: dict[str, dict[str, Any]]
) -> None:
    good = some(v2_studies, 4)
    no_id = copy.deepcopy(good[0])
    del no_id["protocolSection"]["identificationModule"]["nctId"]
    path = tmp_path / "mixed.jsonl"
    lines = [
        json.dumps(good[1]),
        '{"protocolSection": {broken',
        json.dumps(no_id),
        json.dumps({"hello": 1}),
        json.dumps(good[2]),
        "[1, 2]",
    ]
    path.write_text("\n".join(lines) + "\n")
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "other.xml").write_text("<study><nct_id>NCT01234567</nct_id></study>")
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(gzip.compress((json.dumps(good[3]) + "\n" + json.dumps(good[0]) + "\n").encode())[:-30])
    summary = load_paths([path, tmp_path / "empty.json", tmp_path / "other.xml", truncated], workers=1)
    problems = "\n".join(summary.problems)
    assert f"{path}:2: malformed JSON line" in problems
    assert f"{path}:3: no NCT id (protocolSection.identificationModule.nctId)" in problems
    assert f"{path}:4: not a study: no protocolSection or xml field (keys: hello)" in problems
    assert f"{path}:6: expected a JSON object, got list" in problems
    assert f"{tmp_path / 'empty.json'}: file is empty" in problems
    assert f"{tmp_path / 'other.xml'}: XML root is <study>, expected <clinical_study>" in problems
    assert f"{truncated}: compressed file is damaged or truncated" in problems
    assert summary.rejected == 7
    stored = set(Study.objects.values_list("nct_id", flat=True))
    assert {s["protocolSection"]["identificationModule"]["nctId"] for s in good[1:3]} <= stored


def test_field_problems_keep_the_record_and_name_it(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    study = copy.deepcopy(v2_studies[KETAMINE])
    study["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "2021-13-40"
    study["protocolSection"]["eligibilityModule"]["minimumAge"] = "-1 Years"
    study["protocolSection"]["descriptionModule"]["detailedDescription"] = "y" * 5_000_000
    path = write_jsonl(tmp_path / "odd.jsonl", [study])
    summary = load_paths([path], workers=1)
    notes = "\n".join(summary.notes)
    assert f"{path}:1: startDate: date '2021-13-40' does not exist" in notes
    assert f"{path}:1: minimumAge: age '-1 Years' is negative" in notes
    assert f"{path}:1: detailedDescription: 5,000,000 characters" in notes
    row = Study.objects.get(nct_id=KETAMINE)
    assert row.start_date is None and row.minimum_age_years is None
    from ketnav.trials.selectors import study_record

    assert len(study_record(row).detailed_description) == 100_000
    assert len(row.warnings) == 3


def test_duplicate_in_one_file_keeps_the_newer(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    newer = copy.deepcopy(v2_studies[KETAMINE])
    newer["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2030-01-01"
    newer["protocolSection"]["identificationModule"]["briefTitle"] = "Newer title"
    path = write_jsonl(tmp_path / "dups.jsonl", [newer, v2_studies[KETAMINE]])
    summary = load_paths([path], workers=1)
    assert any(f"{path}:2: duplicate {KETAMINE} in this load (also at {path}:1)" in n for n in summary.notes)
    assert Study.objects.get(nct_id=KETAMINE).brief_title == "Newer title"
    assert (summary.inserted, summary.unchanged, summary.older) == (1, 1, 1)


def test_older_version_never_replaces_newer(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    newer = copy.deepcopy(v2_studies[KETAMINE])
    newer["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2030-01-01"
    newer["protocolSection"]["statusModule"]["overallStatus"] = "TERMINATED"
    load_paths([write_jsonl(tmp_path / "new.jsonl", [newer])], workers=1)
    summary = load_paths([write_jsonl(tmp_path / "old.jsonl", [v2_studies[KETAMINE]])], workers=1)
    assert (summary.updated, summary.unchanged, summary.older) == (0, 1, 1)
    assert Study.objects.get(nct_id=KETAMINE).overall_status == "TERMINATED"
    summary = load_paths([write_jsonl(tmp_path / "new2.jsonl", [newer])], workers=1)
    assert summary.unchanged == 1 and summary.older == 0


def test_newer_version_replaces_sites(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    load_paths([write_jsonl(tmp_path / "a.jsonl", [v2_studies[KETAMINE]])], workers=1)
    newer = copy.deepcopy(v2_studies[KETAMINE])
    newer["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2030-01-01"
    newer["protocolSection"]["contactsLocationsModule"]["locations"] = [
        {"facility": "Synthetic Site A", "city": "Oslo", "country": "Norway"},
        {"facility": "Synthetic Site B", "city": "Bergen", "country": "Norway"},
    ]
    summary = load_paths([write_jsonl(tmp_path / "b.jsonl", [newer])], workers=1)
    assert summary.updated == 1
    assert sorted(Site.objects.filter(study_id=KETAMINE).values_list("city", flat=True)) == ["Bergen", "Oslo"]


def test_load_run_is_recorded(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    load_paths([write_jsonl(tmp_path / "a.jsonl", [v2_studies[KETAMINE]])], workers=1)
    run = LoadRun.objects.get()
    assert run.status == "completed" and run.summary["inserted"] == 1


def test_equally_good_copies_settle_the_same_in_either_order(
    tmp_path: Path, v2_studies: dict[str, dict[str, Any]]
) -> None:
    """Two copies with the same last-update date, completeness and format but different content (a
    synthetic edit of a real record): whichever is loaded first, the same one is kept, since load
    workers may write nearby batches in either order."""
    from tests.trials.conftest import clear_registry

    first = v2_studies[KETAMINE]
    second = copy.deepcopy(first)
    second["protocolSection"]["identificationModule"]["briefTitle"] += " (synthetic edit)"
    kept = []
    for order in ([first, second], [second, first]):
        clear_registry()
        for i, record in enumerate(order):
            load_paths([write_jsonl(tmp_path / f"copy{i}.jsonl", [record])], workers=1)
        kept.append(Study.objects.get(nct_id=KETAMINE).brief_title)
    assert kept[0] == kept[1]


def test_worker_processes_give_the_same_result(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    path = write_jsonl(tmp_path / "many.jsonl.gz", some(v2_studies, 450), gz=True)
    summary = load_paths([path], workers=2)
    assert summary.inserted == 450
    assert Study.objects.count() == 450


def _registry_state() -> dict[str, Any]:
    """Everything a load writes, in a comparable form (search index included, by what it finds)."""
    from ketnav.trials.models import Place, Synonym
    from ketnav.trials.search.engine import SearchRequest, search
    from ketnav.trials.search.filters import build_filters

    studies = list(
        Study.objects.order_by("nct_id").values_list(
            "nct_id", "last_update", "raw_sha256", "completeness", "source_format", "condition_terms"
        )
    )
    sites = list(
        Site.objects.order_by("study_id", "position").values_list(
            "study_id", "position", "facility", "city", "zip", "country", "status", "latitude", "longitude"
        )
    )
    places = {
        key: (sites_n, round(lat, 6), round(lon, 6))
        for key, sites_n, lat, lon in Place.objects.values_list("key", "sites", "latitude_sum", "longitude_sum")
    }
    synonyms = set(Synonym.objects.values_list("name", "other", "studies"))
    words = ["ketamine", "anxiety", "depression", "pain", "placebo", "children", "boston"]
    any_status = build_filters(status=["any"])

    def found(word: str) -> tuple[int, list[str]]:
        results = search(SearchRequest(text=word, filters=any_status, page_size=10, snippets=False))
        return results.total, [hit.nct_id for hit in results.hits]

    return {
        "studies": studies,
        "sites": sites,
        "places": places,
        "synonyms": synonyms,
        "found": {w: found(w) for w in words},
    }


def test_workers_writing_store_what_one_process_stores(shared_data: Path) -> None:
    """Worker processes write their own batches, in whatever order they finish; the registry must end
    exactly as a single process leaves it, with v2 and legacy XML copies of the same studies settled
    the same way, the gazetteer summed the same and the search index finding the same studies."""
    from tests.trials.conftest import clear_registry

    files = [shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz", shared_data / "ctgov" / "ctgov_legacy_xml.jsonl.gz"]
    by_workers = load_paths(files, workers=2)
    state = _registry_state()
    clear_registry()
    in_process = load_paths(files, workers=1)
    assert _registry_state() == state
    counts = ("inserted", "updated", "unchanged", "older", "rejected", "warnings")
    assert [getattr(by_workers, c) for c in counts] == [getattr(in_process, c) for c in counts]
    assert by_workers.inserted == len(state["studies"]) > 8000
    assert all(total for total, _top in state["found"].values())


def test_the_wal_stays_bounded_while_workers_write(
    tmp_path: Path, v2_studies: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers leave checkpoints to the main process; if it never let the WAL start over, the WAL
    would grow as large as everything the load wrote (about the size of the database)."""
    from django.db import connection

    from ketnav.trials import loading

    if connection.vendor != "sqlite":
        pytest.skip("the write-ahead log is SQLite's")
    database = Path(str(connection.settings_dict["NAME"]))
    wal = database.with_name(database.name + "-wal")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert wal.stat().st_size == 0
    # Small batches and limit, so a load of the real records starts the WAL over many times.
    monkeypatch.setattr(loading, "WORKER_BATCH", 50)
    monkeypatch.setattr(loading.WalCheckpoints, "WAL_LIMIT", 1024 * 1024)
    path = write_jsonl(tmp_path / "all.jsonl", list(v2_studies.values()))
    summary = load_paths([path], workers=2)
    assert summary.inserted == len(v2_studies)
    assert wal.stat().st_size < database.stat().st_size / 3, (wal.stat().st_size, database.stat().st_size)


def test_sites_are_stored_exactly_as_normalized(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    """Every field of every site, the coordinates to the last bit, comes out of the database as the
    normalizer made it (sites cross a process boundary and two database drivers on the way)."""
    from ketnav.trials.normalize_v2 import normalize_v2
    from ketnav.trials.record import Site as SiteRecord

    studies = [s for s in some(v2_studies, 300) if s["protocolSection"].get("contactsLocationsModule")]
    load_paths([write_jsonl(tmp_path / "sites.jsonl", studies)], workers=1)
    checked = 0
    for study in studies:
        record = normalize_v2(study).record
        stored = [
            SiteRecord(*row)
            for row in Site.objects.filter(study_id=record.nct_id)
            .order_by("position")
            .values_list("facility", "city", "state", "zip", "country", "status", "latitude", "longitude")
        ]
        assert stored == list(record.sites), record.nct_id
        checked += len(stored)
    assert checked > 1000


def test_a_load_refreshes_the_planner_statistics(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    """PostgreSQL planned by the empty tables it saw before a first load (a sequential scan of 13
    million sites for one page of results) until the loader analyzed them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL keeps per-table statistics the loader must refresh")
    with connection.cursor() as cursor:
        # Forget the column statistics (the test database is reused; we connect as its superuser).
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = 'trials_site'::regclass")
    load_paths([write_jsonl(tmp_path / "few.jsonl", some(v2_studies, 20))], workers=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_distinct FROM pg_stats WHERE tablename = 'trials_site' AND attname = 'study_id'")
        row = cursor.fetchone()
    assert row is not None, "no statistics on trials_site.study_id after the load"
