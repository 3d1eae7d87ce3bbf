"""Response schemas that several API routers share: the single error shape and a cited reference.

Kept apart from ``ketnav.web.api`` (which registers every router when imported), so that a router
module can import them in any order without a circular import.
"""

from __future__ import annotations

from ninja import Field, Schema


class ErrorDetailOut(Schema):
    location: str
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    details: list[ErrorDetailOut] = Field(default_factory=list)


class ErrorOut(Schema):
    error: ErrorBody


class ReferenceOut(Schema):
    """One cited source, as every endpoint that shows sources gives it (ketnav.citations.reference_dict)."""

    id: str
    citation: str
    link: str = Field(description="DOI, PubMed or web address; empty when the source has none")
    authors: str
    title: str
    venue: str
    year: int
    doi: str
    pmid: str
    note: str
