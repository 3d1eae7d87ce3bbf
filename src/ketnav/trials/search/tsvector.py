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
import threading
from collections import defaultdict
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


def _letters() -> frozenset[str]:
    """Letters outside ASCII read here as the server reads them: Latin, Greek and Cyrillic letters
    (and the micro sign) that Python and a UTF-8 libc locale both class as letters and lowercase to one
    letter without context. Not the dotted capital I (Python lowercases it to two characters) nor the
    capital sigma (Python's lower() picks the final form by context, the server never does). PROBE
    holds every one of them, so a server that reads any differently is left to build all documents."""
    out = {"\u00b5"}
    for start, end in ((0xC0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF)):
        for code in range(start, end + 1):
            char = chr(code)
            lower = char.lower()
            if char.isalpha() and len(lower) == 1 and lower.isalpha() and char not in "\u0130\u03a3":
                out.add(char)
    return frozenset(out)


LETTERS = _letters()
_READ_HERE = frozenset(" 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") | LETTERS
_SCIENTIFIC = re.compile(r"[0-9]+[eE][0-9]+")
# A stop word's token: it takes a position and leaves no lexeme (a space: no lexeme here has one).
STOP = " "
_CACHE_SIZE = 40_000  # runs remembered (a worker's vocabulary); emptied when full


class _PerThread(threading.local):
    """Each thread's stemmer and remembered runs: a PyStemmer object keeps its own cache and is not safe
    to share between threads (a server runs a sync in a background thread beside request threads)."""

    def __init__(self) -> None:
        self.stemmer = Stemmer.Stemmer("english")
        self.cache: dict[str, str | tuple[str, ...]] = {}


_local = _PerThread()


def _tokens(run: str) -> tuple[str, ...]:
    """The lexemes of one run of ASCII letters and digits, in order; STOP for a stop word's position."""
    if run[0].isdigit() and not run.isdigit():
        found = _SCIENTIFIC.match(run)
        if found and found.end() < len(run):
            return (*_tokens(found.group()), *_tokens(run[found.end() :]))
    size = len(run) if run.isascii() else len(run.encode())  # the server's limits count bytes
    if size >= MAX_TOKEN:
        return ()
    word = run.lower()
    if not run.isalpha() or size > MAX_STEMMED:
        return (word,)  # numword, uint, scientific (simple dictionary), or too long to stem
    if word in STOP_WORDS:
        return (STOP,)
    return (_local.stemmer.stemWord(word) or word,)


def _run(run: str) -> str | tuple[str, ...]:
    """A run's one lexeme (or STOP), else its tuple of tokens (none, or a scientific number and a word)."""
    tokens = _tokens(run)
    out = tokens[0] if len(tokens) == 1 else tokens
    cache = _local.cache
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[run] = out
    return out


def field_runs(text: str) -> list[str] | None:
    """The runs of letters and digits of text pg_words made, each one token or more of
    ``to_tsvector('english', text)``; None if the text has characters the server may read otherwise
    (letters outside LETTERS, or anything pg_words removes)."""
    runs = text.split()
    if text.isascii():
        if runs and not "".join(runs).isalnum():
            return None  # not pg_words text: the server's parser has more token types than these
    elif not _READ_HERE.issuperset(text):
        return None
    return runs


def field_lexemes(runs: list[str]) -> list[str]:
    """Each token's lexeme, in order (STOP for a stop word's position)."""
    out: list[str] = []
    get = _local.cache.get
    for run in runs:
        item = get(run) or _run(run)
        if isinstance(item, tuple):
            out.extend(item)
        else:
            out.append(item)
    return out


def _marks(weight: str) -> tuple[str, str]:
    mark = "" if weight == "D" else weight
    return mark, mark + ","


def document(fields: Sequence[str], weights: Sequence[str]) -> str | None:
    """The text form of the weighted document of these pg_words fields, to store with ``::tsvector``;
    None when a field has text the server may read otherwise (see ``field_runs``)."""
    parsed = []
    for text in fields:
        runs = field_runs(text)
        if runs is None:
            return None
        parsed.append(runs)
    if sum(map(len, parsed)) > MAX_POSITION:  # a run is one token at most, but for a few
        return _capped(parsed, weights)
    merged: dict[str, str] = {}  # lexeme -> its positions, with their weights, as text
    shift = 0  # the largest position stored so far
    get = _local.cache.get
    for runs, weight in zip(parsed, weights, strict=True):
        # Positions by run, then the runs' lexemes: a field has half as many distinct runs as runs.
        by_run: defaultdict[str, list[int]] = defaultdict(list)
        for position, run in enumerate(runs, shift + 1):
            by_run[run].append(position)
        groups: dict[str, list[int]] = {}
        for run, held in by_run.items():
            lexeme = get(run) or _run(run)
            if isinstance(lexeme, tuple):  # not one token: positions shift, the exact way
                return _capped(parsed, weights)
            if lexeme != STOP:
                before = groups.get(lexeme)
                groups[lexeme] = held if before is None else sorted(before + held)  # "Ketamine", "ketamine"
        top = shift
        for position, run in enumerate(reversed(runs)):  # the last token that is not a stop word
            if (get(run) or _run(run)) != STOP:
                top = shift + len(runs) - position
                break
        mark, sep = _marks(weight)
        for lexeme, held in groups.items():
            text = sep.join(map(str, held)) + mark
            before_text = merged.get(lexeme)
            if before_text is None:
                if len(held) > FIELD_POSITIONS:
                    return _capped(parsed, weights)  # near a lexeme's limits: the exact way
                merged[lexeme] = text
            else:
                if before_text.count(",") + 1 + len(held) > FIELD_POSITIONS:
                    return _capped(parsed, weights)
                merged[lexeme] = f"{before_text},{text}"
        shift = top  # unchanged by a field with no lexeme: its vector is empty
    # Lexemes are letters and digits only (field_runs), so none needs quotes doubled or escapes.
    return " ".join([f"'{lexeme}':{text}" for lexeme, text in merged.items()])


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
    """``document`` step by step, for documents near the limits (more than 16,383 tokens, or a lexeme
    with more than 255 positions) or with a run that is not one token."""
    merged: dict[str, list[str]] = {}  # lexeme -> "position" + weight, in order
    last: dict[str, int] = {}  # lexeme -> its last stored position
    shift = 0  # the largest position stored so far
    for runs, weight in zip(parsed, weights, strict=True):
        mark = _marks(weight)[0]
        top = shift
        for lexeme, where in _field_positions(field_lexemes(runs)).items():
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
    return " ".join(f"'{lexeme}':{','.join(held)}" for lexeme, held in merged.items())


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
    "callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti "
    + " ".join(f"x{letter}y 2{letter} {letter * 3}" for letter in sorted(LETTERS)),
)
