"""Read-side queries over the local registry."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Max, Min

from ketnav.trials.models import Site, Study
from ketnav.trials.normalize_v2 import normalize_v2
from ketnav.trials.normalize_xml import normalize_xml
from ketnav.trials.rawcodec import unpack
from ketnav.trials.record import StudyRecord


def study_record(study: Study) -> StudyRecord:
    """The full normalized record, re-derived from the stored raw source."""
    import orjson

    raw = unpack(study.raw)
    if study.source_format == "xml":
        return normalize_xml(raw).record
    return normalize_v2(orjson.loads(raw)).record


def get_record(nct_id: str) -> StudyRecord:
    from ketnav.errors import InvalidInput, NotFound
    from ketnav.trials.parsing import FieldProblem, clean_nct_id

    try:
        nct = clean_nct_id(nct_id)
    except FieldProblem as exc:
        raise InvalidInput(f"nct_id: {exc}") from None
    study = Study.objects.filter(nct_id=nct).only("nct_id", "raw", "source_format").first()
    if study is None:
        raise NotFound(f"{nct} is not in the local registry (load or sync it first)")
    return study_record(study)


def registry_stats() -> dict[str, Any]:
    by_status = dict(
        Study.objects.values_list("overall_status").annotate(n=Count("nct_id")).order_by("-n", "overall_status")
    )
    phase_counts: Counter[str] = Counter()
    for phases, n in Study.objects.values_list("phases").annotate(n=Count("nct_id")):
        for phase in (phases or "").split(",") if phases else [""]:
            phase_counts[phase] += n
    by_format = dict(Study.objects.values_list("source_format").annotate(n=Count("nct_id")).order_by("-n"))
    dates = Study.objects.aggregate(min=Min("last_update"), max=Max("last_update"))
    return {
        "studies": Study.objects.count(),
        "sites": Site.objects.count(),
        "by_status": by_status,
        "by_phase": dict(phase_counts.most_common()),
        "by_source_format": by_format,
        "last_update": {"min": dates["min"], "max": dates["max"]},
    }
