"""Turning what a person types into a safe, structured query.

Pure functions. Whatever comes in (FTS operators, unbalanced quotes, ``NEAR(``, a lone ``*``, control
characters, 10,000 characters, mixed scripts) leaves as a list of plain word tokens, phrases and
prefixes that each backend renders with its own quoting, so no raw user text reaches a search engine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 1_000
MAX_TERMS = 24
MAX_TERMS_LONG = 100  # for patient descriptions, ranked by any word
MAX_TOKEN_CHARS = 64
MIN_PREFIX_CHARS = 3  # "de*" would match nearly every study; shorter prefixes are taken as words

# Words that carry no meaning in a trial search; dropped unless quoted.
_STOP_TEXT = (
    "a an and are as at be by for from has have in into is it its of on or that the their this to was were "
    "will with without who whom which what when where why how i me my we our you your he she they them "
    "study studies trial trials clinical patient patients people person"
)
# The stop words of PostgreSQL's english text search configuration (Snowball's English list, as PostgreSQL
# ships it in tsearch_data/english.stop). PostgreSQL leaves them out of documents and queries alike, so a
# query word among them matched nothing there: "ketamine during surgery" found 0 studies on PostgreSQL
# and 69 on SQLite (whose FTS5 index keeps every word), "depression after stroke" 0 and 211. Dropped here,
# no database sees them, and both answer the same query. A quoted phrase keeps them.
_POSTGRESQL_ENGLISH_STOP_TEXT = (
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers "
    "herself it its itself they them their theirs themselves what which who whom this that these those am is "
    "are was were be been being have has had having do does did doing a an the and but if or because as until "
    "while of at by for with about against between into through during before after above below to from up "
    "down in out on off over under again further then once here there when where why how all any both each "
    "few more most other some such no nor not only own same so than too very s t can will just don should now"
)
STOPWORDS = frozenset(_STOP_TEXT.split()) | frozenset(_POSTGRESQL_ENGLISH_STOP_TEXT.split())

# Structured terms: ``intervention:ketamine``, ``condition:"chronic pain"``, and alternatives joined by
# commas (``intervention:ketamine,esketamine``) as one concept. An intervention term must be among the
# study's interventions (names, other names, intervention MeSH terms); a condition term among its
# conditions or condition MeSH terms. The guide's live counts are such queries, so anyone can repeat them.
FIELDS = ("intervention", "condition")
_ITEM = r'(?:"[^"]*"|[^\s",]+)'
_FIELD_RE = re.compile(rf"(?i)\b({'|'.join(FIELDS)}):({_ITEM}(?:,{_ITEM})*)")

_BREAK_RE = re.compile(r"[,.;:!?()\[\]]$")
_GAP_BREAK_RE = re.compile(r"[,.;:!?()\[\]]")
_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Term:
    """One unit of meaning: a word (possibly a prefix) or a quoted phrase, as a tuple of tokens."""

    tokens: tuple[str, ...]
    prefix: bool = False
    phrase: bool = False
    field: str = ""  # "" anywhere in the record, else one of FIELDS: only that part of the record counts

    @property
    def text(self) -> str:
        return " ".join(self.tokens) + ("*" if self.prefix else "")


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()  # "-word": studies mentioning it rank lower, are not removed
    nct_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())  # what we changed about the input, to tell the user
    fielded: tuple[tuple[Term, ...], ...] = ()  # structured concepts, each as its alternatives
    # Adjacent query words as ordered phrases ("chronic pain" from "ketamine chronic pain"): scored only,
    # never matched on (see engine.PAIR_WEIGHT), as the ordered-window features of Metzler & Croft's
    # sequential dependence model. Only two kept, unquoted, positive, whole words with nothing between
    # them in the query (no stop word: records keep stop words' positions, so "depression after stroke"
    # never holds the phrase "depression stroke"; no comma or full stop).
    pairs: tuple[Term, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.fielded and not self.nct_ids


def _fielded(text: str) -> tuple[str, list[tuple[Term, ...]]]:
    """The structured concepts in ``text`` and the text without them."""
    concepts: list[tuple[Term, ...]] = []

    def take(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        alternatives = []
        for item in re.findall(_ITEM, match.group(2)):
            item_tokens = tuple(t for t in tokens(item.strip('"')) if t not in STOPWORDS or item.startswith('"'))
            if item_tokens:
                alternatives.append(Term(item_tokens, phrase=len(item_tokens) > 1, field=name))
        if alternatives:
            concepts.append(tuple(dict.fromkeys(alternatives)))
        return " "

    return _FIELD_RE.sub(take, text), concepts


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits of any script), as the indexes tokenize."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [t.replace("’", "'").replace("'", "")[:MAX_TOKEN_CHARS] for t in _WORD_RE.findall(folded)]


def tokens_adjacent(text: str) -> list[tuple[str, bool]]:
    """``tokens(text)``, each with whether it follows the previous one with nothing but spaces, hyphens or
    slashes between them (no comma, full stop or bracket): the words a record would hold as a phrase."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    out: list[tuple[str, bool]] = []
    end = 0
    for match in _WORD_RE.finditer(folded):
        token = match.group(0).replace("’", "'").replace("'", "")[:MAX_TOKEN_CHARS]
        out.append((token, bool(out) and _GAP_BREAK_RE.search(folded[end : match.start()]) is None))
        end = match.end()
    return out


def parse_query(raw: str, *, max_terms: int = MAX_TERMS, structured: bool = True) -> ParsedQuery:
    """``structured=False`` reads "condition:x" as two words (a patient's notes, ranked by any word)."""
    notes: list[str] = []
    text = _CONTROL_RE.sub(" ", raw or "")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"the query was cut to its first {MAX_QUERY_CHARS:,} characters")
    nct_ids: tuple[str, ...] = tuple(dict.fromkeys(m.upper() for m in re.findall(r"\bNCT\d{8}\b", text, re.I)))
    text = re.sub(r"\bNCT\d{8}\b", " ", text, flags=re.I)
    if text.count('"') % 2:
        text = text.replace('"', " ")
        notes.append("an unmatched quote was ignored")
    text, fielded = _fielded(text) if structured else (text, [])
    terms: list[Term] = []
    excluded: list[Term] = []
    pairs: list[tuple[str, str]] = []
    previous = ""  # the last kept plain word, while the next kept word may follow it
    for match in re.finditer(r'(-?)"([^"]*)"|(\S+)', text):
        negative, phrase, word = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            previous = ""
            phrase_tokens = tuple(tokens(phrase))
            if phrase_tokens:
                (excluded if negative else terms).append(Term(phrase_tokens, phrase=len(phrase_tokens) > 1))
            continue
        negative = word.startswith("-") and len(word) > 1
        prefix = word.endswith("*")
        toks = tokens(word)
        if not toks:
            previous = ""
            continue  # lone operators, "*", "NEAR(", punctuation
        for i, tok in enumerate(toks):
            if tok in STOPWORDS or (tok in {"near", "not"} and word.upper().startswith(("NEAR", "NOT"))):
                previous = ""  # "depression after stroke": no pair, the words are not adjacent in a record
                continue
            is_prefix = prefix and i == len(toks) - 1 and len(tok) >= MIN_PREFIX_CHARS
            (excluded if negative else terms).append(Term((tok,), prefix=is_prefix))
            if negative or is_prefix:
                previous = ""
                continue
            if previous and previous != tok:
                pairs.append((previous, tok))
            previous = tok
        if _BREAK_RE.search(word):
            previous = ""  # "ketamine, pain": a comma or full stop ends the run of adjacent words
    unique = list(dict.fromkeys(terms))
    if len(unique) > max_terms:
        unique = unique[:max_terms]
        notes.append(f"only the first {max_terms} words were used")
    kept = {t.tokens[0] for t in unique if not t.phrase}
    pair_terms = tuple(dict.fromkeys(Term(p, phrase=True) for p in pairs if p[0] in kept and p[1] in kept))
    return ParsedQuery(
        tuple(unique),
        tuple(dict.fromkeys(excluded)),
        nct_ids,
        tuple(notes),
        fielded=tuple(dict.fromkeys(fielded)),
        pairs=pair_terms,
    )


# --- rendering for each engine --------------------------------------------------------------------


def fts5_term(term: Term) -> str:
    """One term as FTS5 syntax: every token double-quoted, so no token is ever read as an operator."""
    quoted = " ".join(f'"{t}"' for t in term.tokens)
    if term.phrase:
        return f'"{" ".join(term.tokens)}"'
    return quoted + ("*" if term.prefix else "")


def fts5_group(alternatives: list[Term]) -> str:
    parts = [fts5_term(t) for t in alternatives]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def tsquery_term(term: Term, *, weights: str = "") -> str:
    """One term as to_tsquery syntax (tokens are letters/digits only, so they need no escaping);
    ``weights`` ("AC") keeps only matches in fields of those weight classes."""
    label = f":*{weights}" if term.prefix else f":{weights}" if weights else ""
    if len(term.tokens) == 1:
        return f"'{term.tokens[0]}'{label}"
    each = f":{weights}" if weights else ""
    return "(" + " <-> ".join(f"'{t}'{each}" for t in term.tokens) + ")"


def tsquery_group(alternatives: list[Term], *, weights: str = "") -> str:
    parts = [tsquery_term(t, weights=weights) for t in alternatives]
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"
