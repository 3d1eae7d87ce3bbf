"""Highlighted snippets and "why it matched", computed from the record for the results shown.

Pure. Matching is on word stems (a token matches when it shares its first letters with a query token,
the way the indexes' stemmers conflate "disorder" and "disorders"), and output is a list of
(text, matched) segments, so templates escape every piece and no HTML comes from the record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from ketnav.text.query import Term, tokens

Segment = tuple[str, bool]
_SENTENCE_RE = re.compile(r"(?<=[.!?;])\s+|\n+")
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """A crude, deterministic stem: enough to say "this word matched", not to rank."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ers", "ed", "es", "s", "y", "e"):
        if len(token) > len(suffix) + 3 and token.endswith(suffix):
            return token[: -len(suffix)]
    return token


def query_stems(groups: Iterable[Sequence[Term]]) -> dict[str, str]:
    """stem -> the query word it stands for (a synonym maps to its original word)."""
    out: dict[str, str] = {}
    for group in groups:
        label = group[0].text
        for term in group:
            for tok in term.tokens:
                out.setdefault(stem(tok), label)
    return out


def _matches(word: str, stems: dict[str, str]) -> bool:
    s = stem(word.casefold())
    return s in stems or any(len(q) >= 3 and s.startswith(q) for q in stems)


def highlight(text: str, stems: dict[str, str]) -> list[Segment]:
    segments: list[Segment] = []
    last = 0
    for m in _WORD_RE.finditer(text):
        if _matches(m.group(), stems):
            if m.start() > last:
                segments.append((text[last : m.start()], False))
            segments.append((m.group(), True))
            last = m.end()
    if last < len(text):
        segments.append((text[last:], False))
    return segments


def best_snippet(texts: Sequence[str], stems: dict[str, str], *, width: int = 240) -> list[Segment]:
    """The sentence (from the first texts first) with the most matched words, cut to ``width``."""
    best, best_hits = "", -1
    for text in texts:
        for sentence in _SENTENCE_RE.split(text):
            sentence = " ".join(sentence.split())
            if not sentence:
                continue
            hits = sum(1 for w in _WORD_RE.findall(sentence) if _matches(w, stems))
            if hits > best_hits:
                best, best_hits = sentence, hits
        if best_hits >= max(1, len(set(stems.values()))):
            break
    if len(best) > width:
        cut = best[:width].rsplit(" ", 1)[0]
        best = cut + " …"
    return highlight(best, stems)


def why_matched(fields: dict[str, str], groups: Sequence[Sequence[Term]]) -> list[str]:
    """Plain sentences: which query words were found where, and through which synonym or concept."""
    reasons = []
    for group in groups:
        original = group[0]
        found: list[str] = []
        for field_name, text in fields.items():
            words = {stem(t) for t in tokens(text)}
            for term in group:
                term_stems = [stem(t) for t in term.tokens]
                if all(s in words or any(w.startswith(s) for w in words if len(s) >= 3) for s in term_stems):
                    via = "" if term is original else f" (as “{term.text}”)"
                    found.append(f"{field_name}{via}")
                    break
        if found:
            reasons.append(f"“{original.text}” in " + ", ".join(dict.fromkeys(found)))
    return reasons
