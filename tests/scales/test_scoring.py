"""Scoring exactly as published, against the published bands and the scales' own rules."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest

from ketnav.errors import InvalidInput
from ketnav.scales import definitions, scoring
from ketnav.scales.definitions import get_scale, scales
from ketnav.scales.scoring import Reading, choose_baseline, cluster_totals, outcome, score


def test_the_issues_gad7_example_totals_16_and_is_severe() -> None:
    result = score("gad7", [3, 3, 3, 2, 2, 2, 1])
    assert (result.total, result.severity, result.crisis) == (16, "severe", False)


@pytest.mark.parametrize(
    ("scale_id", "total", "band"),
    [
        # Spitzer 2006: 5, 10 and 15 are the cut-points for mild, moderate and severe anxiety.
        ("gad7", 0, "minimal"), ("gad7", 4, "minimal"), ("gad7", 5, "mild"), ("gad7", 9, "mild"),
        ("gad7", 10, "moderate"), ("gad7", 14, "moderate"), ("gad7", 15, "severe"), ("gad7", 21, "severe"),
        # Kroenke 2001: 5, 10, 15 and 20 are mild, moderate, moderately severe and severe.
        ("phq9", 4, "minimal"), ("phq9", 5, "mild"), ("phq9", 10, "moderate"), ("phq9", 14, "moderate"),
        ("phq9", 15, "moderately severe"), ("phq9", 19, "moderately severe"), ("phq9", 20, "severe"),
        ("phq9", 27, "severe"),
        # Weathers 2013 / Bovin 2016: probable PTSD at a cut-point somewhere in 31-33.
        ("pcl5", 30, "below the probable-PTSD range"), ("pcl5", 31, "in the probable-PTSD cut-point range (31-33)"),
        ("pcl5", 33, "in the probable-PTSD cut-point range (31-33)"), ("pcl5", 34, "above the probable-PTSD cut-point"),
    ],
)  # fmt: skip
def test_published_band_boundaries(scale_id: str, total: int, band: str) -> None:
    assert get_scale(scale_id).band(total).label == band


@pytest.mark.parametrize("scale_id", ["gad7", "phq9", "pcl5"])
def test_totals_are_plain_sums_over_the_whole_range(scale_id: str) -> None:
    scale = get_scale(scale_id)
    n, top = len(scale.items), scale.max_item
    assert score(scale_id, [0] * n).total == 0
    assert score(scale_id, [top] * n).total == scale.max_total == n * top
    assert (scale.max_total, n, top) == {"gad7": (21, 7, 3), "phq9": (27, 9, 3), "pcl5": (80, 20, 4)}[scale_id]
    ramp = [i % (top + 1) for i in range(n)]
    assert score(scale_id, ramp).total == sum(ramp)


def test_pcl5_cluster_totals_follow_the_dsm5_clusters() -> None:
    answers = [1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4]
    totals = dict(cluster_totals(get_scale("pcl5"), answers))
    assert list(totals.values()) == [5, 4, 21, 24]
    assert sum(totals.values()) == score("pcl5", answers).total == 54


def test_phq9_item9_above_zero_is_a_crisis_whatever_the_total() -> None:
    low = score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert (low.total, low.severity, low.crisis) == (1, "minimal", True)
    assert score("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0]).crisis is False
    assert score("gad7", [3] * 7).crisis is False
    assert get_scale("phq9").crisis_items == (9,)


def test_it_rejects_the_wrong_number_of_answers() -> None:
    with pytest.raises(InvalidInput, match="GAD-7 has 7 questions; got 6 answers"):
        score("gad7", [1] * 6)


def test_it_rejects_an_answer_outside_the_options() -> None:
    with pytest.raises(InvalidInput, match=r"answers\[3\]: question 4: 4 is not a whole number from 0 to 3"):
        score("gad7", [0, 0, 0, 4, 0, 0, 0])
    with pytest.raises(InvalidInput, match="question 1: -1"):
        score("pcl5", [-1] + [0] * 19)


def test_it_rejects_booleans_and_text_as_answers() -> None:
    with pytest.raises(InvalidInput, match="True is not a whole number"):
        score("gad7", [True, 0, 0, 0, 0, 0, 0])
    with pytest.raises(InvalidInput, match="'2' is not a whole number"):
        score("gad7", ["2", 0, 0, 0, 0, 0, 0])
    with pytest.raises(InvalidInput, match="give a list of 7 numbers"):
        score("gad7", "3333333")


def test_it_rejects_an_unknown_scale() -> None:
    with pytest.raises(InvalidInput, match="unknown scale 'madrs'; use one of gad7, phq9, pcl5"):
        score("madrs", [0])


def test_response_is_a_fall_of_at_least_half_from_baseline() -> None:
    gad7 = get_scale("gad7")
    base = Reading(dt.date(2026, 1, 1), 16)
    exactly_half = outcome(gad7, baseline=base, latest=Reading(dt.date(2026, 2, 1), 8))
    assert (exactly_half.response, exactly_half.reduction_pct, exactly_half.change) == (True, 50.0, -8)
    assert outcome(gad7, baseline=base, latest=Reading(dt.date(2026, 2, 1), 9)).response is False
    worse = outcome(gad7, baseline=base, latest=Reading(dt.date(2026, 2, 1), 18))
    assert (worse.response, worse.reduction_pct) == (False, -12.5)


def test_response_is_undefined_from_a_baseline_of_zero_or_a_single_score() -> None:
    gad7 = get_scale("gad7")
    zero = Reading(dt.date(2026, 1, 1), 0)
    assert outcome(gad7, baseline=zero, latest=Reading(dt.date(2026, 2, 1), 0)).response is None
    only = Reading(dt.date(2026, 1, 1), 12)
    assert outcome(gad7, baseline=only, latest=only).response is None


@pytest.mark.parametrize(("scale_id", "in_remission", "not_yet"), [("gad7", 4, 5), ("phq9", 4, 5), ("pcl5", 30, 31)])
def test_remission_cut_offs(scale_id: str, in_remission: int, not_yet: int) -> None:
    scale = get_scale(scale_id)
    base = Reading(dt.date(2026, 1, 1), scale.max_total)
    assert outcome(scale, baseline=base, latest=Reading(dt.date(2026, 3, 1), in_remission)).remission is True
    assert outcome(scale, baseline=base, latest=Reading(dt.date(2026, 3, 1), not_yet)).remission is False


def test_pcl5_reports_a_clinically_meaningful_fall_of_ten_points() -> None:
    pcl5 = get_scale("pcl5")
    base = Reading(dt.date(2026, 1, 1), 50)
    assert outcome(pcl5, baseline=base, latest=Reading(dt.date(2026, 2, 1), 40)).meaningful_change is True
    assert outcome(pcl5, baseline=base, latest=Reading(dt.date(2026, 2, 1), 41)).meaningful_change is False
    assert outcome(get_scale("gad7"), baseline=base, latest=base).meaningful_change is None


def test_baseline_is_the_last_score_before_the_first_session() -> None:
    readings = [Reading(dt.date(2026, 1, d), t) for d, t in ((2, 18), (9, 17), (20, 8))]
    assert choose_baseline(readings, first_session=dt.date(2026, 1, 10)).total == 17
    assert choose_baseline(readings, first_session=dt.date(2026, 1, 9)).total == 17
    assert choose_baseline(readings, first_session=None).total == 18
    assert choose_baseline(readings, first_session=dt.date(2025, 12, 1)).total == 18
    with pytest.raises(InvalidInput):
        choose_baseline([], first_session=None)


def test_every_total_has_exactly_one_band_and_every_source_resolves() -> None:
    for scale in scales().values():
        for total in range(scale.max_total + 1):
            assert sum(b.low <= total <= b.high for b in scale.bands) == 1
        assert scale.wording and scale.wording_citations
    assert {s: scales()[s].loinc_total for s in scales()} == {"gad7": "70274-6", "phq9": "44261-6", "pcl5": "101698-9"}


def test_docstring_examples_run() -> None:
    for module in (scoring, definitions):
        failures, _ = doctest.testmod(module)
        assert failures == 0
