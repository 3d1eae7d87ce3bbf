"""``ketnav screen --answers FILE.json``: the pre-consultation safety screen in the terminal."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ketnav.errors import InvalidInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--answers",
        type=Path,
        required=True,
        metavar="FILE.json",
        help='answers, e.g. {"age": 45, "medications": ["Nardil"], "blood_pressure": "165/102"}',
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    from ketnav.safety.screening import SEVERITY_LABELS, parse_answers, screen
    from ketnav.safety.serialize import screening_dict

    try:
        data = json.loads(args.answers.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"--answers: no such file {args.answers}") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--answers: {args.answers} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    result = screen(parse_answers(data))
    if args.json:
        print(json.dumps(screening_dict(result), indent=2, ensure_ascii=False))
        return 0
    print("Educational screen to discuss with a clinician; it does not decide your treatment.\n")
    if result.urgent:
        print("!! Some answers need attention today. In an emergency call your local emergency number;")
        print("!! in the US call or text 988 for the Suicide & Crisis Lifeline.\n")
    if not result.findings:
        print("Nothing in your answers matched a listed safety rule. A full evaluation is still needed.")
    for finding in result.findings:
        print(f"[{SEVERITY_LABELS[finding.rule.severity]}] {finding.rule.title}")
        print(f"  Why: {finding.because}.")
        print(f"  {finding.rule.patient}")
        print(f"  Sources: {'; '.join(r.citation() for r in finding.references)}\n")
    for med in result.medications:
        if not med.recognized:
            print(f"Medication not recognized — ask your clinician: {med.entered}")
    print("\nQuestions to ask your clinician:")
    for q in result.questions:
        print(f"  - {q}")
    return 0
