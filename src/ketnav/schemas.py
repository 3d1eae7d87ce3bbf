"""The single error shape every API router declares (a cited reference's is ``citations.schemas.ReferenceOut``).

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
