"""Throughput and latency of the real server (`ketnav serve`) under concurrent users.

    python benchmarks/serve_load.py                          # scratch SQLite, shared records, C=16 for 20 s
    python benchmarks/serve_load.py --clients 1 4 16 --seconds 30
    python benchmarks/serve_load.py --db postgresql://postgres@127.0.0.1:5432/ketnav
    python benchmarks/serve_load.py --url http://127.0.0.1:8000   # a server that is already running
    python benchmarks/serve_load.py --mix search             # only the trial searches (page and API)

Loads the real records in ../shared/data/ctgov (API v2 and legacy XML, about 8,600 studies) into a
scratch database with `ketnav load`, starts `ketnav serve` (its default threads) on a free loopback
port, then for each client count C runs C threads for --seconds, each with its own keep-alive
connection, sending a fixed mix of requests: trial searches (page and API), study pages and API
records, guide pages, the site search, tools pages, and the API's tools (safety screen, side-effect
check, aftercare plan, PK simulation). Prints throughput, p50/p95/p99 latency per kind of URL and
every response that was not a 2xx/3xx (a 5xx or a dropped connection is a bug: see issue 15).
With ``--mix search`` only the trial searches are sent, as the page (/trials/?...) and the API
(/api/trials?...), in the default mix's proportions: the target of issue 20 measured on its own.
Prints figures; never fails on time. The load test tier (tests/web/test_serve_load.py) uses the same
mix for a bounded number of requests and asserts that none of them is a server error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import SHARED, ketnav, percentile, scratch_database

RECORD_FILES = ("ctgov_v2_studies.jsonl.gz", "ctgov_legacy_xml.jsonl.gz")

SEARCHES: tuple[str, ...] = (
    "q=ketamine&status=any",
    "q=anxiety",
    "q=depression&phase=PHASE2&phase=PHASE3",
    "q=chronic+pain&age=45&sex=F",
    "q=%22post+traumatic%22&status=any&sort=start_date",
    "q=migraine&country=United+States",
    "q=cancer*&status=any&has_results=true",
    "q=pain&near=42.36,-71.06&radius_km=200&sort=distance",
    "q=headache&start_from=2015-01-01&status=any",
    "q=insomnia&status=any&page=2",
    "q=",
)
TOOLS_PAGES: tuple[str, ...] = (
    "/",
    "/tools/",
    "/tools/safety-screen/",
    "/tools/side-effects/",
    "/tools/aftercare/",
    "/tools/aftercare/?end=2024-05-01T10:00&route=nasal",
    "/tools/routes/",
    "/tools/routes/?mode=clinician&dose=0.5+mg%2Fkg&over=40+min&weight=80&hours=6",
    "/clinics/",
)
API_TOOLS: tuple[tuple[str, dict[str, object]], ...] = (
    ("/api/safety/screen", {"age": 45, "medications": ["Nardil", "sertraline"], "blood_pressure": "165/102"}),
    ("/api/safety/screen", {"age": 30, "conditions": ["psychosis_history"], "medications": ["lithium"]}),
    ("/api/safety/aftercare", {"session_end": "2024-05-01T10:00:00", "route": "iv"}),
    ("/api/pk/simulate", {"model": "clements", "route": "iv", "dose": "0.5 mg/kg over 40 min", "weight_kg": 70}),
)


# How often each kind of request is picked, relative to the others (about what a busy site sees).
KIND_WEIGHTS: dict[str, int] = {
    "search page": 3,
    "api search": 2,
    "study page": 3,
    "api study": 2,
    "guide page": 2,
    "api guide": 1,
    "tools page": 2,
    "api tools": 2,
    "health": 1,
}


@dataclass(frozen=True)
class Call:
    """One request of the mix: its kind (for the per-kind figures), method, path and JSON body."""

    kind: str
    method: str
    path: str
    body: bytes | None = None


@dataclass(frozen=True)
class Outcome:
    kind: str
    path: str
    status: int  # 0: no response (connection refused, reset or timed out)
    seconds: float
    error: str = ""


def build_mix(*, nct_ids: Sequence[str], guide_slugs: Sequence[str]) -> list[Call]:
    """The request mix: every kind appears several times, so a random pick exercises all of them."""
    calls: list[Call] = []
    calls += [Call("search page", "GET", f"/trials/?{q}") for q in SEARCHES]
    calls += [Call("api search", "GET", f"/api/trials?{q}&facets=true") for q in SEARCHES]
    calls += [Call("study page", "GET", f"/trials/{nct}/") for nct in nct_ids]
    calls += [Call("api study", "GET", f"/api/trials/{nct}") for nct in nct_ids]
    guide = ["/guide/", "/guide/references/", "/search/?q=ketamine+anxiety", "/search/?q=ptsd"]
    guide += [f"/guide/{slug}/" for slug in guide_slugs]
    calls += [Call("guide page", "GET", path) for path in guide]
    calls += [Call("api guide", "GET", "/api/guide")] + [
        Call("api guide", "GET", f"/api/guide/{s}") for s in guide_slugs
    ]
    calls += [Call("tools page", "GET", path) for path in TOOLS_PAGES]
    calls += [Call("api tools", "POST", path, json.dumps(body).encode()) for path, body in API_TOOLS]
    ended = (dt.datetime.now() - dt.timedelta(hours=2)).isoformat(timespec="minutes")
    effects = {"effects": ["nausea", "dizziness"], "session_end": ended}
    calls.append(Call("api tools", "POST", "/api/safety/side-effects", json.dumps(effects).encode()))
    calls += [Call("api tools", "GET", "/api/pk/models")]
    calls.append(Call("health", "GET", "/healthz"))
    return calls


def build_search_mix() -> list[Call]:
    """Only the trial searches of SEARCHES, as the page and as the API (issue 20's target)."""
    calls = [Call("search page", "GET", f"/trials/?{q}") for q in SEARCHES]
    calls += [Call("api search", "GET", f"/api/trials?{q}") for q in SEARCHES]
    return calls


MIXES = ("all", "search")


def discover(client: httpx.Client, *, studies: int = 60) -> tuple[list[str], list[str]]:
    """NCT ids (v2 and legacy XML records, with and without sites) and guide slugs, asked of the server."""
    ids: list[str] = []
    for query in (
        "q=&status=any&sort=last_updated",
        "q=pain&status=any",
        "q=cancer&status=any",
        "q=ketamine&status=any",
    ):
        body = client.get(f"/api/trials?{query}&page_size=100&facets=false").raise_for_status().json()
        ids += [hit["nct_id"] for hit in body["results"] if hit["nct_id"] not in ids]
    slugs = [topic["slug"] for topic in client.get("/api/guide").raise_for_status().json()]
    return random.Random(7).sample(ids, min(studies, len(ids))), slugs


def hammer(
    base_url: str,
    mix: Sequence[Call],
    *,
    clients: int,
    seconds: float,
    max_requests: int | None = None,
    seed: int = 15,
    timeout_s: float = 30.0,
) -> tuple[list[Outcome], float]:
    """C threads send random picks from the mix (a kind by KIND_WEIGHTS, then one of its requests) until
    the time or the request budget runs out.

    Each thread owns its client (one keep-alive connection), its random generator and its list of
    outcomes, so the only shared state is the budget counter, which a lock guards."""
    by_kind: dict[str, list[Call]] = {}
    for call in mix:
        by_kind.setdefault(call.kind, []).append(call)
    deadline = time.monotonic() + seconds
    budget = Counter[str]()
    budget_lock = threading.Lock()
    results: list[list[Outcome]] = [[] for _ in range(clients)]

    def take() -> bool:
        if time.monotonic() >= deadline:
            return False
        if max_requests is None:
            return True
        with budget_lock:
            budget["sent"] += 1
            return budget["sent"] <= max_requests

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        kinds = sorted(by_kind)
        weights = [KIND_WEIGHTS.get(kind, 1) for kind in kinds]
        out = results[index]
        headers = {"content-type": "application/json"}
        with httpx.Client(base_url=base_url, timeout=timeout_s) as client:
            while take():
                call = rng.choice(by_kind[rng.choices(kinds, weights)[0]])
                started = time.perf_counter()
                try:
                    response = client.request(call.method, call.path, content=call.body, headers=headers)
                    response.read()
                    out.append(Outcome(call.kind, call.path, response.status_code, time.perf_counter() - started))
                except httpx.HTTPError as exc:
                    error = f"{exc.__class__.__name__}: {exc}"
                    out.append(Outcome(call.kind, call.path, 0, time.perf_counter() - started, error))

    threads = [threading.Thread(target=worker, args=(i,), name=f"load-{i}") for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [o for chunk in results for o in chunk], time.monotonic() - started


def failures(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """Server errors and requests that got no response at all."""
    return [o for o in outcomes if o.status == 0 or o.status >= 500]


def report(outcomes: Sequence[Outcome], elapsed_s: float, *, clients: int) -> list[str]:
    """`name: value unit` lines: throughput, latency percentiles per kind, status counts, failures."""
    lines = [f"clients: {clients}", f"requests: {len(outcomes)}", f"elapsed: {elapsed_s:.1f} s"]
    lines.append(f"throughput: {len(outcomes) / elapsed_s:.1f} requests/s" if elapsed_s else "throughput: n/a")
    by_kind: dict[str, list[float]] = {}
    for outcome in outcomes:
        by_kind.setdefault(outcome.kind, []).append(outcome.seconds * 1000)
    for kind in sorted(by_kind):
        ms = by_kind[kind]
        lines.append(
            f"{kind}: n={len(ms)} p50={percentile(ms, 50):.0f} ms p95={percentile(ms, 95):.0f} ms "
            f"p99={percentile(ms, 99):.0f} ms"
        )
    statuses = Counter(o.status for o in outcomes)
    lines.append("statuses: " + ", ".join(f"{s or 'no response'}={n}" for s, n in sorted(statuses.items())))
    bad = failures(outcomes)
    lines.append(f"server errors: {len(bad)}")
    for (kind, path, status, error), n in Counter((o.kind, o.path, o.status, o.error) for o in bad).most_common(10):
        lines.append(f"  {n} x {status or 'no response'} {kind} {path} {error}".rstrip())
    return lines


def wait_until_up(base_url: str, process: subprocess.Popen[bytes], *, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ketnav serve exited with status {process.returncode} before it answered")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"ketnav serve did not answer /healthz within {timeout_s:.0f} s")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(
    env: dict[str, str], *, log: Path, extra_args: Sequence[str] = ()
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`ketnav serve` on a free loopback port with its default threads; stopped (and waited for) on exit."""
    port = free_port()
    with log.open("wb") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "ketnav", "serve", "--host", "127.0.0.1", "--port", str(port), *extra_args],
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base_url, process)
            yield base_url, process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def machine() -> list[str]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    ]


@dataclass
class Run:
    clients: list[int]
    seconds: float
    mix: str = "all"
    lines: list[str] = field(default_factory=list)


def measure(base_url: str, run: Run, process: subprocess.Popen[bytes] | None) -> bool:
    """Run each client count in turn; False when the server died or answered with a server error."""
    if run.mix == "search":
        mix = build_search_mix()
        print(f"mix: search, {len(mix)} distinct requests (trial searches, page and API)")
    else:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            nct_ids, slugs = discover(client)
        mix = build_mix(nct_ids=nct_ids, guide_slugs=slugs)
        print(f"mix: {len(mix)} distinct requests ({len(nct_ids)} studies, {len(slugs)} guide topics)")
    healthy = True
    for clients in run.clients:
        outcomes, elapsed = hammer(base_url, mix, clients=clients, seconds=run.seconds)
        for line in report(outcomes, elapsed, clients=clients):
            print(line)
        alive = process is None or process.poll() is None
        try:
            up = alive and httpx.get(f"{base_url}/healthz", timeout=10).status_code == 200
        except httpx.HTTPError:
            up = False
        print(f"server up afterwards: {'yes' if up else 'NO'}" + ("" if alive else f" (exit {process.returncode})"))  # type: ignore[union-attr]
        healthy = healthy and up and not failures(outcomes)
        if not up:
            break
    return healthy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[16], help="client counts to run in turn")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each client count runs")
    parser.add_argument("--db", default="", help="PostgreSQL URL; default: a scratch SQLite file")
    parser.add_argument("--url", default="", help="measure a server that is already running (skips loading)")
    parser.add_argument("--threads", type=int, default=0, help="ketnav serve --threads (default: its own default)")
    parser.add_argument("--workers", type=int, default=1, help="ketnav serve --workers (processes; default 1)")
    parser.add_argument(
        "--mix", choices=MIXES, default="all", help="all: the whole site (default); search: trial searches only"
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    for line in machine():
        print(line)
    run = Run(clients=args.clients, seconds=args.seconds, mix=args.mix)
    if args.url:
        return 0 if measure(args.url.rstrip("/"), run, None) else 1
    with scratch_database(args.db) as db_url:
        tmp = Path(os.environ["KETNAV_DATA_DIR"])
        started = time.perf_counter()
        ketnav(db_url, "load", *(str(SHARED / "ctgov" / name) for name in RECORD_FILES))
        print(f"database: {db_url.split(':', 1)[0]}")
        print(f"load: {time.perf_counter() - started:.1f} s")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KETNAV_")}
        env |= {"KETNAV_DATA_DIR": str(tmp), "KETNAV_DATABASE_URL": db_url}
        extra = ["--threads", str(args.threads)] if args.threads else []
        extra += ["--workers", str(args.workers)] if args.workers > 1 else []
        log = tmp / "serve.log"
        with served(env, log=log, extra_args=extra) as (base_url, process):
            ok = measure(base_url, run, process)
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        if not ok and tail:
            print("server log (last lines):", *tail, sep="\n  ")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
