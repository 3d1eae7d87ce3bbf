"""``ketnav costs --quotes FILE.json``: the itemized total cost of a course at each clinic, with its
quality checklist. Pure calculation: no database is touched."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ketnav.errors import InvalidInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quotes", required=True, type=Path, metavar="FILE", help="clinics and prices (.json or .csv)")
    parser.add_argument("--json", action="store_true", help="print the estimates and checklists as JSON")


def _read(path: Path) -> object:
    from ketnav.clinics.csvio import read_csv

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"--quotes: cannot read {path} ({exc.strerror})") from None
    if path.suffix.casefold() == ".csv":
        return read_csv(data)
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"--quotes: {path} is not valid JSON ({exc})") from None


def run(args: argparse.Namespace) -> int:
    from ketnav.clinics.checklist import evaluate
    from ketnav.clinics.money import show
    from ketnav.clinics.quotes import Quotes, parse_quotes
    from ketnav.clinics.serialize import quotes_report

    doc = _read(args.quotes)
    quotes = doc if isinstance(doc, Quotes) else parse_quotes(doc)
    if args.json:
        print(json.dumps(quotes_report(quotes), indent=2, ensure_ascii=False))
        return 0
    estimates = quotes.estimates()
    print("Total cost of a course (estimates from your quotes; confirm with the clinic and your insurer)")
    for e in estimates:
        money = e.clinic.currency
        print(f"\n== {e.clinic.name} ({e.course.route}, {e.sessions} sessions over {e.course.months} months) ==")
        for line in e.lines:
            print(f"  {line.label:<66} {show(line.amount, money):>14}   {line.working}")
        print(f"  {'You pay the clinic':<66} {show(e.paid_to_clinic, money):>14}")
        print(f"  {'Your total cost':<66} {show(e.total, money):>14}   ({show(e.per_session, money)} a session)")
        if e.financing:
            monthly = show(e.financing.monthly_payment, money)
            print(f"  Payment plan: {monthly} a month for {e.financing.term_months} months")
        print(f"  Checklist: {evaluate(e.clinic).summary}")
        for warning in e.warnings:
            print(f"  Warning: {warning}")
    return 0
