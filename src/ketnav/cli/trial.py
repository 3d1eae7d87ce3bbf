"""``ketnav trial NCT_ID``: one study from the local registry, every section."""

from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("nct_id", help="e.g. NCT04179266")
    parser.add_argument("--json", action="store_true", help="print the normalized record as JSON")


def run(args: argparse.Namespace) -> int:
    from ketnav.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from ketnav.trials.search.serialize import record_dict
    from ketnav.trials.selectors import get_record

    record = get_record(args.nct_id)
    if args.json:
        print(json.dumps(record_dict(record), indent=2, ensure_ascii=False))
        return 0
    e = record.eligibility
    print(f"{record.nct_id}: {record.brief_title}")
    print(
        f"status {record.overall_status or '-'} · phases {'/'.join(record.phases) or '-'} · "
        f"last updated {record.last_update.isoformat() if record.last_update else '-'}"
    )
    print(f"conditions: {', '.join(record.conditions) or '-'}")
    print(f"interventions: {', '.join(f'{i.name} ({i.type.lower()})' for i in record.interventions) or '-'}")
    ages = f"{e.minimum_age_text or 'no minimum'} to {e.maximum_age_text or 'no maximum'}"
    print(f"who: {ages}, sex {e.sex.lower()}")
    if record.brief_summary:
        print(f"\n{record.brief_summary}")
    for title, items in (("Inclusion criteria", e.inclusion), ("Exclusion criteria", e.exclusion)):
        if items:
            print(f"\n{title}:")
            for item in items:
                print(f"  - {item}")
    print(f"\nhttps://clinicaltrials.gov/study/{record.nct_id}")
    return 0
