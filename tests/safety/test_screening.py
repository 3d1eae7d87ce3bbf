"""Every screening rule fires on the answer that should trigger it, and not on answers that should not."""

from __future__ import annotations

import inspect
import json
import random
from typing import Any

import pytest

from ketnav.citations.bibliography import bibliography
from ketnav.errors import InvalidInput
from ketnav.safety.answers import CONDITION_LIST, touches_suicidal_thoughts
from ketnav.safety.crisis import CRISIS_CONTACTS
from ketnav.safety.medications import vocabulary
from ketnav.safety.screening import CONDITIONS, Rule, parse_answers, rules, screen, suicidal_findings


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
    if kind == "blood_pressure_above":
        return {"blood_pressure": f"{wanted['systolic'] + 1}/{wanted['diastolic'] - 10}"}
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
    if kind == "blood_pressure_above":
        return {"blood_pressure": f"{wanted['systolic']}/{wanted['diastolic']}"}
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
    assert set(fired) == {"maoi", "blood-pressure-above-140-90", "blood-pressure-uncontrolled-range"}
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


# --- issue 14: the suicidal-thoughts pathway, hypertension, psychosis, plain names ------------------

# Every other answer, each on its own: one value per field that fires something, and one that does not.
OTHER_ANSWERS: list[dict[str, Any]] = [
    {},
    {"age": 16},
    {"age": 90},
    {"pregnant": True},
    {"breastfeeding": True},
    {"pregnant": False, "breastfeeding": False},
    {"medications": ["Nardil", "Xanax", "oxycodone", "Adderall", "theophylline", "sertraline"]},
    {"medications": ["Zorblatex 20 mg"]},
    {"blood_pressure": "120/80"},
    {"blood_pressure": "165/102"},
    {"blood_pressure": "200/125"},
    {"substance_use": "current_disorder"},
    {"substance_use": ["past_disorder"]},
    {"prior_ketamine": "misuse"},
    {"prior_ketamine": "bad_reaction"},
    {"conditions": [c.code for c in CONDITION_LIST]},
    *({"conditions": [c.code]} for c in CONDITION_LIST),
]


def _everything() -> dict[str, Any]:
    return _merge(OTHER_ANSWERS)


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for answers in parts:
        for key, value in answers.items():
            merged[key] = sorted({*merged.get(key, []), *value}) if key in {"conditions", "medications"} else value
    return merged


def test_pathway_holds_for_300_random_combinations_of_other_answers() -> None:
    """A seeded property check over mixtures of the answers above (every combination would be ~10^8)."""
    rng = random.Random(14)
    for _ in range(300):
        other = _merge(rng.sample(OTHER_ANSWERS, rng.randint(2, 8)))
        for level in ("none", "passive", "active", "plan"):
            crisis, pathway, _urgent = _crisis_and_pathway(other, level)
            assert crisis is (level != "none"), other
            assert pathway == _crisis_and_pathway({}, level)[1], other


def _crisis_and_pathway(answers: dict[str, Any], level: str) -> tuple[bool, list[str], bool]:
    result = screen(parse_answers({**answers, "suicidal_thoughts": level}))
    return result.crisis, [f.rule.id for f in result.pathway], result.urgent


@pytest.mark.parametrize("other", [*OTHER_ANSWERS, _everything()], ids=lambda a: ",".join(a) or "alone")
@pytest.mark.parametrize("level", ["passive", "active", "plan"])
def test_any_yes_to_suicidal_thoughts_starts_the_pathway_whatever_else_is_answered(
    level: str, other: dict[str, Any]
) -> None:
    crisis, pathway, urgent = _crisis_and_pathway(other, level)
    alone = _crisis_and_pathway({}, level)
    assert crisis is True
    assert pathway == alone[1] and pathway  # the same findings as when answered alone
    if level in {"active", "plan"}:
        assert urgent


@pytest.mark.parametrize("other", [*OTHER_ANSWERS, _everything()], ids=lambda a: ",".join(a) or "alone")
def test_no_suicidal_thoughts_never_shows_the_pathway(other: dict[str, Any]) -> None:
    crisis, pathway, _urgent = _crisis_and_pathway(other, "none")
    assert crisis is False and pathway == []


def test_the_pathway_depends_on_that_answer_alone() -> None:
    """suicidal_findings takes nothing but the level; screen puts its findings first, unchanged."""
    assert list(inspect.signature(suicidal_findings).parameters) == ["level"]
    passive = suicidal_findings("passive")
    assert [f.rule.id for f in passive] == ["suicidal-thoughts-passive"]
    assert not passive[0].rule.urgent and "before any treatment" in passive[0].rule.patient
    assert [f.rule.id for f in suicidal_findings("plan")] == ["suicidal-thoughts-urgent"]
    assert suicidal_findings("none") == []
    result = screen(parse_answers({**_everything(), "suicidal_thoughts": "passive"}))
    assert result.findings[: len(result.pathway)] == result.pathway == passive


def test_passive_thoughts_answer_gives_a_finding_and_988() -> None:
    from ketnav.safety.serialize import screening_dict

    body = screening_dict(screen(parse_answers({"suicidal_thoughts": "passive"})))
    assert next(iter(body)) == "crisis"  # the first thing in the result
    assert "988" in json.dumps(body["crisis"])
    assert [f["rule"] for f in body["safety_pathway"]] == ["suicidal-thoughts-passive"]
    assert body["findings"]["specialist_review"][0]["rule"] == "suicidal-thoughts-passive"
    assert len(body["crisis"]["contacts"]) == len(CRISIS_CONTACTS)


@pytest.mark.parametrize(
    ("raw", "touches"),
    [
        ({"suicidal_thoughts": "passive", "blood_pressure": "nonsense"}, True),
        ({"suicidal_thoughts": " Active "}, True),
        ({"suicidal_thoughts": "none"}, False),
        ({}, False),
        ([], False),
    ],
)
def test_crisis_is_recognised_before_any_other_validation(raw: Any, touches: bool) -> None:
    assert touches_suicidal_thoughts(raw) is touches


def test_uncontrolled_hypertension_with_165_over_102_is_a_contraindication_citing_ketalar() -> None:
    result = screen(parse_answers({"conditions": ["uncontrolled_hypertension"], "blood_pressure": "165/102"}))
    contra = {f.rule.id: f for f in result.by_severity["contraindication"]}
    assert "uncontrolled-hypertension" in contra
    assert "ketalar-pi" in {r.id for r in contra["uncontrolled-hypertension"].references}
    assert "significant elevation of blood pressure" in contra["uncontrolled-hypertension"].rule.clinician


@pytest.mark.parametrize(
    ("reading", "contraindicated"),
    [("181/80", True), ("150/101", True), ("180/100", False), ("179/99", False), ("120/80", False)],
)
def test_a_reading_above_180_or_100_alone_is_a_contraindication(reading: str, contraindicated: bool) -> None:
    result = screen(parse_answers({"blood_pressure": reading}))
    fired = {f.rule.id: f for f in result.by_severity["contraindication"]}
    assert ("blood-pressure-uncontrolled-range" in fired) is contraindicated
    if contraindicated:
        assert {r.id for r in fired["blood-pressure-uncontrolled-range"].references} >= {"ketamin-sintetica-fi"}


def test_the_blood_pressure_message_says_what_it_tested() -> None:
    result = screen(parse_answers({"blood_pressure": "141/80"}))
    finding = next(f for f in result.findings if f.rule.id == "blood-pressure-above-140-90")
    assert "at or above 140 systolic or 90 diastolic" in finding.rule.title
    assert finding.because == "your reading was 141/80 mmHg: the upper number is at or above 140"


def test_current_psychosis_is_a_relative_contraindication_and_a_past_episode_needs_review() -> None:
    now = screen(parse_answers({"conditions": ["psychosis_current"]}))
    past = screen(parse_answers({"conditions": ["psychosis_history"]}))
    assert [f.rule.id for f in now.by_severity["contraindication"]] == ["psychosis-current"]
    assert "relative" in now.findings[0].rule.title.lower()
    assert "cohen-2018" in {r.id for r in now.findings[0].references}
    assert [f.rule.id for f in past.by_severity["specialist_review"]] == ["psychosis-history"]
    assert past.by_severity["contraindication"] == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("glaucoma", "raised_intraocular_pressure"),
        ("Uncontrolled hypertension", "uncontrolled_hypertension"),
        ("uncontrolled-hypertension", "uncontrolled_hypertension"),
        ("High blood pressure that is not well controlled", "uncontrolled_hypertension"),
        ("AVM", "arteriovenous_malformation"),
        ("stroke", "cerebrovascular_or_brain_injury"),
        ("past psychosis", "psychosis_history"),
        ("active psychosis", "psychosis_current"),
    ],
)
def test_conditions_are_accepted_by_their_plain_names(name: str, code: str) -> None:
    assert parse_answers({"conditions": [name]}).conditions == (code,)


def test_an_ambiguous_psychosis_name_asks_which_one() -> None:
    """'Schizophrenia' alone could be now or past; guessing the milder one would be unsafe."""
    for name in ("schizophrenia", "psychosis"):
        with pytest.raises(InvalidInput, match=f"unknown value {name}"):
            parse_answers({"conditions": [name]})


def test_every_condition_code_fires_a_rule() -> None:
    codes = {r.trigger["condition"] for r in rules() if r.kind == "condition"}
    assert codes == {c.code for c in CONDITION_LIST}


@pytest.mark.parametrize(
    ("answers", "location"),
    [
        ({"medications": ["Xanax\x00"]}, "medications"),
        ({"conditions": ["glau\x00coma"]}, "conditions"),
        ({"blood_pressure": "120/80\x00"}, "blood_pressure"),
    ],
)
def test_it_rejects_nul_characters(answers: dict[str, Any], location: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_answers(answers)
    assert info.value.details[0].location == location
