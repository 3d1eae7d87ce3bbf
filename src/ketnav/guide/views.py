"""Guide pages: the topic list, each topic, the references page, and the site-wide search."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ketnav.errors import InvalidInput, NotFound
from ketnav.guide.knowledge import knowledge
from ketnav.guide.render import rendered
from ketnav.guide.selectors import references, search_guide, topic_page
from ketnav.trials.models import Study
from ketnav.trials.search.engine import SearchRequest, search


def index(request: HttpRequest) -> HttpResponse:
    topics = [(t, rendered(t.slug)) for t in knowledge().topics]
    return render(request, "guide/index.html", {"title": "Guide: understanding ketamine for anxiety", "topics": topics})


def topic(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        page = topic_page(slug)
    except NotFound as exc:
        raise Http404(exc.message) from None
    context = {"title": page.rendered.topic.title, "page": page, "topics": knowledge().topics}
    return render(request, "guide/topic.html", context)


def references_page(request: HttpRequest) -> HttpResponse:
    return render(request, "guide/references.html", {"title": "References", "references": references()})


def site_search(request: HttpRequest) -> HttpResponse:
    """One search box for the whole site: guide sections first, then open trials."""
    q = request.GET.get("q", "")
    context: dict[str, object] = {"title": "Search", "q": q, "registry_size": Study.objects.count()}
    if q.strip():
        context["guide_hits"] = search_guide(q)
        if context["registry_size"]:
            try:
                context["trials"] = search(SearchRequest(text=q, page_size=10, facets=False))
            except InvalidInput as exc:
                context["trials_error"] = exc.message
    return render(request, "guide/search.html", context)
