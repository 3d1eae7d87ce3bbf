"""``ketnav user``: create accounts and end lockouts, for operators of a shared server."""

from __future__ import annotations

import argparse
import json
import sys

from ketnav.errors import InvalidInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="create an account (the password is read from standard input)")
    create.add_argument("email", metavar="EMAIL")
    create.add_argument("--clinician", action="store_true", help="people can share their journal with this account")
    create.add_argument("--staff", action="store_true", help="may edit the clinic directory (in /admin/)")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input (never from the command line)",
    )
    create.add_argument("--json", action="store_true", help="print the new account as JSON")
    unlock = sub.add_parser("unlock", help="end a lockout after too many wrong passwords")
    unlock.add_argument("email", metavar="EMAIL")


def _read_password() -> str:
    if sys.stdin.isatty():  # typed by a person: ask without echoing it
        import getpass

        password = getpass.getpass("Password for the new account: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise InvalidInput("--password-stdin: standard input is empty; pipe the password in, e.g. from a file")
    return password


def run(args: argparse.Namespace) -> int:
    from ketnav.cli import django_setup

    password = _read_password() if args.action == "create" else ""
    django_setup.setup()
    django_setup.migrate()
    if args.action == "create":
        from ketnav.accounts.services import account_dict, create_user

        user = create_user(args.email, password, clinician=args.clinician, staff=args.staff)
        if args.json:
            print(json.dumps(account_dict(user)))
        else:
            print(f"created {user.email} ({', '.join(account_dict(user)['roles'])})")
        return 0
    from axes.utils import reset

    from ketnav.accounts.emails import lookup_key

    removed = reset(username=lookup_key(args.email))
    print(f"unlocked {lookup_key(args.email)}" if removed else f"{lookup_key(args.email)} was not locked")
    return 0
