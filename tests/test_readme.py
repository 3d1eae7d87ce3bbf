"""The README's reference tables are checked against the code so they cannot drift."""

from __future__ import annotations

import re

from ketnav.cli import COMMANDS
from ketnav.config import SETTINGS
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _section(name: str) -> str:
    match = re.search(rf"<!-- {name}:.*?-->(.*?)<!-- /{name} -->", README, re.S)
    assert match, f"README has no {name} section"
    return match.group(1)


def test_readme_starts_with_exactly_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line for line in first_block.group(1).splitlines() if line.strip()]
    assert [c.split("#")[0].strip() for c in commands] == ["sh scripts/serve.sh", "sh scripts/test.sh"]
    for script in ("serve.sh", "test.sh"):
        assert (REPO_ROOT / "scripts" / script).exists()


def test_cli_reference_lists_every_command_with_its_help() -> None:
    section = _section("cli-reference")
    rows = re.findall(r"^\| `ketnav (\S+)[^`]*` \| (.+?) \|$", section, re.M)
    assert dict(rows) == {c.name: c.help for c in COMMANDS}


def test_settings_reference_matches_the_code() -> None:
    section = _section("settings-reference")
    rows = re.findall(r"^\| `(KETNAV_\w+)` \| (.+?) \| (.+?) \|$", section, re.M)
    assert rows == [(s.name, s.default, s.help) for s in SETTINGS]
