"""``ketnav trial NCT_ID``: one study from the local registry, every section."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ketnav.trials.eligibility import Prescreen


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("nct_id", help="e.g. NCT04179266")
    parser.add_argument("--json", action="store_true", help="print the normalized record as JSON")
    parser.add_argument(
        "--patient",
        metavar="TEXT|@FILE",
        help="pre-screen the study's criteria for a person described in plain words (or in a text file); "
        "nothing is stored",
    )


def run(args: argparse.Namespace) -> int:
    from ketnav.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from ketnav.trials.richtext import to_inline_text, to_text, without_repeat
    from ketnav.trials.search.serialize import record_dict
    from ketnav.trials.selectors import get_record

    description = _description(args.patient) if args.patient is not None else None
    crisis = False
    if description is not None:
        from ketnav.trials.eligibility.crisis import touches_suicidal_thoughts

        crisis = touches_suicidal_thoughts(description)
        if crisis and not args.json:  # first, before the study or any error about it
            from ketnav.safety.crisis import crisis_lines

            print("\n".join(crisis_lines()) + "\n")
    record = get_record(args.nct_id)
    prescreen = None
    if description is not None:
        from ketnav.trials.eligibility import build_profile, prescreen_eligibility

        prescreen = prescreen_eligibility(record.eligibility, build_profile(description))
    if args.json:
        from ketnav.trials.eligibility import prescreen_dict

        out = record_dict(record)
        if crisis:
            from ketnav.safety.crisis import crisis_payload

            out = {"crisis": crisis_payload(), **out}
        if prescreen is not None:
            out["prescreen"] = prescreen_dict(prescreen)
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    e = record.eligibility
    fmt = record.source_format
    print(f"{record.nct_id}: {record.brief_title}")
    print(
        f"status {record.overall_status or '-'} · phases {'/'.join(record.phases) or '-'} · "
        f"last updated {record.last_update.isoformat() if record.last_update else '-'}"
    )
    print(f"conditions: {', '.join(record.conditions) or '-'}")
    print(f"interventions: {', '.join(f'{i.name} ({i.type.lower()})' for i in record.interventions) or '-'}")
    ages = f"{e.minimum_age_text or 'no minimum'} to {e.maximum_age_text or 'no maximum'}"
    print(f"who: {ages}, sex {e.sex.lower()}")
    width = _width()
    if record.brief_summary:
        print(f"\n{_wrap(to_text(record.brief_summary, source_format=fmt), width)}")
    for title, items in (("Inclusion criteria", e.inclusion), ("Exclusion criteria", e.exclusion)):
        if items:
            print(f"\n{title}:")
            for item in items:
                print(_wrap("  - " + to_inline_text(item, source_format=fmt), width))
    details = without_repeat(record.detailed_description, record.brief_summary)
    if details:
        print(f"\nDetailed description:\n{_wrap(to_text(details, source_format=fmt), width)}")
    if prescreen is not None:
        _print_prescreen(prescreen, width)
    print(f"\nhttps://clinicaltrials.gov/study/{record.nct_id}")
    return 0


_VERDICTS = {
    "likely_excluded": "likely excluded",
    "likely_eligible": "likely eligible",
    "possible": "possibly eligible: some criteria need answers",
}
_STATUS = {"met": "met", "not_met": "not met", "unknown": "unknown"}


def _description(raw: str) -> str:
    """--patient TEXT, or @FILE for a description kept in a text file."""
    from pathlib import Path

    from ketnav.errors import InvalidInput
    from ketnav.trials.eligibility import MAX_DESCRIPTION_CHARS, check_description

    if raw.startswith("@"):
        path = Path(raw[1:])
        try:
            if path.stat().st_size > MAX_DESCRIPTION_CHARS * 4:
                raise InvalidInput(f"--patient: {path} is larger than a description can be")
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InvalidInput(f"--patient: no such file: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"--patient: cannot read {path}: {exc.__class__.__name__}") from None
    try:
        return check_description(raw)
    except InvalidInput as exc:  # name the option as the user typed it
        raise InvalidInput("--" + exc.message) from None


def _print_prescreen(prescreen: Prescreen, width: int) -> None:
    print(f"\nPre-screen: {_VERDICTS[prescreen.verdict]}")
    print(_wrap(prescreen.notice, width))
    for reason in prescreen.reasons:
        print(_wrap(f"  ! {reason}", width))
    for c in prescreen.criteria:
        because = f" ({c.because})" if c.because else ""
        print(_wrap(f"  - [{_STATUS[c.status]}] {c.kind}: {c.text}{because}", width))
    if prescreen.questions:
        print("Questions to ask the study team:")
        for q in prescreen.questions:
            print(_wrap(f"  - {q}", width))


def _width() -> int:
    """Wrap at the terminal's width (at most 100 columns, easier to read); 88 when piped."""
    return min(100, shutil.get_terminal_size((88, 24)).columns)


_MARKER = re.compile(r"^(\s*(?:[-*] |\d+\. )?)")


def _wrap(text: str, width: int) -> str:
    """Wrap each line, hanging continuation lines under the text of a list item."""
    out = []
    for line in text.split("\n"):
        if not line.strip():
            out.append("")
            continue
        indent = " " * len(_MARKER.match(line).group(1))  # type: ignore[union-attr]
        out.append(
            textwrap.fill(line, width=width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
        )
    return "\n".join(out)
