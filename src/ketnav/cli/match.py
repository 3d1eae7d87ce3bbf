"""``ketnav match TEXT``: describe a person; search for them and pre-screen every result, ranked by fit.

The same path as ``POST /api/match`` and the trials page's "Describe your situation" box. The words are
used for this run only: nothing is stored or logged.
"""

from __future__ import annotations

import argparse
import json

_BADGE = {"likely_eligible": "likely eligible", "possible": "possible", "likely_excluded": "likely excluded"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="+", help="the person in plain words (age, sex, diagnoses, medicines, history)")
    parser.add_argument(
        "--answers",
        metavar="FILE",
        default=None,
        help="structured answers as JSON (age, sex, bmi, systolic, diastolic, values, facts); they win over TEXT",
    )
    parser.add_argument(
        "--status", nargs="+", default=None, metavar="S", help="open (default), any, or statuses such as RECRUITING"
    )
    parser.add_argument("--limit", type=int, default=10, help="results to show (1-50)")
    parser.add_argument("--json", action="store_true", help="print the derived search and each pre-screen as JSON")


def _answers(path: str | None) -> object:
    from pathlib import Path

    from pydantic import ValidationError

    from ketnav.errors import InvalidInput
    from ketnav.trials.eligibility import Answers

    if path is None:
        return None
    try:
        raw = Path(path).read_text(encoding="utf-8")[:100_000]
    except FileNotFoundError:
        raise InvalidInput(f"--answers: no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"--answers: cannot read {path}: {exc.__class__.__name__}") from None
    try:
        return Answers.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise InvalidInput(f"--answers: {where}: {first['msg']}") from None


def run(args: argparse.Namespace) -> int:
    from ketnav.cli import django_setup
    from ketnav.errors import InvalidInput
    from ketnav.trials.eligibility import Answers, CriteriaCache

    answers = _answers(args.answers)
    assert answers is None or isinstance(answers, Answers)
    text = " ".join(args.text)
    if not 1 <= args.limit <= 50:
        raise InvalidInput("--limit: between 1 and 50")
    django_setup.setup(reader=True)
    django_setup.require_migrated()  # only reads
    from ketnav.safety.crisis import crisis_lines
    from ketnav.trials.eligibility.crisis import touches_suicidal_thoughts
    from ketnav.trials.match import match
    from ketnav.trials.match_api import match_dict

    crisis = touches_suicidal_thoughts(text, answers)
    if crisis and not args.json:
        print("\n".join(crisis_lines()) + "\n")
    try:
        found = match(text, answers, CriteriaCache(), filters={"status": args.status}, limit=args.limit)
    except InvalidInput as exc:
        raise InvalidInput(exc.message.replace("patient: ", "TEXT: ").replace("text: ", "TEXT: ")) from None
    if args.json:
        print(json.dumps(match_dict(found, crisis=crisis), indent=2, ensure_ascii=False))
        return 0
    age = f"{found.age:g}" if found.age is not None else "any"
    print(f"search: {found.query.text}  (age {age}, sex {found.sex or 'any'})")
    for note in found.notes:
        print(f"note: {note}")
    print(f"{found.total:,} studies found; showing {len(found.hits)} ranked by fit\n")
    for m in found.hits:
        verdict = _BADGE[m.prescreen.verdict] if m.prescreen else "not pre-screened"
        print(f"[{verdict}] {m.hit.nct_id}  {m.hit.brief_title}")
        if m.prescreen and m.prescreen.reasons:
            print(f"    because: {m.prescreen.reasons[0]}")
        elif m.prescreen and m.prescreen.questions:
            print(f"    ask: {m.prescreen.questions[0]}")
    print(
        "\nA pre-screen from the registry text, never a decision: "
        "only the study team can say whether you can take part."
    )
    return 0
