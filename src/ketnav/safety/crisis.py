"""Crisis contacts, shown wherever an answer touches suicidal thoughts or self-harm.

This module is plain immutable data with no logic on purpose: the safety screen, the side-effect
check, the journal's PHQ-9 item 9 and the trial questionnaire all show these contacts
unconditionally, before and apart from any other rule, so nothing here may depend on anything else.
Every caller decides only *whether* the person's answer touches suicidal thoughts; *what* is shown is
always this.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class CrisisContact:
    """One way to reach help now: who, where, and how."""

    region: str
    service: str
    contact: str
    url: str | None = None


CRISIS_HEADLINE = "If you are thinking about ending your life or harming yourself, please talk to someone now."

CRISIS_CONTACTS: tuple[CrisisContact, ...] = (
    CrisisContact(
        "Everywhere",
        "Emergency services",
        "your local emergency number (911 in the US and Canada, 999 in the UK, 112 in the EU)",
    ),
    CrisisContact("United States", "988 Suicide & Crisis Lifeline", "call or text 988", "https://988lifeline.org"),
    CrisisContact("UK and Ireland", "Samaritans", "call 116 123", "https://www.samaritans.org"),
)


def crisis_lines() -> list[str]:
    """The contacts as plain lines, for the terminal and for plain-text exports."""
    return [CRISIS_HEADLINE, *(f"{c.region}: {c.service}: {c.contact}" for c in CRISIS_CONTACTS)]


def crisis_payload() -> dict[str, Any]:
    """The contacts as JSON-ready data, for API responses and `--json` output."""
    return {"headline": CRISIS_HEADLINE, "contacts": [asdict(c) for c in CRISIS_CONTACTS]}
