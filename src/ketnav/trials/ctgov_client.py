"""The only module that talks to ClinicalTrials.gov (API v2).

Polite by construction: at most one request every ``min_interval`` seconds (default 1.3 s, about 46 a
minute, under the ~50/min that users report and the robots.txt crawl delay of 1 s), retries with
exponential backoff on 429, 5xx and timeouts (honouring Retry-After), and one clear error when the
service stays unavailable. It takes an ``httpx.Client`` so tests can point it at a local server.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from ketnav import __version__
from ketnav.errors import InvalidInput, UpstreamUnavailable

DEFAULT_API_URL = "https://clinicaltrials.gov/api/v2"
PAGE_SIZE = 1000  # the API coerces anything larger down to 1,000
RETRY_STATUSES = {429, 500, 502, 503, 504}


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
    ) -> None:
        self.http = http
        self.api_url = api_url.rstrip("/")
        self.min_interval = min_interval
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep
        self.clock = clock
        self._last_request = -1e9
        self.requests_made = 0

    def _pace(self) -> None:
        wait = self._last_request + self.min_interval - self.clock()
        if wait > 0:
            self.sleep(wait)
        self._last_request = self.clock()

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(self.backoff_cap, max(0.0, float(retry_after)))
            except ValueError:
                pass  # an HTTP date: fall back to our own schedule
        return float(min(self.backoff_cap, self.backoff_base * 2**attempt))

    def get_json(self, path: str, params: Mapping[str, str]) -> Any:
        url = f"{self.api_url}{path}"
        problem = ""
        for attempt in range(self.max_attempts):
            self._pace()
            self.requests_made += 1
            try:
                response = self.http.get(url, params=dict(params), headers={"User-Agent": f"ketnav/{__version__}"})
            except httpx.TimeoutException:
                problem = "timed out"
                if attempt + 1 < self.max_attempts:
                    self.sleep(self._backoff(attempt, None))
                continue
            except httpx.TransportError as exc:
                problem = f"network error: {exc.__class__.__name__}: {exc}".strip().rstrip(":")
                if attempt + 1 < self.max_attempts:
                    self.sleep(self._backoff(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES:
                problem = f"HTTP {response.status_code}"
                if attempt + 1 < self.max_attempts:
                    self.sleep(self._backoff(attempt, response.headers.get("Retry-After")))
                continue
            if response.status_code >= 400:
                detail = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
                raise InvalidInput(f"ClinicalTrials.gov refused the request (HTTP {response.status_code}): {detail}")
            try:
                return orjson.loads(response.content)
            except orjson.JSONDecodeError:
                problem = "the answer was not valid JSON"
                if attempt + 1 < self.max_attempts:
                    self.sleep(self._backoff(attempt, None))
        raise UpstreamUnavailable(
            f"ClinicalTrials.gov is unavailable at {self.api_url} ({problem} after {self.max_attempts} tries); "
            "nothing stored was changed"
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
