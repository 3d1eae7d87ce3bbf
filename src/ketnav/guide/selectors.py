"""Reads for the guide's pages, API and CLI: rendered topics with live registry counts filled in."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from ketnav.citations.bibliography import Reference, bibliography
from ketnav.errors import NotFound
from ketnav.guide.knowledge import Topic, knowledge
from ketnav.guide.registry import RegistryCount, registry_counts
from ketnav.guide.render import SLOT_RE, RenderedTopic, guide_citations, rendered
from ketnav.guide.search import GuideHit, guide_index


@dataclass(frozen=True)
class TopicPage:
    rendered: RenderedTopic
    intro_html: SafeString
    sections_html: list[tuple[str, str, SafeString]]  # (id, title, html)
    counts: list[RegistryCount]
    previous: Topic | None
    next: Topic | None


def topic_or_404(slug: str) -> RenderedTopic:
    result = rendered(slug)
    if result is None:
        slugs = ", ".join(t.slug for t in knowledge().topics)
        raise NotFound(f"No guide topic {slug!r}; the topics are {slugs}")
    return result


def topic_page(slug: str) -> TopicPage:
    page = topic_or_404(slug)
    kb = knowledge()
    counts = registry_counts([kb.registry[k] for k in page.registry_keys], top=3 if slug == "applications" else 0)
    by_key = {c.topic.key: c for c in counts}

    def fill(html: str) -> SafeString:
        return mark_safe(
            SLOT_RE.sub(lambda m: render_to_string("guide/registry_box.html", {"count": by_key[m.group(1)]}), html)
        )

    previous, following = kb.neighbours(slug)
    return TopicPage(
        rendered=page,
        intro_html=fill(page.intro_html),
        sections_html=[(s.id, s.title, fill(s.html)) for s in page.sections],
        counts=counts,
        previous=previous,
        next=following,
    )


@dataclass(frozen=True)
class ReferenceUse:
    reference: Reference
    topics: list[Topic]
    elsewhere: bool


def references() -> list[ReferenceUse]:
    """Every bibliography entry, with the guide topics that cite it."""
    kb = knowledge()
    shown = guide_citations()
    by_topic = {t.slug: {r.id for r in topic_or_404(t.slug).references} for t in kb.topics}
    out = []
    for ref in sorted(bibliography().values(), key=lambda r: (r.authors.casefold(), r.year)):
        topics = [t for t in kb.topics if ref.id in by_topic[t.slug]]
        out.append(ReferenceUse(ref, topics, elsewhere=ref.id not in shown))
    return out


def search_guide(query: str, *, limit: int = 5) -> list[GuideHit]:
    from ketnav.trials.search.engine import synonym_table

    return guide_index().search(query, synonyms=synonym_table(), limit=limit)
