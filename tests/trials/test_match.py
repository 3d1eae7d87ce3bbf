"""Ranking a described person's results by fit, the crisis check, and the criteria warm-up (issue 18 s. 3, 5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ketnav.trials.eligibility import CriteriaCache, CriterionResult, Prescreen
from ketnav.trials.eligibility.crisis import touches_suicidal_thoughts
from ketnav.trials.match import prescreen_score, rank_by_fit
from ketnav.trials.search.engine import Hit


def _hit(nct: str, score: float) -> Hit:
    return Hit(nct, score, nct, "RECRUITING", (), (), (), None, None, None, None, "ALL")


def _screen(verdict: Any, *statuses: tuple[Any, Any]) -> Prescreen:
    criteria = tuple(CriterionResult(kind, "x", status, "") for kind, status in statuses)
    reasons = ("Exclusion met: x",) if verdict == "likely_excluded" else ()
    return Prescreen(verdict, criteria, (), reasons)


ELIGIBLE = _screen("likely_eligible", ("inclusion", "met"), ("exclusion", "not_met"))
POSSIBLE = _screen("possible", ("inclusion", "met"), ("exclusion", "unknown"))
EXCLUDED = _screen("likely_excluded", ("inclusion", "met"), ("exclusion", "met"))


def test_likely_excluded_go_last_and_eligible_gain_a_little() -> None:
    pairs = [(_hit("A", 10.0), EXCLUDED), (_hit("B", 9.0), POSSIBLE), (_hit("C", 8.0), ELIGIBLE)]
    ranked = rank_by_fit([*pairs, (_hit("D", 5.0), ELIGIBLE)])
    assert [m.hit.nct_id for m in ranked] == ["C", "B", "D", "A"]  # 8 x 1.25 = 10 > 9; 5 x 1.25 < 9


def test_not_prescreened_studies_keep_their_relevance() -> None:
    ranked = rank_by_fit([(_hit("A", 3.0), None), (_hit("B", 2.0), POSSIBLE)])
    assert [m.hit.nct_id for m in ranked] == ["A", "B"]


def test_prescreen_score_orders_the_verdicts() -> None:
    assert prescreen_score(EXCLUDED) < 1 <= prescreen_score(POSSIBLE) < 2 <= prescreen_score(ELIGIBLE)


@pytest.mark.parametrize(
    ("text", "crisis"),
    [
        ("I have been having suicidal thoughts", True),
        ("sometimes I want to die", True),
        ("history of self-harm at 16", True),
        ("no suicidal thoughts", True),  # on purpose: the crisis check does not read negations
        ("denies suicidal ideation", True),
        ("generalized anxiety, takes sertraline", False),
        ("no psychosis, but suicidal thoughts last week", True),
        ("not able to stop thinking about suicide", True),
    ],
)
def test_touches_suicide(text: str, crisis: bool) -> None:
    assert touches_suicidal_thoughts(text, None) is crisis


@pytest.mark.django_db(transaction=True)
def test_warm_criteria_fills_the_cache_open_studies_first(
    tmp_path: Path, v2_studies: dict[str, dict[str, Any]]
) -> None:
    from ketnav.trials.loading import load_paths
    from ketnav.trials.models import Study
    from ketnav.trials.record import OPEN_STATUSES
    from ketnav.trials.selectors import warm_criteria

    path = tmp_path / "some.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in list(v2_studies.values())[:30]))
    load_paths([path], workers=1)
    cache = CriteriaCache(max_studies=5)
    assert warm_criteria(cache) == 5 and len(cache) == 5
    open_ids = set(Study.objects.filter(overall_status__in=OPEN_STATUSES).values_list("nct_id", flat=True))
    cached = {nct for nct, _version in cache._entries}
    assert cached <= open_ids or open_ids <= cached
    everything = CriteriaCache()
    assert warm_criteria(everything) == Study.objects.count() == len(everything)


def test_trec_questionnaire_topics_read_like_a_persons_answers() -> None:
    from benchmarks.trec import questionnaire_text

    from ketnav.trials.eligibility import build_profile
    from ketnav.trials.patient_query import patient_query

    fields = [
        ("definitive diagnosis", "yes"),
        ("age", "39"),
        ("HAM-A", "20"),
        ("GAD-7", ""),
        ("suicidal ideation", "yes"),
        ("dementia", "no"),
    ]
    text = questionnaire_text("anxiety", fields)
    assert text == (
        "anxiety. diagnosed with anxiety. 39 years old. HAM-A 20. history of suicidal ideation. no dementia"
    )
    query = patient_query(text)
    assert query.text.startswith("anxiety") and "dementia" not in query.text and query.age == 39
    assert "definitive" not in query.text and "age" not in query.text.split()
    assert "stroke" not in patient_query(questionnaire_text("sickle cell anemia", [("stroke history", "never")])).text
    profile = build_profile(text)
    assert profile.values["hama"].number == 20
    assert profile.facts["suicidal"].present and not profile.facts["dementia"].present
    assert touches_suicidal_thoughts(text, None)


@pytest.mark.django_db(transaction=True)
def test_serve_warm_up_parses_criteria_into_the_app_cache(
    tmp_path: Path, v2_studies: dict[str, dict[str, Any]]
) -> None:
    from ketnav.cli.serve import _warm_criteria
    from ketnav.trials.apps import criteria_cache
    from ketnav.trials.loading import load_paths

    path = tmp_path / "some.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in list(v2_studies.values())[:10]))
    load_paths([path], workers=1)
    _warm_criteria()
    # The app's cache lives for the whole test process (other tests may have filled it): ask it for each
    # loaded study's criteria now, and every one must be a hit.
    from ketnav.trials.selectors import parsed_criteria

    cache = criteria_cache()
    hits, misses = cache.hits, cache.misses
    ids = [study["protocolSection"]["identificationModule"]["nctId"] for study in list(v2_studies.values())[:10]]
    assert len(parsed_criteria(ids, cache)) == 10  # what a described person's search asks for
    assert (cache.hits - hits, cache.misses - misses) == (10, 0)


@pytest.mark.django_db(transaction=True)
def test_warm_criteria_asks_before_every_batch(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    """A server passes "wait until no request is in flight" (ketnav.web.activity): asked before each batch."""
    from ketnav.trials.loading import load_paths
    from ketnav.trials.selectors import warm_criteria

    path = tmp_path / "some.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in list(v2_studies.values())[:10]))
    load_paths([path], workers=1)
    asked: list[int] = []
    cache = CriteriaCache()
    assert warm_criteria(cache, batch=4, before_batch=lambda: asked.append(len(cache))) == 10
    assert asked == [0, 4, 8]  # three batches, each asked for before it is parsed


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("48 M with a h/o HTN, hyperlipidemia and tobacco abuse", 48.0, "M"),
        ("74M hx of CAD s/p CABG", 74.0, "M"),
        ("A 3-day-old Asian female infant presents with jaundice", round(3 / 365.25, 3), "F"),
        ("Fernandez is a 41 year man who plays soccer", 41.0, "M"),
        ("Temperature 101 F on arrival.", None, ""),  # a temperature, not a header
        ("3 years of depression, treated with sertraline", None, ""),  # a duration, not an age
    ],
)
def test_a_description_says_age_and_sex_the_way_clinical_notes_write_them(
    text: str, age: float | None, sex: str
) -> None:
    from ketnav.trials.patient_query import patient_query

    query = patient_query(text)
    assert (query.age, query.sex) == (age, sex)


def test_a_patient_query_searches_the_same_words_with_its_adjacent_pairs() -> None:
    """The commas between runs of adjacent words change no search word, only which pairs are phrases."""
    from ketnav.text.query import MAX_TERMS_LONG, parse_query
    from ketnav.trials.patient_query import patient_query

    text = (
        "A 58-year-old woman with chronic cluster headache. Denies chest pain. "
        "History of glaucoma and cluster headache."
    )
    query = patient_query(text)
    parsed = parse_query(query.text, max_terms=MAX_TERMS_LONG, structured=False)
    assert [t.text for t in parsed.terms] == ["chronic", "cluster", "headache", "glaucoma"]
    assert [p.text for p in parsed.pairs] == ["chronic cluster", "cluster headache"]
