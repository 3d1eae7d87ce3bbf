"""The guide's knowledge base: loading, validation, rendering, reading grade and search (pure)."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
import yaml

from ketnav.citations.bibliography import bibliography
from ketnav.errors import ConfigurationError
from ketnav.guide.knowledge import TOPIC_ORDER, knowledge, parse_knowledge, uncited_numbers
from ketnav.guide.readability import measure, syllables
from ketnav.guide.render import rendered, to_html, to_text
from ketnav.guide.search import Document, GuideIndex


def _sources() -> tuple[dict[str, Any], dict[str, str]]:
    package = resources.files("ketnav.guide")
    data = yaml.safe_load(package.joinpath("facts.yaml").read_text(encoding="utf-8"))
    texts = {
        p.name: p.read_text(encoding="utf-8") for p in package.joinpath("topics").iterdir() if p.name.endswith(".md")
    }
    return data, texts


def test_six_topics_load_in_reading_order() -> None:
    kb = knowledge()
    assert [t.slug for t in kb.topics] == list(TOPIC_ORDER)
    assert all(t.sections and t.summary and t.last_reviewed for t in kb.topics)
    assert kb.neighbours("background") == (None, kb.topics[1])
    assert kb.neighbours("practical") == (kb.topics[4], None)


def test_every_fact_has_a_unit_a_source_and_a_resolving_citation() -> None:
    refs = bibliography()
    for fact in knowledge().facts.values():
        assert fact.unit and fact.study and fact.population
        assert fact.citations and all(c in refs for c in fact.citations)


def test_it_rejects_a_citation_that_does_not_resolve() -> None:
    data, texts = _sources()
    texts["1-background.md"] += "\nA new claim [@no-such-paper].\n"
    with pytest.raises(ConfigurationError, match="no-such-paper"):
        parse_knowledge(data, texts)


def test_it_rejects_a_fact_citing_an_unknown_reference() -> None:
    data, texts = _sources()
    data["facts"][0]["cite"] = ["made-up-2020"]
    with pytest.raises(ConfigurationError, match="made-up-2020"):
        parse_knowledge(data, texts)


@pytest.mark.parametrize("field", ["unit", "study", "population"])
def test_it_rejects_a_fact_without_a_unit_or_source(field: str) -> None:
    data, texts = _sources()
    del data["facts"][3][field]
    with pytest.raises(ConfigurationError, match=f"has no {field}"):
        parse_knowledge(data, texts)


def test_it_rejects_a_grade_c_fact_that_does_not_state_its_uncertainty() -> None:
    data, texts = _sources()
    data["facts"][3]["confidence"] = "C"
    with pytest.raises(ConfigurationError, match="grade C"):
        parse_knowledge(data, texts)
    data["facts"][3]["uncertainty"] = "from memory; verify"
    assert parse_knowledge(data, texts).facts[data["facts"][3]["id"]].uncertainty


@pytest.mark.parametrize("value", ["about 5", [9, 3], True, None])
def test_it_rejects_a_value_that_is_not_a_number_or_range(value: Any) -> None:
    data, texts = _sources()
    data["facts"][3]["value"] = value
    with pytest.raises(ConfigurationError, match=r"value|range"):
        parse_knowledge(data, texts)


def test_it_rejects_a_sentence_with_an_uncited_number() -> None:
    data, texts = _sources()
    texts["6-practical.md"] += "\nMost clinics charge 600 dollars a session.\n"
    with pytest.raises(ConfigurationError, match="number without a citation"):
        parse_knowledge(data, texts)


def test_uncited_number_check_ignores_list_markers_and_link_targets() -> None:
    text = "1. **Step one** has no number.\n2. See [the table](/guide/2024/) now.\nIt was 12 weeks [@glue-2017]."
    assert uncited_numbers(text) == []
    assert uncited_numbers("It lasted 12 weeks. Then it ended [@glue-2017].") == ["It lasted 12 weeks."]


def test_it_rejects_a_marker_that_refers_to_nothing() -> None:
    data, texts = _sources()
    texts["2-comparative.md"] += "\n{{fact:not-a-fact}}\n"
    with pytest.raises(ConfigurationError, match="refers to nothing"):
        parse_knowledge(data, texts)


def test_it_rejects_a_missing_topic() -> None:
    data, texts = _sources()
    del texts["3-modalities.md"]
    with pytest.raises(ConfigurationError, match="one page for each"):
        parse_knowledge(data, texts)


def test_facts_display_with_their_units() -> None:
    facts = knowledge().facts
    assert facts["feder-2021-response-ketamine"].display == "67%"
    assert facts["esketamine-large-bp-rise"].display == "8–19%"
    assert facts["ssri-catch-up-weeks"].display == "8 weeks"
    assert facts["glue-2017-onset"].display == "1 hour"
    assert facts["esketamine-first-month-cost"].display == "$5,572"
    assert facts["esketamine-later-month-cost"].display == "$1,699–$2,244"
    assert facts["ketalar-approval-year"].display == "1970"


def test_citations_render_as_links_to_the_references_page() -> None:
    kb = knowledge()
    out = to_html("Calmer within {{fact:glue-2017-onset}} [@glue-2017; @glue-2018].", kb)
    assert 'href="/guide/references/#ref-glue-2017"' in out and ">Glue 2018</a>" in out
    assert 'href="#fact-glue-2017-onset"' in out and ">1 hour</a>" in out
    assert to_text("Calmer within {{fact:glue-2017-onset}} [@glue-2017].", kb, citations=True) == (
        "Calmer within 1 hour [Glue 2017]."
    )


def test_rendered_text_is_escaped() -> None:
    out = to_html("A <script>alert(1)</script> test [@glue-2017].", knowledge())
    assert "<script>" not in out


def test_every_topic_lists_the_sources_of_its_numbers() -> None:
    for topic in knowledge().topics:
        page = rendered(topic.slug)
        assert page is not None
        ids = {r.id for r in page.references}
        assert {c for f in page.facts for c in f.citations} <= ids


def test_readability_matches_hand_counts() -> None:
    assert [syllables(w) for w in ("cat", "table", "ketamine", "readability", "the")] == [1, 2, 3, 5, 1]
    r = measure("The cat sat on the mat. It was happy.")
    assert (r.words, r.sentences, r.syllables) == (9, 2, 10)
    assert r.grade == pytest.approx(0.39 * 9 / 2 + 11.8 * 10 / 9 - 15.59)


def test_every_page_reads_at_about_grade_eight_or_below() -> None:
    grades = {t.slug: rendered(t.slug).readability.grade for t in knowledge().topics}  # type: ignore[union-attr]
    assert all(3 < g <= 9 for g in grades.values()), grades


DOSE = re.compile(r"\d\s*(?:mg|mcg|µg|ml|milligrams?)\b|mg/kg|per kilogram", re.I)


def test_no_page_tells_anyone_what_dose_to_take() -> None:
    for topic in knowledge().topics:
        page = rendered(topic.slug)
        assert page is not None
        html = page.intro_html + "".join(s.html for s in page.sections)
        text = re.sub(r"<[^>]+>", " ", html)
        assert not DOSE.search(text), (topic.slug, DOSE.search(text))
        assert not re.search(r"\byou should (?:take|use|ask for) \d", text, re.I)


def test_guide_search_finds_sections_and_uses_synonyms() -> None:
    index = GuideIndex(
        [
            Document("a", "Topic A", "ptsd", "PTSD", "Trials of infusions for post-traumatic stress."),
            Document("a", "Topic A", "spray", "Nasal spray", "Esketamine is approved for depression."),
            Document("b", "Topic B", "pay", "Paying", "Insurance and payment plans."),
        ]
    )
    hits = index.search("ptsd")
    assert hits[0].document.section_id == "ptsd"
    synonyms: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {("spravato",): (("esketamine",),)}
    assert index.search("spravato", synonyms=synonyms)[0].document.section_id == "spray"
    assert index.search("pay*")[0].document.section_id == "pay"
    assert any(matched for _, matched in index.search("esketamine depression")[0].snippet)


@pytest.mark.parametrize("raw", ['"unbalanced', "NEAR(", "*", "\x00\x01", "x" * 10_000, "кетамин 氯胺酮", ""])
def test_guide_search_survives_hostile_queries(raw: str) -> None:
    index = GuideIndex([Document("a", "A", "s", "Section", "Some text about ketamine.")])
    assert isinstance(index.search(raw), list)


def test_sustain1_relapse_figures_are_for_the_176_stable_remitters() -> None:
    facts = knowledge().facts
    assert facts["sustain1-remitters-n"].value == 176
    assert facts["sustain1-relapse-esketamine"].n == facts["sustain1-relapse-placebo"].n == 176


def test_comparison_table_where_you_take_it_agrees_with_the_route_table() -> None:
    from ketnav.pharmacology.comparison import route_rows

    row = next(r for r in knowledge().tables["ketamine-vs-ssri"].rows if r[0] == "Where you take it")
    ketamine_cell = row[1]
    for route in route_rows():
        setting = route.facts["setting"].lower()
        if "home" in setting:
            assert "home" in ketamine_cell and "fda-compounded-ketamine-2023" in ketamine_cell, route.route
        if "clinic" in setting:
            assert "clinic" in ketamine_cell, route.route


@pytest.mark.parametrize(
    ("slug", "cites", "words"),
    [
        ("safety", {"fda-compounded-ketamine-2023"}, ("at home", "FDA")),
        ("safety", {"spravato-label", "ketalar-pi"}, ("Slowed or shallow breathing",)),
        ("safety", {"spravato-label"}, ("Euphoria, tolerance and misuse",)),
        ("safety", {"ketalar-pi", "winstock-2012"}, ("Bladder problems", "used ketamine for a long time")),
        ("safety", {"spravato-label"}, ("peaks about",)),
        ("safety", {"ketalar-patient-info", "spravato-label"}, ("24 hours or more", "next day after a restful sleep")),
        ("applications", {"ekstrand-2022", "fedgchin-2019"}, ("Not every trial favoured ketamine",)),
        ("applications", {"tully-2022", "whittaker-2021"}, ("systematic reviews",)),
        ("comparative", {"mendez-2024"}, ("caught up",)),
    ],
)
def test_the_guide_covers_what_issue_14_asked_for_with_sources(
    slug: str, cites: set[str], words: tuple[str, ...]
) -> None:
    topic = next(t for t in knowledge().topics if t.slug == slug)
    for word in words:
        assert word in topic.markdown, (slug, word)
    assert cites <= set(re.findall(r"@([a-z0-9-]+)", topic.markdown)), slug
