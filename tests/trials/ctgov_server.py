"""A local stand-in for the ClinicalTrials.gov API v2, serving real records over real HTTP.

It implements the parts of ``GET /api/v2/studies`` that ``ketnav sync`` uses (query.term/cond/intr,
filter.overallStatus, the LastUpdatePostDate range in filter.advanced, pageSize, pageToken, countTotal)
and can be told to misbehave: HTTP errors with Retry-After, or dropped connections, for the next N
requests; the same page token on every page; answers that drip in slowly or are far too large.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Failure:
    status: int  # 0 = drop the connection without answering
    retry_after: str | None = None


@dataclass
class FakeCtgov:
    studies: list[dict[str, Any]]
    requests: list[dict[str, str]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    fail_after_pages: int | None = None  # every request after this many good pages fails with 503
    good_pages: int = 0
    url: str = ""
    repeat_token: bool = False  # every page points to the first page again
    drip_seconds: float = 0.0  # send each answer one small chunk at a time over this long
    pad_bytes: int = 0  # add this much whitespace to every answer

    def fail_next(self, status: int, count: int = 1, retry_after: str | None = None) -> None:
        self.failures.extend(Failure(status, retry_after) for _ in range(count))

    # -- the API -----------------------------------------------------------------------------------
    def matching(self, params: dict[str, str]) -> list[dict[str, Any]]:
        out = []
        for study in self.studies:
            if _matches(study, params):
                out.append(study)
        return out

    def answer(self, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.requests.append(params)
        if self.failures:
            failure = self.failures.pop(0)
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            return failure.status, headers, b'{"message": "try later"}'
        if self.fail_after_pages is not None and self.good_pages >= self.fail_after_pages:
            return 503, {}, b'{"message": "unavailable"}'
        if any(k.startswith("filter.") and k not in {"filter.overallStatus", "filter.advanced"} for k in params):
            bad = next(k for k in params if k.startswith("filter."))
            return 400, {}, f"`{bad}` is unknown parameter".encode()
        size = min(int(params.get("pageSize", "10")), 1000)
        offset = 0
        if params.get("pageToken"):
            try:
                offset = int(base64.urlsafe_b64decode(params["pageToken"].encode()).decode())
            except ValueError:
                return 400, {}, b"invalid pageToken"
        found = self.matching(params)
        page = found[offset : offset + size]
        body: dict[str, Any] = {"studies": page}
        if offset + size < len(found):
            next_offset = size if self.repeat_token else offset + size
            body["nextPageToken"] = base64.urlsafe_b64encode(str(next_offset).encode()).decode()
        if params.get("countTotal") == "true" and not params.get("pageToken"):
            body["totalCount"] = len(found)
        self.good_pages += 1
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode() + b" " * self.pad_bytes


def _text(study: dict[str, Any], *paths: str) -> str:
    parts: list[str] = []
    for path in paths:
        node: Any = study
        for key in path.split("."):
            node = node.get(key, {}) if isinstance(node, dict) else {}
        parts.append(json.dumps(node))
    return " ".join(parts).lower()


def _any_word_group(query: str, haystack: str) -> bool:
    return any(all(w in haystack for w in alt.lower().split()) for alt in re.split(r"\s+OR\s+", query))


def _matches(study: dict[str, Any], params: dict[str, str]) -> bool:
    if "query.term" in params and not _any_word_group(params["query.term"], json.dumps(study).lower()):
        return False
    cond = _text(
        study,
        "protocolSection.conditionsModule",
        "derivedSection.conditionBrowseModule",
        "protocolSection.identificationModule",
    )
    if "query.cond" in params and not _any_word_group(params["query.cond"], cond):
        return False
    intr = _text(
        study, "protocolSection.armsInterventionsModule.interventions", "derivedSection.interventionBrowseModule"
    )
    if "query.intr" in params and not _any_word_group(params["query.intr"], intr):
        return False
    status = study.get("protocolSection", {}).get("statusModule", {})
    if "filter.overallStatus" in params and status.get("overallStatus") not in params["filter.overallStatus"].split(
        ","
    ):
        return False
    m = re.search(r"AREA\[LastUpdatePostDate\]RANGE\[([\d-]+),MAX\]", params.get("filter.advanced", ""))
    if m:
        last = status.get("lastUpdatePostDateStruct", {}).get("date", "")
        if not last or last < m.group(1):
            return False
    return True


class _Handler(BaseHTTPRequestHandler):
    api: FakeCtgov

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != "/api/v2/studies":
            self.send_error(404)
            return
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        status, headers, body = self.api.answer(params)
        if status == 0:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if self.api.drip_seconds:  # chunked, a few bytes at a time: no Content-Length to refuse early
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            step = max(64, len(body) // 50)
            pieces = [body[i : i + step] for i in range(0, len(body), step)]
            try:
                for piece in pieces:
                    time.sleep(self.api.drip_seconds / len(pieces))
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client gave up, as it should
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may refuse a body it was told is too large
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(studies: list[dict[str, Any]]) -> Iterator[FakeCtgov]:
    api = FakeCtgov(studies=studies)
    handler = type("Handler", (_Handler,), {"api": api})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}/api/v2"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
