"""Read-side queries over the local registry."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Min

from ketnav.trials.models import Site, Study
from ketnav.trials.normalize_v2 import normalize_v2
from ketnav.trials.normalize_xml import normalize_xml
from ketnav.trials.rawcodec import unpack
from ketnav.trials.record import StudyRecord

if TYPE_CHECKING:
    from ketnav.trials.eligibility import CriteriaCache, ParsedStudy


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


def parsed_criteria(nct_ids: list[str], cache: CriteriaCache) -> dict[str, ParsedStudy]:
    """Each study's parsed eligibility criteria, for pre-screening a page of results.

    One query for the versions (the raw record's hash); only studies not yet in ``cache`` at that
    version are re-derived from their raw record and parsed, in one more query.
    """
    from ketnav.trials.eligibility import parse_study

    versions = dict(Study.objects.filter(nct_id__in=nct_ids).values_list("nct_id", "raw_sha256"))
    out: dict[str, ParsedStudy] = {}
    for nct, version in versions.items():
        if (found := cache.lookup(nct, version)) is not None:
            out[nct] = found
    missing = [nct for nct in versions if nct not in out]
    if missing:
        for study in Study.objects.filter(nct_id__in=missing).only("nct_id", "raw", "source_format", "raw_sha256"):
            parsed = parse_study(study_record(study).eligibility)
            cache.store(study.nct_id, study.raw_sha256, parsed)
            out[study.nct_id] = parsed
    return out


def warm_criteria(
    cache: CriteriaCache,
    *,
    limit: int | None = None,
    batch: int = 200,
    before_batch: Callable[[], None] | None = None,
) -> int:
    """Parse the criteria of the studies a described person most likely meets into ``cache``: open studies
    first (the default search), then the rest, most recently updated first, up to the cache's capacity.

    The first "describe yourself" search otherwise parses every result's criteria (~0.8 ms per criterion,
    0.5-1 s for 50 results); a server does this once in its background warm-up instead. Returns how many
    studies' criteria are now cached.
    """
    from django.db.models import Case, IntegerField, Value, When

    from ketnav.trials.record import OPEN_STATUSES

    wanted = min(limit if limit is not None else cache.capacity, cache.capacity)
    ids = list(
        Study.objects.annotate(
            closed=Case(
                When(overall_status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("closed", "-last_update", "nct_id")
        .values_list("nct_id", flat=True)[:wanted]
    )
    for start in range(0, len(ids), batch):
        if before_batch is not None:
            before_batch()  # a server passes "wait until no request is in flight"
        parsed_criteria(ids[start : start + batch], cache)
    return len(ids)
