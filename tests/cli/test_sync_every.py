"""`ketnav sync --every DURATION`: a sync that keeps the registry fresh (issue 20)."""

from __future__ import annotations

import subprocess

import pytest

from ketnav.cli.sync import parse_every, repeat
from ketnav.errors import InvalidInput, UpstreamUnavailable
from tests.conftest import ketnav_cmd


@pytest.mark.parametrize(
    ("text", "seconds"), [("6h", 21_600), ("30m", 1_800), ("1h30m", 5_400), ("1d", 86_400), (" 10M ", 600)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("6", "--every: '6' is not a duration like 6h, 30m or 1h30m"),
        ("soon", "--every: 'soon' is not a duration like 6h, 30m or 1h30m"),
        ("", "--every: '' is not a duration like 6h, 30m or 1h30m"),
        ("-1h", "--every: '-1h' is not a duration like 6h, 30m or 1h30m"),
        ("5m", "--every: '5m' is outside 10m to 7d"),
        ("8d", "--every: '8d' is outside 10m to 7d"),
    ],
)
def test_a_bad_duration_is_one_line_with_exit_2(clean_env: dict[str, str], text: str, message: str) -> None:
    result = subprocess.run(
        ketnav_cmd("sync", f"--every={text}"), env=clean_env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"ketnav: error: {message}"


class _Clock:
    """Time that moves only when something sleeps or a sync takes time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_it_runs_start_to_start_and_survives_a_failed_sync(capsys: pytest.CaptureFixture[str]) -> None:
    clock = _Clock()
    starts: list[float] = []

    def once() -> None:
        starts.append(clock.now)
        clock.now += 100  # each sync takes 100 s
        if len(starts) == 2:
            raise UpstreamUnavailable("ClinicalTrials.gov is unavailable")

    repeat(once, 600, sleep=clock.sleep, clock=lambda: clock.now, runs=3)
    assert starts == [0, 600, 1200]
    assert clock.sleeps == [500, 500]
    assert "ketnav: sync failed: ClinicalTrials.gov is unavailable" in capsys.readouterr().err


def test_an_overrunning_sync_is_followed_at_once_and_bad_input_stops_it() -> None:
    clock = _Clock()
    starts: list[float] = []

    def once() -> None:
        starts.append(clock.now)
        clock.now += 900
        if len(starts) == 3:
            raise InvalidInput("--status: unknown status")

    with pytest.raises(InvalidInput):
        repeat(once, 600, sleep=clock.sleep, clock=lambda: clock.now)
    assert starts == [0, 900, 1800]
