"""Sync against a local HTTP server that speaks the API v2 format with real records."""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ketnav.errors import InvalidInput, UpstreamUnavailable
from ketnav.trials import ctgov_client
from ketnav.trials import sync as sync_module
from ketnav.trials.ctgov_client import CtgovClient
from ketnav.trials.models import Study, SyncCursor
from ketnav.trials.sync import DEFAULT_SCOPES, Scope, SyncAlreadyRunning, custom_scope, sync, sync_lock
from tests.conftest import current_database_url, ketnav_cmd
from tests.trials.ctgov_server import FakeCtgov, serve

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(v2_studies: dict[str, dict[str, Any]]) -> Iterator[FakeCtgov]:
    complete = [s for s in v2_studies.values() if "statusModule" in s["protocolSection"]]
    with serve(complete) as server:
        yield server


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 50 so that paging and resuming happen with a few hundred real records."""
    monkeypatch.setattr(ctgov_client, "PAGE_SIZE", 50)


def client_for(api: FakeCtgov, http: httpx.Client, **kwargs: Any) -> CtgovClient:
    options: dict[str, Any] = {"min_interval": 0.0, "backoff_base": 0.0, "sleep": lambda s: None} | kwargs
    return CtgovClient(http, api_url=api.url, **options)


def test_sync_stores_every_matching_study(api: FakeCtgov, small_pages: None) -> None:
    pain = Scope("pain", {"query.cond": "pain"})
    expected = {s["protocolSection"]["identificationModule"]["nctId"] for s in api.matching(pain.params)}
    assert len(expected) > 100
    with httpx.Client() as http:
        [result] = sync(client_for(api, http), [pain])
    assert set(Study.objects.values_list("nct_id", flat=True)) == expected
    assert result.pages == -(-len(expected) // 50)
    assert result.total == len(expected)
    assert api.requests[0]["pageSize"] == "50" and api.requests[0]["countTotal"] == "true"
    assert all(r["query.cond"] == "pain" for r in api.requests)  # later pages repeat the first page's query


def test_default_scope_covers_ketamine_and_the_conditions(api: FakeCtgov) -> None:
    with httpx.Client() as http:
        results = sync(client_for(api, http), list(DEFAULT_SCOPES))
    stored = set(Study.objects.values_list("nct_id", flat=True))
    expected = {
        s["protocolSection"]["identificationModule"]["nctId"]
        for scope in DEFAULT_SCOPES
        for s in api.matching(scope.params)
    }
    assert stored == expected
    assert "NCT04179266" in stored  # intranasal ketamine, a ketamine intervention
    assert [r.scope for r in results] == ["ketamine", "anxiety-disorders", "ptsd", "depression", "chronic-pain"]


def test_interrupted_sync_resumes_from_saved_cursor(api: FakeCtgov, small_pages: None) -> None:
    pain = Scope("pain", {"query.cond": "pain"})
    api.fail_after_pages = 2
    with httpx.Client() as http, pytest.raises(UpstreamUnavailable, match="HTTP 503 after 6 tries"):
        sync(client_for(api, http), [pain])
    cursor = SyncCursor.objects.get(scope="pain")
    assert (cursor.status, cursor.pages_done) == ("running", 2)
    assert Study.objects.count() == 100
    api.fail_after_pages = None
    api.requests.clear()
    with httpx.Client() as http:
        [result] = sync(client_for(api, http), [pain])
    assert result.resumed
    assert api.requests[0]["pageToken"] == cursor.page_token
    assert Study.objects.count() == len(api.matching(pain.params))
    assert SyncCursor.objects.get(scope="pain").status == "idle"


def test_second_pass_is_incremental(api: FakeCtgov) -> None:
    pain = Scope("pain", {"query.cond": "pain"})
    with httpx.Client() as http:
        sync(client_for(api, http), [pain])
        high_water = SyncCursor.objects.get(scope="pain").since
        assert high_water is not None
        api.requests.clear()
        [second] = sync(client_for(api, http), [pain])
    assert api.requests[0]["filter.advanced"] == f"AREA[LastUpdatePostDate]RANGE[{high_water.isoformat()},MAX]"
    assert second.summary.inserted == 0 and second.summary.updated == 0
    assert second.fetched == second.summary.unchanged


def test_explicit_since_overrides_the_cursor(api: FakeCtgov) -> None:
    with httpx.Client() as http:
        [result] = sync(client_for(api, http), [Scope("pain", {"query.cond": "pain"})], since=dt.date(2024, 1, 1))
    assert result.since == dt.date(2024, 1, 1)
    assert all(s.last_update and s.last_update >= dt.date(2024, 1, 1) for s in Study.objects.all())


def test_retries_429_and_5xx_with_backoff(api: FakeCtgov) -> None:
    slept: list[float] = []
    api.fail_next(429, retry_after="7")
    api.fail_next(503)
    api.fail_next(0)  # connection dropped
    with httpx.Client() as http:
        client = client_for(api, http, sleep=slept.append, backoff_base=1.0)
        [result] = sync(client, [Scope("ketamine", {"query.intr": "ketamine"})])
    assert result.fetched == len(api.matching({"query.intr": "ketamine"})) > 0
    assert slept == [7.0, 2.0, 4.0]  # Retry-After honoured, then 1 s x 2^attempt


def test_requests_are_paced(api: FakeCtgov) -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with httpx.Client() as http:
        client = CtgovClient(http, api_url=api.url, min_interval=1.3, sleep=sleep, clock=lambda: now[0])
        for _ in range(3):
            client.studies_page({"query.intr": "ketamine"})
    assert slept == [pytest.approx(1.3), pytest.approx(1.3)]
    assert 60 / 1.3 < 50  # requests per minute stay under the reported ~50/min


def test_unknown_parameter_is_a_clear_error(api: FakeCtgov) -> None:
    with httpx.Client() as http, pytest.raises(InvalidInput, match=r"HTTP 400.*filter\.phase"):
        client_for(api, http).studies_page({"filter.phase": "PHASE3"})


def test_network_error_leaves_store_untouched(api: FakeCtgov, tmp_path: Any) -> None:
    with httpx.Client() as http:
        sync(client_for(api, http), [Scope("ketamine", {"query.intr": "ketamine"})])
    before = sorted(Study.objects.values_list("nct_id", "raw_sha256"))
    with httpx.Client() as http:
        dead = CtgovClient(
            http, api_url="http://127.0.0.1:9/api/v2", min_interval=0, max_attempts=2, sleep=lambda s: None
        )
        with pytest.raises(UpstreamUnavailable, match="network error"):
            sync(dead, [Scope("ketamine", {"query.intr": "ketamine"})])
    assert sorted(Study.objects.values_list("nct_id", "raw_sha256")) == before


def test_custom_scope_validates_status() -> None:
    with pytest.raises(InvalidInput, match="unknown status OPEN"):
        custom_scope(statuses=["open"])
    assert custom_scope(condition="anxiety", statuses=["recruiting"]).params == {
        "query.cond": "anxiety",
        "filter.overallStatus": "RECRUITING",
    }


def test_it_stops_when_the_api_repeats_a_page_token(api: FakeCtgov, small_pages: None) -> None:
    api.repeat_token = True
    pain = Scope("pain", {"query.cond": "pain"})
    with httpx.Client() as http, pytest.raises(UpstreamUnavailable) as raised:
        sync(client_for(api, http), [pain])
    message = str(raised.value)
    assert "sent the same page token again after page 2 of pain" in message
    assert "stopped so the sync does not loop" in message
    assert "stored before the failure: pain: 50 studies from 1 pages (inserted 50," in message
    assert len(api.requests) == 2  # it did not go round again
    assert Study.objects.count() == 50


@pytest.mark.parametrize(
    ("retry_after", "slept"),
    [("7", 7.0), ("Wed, 01 May 2024 10:00:05 GMT", 5.0), ("Wed, 01 May 2024 09:59:00 GMT", 0.0), ("soon", 1.0)],
)
def test_it_honours_retry_after_in_seconds_and_as_an_http_date(api: FakeCtgov, retry_after: str, slept: float) -> None:
    waits: list[float] = []
    api.fail_next(503, retry_after=retry_after)
    now = dt.datetime(2024, 5, 1, 10, 0, 0, tzinfo=dt.UTC)
    with httpx.Client() as http:
        client = client_for(api, http, sleep=waits.append, backoff_base=1.0, now=lambda: now)
        client.studies_page({"query.intr": "ketamine"})
    assert waits == [slept]  # a date in the past means now; an unreadable value, our own schedule (1 s x 2^0)


@pytest.mark.parametrize("retry_after", ["3600", "Wed, 01 May 2024 12:00:00 GMT"])
def test_it_stops_when_retry_after_is_longer_than_it_waits(api: FakeCtgov, retry_after: str) -> None:
    api.fail_next(429, retry_after=retry_after)
    now = dt.datetime(2024, 5, 1, 10, 0, 0, tzinfo=dt.UTC)
    waits: list[float] = []
    with httpx.Client() as http, pytest.raises(UpstreamUnavailable) as raised:
        sync(client_for(api, http, sleep=waits.append, now=lambda: now), [Scope("ketamine", {"query.intr": "ket"})])
    assert "asked us to wait 7,200 s" in str(raised.value) or "asked us to wait 3,600 s" in str(raised.value)
    assert "longer than the 300 s ketnav waits; run the sync again later; nothing was stored" in str(raised.value)
    assert waits == [] and len(api.requests) == 1


def test_it_gives_up_on_an_answer_that_drips_in_past_the_deadline(api: FakeCtgov) -> None:
    api.drip_seconds = 3.0
    started = time.monotonic()
    with httpx.Client() as http:
        client = client_for(api, http, response_deadline_s=0.5, max_attempts=2, clock=time.monotonic)
        with pytest.raises(UpstreamUnavailable, match=r"the answer took longer than 0.5 s to arrive after 2 tries"):
            client.studies_page({"query.intr": "ketamine"})
    assert time.monotonic() - started < 2 * 3.0  # each try stopped at the deadline, not at the end of the drip


@pytest.mark.parametrize("chunked", [False, True])
def test_it_refuses_an_answer_larger_than_its_limit(api: FakeCtgov, chunked: bool) -> None:
    api.pad_bytes = 300_000
    api.drip_seconds = 0.01 if chunked else 0.0
    with httpx.Client() as http, pytest.raises(UpstreamUnavailable, match="ketnav accepts at most 100,000 bytes"):
        client_for(api, http, max_response_bytes=100_000, max_attempts=3).studies_page({"query.intr": "ketamine"})
    assert len(api.requests) == 1  # not worth asking again


def test_a_failure_says_exactly_what_was_stored_and_where_it_resumes(api: FakeCtgov, small_pages: None) -> None:
    api.fail_after_pages = 3
    ketamine = Scope("ketamine", {"query.intr": "ketamine"})
    pain = Scope("pain", {"query.cond": "pain"})
    with httpx.Client() as http, pytest.raises(UpstreamUnavailable) as raised:
        sync(client_for(api, http, max_attempts=2), [ketamine, pain])
    ketamine_count = len(api.matching(ketamine.params))
    assert ketamine_count < 50  # one page
    message = str(raised.value)
    assert message.startswith("ClinicalTrials.gov is unavailable at")
    assert (
        f"stored before the failure: ketamine: {ketamine_count} studies from 1 pages (inserted {ketamine_count}, "
        "updated 0, unchanged 0, rejected 0); pain: 100 studies from 2 pages (inserted "
    ) in message
    assert message.endswith("the next ketnav sync resumes pain after page 2")
    assert Study.objects.count() == len({*map(str, Study.objects.values_list("nct_id", flat=True))})


def test_client_refuses_a_malformed_api_url() -> None:
    with httpx.Client() as http:
        for url in ("clinicaltrials.gov/api/v2", "ftp://example.org/api", "http://", "https://host:99999/api"):
            with pytest.raises(InvalidInput, match="is not an http\\(s\\) URL"):
                CtgovClient(http, api_url=url)


def test_two_concurrent_syncs_never_run_at_once(api: FakeCtgov, clean_env: dict[str, str]) -> None:
    """Two schedulers start `ketnav sync` on one database: the second says so in one line and exits 75
    without asking the API anything, while the first completes."""
    env = clean_env | {"KETNAV_DATABASE_URL": current_database_url()}
    api.drip_seconds = 3.0  # the first sync is still reading its first page when the second starts
    command = ketnav_cmd("sync", "--term", "ketamine", "--api-url", api.url, "--tries", "1")
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as first:
        deadline = time.monotonic() + 60
        while not api.requests and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert api.requests, "the first sync never asked the API"
        second = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        _out, err = first.communicate(timeout=120)
    assert second.returncode == 75, second.stderr
    assert second.stderr.strip() == (
        "ketnav: error: another registry sync is running on this database; this one did nothing"
    )
    assert first.returncode == 0, err
    assert len(api.requests) == api.good_pages  # every request came from the first sync's pages
    assert Study.objects.exists()
    with httpx.Client() as http:  # the lock was released: a later sync runs
        sync(client_for(api, http), [Scope("ketamine", {"query.term": "ketamine"})])


def test_the_lock_is_held_for_the_whole_sync_and_released_after(api: FakeCtgov) -> None:
    with sync_lock(), pytest.raises(SyncAlreadyRunning), _other_connection_lock():
        pass
    with _other_connection_lock():  # free again
        pass


@contextlib.contextmanager
def _other_connection_lock() -> Iterator[None]:
    """The sync lock taken as another process would: a second connection (PostgreSQL) or open file."""
    from django.db import connection

    if connection.vendor != "postgresql":
        with sync_module._file_lock(sync_module._sqlite_lock_path(str(connection.settings_dict["NAME"]))):  # type: ignore[arg-type]
            yield
        return
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "localhost", port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"], autocommit=True
    ) as other:
        (taken,) = other.execute("SELECT pg_try_advisory_lock(%s)", [sync_module.SYNC_LOCK_KEY]).fetchone()  # type: ignore[misc]
        if not taken:
            raise SyncAlreadyRunning("held elsewhere")
        yield
