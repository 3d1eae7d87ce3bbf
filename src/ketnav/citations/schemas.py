"""The one JSON shape of a reference in API responses, as a typed schema (pure pydantic, no Django).

Mirrors ``bibliography.reference_dict`` field for field, so the OpenAPI document describes what the
endpoints really return.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ketnav.citations.bibliography import Reference, reference_dict


class ReferenceOut(BaseModel):
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

    @classmethod
    def of(cls, ref: Reference) -> ReferenceOut:
        return cls(**reference_dict(ref))
