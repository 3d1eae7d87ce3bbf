"""``ketnav stats``: what is in the local registry."""

from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print as JSON")


def run(args: argparse.Namespace) -> int:
    from ketnav.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from ketnav.trials.selectors import registry_stats

    stats = registry_stats()
    if args.json:
        print(json.dumps(stats, indent=2, default=str))
        return 0
    print(f"studies: {stats['studies']:,}   sites: {stats['sites']:,}")
    last = stats["last_update"]
    print(f"last update: {last['min'] or '-'} .. {last['max'] or '-'}")
    for key in ("by_status", "by_phase", "by_source_format"):
        print(f"{key.replace('by_', 'by ').replace('_', ' ')}:")
        for name, count in stats[key].items():
            print(f"  {name or '(none)':<28} {count:>9,}")
    return 0
