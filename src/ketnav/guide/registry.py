"""Live counts of open studies for the guide's registry topics ("N open studies of ketamine for PTSD")."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from ketnav.guide.knowledge import RegistryTopic
from ketnav.trials.models import Study
from ketnav.trials.search.engine import Hit, SearchRequest, search


@dataclass(frozen=True)
class RegistryCount:
    topic: RegistryTopic
    open_studies: int | None  # None: the local registry is empty
    search_url: str
    top: list[Hit] = field(default_factory=list)


def search_url(query: str) -> str:
    return "/trials/?" + urlencode({"q": query, "status": "open"})


def registry_counts(topics: list[RegistryTopic], *, top: int = 0) -> list[RegistryCount]:
    """One count per topic, computed now from the loaded registry (open to enrolment only)."""
    if not Study.objects.exists():
        return [RegistryCount(t, None, search_url(t.query)) for t in topics]
    out = []
    for t in topics:
        results = search(SearchRequest(text=t.query, page_size=max(top, 1), facets=False, snippets=False))
        out.append(RegistryCount(t, results.total, search_url(t.query), results.hits[:top]))
    return out
