"""Families of conditions in the pre-screen (issue 18): a criterion naming a family is met by any member,
a criterion naming one member is not met by the family or (for kinds of cancer) by another member.

Small readable cases written from clinical knowledge, not taken from the labelled pairs.
"""

from __future__ import annotations

from typing import Literal

import pytest

from ketnav.trials.eligibility import assess, build_profile, parse_criterion


def status(person: str, criterion: str, kind: Literal["inclusion", "exclusion"]) -> str:
    return assess(parse_criterion(criterion, kind), build_profile(person)).status


@pytest.mark.parametrize(
    ("person", "criterion", "kind", "expected"),
    [
        # the family is met by a member
        ("A 50-year-old man with glioblastoma.", "History of malignancy", "exclusion", "met"),
        ("A 40-year-old woman with major depressive disorder.", "Any psychiatric disorder", "exclusion", "met"),
        ("A 64-year-old woman with amyloidosis of the heart.", "Amyloidosis", "exclusion", "met"),
        # a member is not met by another kind of cancer, nor by the family word alone
        ("A 57-year-old man with chronic lymphocytic leukemia.", "History of melanoma", "exclusion", "not_met"),
        ("A 75-year-old man with papillary thyroid cancer.", "Non-small cell lung cancer", "inclusion", "not_met"),
        ("A 50-year-old man with a malignant tumor.", "Melanoma", "inclusion", "unknown"),
        # heart rhythm: atrial and ventricular are different; one person may have both, so unknown, not not_met
        ("A 65-year-old man with ventricular tachycardia.", "Persistent atrial fibrillation", "exclusion", "unknown"),
        ("A 65-year-old man with ventricular tachycardia.", "Atrial or ventricular arrhythmia", "exclusion", "met"),
    ],
)
def test_families_and_their_members(person: str, criterion: str, kind: str, expected: str) -> None:
    k: Literal["inclusion", "exclusion"] = "inclusion" if kind == "inclusion" else "exclusion"
    assert status(person, criterion, k) == expected


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("A 60-year-old woman with metastatic breast cancer.", "not_met"),
        ("A 60-year-old woman with multiple myeloma.", "met"),
        ("A 60-year-old woman with melanoma of the back.", "met"),
    ],
)
def test_a_family_word_heading_the_kinds_that_count(person: str, expected: str) -> None:
    """ "Cancer diagnosis is melanoma or multiple myeloma": the kinds named decide, not the word cancer."""
    assert status(person, "Cancer diagnosis is melanoma or multiple myeloma", "exclusion") == expected


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("A 40-year-old woman, otherwise healthy.", "not_met"),
        ("A 52-year-old woman with breast cancer, on paclitaxel and trastuzumab.", "met"),
    ],
)
def test_cancer_treatment_is_a_treatment_not_the_cancer(person: str, expected: str) -> None:
    assert status(person, "Receiving anticancer therapy", "exclusion") == expected


def test_men_and_women_who_is_not_women_only() -> None:
    assert status("A 70-year-old man with a stroke last year.", "Men and women who had a stroke", "inclusion") == "met"


def test_a_limit_inside_an_example_is_not_required() -> None:
    criterion = "Hypertension, or heart disease (for example, NYHA class I-III heart failure)"
    assert status("A 65-year-old man with hypertension.", criterion, "inclusion") == "met"


@pytest.mark.parametrize(
    ("person", "criterion", "kind", "expected"),
    [
        ("A 2-week-old girl born at 35 weeks of gestation.", "Premature birth", "exclusion", "met"),
        ("A 2-week-old girl born at 35 weeks of gestation.", "Term newborn", "inclusion", "not_met"),
        ("A 4 months old boy, born at 39 weeks.", "Premature birth", "exclusion", "not_met"),
        ("A 4 months old boy, born at 39 weeks.", "Younger than six months old", "inclusion", "met"),
        ("A 4 months old boy, born at 39 weeks.", "Less than one month old", "inclusion", "not_met"),
    ],
)
def test_babies_born_early_and_ages_in_words(person: str, criterion: str, kind: str, expected: str) -> None:
    """Preterm is birth before 37 completed weeks (WHO); babies' ages are often written in words."""
    k: Literal["inclusion", "exclusion"] = "inclusion" if kind == "inclusion" else "exclusion"
    assert status(person, criterion, k) == expected


@pytest.mark.parametrize(
    ("person", "criterion", "expected"),
    [
        ("A 60-year-old man with hepatitis C cirrhosis.", "Chronic liver disease", "met"),
        ("A 60-year-old man with hepatitis C cirrhosis.", "Viral hepatitis", "met"),
        ("A 60-year-old man with hepatitis C cirrhosis.", "Hepatitis B (HBsAg positive)", "unknown"),
        (
            "A 50-year-old man with chronic HCV. No alcoholic liver disease, no autoimmune hepatitis.",
            "Another form of liver disease in addition to viral hepatitis (e.g., autoimmune hepatitis, "
            "alcoholic liver disease)",
            "not_met",
        ),
    ],
)
def test_viral_hepatitis_and_another_form_in_addition_to_it(person: str, criterion: str, expected: str) -> None:
    """Hepatitis B and C are each viral hepatitis and liver disease; one is not the other; "another form of
    X in addition to Y" sets X and Y aside."""
    assert status(person, criterion, "exclusion") == expected


@pytest.mark.parametrize(
    ("person", "criterion", "kind", "expected"),
    [
        # 25-hydroxyvitamin D: 1 ng/mL = 2.496 nmol/L, whichever unit each side uses
        ("Vitamin D: 14 ng/ml.", "Vitamin D (serum 25-OHD): 50 nmol/l or less", "inclusion", "met"),
        ("Vitamin D: 30 ng/ml.", "Vitamin D (serum 25-OHD): 50 nmol/l or less", "inclusion", "not_met"),
        ("A 40-year-old woman taking vitamin D supplements.", "Intake of vitamin D", "exclusion", "met"),
        (
            "A 40-year-old woman, otherwise healthy, no medicines.",
            "Intake of 400IU vitamin D/day",
            "exclusion",
            "not_met",
        ),
        ("A 45-year-old man with pulmonary sarcoidosis.", "Granulomatous diseases", "exclusion", "met"),
        (
            "A 60-year-old woman with multiple myeloma.",
            "Multiple myeloma with measurable disease",
            "inclusion",
            "unknown",
        ),
    ],
)
def test_vitamin_d_granulomatous_and_measurable_disease(person: str, criterion: str, kind: str, expected: str) -> None:
    k: Literal["inclusion", "exclusion"] = "inclusion" if kind == "inclusion" else "exclusion"
    assert status(person, criterion, k) == expected


@pytest.mark.parametrize(("person", "expected"), [("EF 60%.", "not_met"), ("EF 35%, NYHA class III.", "met")])
def test_limits_joined_by_with_must_all_hold(person: str, expected: str) -> None:
    """ "LVEF < 50% with NYHA class >= 2": a normal ejection fraction alone rules the exclusion out."""
    assert status(person, "Known LVEF <50% with heart failure NYHA class >=2", "exclusion") == expected
