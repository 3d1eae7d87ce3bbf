"""What the search index holds for a study: weighted text fields built from the normalized record.

Built in the load workers (pure), so indexing costs the writer only the insert. Fields and their
default weights follow the registry's own search weights (titles, conditions and interventions first;
summary next; long descriptions and criteria last), see ../shared/docs/ctgov-api-v2.md.
"""

from __future__ import annotations

from ketnav.trials.record import StudyRecord

# (field, weight for SQLite bm25, PostgreSQL weight class). The order is the index's column order.
FIELDS: tuple[tuple[str, float, str], ...] = (
    ("nct_id", 10.0, "A"),
    ("title", 10.0, "A"),
    ("conditions", 8.0, "A"),
    ("interventions", 8.0, "A"),
    ("keywords", 5.0, "B"),
    ("concepts", 2.0, "C"),  # MeSH terms and their ancestors: widen "anxiety" to its disorders
    ("summary", 3.0, "B"),
    ("description", 1.0, "D"),
    ("eligibility", 1.0, "D"),
)
FIELD_NAMES = tuple(name for name, _w, _c in FIELDS)
MAX_LONG_TEXT = 8_000  # longer descriptions and criteria add index size, not findability


def _join(items: object) -> str:
    return " ; ".join(str(i) for i in items if i)  # type: ignore[attr-defined]


def search_fields(record: StudyRecord) -> tuple[str, ...]:
    interventions: list[str] = []
    for i in record.interventions:
        interventions.append(i.name)
        interventions.extend(i.other_names)
    concepts = [
        m.term
        for m in (
            *record.condition_mesh,
            *record.condition_mesh_ancestors,
            *record.intervention_mesh,
            *record.intervention_mesh_ancestors,
        )
    ]
    return (
        record.nct_id,
        _join([record.brief_title, record.official_title, record.acronym]),
        _join(record.conditions),
        _join(dict.fromkeys(interventions)),
        _join(record.keywords),
        _join(dict.fromkeys(concepts)),
        record.brief_summary,
        record.detailed_description[:MAX_LONG_TEXT],
        record.eligibility.criteria[:MAX_LONG_TEXT],
    )


def facet_columns(record: StudyRecord) -> tuple[str, str]:
    """(countries, condition terms) as "|a|b|" strings: filters and facet counts without joins."""
    countries = sorted({s.country for s in record.sites if s.country})
    terms = [m.term for m in record.condition_mesh] or list(record.conditions)
    return (
        "|" + "|".join(countries) + "|" if countries else "",
        "|" + "|".join(dict.fromkeys(terms[:12])) + "|" if terms else "",
    )


def synonym_pairs(record: StudyRecord) -> tuple[tuple[str, str], ...]:
    """(intervention name, other name) pairs this study declares, for the learned synonym table."""
    pairs = []
    for i in record.interventions:
        for other in i.other_names:
            if i.name and other and i.name.casefold() != other.casefold() and len(other) <= 80:
                pairs.append((i.name.casefold(), other.casefold()))
    return tuple(dict.fromkeys(pairs))
