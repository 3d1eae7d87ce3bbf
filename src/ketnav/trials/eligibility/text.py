"""Clause and negation scopes shared by the reading of a person's words and of a study's criteria.

A negation cue ("no", "denies", "without") covers the rest of its clause, including a list ("denies
smoking, diabetes, or a family history of heart disease"); the clause ends at a full stop, a semicolon,
a closing bracket ("CVA (no residual deficits), HTN"), or a contrast word ("but", "however", "except"),
because what follows those is asserted again.
"""

from __future__ import annotations

import re

CLAUSE_END_RE = re.compile(
    r"[.;!?\n)]|,\s*(?:and\s+)?(?=(?:he|she|they|smokes|drinks|uses|takes|has|had|is|was|reports|with|on|currently)\b)|"
    r"\b(?:but|however|although|though|except|other than|apart from|aside from|excluding|whereas|"
    r"presents?|presented|admitted|who is|who has|who was|which|and (?:is|has|was|had|takes|reports|presents|"
    r"smokes|drinks|uses))\b",
    re.I,
)
NEGATION_CUE_RE = re.compile(
    r"\b(?:denies|denied|deny|denying|no|not|without|negative for|free of|absence of|absent|never|nor|"
    r"doesn'?t|does not|did not|didn'?t|isn'?t|is not|has not|hasn'?t|had no|none|neither|ruled out|"
    r"unremarkable for|won'?t|will not|don'?t|do not|haven'?t|have not|wasn'?t|was not|negative history of|"
    r"no (?:positive )?history)\b",
    re.I,
)
EXCEPT_RE = re.compile(r"\b(?:except|other than|apart from|aside from|excluding|with the exception of)\b", re.I)
FAMILY_RE = re.compile(
    r"\bfamily (?:history|hx)\b|\b(?:his|her|their) (?:father|mother|sister|brother|aunt|uncle|husband|wife|"
    r"parents?|son|daughter|grandmother|grandfather|cousin)s?\b|\b(?:father|mother|sister|brother|aunt|uncle|"
    r"husband|wife|parents)\b",
    re.I,
)


_TELLS_RE = re.compile(
    r"(?:\s+\w+){0,2}?\s+(?:reports?|reported|says?|said|states?|stated|notes?|noted|describes?|described|brought|"
    r"witnessed|found|called|tells?|told|mentions?|mentioned)\b",
    re.I,
)


def clause_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end of the clause holding ``position``."""
    start = 0
    for m in CLAUSE_END_RE.finditer(text, 0, position):
        start = m.end()
    end_match = CLAUSE_END_RE.search(text, position)
    end = end_match.start() if end_match else len(text)
    return start, end


def is_negated(text: str, start: int) -> bool:
    """True when a negation cue comes before ``start`` in the same clause."""
    clause_start, _ = clause_bounds(text, start)
    return NEGATION_CUE_RE.search(text, clause_start, start) is not None


def about_someone_else(text: str, start: int) -> bool:
    """True for "family history of diabetes" or "her father has hypertension": not the person.

    A sentence that begins with a relative ("Her husband was diagnosed with colon cancer a year ago and is
    undergoing chemotherapy") is about the relative to its end.
    """
    clause_start, _ = clause_bounds(text, start)
    if FAMILY_RE.search(text, clause_start, start) is not None:
        return True
    stop = text.rfind(". ", 0, start)
    sentence_start = max(stop + 2 if stop >= 0 else 0, text.rfind("\n", 0, start) + 1)
    opening = FAMILY_RE.match(text, sentence_start)
    # ... but "Her husband reports that she ..." tells about the person
    return opening is not None and not _TELLS_RE.match(text, opening.end())


def after_except(text: str, start: int) -> bool:
    """True when the mention follows "except" in its sentence ("neurological disease except headache")."""
    sentence_start = max(text.rfind(".", 0, start), text.rfind(";", 0, start), text.rfind("\n", 0, start)) + 1
    cue = EXCEPT_RE.search(text, sentence_start, start)
    # "for reasons other than periodic paralysis: diuretics, ...": the list after a colon is not excepted
    return cue is not None and ":" not in text[cue.end() : start]


def clean(text: str) -> str:
    """Registry markdown escapes ("\\>"), odd spaces and comparison signs made plain."""
    return (
        text.replace("\\", "")
        .replace("\u2265", ">=")
        .replace("\u2264", "<=")
        .replace("\u2a7e", ">=")
        .replace("\u2a7d", "<=")
        .replace("\u00a0", " ")
        .replace("\u2013", "-")
        .replace("\u2014", "-")
        .replace("**", "")
    )
