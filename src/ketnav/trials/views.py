"""Pages of the trial finder: search (works without JavaScript) and the study page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from ketnav.errors import InvalidInput, NotFound
from ketnav.safety.crisis import crisis_payload
from ketnav.trials.background import active_job
from ketnav.trials.eligibility import Answers, FormQuestion, build_profile, check_description, form_questions, prescreen
from ketnav.trials.eligibility.crisis import touches_suicidal_thoughts
from ketnav.trials.models import Study
from ketnav.trials.record import OPEN_STATUSES, PHASES, Site
from ketnav.trials.richtext import without_repeat
from ketnav.trials.search.engine import SearchRequest, SearchResults, search
from ketnav.trials.search.filters import INTERVENTION_TYPES, SORTS, STUDY_TYPES, build_filters
from ketnav.trials.search.geo import Point, haversine_km
from ketnav.trials.search.state import search_index
from ketnav.trials.selectors import get_record, parsed_criteria


def _flag(value: str | None) -> bool | None:
    return True if value in {"1", "on", "true", "yes"} else None


def _page(raw: str) -> int:
    """The page asked for; anything that is not a plain number of up to six ASCII digits is page 1
    (str.isdigit also accepts "²" and "٣", and int() refuses numbers of over 4,300 digits)."""
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 6 else 1


def search_page(request: HttpRequest) -> HttpResponse:
    g = request.GET
    context: dict[str, object] = {
        "title": "Find clinical trials",
        "q": g.get("q", ""),
        "phases": PHASES,
        "study_types": STUDY_TYPES,
        "intervention_types": INTERVENTION_TYPES,
        "sorts": SORTS,
        "open_statuses": OPEN_STATUSES,
        "registry_size": Study.objects.count(),
        "running_sync": active_job(),
        "params": g,
        "phase_selected": g.getlist("phase"),
        "filters_active": any(g.get(k) for k in ("near", "age", "phase", "sex", "country", "intervention_type"))
        or g.get("status", "open") not in {"", "open"},
    }
    from ketnav.trials.describe import NUMBERS, YES_NO, empty_form

    context["describe_numbers"] = [(name, label) for name, label, *_ in NUMBERS]
    context["describe_yes_no"] = YES_NO
    context["describe"] = empty_form()
    if request.method == "POST":
        return _describe_page(request, context)
    searched = any(k in g for k in ("q", "near", "phase", "age", "status", "country"))
    if searched and context["registry_size"]:
        try:
            filters = build_filters(
                status=g.getlist("status"),
                phase=g.getlist("phase"),
                study_type=g.getlist("study_type"),
                intervention_type=g.getlist("intervention_type"),
                age=g.get("age") or None,
                sex=g.get("sex"),
                healthy_volunteers=_flag(g.get("healthy_volunteers")),
                country=g.get("country", ""),
                near=g.get("near", ""),
                radius_km=g.get("radius_km") or None,
                start_from=g.get("start_from"),
                start_to=g.get("start_to"),
                has_results=_flag(g.get("has_results")),
            )
            page = _page(g.get("page", ""))
            sort = g.get("sort") or ("distance" if g.get("near") and not g.get("q") else "relevance")
            results = search(SearchRequest(text=g.get("q", ""), filters=filters, sort=sort, page=page))
            context["results"] = results
            context["last_page"] = max(1, -(-results.total // results.page_size))
            context["results_head"], context["results_list"] = _results_html(request, results, context)
        except InvalidInput as exc:
            context["error"] = exc
    status = 422 if "error" in context else 200
    return render(request, "trials/search.html", context, status=status)


RESULT_TEMPLATES = ("trials/_results_head.html", "trials/_results_list.html")


def _results_html(request: HttpRequest, results: SearchResults, context: dict[str, object]) -> tuple[str, str]:
    """The results part of the page, before and after the per-user "watch" form: a function of the query
    string and the results alone, so it is rendered once per query string and registry version and kept
    by this database's search index (rendering twenty cards and the facets' links cost more than the rest
    of the page). Results computed from columns standing in for a newer version are never kept."""
    key = request.GET.urlencode()
    kept: tuple[str, str] | None = None
    if results.version is not None:
        kept = search_index().rendered.get(results.version, key)
    if kept is None:
        head, body = (SafeString(render_to_string(name, context, request)) for name in RESULT_TEMPLATES)
        kept = (head, body)
        if results.version is not None:
            search_index().rendered.put(results.version, key, kept)
    return kept


def _describe_page(request: HttpRequest, context: dict[str, object]) -> HttpResponse:
    """The "Describe your situation" form, posted: never cached, never echoed into a URL or a log."""
    from ketnav.trials.apps import criteria_cache
    from ketnav.trials.describe import describe

    described = describe(request.POST, criteria_cache())
    context["describe_posted"] = True
    context["describe"] = described
    if described.crisis:
        context["crisis"] = crisis_payload()
    status = 422 if described.error else 200
    response = render(request, "trials/search.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _prescreen_answers(
    post: QueryDict, concepts: tuple[FormQuestion, ...], measures: tuple[FormQuestion, ...]
) -> Answers:
    """The study form's answers; a value that is not a number in range is refused with its field's name only
    (never its value: nothing the person typed goes into a message or a log)."""
    from pydantic import ValidationError

    def number(name: str) -> float | None:
        raw = post.get(name, "").strip().replace(",", ".")
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            raise InvalidInput(f"{name}: not a number") from None

    facts = {q.key: post[f"c_{q.key}"] == "yes" for q in concepts if post.get(f"c_{q.key}") in {"yes", "no"}}
    values = {q.key: v for q in measures if (v := number(f"m_{q.key}")) is not None}
    given: dict[str, object] = {"age": number("age"), "sex": post.get("sex") or None, "facts": facts}
    for field in ("systolic", "diastolic"):
        if field in values:
            given[field] = int(values.pop(field))
    if "weight" in values:
        given["weight_kg"] = values.pop("weight")
    if "bmi" in values:
        given["bmi"] = values.pop("bmi")
    given["values"] = values
    given["otherwise_healthy"] = post.get("otherwise_healthy") == "on"
    try:
        return Answers.model_validate(given)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in error["loc"]) or "answers" for error in exc.errors()})
        raise InvalidInput(f"please check: {', '.join(fields)}") from None


def study_page(request: HttpRequest, nct_id: str) -> HttpResponse:
    try:
        record = get_record(nct_id)
    except (NotFound, InvalidInput) as exc:
        return render(request, "trials/not_found.html", {"title": "Study not found", "error": exc}, status=404)
    study = Study.objects.only("last_update", "loaded_at").get(nct_id=record.nct_id)
    sites: list[tuple[int | None, Site]] = [(None, s) for s in record.sites]
    place = ""
    near = request.GET.get("near", "")
    if near:
        from ketnav.trials.search import places

        try:
            centre, place = places.resolve(near)
            sites = sorted(
                (
                    (
                        round(haversine_km(centre, Point(s.latitude, s.longitude)))
                        if s.latitude is not None and s.longitude is not None
                        else None,
                        s,
                    )
                    for s in record.sites
                ),
                key=lambda pair: (pair[0] is None, pair[0] or 0),
            )
        except InvalidInput:
            place = ""
    from ketnav.trials.apps import criteria_cache

    parsed = parsed_criteria([record.nct_id], criteria_cache())[record.nct_id]
    concepts, measures = form_questions(parsed)
    post = request.POST
    form: dict[str, object] = {
        "concepts": [(q, post.get(f"c_{q.key}", "")) for q in concepts],
        "measures": [(q, post.get(f"m_{q.key}", "")) for q in measures],
        "age": post.get("age", ""),
        "sex": post.get("sex", ""),
        "about": post.get("about", ""),
        "otherwise_healthy": post.get("otherwise_healthy") == "on",
    }
    status = 200
    if request.method == "POST":
        # First and apart from everything else (even a form error): any mention of suicidal thoughts
        # shows the crisis contacts.
        said_yes = post.get("c_suicidal") == "yes"
        if said_yes or touches_suicidal_thoughts(post.get("about", "")):
            form["crisis"] = crisis_payload()
        try:
            text = request.POST.get("about", "")
            answers = _prescreen_answers(request.POST, concepts, measures)
            if not text.strip() and answers == Answers():
                raise InvalidInput("answer at least one question, or describe yourself in the box")
            profile = build_profile(check_description(text) if text.strip() else "", answers)
            form["result"] = prescreen(parsed, profile)
        except InvalidInput as exc:
            form["error"] = exc
            status = 422
    response = render(
        request,
        "trials/study.html",
        {
            "title": record.brief_title,
            "record": record,
            # Many records repeat the brief summary as the start of the description: show it once.
            "details": without_repeat(record.detailed_description, record.brief_summary),
            "study": study,
            "sites": sites,
            "place": place,
            "near": near,
            "back": request.GET.get("back", ""),
            "prescreen": form,
        },
        status=status,
    )
    if request.method == "POST":
        response["Cache-Control"] = "no-store"  # the answers are the person's: not kept by the browser either
    return response
