"""Synonyms used to widen a query: curated drug names, plus intervention other-names from the records.

Curated entries cover the names patients and clinicians actually type for the ketamine family. Learned
entries come from the registry itself: when studies list "Ketalar" as another name of "Ketamine", the
two become synonyms (only pairs seen in at least ``MIN_STUDIES`` studies, so one odd record cannot
hijack a common word).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from ketnav.text.query import Term, tokens

MIN_STUDIES = 2

CURATED: tuple[tuple[str, ...], ...] = (
    ("ketamine", "ketalar", "ketamine hydrochloride", "racemic ketamine"),
    ("esketamine", "spravato", "s-ketamine", "s ketamine", "esketamine hydrochloride", "ketanest s"),
    ("arketamine", "r-ketamine", "r ketamine", "(r)-ketamine", "pcn-101"),
    ("ptsd", "post-traumatic stress disorder", "posttraumatic stress disorder", "post traumatic stress disorder"),
    ("gad", "generalized anxiety disorder", "generalised anxiety disorder"),
    ("trd", "treatment-resistant depression", "treatment resistant depression"),
    ("mdd", "major depressive disorder"),
    ("ocd", "obsessive-compulsive disorder", "obsessive compulsive disorder"),
    ("sad", "social anxiety disorder"),
    ("crps", "complex regional pain syndrome"),
)


def _key(text: str) -> tuple[str, ...]:
    return tuple(tokens(text))


SynonymTable = dict[tuple[str, ...], tuple[tuple[str, ...], ...]]


def build_table(learned_pairs: Iterable[tuple[str, str, int]] = ()) -> SynonymTable:
    """term tokens -> other names' tokens, from the curated groups and (name, other name, studies) pairs."""
    table: dict[tuple[str, ...], set[tuple[str, ...]]] = {}

    def link(a: tuple[str, ...], b: tuple[str, ...]) -> None:
        if a and b and a != b:
            table.setdefault(a, set()).add(b)
            table.setdefault(b, set()).add(a)

    for group in CURATED:
        keys = [_key(name) for name in group]
        for a in keys:
            for b in keys:
                link(a, b)
    for name, other, count in learned_pairs:
        if count >= MIN_STUDIES:
            link(_key(name), _key(other))
    return {k: tuple(sorted(v)) for k, v in table.items()}


def expand(
    terms: Iterable[Term], table: Mapping[tuple[str, ...], tuple[tuple[str, ...], ...]], limit: int = 6
) -> list[list[Term]]:
    """Each query term with its synonyms (the original first); also joins adjacent words into a known
    multi-word name, so "treatment resistant depression" widens to "trd" as one unit."""
    terms = list(terms)
    groups: list[list[Term]] = []
    i = 0
    while i < len(terms):
        joined = None
        for width in (4, 3, 2):
            window = terms[i : i + width]
            if len(window) == width and all(not t.phrase and not t.prefix for t in window):
                key = tuple(t.tokens[0] for t in window)
                if key in table:
                    joined = (key, width)
                    break
        if joined:
            key, width = joined
            original = Term(key, phrase=True)
            groups.append([original, *_alternatives(key, table, limit)])
            i += width
            continue
        term = terms[i]
        alternatives = [] if term.prefix else _alternatives(term.tokens, table, limit)
        groups.append([term, *alternatives])
        i += 1
    return groups


def _alternatives(
    key: tuple[str, ...], table: Mapping[tuple[str, ...], tuple[tuple[str, ...], ...]], limit: int
) -> list[Term]:
    return [Term(toks, phrase=len(toks) > 1) for toks in table.get(key, ())[:limit]]


def expand_fielded(
    concepts: Iterable[Sequence[Term]], table: Mapping[tuple[str, ...], tuple[tuple[str, ...], ...]], limit: int = 6
) -> list[list[Term]]:
    """Each structured concept (``intervention:ketamine,esketamine``) as one group: its alternatives as
    typed, then their synonyms, all keeping the concept's field."""
    groups = []
    for alternatives in concepts:
        group = list(alternatives)
        for term in alternatives:
            if not term.prefix:
                group += [replace(t, field=term.field) for t in _alternatives(term.tokens, table, limit)]
        groups.append(list(dict.fromkeys(group)))
    return groups
