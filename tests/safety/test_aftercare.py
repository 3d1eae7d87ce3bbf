from __future__ import annotations

import datetime as dt

import pytest

from ketnav.errors import InvalidInput
from ketnav.safety.aftercare import earliest_driving, plan
from ketnav.safety.ics import aftercare_ics
from ketnav.safety.side_effects import check, effects


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (dt.datetime(2026, 11, 26, 15, 30), dt.datetime(2026, 11, 27, 15, 30)),  # 24 h is later
        (dt.datetime(2026, 11, 26, 5, 0), dt.datetime(2026, 11, 27, 8, 0)),  # next morning is later
        (dt.datetime(2026, 11, 26, 23, 59), dt.datetime(2026, 11, 27, 23, 59)),
        (dt.datetime(2026, 12, 31, 10, 0), dt.datetime(2027, 1, 1, 10, 0)),
    ],
)
def test_no_driving_for_24_hours_and_not_before_next_day(end: dt.datetime, expected: dt.datetime) -> None:
    assert earliest_driving(end) == expected
    assert earliest_driving(end) - end >= dt.timedelta(hours=24)
    assert earliest_driving(end).date() > end.date()


def test_nasal_plan_includes_two_hour_observation() -> None:
    assert any("2 hours" in a for a in plan(session_end=dt.datetime(2026, 1, 1, 9), route="nasal").arrange)
    assert not any("2 hours" in a for a in plan(session_end=dt.datetime(2026, 1, 1, 9), route="iv").arrange)


def test_it_rejects_unknown_route() -> None:
    with pytest.raises(InvalidInput, match="route: unknown route 'rectal'"):
        plan(session_end=dt.datetime(2026, 1, 1, 9), route="rectal")


def test_ics_is_valid_rfc5545() -> None:
    text = aftercare_ics(
        plan(session_end=dt.datetime(2026, 11, 26, 15, 30), route="iv"),
        now=dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC),
    )
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART:20261126T153000" in lines and "DTEND:20261127T153000" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    assert text.count("BEGIN:VEVENT") == 2 == text.count("END:VEVENT")
    assert "\\, " in text  # commas escaped in text values


def test_side_effects_are_classed_and_lasting_ones_escalate() -> None:
    end = dt.datetime(2026, 11, 26, 10, 0)
    soon = check(["dissociation"], session_end=end, now=end + dt.timedelta(hours=1))
    assert soon.level == "expected"
    later = check(["dissociation"], session_end=end, now=end + dt.timedelta(hours=8))
    assert later.level == "report"
    urgent = check(["nausea", "chest-pain"], session_end=end, now=end + dt.timedelta(hours=1))
    assert urgent.level == "urgent"
    assert urgent.assessed[0].effect.id == "chest-pain"
    assert all(e.citations for e in effects().values())


def test_side_effect_check_rejects_future_end_and_unknown_effects() -> None:
    end = dt.datetime(2026, 11, 26, 10, 0)
    with pytest.raises(InvalidInput, match="session_end: the session end time is in the future"):
        check(["nausea"], session_end=end, now=end - dt.timedelta(minutes=5))
    with pytest.raises(InvalidInput, match="unknown effect 'itchy feet'"):
        check(["itchy feet"], session_end=end, now=end + dt.timedelta(hours=1))


# --- issue 14: aftercare wording and sources, new urgent side effects ---------------------------------


def test_aftercare_says_no_alcohol_or_sedatives_for_the_rest_of_the_day_with_sources() -> None:
    result = plan(session_end=dt.datetime(2026, 1, 1, 9), route="iv")
    line = next(a for a in result.arrange if "alcohol" in a)
    assert "sleeping pills" in line and "rest of the day" in line and "do not simply stop" in line
    assert {"ketamine-patient-guide", "spravato-label"} <= {r.id for r in result.references}


def test_aftercare_says_do_not_drive_cycle_or_travel_alone_plainly() -> None:
    first = plan(session_end=dt.datetime(2026, 1, 1, 9), route="iv").arrange[0]
    assert first.startswith("Do not drive, ride a bicycle or motorbike, or travel home on your own")
    assert "taxi" not in first


def test_the_driving_rule_names_where_each_part_comes_from() -> None:
    result = plan(session_end=dt.datetime(2026, 1, 1, 9), route="nasal")
    assert "24 hours" in result.driving_rule and "Ketalar" in result.driving_rule
    assert "next day after a restful sleep" in result.driving_rule and "Spravato" in result.driving_rule
    assert "ketalar-patient-info" in {r.id for r in result.references}


@pytest.mark.parametrize("year", [1, 1999, 2101, 9999])
def test_it_rejects_implausible_session_years(year: int) -> None:
    with pytest.raises(InvalidInput, match=f"session_end: {year} is not a plausible year"):
        plan(session_end=dt.datetime(year, 12, 31, 23, 0), route="iv")


@pytest.mark.parametrize(
    ("effect", "words"),
    [
        ("seizure", "seizure"),
        ("allergic-reaction", "swelling of the face, lips, tongue or throat"),
        ("fainting", "pass out"),
        ("chest-pain", "racing, pounding or irregular heartbeat"),
        ("lasting-hallucinations", "beyond the day of the session"),
    ],
)
def test_new_urgent_side_effects(effect: str, words: str) -> None:
    end = dt.datetime(2026, 11, 26, 10, 0)
    for hours in (0.5, 30):
        result = check([effect], session_end=end, now=end + dt.timedelta(hours=hours))
        assert result.level == "urgent"
    assert words in effects()[effect].label.lower()
    assert effects()[effect].citations


def test_thoughts_of_self_harm_bring_the_crisis_contacts() -> None:
    end = dt.datetime(2026, 11, 26, 10, 0)
    assert check(["self-harm"], session_end=end, now=end + dt.timedelta(hours=1)).crisis
    assert not check(["nausea"], session_end=end, now=end + dt.timedelta(hours=1)).crisis
