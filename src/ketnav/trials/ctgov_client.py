"""The only module that talks to ClinicalTrials.gov (API v2).

Polite by construction: at most one request every ``min_interval`` seconds (default 1.3 s, about 46 a
minute, under the ~50/min that users report and the robots.txt crawl delay of 1 s), retries with
exponential backoff on 429, 5xx and timeouts (honouring Retry-After, in seconds or as an HTTP date, up to
``MAX_RETRY_AFTER_S``), and one clear error when the service stays unavailable. Defensive too: each
response must arrive whole within ``RESPONSE_DEADLINE_S`` and inflate to at most ``MAX_RESPONSE_BYTES``,
so a server that drips or floods cannot hold a sync forever or exhaust memory. It takes an
``httpx.Client`` so tests can point it at a local server.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from ketnav import __version__
from ketnav.errors import InvalidInput, UpstreamUnavailable

DEFAULT_API_URL = "https://clinicaltrials.gov/api/v2"
PAGE_SIZE = 1000  # the API coerces anything larger down to 1,000
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 300.0  # a longer wait asked for by the server ends the sync with a message instead
RESPONSE_DEADLINE_S = 300.0  # one page of 1,000 studies normally takes a few seconds
MAX_RESPONSE_BYTES = 256 * 1024 * 1024  # a page of 1,000 studies with results is tens of MB


def check_api_url(url: str, *, name: str = "--api-url") -> str:
    """An http(s) URL with a host, without a trailing slash; InvalidInput naming ``name`` otherwise."""
    parts = urlsplit(url.strip())
    try:
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
    if parts.scheme not in {"http", "https"} or not parts.hostname or not port_ok:
        raise InvalidInput(f"{name}: {url!r} is not an http(s) URL like {DEFAULT_API_URL}")
    return url.strip().rstrip("/")


def retry_after_seconds(value: str | None, *, now: dt.datetime) -> float | None:
    """Retry-After as seconds from ``now``: delay-seconds or an HTTP date (RFC 9110); None if unreadable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, (when - now).total_seconds())
    return max(0.0, seconds) if math.isfinite(seconds) else None


class _ResponseProblem(Exception):
    """The response broke one of our limits; ``retry`` says whether asking again may help."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class Page:
    studies: list[bytes]  # each study object re-serialized exactly as received (orjson)
    next_page_token: str
    total_count: int | None


class CtgovClient:
    def __init__(
        self,
        http: httpx.Client,
        *,
        api_url: str = DEFAULT_API_URL,
        min_interval: float = 1.3,
        max_attempts: int = 6,
        backoff_base: float = 2.0,
        backoff_cap: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        max_retry_after_s: float = MAX_RETRY_AFTER_S,
        response_deadline_s: float = RESPONSE_DEADLINE_S,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.http = http
        self.api_url = check_api_url(api_url, name="api_url")
        self.min_interval = min_interval
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep
        self.clock = clock
        self.now = now
        self.max_retry_after_s = max_retry_after_s
        self.response_deadline_s = response_deadline_s
        self.max_response_bytes = max_response_bytes
        self._last_request = -1e9
        self.requests_made = 0

    def _pace(self) -> None:
        wait = self._last_request + self.min_interval - self.clock()
        if wait > 0:
            self.sleep(wait)
        self._last_request = self.clock()

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        asked = retry_after_seconds(retry_after, now=self.now())
        if asked is None:
            return float(min(self.backoff_cap, self.backoff_base * 2**attempt))
        if asked > self.max_retry_after_s:
            raise UpstreamUnavailable(
                f"ClinicalTrials.gov asked us to wait {asked:,.0f} s before the next request (Retry-After: "
                f"{retry_after}), longer than the {self.max_retry_after_s:,.0f} s ketnav waits; "
                "run the sync again later"
            )
        return asked

    def _fetch(self, url: str, params: Mapping[str, str]) -> tuple[int, httpx.Headers, bytes]:
        """One GET, read whole within the deadline and the size limit (both counted on decoded bytes)."""
        started = self.clock()
        headers = {"User-Agent": f"ketnav/{__version__}"}
        with self.http.stream("GET", url, params=dict(params), headers=headers) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_response_bytes:
                raise _ResponseProblem(self._too_large(int(declared)), retry=False)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise _ResponseProblem(self._too_large(None), retry=False)
                if self.clock() - started > self.response_deadline_s:
                    raise _ResponseProblem(
                        f"the answer took longer than {self.response_deadline_s:g} s to arrive", retry=True
                    )
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)

    def _too_large(self, size: int | None) -> str:
        shown = f"{size:,} bytes" if size is not None else "more"
        return f"the answer is {shown}; ketnav accepts at most {self.max_response_bytes:,} bytes"

    def get_json(self, path: str, params: Mapping[str, str]) -> Any:
        url = f"{self.api_url}{path}"
        problem = ""
        for attempt in range(self.max_attempts):
            self._pace()
            self.requests_made += 1
            last = attempt + 1 == self.max_attempts
            try:
                status, headers, content = self._fetch(url, params)
            except httpx.TimeoutException:
                problem = "timed out"
                if not last:
                    self.sleep(self._backoff(attempt, None))
                continue
            except httpx.TransportError as exc:
                problem = f"network error: {exc.__class__.__name__}: {exc}".strip().rstrip(":")
                if not last:
                    self.sleep(self._backoff(attempt, None))
                continue
            except _ResponseProblem as exc:
                if not exc.retry:
                    raise UpstreamUnavailable(f"ClinicalTrials.gov at {self.api_url}: {exc}") from None
                problem = str(exc)
                if not last:
                    self.sleep(self._backoff(attempt, None))
                continue
            if status in RETRY_STATUSES:
                problem = f"HTTP {status}"
                if not last:
                    self.sleep(self._backoff(attempt, headers.get("Retry-After")))
                continue
            if status >= 400:
                text = content.decode("utf-8", "replace").strip()
                detail = text.splitlines()[0][:200] if text else ""
                raise InvalidInput(f"ClinicalTrials.gov refused the request (HTTP {status}): {detail}")
            try:
                return orjson.loads(content)
            except orjson.JSONDecodeError:
                problem = "the answer was not valid JSON"
                if not last:
                    self.sleep(self._backoff(attempt, None))
        raise UpstreamUnavailable(
            f"ClinicalTrials.gov is unavailable at {self.api_url} ({problem} after {self.max_attempts} tries)"
        )

    def studies_page(self, params: Mapping[str, str], page_token: str = "") -> Page:
        query = {**params, "pageSize": str(PAGE_SIZE), "format": "json"}
        if page_token:
            query["pageToken"] = page_token
        else:
            query["countTotal"] = "true"
        body = self.get_json("/studies", query)
        if not isinstance(body, dict) or not isinstance(body.get("studies", []), list):
            raise UpstreamUnavailable("ClinicalTrials.gov answered with an unexpected shape (no 'studies' list)")
        total = body.get("totalCount")
        return Page(
            studies=[orjson.dumps(s) for s in body.get("studies", [])],
            next_page_token=str(body.get("nextPageToken") or ""),
            total_count=total if isinstance(total, int) else None,
        )
