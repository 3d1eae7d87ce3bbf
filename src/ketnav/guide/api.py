"""JSON API for the guide: GET /api/guide and GET /api/guide/{slug}."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from ketnav.guide.knowledge import knowledge
from ketnav.guide.render import rendered
from ketnav.guide.selectors import topic_or_404, topic_page
from ketnav.guide.serialize import topic_dict, topic_summary
from ketnav.web.api import ErrorOut

router = Router(tags=["guide"])


@router.get("", response=list[dict[str, Any]], summary="The six guide topics, in reading order")
def list_topics(request: HttpRequest) -> list[dict[str, Any]]:
    return [topic_summary(t, topic_or_404(t.slug)) for t in knowledge().topics if rendered(t.slug)]


@router.get("/{slug}", response={200: dict[str, Any], 404: ErrorOut}, summary="One topic: sections, facts, references")
def get_topic(request: HttpRequest, slug: str) -> dict[str, Any]:
    page = topic_page(slug)
    return topic_dict(page.rendered, page.counts)
