"""The per-criterion pre-screen (issue 18 §4) on a real record and on small, readable cases."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Literal

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


def test_the_cache_keeps_each_study_version_once(cluster_headache_study: StudyRecord) -> None:
    cache = CriteriaCache(max_studies=2)
    assert cache.lookup("NCT04179266", "v1") is None
    parsed = parse_study(cluster_headache_study.eligibility)
    cache.store("NCT04179266", "v1", parsed)
    assert cache.lookup("NCT04179266", "v1") is parsed
    assert cache.lookup("NCT04179266", "v2") is None  # a changed record is parsed again
    assert (cache.hits, cache.misses, len(cache)) == (1, 2, 1)


# Floors below the figures measured on the labelled sets at this commit (overall 0.876, held-out 0.851,
# fresh held-out 0.833); the figures are computed from the files every run, never stored answers. The
# overall floor was 0.90 before 92 harder development pairs (families of conditions) were added.
OVERALL_FLOOR = 0.85
HELD_OUT_FLOOR = 0.82
FRESH_FLOOR = 0.80


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


def test_the_fresh_held_out_set_is_all_held_out_topics_and_is_measured(shared_data: Path) -> None:
    """The fresh set (labelled and committed before its first evaluation) holds only held-out topics."""
    from benchmarks.eligibility_accuracy import FRESH, PAIRS, held_out, load_pairs, load_topics, measure

    fresh = load_pairs(FRESH)
    assert len(fresh) >= 80 and all(held_out(p["topic"]) for p in fresh) and all(p["why"] for p in fresh)
    assert not {(p["topic"], p["criterion"]) for p in fresh} & {(p["topic"], p["criterion"]) for p in load_pairs(PAIRS)}
    topics = load_topics(shared_data / "trec-ct" / "trialgpt" / "dataset" / "trec_2021" / "queries.jsonl")
    right, total = measure(fresh, topics).of()
    assert right / total >= FRESH_FLOOR


@pytest.mark.parametrize(
    ("person", "criterion", "kind", "expected"),
    [
        # units: 100 x 10^9/L is 100,000 per mm3
        ("Plt: 300000 /ml", "Platelet count >= 100 x 10^9/L", "inclusion", "met"),
        ("Hgb: 8 g/dl", "Hemoglobin < 8.0 g/dl", "exclusion", "not_met"),
        ("creatinine 177 umol/L", "Serum creatinine > 1.5 mg/dL", "exclusion", "met"),
        ("AST: 300 U/L", "AST > 2.5 x ULN", "exclusion", "unknown"),  # relative to a range the note does not give
        # one sex and an age range: both must hold
        ("A 41-year-old man", "Men between 45 and 80 years old", "inclusion", "not_met"),
        ("A 78-year-old man", "Men between 45 and 80 years old", "inclusion", "met"),
        # time: a dated mention against a window
        (
            "He underwent knee surgery 4 months ago.",
            "Had any surgery within the previous 2 months.",
            "exclusion",
            "not_met",
        ),
        ("She presents with an acute stroke.", "Stroke within 6 months prior to screening", "exclusion", "met"),
        ("History of hypertension.", "Hypertension within the last 2 years", "exclusion", "met"),
        # scales in Roman figures decide, not the bare diagnosis
        (
            "Heart failure, New York Heart Association class 2.",
            "Congestive heart failure > NYHA class 2",
            "exclusion",
            "not_met",
        ),
        ("Parkinson's disease, Hoehn-Yahr Stage I.", "Hoehn and Yahr stage < 3", "inclusion", "met"),
        # planned is not had
        ("She is a candidate for surgery prior to chemotherapy.", "Prior chemotherapy", "exclusion", "not_met"),
        # results said to be normal, conditions that bound a value
        (
            "Complete blood count within the normal range.",
            "Platelet count less than 100,000/mm3",
            "exclusion",
            "not_met",
        ),
        ("A 55yo woman with ESRD on hemodialysis.", "Creatinine clearance at least 60 mL/min", "inclusion", "not_met"),
        ("An obese woman.", "BMI < 25", "inclusion", "not_met"),
        # specific heart diseases do not stand for one another
        ("History of CAD.", "Atrial fibrillation", "exclusion", "unknown"),
        ("History of CAD.", "Heart disease", "exclusion", "met"),
        # gestational diabetes is not diabetes
        ("History of gestational diabetes mellitus.", "Type 2 diabetes", "exclusion", "unknown"),
        # words that narrow a condition in an inclusion must be said
        ("Hypercholesterolemia.", "Patients with statin intolerant hypercholesterolemia", "inclusion", "unknown"),
        # ages of babies, ranges written as two bounds, an inclusion's limits and conditions together
        ("A 3-day-old female infant", "Infants aged 6 months to 5 years", "inclusion", "not_met"),
        ("A 41-year-old man", "Age ≥ 18 and ≤ 40 years", "inclusion", "not_met"),
        ("TSH 5", "TSH < 0.1 or > 7 uU/mL", "exclusion", "not_met"),
        ("A 25-year-old pregnant woman", "Non-pregnant women aged 18-45", "inclusion", "not_met"),
        # the medicine an allergy is to; premenopausal; amounts of drinking and smoking
        (
            "No history of allergies to any food or drugs.",
            "Known hypersensitivity to benzodiazepines",
            "exclusion",
            "not_met",
        ),
        ("A 54-year-old menopausal woman", "Premenopausal women", "inclusion", "not_met"),
        (
            "He drinks 5 to 6 beers per week.",
            "Heavy alcohol use (greater than 14 drinks per week)",
            "exclusion",
            "not_met",
        ),
        ("He smokes 1 pack per day for 40 years.", "Smoking more than 20 cigarettes/day", "exclusion", "not_met"),
        ("He smokes 1 pack per day for 40 years.", "Former smokers with >10 pack-years", "exclusion", "met"),
        # a reason is not a condition
        (
            "Potassium 2 meq/L. Atrial fibrillation.",
            "Hyperkalemia (potassium above 5.0 mmol/L), because of the risk of arrhythmia",
            "exclusion",
            "not_met",
        ),
    ],
)
def test_general_reading_rules(person: str, criterion: str, kind: str, expected: str) -> None:
    """Small cases for the rules added from development errors and clinical knowledge (issue 18)."""
    k: Literal["inclusion", "exclusion"] = "inclusion" if kind == "inclusion" else "exclusion"
    assert assess(parse_criterion(criterion, k), build_profile(person)).status == expected


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
