"""How fast `ketnav load` stores studies, and how much memory it needs.

    python benchmarks/ingest.py [--studies 100000] [--db URL [--in-place]] [--workers N] [--corpus FILE]

Generates the corpus with make_corpus.py (unless --corpus is given), then runs the real command
(`ketnav load CORPUS --json`) in a subprocess against a fresh database: a temporary SQLite file, or a
scratch database created next to the PostgreSQL URL given with --db (dropped afterwards), or with
--in-place that database itself, emptied first (where one may not create databases). While it runs,
the resident memory of the loader and its worker processes is sampled every 0.1 s. It also times the
floor: parsing the same lines with the same JSON library (orjson) and nothing else. Prints figures;
never fails on time.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
from isal import igzip

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.make_corpus import write as write_corpus

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu(database: str, seen: dict[int, float]) -> None:
    """Record the CPU seconds so far of each PostgreSQL backend serving ``database`` (by process title),
    so a busy machine's figures can be compared by CPU used rather than by wall time alone."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                title = handle.read().decode(errors="replace")
            if not title.startswith("postgres: ") or f" {database} " not in title:
                continue
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            seen[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, IndexError, ValueError):
            continue


def tree_rss(root: int) -> tuple[int, int]:
    """(largest single process, sum over the process tree) resident set size in bytes."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    sizes = [rss.get(p, 0) for p in tree]
    return max(sizes, default=0), sum(sizes)


def parse_floor(corpus: Path) -> tuple[int, float]:
    opener = igzip.open if corpus.name.endswith(".gz") else open  # the loader's own reader
    start = time.perf_counter()
    n = 0
    with opener(corpus, "rb") as handle:
        for line in handle:
            orjson.loads(line)
            n += 1
    return n, time.perf_counter() - start


def scratch_pg(url: str) -> tuple[str, str]:
    import psycopg

    name = f"ketnav_bench_{os.getpid()}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name, admin


def empty_pg(url: str) -> None:
    """Drop everything in the database's public schema (--in-place): a fresh database without CREATE DATABASE."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def drop_pg(admin: str, url: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def run_load(
    corpus: Path, db_url: str, data_dir: str, workers: int | None
) -> tuple[float, int, int, bytes, float, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETNAV_")}
    env.update(KETNAV_DATA_DIR=data_dir, KETNAV_DATABASE_URL=db_url)
    # Create the tables first so that the timed run measures loading only.
    subprocess.run([sys.executable, "-m", "ketnav", "migrate"], env=env, check=True, capture_output=True)
    cmd = [sys.executable, "-m", "ketnav", "load", str(corpus), "--json"]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    database = db_url.rsplit("/", 1)[1] if db_url.startswith("postgres") else ""
    backends: dict[int, float] = {}
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak_single = peak_sum = 0
    while proc.poll() is None:
        single, total = tree_rss(proc.pid)
        peak_single, peak_sum = max(peak_single, single), max(peak_sum, total)
        if database:
            backend_cpu(database, backends)
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"ketnav load failed: {err.decode()[-2000:]}")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    loader_cpu = (children.ru_utime + children.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
    return elapsed, peak_single, peak_sum, out, loader_cpu, sum(backends.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--db", default="", help="PostgreSQL URL (a scratch database is made beside it)")
    parser.add_argument("--in-place", action="store_true", help="load into --db itself, emptied first")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--corpus", type=Path, default=None, help="reuse a corpus made by make_corpus.py")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ketnav-bench-") as tmp:
        corpus = args.corpus or Path(tmp) / "corpus.jsonl"
        if args.corpus is None:
            write_corpus(args.studies, corpus)
        n, floor_s = parse_floor(corpus)
        if args.db and args.in_place:
            empty_pg(args.db)
            db_url, admin = args.db, ""
        elif args.db:
            db_url, admin = scratch_pg(args.db)
        else:
            db_url, admin = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", ""
        try:
            elapsed, peak_single, peak_sum, out, loader_cpu, backend_cpu_s = run_load(corpus, db_url, tmp, args.workers)
        finally:
            if admin:
                drop_pg(admin, db_url)
        summary = orjson.loads(out)
        vendor = "postgresql" if args.db else "sqlite"
        print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, database {vendor}")
        print(f"input: {n:,} studies, {corpus.stat().st_size / 1e6:,.0f} MB ({corpus.name})")
        print(f"stored: inserted {summary['inserted']:,}, rejected {summary['rejected']:,}")
        print(f"load_time: {elapsed:.1f} s")
        print(f"load_rate: {n / elapsed:,.0f} studies/s")
        print(f"parse_floor_rate: {n / floor_s:,.0f} studies/s (orjson.loads of every line, one core)")
        print(f"ratio_to_floor: {elapsed / floor_s:.1f}x the parse-only time")
        print(f"loader_cpu: {loader_cpu:.1f} s ({loader_cpu / n * 1000:.2f} ms a study; ketnav load and its workers)")
        if args.db:
            # Sampled every 0.1 s: a backend's last 0.1 s before it exits may be missed.
            print(f"database_cpu: {backend_cpu_s:.1f} s ({backend_cpu_s / n * 1000:.2f} ms a study; its backends)")
        print(f"peak_rss_largest_process: {peak_single / 2**20:,.0f} MiB")
        print(f"peak_rss_all_processes: {peak_sum / 2**20:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
