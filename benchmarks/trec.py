"""Ranking quality on TREC-style patient topics: our search against a bm25s baseline.

    python benchmarks/trec.py --topics FILE --qrels FILE [--db URL] [--top 100]

Topics: JSON Lines with {"_id", "text"} (TrialGPT's copies of TREC 2021 and SIGIR) or TREC topic XML
(<topic number="..">, free text or <field> elements, as in 2021-2023; a questionnaire topic's template
and every field are read, see questionnaire_text). Qrels: "query-id corpus-id score"
(TSV with a header) or the standard four columns "qid 0 docid rel".

Without --db, the studies in ../shared/data/ctgov/ (API v2, legacy XML and the minimal records rebuilt
from stories) are loaded into a scratch database for this run only; with --db, the registry already in
that database is ranked. Judgments are restricted to studies present in the database. Each topic becomes
a query with ketnav.trials.patient_query (key terms, negations dropped, age and sex as filters); the
baseline ranks the same documents (all indexed fields as one text) with bm25s on the topic text as given.
Nothing is fitted to the qrels: field weights come from ClinicalTrials.gov's own search weights and the
word lists from general clinical phrasing, fixed before this script was first run.

Prints one line per system: SYSTEM ndcg@10=0.1234 p@10=0.1234 recall@100=0.1234 (relevant = eligible,
score 2, for P@10 and recall; NDCG uses the graded scores 0/1/2). Our ranking pre-screens each of the top
results for the topic's person (ketnav.trials.eligibility, rules written from the wording of criteria and
clinical knowledge, never from qrels) and orders them by fit as the "describe yourself" search does
(ketnav.trials.match.rank_by_fit). Then `eligibility auroc=0.1234`: among the judged studies the system
assessed (retrieved in the top results, with criteria items in the record: a record with only age and sex
limits gives the pre-screen nothing the search's filters did not already use), the chance that an
eligible (2) study's pre-screen score is above an excluded (1) one's, over every such pair within a
topic (ties half; 0.5 = no better than chance). Both figures are on stderr with their numbers of pairs.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import SHARED, document_texts, ketnav, scratch_database, setup_django

SHARED_FILES = ("ctgov_v2_studies.jsonl.gz", "ctgov_legacy_xml.jsonl.gz", "ctgov_v2_minimal_from_stories.jsonl.gz")


def read_topics(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in {".jsonl", ".json"} or text.lstrip().startswith("{"):
        out = {}
        for line in text.splitlines():
            if line.strip():
                obj = json.loads(line)
                out[str(obj.get("_id") or obj.get("id"))] = str(obj.get("text") or obj.get("description") or "")
        return out
    import xml.etree.ElementTree as ET

    root = ET.fromstring(text)
    out = {}
    for topic in root.iter("topic"):
        number = topic.get("number") or topic.findtext("number") or ""
        fields = [(f.get("name", ""), f.text or "") for f in topic.iter("field")]
        body = questionnaire_text(topic.get("template", ""), fields) if fields else " ".join(topic.itertext())
        out[number.strip()] = " ".join(body.split())
    return out


_YES = frozenset({"yes", "y", "true", "positive", "present"})
_NO = frozenset({"no", "n", "false", "negative", "none", "absent", "never"})  # "stroke history: never"


def questionnaire_text(template: str, fields: list[tuple[str, str]]) -> str:
    """A questionnaire-form topic (TREC 2023: a template naming the condition, fields holding answers) in
    the words a person would write, the same way the trials page's questionnaire is read: the condition
    first, "yes" answers as history ("history of suicidal ideation"), "no" (or "never") answers negated
    ("no dementia", left out of the search and read as absent by the pre-screen), numbers after their names
    ("HAM-A 20"), empty fields left out. A confirmed diagnosis reads "diagnosed with anxiety" and a bare age
    "39 years old", as a person writes them: the form's own labels ("definitive", "age") are no words of the
    person's condition, and would be searched for as if they were."""
    parts = [template] if template else []
    for name, raw in fields:
        value = " ".join(raw.split())
        low = value.lower()
        if not value:
            continue
        if name.lower() == "definitive diagnosis":
            if low in _YES:
                parts.append(f"diagnosed with {template}")
            elif low not in _NO:
                parts.append(value)
        elif low in _YES:
            parts.append(f"history of {name}")
        elif low in _NO:
            parts.append(f"no {name}")
        elif name.lower() == "age":
            parts.append(value if re.search(r"[a-z]", low) else f"{value} years old")
        else:
            parts.append(f"{name} {value}")
    return ". ".join(parts)


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].lstrip("-").isdigit():
            qid, doc, rel = parts
        elif len(parts) == 4 and parts[3].lstrip("-").isdigit():
            qid, _zero, doc, rel = parts
        else:
            continue  # header
        qrels[qid][doc] = int(rel)
    return qrels


def _match_topic_ids(topics: dict[str, str], qrels: dict[str, dict[str, int]]) -> dict[str, str]:
    """Map qrel ids to topic ids when they differ only by a prefix ("trec-20211" vs "1")."""
    mapping = {}
    for qid in qrels:
        if qid in topics:
            mapping[qid] = qid
            continue
        digits = re.sub(r"^\D*(20\d\d)?", "", qid)
        if digits in topics:
            mapping[qid] = digits
    return mapping


def ndcg_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** judged.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def precision_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    return sum(1 for d in ranked[:k] if judged.get(d, 0) >= 2) / k


def recall_at(ranked: list[str], judged: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, g in judged.items() if g >= 2}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


Scores = dict[str, dict[str, float]]


def our_ranking(topics: dict[str, str], top: int) -> tuple[dict[str, list[str]], Scores, Scores]:
    """Our search for each topic, re-ranked by fit with the pre-screen (ketnav.trials.match.rank_by_fit: likely
    excluded last, likely eligible x1.25); and the pre-screen score of each study whose record has criteria
    items to assess (many shared records carry only age and sex limits, which the search already filters on),
    then of every retrieved study."""
    from ketnav.trials.eligibility import CriteriaCache, build_profile, prescreen
    from ketnav.trials.match import prescreen_score, rank_by_fit
    from ketnav.trials.patient_query import patient_query
    from ketnav.trials.search.engine import Hit, SearchRequest, search
    from ketnav.trials.search.filters import build_filters
    from ketnav.trials.selectors import parsed_criteria

    cache = CriteriaCache(max_studies=50_000)
    out: dict[str, list[str]] = {}
    scores: Scores = {}
    every: Scores = {}
    for tid, text in topics.items():
        pq = patient_query(text)
        filters = build_filters(status=["any"], age=pq.age, sex=pq.sex or None)
        hits: list[Hit] = []
        page = 1
        while len(hits) < top:
            results = search(
                SearchRequest(
                    text=pq.text, filters=filters, page=page, page_size=100, facets=False, snippets=False, match="any"
                )
            )
            hits += results.hits
            if len(results.hits) < 100:
                break
            page += 1
        hits = hits[:top]
        profile = build_profile(text)
        parsed = parsed_criteria([h.nct_id for h in hits], cache)
        screened = [(h, prescreen(parsed[h.nct_id], profile) if h.nct_id in parsed else None) for h in hits]
        out[tid] = [m.hit.nct_id for m in rank_by_fit(screened)]
        every[tid] = {h.nct_id: prescreen_score(p) for h, p in screened if p is not None}
        scores[tid] = {n: v for n, v in every[tid].items() if parsed[n].criteria}
    return out, scores, every


def eligibility_auroc(
    scores: dict[str, dict[str, float]], qrels: dict[str, dict[str, int]], mapping: dict[str, str]
) -> tuple[float, int]:
    """How often an eligible (2) study's pre-screen score beats an excluded (1) one's, over every such pair
    within a topic among the judged studies the system assessed (ties count half); and the number of pairs."""
    wins = 0.0
    pairs = 0
    for qid, tid in mapping.items():
        assessed = scores.get(tid, {})
        eligible = [assessed[d] for d, g in qrels[qid].items() if g == 2 and d in assessed]
        excluded = [assessed[d] for d, g in qrels[qid].items() if g == 1 and d in assessed]
        for e in eligible:
            for x in excluded:
                pairs += 1
                wins += 1.0 if e > x else 0.5 if e == x else 0.0
    return (wins / pairs if pairs else 0.5), pairs


def bm25s_ranking(topics: dict[str, str], top: int) -> dict[str, list[str]]:
    import bm25s

    ids, texts = [], []
    for nct, text in document_texts():
        ids.append(nct)
        texts.append(text)
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    out = {}
    for tid, text in topics.items():
        docs, _scores = retriever.retrieve(
            bm25s.tokenize([text], stopwords="en", show_progress=False), k=min(top, len(ids)), show_progress=False
        )
        out[tid] = [ids[i] for i in docs[0]]
    return out


def evaluate(name: str, runs: dict[str, list[str]], qrels: dict[str, dict[str, int]], mapping: dict[str, str]) -> None:
    scores: dict[str, list[float]] = defaultdict(list)
    for qid, tid in mapping.items():
        ranked = runs.get(tid, [])
        scores["ndcg"].append(ndcg_at(ranked, qrels[qid]))
        scores["p"].append(precision_at(ranked, qrels[qid]))
        scores["r"].append(recall_at(ranked, qrels[qid]))
    n = max(1, len(scores["ndcg"]))
    print(
        f"{name} ndcg@10={sum(scores['ndcg']) / n:.4f} p@10={sum(scores['p']) / n:.4f} "
        f"recall@100={sum(scores['r']) / n:.4f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topics", type=Path, required=True)
    parser.add_argument("--qrels", type=Path, required=True)
    parser.add_argument("--db", default="", help="rank the registry in this database instead of a scratch one")
    parser.add_argument("--top", type=int, default=100)
    args = parser.parse_args()
    topics = read_topics(args.topics)
    all_qrels = read_qrels(args.qrels)
    with scratch_database() if not args.db else _given(args.db) as db_url:
        if not args.db:
            started = time.perf_counter()
            ketnav(db_url, "load", *[str(SHARED / "ctgov" / f) for f in SHARED_FILES])
            print(
                f"# loaded the shared studies into a scratch database in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
        setup_django(db_url)
        from ketnav.trials.models import Study

        present = set(Study.objects.values_list("nct_id", flat=True))
        qrels = {q: {d: g for d, g in judged.items() if d in present} for q, judged in all_qrels.items()}
        qrels = {q: j for q, j in qrels.items() if any(g > 0 for g in j.values())}
        mapping = _match_topic_ids(topics, qrels)
        judged = sum(len(j) for q, j in qrels.items() if q in mapping)
        print(
            f"# {len(mapping)} topics with judged studies in the database; {judged:,} judgments; "
            f"{len(present):,} studies",
            file=sys.stderr,
        )
        wanted = {t: topics[t] for t in set(mapping.values())}
        ranked, screened, every = our_ranking(wanted, args.top)
        evaluate("ours", ranked, qrels, mapping)
        evaluate("bm25s", bm25s_ranking(wanted, args.top), qrels, mapping)
        auroc, pairs = eligibility_auroc(screened, qrels, mapping)
        all_auroc, all_pairs = eligibility_auroc(every, qrels, mapping)
        print(
            f"# eligibility AUROC over {pairs:,} (eligible, excluded) pairs within topics of studies with criteria "
            f"items; {all_auroc:.4f} over all {all_pairs:,} pairs of retrieved studies (criteria-less ones tie)",
            file=sys.stderr,
        )
        print(f"eligibility auroc={auroc:.4f}")
    return 0


class _given:
    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> str:
        return self.url

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    raise SystemExit(main())
