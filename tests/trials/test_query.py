"""Query parsing is pure: hostile input never survives as engine syntax."""

from __future__ import annotations

import pytest

from ketnav.text.query import MAX_QUERY_CHARS, Term, fts5_group, parse_query, tsquery_group
from ketnav.text.synonyms import build_table, expand

HOSTILE = [
    'ketamine" OR 1=1 --', "NEAR(ketamine anxiety, 2)", "*", "ketamine AND", "OR OR OR", '"unbalanced',
    "anx\x00iety\x07", "a" * 10_000, "кетамин 氯胺酮 ketamine", "col:ketamine", "^ketamine", "{title}: x",
    "ketamine -", "-", "'; DROP TABLE trials_study; --", "\\", "((((", "ketamine)", "NOT", "tre*tment",
]  # fmt: skip


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_input_becomes_plain_tokens(raw: str) -> None:
    parsed = parse_query(raw)
    for term in parsed.terms:
        for token in term.tokens:
            assert token.isalnum(), token
        rendered = fts5_group([term])
        assert rendered.count('"') % 2 == 0
        assert "NEAR(" not in rendered
        tsq = tsquery_group([term])
        assert ";" not in tsq and "--" not in tsq


def test_long_query_is_cut_with_a_note() -> None:
    parsed = parse_query("ketamine " * 2_000)
    assert any(str(MAX_QUERY_CHARS) in n.replace(",", "") for n in parsed.notes)
    assert parsed.terms[0] == Term(("ketamine",))
    assert len(parsed.terms) <= 2  # repeats collapse; at most a cut-off word remains


def test_phrases_prefixes_exclusions_and_ids() -> None:
    parsed = parse_query('"treatment resistant depression" keta* -placebo NCT04179266 the')
    assert parsed.terms == (Term(("treatment", "resistant", "depression"), phrase=True), Term(("keta",), prefix=True))
    assert parsed.excluded == (Term(("placebo",)),)
    assert parsed.nct_ids == ("NCT04179266",)


def test_unbalanced_quote_is_reported() -> None:
    parsed = parse_query('"ketamine anxiety')
    assert "an unmatched quote was ignored" in parsed.notes
    assert [t.text for t in parsed.terms] == ["ketamine", "anxiety"]


def test_mixed_scripts_keep_their_words() -> None:
    parsed = parse_query("кетамин ketamine")
    assert [t.text for t in parsed.terms] == ["кетамин", "ketamine"]


def test_rendering() -> None:
    term = Term(("post", "traumatic"), phrase=True)
    assert fts5_group([Term(("ketamine",)), term]) == '("ketamine" OR "post traumatic")'
    assert tsquery_group([Term(("keta",), prefix=True)]) == "'keta':*"
    assert tsquery_group([term]) == "('post' <-> 'traumatic')"


def test_curated_synonyms_link_both_ways() -> None:
    table = build_table()
    [group] = expand([Term(("spravato",))], table)
    assert Term(("esketamine",)) in group
    [group] = expand([Term(("esketamine",))], table)
    assert Term(("spravato",)) in group and Term(("s", "ketamine"), phrase=True) in group
    [group] = expand([Term(("arketamine",))], table)
    assert Term(("r", "ketamine"), phrase=True) in group
    [group] = expand([Term(("ketamine",))], table)
    assert group[0] == Term(("ketamine",)) and Term(("ketalar",)) in group


def test_multiword_names_are_joined_before_expansion() -> None:
    groups = expand([Term(("treatment",)), Term(("resistant",)), Term(("depression",))], build_table())
    assert len(groups) == 1
    assert Term(("trd",)) in groups[0]


def test_learned_synonyms_need_two_studies() -> None:
    assert ("ketodex",) not in build_table([("ketamine", "ketodex", 1)])
    assert ("ketodex",) in build_table([("ketamine", "ketodex", 2)])


def test_a_prefix_needs_three_letters() -> None:
    assert parse_query("de*").terms == (Term(("de",)),)
    assert parse_query("dep*").terms == (Term(("dep",), prefix=True),)


def test_structured_terms_are_parsed_as_concepts_of_one_field() -> None:
    parsed = parse_query('intervention:ketamine,esketamine Condition:"chronic pain",fibromyalgia adults')
    assert [t.text for t in parsed.terms] == ["adults"]
    assert [[(t.field, t.text, t.phrase) for t in c] for c in parsed.fielded] == [
        [("intervention", "ketamine", False), ("intervention", "esketamine", False)],
        [("condition", "chronic pain", True), ("condition", "fibromyalgia", False)],
    ]
    assert parse_query("dose:10 mg").fielded == ()  # only the two known fields are structured
    assert parse_query("condition:").fielded == () and parse_query("condition:the").fielded == ()
    notes = parse_query("Condition: stable diabetes", structured=False)  # a patient's notes: plain words
    assert notes.fielded == () and [t.text for t in notes.terms] == ["condition", "stable", "diabetes"]


def test_a_field_carries_a_term_as_the_indexes_stem_it() -> None:
    from ketnav.trials.search.fields import carries

    depression = Term(("depression",), field="condition")
    assert carries(depression, ["Depressive Disorder, Major"])
    assert carries(Term(("chronic", "pain"), phrase=True), ["Chronic Pains"])
    assert not carries(Term(("chronic", "pain"), phrase=True), ["Pain, chronic"])  # a phrase keeps its order
    assert not carries(Term(("ketamine",)), ["Esketamine"])  # a different word, not a prefix
    assert carries(Term(("ketam",), prefix=True), ["Ketamine hydrochloride"])
    assert not carries(depression, ["Anxiety"])


@pytest.mark.parametrize(
    ("raw", "pairs"),
    [
        ("ketamine chronic pain", ["ketamine chronic", "chronic pain"]),
        ("depression after stroke", []),  # a stop word between: records keep its place, no phrase
        ("cluster headache, glaucoma", ["cluster headache"]),
        ('ketamine "chronic pain" relief', []),  # a quoted phrase is a term of its own
        ("ketamine -cancer pain", []),
        ("treat* resistant depression", ["resistant depression"]),
        ("pain pain relief", ["pain relief"]),
    ],
)
def test_adjacent_words_make_pairs(raw: str, pairs: list[str]) -> None:
    assert [p.text for p in parse_query(raw).pairs] == pairs
    assert all(p.phrase for p in parse_query(raw).pairs)


def test_pairs_never_change_the_terms() -> None:
    assert parse_query("cluster headache, glaucoma").terms == parse_query("cluster headache glaucoma").terms
    cut = parse_query(" ".join(f"w{i} w{i + 1}" for i in range(40)), max_terms=5)
    kept = {t.tokens[0] for t in cut.terms}
    assert cut.pairs and all(set(p.tokens) <= kept for p in cut.pairs)
