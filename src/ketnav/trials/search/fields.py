"""Structured terms (``intervention:ketamine``, ``condition:ptsd``): which part of a record must carry them.

Pure. The text index finds the candidates (a study mentioning the words anywhere); these functions
keep those whose interventions, or conditions, carry them. Why check the record and not the index:
PostgreSQL's weighted tsvector cannot tell a condition from an intervention (both are weight A), and
a study that names ketamine only in its background text is not a ketamine study. Checking the record
gives both databases the same answer.

Words match as the indexes' stemmers would conflate them ("depression" and "depressive", "disorder"
and "disorders"): each token is cut to a light stem before comparing, and a phrase must appear as
consecutive tokens.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ketnav.text.query import Term, tokens
from ketnav.trials.record import StudyRecord

# Longest first; a suffix is cut only when at least four letters remain.
_SUFFIXES = (
    "ations", "ation", "ities", "ively", "ness", "ings", "ions", "ives", "ity", "ing", "ion", "ive", "ies",
    "ers", "ous", "ed", "es", "er", "al", "ic", "s", "y", "e", "i",
)  # fmt: skip


def light_stem(token: str) -> str:
    """A deterministic stem close enough to Porter's for deciding that a field carries a word."""
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token


def _stems(text: str) -> list[str]:
    return [light_stem(t) for t in tokens(text)]


def carries(term: Term, texts: Iterable[str]) -> bool:
    """Whether any of ``texts`` carries the term: its words in a row (a prefix term: the last word's start)."""
    wanted = [light_stem(t) for t in term.tokens]
    for text in texts:
        have = _stems(text) if not term.prefix else tokens(text)
        n = len(wanted)
        for i in range(len(have) - n + 1):
            window = have[i : i + n]
            if term.prefix:
                if window[:-1] == list(term.tokens[:-1]) and window[-1].startswith(term.tokens[-1]):
                    return True
            elif window == wanted:
                return True
    return False


def field_texts(record: StudyRecord, field: str) -> list[str]:
    """The parts of a record a structured term of ``field`` must be found in."""
    if field == "intervention":
        out = []
        for i in record.interventions:
            out.append(i.name)
            out.extend(i.other_names)
        out.extend(m.term for m in record.intervention_mesh)
        return out
    if field == "condition":
        return [*record.conditions, *(m.term for m in record.condition_mesh)]
    raise ValueError(f"unknown field {field!r}")


def record_matches(record: StudyRecord, concepts: Sequence[Sequence[Term]]) -> bool:
    """Whether the record carries every structured concept (each: any of its alternatives, in its field)."""
    texts: dict[str, list[str]] = {}
    for alternatives in concepts:
        found = False
        for term in alternatives:
            if term.field not in texts:
                texts[term.field] = field_texts(record, term.field)
            if carries(term, texts[term.field]):
                found = True
                break
        if not found:
            return False
    return True
