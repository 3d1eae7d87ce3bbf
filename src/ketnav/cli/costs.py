"""``ketnav costs --quotes FILE.json``: the itemized total cost of a course at each clinic, with its
quality checklist. Pure calculation: no database is touched."""

from __future__ import annotations

import argparse
import json
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ketnav.errors import InvalidInput

if TYPE_CHECKING:
    from ketnav.clinics.quotes import Quotes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quotes", required=True, type=Path, metavar="FILE", help="clinics and prices (.json or .csv)")
    parser.add_argument("--json", action="store_true", help="print the estimates and checklists as JSON")


def _read(path: Path) -> Quotes:
    from ketnav.clinics.csvio import read_csv
    from ketnav.clinics.quotes import read_quotes

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"--quotes: cannot read {path} ({exc.strerror})") from None
    if path.suffix.casefold() == ".csv":
        return read_csv(data)
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidInput(f"--quotes: {path} is not valid JSON ({exc})") from None
    return read_quotes(doc)


def run(args: argparse.Namespace) -> int:
    from ketnav.clinics.checklist import evaluate
    from ketnav.clinics.costs import estimate
    from ketnav.clinics.money import show
    from ketnav.clinics.report import QuotesReport
    from ketnav.routes import ROUTES

    quotes = _read(args.quotes)
    if args.json:
        print(QuotesReport.of(quotes).model_dump_json(indent=2))
        return 0
    print("Total cost of a course (estimates from your quotes; confirm with the clinic and your insurer)")
    for clinic in quotes.clinics:
        money = partial(show, code=clinic.currency)
        e = estimate(clinic, clinic.course, show=money)
        route = ROUTES[e.course.route]
        print(f"\n== {clinic.name} ({route}, {e.sessions} sessions over {e.course.months} months) ==")
        width = max(len(line.label) for line in e.lines)
        for line in e.lines:
            print(f"  {line.label:<{width}} {money(line.amount):>14}   {line.working}")
        print(f"  {'You pay the clinic':<{width}} {money(e.paid_to_clinic):>14}")
        print(f"  {'Your total cost':<{width}} {money(e.total):>14}   ({money(e.per_session)} a session)")
        if e.financing:
            print(f"  Payment plan: {money(e.financing.monthly_payment)} a month for {e.financing.term_months} months")
        checklist = evaluate(clinic)
        print(f"  Checklist: {checklist.summary}")
        for result in checklist.results:
            if result.status == "not met":
                print(f"    Not met: {result.item.question} ({result.basis})")
        for warning in e.warnings:
            print(f"  Warning: {warning}")
    return 0
