"""Guide pages: the topic list, each topic and the references page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ketnav.errors import NotFound
from ketnav.guide.knowledge import knowledge
from ketnav.guide.render import rendered
from ketnav.guide.selectors import references, topic_page


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
