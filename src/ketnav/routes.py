"""One vocabulary of routes of administration, shared by the cost calculator, aftercare and the PK tools.

Pure. Before this module each part had its own names (costs wanted ``esketamine`` where aftercare and
the PK models wanted ``nasal``), so a file that worked in one tool failed in the next. The keys below
are the names every tool now accepts and prints; the aliases are older or everyday spellings people
may already have in files (``esketamine``, ``spravato``, ``intravenous``), read as the same route.
Each tool still decides which routes it can handle (a PK model covers only some).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

ROUTES: Mapping[str, str] = MappingProxyType(
    {
        "iv": "IV infusion",
        "im": "IM injection",
        "nasal": "Esketamine nasal spray (Spravato)",
        "intranasal": "Intranasal racemic ketamine",
        "oral": "Oral ketamine",
        "sublingual": "Sublingual or buccal ketamine",
        "sc": "Subcutaneous injection",
    }
)
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "esketamine": "nasal",
        "spravato": "nasal",
        "esketamine nasal spray": "nasal",
        "intravenous": "iv",
        "intramuscular": "im",
        "subcutaneous": "sc",
        "buccal": "sublingual",
    }
)


def route_key(text: object) -> str | None:
    """The route's key for any accepted spelling ("Spravato", " IV ", "esketamine"), or None."""
    if not isinstance(text, str):
        return None
    key = " ".join(text.split()).casefold()
    key = ALIASES.get(key, key)
    return key if key in ROUTES else None


def route_names() -> str:
    """The accepted names, for error messages: "iv, im, nasal (or esketamine), ..."."""
    also: dict[str, list[str]] = {}
    for alias, key in ALIASES.items():
        also.setdefault(key, []).append(alias)
    return ", ".join(f"{key} (or {also[key][0]})" if key == "nasal" else key for key in ROUTES)
