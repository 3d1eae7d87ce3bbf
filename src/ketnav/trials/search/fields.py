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

from collections.abc import Iterable, Mapping, Sequence

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


def _stems(text: str, memo: dict[str, list[str]] | None = None) -> list[str]:
    if memo is None:
        return [light_stem(t) for t in tokens(text)]
    found = memo.get(text)
    if found is None:
        found = memo[text] = [light_stem(t) for t in tokens(text)]
    return found


def carries(term: Term, texts: Iterable[str], memo: dict[str, list[str]] | None = None) -> bool:
    """Whether any of ``texts`` carries the term: its words in a row (a prefix term: the last word's start).
    ``memo``: stems of texts already cut, kept by a caller checking many records (the same MeSH terms and
    drug names recur in most of them)."""
    wanted = [light_stem(t) for t in term.tokens]
    for text in texts:
        have = _stems(text, memo) if not term.prefix else tokens(text)
        n = len(wanted)
        for i in range(len(have) - n + 1):
            window = have[i : i + n]
            if term.prefix:
                if window[:-1] == list(term.tokens[:-1]) and window[-1].startswith(term.tokens[-1]):
                    return True
            elif window == wanted:
                return True
    return False


FIELDS = ("intervention", "condition")


def record_texts(record: StudyRecord) -> dict[str, list[str]]:
    """``field_texts`` of every field a structured term may name."""
    return {field: field_texts(record, field) for field in FIELDS}


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
    return texts_match(record_texts(record), concepts)


def texts_match(
    texts: Mapping[str, Sequence[str]], concepts: Sequence[Sequence[Term]], memo: dict[str, list[str]] | None = None
) -> bool:
    """``record_matches`` on a record's field texts (``field_texts`` per field, or read straight from the
    source: normalize_v2.structured_texts_v2)."""
    return all(any(carries(term, texts[term.field], memo) for term in alts) for alts in concepts)
