"""A participant's seat screen against a real host: the exercise shows up live, a command typed
in the seat reaches the host's journal with the person and the seat, a hostile name is text."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, RichLog

from simulator.commands import ApplyMitigation
from simulator.events import ActionAccepted
from tui.headless.session import new_session
from tui.headless.team import TeamHost
from tui.link.host import TeamServer
from tui.link.remote import RemoteSeat
from tui.link.seats import SeatTable
from tui.screens.seat import SeatApp


def test_a_comms_seat_posts_a_status_page_update_that_the_host_journals(tmp_path: Path) -> None:
    async def scenario() -> None:
        session = new_session("api-outage", trainee="team", speed=60, journal_dir=tmp_path)
        session.open(0.0)
        assert session.header is not None
        table = SeatTable(["comms", "observer"])
        server = TeamServer(
            session.header, table, lambda c, s: (False, ""), tls=None, plaintext_for_tests=True
        )
        host = TeamHost(session, server)
        await server.start()
        seat = RemoteSeat(
            "127.0.0.1",
            server.port,
            table.seats["comms"].code,
            name="Ada [/]",
            known_hosts=None,
            plaintext_for_tests=True,
        )
        app = SeatApp(seat)
        async with app.run_test(size=(100, 30)) as pilot:
            async with asyncio.timeout(10):
                while seat.welcome is None:
                    await pilot.pause(0.05)
            app.query_one("#seat-input").value = (  # type: ignore[attr-defined]
                '{do: post_update, audience: status_page, status: investigating, text: "[b]We '
                'are investigating[/b]"}'
            )
            await pilot.pause(0.1)
            await pilot.press("enter")
            async with asyncio.timeout(10):
                while not any(
                    e.kind in ("action", "rejected") and e.to_dict().get("person")
                    for e in session.events
                ):
                    await pilot.pause(0.05)
                    host.session.tick(0.0)
            status = str(app.query_one("#seat-status").render())
            assert "Ada [/]" in status and "comms seat comms" in status
        action = next(
            e for e in session.events if isinstance(e, ActionAccepted) and e.person is not None
        )
        assert action.person == "Ada [/]" and action.seat == "comms"
        assert action.command["text"] == "[b]We are investigating[/b]"
        await server.close()
        session.close()

    asyncio.run(scenario())


def test_the_ic_seat_is_asked_and_approves_the_tech_leads_mitigation(tmp_path: Path) -> None:
    async def scenario() -> None:
        session = new_session("api-outage", trainee="team", speed=60, journal_dir=tmp_path)
        session.open(0.0)
        assert session.header is not None
        table = SeatTable(["ic", "tech"])
        server = TeamServer(
            session.header, table, lambda c, s: (False, ""), tls=None, plaintext_for_tests=True
        )
        TeamHost(session, server)
        await server.start()
        ic, tech = (
            RemoteSeat(
                "127.0.0.1",
                server.port,
                table.seats[ident].code,
                name=name,
                known_hosts=None,
                plaintext_for_tests=True,
            )
            for ident, name in (("ic", "Ada"), ("tech", "Linus [/]"))
        )
        app = SeatApp(ic)
        async with app.run_test(size=(200, 30)) as pilot:
            async with asyncio.timeout(10):
                while ic.welcome is None:
                    await pilot.pause(0.05)
            held = await tech.send(ApplyMitigation(mitigation="restart-ml-inference"))
            assert held.pending == 1
            async with asyncio.timeout(10):
                while not ic.pending_requests:
                    await pilot.pause(0.05)
            log = app.query_one("#seat-log", RichLog)
            asked = (
                "request 1: Linus [/] (tech) asks to apply mitigation restart-ml-inference "
                "(approve 1 | deny 1 REASON)"
            )
            try:
                async with asyncio.timeout(5):
                    while asked not in "".join(strip.text for strip in log.lines):
                        await pilot.pause(0.05)
            except TimeoutError:
                raise AssertionError([strip.text for strip in log.lines]) from None
            app.query_one("#seat-input", Input).value = "approve 1"
            await pilot.press("enter")  # the IC approves the request shown
            async with asyncio.timeout(10):
                while ic.requests[1].state == "pending":
                    await pilot.pause(0.05)
        action = next(
            e for e in session.events if isinstance(e, ActionAccepted) and e.seat == "tech"
        )
        assert action.person == "Linus [/]" and action.approved_by == "Ada"
        assert action.command == {"do": "apply_mitigation", "mitigation": "restart-ml-inference"}
        await tech.close()
        await server.close()
        session.close()

    asyncio.run(scenario())
