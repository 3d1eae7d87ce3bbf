"""``ketnav migrate``: create or upgrade the tables without starting the server."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--verbose", action="store_true", help="list each migration as it is applied")


def run(args: argparse.Namespace) -> int:
    from ketnav.cli import django_setup

    django_setup.setup()
    applied = django_setup.migrate(verbose=args.verbose)
    print(f"applied {len(applied)} migrations" if applied else "database is up to date")
    return 0
