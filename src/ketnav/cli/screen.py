"""``ketnav screen --answers FILE.json``: the pre-consultation safety screen in the terminal.

``--help`` lists every answer field and its allowed values (from the same vocabulary the schema
uses), and ``--template`` prints a filled-in example to start from.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ketnav.errors import InvalidInput

TEMPLATE = {
    "age": 45,
    "pregnant": False,
    "breastfeeding": False,
    "conditions": ["glaucoma"],
    "medications": ["Nardil", "Xanax 0.5 mg"],
    "blood_pressure": "128/82",
    "substance_use": "none",
    "prior_ketamine": "none",
    "suicidal_thoughts": "none",
}


def _field_help() -> str:
    from ketnav.safety.answers import CONDITION_LIST, PRIOR_KETAMINE, SUBSTANCE_USE, SUICIDAL_THOUGHTS_LABELS

    lines = [
        "answer fields (all optional; the file is one JSON object):",
        "  age                number of years, 0 to 120",
        "  pregnant           true, false or null",
        "  breastfeeding      true, false or null",
        '  blood_pressure     a reading such as "128/82", or {"systolic": 128, "diastolic": 82}',
        '  medications        list of names as on the box, e.g. ["Nardil", "Xanax 0.5 mg"]',
        "  substance_use      one or a list of: " + ", ".join(SUBSTANCE_USE),
        "  prior_ketamine     one or a list of: " + ", ".join(PRIOR_KETAMINE),
        "  suicidal_thoughts  one of: " + "; ".join(f"{k} ({v})" for k, v in SUICIDAL_THOUGHTS_LABELS.items()),
        "  conditions         list of codes or plain names (either column):",
    ]
    for c in CONDITION_LIST:
        plain = f"  (also: {', '.join(c.aliases)})" if c.aliases else ""
        lines.append(f"    {c.code:<36} {c.label}{plain}")
    lines += ["", "example: ketnav screen --template > answers.json; edit it; ketnav screen --answers answers.json"]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _field_help()
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--answers",
        type=Path,
        metavar="FILE.json",
        help='answers, e.g. {"age": 45, "medications": ["Nardil"], "blood_pressure": "165/102"}',
    )
    what.add_argument("--template", action="store_true", help="print a filled-in example answers file and exit")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"--answers: no such file {path}") from None
    except IsADirectoryError:
        raise InvalidInput(f"--answers: {path} is a directory, not a JSON file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"--answers: {path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--answers: {path} is not valid JSON (line {exc.lineno}: {exc.msg})") from None


def run(args: argparse.Namespace) -> int:
    if args.template:
        print(json.dumps(TEMPLATE, indent=2))
        return 0
    from ketnav.safety.answers import touches_suicidal_thoughts
    from ketnav.safety.crisis import crisis_lines
    from ketnav.safety.screening import SEVERITY_LABELS, parse_answers, screen
    from ketnav.safety.serialize import screening_dict

    data = _read(args.answers)
    if not args.json and touches_suicidal_thoughts(data):
        # The crisis contacts come first, even if another answer is wrong and the screen stops below.
        print("\n".join(crisis_lines()) + "\n", flush=True)
    result = screen(parse_answers(data))
    if args.json:
        print(json.dumps(screening_dict(result), indent=2, ensure_ascii=False))
        return 0
    out = sys.stdout
    print("Educational screen to discuss with a clinician; it does not decide your treatment.\n", file=out)
    others = [f for f in result.findings if f not in result.pathway]
    if any(f.rule.urgent for f in others):
        print("!! Some answers need medical attention today. In an emergency call your local emergency number.\n")
    if not result.findings:
        print("Nothing in your answers matched a listed safety rule. A full evaluation is still needed.")
    for finding in [*result.pathway, *others]:
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
