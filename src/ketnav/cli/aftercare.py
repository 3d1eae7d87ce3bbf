"""``ketnav aftercare --end TIME --route ROUTE``: an aftercare plan, optionally as a calendar file."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from ketnav.errors import InvalidInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--end", required=True, metavar="TIME", help='when the session ended, e.g. "2026-11-26T15:30"')
    parser.add_argument("--route", required=True, help="iv, im, nasal, intranasal, oral, sublingual or sc")
    parser.add_argument("--ics", type=Path, default=None, metavar="FILE", help="also write a calendar file")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")


def run(args: argparse.Namespace) -> int:
    from ketnav.safety.aftercare import plan
    from ketnav.safety.ics import aftercare_ics
    from ketnav.safety.serialize import aftercare_dict

    try:
        end = dt.datetime.fromisoformat(args.end)
    except ValueError:
        raise InvalidInput(f"--end: {args.end[:40]!r} is not a date and time like 2026-11-26T15:30") from None
    try:
        result = plan(session_end=end, route=args.route)
    except InvalidInput as exc:  # name the flag the person typed, not the schema field
        flag = {"session_end:": "--end:", "route:": "--route:"}
        message = next(
            (exc.message.replace(k, v, 1) for k, v in flag.items() if exc.message.startswith(k)), exc.message
        )
        raise InvalidInput(message) from None
    if args.ics:
        try:
            args.ics.write_text(aftercare_ics(result), encoding="utf-8", newline="")
        except OSError as exc:
            raise InvalidInput(f"--ics: cannot write {args.ics} ({exc.strerror})") from None
    if args.json:
        print(json.dumps(aftercare_dict(result), indent=2, ensure_ascii=False))
        return 0
    print(f"Aftercare after {result.route} ending {end:%A %d %B %Y, %H:%M} (educational; follow your clinic).")
    print(f"\nNo driving or operating machinery until at least {result.drive_from:%A %d %B %Y, %H:%M}.")
    print(result.driving_rule)
    for title, items in (("Arrange", result.arrange), ("Watch for", result.watch_for), ("Get help", result.get_help)):
        print(f"\n{title}:")
        for item in items:
            print(f"  - {item}")
    if args.ics:
        print(f"\nCalendar file written to {args.ics}")
    return 0
