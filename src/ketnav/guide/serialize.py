"""The guide as JSON-ready dicts, shared by the API and ``ketnav guide --json``."""

from __future__ import annotations

from typing import Any

from ketnav.citations.bibliography import reference_dict
from ketnav.guide.knowledge import Fact, Topic
from ketnav.guide.registry import RegistryCount
from ketnav.guide.render import RenderedTopic


def fact_dict(fact: Fact) -> dict[str, Any]:
    value: Any = list(fact.value) if isinstance(fact.value, tuple) else fact.value
    return {
        "id": fact.id,
        "claim": fact.claim,
        "value": value,
        "unit": fact.unit,
        "display": fact.display,
        "population": fact.population,
        "n": fact.n,
        "study": fact.study,
        "citations": list(fact.citations),
        "confidence": fact.confidence,
        "uncertainty": fact.uncertainty,
    }


def topic_summary(topic: Topic, page: RenderedTopic) -> dict[str, Any]:
    return {
        "slug": topic.slug,
        "order": topic.order,
        "title": topic.title,
        "summary": topic.summary,
        "last_reviewed": topic.last_reviewed.isoformat(),
        "reading_grade": round(page.readability.grade, 1),
        "url": f"/guide/{topic.slug}/",
    }


def count_dict(count: RegistryCount) -> dict[str, Any]:
    return {
        "key": count.topic.key,
        "label": count.topic.label,
        "query": count.topic.query,
        "open_studies": count.open_studies,
        "search_url": count.search_url,
    }


def topic_dict(page: RenderedTopic, counts: list[RegistryCount]) -> dict[str, Any]:
    return {
        **topic_summary(page.topic, page),
        "intro": {"html": page.intro_html, "text": page.intro_text},
        "sections": [{"id": s.id, "title": s.title, "html": s.html, "text": s.text} for s in page.sections],
        "facts": [fact_dict(f) for f in page.facts],
        "references": [reference_dict(r) for r in page.references],
        "registry": [count_dict(c) for c in counts],
        "readability": {
            "flesch_kincaid_grade": round(page.readability.grade, 1),
            "flesch_reading_ease": round(page.readability.reading_ease, 1),
            "words": page.readability.words,
            "sentences": page.readability.sentences,
        },
    }
