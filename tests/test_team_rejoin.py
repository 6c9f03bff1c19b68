"""A seat reopened from a new page or a new terminal with its rejoin code (the seat's session
token): the code is spent once, the token reopens the seat of its person and catches up, a
revoked seat stays shut, and wrong tokens are rate-limited like wrong codes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from simulator import commands as cmd
from simulator import protocol as p
from simulator.events import ActionAccepted
from tests.test_team import session_header
from tui.cli import main
from tui.headless.session import new_session
from tui.headless.team import TeamHost
from tui.link.common import LinkError
from tui.link.host import TeamServer
from tui.link.remote import RemoteSeat
from tui.link.seats import CODE_ALPHABET, SeatError, SeatTable, is_token


def test_a_token_reads_as_a_rejoin_code_and_never_as_a_join_code() -> None:
    table = SeatTable(["ic", "comms"], wrong_codes=2, lockout=30)
    seat = table.redeem(table.seats["ic"].code, "Ada", "10.0.0.1", 0.0)
    assert seat.token is not None
    groups = seat.token.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4, 4]  # 100 bits: twenty of 32 characters
    assert set("".join(groups)) <= set(CODE_ALPHABET)
    assert is_token(seat.token) and is_token(f" {seat.token.lower()} ")
    assert not is_token(table.seats["comms"].code)
    for i in range(2):
        with pytest.raises(SeatError, match="session token is not one of"):
            table.resume(f"AAAA-BBBB-CCCC-DDDD-EEE{i}", "10.0.0.9", 1.0)
    with pytest.raises(SeatError, match="too many wrong"):
        table.resume(seat.token, "10.0.0.9", 2.0)  # locked out, even with the right one
    assert table.resume(seat.token, "10.0.0.9", 40.0) is seat


async def _host(tmp_path: Path) -> TeamHost:
    session = new_session("api-outage", trainee="team", speed=60, journal_dir=tmp_path, paused=True)
    server = TeamServer(
        session_header(session),
        SeatTable(["ic", "comms"]),
        lambda c, s: (False, "unused"),
        tls=None,
        plaintext_for_tests=True,
    )
    host = TeamHost(session, server)
    await server.start()
    return host


def _seat(host: TeamHost, *, code: str = "", token: str | None = None) -> RemoteSeat:
    return RemoteSeat(
        "127.0.0.1",
        host.server.port,
        code,
        name="Grace" if token is None else None,
        token=token,
        known_hosts=None,
        plaintext_for_tests=True,
    )


def test_a_new_process_takes_its_seat_again_with_the_rejoin_code_and_catches_up(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        host = await _host(tmp_path)
        code = host.server.seats.seats["comms"].code
        first = _seat(host, code=code)
        welcome = await first.connect()
        rejoin = first.rejoin_code
        assert rejoin is not None and rejoin == welcome.token
        host.session.pacer.start(0.0)
        for k in range(1, 5):
            host.session.tick(k * 0.25)
        assert (await first.send(cmd.Note(text="before the reload"))).accepted
        await first.close()  # the page was reloaded: its process, and the token in it, are gone

        spent = _seat(host, code=code)
        with pytest.raises(LinkError, match="already used"):
            await spent.connect()
        await spent.close()

        again = _seat(host, token=rejoin)
        back = await again.connect()
        assert (back.seat, back.person, back.role) == ("comms", "Grace", "comms")
        events: list[dict[str, object]] = []

        async def follow() -> None:
            async for message in again.messages():
                if isinstance(message, p.EventMessage):
                    events.append(message.event)

        follower = asyncio.create_task(follow())
        async with asyncio.timeout(5):
            while {"do": "note", "text": "before the reload"} not in [
                e.get("command") for e in events
            ]:
                await asyncio.sleep(0.02)
        assert events[0]["kind"] == "scenario_started"  # caught up from the start
        assert (await again.send(cmd.Note(text="after the reload"))).accepted
        notes = [
            (e.person, e.seat, e.command["text"])
            for e in host.session.events
            if isinstance(e, ActionAccepted) and e.command.get("do") == "note"
        ]
        assert notes == [
            ("Grace", "comms", "before the reload"),
            ("Grace", "comms", "after the reload"),
        ]

        host.server.revoke("comms")
        shut = _seat(host, token=rejoin)
        with pytest.raises(LinkError, match="revoked"):
            await shut.connect()
        await shut.close()
        follower.cancel()
        await again.close()
        await host.server.close()
        host.session.close()

    asyncio.run(scenario())


def test_warroom_join_takes_a_rejoin_code_instead_of_a_join_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["join", "127.0.0.1:7433", "--code", "K7QX-M2PD-9TRA", "--token", "A-B-C-D-E"])
    assert "not allowed with argument" in capsys.readouterr().err
    assert main(["join", "127.0.0.1:7433", "--token", "A-B-C-D-E", "--name", "Eve"]) == 2
    assert "--name goes with --code" in capsys.readouterr().err
