"""Searching the guide's sections with the text tools the trial finder uses (``ketnav.text``).

Pure. The query goes through the same safe parser and the same synonym expansion as a trial search,
and matches use the same stems and snippets, so "anxiety" finds a section about "GAD" and a hostile
query cannot break anything. The guide is a few dozen sections, so the BM25 index lives in memory
rather than in the database; section titles weigh three times body text, as in trials.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from ketnav.guide.knowledge import knowledge
from ketnav.guide.render import rendered
from ketnav.text.query import Term, parse_query, tokens
from ketnav.text.snippets import Segment, best_snippet, query_stems, stem
from ketnav.text.synonyms import build_table, expand

TITLE_WEIGHT = 3.0
TOPIC_WEIGHT = 0.5
K1, B = 1.2, 0.75


@dataclass(frozen=True)
class Document:
    topic_slug: str
    topic_title: str
    section_id: str
    section_title: str
    text: str


@dataclass(frozen=True)
class GuideHit:
    document: Document
    score: float
    snippet: list[Segment]


class GuideIndex:
    def __init__(self, documents: Sequence[Document]) -> None:
        self.documents = list(documents)
        self.bags = [self._bag(d) for d in self.documents]
        self.lengths = [sum(b.values()) for b in self.bags]
        self.average = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        self.df: Counter[str] = Counter(s for bag in self.bags for s in bag)

    @staticmethod
    def _bag(doc: Document) -> dict[str, float]:
        bag: dict[str, float] = {}
        for tok in tokens(doc.text):
            bag[stem(tok)] = bag.get(stem(tok), 0.0) + 1.0
        for tok in tokens(doc.section_title):
            bag[stem(tok)] = bag.get(stem(tok), 0.0) + TITLE_WEIGHT
        for tok in tokens(doc.topic_title):  # shared by every section of the topic, so it weighs little
            bag[stem(tok)] = bag.get(stem(tok), 0.0) + TOPIC_WEIGHT
        return bag

    def _idf(self, s: str) -> float:
        n, df = len(self.documents), self.df.get(s, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _term_score(self, term: Term, i: int) -> float:
        bag, length = self.bags[i], self.lengths[i]
        total = 0.0
        for tok in term.tokens:
            s = stem(tok)
            keys = [k for k in bag if k.startswith(s)] if term.prefix else [s]
            tf = sum(bag.get(k, 0.0) for k in keys)
            if not tf:
                return 0.0  # every word of a phrase must be there
            total += self._idf(s) * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self.average))
        return total

    def search(
        self, raw: str, *, synonyms: Mapping[tuple[str, ...], tuple[tuple[str, ...], ...]] | None = None, limit: int = 5
    ) -> list[GuideHit]:
        parsed = parse_query(raw)
        if parsed.is_empty:
            return []
        groups = expand(parsed.terms, synonyms if synonyms is not None else build_table())
        scored = []
        for i, doc in enumerate(self.documents):
            # A synonym counts half as much as the word the person typed.
            per_group = [
                max(self._term_score(t, i) * (1.0 if j == 0 else 0.5) for j, t in enumerate(g)) for g in groups
            ]
            matched = sum(1 for s in per_group if s > 0)
            if matched:
                # A gentle bonus for matching more of the words; a rare word (PTSD) still beats a
                # word every section shares (ketamine), which a strict "all words first" would not.
                scored.append((sum(per_group) * (0.5 + 0.5 * matched / len(groups)), doc))
        scored.sort(key=lambda x: (-x[0], x[1].topic_slug, x[1].section_id))
        stems = query_stems(groups)
        return [GuideHit(doc, round(score, 4), best_snippet([doc.text], stems)) for score, doc in scored[:limit]]


# Markdown list markers at the start of a line ("- Ketamine (sold as ...") would show in snippets.
_LIST_MARKER = re.compile(r"(?m)^[ \t]*(?:[-*+]|\d+[.)])[ \t]+")


@cache
def guide_index() -> GuideIndex:
    """Every section of every topic (plus each topic's summary and introduction as "Overview")."""
    docs = []
    for topic in knowledge().topics:
        page = rendered(topic.slug)
        assert page is not None
        docs.append(Document(topic.slug, topic.title, "", "Overview", topic.summary + " " + page.intro_text))
        docs += [Document(topic.slug, topic.title, s.id, s.title, _LIST_MARKER.sub("", s.text)) for s in page.sections]
    return GuideIndex(docs)
