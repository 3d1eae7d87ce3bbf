"""``ketnav trial NCT_ID``: one study from the local registry, every section."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import textwrap


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("nct_id", help="e.g. NCT04179266")
    parser.add_argument("--json", action="store_true", help="print the normalized record as JSON")


def run(args: argparse.Namespace) -> int:
    from ketnav.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from ketnav.trials.richtext import to_inline_text, to_text, without_repeat
    from ketnav.trials.search.serialize import record_dict
    from ketnav.trials.selectors import get_record

    record = get_record(args.nct_id)
    if args.json:
        print(json.dumps(record_dict(record), indent=2, ensure_ascii=False))
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
    print(f"\nhttps://clinicaltrials.gov/study/{record.nct_id}")
    return 0


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
