"""Response schemas that several API routers share: the single error shape and a cited reference.

They sit in the shared core, below the domains, because every domain's ``api.py`` uses them while
``ketnav.web.api`` (above the domains) registers every router: with the schemas in ``web`` the routers and
``web.api`` imported each other.
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
