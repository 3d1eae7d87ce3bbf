"""benchmarks/engine_compare.py's tantivy side finds what it is asked for, so its timings are of real searches
(not of queries that silently match nothing) over the same nine fields our loader computes."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

pytest.importorskip("tantivy")

from benchmarks.engine_compare import build_tantivy, cases, tantivy_parse, tantivy_search, tantivy_text

from ketnav.trials.prepare import Prepared, prepare_item
from ketnav.trials.sources import SourceItem, iter_sources


@pytest.fixture(scope="module")
def real_documents(shared_data: Path) -> list[tuple[str, tuple[str, ...]]]:
    entries = iter_sources([shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz"])
    items = [e for e in itertools.islice(entries, 150) if isinstance(e, SourceItem)]
    prepared = [p for p in map(prepare_item, items) if isinstance(p, Prepared)]
    return [(p.nct_id, p.search_fields) for p in prepared]


def test_tantivy_finds_each_study_by_its_number_and_its_title_words(
    real_documents: list[tuple[str, tuple[str, ...]]], tmp_path: Path
) -> None:
    import tantivy

    build_tantivy(real_documents, tmp_path)
    index = tantivy.Index.open(str(tmp_path))
    searcher = index.searcher()
    assert searcher.num_docs == len(real_documents)
    for nct, fields in real_documents[:20]:
        assert tantivy_search(index, searcher, nct, "all")[0] == nct
        title = fields[1]
        if title:
            assert nct in tantivy_search(index, searcher, title, "all", k=len(real_documents))


def test_every_timed_query_parses_and_structured_terms_keep_to_their_fields(tmp_path: Path) -> None:
    import tantivy
    from benchmarks.engine_compare import tantivy_schema

    index = tantivy.Index(tantivy_schema(), path=str(tmp_path))
    kinds = {kind for kind, _text, _match in cases()}
    assert kinds == {"free text", "guide live count", "described person"}
    for kind, text, match in cases():
        translated = tantivy_text(text, match)
        assert translated, text
        tantivy_parse(index, translated)
        if kind == "guide live count":
            assert "intervention:" not in translated and "interventions:" in translated
