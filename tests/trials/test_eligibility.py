"""The per-criterion pre-screen (issue 18 §4) on a real record and on small, readable cases."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ketnav.trials.eligibility import (
    Answers,
    CriteriaCache,
    assess,
    build_profile,
    parse_criterion,
    parse_profile,
    parse_study,
    prescreen_eligibility,
)
from ketnav.trials.normalize_v2 import normalize_v2
from ketnav.trials.record import Eligibility, StudyRecord


@pytest.fixture(scope="module")
def cluster_headache_study(shared_data: Path) -> StudyRecord:
    """NCT04179266: intranasal ketamine for chronic cluster headache (18 to 60 years, IOP exclusion)."""
    with gzip.open(shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            if "NCT04179266" in line:
                study = json.loads(line)
                if study["protocolSection"]["identificationModule"]["nctId"] == "NCT04179266":
                    return normalize_v2(study).record
    raise AssertionError("NCT04179266 is not in the shared data")


def test_glaucoma_is_excluded_by_the_intraocular_pressure_criterion(cluster_headache_study: StudyRecord) -> None:
    person = build_profile("A 45-year-old man with chronic cluster headache and glaucoma")
    result = prescreen_eligibility(cluster_headache_study.eligibility, person)
    assert result.verdict == "likely_excluded"
    assert len(result.reasons) == 1 and "intraocular pressure" in result.reasons[0]
    iop = next(c for c in result.criteria if "intraocular" in c.text)
    assert iop.kind == "exclusion" and iop.status == "met" and "glaucoma" in iop.because


def test_a_70_year_old_is_excluded_by_age(cluster_headache_study: StudyRecord) -> None:
    result = prescreen_eligibility(
        cluster_headache_study.eligibility, build_profile("A 70-year-old man with chronic cluster headache")
    )
    assert result.verdict == "likely_excluded"
    assert result.reasons and all("Age" in reason for reason in result.reasons)


def test_a_healthy_45_year_old_with_cluster_headache_is_not_excluded(cluster_headache_study: StudyRecord) -> None:
    text = "A 45-year-old with chronic cluster headache, 82 kg, BMI 25, no other illness"
    result = prescreen_eligibility(cluster_headache_study.eligibility, build_profile(text))
    assert result.verdict != "likely_excluded"
    by_text = {c.text: c for c in result.criteria}
    assert by_text["Body weight ≥50 kg and BMI ≤30"].status == "met"
    assert by_text["Diagnose: Chronic cluster headache according to ICHD-3 criteria (1)"].status == "met"
    assert by_text["Medical history with elevated intraocular pressure (e.g. glaucoma)"].status == "not_met"
    # what was not said stays open, as a question for the study team
    assert any("blood pressure" in q for q in result.questions)
    assert "not a decision" in result.notice


def test_negations_in_a_description() -> None:
    person = parse_profile("32-year-old woman, no history of psychosis, denies alcohol use, smokes 10 cigarettes a day")
    assert person.age == 32 and person.sex == "F"
    assert person.fact("psychosis") is not None and person.fact("psychosis").present is False  # type: ignore[union-attr]
    assert person.fact("alcohol").present is False  # type: ignore[union-attr]
    smoking = person.fact("smoking")
    assert smoking is not None and smoking.present and smoking.current is True
    assert person.fact("bipolar") is None  # not said: unknown, never assumed


def test_relatives_illnesses_are_not_the_person() -> None:
    person = parse_profile("A 40-year-old man. His father has bipolar disorder. Family history of diabetes.")
    assert person.fact("bipolar") is None and person.fact("diabetes") is None


def test_criteria_limits_and_windows() -> None:
    bp = parse_criterion(
        "BP at baseline (Systolic\\> 140 mmHg or / and diastolic blood pressure\\> 90 mm Hg)", "exclusion"
    )
    assert {limit.measure for limit in bp.limits} == {"systolic", "diastolic"} and bp.any_of
    drugs = parse_criterion("Consumption of illegal drugs within the last 6 months", "exclusion")
    assert drugs.window == "within the last 6 months"
    no_psychosis = parse_criterion("No history of psychosis", "inclusion")
    assert no_psychosis.concepts[0].negated


def test_answers_win_over_the_description_and_male_cannot_be_pregnant(cluster_headache_study: StudyRecord) -> None:
    answers = Answers(age=45, sex="M", facts={"glaucoma": False, "cluster_headache": True}, systolic=120, diastolic=80)
    person = build_profile("glaucoma", answers)
    assert person.fact("glaucoma").present is False  # type: ignore[union-attr]
    assert person.fact("pregnancy").present is False  # type: ignore[union-attr]
    result = prescreen_eligibility(cluster_headache_study.eligibility, person)
    bp = next(c for c in result.criteria if c.text.startswith("BP measured"))
    assert bp.status == "not_met"


def test_unknown_concepts_in_answers_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown concept"):
        Answers(facts={"not-a-concept": True})


def test_women_only_criteria_do_not_apply_to_men() -> None:
    eligibility = Eligibility(
        criteria="Inclusion Criteria:\n* Women of childbearing potential must use contraception\n"
        "Exclusion Criteria:\n* Pregnant or breastfeeding women",
    )
    result = prescreen_eligibility(eligibility, parse_profile("50-year-old man"))
    assert [c.status for c in result.criteria] == ["met", "not_met"]
    assert result.verdict == "likely_eligible"


def test_the_cache_parses_each_study_once(cluster_headache_study: StudyRecord) -> None:
    cache = CriteriaCache(max_studies=2)
    first = cache.get("NCT04179266", cluster_headache_study.eligibility)
    assert cache.get("NCT04179266", cluster_headache_study.eligibility) is first
    assert (cache.hits, cache.misses, len(cache)) == (1, 1, 1)


# Floors below the figures measured on the labelled set (overall 0.842 with the 50 development pairs
# added for issue 18, held-out 0.716 at this commit); the figures are computed from
# tests/data/eligibility_pairs.jsonl every run, never stored answers.
OVERALL_FLOOR = 0.83
HELD_OUT_FLOOR = 0.70


def test_accuracy_on_the_hand_labelled_pairs_is_computed_from_the_file(shared_data: Path) -> None:
    from benchmarks.eligibility_accuracy import PAIRS, held_out, load_pairs, load_topics, measure

    pairs = load_pairs(PAIRS)
    assert len(pairs) >= 200
    assert {p["expected"] for p in pairs} == {"met", "not_met", "unknown"} and all(p["why"] for p in pairs)
    assert sum(held_out(p["topic"]) for p in pairs) >= 60  # topics divisible by 3, kept out of rule writing
    topics = load_topics(shared_data / "trec-ct" / "trialgpt" / "dataset" / "trec_2021" / "queries.jsonl")
    accuracy = measure(pairs, topics)
    right, total = accuracy.of()
    assert total == len(pairs)
    assert right / total >= OVERALL_FLOOR
    held_right, held_total = accuracy.of(held=True)
    assert held_right / held_total >= HELD_OUT_FLOOR


@pytest.mark.parametrize(
    ("person", "expected"),
    [("70-year-old woman", "met"), ("50-year-old man", "met"), ("30-year-old woman", "unknown")],
)
def test_a_negative_pregnancy_test_for_women_of_childbearing_potential(person: str, expected: str) -> None:
    criterion = parse_criterion(
        "A WOCBP must have a negative serum pregnancy test within 24 hours before dosing", "inclusion"
    )
    assert assess(criterion, parse_profile(person)).status == expected


def test_list_debris_is_not_a_criterion() -> None:
    """A registry item of only "\\-" once became the question 'does this apply to you? "\\-"'."""
    text = "Inclusion Criteria:\n\n* Age 18 or over\n* \\-\n\nExclusion Criteria:\n\n* 1.\n* Pregnancy"
    parsed = parse_study(Eligibility(criteria=text))
    assert [c.text for c in parsed.criteria] == ["Age 18 or over", "Pregnancy"]
