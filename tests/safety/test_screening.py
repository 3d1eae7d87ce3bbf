"""Every screening rule fires on the answer that should trigger it, and not on answers that should not."""

from __future__ import annotations

from typing import Any

import pytest

from ketnav.citations.bibliography import bibliography
from ketnav.errors import InvalidInput
from ketnav.safety.medications import vocabulary
from ketnav.safety.screening import CONDITIONS, Rule, parse_answers, rules, screen


def _medication_for(rule: Rule) -> str:
    wanted = rule.trigger["medication_class"]
    classes = set(wanted if isinstance(wanted, list) else [wanted])
    excluded = set(rule.trigger.get("except_class", []))
    meds, _names = vocabulary()
    return next(
        m.brands[0] if m.brands else m.generic
        for m in meds.values()
        if classes & set(m.classes) and not excluded & set(m.classes)
    )


def triggering_answers(rule: Rule) -> dict[str, Any]:
    kind = next(k for k in rule.trigger if k != "except_class")
    wanted = rule.trigger[kind]
    if kind == "condition":
        return {"conditions": [wanted]}
    if kind == "medication_class":
        return {"medications": [_medication_for(rule)]}
    if kind == "blood_pressure_at_least":
        return {"blood_pressure": f"{wanted['systolic']}/{min(wanted['diastolic'], wanted['systolic'] - 1) - 1}"}
    if kind in {"pregnant", "breastfeeding"}:
        return {kind: True}
    if kind == "age_below":
        return {"age": wanted - 1}
    if kind in {"substance_use", "prior_ketamine"}:
        return {kind: [wanted]}
    if kind == "suicidal_thoughts":
        return {"suicidal_thoughts": wanted[-1]}
    raise AssertionError(f"no test answers for trigger {kind}")


def near_miss_answers(rule: Rule) -> dict[str, Any]:
    """Answers on the safe side of the same question."""
    kind = next(k for k in rule.trigger if k != "except_class")
    wanted = rule.trigger[kind]
    if kind == "condition":
        return {"conditions": [c for c in CONDITIONS if c != wanted][:1]}
    if kind == "medication_class":
        return {"medications": ["paracetamol"]}
    if kind == "blood_pressure_at_least":
        return {"blood_pressure": f"{wanted['systolic'] - 1}/{wanted['diastolic'] - 1}"}
    if kind in {"pregnant", "breastfeeding"}:
        return {kind: False}
    if kind == "age_below":
        return {"age": wanted}
    if kind in {"substance_use", "prior_ketamine"}:
        return {kind: ["none"]}
    if kind == "suicidal_thoughts":
        return {"suicidal_thoughts": "none"}
    raise AssertionError(kind)


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r.id)
def test_rule_triggers(rule: Rule) -> None:
    result = screen(parse_answers(triggering_answers(rule)))
    fired = {f.rule.id: f for f in result.findings}
    assert rule.id in fired
    assert fired[rule.id].because
    assert all(ref.link for ref in fired[rule.id].references)


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r.id)
def test_rule_does_not_trigger_on_the_safe_answer(rule: Rule) -> None:
    result = screen(parse_answers(near_miss_answers(rule)))
    assert rule.id not in {f.rule.id for f in result.findings}


def test_every_rule_citation_resolves_and_every_severity_is_known() -> None:
    refs = bibliography()
    for rule in rules():
        assert rule.citations
        assert set(rule.citations) <= set(refs)
        assert rule.severity in {"contraindication", "specialist_review", "precaution", "information"}
        assert rule.patient and rule.clinician and rule.question


def test_the_issue_example_reports_maoi_and_blood_pressure_with_sources() -> None:
    result = screen(parse_answers({"age": 45, "medications": ["Nardil"], "blood_pressure": "165/102"}))
    fired = {f.rule.id: f for f in result.findings}
    assert set(fired) == {"maoi", "blood-pressure-above-140-90"}
    assert fired["maoi"].because == "you take Nardil (phenelzine)"
    assert "spravato-label" in {r.id for r in fired["maoi"].references}
    assert "165/102" in fired["blood-pressure-above-140-90"].because


def test_unrecognized_medicine_is_shown_never_passed() -> None:
    result = screen(parse_answers({"medications": ["Zorblatex 20 mg"]}))
    assert result.unrecognized == ["Zorblatex 20 mg"]
    assert any("Zorblatex" in q for q in result.questions)


@pytest.mark.parametrize(
    ("entered", "generic", "how"),
    [
        ("Xanax", "alprazolam", "brand"),
        ("xanex", "alprazolam", "misspelling"),
        ("Klonopin 0.5mg", "clonazepam", "brand"),
        ("Percocet", "oxycodone and acetaminophen", "brand"),
        ("Adderall XR 20 mg", "amphetamine", "brand"),
        ("lamotrigne", "lamotrigine", "close spelling"),
        ("St. John's Wort", "st john's wort", "misspelling"),
        ("Paxlovid", "nirmatrelvir and ritonavir", "brand"),
        ("PHENELZINE", "phenelzine", "generic"),
    ],
)
def test_medication_vocabulary(entered: str, generic: str, how: str) -> None:
    from ketnav.safety.medications import recognize

    found = recognize(entered)
    assert found.medication is not None
    assert (found.medication.generic, found.how) == (generic, how)


def test_combination_product_carries_every_class() -> None:
    result = screen(parse_answers({"medications": ["Suboxone"]}))
    assert "opioids" in {f.rule.id for f in result.findings}


@pytest.mark.parametrize(
    ("answers", "location", "message"),
    [
        ({"colour": "blue"}, "colour", "unknown field"),
        ({"blood_pressure": "400/20"}, "blood_pressure", "systolic (upper) pressure of 400"),
        ({"blood_pressure": "120/130"}, "blood_pressure", "must be below the upper number"),
        ({"blood_pressure": "high"}, "blood_pressure", "not a reading like"),
        ({"age": 130}, "age", "not an age between 0 and 120"),
        ({"age": -1}, "age", "not an age between 0 and 120"),
        ({"conditions": ["headcold"]}, "conditions", "unknown value headcold"),
        ({"pregnant": "maybe"}, "pregnant", "expected true, false or null"),
        ({"medications": "Xanax"}, "medications", "expected a list"),
        ({"suicidal_thoughts": "sometimes"}, "suicidal_thoughts", "expected one of"),
    ],
)
def test_it_rejects_bad_answers_with_a_specific_message(answers: dict[str, Any], location: str, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_answers(answers)
    assert any(d.location == location and message in d.message for d in info.value.details)


def test_urgent_findings_are_flagged() -> None:
    assert screen(parse_answers({"suicidal_thoughts": "plan"})).urgent
    assert screen(parse_answers({"blood_pressure": "190/100"})).urgent
    assert not screen(parse_answers({"blood_pressure": "150/95"})).urgent
