"""The ``ketnav`` command.

Only argparse and our own light modules are imported here, so ``ketnav --help`` answers instantly;
each sub-command's module (and Django, numpy, ...) is imported when that sub-command runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ketnav import __version__
from ketnav.errors import KetnavError


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    module: str  # "ketnav.cli.serve" defines add_arguments(parser) and run(args) -> int


COMMANDS: tuple[Command, ...] = (
    Command("serve", "run the web site (applies database migrations first)", "ketnav.cli.serve"),
    Command("migrate", "create or upgrade the database tables and exit", "ketnav.cli.migrate"),
    Command("load", "load ClinicalTrials.gov records from files into the local registry", "ketnav.cli.load"),
    Command("sync", "fetch new and updated studies from the ClinicalTrials.gov API", "ketnav.cli.sync"),
    Command("search", "search the local registry for clinical trials", "ketnav.cli.search"),
    Command("trial", "show one study from the local registry", "ketnav.cli.trial"),
    Command("match", "describe a person: search and pre-screen each study's criteria", "ketnav.cli.match"),
    Command("stats", "count the studies in the local registry by status, phase and source", "ketnav.cli.stats"),
    Command("guide", "read the cited guide to ketamine for anxiety in the terminal", "ketnav.cli.guide"),
    Command("pk", "educational pharmacokinetic models and simulations by route", "ketnav.cli.pk"),
    Command("screen", "pre-consultation safety screen from a JSON answers file", "ketnav.cli.screen"),
    Command(
        "aftercare", "aftercare plan after a session: when to drive again, what to watch for", "ketnav.cli.aftercare"
    ),
    Command("costs", "total cost of a course at each clinic, itemized, with its quality checklist", "ketnav.cli.costs"),
    Command("settings", "show the settings in effect and where each came from", "ketnav.cli.settings_cmd"),
    Command("user", "create accounts and end sign-in lockouts on a shared server", "ketnav.cli.user"),
)


def _load(command: Command) -> object:
    return importlib.import_module(command.module)


def build_parser(commands: Sequence[Command] = COMMANDS, *, full: bool = False) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ketnav",
        description="Ketamine Navigator: cited education, a local clinical-trial finder and treatment "
        "tools for ketamine therapy. Educational only; not medical advice.",
    )
    parser.add_argument("--version", action="version", version=f"ketnav {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for command in commands:
        sub_parser = sub.add_parser(command.name, help=command.help, description=command.help.capitalize() + ".")
        sub_parser.set_defaults(_command=command)
        if full:
            _add_arguments(command, sub_parser)
    return parser


def _add_arguments(command: Command, parser: argparse.ArgumentParser) -> None:
    module = _load(command)
    add: Callable[[argparse.ArgumentParser], None] = module.add_arguments  # type: ignore[attr-defined]
    add(parser)


def _selected_command(argv: Sequence[str]) -> Command | None:
    names = {c.name: c for c in COMMANDS}
    for token in argv:
        if token.startswith("-"):
            continue
        return names.get(token)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its output piped into ``head`` (which stops reading) ends it quietly."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # inside the try: a reader that has gone away fails here, not at exit
        return code
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """The exit of a command whose reader closed the pipe (``ketnav stats | head -1``).

    Python would otherwise report the broken pipe again when it flushes stdout at exit, so stdout is
    pointed at /dev/null first. 141 (128 + SIGPIPE) is what a shell reports for a tool that the
    signal stopped, so ``set -o pipefail`` scripts see the same as with any other Unix tool."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout already closed or replaced (no file descriptor)
        pass
    finally:
        os.close(devnull)
    return 141


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    selected = _selected_command(argv)
    # Only the chosen sub-command's module is imported, keeping --help and typos instant.
    commands = COMMANDS
    parser = build_parser(commands)
    if selected is not None:
        sub_action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        _add_arguments(selected, sub_action.choices[selected.name])
    args = parser.parse_args(argv)
    command: Command | None = getattr(args, "_command", None)
    if command is None:
        parser.print_help()
        return 0
    run: Callable[[argparse.Namespace], int] = _load(command).run  # type: ignore[attr-defined]
    try:
        return run(args)
    except KetnavError as exc:
        print(f"ketnav: error: {exc.message}", file=sys.stderr)
        details = list(exc.details)
        if details and exc.message == f"{details[0].location}: {details[0].message}":
            details = details[1:]  # the first one is the message itself
        for detail in details[:20]:
            print(f"  {detail.location}: {detail.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ketnav: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # main() ends quietly
    except Exception as exc:
        if os.environ.get("KETNAV_DEBUG", "").lower() in {"1", "on", "true", "yes"}:
            raise
        print(
            f"ketnav: internal error: {exc.__class__.__name__}: {exc} (set KETNAV_DEBUG=on for details)",
            file=sys.stderr,
        )
        return 70
