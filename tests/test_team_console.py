"""The host's line console (for pipes): injects aimed at one role, the end of an exercise
nobody joined, and what the facilitator sees of roles and approvals."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from simulator.events import ActionAccepted, ScenarioEnded
from simulator.journal import read_journal
from tests.test_team import session_header
from tui.cli.console import run_host_command
from tui.headless.session import new_session
from tui.headless.team import TeamHost
from tui.link.host import TeamServer
from tui.link.seats import SeatTable


def _host(tmp_path: Path, roles: list[str]) -> TeamHost:
    session = new_session("api-outage", trainee="team", speed=60, journal_dir=tmp_path, paused=True)
    server = TeamServer(
        session_header(session),
        SeatTable(roles),  # type: ignore[arg-type]
        lambda c, s: (False, "unused"),
        tls=None,
        plaintext_for_tests=True,
    )
    return TeamHost(session, server)


def test_the_line_console_fires_an_inject_to_one_role_with_the_consoles_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = _host(tmp_path, ["ic", "comms"])
    run_host_command(host, "fire ml-network-policy to comms")
    run_host_command(host, "fire ml-network-policy to tech")
    run_host_command(host, "fire ml-network-policy to boss")
    run_host_command(host, "fire ml-network-policy for comms")
    run_host_command(host, "fire")
    host.session.close()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "fired to the comms seats only"
    assert out[1] == "refused: this exercise has no tech seat to aim it at"
    assert out[2].startswith("refused: no seat role 'boss' to aim at (roles: ic, scribe, comms")
    assert out[3].startswith("refused: fire INJECT [to ROLE]: e.g. fire ml-network-policy to comms")
    assert out[4] == "refused: fire INJECT [to ROLE]: say which inject"
    assert host.session.journal_path is not None
    fired = [
        e.command
        for e in read_journal(host.session.journal_path).events
        if isinstance(e, ActionAccepted) and e.command.get("do") == "fire_inject"
    ]
    assert fired == [{"do": "fire_inject", "inject": "ml-network-policy", "to": "comms"}]


@pytest.mark.parametrize("how", ["line console", "facilitator console"])
def test_the_host_leaves_after_end_when_nobody_joined(tmp_path: Path, how: str) -> None:
    from simulator import commands as cmd

    host = _host(tmp_path, ["ic", "comms"])

    def end(h: TeamHost) -> None:
        if how == "line console":
            run_host_command(h, "end")
        else:
            assert h.facilitate(cmd.EndExercise()).accepted

    async def scenario() -> Path:
        async with asyncio.timeout(10):
            return await host.run(started=end)

    journal = read_journal(asyncio.run(scenario()))
    assert isinstance(journal.events[-1], ScenarioEnded)
    assert journal.events[-1].reason == "facilitator"


def test_a_host_without_a_console_ends_the_exercise_on_ctrl_c_even_when_nobody_joined(
    tmp_path: Path,
) -> None:
    import os
    import signal

    host = _host(tmp_path, ["ic", "comms"])

    async def scenario() -> Path:
        async with asyncio.timeout(10):
            return await host.run(
                started=lambda h: os.kill(os.getpid(), signal.SIGINT), end_on_signals=True
            )

    journal = read_journal(asyncio.run(scenario()))
    assert isinstance(journal.events[-1], ScenarioEnded)
    assert journal.events[-1].reason == "facilitator"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back
