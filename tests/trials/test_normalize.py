"""Normalizers against real registry records (shared data) and against small synthetic breakages."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from ketnav.trials.normalize_v2 import normalize_v2
from ketnav.trials.normalize_xml import normalize_xml
from ketnav.trials.parsing import RecordRejected


def test_v2_ketamine_study(v2_studies: dict[str, dict[str, Any]]) -> None:
    record = normalize_v2(v2_studies["NCT04179266"]).record
    assert record.brief_title == "Effect of Ketamine Intranasal Spray in Treatment of Chronic Cluster Headache"
    assert record.overall_status == "COMPLETED"
    assert record.phases == ("PHASE1", "PHASE2")
    assert record.start_date is not None and record.start_date.value == dt.date(2019, 11, 20)
    assert [(i.type, i.name) for i in record.interventions] == [("DRUG", "Ketamine")]
    assert (record.eligibility.minimum_age_years, record.eligibility.maximum_age_years) == (18.0, 60.0)
    assert len(record.eligibility.inclusion) == 4 and len(record.eligibility.exclusion) == 13
    assert record.sites[0].country == "Denmark" and record.sites[0].latitude == pytest.approx(55.6666)
    assert record.condition_mesh[0].term == "Cluster Headache"
    assert "Headache Disorders" in {m.term for m in record.condition_mesh_ancestors}


def test_every_real_v2_record_normalizes(v2_studies: dict[str, dict[str, Any]]) -> None:
    for nct, study in v2_studies.items():
        assert normalize_v2(study).record.nct_id == nct


def test_partial_v2_record_keeps_what_it_has(v2_studies: dict[str, dict[str, Any]]) -> None:
    partial = next(s for s in v2_studies.values() if "statusModule" not in s["protocolSection"])
    record = normalize_v2(partial).record
    assert record.overall_status == ""
    assert record.last_update is None
    assert record.brief_title


def test_xml_ketamine_study(xml_docs: dict[str, str]) -> None:
    record = normalize_xml(xml_docs["NCT00490997"]).record
    assert record.source_format == "xml"
    assert record.brief_title == "Ketamine/Propofol vs Ketamine Alone for Pediatric Fracture Reduction"
    assert record.phases == ("PHASE4",)
    assert record.start_date is not None and record.start_date.isoformat() == "2007-06"
    assert record.start_date.precision == "month"
    assert (record.eligibility.minimum_age_years, record.eligibility.maximum_age_years) == (2.0, 16.0)
    assert record.eligibility.healthy_volunteers is False
    assert record.eligibility.std_ages == ("CHILD",)
    assert record.sites[0].city == "London" and record.sites[0].latitude is None
    assert record.enrollment == 140 and record.enrollment_type == "ACTUAL"


def test_every_real_xml_record_normalizes(xml_docs: dict[str, str]) -> None:
    for nct, doc in list(xml_docs.items())[:1500]:
        assert normalize_xml(doc).record.nct_id == nct


def test_it_rejects_xml_with_another_root() -> None:
    with pytest.raises(RecordRejected, match="root is <study>, expected <clinical_study>"):
        normalize_xml("<study><nct_id>NCT01234567</nct_id></study>")


def test_it_rejects_malformed_xml() -> None:
    with pytest.raises(RecordRejected, match="not well-formed"):
        normalize_xml("<clinical_study><id_info>")


def test_xml_entities_are_not_resolved(tmp_path: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    doc = (
        f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]><clinical_study><id_info><nct_id>NCT01234567'
        "</nct_id></id_info><brief_title>&e;</brief_title></clinical_study>"
    )
    record = normalize_xml(doc).record
    assert "TOPSECRET" not in record.brief_title


def test_it_rejects_record_without_nct_id(v2_studies: dict[str, dict[str, Any]]) -> None:
    study = copy.deepcopy(v2_studies["NCT04179266"])
    del study["protocolSection"]["identificationModule"]["nctId"]
    with pytest.raises(RecordRejected, match="no NCT id"):
        normalize_v2(study)


def test_impossible_date_is_cleared_with_a_warning(v2_studies: dict[str, dict[str, Any]]) -> None:
    study = copy.deepcopy(v2_studies["NCT04179266"])
    study["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "2021-13-40"
    result = normalize_v2(study)
    assert result.record.start_date is None
    assert any("startDate: date '2021-13-40' does not exist" in w for w in result.warnings)


def test_absurd_ages_are_dropped_with_a_warning(v2_studies: dict[str, dict[str, Any]]) -> None:
    study = copy.deepcopy(v2_studies["NCT04179266"])
    study["protocolSection"]["eligibilityModule"]["minimumAge"] = "-3 Years"
    study["protocolSection"]["eligibilityModule"]["maximumAge"] = "900 Years"
    result = normalize_v2(study)
    assert result.record.eligibility.minimum_age_years is None
    assert result.record.eligibility.maximum_age_years is None
    assert any("minimumAge: age '-3 Years' is negative" in w for w in result.warnings)
    assert any("maximumAge: age '900 Years' is over 150 years" in w for w in result.warnings)


def test_huge_text_field_is_cut_with_a_warning(v2_studies: dict[str, dict[str, Any]]) -> None:
    study = copy.deepcopy(v2_studies["NCT04179266"])
    study["protocolSection"]["descriptionModule"]["detailedDescription"] = "x" * 5_000_000
    result = normalize_v2(study)
    assert len(result.record.detailed_description) == 100_000
    assert any("detailedDescription: 5,000,000 characters" in w for w in result.warnings)


def test_minimum_age_above_maximum_is_reported(v2_studies: dict[str, dict[str, Any]]) -> None:
    study = copy.deepcopy(v2_studies["NCT04179266"])
    study["protocolSection"]["eligibilityModule"]["minimumAge"] = "70 Years"
    result = normalize_v2(study)
    assert result.record.eligibility.minimum_age_years is None
    assert any("is above maximumAge" in w for w in result.warnings)


def test_v2_non_object_is_rejected() -> None:
    with pytest.raises(RecordRejected, match="expected a study object, got list"):
        normalize_v2([1, 2])


def _ketamine(v2_studies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return copy.deepcopy(v2_studies["NCT04179266"])


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        (lambda p: p["designModule"]["enrollmentInfo"].update(count=-5), "enrollmentInfo.count: -5 is not a possible"),
        (lambda p: p["designModule"]["enrollmentInfo"].update(count="40"), "enrollmentInfo.count: '40' is not a"),
        (lambda p: p["designModule"]["enrollmentInfo"].update(count=True), "enrollmentInfo.count: True is not a"),
        (lambda p: p.update(statusModule="RECRUITING"), "statusModule: expected an object, got str; ignored"),
        (lambda p: p["conditionsModule"].update(conditions="Headache"), "conditions: expected a list, got str"),
        (lambda p: p["conditionsModule"].update(keywords=["pain", 7, None]), "keywords: 1 entries that are not text"),
        (lambda p: p["designModule"].update(studyType=["INTERVENTIONAL"]), "studyType: expected text, got list"),
        (lambda p: p["eligibilityModule"].update(healthyVolunteers="no"), "healthyVolunteers: expected true or false"),
        (
            lambda p: p["armsInterventionsModule"]["interventions"].append("Placebo"),
            "interventions: 1 entries that are not objects; ignored",
        ),
        (
            lambda p: p["contactsLocationsModule"]["locations"][0]["geoPoint"].update(lat=123.4),
            "locations.geoPoint: 1 sites with coordinates out of range or not numbers; left empty",
        ),
        (
            lambda p: p["contactsLocationsModule"]["locations"][0].update(city=["Copenhagen"]),
            "locations: 1 sites with a name, place or status that is not text; left empty",
        ),
        (lambda p: p["sponsorCollaboratorsModule"]["leadSponsor"].update(name=42), "leadSponsor.name: expected text"),
    ],
)
def test_every_cleared_v2_field_is_reported(v2_studies: dict[str, dict[str, Any]], change: Any, warning: str) -> None:
    study = _ketamine(v2_studies)
    assert normalize_v2(study).warnings == ()
    change(study["protocolSection"])
    result = normalize_v2(study)
    assert any(warning in w for w in result.warnings), result.warnings


@pytest.mark.parametrize(
    ("tag", "value", "warning"),
    [
        ("enrollment", "-12", "enrollment: '-12' is not a possible number of participants; left empty"),
        ("enrollment", "٣٠", "enrollment: '٣٠' is not a possible number of participants; left empty"),
        ("healthy_volunteers", "Maybe", "eligibility/healthy_volunteers: 'Maybe' is not Yes or No; left empty"),
    ],
)
def test_every_cleared_xml_field_is_reported(xml_docs: dict[str, str], tag: str, value: str, warning: str) -> None:
    import re

    doc = next(d for d in xml_docs.values() if "<healthy_volunteers>" in d and "<enrollment" in d)
    assert normalize_xml(doc).warnings == ()
    broken = re.sub(rf"<{tag}([^>]*)>[^<]*</{tag}>", rf"<{tag}\1>{value}</{tag}>", doc, count=1)
    assert broken != doc
    result = normalize_xml(broken)
    assert warning in result.warnings, result.warnings


def test_xml_lists_over_the_limit_are_cut_with_a_warning(xml_docs: dict[str, str]) -> None:
    doc = next(d for d in xml_docs.values() if "<location>" in d)
    site = doc[doc.index("<location>") : doc.index("</location>") + len("</location>")]
    many = doc.replace(site, site * 2_001, 1)
    result = normalize_xml(many)
    assert len(result.record.sites) == 2_000
    assert any(w.startswith("location: 2,0") and "kept the first 2,000" in w for w in result.warnings), result.warnings
