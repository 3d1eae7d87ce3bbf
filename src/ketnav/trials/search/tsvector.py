"""PostgreSQL's weighted text-index document, built in Python, equal to what the server would build.

The document stored for a study is ``setweight(to_tsvector('english', f0), 'A') || ... ||
setweight(to_tsvector('english', f8), 'D')`` over the fields of documents.FIELDS, each passed through
postgresql.pg_words first. Computing it on the server cost about 1.6 ms of the 4 a study took to load;
here it costs the load workers a fraction of that, and the server only parses the ``::tsvector`` text.

Searches parse their queries with ``to_tsquery('english', ...)`` on the server, so a document built
here must be the very tsvector the server would have built, or a study would be found differently
depending on how it was loaded. ``document`` therefore covers only the text whose every step it can
reproduce exactly, and answers None for the rest, which the caller sends to the server as before:

* pg_words leaves letters, digits and spaces only. When all of them are ASCII, PostgreSQL's default
  parser makes one token of each run of letters and digits, typed as the parser types it (below);
  letters outside ASCII are classified by the server's locale (iswalpha, towlower), which Python does
  not share, so such text is left to the server.
* asciiword tokens (letters only) go to the english_stem dictionary: lowercased, dropped when in
  PostgreSQL's english stop list (their position is still counted), longer than 1,000 bytes kept
  lowercased but unstemmed, else stemmed by Snowball's english (Porter2) stemmer (PyStemmer runs
  Snowball's own C code, as PostgreSQL does).
* numword, uint and scientific tokens go to the simple dictionary: lowercased. A run that starts with
  digits, then ``e`` or ``E``, then digits, is a scientific token up to its last such digit, and the
  rest of the run a token of its own ("12e5mg" is "12e5" and "mg").
* A token of 2,048 bytes or more is skipped without a position.
* Positions: one per token, from 1, capped at 16,383; in one field at most 255 per lexeme, and none
  after 16,383; ``||`` shifts the right side's positions by the left side's largest stored position,
  and keeps at most 256 per lexeme, again none after 16,383.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import Stemmer

# PostgreSQL's english stop list (tsearch_data/english.stop, read by english_stem), as the server reports
# it: ``ts_lexize('english_stem', word)`` is {} for each. writing checks that a server agrees before using it.
# fmt: off
STOP_WORDS = frozenset((
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "did", "do",
    "does", "doing", "don", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have",
    "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into",
    "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of",
    "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "s", "same",
    "she", "should", "so", "some", "such", "t", "than", "that", "the", "their", "theirs", "them", "themselves",
    "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very",
    "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "you", "your", "yours", "yourself", "yourselves",
))
# fmt: on
MAX_POSITION = 16_383  # MAXENTRYPOS - 1
FIELD_POSITIONS = 255  # uniqueWORD keeps fewer than MAXNUMPOS (256) positions a lexeme in one to_tsvector
DOCUMENT_POSITIONS = 256  # MAXNUMPOS: what || keeps
MAX_TOKEN = 2_048  # MAXSTRLEN: tokens this long or longer are skipped (with a notice), without a position
MAX_STEMMED = 1_000  # dict_snowball passes longer words through unstemmed

_SCIENTIFIC = re.compile(r"[0-9]+[eE][0-9]+")
_stemmer = Stemmer.Stemmer("english")
# A stop word's token: it takes a position and leaves no lexeme (a space: no lexeme here has one).
STOP = " "
_CACHE_SIZE = 100_000  # runs remembered (a worker's vocabulary); emptied when full
_cache: dict[str, str | tuple[str, ...]] = {}


def _tokens(run: str) -> tuple[str, ...]:
    """The lexemes of one run of ASCII letters and digits, in order; STOP for a stop word's position."""
    if run[0].isdigit() and not run.isdigit():
        found = _SCIENTIFIC.match(run)
        if found and found.end() < len(run):
            return (*_tokens(found.group()), *_tokens(run[found.end() :]))
    if len(run) >= MAX_TOKEN:
        return ()
    word = run.lower()
    if not run.isalpha() or len(run) > MAX_STEMMED:
        return (word,)  # numword, uint, scientific (simple dictionary), or too long to stem
    if word in STOP_WORDS:
        return (STOP,)
    return (_stemmer.stemWord(word) or word,)


def _run(run: str) -> str | tuple[str, ...]:
    """A run's one lexeme (or STOP), else its tuple of tokens (none, or a scientific number and a word)."""
    tokens = _tokens(run)
    out = tokens[0] if len(tokens) == 1 else tokens
    if len(_cache) >= _CACHE_SIZE:
        _cache.clear()
    _cache[run] = out
    return out


def field_lexemes(text: str) -> list[str] | None:
    """The tokens ``to_tsvector('english', text)`` gives a position, as lexemes (STOP for a stop word),
    for text pg_words made (letters, digits, spaces); None if the text is not ASCII (the server's
    locale decides those letters)."""
    if not text.isascii():
        return None
    runs = text.split()
    if runs and not "".join(runs).isalnum():
        return None  # not pg_words text: the server's parser has more token types than these
    get = _cache.get
    out = [get(run) or _run(run) for run in runs]
    if tuple in set(map(type, out)):  # a run that is not one token: rare
        flat: list[str] = []
        for item in out:
            if isinstance(item, tuple):
                flat.extend(item)
            else:
                flat.append(item)
        return flat
    return out  # type: ignore[return-value]


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _marks(weight: str) -> tuple[str, str]:
    mark = "" if weight == "D" else weight
    return mark, mark + ","


def document(fields: Sequence[str], weights: Sequence[str]) -> str | None:
    """The text form of the weighted document of these pg_words fields, to store with ``::tsvector``;
    None when a field is outside what ``field_lexemes`` reproduces."""
    parsed = []
    for text in fields:
        lexemes = field_lexemes(text)
        if lexemes is None:
            return None
        parsed.append(lexemes)
    if sum(map(len, parsed)) > MAX_POSITION:
        return _capped(parsed, weights)
    merged: dict[str, str] = {}  # lexeme -> its positions, with their weights, as text
    counts: dict[str, int] = {}
    shift = 0  # the largest position stored so far
    for lexemes, weight in zip(parsed, weights, strict=True):
        groups: dict[str, list[int]] = {}
        for position, lexeme in enumerate(lexemes, shift + 1):
            held = groups.get(lexeme)
            if held is None:
                groups[lexeme] = [position]
            else:
                held.append(position)
        groups.pop(STOP, None)
        if not groups:
            continue  # an empty vector: nothing stored, nothing shifted
        mark, sep = _marks(weight)
        for lexeme, held in groups.items():
            count = counts.get(lexeme, 0) + len(held)
            if count > FIELD_POSITIONS:  # near a lexeme's limits: the exact way
                return _capped(parsed, weights)
            counts[lexeme] = count
            text = sep.join(map(str, held)) + mark
            before = merged.get(lexeme)
            merged[lexeme] = text if before is None else f"{before},{text}"
        last = len(lexemes)
        while lexemes[last - 1] == STOP:
            last -= 1
        shift += last
    return " ".join([f"{_quote(lexeme)}:{text}" for lexeme, text in merged.items()])


def _field_positions(lexemes: list[str]) -> dict[str, list[int]]:
    """One field's to_tsvector as lexeme -> positions, with its limits (uniqueWORD)."""
    out: dict[str, list[int]] = {}
    position = 0
    for lexeme in lexemes:
        if position < MAX_POSITION:
            position += 1
        if lexeme == STOP:
            continue
        held = out.get(lexeme)
        if held is None:
            out[lexeme] = [position]
        elif len(held) < FIELD_POSITIONS and held[-1] != position:  # held[-1] != MAX_POSITION too
            held.append(position)
    return out


def _capped(parsed: list[list[str]], weights: Sequence[str]) -> str:
    """``document`` step by step, for documents near the limits: more than 16,383 tokens, or a lexeme
    with more than 255 positions."""
    merged: dict[str, list[str]] = {}  # lexeme -> "position" + weight, in order
    last: dict[str, int] = {}  # lexeme -> its last stored position
    shift = 0  # the largest position stored so far
    for lexemes, weight in zip(parsed, weights, strict=True):
        mark = _marks(weight)[0]
        top = shift
        for lexeme, where in _field_positions(lexemes).items():
            held = merged.get(lexeme)
            if held is None:
                held = merged[lexeme] = []
                end = 0
            else:
                end = last[lexeme]
            for p in where:
                if len(held) >= DOCUMENT_POSITIONS or end == MAX_POSITION:
                    break
                end = min(p + shift, MAX_POSITION)
                held.append(f"{end}{mark}")
            last[lexeme] = end
            top = max(top, end)
        shift = top
    return " ".join(f"{_quote(lexeme)}:{','.join(held)}" for lexeme, held in merged.items())


# Fields to compare with the server's own to_tsvector before relying on ``document`` (writing checks it
# once per writer): every stop word, numbers, words whose stems changed between Snowball releases, and a
# word repeated past a field's limits. A server with another stop list or stemmer disagrees.
PROBE: tuple[str, ...] = (
    "NCT01234567",
    " ".join(sorted(STOP_WORDS)),
    "Added adding cardiologists generously dying skies news inning proceeded exceeding succeeded",
    "12e5mg 5e5e5 3E4 COVID19 5HT2A 2024 0 007 x1000",
    "Ketamine esketamine anxiety depressive disorders treatment resistant infusions nasal spray",
    " ".join(["patients"] * 300),
    "relational conditional rational valency hesitancy digitizer conformabli radicalli differentli",
    "vileli analogousli vietnamization predication operator feudalism decisiveness hopefulness",
    "callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti",
)
