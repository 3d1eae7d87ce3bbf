"""A fallback for criteria that name a condition the concept table does not know.

"Severe aortic stenosis", "history of nephrolithiasis": when a criterion names no known concept and
sets no limit, each of its alternatives ("X, Y or Z") is reduced to its distinctive words, and an
alternative counts as said when every one of those words (by stem) appears in the person's own,
non-negated words about themselves. Absence is never inferred here: a condition the person did not
mention stays unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ketnav.trials.eligibility.text import EXCEPT_RE, about_someone_else, is_negated

_SPLIT_RE = re.compile(r"[,;()\[\]:]|\b(?:or|and/or|e\.g\.|eg|i\.e\.|such as|including|like)\b", re.I)
_WORD_RE = re.compile(r"[a-z][a-z'-]{4,}", re.I)
_QUALIFIERS = frozenset(
    """
    severe uncontrolled unstable significant clinically serious poorly decompensated untreated advanced moderate
    recurrent refractory symptomatic
    """.split()  # noqa: SIM905
)
# Words of criteria that do not name a condition of their own.
_GENERIC = frozenset(
    """
    patient patients subject subjects participant participants people person persons individual individuals
    adult adults history known diagnosis diagnosed diagnoses documented confirmed suspected evidence presence
    present prior previous previously current currently active disease diseases disorder disorders condition
    conditions syndrome illness illnesses medical clinical treatment treated therapy therapies requiring require
    required receiving received undergoing underwent other any within months weeks years days study trial
    screening baseline enrollment entry visit investigator opinion judgment would could might which their those
    these there where after before during since including defined according criteria based following following
    positive negative result results level levels value values score scores greater higher lower least above
    below than equal normal abnormal upper limit chronic acute primary secondary first onset stage grade class
    type unable inability ability allowed permitted eligible excluded exclusion inclusion must should have
    having been being with without who whom whose from into onto upon about women woman female females male
    males children child years-old aged older younger under total current risk factors factor associated related
    affect affecting interfere interfering contraindication contraindications contraindicated use using used
    taking takes intake compatible consistent suggestive medication medications medicine medicines drugs
    experimental investigational
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True)
class GenericMatch:
    said: bool | None  # True: the person mentions it; None: not said (never False)
    words: str  # the criterion's alternative that was found
    qualified: bool  # "severe X": the person's mention may not be enough


def _stem(word: str) -> str:
    return word.lower()[:6]


Alternative = tuple[tuple[str, ...], str, bool]


def alternatives(text: str) -> tuple[Alternative, ...]:
    """(distinctive stems, the alternative's words, qualified) for each alternative of the criterion."""
    cut = EXCEPT_RE.search(text)
    text = text[: cut.start()] if cut else text
    out = []
    for part in _SPLIT_RE.split(text):
        words = list(_WORD_RE.findall(part))
        qualified = any(w.lower() in _QUALIFIERS for w in words)
        distinctive = tuple(
            dict.fromkeys(_stem(w) for w in words if w.lower() not in _GENERIC and w.lower() not in _QUALIFIERS)
        )
        if 1 <= len(distinctive) <= 3:
            out.append((distinctive, part.strip(), qualified))
    return tuple(out)


_STOP = frozenset("or and with of the any for to in on by as at from who has have had is are".split())  # noqa: SIM905
# Adjectives that describe the usual form of a condition rather than narrow it.
_BROAD = frozenset(
    """
    major systemic daily congestive complex idiopathic long-term essential atherosclerotic known typical
    mild-moderate mild moderate medical underlying concomitant comorbid co-morbid existing pre-existing
    """.split()  # noqa: SIM905
)


def modifiers(before: str) -> tuple[str, ...]:
    """Stems of the distinctive words just before a named condition ("statin intolerant" hypercholesterolemia).

    They narrow the condition: the person must say them too before the criterion counts as met.
    """
    out: list[str] = []
    if before.endswith("-"):
        return ()  # "hypothalamic-pituitary disease": one compound name, not a narrowing
    for word in reversed(re.findall(r"[A-Za-z][\w'-]*", before[-60:])):
        low = word.lower().strip("-'")
        if low in _STOP or len(low) < 5 or low in _GENERIC or low in _QUALIFIERS or not _WORD_RE.fullmatch(low):
            break
        if low in _BROAD:
            continue
        out.append(_stem(low))
        if len(out) == 3:
            break
    return tuple(reversed(out))


def person_stems(text: str) -> frozenset[str]:
    """Stems of the words a person says about themselves (negated and relatives' mentions left out)."""
    stems = set()
    for m in _WORD_RE.finditer(text):
        if not is_negated(text, m.start()) and not about_someone_else(text, m.start()):
            stems.add(_stem(m.group(0)))
    return frozenset(stems)


def generic_match(found: tuple[Alternative, ...], stems: frozenset[str]) -> GenericMatch | None:
    """None when the criterion offers no distinctive alternative to look for."""
    if not found:
        return None
    for distinctive, words, qualified in found:
        if all(s in stems for s in distinctive):
            return GenericMatch(True, words, qualified)
    return GenericMatch(None, "", False)
