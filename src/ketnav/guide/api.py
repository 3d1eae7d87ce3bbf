"""JSON API for the guide: GET /api/guide and GET /api/guide/{slug}."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from ketnav.citations.schemas import ReferenceOut
from ketnav.guide.knowledge import knowledge
from ketnav.guide.render import rendered
from ketnav.guide.selectors import topic_or_404, topic_page
from ketnav.guide.serialize import topic_dict, topic_summary
from ketnav.schemas import ErrorOut

router = Router(tags=["guide"])


class TopicSummaryOut(Schema):
    slug: str
    order: int
    title: str
    summary: str
    last_reviewed: str = Field(description="ISO date of the last review")
    reading_grade: float = Field(description="Flesch-Kincaid grade level of the topic's text")
    url: str


class TextOut(Schema):
    html: str
    text: str


class SectionOut(Schema):
    id: str
    title: str
    html: str
    text: str


class FactOut(Schema):
    id: str
    claim: str
    value: float | list[float] = Field(description="A number, or [low, high] for a range")
    unit: str
    display: str = Field(description='The value as a reader sees it: "67%", "8–12 weeks"')
    population: str
    n: int | None
    study: str
    citations: list[str]
    confidence: Literal["A", "B", "C"]
    uncertainty: str


class RegistryCountOut(Schema):
    key: str
    label: str
    query: str
    open_studies: int | None = Field(description="Open studies in the local registry; null when it is empty")
    search_url: str


class ReadabilityOut(Schema):
    flesch_kincaid_grade: float
    flesch_reading_ease: float
    words: int
    sentences: int


class TopicOut(TopicSummaryOut):
    intro: TextOut
    sections: list[SectionOut]
    facts: list[FactOut]
    references: list[ReferenceOut]
    registry: list[RegistryCountOut]
    readability: ReadabilityOut


class TopicPath(Schema):
    slug: str = Field(max_length=64, pattern=r"^[a-z0-9-]+$", description="A topic's slug, as listed by GET /api/guide")


@router.get("", response=list[TopicSummaryOut], summary="The six guide topics, in reading order")
def list_topics(request: HttpRequest) -> list[dict[str, Any]]:
    return [topic_summary(t, topic_or_404(t.slug)) for t in knowledge().topics if rendered(t.slug)]


@router.get(
    "/{slug}", response={200: TopicOut, 404: ErrorOut, 422: ErrorOut}, summary="One topic: sections, facts, references"
)
def get_topic(request: HttpRequest, path: Path[TopicPath]) -> dict[str, Any]:
    page = topic_page(path.slug)
    return topic_dict(page.rendered, page.counts)
