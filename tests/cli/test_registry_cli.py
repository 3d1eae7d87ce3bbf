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
