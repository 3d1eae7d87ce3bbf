"""The pre-screen as plain data, one shape for the CLI's JSON, the API and the study page.

Echoes only the study's criteria and the deciding words; the caller decides whether the person's own
words may be shown back (the page and the API answer the person who typed them; nothing is stored).
"""

from __future__ import annotations

from typing import Any

from ketnav.errors import InvalidInput
from ketnav.trials.eligibility.assess import Prescreen

MAX_DESCRIPTION_CHARS = 5_000  # a long clinical note is about 2,000 characters


def check_description(text: str) -> str:
    """The description as given, refused when empty, too long or not text a person would type."""
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("patient: describe the person (age, sex, diagnoses, medicines, history)")
    if len(stripped) > MAX_DESCRIPTION_CHARS:
        raise InvalidInput(
            f"patient: the description is {len(stripped):,} characters; at most {MAX_DESCRIPTION_CHARS:,}"
        )
    if "\x00" in stripped:
        raise InvalidInput("patient: the description contains a NUL character")
    return stripped


def prescreen_dict(result: Prescreen) -> dict[str, Any]:
    return {
        "verdict": result.verdict,
        "notice": result.notice,
        "reasons": list(result.reasons),
        "criteria": [
            {"kind": c.kind, "text": c.text, "status": c.status, "because": c.because} for c in result.criteria
        ],
        "questions": list(result.questions),
    }
