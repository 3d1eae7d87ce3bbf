"""Aftercare plan: when it is safe to drive again, what to arrange, what to watch for, when to get help.

Driving and machinery: not for at least 24 hours (the figure in the ketamine (Ketalar) label's
information for patients: "24 hours or more"), and not before the next day after a restful sleep
(the esketamine (Spravato) label's words), whichever is later. Pure; the .ics calendar file is built
by ketnav.safety.ics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ketnav.citations.bibliography import Reference, resolve
from ketnav.errors import InvalidInput
from ketnav.routes import route_key

ROUTES = {
    "iv": "IV infusion",
    "im": "intramuscular injection",
    "nasal": "esketamine nasal spray",
    "intranasal": "intranasal ketamine",
    "oral": "oral ketamine",
    "sublingual": "sublingual ketamine",
    "sc": "subcutaneous injection",
}
NO_DRIVING_HOURS = 24
WAKE_TIME = dt.time(8, 0)  # "the next day after restful sleep": we take 08:00 the next morning
YEARS = (2000, 2100)  # plausible session dates; also keeps the date arithmetic far from year 9999
DRIVING_RULE = (
    "No driving or operating machinery for at least 24 hours (the ketamine (Ketalar) label's information "
    "for patients says 24 hours or more), and not before the next day after a restful sleep (the esketamine "
    "(Spravato) label's words), whichever is later."
)


@dataclass(frozen=True)
class AftercarePlan:
    route: str
    session_end: dt.datetime
    drive_from: dt.datetime
    driving_rule: str
    arrange: tuple[str, ...]
    watch_for: tuple[str, ...]
    get_help: tuple[str, ...]
    references: tuple[Reference, ...]


def earliest_driving(session_end: dt.datetime) -> dt.datetime:
    after_24h = session_end + dt.timedelta(hours=NO_DRIVING_HOURS)
    next_morning = dt.datetime.combine(session_end.date() + dt.timedelta(days=1), WAKE_TIME, session_end.tzinfo)
    return max(after_24h, next_morning)


def plan(*, session_end: dt.datetime, route: str) -> AftercarePlan:
    key = route_key(route) or route.strip().lower()  # the shared vocabulary: "esketamine" is "nasal"
    if key not in ROUTES:
        raise InvalidInput(f"route: unknown route {route[:40]!r}; use one of {', '.join(ROUTES)}")
    if not YEARS[0] <= session_end.year <= YEARS[1]:
        raise InvalidInput(
            f"session_end: {session_end.year} is not a plausible year for a session; "
            f"give a date between {YEARS[0]} and {YEARS[1]}"
        )
    arrange = [
        "Do not drive, ride a bicycle or motorbike, or travel home on your own: arrange for a responsible adult "
        "to take you home.",
        "A responsible adult to be with you for the rest of the day.",
        "No alcohol, sleeping pills or other sedating medicines for the rest of the day: they add to ketamine's "
        "drowsiness and can slow your breathing. If you take one of these as a regular prescribed medicine, ask "
        "your prescriber beforehand what to do on treatment days; do not simply stop it.",
        "Nothing important to decide or sign for the rest of the day.",
    ]
    if key == "nasal":
        arrange.insert(
            0,
            "Time to stay at the clinic: the esketamine programme requires at least 2 hours of "
            "monitoring, until a clinician judges you stable.",
        )
    watch = [
        "Feeling detached, dizzy, sleepy or sick is common and usually passes within a few hours.",
        "Check with your provider if effects last into the next day, or if passing urine becomes painful or frequent.",
        "Note how your mood and anxiety change over the next days, to discuss at your next visit.",
    ]
    help_lines = [
        "Call emergency services for chest pain, a racing or irregular heartbeat, a sudden severe headache, trouble "
        "breathing, swelling of the face or throat, a seizure, fainting, weakness on one side, or confusion that is "
        "getting worse.",
        "If you have thoughts of harming yourself: in the US call or text 988; elsewhere call your local "
        "emergency number or a crisis line.",
    ]
    refs = resolve(
        [
            "ketalar-patient-info",
            "spravato-label",
            "spravato-rems",
            "ketalar-pi",
            "ketamine-patient-guide",
            "winstock-2012",
            "lifeline-988",
        ]
    )
    return AftercarePlan(
        route=ROUTES[key],
        session_end=session_end,
        drive_from=earliest_driving(session_end),
        driving_rule=DRIVING_RULE,
        arrange=tuple(arrange),
        watch_for=tuple(watch),
        get_help=tuple(help_lines),
        references=tuple(refs),
    )
