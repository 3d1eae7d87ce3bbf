"""Legacy ClinicalTrials.gov XML (``<clinical_study>``, AllPublicXML / TREC corpora) -> StudyRecord.

Pure: takes the document text, returns the record. Labels ("Active, not recruiting", "Phase 1/Phase 2",
"18 Years", "March 2021") are mapped to the same codes and units as API v2 records.
"""

from __future__ import annotations

import threading

from lxml import etree as ET

from ketnav.trials.parsing import (
    MAX_ITEMS,
    FieldProblem,
    RecordRejected,
    clean_nct_id,
    clip_text,
    enum_code,
    parse_age_years,
    parse_date,
    phase_codes,
    status_code,
    std_age_groups,
)
from ketnav.trials.record import (
    Arm,
    Contact,
    Eligibility,
    Intervention,
    MeshTerm,
    Normalized,
    Outcome,
    PartialDate,
    Site,
    StudyRecord,
)


# lxml parses these documents about four times faster than the standard library. Entities are not
# resolved and nothing is fetched from the network, so a hostile file cannot read local files.
#
# Per thread: an lxml parser must not be used by two threads at once (study pages re-derive legacy
# records from their XML in every web server thread), so each thread makes its own on first use.
class _Parsers(threading.local):
    def __init__(self) -> None:
        self.parser = ET.XMLParser(
            resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True, huge_tree=False
        )


_parsers = _Parsers()


def _text(el: ET._Element | None, path: str = "") -> str:
    if el is None:
        return ""
    raw = (el.findtext(path) if path else el.text) or ""
    if "\n" not in raw and "\r" not in raw:
        return raw.strip()
    # <textblock> holds indented, CR-terminated lines; keep line breaks, drop the indentation.
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    return "\n".join(line.strip() for line in lines)


def _elements(el: ET._Element, path: str, warnings: list[str]) -> list[ET._Element]:
    nodes = el.findall(path)
    if len(nodes) > MAX_ITEMS:
        warnings.append(f"{path}: {len(nodes):,} entries, kept the first {MAX_ITEMS:,}")
        return nodes[:MAX_ITEMS]
    return nodes


def _texts(el: ET._Element, path: str, warnings: list[str]) -> tuple[str, ...]:
    return tuple(t for t in (_text(n) for n in _elements(el, path, warnings)) if t)


def _date(root: ET._Element, paths: tuple[str, ...], warnings: list[str]) -> PartialDate | None:
    for path in paths:
        raw = _text(root, path)
        if raw:
            try:
                return parse_date(raw)
            except FieldProblem as exc:
                warnings.append(f"{path}: {exc}; left empty")
                return None
    return None


def _eligibility(root: ET._Element, warnings: list[str]) -> Eligibility:
    el = root.find("eligibility")
    criteria = clip_text(_text(el, "criteria/textblock"), field="eligibility/criteria", warnings=warnings)
    ages: list[float | None] = []
    texts: list[str] = []
    for tag in ("minimum_age", "maximum_age"):
        text = _text(el, tag)
        texts.append(text)
        try:
            ages.append(parse_age_years(text))
        except FieldProblem as exc:
            warnings.append(f"eligibility/{tag}: {exc}; treated as no limit")
            ages.append(None)
    minimum, maximum = ages
    if minimum is not None and maximum is not None and minimum > maximum:
        warnings.append(f"minimum_age {texts[0]!r} is above maximum_age {texts[1]!r}; both treated as no limit")
        minimum = maximum = None
    healthy_text = _text(el, "healthy_volunteers")
    healthy = {"accepts healthy volunteers": True, "yes": True, "no": False}.get(healthy_text.lower())
    if healthy_text and healthy is None:
        warnings.append(f"eligibility/healthy_volunteers: {healthy_text[:40]!r} is not Yes or No; left empty")
    sex = enum_code(_text(el, "gender")) or "ALL"
    return Eligibility(
        criteria=criteria,
        minimum_age_years=minimum,
        maximum_age_years=maximum,
        minimum_age_text="" if texts[0].upper() == "N/A" else texts[0],
        maximum_age_text="" if texts[1].upper() == "N/A" else texts[1],
        sex="ALL" if sex == "BOTH" else sex,
        healthy_volunteers=healthy,
        std_ages=std_age_groups(minimum, maximum),
    )


def _site(loc: ET._Element) -> Site:
    return Site(
        facility=_text(loc, "facility/name"),
        city=_text(loc, "facility/address/city"),
        state=_text(loc, "facility/address/state"),
        zip=_text(loc, "facility/address/zip"),
        country=_text(loc, "facility/address/country"),
        status=status_code(_text(loc, "status")),
    )


def _contact(el: ET._Element, role: str) -> Contact:
    return Contact(name=_text(el, "last_name"), role=role, phone=_text(el, "phone"), email=_text(el, "email"))


def _outcomes(root: ET._Element, tag: str, warnings: list[str]) -> tuple[Outcome, ...]:
    return tuple(
        Outcome(
            measure=clip_text(_text(o, "measure"), field=f"{tag}/measure", warnings=warnings, limit=4_000),
            time_frame=clip_text(_text(o, "time_frame"), field=f"{tag}/time_frame", warnings=warnings, limit=4_000),
            description=clip_text(_text(o, "description"), field=f"{tag}/description", warnings=warnings, limit=20_000),
        )
        for o in _elements(root, tag, warnings)
    )


def normalize_xml(document: str | bytes) -> Normalized:
    """Normalize one legacy ``<clinical_study>`` document; raise RecordRejected if it cannot be stored."""
    try:
        root = ET.fromstring(document.encode("utf-8") if isinstance(document, str) else document, _parsers.parser)
    except ET.XMLSyntaxError as exc:
        raise RecordRejected(f"XML is not well-formed ({exc})") from None
    if root.tag != "clinical_study":
        raise RecordRejected(f"XML root is <{root.tag}>, expected <clinical_study>")
    try:
        nct_id = clean_nct_id(_text(root, "id_info/nct_id"))
    except FieldProblem as exc:
        raise RecordRejected(f"{exc} (id_info/nct_id)") from None
    w: list[str] = []
    enrollment_text = _text(root, "enrollment")
    enrollment = int(enrollment_text) if enrollment_text.isascii() and enrollment_text.isdigit() else None
    if enrollment_text and (enrollment is None or enrollment >= 100_000_000):
        w.append(f"enrollment: {enrollment_text[:40]!r} is not a possible number of participants; left empty")
        enrollment = None
    enrollment_el = root.find("enrollment")
    study_type = enum_code(_text(root, "study_type"))
    if study_type.startswith("OBSERVATIONAL"):
        study_type = "OBSERVATIONAL"  # "Observational [Patient Registry]"
    contacts = [_contact(c, "CONTACT") for c in root.findall("overall_contact")]
    contacts += [_contact(c, "CONTACT_BACKUP") for c in root.findall("overall_contact_backup")]
    record = StudyRecord(
        nct_id=nct_id,
        source_format="xml",
        brief_title=clip_text(_text(root, "brief_title"), field="brief_title", warnings=w, limit=2_000),
        official_title=clip_text(_text(root, "official_title"), field="official_title", warnings=w, limit=4_000),
        acronym=clip_text(_text(root, "acronym"), field="acronym", warnings=w, limit=200),
        overall_status=status_code(_text(root, "overall_status")),
        phases=phase_codes(_text(root, "phase")),
        study_type=study_type,
        start_date=_date(root, ("start_date",), w),
        primary_completion_date=_date(root, ("primary_completion_date",), w),
        completion_date=_date(root, ("completion_date",), w),
        first_posted=_date(root, ("study_first_posted", "firstreceived_date"), w),
        last_update=_date(root, ("last_update_posted", "lastchanged_date"), w),
        enrollment=enrollment,
        enrollment_type=enum_code(enrollment_el.get("type", "")) if enrollment_el is not None else "",
        lead_sponsor=_text(root, "sponsors/lead_sponsor/agency"),
        lead_sponsor_class=enum_code(_text(root, "sponsors/lead_sponsor/agency_class")),
        collaborators=_texts(root, "sponsors/collaborator/agency", w),
        brief_summary=clip_text(_text(root, "brief_summary/textblock"), field="brief_summary", warnings=w),
        detailed_description=clip_text(
            _text(root, "detailed_description/textblock"), field="detailed_description", warnings=w
        ),
        keywords=_texts(root, "keyword", w),
        conditions=_texts(root, "condition", w),
        condition_mesh=tuple(MeshTerm(t) for t in _texts(root, "condition_browse/mesh_term", w)),
        intervention_mesh=tuple(MeshTerm(t) for t in _texts(root, "intervention_browse/mesh_term", w)),
        interventions=tuple(
            Intervention(
                type=enum_code(_text(i, "intervention_type")),
                name=_text(i, "intervention_name"),
                other_names=_texts(i, "other_name", w),
                description=clip_text(
                    _text(i, "description"), field="intervention/description", warnings=w, limit=20_000
                ),
                arm_labels=_texts(i, "arm_group_label", w),
            )
            for i in _elements(root, "intervention", w)
        ),
        arms=tuple(
            Arm(
                label=_text(a, "arm_group_label"),
                type=enum_code(_text(a, "arm_group_type")),
                description=clip_text(_text(a, "description"), field="arm_group/description", warnings=w, limit=20_000),
            )
            for a in _elements(root, "arm_group", w)
        ),
        primary_outcomes=_outcomes(root, "primary_outcome", w),
        secondary_outcomes=_outcomes(root, "secondary_outcome", w),
        eligibility=_eligibility(root, w),
        sites=tuple(_site(loc) for loc in _elements(root, "location", w)),
        central_contacts=tuple(contacts),
        has_results=root.find("clinical_results") is not None,
    )
    return Normalized(record=record, warnings=tuple(w))
