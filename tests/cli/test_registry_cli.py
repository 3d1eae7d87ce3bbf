"""`ketnav load`, `stats` and `sync` as a user runs them, against the test database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import current_database_url, free_port, ketnav_cmd

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def env(clean_env: dict[str, str]) -> dict[str, str]:
    clean_env["KETNAV_DATABASE_URL"] = current_database_url()
    return clean_env


@pytest.fixture
def v2_path(shared_data: Path) -> Path:
    return shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz"


def ketnav(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ketnav_cmd(*args), env=env, capture_output=True, text=True, timeout=timeout, check=False)


def test_load_all_shared_records_then_again_unchanged(env: dict[str, str], shared_data: Path) -> None:
    files = [str(shared_data / "ctgov" / n) for n in ("ctgov_v2_studies.jsonl.gz", "ctgov_legacy_xml.jsonl.gz")]
    first = ketnav(env, "load", *files, "--json")
    assert first.returncode == 0, first.stderr
    one = json.loads(first.stdout)
    assert one["rejected"] == 0
    stored = json.loads(ketnav(env, "stats", "--json").stdout)
    # every distinct NCT id in the two files (1,582 + 7,064 records, 4 in both)
    assert stored["studies"] == 1582 + 7064 - 4 == one["inserted"]
    second = json.loads(ketnav(env, "load", *files, "--json").stdout)
    assert (second["inserted"], second["updated"], second["rejected"]) == (0, 0, 0)
    assert second["unchanged"] == 1582 + 7064
    assert set(stored["by_source_format"]) == {"v2", "xml"}
    assert stored["by_status"]["RECRUITING"] > 0
    found = ketnav(env, "search", "ketamine", "--status", "any", "--json")
    assert found.returncode == 0, found.stderr
    body = json.loads(found.stdout)
    top = [r["nct_id"] for r in body["results"][:10]]
    assert {"NCT04179266", "NCT04814381", "NCT05477459", "NCT05551195", "NCT00490997", "NCT00492388"} <= set(top)
    assert {"nct_id", "title", "score"} <= set(body["results"][0])
    assert body["total"] >= 6
    shown = ketnav(env, "trial", "NCT04179266", "--json")
    assert json.loads(shown.stdout)["brief_title"].startswith("Effect of Ketamine")


def test_load_reports_missing_path_in_one_line(env: dict[str, str], tmp_path: Path) -> None:
    result = ketnav(env, "load", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"ketnav: error: PATH: no such file or directory: {tmp_path / 'nope.json'}"


def test_sync_network_error_is_one_line(env: dict[str, str]) -> None:
    result = ketnav(
        env, "sync", "--condition", "anxiety", "--api-url", f"http://127.0.0.1:{free_port()}/api/v2", "--tries", "2"
    )
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ClinicalTrials.gov is unavailable" in lines[0], result.stderr


@pytest.mark.parametrize("url", ["clinicaltrials.gov/api/v2", "htp://x/api", "http://", "http://host:0/api"])
def test_sync_rejects_a_malformed_api_url_with_exit_2(env: dict[str, str], url: str) -> None:
    result = ketnav(env, "sync", "--condition", "anxiety", "--api-url", url)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"ketnav: error: --api-url: {url!r} is not an http(s) URL like https://clinicaltrials.gov/api/v2"
    )


def test_sync_rejects_bad_since(env: dict[str, str]) -> None:
    result = ketnav(env, "sync", "--since", "2021-13-40")
    assert result.returncode == 2
    assert "--since: '2021-13-40' is not a date" in result.stderr


def _consistent(env: dict[str, str]) -> tuple[int, int]:
    """Every stored study has exactly the sites its record lists; returns (studies, sites)."""
    from django.db.models import Count

    from ketnav.trials.models import Study
    from ketnav.trials.selectors import study_record

    studies = Study.objects.annotate(site_count=Count("sites"))
    total_sites = 0
    for study in studies:
        assert len(study_record(study).sites) == study.site_count, study.nct_id
        total_sites += study.site_count
    return len(studies), total_sites


def test_kill_9_mid_load_leaves_consistent_store_and_rerun_completes(env: dict[str, str], shared_data: Path) -> None:
    from ketnav.trials.models import LoadRun, Study

    source = str(shared_data / "ctgov" / "ctgov_legacy_xml.jsonl.gz")
    proc = subprocess.Popen(
        ketnav_cmd("load", source),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while Study.objects.count() < 1000 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the loader and its worker processes
    proc.wait()
    studies, _ = _consistent(env)
    assert 0 < studies < 7064, "the kill should land mid-load"
    assert LoadRun.objects.get().status == "running"
    # A first load defers the site geo index to its end, so the kill left it missing ...
    assert "trials_site_geo_idx" not in _site_indexes()
    rerun = ketnav(env, "load", source, "--json")
    assert rerun.returncode == 0
    assert "did not finish" in rerun.stderr
    assert json.loads(rerun.stdout)["unchanged"] >= studies
    assert _consistent(env)[0] == 7064  # every record in the file has its own NCT id
    assert "trials_site_geo_idx" in _site_indexes()  # ... and the next load restored it


def _site_indexes() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "trials_site"))


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its entry waits for its (new) parent


def _other_connections() -> set[int]:
    """Backends connected to the test database other than this process's own (PostgreSQL), or processes
    other than this one that hold the SQLite file open."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return {int(row[0]) for row in cursor.fetchall()}
    name = Path(connection.settings_dict["NAME"]).resolve()
    holders = set()
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if Path(os.readlink(fd)) == name and int(fd.parts[2]) != os.getpid():
                holders.add(int(fd.parts[2]))
        except OSError:
            continue
    return holders


def _describe_connections() -> list[tuple[object, ...]]:
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, wait_event_type, wait_event, backend_start, left(query, 80) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return list(cursor.fetchall())


def test_kill_9_of_a_load_leaves_no_workers_and_no_database_connections(env: dict[str, str], shared_data: Path) -> None:
    """kill -9 of the `ketnav load` process alone, as a user would: its worker processes die with it, so
    none lives on holding the database (or its write lock) and PostgreSQL sees their connections close."""
    from ketnav.trials.models import Study

    source = str(shared_data / "ctgov" / "ctgov_legacy_xml.jsonl.gz")
    before = _other_connections()  # e.g. the live server thread of earlier browser tests
    proc = subprocess.Popen(
        ketnav_cmd("load", source, "--workers", "2"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while Study.objects.count() < 800 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert len(workers) >= 2, "the load should be running its worker processes"
    os.kill(proc.pid, signal.SIGKILL)  # the parent only
    proc.wait()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "worker processes outlived the killed load"
    deadline = time.monotonic() + 20
    while _other_connections() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _other_connections() - before, _describe_connections()
    assert 0 < Study.objects.count() < 7064


def test_load_exits_2_when_a_file_is_wholly_rejected_and_stores_the_rest(
    env: dict[str, str], tmp_path: Path, v2_path: Path
) -> None:
    """The rule: a file with some rejected records loads the rest and exits 0; a file from which nothing
    can be stored (here a 1 GB zip bomb, and a file of malformed lines) makes the load exit 2, naming it."""
    from ketnav.trials.models import Study
    from tests.trials.test_sources import bomb_zip

    bomb = bomb_zip(tmp_path / "bomb.zip", inflated=1024**3)
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"protocolSection": {broken\n[1, 2]\n')
    result = ketnav(env, "load", str(bomb), str(v2_path), str(junk), "--json")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == f"ketnav: error: nothing could be loaded from {bomb}, {junk}"
    body = json.loads(result.stdout)
    assert body["rejected_files"] == [str(bomb), str(junk)]
    assert f"{bomb}:NCT00000001.json: record is larger than the 32 MiB limit" in "\n".join(body["problems"])
    assert Study.objects.count() == body["inserted"] == 1582
    assert not Study.objects.filter(nct_id="NCT00000001").exists()


def test_load_exits_0_when_only_some_records_of_a_file_are_rejected(
    env: dict[str, str], tmp_path: Path, v2_path: Path
) -> None:
    import gzip

    mixed = tmp_path / "mixed.jsonl"
    with gzip.open(v2_path, "rt") as source:
        mixed.write_text(next(source) + "[1, 2]\n")
    result = ketnav(env, "load", str(mixed))
    assert result.returncode == 0, result.stderr
    assert "inserted 1," in result.stdout and "rejected 1," in result.stdout
    assert f"{mixed}:2: expected a JSON object, got list" in result.stdout
