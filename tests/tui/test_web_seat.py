"""The browser seat's app (what a page of ``warroom host --web`` runs) against a real host: the
join screen shows the host's refusal of a wrong code and its lockout, as text, then the right
code opens the seat screen; a host presenting another certificate than the pinned one is
refused before any code is sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Label

from tui.headless.session import new_session
from tui.headless.team import TeamHost
from tui.link.host import TeamServer
from tui.link.seats import SeatTable
from tui.link.tls import host_identity, server_context
from tui.link.web import SeatTarget
from tui.screens.web_seat import JoinScreen, WebSeatApp


async def _host(
    tmp_path: Path, table: SeatTable, *, tls: bool = False, now: list[float] | None = None
) -> TeamHost:
    session = new_session("api-outage", trainee="team", speed=60, journal_dir=tmp_path / "s")
    session.open(0.0)
    assert session.header is not None
    server = TeamServer(
        session.header,
        table,
        lambda c, s: (False, ""),
        tls=server_context(host_identity(tmp_path / "host")) if tls else None,
        plaintext_for_tests=not tls,
        clock=(lambda: now[0]) if now is not None else None,
    )
    host = TeamHost(session, server)
    await server.start()
    return host


async def _try(pilot: Pilot[int], code: str, name: str) -> str:
    """Type a code and a name into the join screen, press Join, and return what it says."""
    screen = pilot.app.screen
    assert isinstance(screen, JoinScreen)
    screen.query_one("#join-code", Input).value = code
    screen.query_one("#join-name", Input).value = name
    problem = screen.query_one("#join-problem", Label)
    screen.problem("")  # what the last try said
    await pilot.click("#join-go")
    async with asyncio.timeout(10):
        while True:
            await pilot.pause(0.05)
            if not isinstance(pilot.app.screen, JoinScreen):
                return "joined"
            text = str(problem.render())
            if text and text != "joining…":
                return text


async def test_a_wrong_code_is_refused_and_rate_limited_then_the_right_one_opens_the_seat(
    tmp_path: Path,
) -> None:
    now = [0.0]
    table = SeatTable(["comms"], wrong_codes=2, lockout=30)
    host = await _host(tmp_path, table, now=now)
    app = WebSeatApp(SeatTarget("127.0.0.1", host.server.port, None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen)
        assert "not one of this exercise" in await _try(pilot, "WRONG-CODE-1", "Eve [/]")
        assert "not one of this exercise" in await _try(pilot, "WRONG-CODE-2", "Eve [/]")
        code = table.seats["comms"].code
        assert "too many wrong codes" in await _try(pilot, code, "Eve [/]")
        assert not table.seats["comms"].spent
        now[0] = 100.0  # the lockout is over
        assert await _try(pilot, code.lower(), "Eve [/]") == "joined"
        async with asyncio.timeout(10):
            while "comms seat comms" not in str(app.query_one("#seat-status").render()):
                await pilot.pause(0.05)
        assert "Eve [/]" in str(app.query_one("#seat-status").render())
    assert table.seats["comms"].person == "Eve [/]"
    await host.server.close()
    host.session.close()


async def test_a_host_with_another_certificate_is_refused_before_the_code_is_sent(
    tmp_path: Path,
) -> None:
    table = SeatTable(["comms"])
    host = await _host(tmp_path, table, tls=True)
    pin = "SHA256:" + ":".join(["00"] * 32)
    app = WebSeatApp(SeatTarget("127.0.0.1", host.server.port, pin))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        said = await _try(pilot, table.seats["comms"].code, "Eve")
        assert "another certificate" in said and pin in said
    assert not table.seats["comms"].spent
    await host.server.close()
    host.session.close()


async def test_a_reloaded_page_takes_its_seat_again_with_the_rejoin_code(tmp_path: Path) -> None:
    """A reloaded page lost its seat: its token lived in the old page's process (issue 16)."""
    table = SeatTable(["comms"])
    host = await _host(tmp_path, table)
    target = SeatTarget("127.0.0.1", host.server.port, None)
    first = WebSeatApp(target)
    async with first.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert await _try(pilot, table.seats["comms"].code, "Grace") == "joined"
        label = first.query_one("#seat-rejoin", Label)
        async with asyncio.timeout(10):
            while "rejoin code" not in str(label.render()):
                await pilot.pause(0.05)
        shown = str(label.render())
    token = table.seats["comms"].token
    assert token is not None and shown.endswith(token)
    reloaded = WebSeatApp(target)  # a new page: a new process, nothing remembered
    async with reloaded.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "already used" in await _try(pilot, table.seats["comms"].code, "Grace")
        assert await _try(pilot, token.lower(), "") == "joined"
        async with asyncio.timeout(10):
            while "Grace · comms seat comms" not in str(
                reloaded.query_one("#seat-status").render()
            ):
                await pilot.pause(0.05)
    await host.server.close()
    host.session.close()
