"""ClinicalTrials.gov API v2 study JSON -> StudyRecord (pure; no I/O).

Tolerates the partial, field-filtered objects that real tools save (no statusModule, empty modules):
what is missing stays empty. Only a missing or malformed NCT id rejects a record.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ketnav.trials.parsing import (
    MAX_ITEMS,
    FieldProblem,
    RecordRejected,
    clean_nct_id,
    clip_text,
    enum_code,
    parse_age_years,
    parse_date,
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

Obj = Mapping[str, Any]


_EMPTY: Obj = MappingProxyType({})  # immutable: handed out for every missing module of every record


def _obj(value: Any) -> Obj:
    # JSON objects are dicts; ``type(...) is dict`` is several times faster than an ABC check.
    return value if type(value) is dict else _EMPTY


def _ignored(value: Any, expected: str, field: str, warnings: list[str]) -> None:
    """Report a value of the wrong JSON type: it is left out, and the reader must be told."""
    warnings.append(f"{field}: expected {expected}, got {type(value).__name__}; ignored")


def _module(parent: Obj, key: str, warnings: list[str]) -> Obj:
    value = parent.get(key)
    if type(value) is dict:
        return value
    if value is not None:
        _ignored(value, "an object", key, warnings)
    return _EMPTY


def _list(value: Any, warnings: list[str], field: str) -> list[Any]:
    if type(value) is not list:
        if value is not None:
            _ignored(value, "a list", field, warnings)
        return []
    if len(value) > MAX_ITEMS:
        warnings.append(f"{field}: {len(value):,} entries, kept the first {MAX_ITEMS:,}")
        return value[:MAX_ITEMS]
    return value


def _strs(value: Any, warnings: list[str], field: str) -> tuple[str, ...]:
    out = []
    dropped = 0
    for item in _list(value, warnings, field):
        if type(item) is str:
            if item.strip():
                out.append(clip_text(item, field=field, warnings=warnings, limit=2_000))
        elif item is not None:
            dropped += 1
    if dropped:
        warnings.append(f"{field}: {dropped:,} entries that are not text; ignored")
    return tuple(out)


def _str(value: Any, field: str = "", warnings: list[str] | None = None) -> str:
    if type(value) is str:
        return value.strip()
    if value is not None and warnings is not None:
        _ignored(value, "text", field, warnings)
    return ""


def _date(struct: Any, field: str, warnings: list[str]) -> PartialDate | None:
    raw = struct.get("date") if isinstance(struct, Mapping) else struct
    if raw is None:
        return None
    if not isinstance(raw, str):
        warnings.append(f"{field}: expected a date string, got {type(raw).__name__}; left empty")
        return None
    try:
        return parse_date(raw)
    except FieldProblem as exc:
        warnings.append(f"{field}: {exc}; left empty")
        return None


def _meshes(module: Obj, key: str, warnings: list[str], field: str) -> tuple[MeshTerm, ...]:
    out = []
    for m in _each(_list(module.get(key), warnings, field), dict, warnings, field):
        term = _str(m.get("term"), f"{field}.term", warnings)
        if term:
            out.append(MeshTerm(term=term, mesh_id=_str(m.get("id"), f"{field}.id", warnings)))
    return tuple(out)


def _age(raw: Any, field: str, warnings: list[str]) -> tuple[float | None, str]:
    text = _str(raw, field, warnings)
    try:
        return parse_age_years(text), text
    except FieldProblem as exc:
        warnings.append(f"{field}: {exc}; treated as no limit")
        return None, text


def _float(value: Any, low: float, high: float) -> float | None:
    kind = type(value)
    if (kind is float or kind is int) and low <= value <= high:
        return float(value)
    return None


def eligibility_from(module: Obj, warnings: list[str]) -> Eligibility:
    criteria = clip_text(module.get("eligibilityCriteria"), field="eligibilityCriteria", warnings=warnings)
    minimum, min_text = _age(module.get("minimumAge"), "minimumAge", warnings)
    maximum, max_text = _age(module.get("maximumAge"), "maximumAge", warnings)
    if minimum is not None and maximum is not None and minimum > maximum:
        warnings.append(f"minimumAge {min_text!r} is above maximumAge {max_text!r}; both treated as no limit")
        minimum = maximum = None
    std = _strs(module.get("stdAges"), warnings, "stdAges") or std_age_groups(minimum, maximum)
    healthy = module.get("healthyVolunteers")
    if healthy is not None and not isinstance(healthy, bool):
        _ignored(healthy, "true or false", "healthyVolunteers", warnings)
    return Eligibility(
        criteria=criteria,
        minimum_age_years=minimum,
        maximum_age_years=maximum,
        minimum_age_text=min_text,
        maximum_age_text=max_text,
        sex=enum_code(_str(module.get("sex"), "sex", warnings)) or "ALL",
        healthy_volunteers=healthy if isinstance(healthy, bool) else None,
        std_ages=std,
    )


def _site(loc: Obj) -> Site:
    # The hottest loop of a load (dozens of sites per study), hence the inlined, repetitive code.
    get = loc.get
    geo = get("geoPoint")
    lat = lon = None
    if type(geo) is dict:
        lat = _float(geo.get("lat"), -90, 90)
        lon = _float(geo.get("lon"), -180, 180)
    f, c, s, z, n, st = [v.strip() if type(v) is str else "" for v in map(get, _SITE_KEYS)]
    shared = _interned.strings
    if len(shared) > 100_000:
        shared.clear()
    share = shared.setdefault
    return Site(f, share(c, c), share(s, s), z, share(n, n), share(st, st), lat, lon)


# One string object per distinct city, state, country and status: they repeat across a batch's sites,
# and a load worker holds a whole batch (500 prepared studies took 18.5 MiB before this, 16.6 after).
# Per thread (threading.local): web server threads also normalize records (study pages re-derive
# them from the raw record), and a table cleared by one thread while another fills it needs no lock then.
class _Interned(threading.local):
    def __init__(self) -> None:
        self.strings: dict[str, str] = {}


_interned = _Interned()


_SITE_KEYS = ("facility", "city", "state", "zip", "country", "status")


def _each(items: list[Any], build: Callable[[Obj], Any], warnings: list[str], field: str) -> tuple[Any, ...]:
    out = tuple([build(i) for i in items if type(i) is dict])
    if len(out) != len(items):
        warnings.append(f"{field}: {len(items) - len(out):,} entries that are not objects; ignored")
    return out


def normalize_v2(study: Any) -> Normalized:
    """Normalize one API v2 study object; raise RecordRejected when it cannot be stored."""
    if type(study) is not dict:
        raise RecordRejected(f"expected a study object, got {type(study).__name__}")
    protocol = _obj(study.get("protocolSection"))
    ident = _obj(protocol.get("identificationModule"))  # both checked by the NCT id below
    try:
        nct_id = clean_nct_id(ident.get("nctId"))
    except FieldProblem as exc:
        raise RecordRejected(f"{exc} (protocolSection.identificationModule.nctId)") from None
    w: list[str] = []
    status = _module(protocol, "statusModule", w)
    sponsors = _module(protocol, "sponsorCollaboratorsModule", w)
    desc = _module(protocol, "descriptionModule", w)
    conds = _module(protocol, "conditionsModule", w)
    design = _module(protocol, "designModule", w)
    arms_mod = _module(protocol, "armsInterventionsModule", w)
    outcomes = _module(protocol, "outcomesModule", w)
    contacts = _module(protocol, "contactsLocationsModule", w)
    derived = _module(study, "derivedSection", w)
    cond_browse = _module(derived, "conditionBrowseModule", w)
    intr_browse = _module(derived, "interventionBrowseModule", w)
    lead = _module(sponsors, "leadSponsor", w)
    enrollment_info = _module(design, "enrollmentInfo", w)

    record = StudyRecord(
        nct_id=nct_id,
        source_format="v2",
        brief_title=clip_text(ident.get("briefTitle"), field="briefTitle", warnings=w, limit=2_000),
        official_title=clip_text(ident.get("officialTitle"), field="officialTitle", warnings=w, limit=4_000),
        acronym=clip_text(ident.get("acronym"), field="acronym", warnings=w, limit=200),
        overall_status=enum_code(_str(status.get("overallStatus"), "overallStatus", w)),
        phases=tuple(enum_code(p) for p in _strs(design.get("phases"), w, "phases")),
        study_type=enum_code(_str(design.get("studyType"), "studyType", w)),
        start_date=_date(status.get("startDateStruct"), "startDate", w),
        primary_completion_date=_date(status.get("primaryCompletionDateStruct"), "primaryCompletionDate", w),
        completion_date=_date(status.get("completionDateStruct"), "completionDate", w),
        first_posted=_date(status.get("studyFirstPostDateStruct"), "studyFirstPostDate", w),
        last_update=_date(status.get("lastUpdatePostDateStruct"), "lastUpdatePostDate", w),
        enrollment=_enrollment(enrollment_info.get("count"), w),
        enrollment_type=enum_code(_str(enrollment_info.get("type"), "enrollmentInfo.type", w)),
        lead_sponsor=_str(lead.get("name"), "leadSponsor.name", w),
        lead_sponsor_class=enum_code(_str(lead.get("class"), "leadSponsor.class", w)),
        collaborators=tuple(
            _str(c.get("name"), "collaborators.name", w)
            for c in _each(_list(sponsors.get("collaborators"), w, "collaborators"), dict, w, "collaborators")
        ),
        brief_summary=clip_text(desc.get("briefSummary"), field="briefSummary", warnings=w),
        detailed_description=clip_text(desc.get("detailedDescription"), field="detailedDescription", warnings=w),
        keywords=_strs(conds.get("keywords"), w, "keywords"),
        conditions=_strs(conds.get("conditions"), w, "conditions"),
        condition_mesh=_meshes(cond_browse, "meshes", w, "conditionBrowseModule.meshes"),
        condition_mesh_ancestors=_meshes(cond_browse, "ancestors", w, "conditionBrowseModule.ancestors"),
        intervention_mesh=_meshes(intr_browse, "meshes", w, "interventionBrowseModule.meshes"),
        intervention_mesh_ancestors=_meshes(intr_browse, "ancestors", w, "interventionBrowseModule.ancestors"),
        interventions=_each(
            _list(arms_mod.get("interventions"), w, "interventions"),
            lambda i: Intervention(
                type=enum_code(_str(i.get("type"), "interventions.type", w)),
                name=_str(i.get("name"), "interventions.name", w),
                other_names=_strs(i.get("otherNames"), w, "otherNames"),
                description=clip_text(i.get("description"), field="intervention.description", warnings=w, limit=20_000),
                arm_labels=_strs(i.get("armGroupLabels"), w, "armGroupLabels"),
            ),
            w,
            "interventions",
        ),
        arms=_each(
            _list(arms_mod.get("armGroups"), w, "armGroups"),
            lambda a: Arm(
                label=_str(a.get("label"), "armGroups.label", w),
                type=enum_code(_str(a.get("type"), "armGroups.type", w)),
                description=clip_text(a.get("description"), field="armGroup.description", warnings=w, limit=20_000),
                intervention_names=_strs(a.get("interventionNames"), w, "interventionNames"),
            ),
            w,
            "armGroups",
        ),
        primary_outcomes=_outcomes(outcomes.get("primaryOutcomes"), w, "primaryOutcomes"),
        secondary_outcomes=_outcomes(outcomes.get("secondaryOutcomes"), w, "secondaryOutcomes"),
        eligibility=eligibility_from(_module(protocol, "eligibilityModule", w), w),
        sites=_sites(_list(contacts.get("locations"), w, "locations"), w),
        central_contacts=_each(
            _list(contacts.get("centralContacts"), w, "centralContacts"),
            lambda c: Contact(
                name=_str(c.get("name"), "centralContacts.name", w),
                role=enum_code(_str(c.get("role"), "centralContacts.role", w)),
                phone=_str(c.get("phone"), "centralContacts.phone", w),
                email=_str(c.get("email"), "centralContacts.email", w),
            ),
            w,
            "centralContacts",
        ),
        has_results=study.get("hasResults") is True or "resultsSection" in study,
    )
    return Normalized(record=record, warnings=tuple(w))


def structured_texts_v2(study: Any) -> dict[str, list[str]]:
    """What ``search.fields.field_texts`` reads from the full record, for a search's structured terms
    (interventions: names, other names and MeSH terms; conditions: conditions and MeSH terms), read with
    the same helpers as ``normalize_v2`` but nothing else. A structured query checks every candidate
    study (1,400 for ketamine and depression at 500,000 studies): normalizing each whole record, its
    sites, outcomes and criteria included, was most of a second of that. Tests hold it equal to the full
    record's texts on every real record."""
    w: list[str] = []  # the full normalization reports problems; this one only reads
    protocol = _obj(_obj(study).get("protocolSection"))
    conds = _module(protocol, "conditionsModule", w)
    arms_mod = _module(protocol, "armsInterventionsModule", w)
    derived = _module(_obj(study), "derivedSection", w)
    interventions: list[str] = []
    for i in _each(_list(arms_mod.get("interventions"), w, "interventions"), dict, w, "interventions"):
        interventions.append(_str(i.get("name"), "interventions.name", w))
        interventions.extend(_strs(i.get("otherNames"), w, "otherNames"))
    intr_mesh = _meshes(_module(derived, "interventionBrowseModule", w), "meshes", w, "meshes")
    cond_mesh = _meshes(_module(derived, "conditionBrowseModule", w), "meshes", w, "meshes")
    return {
        "intervention": [*interventions, *(m.term for m in intr_mesh)],
        "condition": [*_strs(conds.get("conditions"), w, "conditions"), *(m.term for m in cond_mesh)],
    }


def _outcomes(value: Any, warnings: list[str], field: str) -> tuple[Outcome, ...]:
    return _each(
        _list(value, warnings, field),
        lambda o: Outcome(
            measure=clip_text(o.get("measure"), field=f"{field}.measure", warnings=warnings, limit=4_000),
            time_frame=clip_text(o.get("timeFrame"), field=f"{field}.timeFrame", warnings=warnings, limit=4_000),
            description=clip_text(o.get("description"), field=f"{field}.description", warnings=warnings, limit=20_000),
        ),
        warnings,
        field,
    )


def _enrollment(count: Any, warnings: list[str]) -> int | None:
    if count is None:
        return None
    if type(count) is int and 0 <= count < 100_000_000:
        return count
    warnings.append(f"enrollmentInfo.count: {count!r} is not a possible number of participants; left empty")
    return None


def _sites(locations: list[Any], warnings: list[str]) -> tuple[Site, ...]:
    """Sites, and one warning per kind of value _site had to leave out (it runs millions of times a load,
    so it does not report; a study with bad coordinates at 300 sites gets one line, not 300)."""
    sites = _each(locations, _site, warnings, "locations")
    no_point = not_text = 0
    for loc, site in zip((loc for loc in locations if type(loc) is dict), sites, strict=True):
        if loc.get("geoPoint") is not None and (site.latitude is None or site.longitude is None):
            no_point += 1
        if "" in site[:6] and any(type(v) is not str and v is not None for v in map(loc.get, _SITE_KEYS)):
            not_text += 1
    if no_point:
        warnings.append(
            f"locations.geoPoint: {no_point:,} sites with coordinates out of range or not numbers; left empty"
        )
    if not_text:
        warnings.append(f"locations: {not_text:,} sites with a name, place or status that is not text; left empty")
    return sites
