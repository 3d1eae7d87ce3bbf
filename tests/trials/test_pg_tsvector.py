"""The text-index document built in Python (search.tsvector) is the very tsvector PostgreSQL builds.

Searches parse queries on the server (to_tsquery('english', ...)), so a loaded study is found the same
way only if its stored document equals the server's own ``setweight(to_tsvector('english', ...))``
chain. Compared in PostgreSQL, as tsvectors, on every record of the shared data and on hostile text.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from django.db import connection

from ketnav.trials.ingest import StudyWriter
from ketnav.trials.prepare import Prepared, prepare_chunk
from ketnav.trials.search.backends.postgresql import _document_sql, pg_words
from ketnav.trials.search.documents import FIELDS
from ketnav.trials.search.tsvector import PROBE, STOP_WORDS, document
from ketnav.trials.sources import SourceItem, iter_file

pytestmark = pytest.mark.django_db

WEIGHTS = tuple(weight for _n, _w, weight in FIELDS)


def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own to_tsvector is the reference")


def _differing(docs: list[list[str]]) -> tuple[int, list[tuple[str, str, str]]]:
    """(documents compared, those whose Python text cast to tsvector differs from the server's, as
    (index, ours, the server's)). Documents ``document`` leaves to the server are not compared."""
    built = [document(fields, WEIGHTS) for fields in docs]
    keep = [i for i, text in enumerate(built) if text is not None]
    n = len(FIELDS)
    names = ", ".join(f"f{i}" for i in range(n))
    arrays = ", ".join(["%s::text[]"] * (n + 2))
    server = _document_sql()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL client_min_messages = warning")  # "word is too long to be indexed"
        cursor.execute(
            f"SELECT i, doc, ({server})::text FROM unnest({arrays}) AS t(i, doc, {names}) "
            f"WHERE doc::tsvector IS DISTINCT FROM ({server})",
            [[str(i) for i in keep], [built[i] for i in keep], *[[docs[i][k] for i in keep] for k in range(n)]],
        )
        return len(keep), list(cursor.fetchall())


def test_every_shared_record(shared_data: Path) -> None:
    _postgresql()
    compared = total = 0
    for path in sorted((shared_data / "ctgov").glob("ctgov_*.jsonl.gz")):
        items = (entry for entry in iter_file(path) if isinstance(entry, SourceItem))
        while chunk := list(itertools.islice(items, 1000)):
            prepared = [p for p in prepare_chunk(chunk) if isinstance(p, Prepared)]
            docs = [[pg_words(field) for field in p.search_fields] for p in prepared]
            n, differing = _differing(docs)
            shown = [(prepared[int(i)].nct_id, ours[:300], theirs[:300]) for i, ours, theirs in differing]
            assert differing == [], shown
            compared += n
            total += len(docs)
    # Most are built in Python; the rest (letters outside ASCII) are left to the server.
    assert total > 30_000 and compared > total * 0.9


HOSTILE = [
    "",
    "the of and",  # stop words only: positions taken, nothing stored
    "Sjögren's syndrome and Ménière's disease",
    "5 µg/kg İstanbul naïve café",
    "Sjögren SJÖGREN µg μg β-blocker γδ T cells ﬁbrosis Ⅲ x² Ångström ΟΔΟΣ Москва 2β ÿ Ÿ ß",
    "O'Brien's \\ back\\slash 'quoted' \"double\" ''",
    "COVID-19 5-HT2A IL6 A1c 12e5mg 5e5e5 3E4 1e 1e+5 e5 2024 007 x1000 NCT01234567 H2O2 CO2",
    "snake_case under__score _lead trail_",
    "x" * 999 + " " + "y" * 1000 + " " + "z" * 1001 + " " + "w" * 2047 + " " + "v" * 2048 + " " + "9" * 3000,
    "a" + "b" * 1500,
    " ".join(["patients"] * 254),
    " ".join(["patients"] * 255),
    " ".join(["patients"] * 256),
    " ".join(["patients"] * 400),
    " ".join(f"w{i % 977} the" for i in range(9000)),  # 18,000 tokens: positions capped at 16,383
    " ".join(sorted(STOP_WORDS)) + " running ran runs",
    "Added adding cardiologists generously dying skies news",
    "\t\n tabs\tand\nnewlines\r\n",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_every_field_position(text: str) -> None:
    _postgresql()
    words = pg_words(text)
    filler = pg_words("ketamine for treatment resistant depression patients")
    docs = [[words if k == i else filler for k in range(len(FIELDS))] for i in range(len(FIELDS))]
    docs += [[words] * len(FIELDS), [""] * (len(FIELDS) - 1) + [words]]
    n, differing = _differing(docs)
    assert differing == []
    assert n == len(docs) or not words.isascii()


def test_random_mixtures() -> None:
    """Fields strung from hostile pieces, with lexemes repeated across fields past 256 positions and
    documents past 16,383 tokens."""
    _postgresql()
    rnd = random.Random(20)
    pieces = [*"aeEx10 ", "12", "3e4", "9E9", "e5", "the", "The", "running", "added", "s", "t", "don", "'", "\\",
              "O'Brien", "_", "-", "1e", "12e5mg", "5e5e5", "NCT0123", "x" * 1000, "w" * 2047, "v" * 2048,
              "patients ", "caf\u00e9"]  # fmt: skip
    docs = []
    for _ in range(300):
        fields = ["".join(rnd.choice(pieces) for _ in range(rnd.choice([0, 1, 5, 40, 300]))) for _ in FIELDS]
        shape = rnd.random()
        if shape < 0.1:
            fields = [" ".join(["patients"] * rnd.choice([20, 29, 30, 40])) for _ in FIELDS]
        elif shape < 0.15:
            long = " ".join(rnd.choice(["w1", "the", "x", "patients"]) for _ in range(17_000))
            fields[rnd.randrange(len(FIELDS))] = long
        docs.append([pg_words(field) for field in fields])
    n, differing = _differing(docs)
    assert differing == []
    assert n > len(docs) // 2


def test_the_server_agrees_on_the_probe() -> None:
    _postgresql()
    assert document([pg_words(field) for field in PROBE], WEIGHTS) is not None
    assert StudyWriter().python_documents()


def test_text_the_server_would_read_differently_is_left_to_it() -> None:
    """Characters the server's locale may class or lowercase otherwise (the dotted capital I, whose
    lowercase is two characters in Python; superscripts; Roman numerals; capital sigma, lowercased by
    context in Python) and text pg_words did not make (the parser has other token types) are left to
    the server; Latin, Greek and Cyrillic letters are read here."""
    rest = [""] * (len(FIELDS) - 1)
    for text in ("İstanbul", "x²", "phase Ⅲ", "ΟΔΟΣ", "a/b", "a-b"):
        assert document([text, *rest], WEIGHTS) is None, text
    assert document(["a b", *rest], WEIGHTS) == "'b':2A"
    assert document(["Sjögren μg Ménière", *rest], WEIGHTS) is not None
