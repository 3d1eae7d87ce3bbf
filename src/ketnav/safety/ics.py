"""A minimal RFC 5545 calendar file for an aftercare plan (no dependency needed for two events)."""

from __future__ import annotations

import datetime as dt
import hashlib

from ketnav.safety.aftercare import AftercarePlan


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded with CRLF + space (RFC 5545, 3.1)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _stamp(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%dT%H%M%S")  # floating local time: the person's own clock


def aftercare_ics(plan: AftercarePlan, *, now: dt.datetime | None = None) -> str:
    created = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    uid = hashlib.sha256(f"{plan.session_end.isoformat()}|{plan.route}".encode()).hexdigest()[:24]
    description = "\n".join(
        [
            f"After {plan.route}. Educational plan from Ketamine Navigator; follow your clinic's instructions.",
            "Arrange:",
            *[f"- {a}" for a in plan.arrange],
            "Watch for:",
            *[f"- {w}" for w in plan.watch_for],
            "Get help:",
            *[f"- {h}" for h in plan.get_help],
        ]
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ketamine Navigator//Aftercare//EN",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:{uid}-nodrive@ketnav.local",
        f"DTSTAMP:{created}",
        f"DTSTART:{_stamp(plan.session_end)}",
        f"DTEND:{_stamp(plan.drive_from)}",
        f"SUMMARY:{_escape('No driving or operating machinery (after ketamine treatment)')}",
        f"DESCRIPTION:{_escape(description)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "BEGIN:VEVENT",
        f"UID:{uid}-drive@ketnav.local",
        f"DTSTAMP:{created}",
        f"DTSTART:{_stamp(plan.drive_from)}",
        f"DTEND:{_stamp(plan.drive_from + dt.timedelta(minutes=15))}",
        f"SUMMARY:{_escape('Earliest time to drive again, if you feel fully normal')}",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:PT0M",
        f"DESCRIPTION:{_escape('You may drive again if you feel fully normal and slept well.')}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
