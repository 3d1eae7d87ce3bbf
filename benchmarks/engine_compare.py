"""Our text index against tantivy as the text index, side by side on the same corpus in one run (issue 20).

    python benchmarks/engine_compare.py --corpus FILE.jsonl.gz [--pg URL] [--repeat 5]
    python benchmarks/engine_compare.py --trec [--pg URL]      # the shared records, plus TREC 2021 NDCG@10

Loads the corpus into a scratch SQLite database with the real `ketnav load` (timed: the whole pipeline,
parse + normalize + store + index + columns), then reads back the nine weighted search fields the loader
computed (documents.search_fields, as stored in the FTS5 table), so every engine indexes exactly the same
text and the comparison is about the index, not parsing. Then, each in a fresh child process holding the
same documents in memory:

- index writing only: FTS5 insert into an empty table (SQLiteBackend's own DDL and write_documents), with
  --pg the tsvector computation + insert (PostgreSQLBackend's DDL, triggers, GIN index and
  write_documents) into a scratch database, and a tantivy index (same nine fields, en_stem tokenizer,
  one writer thread, commit included): studies/s, the process's peak RSS over what the documents alone
  took, and the index's size on disk (for FTS5: a file holding only that table);
- query latency, top 10, no filters (status any), three kinds: free text (search_latency.py's TEXT, all
  words required), the guide's live-count queries (fielded: intervention:... condition:...) and described
  people (search_latency.py's PEOPLE through patient_query, any word): first each query as the first of
  a fresh process (ours after Django's set-up, like search_latency.py; tantivy's time includes opening
  the index), then warm p50/p95
  over --repeat runs after one warm-up; ours is the real engine (engine.search, as the pages and the API
  call it) with its result-page cache emptied before each timed query (its term cache, columns and
  column store kept: those are what it is built to reuse); tantivy's query gets the nine fields with
  documents.FIELDS' weights as boosts and counts every match (ours reports a total too);
- memory: the resident set of a process that has opened the index and answered every query (VmRSS,
  VmHWM, and its anonymous and file-backed parts: file-backed pages of a memory-mapped index are the
  page cache, shared between processes).

With --trec, the TREC 2021 topics rank the shared records: ours and bm25s exactly as trec.py does,
tantivy with BM25 over the same nine fields and boosts, on the same query text ours gets
(patient_query(topic).text, any word) and on the topic as given (the text bm25s gets); age and sex
filters are ours only. Prints figures; never fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import SHARED, ketnav, percentile, scratch_database, setup_django

TREC_TOPICS = SHARED / "trec-ct" / "trialgpt" / "dataset" / "trec_2021" / "queries.jsonl"
TREC_QRELS = SHARED / "trec-ct" / "trialgpt" / "dataset" / "trec_2021" / "qrels" / "test.tsv"
BATCH = 1000
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A structured term ("intervention:ketamine,esketamine" or 'condition:"social anxiety"'): our engine looks
# for it in these fields (fields.field_texts: names and other names, or conditions, plus their MeSH terms).
_FIELDED = re.compile(r'(intervention|condition):((?:"[^"]*"|[^\s,"]+)(?:,(?:"[^"]*"|[^\s,"]+))*)')
_TARGETS = {"intervention": ("interventions", "concepts"), "condition": ("conditions", "concepts")}


# --- the queries -----------------------------------------------------------------------------------


def cases() -> list[tuple[str, str, str]]:
    """(kind, query text, match) for every timed query, in a fixed order."""
    from benchmarks.search_latency import PEOPLE, TEXT
    from ketnav.guide.knowledge import live_count_queries
    from ketnav.trials.patient_query import patient_query

    out = [("free text", q, "all") for q in TEXT]
    out += [("guide live count", q, "all") for q in live_count_queries()]
    out += [("described person", patient_query(p).text, "any") for p in PEOPLE]
    return out


def tantivy_text(text: str, match: str) -> str:
    """The query in tantivy's language: the same words (every one required for match "all"), and a
    structured term as any of its values in the fields our engine looks in."""
    parts = []
    for field, values in _FIELDED.findall(text):
        alternatives = []
        for value in re.findall(r'"([^"]*)"|([^,]+)', values):
            words = _WORD.findall((value[0] or value[1]).lower())
            if words:
                phrase = " ".join(words)
                alternatives += [f'{target}:"{phrase}"' for target in _TARGETS[field]]
        if alternatives:
            parts.append("+(" + " ".join(alternatives) + ")")
    rest = _FIELDED.sub(" ", text)
    words = _WORD.findall(rest.lower())
    prefix = "+" if match == "all" else ""
    parts += [prefix + w for w in words if w not in {"and", "or", "not"}]
    return " ".join(parts)


# --- documents and the tantivy index ----------------------------------------------------------------


def sqlite_path(db_url: str) -> str:
    return db_url.removeprefix("sqlite:///")


def read_documents(db_path: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(nct_id, the nine search fields) as the loader computed and stored them."""
    from ketnav.trials.search.backends.sqlite import FTS_TABLE
    from ketnav.trials.search.documents import FIELD_NAMES

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute(f"SELECT {', '.join(FIELD_NAMES)} FROM {FTS_TABLE}")
        while batch := rows.fetchmany(5000):
            for fields in batch:
                yield fields[0], tuple(f or "" for f in fields)
    finally:
        conn.close()


def tantivy_schema() -> Any:
    import tantivy

    from ketnav.trials.search.documents import FIELD_NAMES

    builder = tantivy.SchemaBuilder()
    for name in FIELD_NAMES:
        builder.add_text_field(name, stored=name == "nct_id", tokenizer_name="en_stem")
    return builder.build()


def tantivy_parse(index: Any, text: str) -> Any:
    from ketnav.trials.search.documents import FIELD_NAMES, FIELDS

    return index.parse_query(text, list(FIELD_NAMES), {name: weight for name, weight, _c in FIELDS})


def tantivy_search(index: Any, searcher: Any, text: str, match: str, k: int = 10) -> list[str]:
    query = tantivy_parse(index, tantivy_text(text, match))
    hits = searcher.search(query, k).hits
    return [searcher.doc(address)["nct_id"][0] for _score, address in hits]


def build_tantivy(docs: list[tuple[str, tuple[str, ...]]], directory: Path) -> None:
    import tantivy

    from ketnav.trials.search.documents import FIELD_NAMES

    index = tantivy.Index(tantivy_schema(), path=str(directory))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for _nct, fields in docs:
        writer.add_document(tantivy.Document(**dict(zip(FIELD_NAMES, fields, strict=True))))
    writer.commit()
    writer.wait_merging_threads()


# --- memory ---------------------------------------------------------------------------------------


def memory() -> dict[str, float]:
    """This process's resident set in MB: now, peak, and its anonymous and file-backed parts."""
    out = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _sep, value = line.partition(":")
            if key in {"VmRSS", "VmHWM", "RssAnon", "RssFile"}:
                out[key] = int(value.split()[0]) / 1024
    return out


def du(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20 if path.is_dir() else 0.0


# --- the children: each measurement in a fresh process ----------------------------------------------


class _QmarkCursor:
    """The backends write with Django's %s placeholders; sqlite3 takes ?."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: Any = ()) -> None:
        self.cursor.execute(sql.replace("%s", "?"), params)

    def executemany(self, sql: str, rows: Any) -> None:
        self.cursor.executemany(sql.replace("%s", "?"), rows)


def child_ingest(engine: str, db_path: str, target: str) -> dict[str, float]:
    docs = list(read_documents(db_path))
    before = memory()
    started = time.perf_counter()
    if engine == "tantivy":
        build_tantivy(docs, Path(target))
        size = du(Path(target))
    elif engine == "fts5":
        from ketnav.trials.search.backends.sqlite import SQLiteBackend

        backend = SQLiteBackend()
        conn = sqlite3.connect(target, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        cursor = _QmarkCursor(conn.cursor())
        for sql in backend.create_sql():
            cursor.execute(sql)
        conn.execute("BEGIN")
        for i in range(0, len(docs), BATCH):
            backend.write_documents(cursor, docs[i : i + BATCH])
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        size = Path(target).stat().st_size / 2**20
    else:  # PostgreSQL: target is the scratch database's URL
        import psycopg

        from ketnav.trials.search.backends.postgresql import PG_TABLE, PostgreSQLBackend

        pg = PostgreSQLBackend()
        with psycopg.connect(target) as pg_conn, pg_conn.cursor() as pg_cursor:
            for sql in pg.create_sql():
                pg_cursor.execute(sql)
            pg_conn.commit()
            started = time.perf_counter()
            for i in range(0, len(docs), BATCH):
                pg.write_documents(pg_cursor, docs[i : i + BATCH])
            pg_conn.commit()
            seconds = time.perf_counter() - started
            pg_cursor.execute(f"SELECT pg_total_relation_size('{PG_TABLE}')")
            found = pg_cursor.fetchone()
            size = (found[0] if found else 0) / 2**20
        after = memory()
        return {"n": len(docs), "seconds": seconds, "size_mb": size, "extra_mb": after["VmHWM"] - before["VmRSS"]}
    seconds = time.perf_counter() - started
    after = memory()
    return {"n": len(docs), "seconds": seconds, "size_mb": size, "extra_mb": after["VmHWM"] - before["VmRSS"]}


def child_first(engine: str, where: str, i: int) -> float:
    """Milliseconds of query ``i`` as the first query of this process (index opened / Django set up first)."""
    _kind, text, match = cases()[i]
    if engine == "tantivy":
        import tantivy

        started = time.perf_counter()  # opening the index counts: it is part of a new process's first query
        index = tantivy.Index.open(where)
        tantivy_search(index, index.searcher(), text, match)
        return (time.perf_counter() - started) * 1000
    import ketnav.trials.search.engine
    import ketnav.trials.search.filters  # noqa: F401  (imports are Django set-up's, not the query's)

    started = time.perf_counter()
    our_search(text, match)
    return (time.perf_counter() - started) * 1000


def our_search(text: str, match: str, k: int = 10) -> list[str]:
    from ketnav.trials.search.engine import SearchRequest, search
    from ketnav.trials.search.filters import build_filters

    request = SearchRequest(
        text=text, filters=build_filters(status=["any"]), page_size=k, facets=False, snippets=False, match=match
    )
    return [h.nct_id for h in search(request).hits]


def child_warm(engine: str, where: str, repeat: int) -> dict[str, Any]:
    timings: dict[str, list[float]] = {}
    every = cases()
    if engine == "tantivy":
        import tantivy

        index = tantivy.Index.open(where)
        searcher = index.searcher()

        def run(text: str, match: str) -> list[str]:
            return tantivy_search(index, searcher, text, match)

    else:
        from ketnav.trials.search.state import search_index

        pages = search_index().pages

        def run(text: str, match: str) -> list[str]:
            pages.clear()  # a repeated page would be an LRU lookup, not a search
            return our_search(text, match)

    tops = []
    for kind, text, match in every:
        tops.append(run(text, match))
        for _ in range(repeat):
            started = time.perf_counter()
            run(text, match)
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    return {"timings": timings, "memory": memory(), "tops": tops}


def spawn(*args: str, db_url: str = "") -> str:
    env = dict(os.environ)
    if db_url:
        env["KETNAV_DATABASE_URL"] = db_url
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args} failed: {done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


# --- the report -----------------------------------------------------------------------------------


def show_ingest(name: str, result: dict[str, float], note: str) -> None:
    print(
        f"ingest {name}: {result['n'] / result['seconds']:,.0f} studies/s ({result['seconds']:.1f} s for "
        f"{result['n']:,.0f}), peak RSS +{result['extra_mb']:.0f} MB over the documents, "
        f"{result['size_mb']:.0f} MB on disk ({note})"
    )


def compare(db_url: str, pg_url: str, repeat: int, work: Path) -> Path:
    db_path = sqlite_path(db_url)
    tantivy_dir = work / "tantivy"
    tantivy_dir.mkdir()
    show_ingest("tantivy", json.loads(spawn("ingest", "tantivy", db_path, str(tantivy_dir))), "one writer thread")
    fts_file = work / "fts5-only.sqlite3"
    show_ingest("ours SQLite FTS5", json.loads(spawn("ingest", "fts5", db_path, str(fts_file))), "insert only")
    fts_file.unlink()
    if pg_url:
        with _scratch_pg(pg_url) as url:
            result = json.loads(spawn("ingest", "pg", db_path, url))
        show_ingest("ours PostgreSQL", result, "to_tsvector + insert + GIN + length triggers")
    every = cases()
    cold: dict[str, dict[str, list[float]]] = {"ours": {}, "tantivy": {}}
    for i, (kind, _text, _match) in enumerate(every):
        cold["tantivy"].setdefault(kind, []).append(float(spawn("first", "tantivy", str(tantivy_dir), str(i))))
        cold["ours"].setdefault(kind, []).append(float(spawn("first", "ours", db_url, str(i), db_url=db_url)))
    warm = {
        "tantivy": json.loads(spawn("warm", "tantivy", str(tantivy_dir), str(repeat))),
        "ours": json.loads(spawn("warm", "ours", db_url, str(repeat), db_url=db_url)),
    }
    ours_top, their_top = warm["ours"]["tops"], warm["tantivy"]["tops"]
    for kind in dict.fromkeys(k for k, _t, _m in every):
        pairs = [(a, b) for (k, _t, _m), a, b in zip(every, ours_top, their_top, strict=True) if k == kind]
        shared = sum(len(set(a) & set(b)) / max(1, len(a), len(b)) for a, b in pairs) / len(pairs)
        print(
            f"query {kind}: {len(pairs)} queries; top 10 in common {shared:.0%}; queries with no result: "
            f"ours {sum(not a for a, _b in pairs)}, tantivy {sum(not b for _a, b in pairs)}"
        )
        for engine in ("ours", "tantivy"):
            first = cold[engine][kind]
            timed = warm[engine]["timings"][kind]
            print(
                f"query {kind}, {engine}: first query of a fresh process p50={percentile(first, 50):.1f} ms "
                f"p95={percentile(first, 95):.1f} ms max={max(first):.1f} ms ({len(first)} processes); warm "
                f"p50={percentile(timed, 50):.2f} ms p95={percentile(timed, 95):.2f} ms ({len(timed)} runs)"
            )
    for engine in ("ours", "tantivy"):
        m = warm[engine]["memory"]
        print(
            f"memory {engine} after every query: RSS {m['VmRSS']:.0f} MB (peak {m['VmHWM']:.0f} MB; anonymous "
            f"{m['RssAnon']:.0f} MB, file-backed {m['RssFile']:.0f} MB)"
        )
    data_dir = Path(os.environ["KETNAV_DATA_DIR"])
    print(
        f"on disk: tantivy index {du(tantivy_dir):.0f} MB; our SQLite database "
        f"{Path(db_path).stat().st_size / 2**20:.0f} MB (all tables), "
        f"column store {du(data_dir / 'search-columns'):.0f} MB"
    )
    return tantivy_dir


class _scratch_pg:
    def __init__(self, url: str) -> None:
        self.url = url
        self.name = f"ketnav_engine_{os.getpid()}"
        self.admin = url.rsplit("/", 1)[0] + "/postgres"

    def __enter__(self) -> str:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self.url.rsplit("/", 1)[0] + "/" + self.name

    def __exit__(self, *exc: object) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def our_search_only(topics: dict[str, str], top: int = 100) -> dict[str, list[str]]:
    """Our search's own order for each topic (trec.py's query and filters, without the pre-screen re-rank)."""
    from ketnav.trials.patient_query import patient_query
    from ketnav.trials.search.engine import SearchRequest, search
    from ketnav.trials.search.filters import build_filters

    out = {}
    for tid, text in topics.items():
        pq = patient_query(text)
        filters = build_filters(status=["any"], age=pq.age, sex=pq.sex or None)
        request = SearchRequest(text=pq.text, filters=filters, page_size=top, facets=False, snippets=False, match="any")
        out[tid] = [h.nct_id for h in search(request).hits]
    return out


def trec(db_url: str, tantivy_dir: Path) -> None:
    """NDCG@10 on TREC 2021 over the loaded studies: ours and bm25s as trec.py ranks them, and tantivy."""
    import tantivy

    from benchmarks.trec import (
        _match_topic_ids,
        bm25s_ranking,
        evaluate,
        our_ranking,
        read_qrels,
        read_topics,
    )
    from ketnav.trials.models import Study
    from ketnav.trials.patient_query import patient_query

    topics = read_topics(TREC_TOPICS)
    present = set(Study.objects.values_list("nct_id", flat=True))
    qrels = {q: {d: g for d, g in j.items() if d in present} for q, j in read_qrels(TREC_QRELS).items()}
    qrels = {q: j for q, j in qrels.items() if any(g > 0 for g in j.values())}
    mapping = _match_topic_ids(topics, qrels)
    wanted = {t: topics[t] for t in set(mapping.values())}
    print(f"TREC 2021: {len(mapping)} topics with judged studies among the {len(present):,} loaded")
    index = tantivy.Index.open(str(tantivy_dir))
    searcher = index.searcher()
    ranked, _screened, _every = our_ranking(wanted, 100)
    evaluate("trec ours (search + pre-screen re-rank, trec.py)", ranked, qrels, mapping)
    evaluate("trec ours (search only, no re-rank)", our_search_only(wanted), qrels, mapping)
    evaluate("trec bm25s (topic as given, all fields as one text)", bm25s_ranking(wanted, 100), qrels, mapping)
    ours_text = {t: tantivy_search(index, searcher, patient_query(x).text, "any", 100) for t, x in wanted.items()}
    evaluate("trec tantivy (our query text, nine fields boosted)", ours_text, qrels, mapping)
    given = {t: tantivy_search(index, searcher, x, "any", 100) for t, x in wanted.items()}
    evaluate("trec tantivy (topic as given, nine fields boosted)", given, qrels, mapping)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=None, help="a corpus made by make_corpus.py")
    parser.add_argument("--trec", action="store_true", help="the shared records, and TREC 2021 NDCG@10")
    parser.add_argument("--pg", default="", help="also time PostgreSQL's index writing (a scratch database)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", nargs="+", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, engine, where, extra = args.child
        if engine == "ours":
            setup_django(where)
        if step == "ingest":
            print(json.dumps(child_ingest(engine, where, extra)))
        elif step == "first":
            print(f"{child_first(engine, where, int(extra)):.3f}")
        else:
            print(json.dumps(child_warm(engine, where, int(extra))))
        return 0
    if not args.corpus and not args.trec:
        parser.error("give --corpus FILE or --trec")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    import tantivy

    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{getattr(tantivy, '__version__', 'tantivy')}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with scratch_database() as db_url, tempfile.TemporaryDirectory(prefix="ketnav-engine-") as tmp:
        if args.trec:
            from benchmarks.trec import SHARED_FILES

            sources = [str(SHARED / "ctgov" / f) for f in SHARED_FILES]
        else:
            sources = [str(args.corpus)]
        started = time.perf_counter()
        ketnav(db_url, "load", *sources)
        seconds = time.perf_counter() - started
        n = sum(1 for _ in read_documents(sqlite_path(db_url)))
        print(
            f"ingest ours, ketnav load as is (SQLite; parse, normalize, store, index, columns): "
            f"{n / seconds:,.0f} studies/s ({seconds:.0f} s for {n:,})"
        )
        setup_django(db_url)
        tantivy_dir = compare(db_url, args.pg, args.repeat, Path(tmp))
        if args.trec:
            trec(db_url, tantivy_dir)
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        shutil.rmtree(tantivy_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
