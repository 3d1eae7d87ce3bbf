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


Sentences = tuple[tuple[str, tuple[str, ...]], ...]  # (sentence, its words), in text order


def sentences(text: str) -> Sentences:
    """A text's sentences, whitespace collapsed, each with its words: the part of a snippet that does not
    depend on the query, so a study's can be computed once and kept (see trials.search.state)."""
    out = []
    for sentence in _SENTENCE_RE.split(text):
        sentence = " ".join(sentence.split())
        if sentence:
            out.append((sentence, tuple(_WORD_RE.findall(sentence))))
    return tuple(out)


def best_snippet(texts: Sequence[str], stems: dict[str, str], *, width: int = 240) -> list[Segment]:
    """The sentence (from the first texts first) with the most matched words, cut to ``width``."""
    return best_snippet_of([sentences(text) for text in texts], stems, width=width)


def best_snippet_of(texts: Iterable[Sentences], stems: dict[str, str], *, width: int = 240) -> list[Segment]:
    """``best_snippet`` over texts already split by ``sentences`` (a later text is asked for only when
    the earlier ones did not match every query word)."""
    best, best_hits = "", -1
    seen: dict[str, bool] = {}  # word -> matched: a long description repeats its words

    def matched(word: str) -> bool:
        found = seen.get(word)
        if found is None:
            found = seen[word] = _matches(word, stems)
        return found

    for text in texts:
        for sentence, words in text:
            hits = sum(1 for w in words if matched(w))
            if hits > best_hits:
                best, best_hits = sentence, hits
        if best_hits >= max(1, len(set(stems.values()))):
            break
    if len(best) > width:
        cut = best[:width].rsplit(" ", 1)[0]
        best = cut + " …"
    return highlight(best, stems)


def field_stems(text: str) -> frozenset[str]:
    """The stems of a field's words: what ``why_matched`` looks for a query's words in."""
    return frozenset(stem(t) for t in tokens(text))


def why_matched(fields: dict[str, str], groups: Sequence[Sequence[Term]]) -> list[str]:
    """Plain sentences: which query words were found where, and through which synonym or concept."""
    return why_matched_stems({name: field_stems(text) for name, text in fields.items()}, groups)


def why_matched_stems(fields: dict[str, frozenset[str]], groups: Sequence[Sequence[Term]]) -> list[str]:
    """``why_matched`` over fields already reduced to their stems (``field_stems``)."""
    reasons = []
    for group in groups:
        original = group[0]
        found: list[str] = []
        for field_name, words in fields.items():
            for term in group:
                term_stems = [stem(t) for t in term.tokens]
                if all(s in words or any(w.startswith(s) for w in words if len(s) >= 3) for s in term_stems):
                    via = "" if term is original else f" (as “{term.text}”)"
                    found.append(f"{field_name}{via}")
                    break
        if found:
            reasons.append(f"“{original.text}” in " + ", ".join(dict.fromkeys(found)))
    return reasons
