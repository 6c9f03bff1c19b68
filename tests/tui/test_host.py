"""``warroom host`` in a terminal: the facilitator console of a team game day, driven by Pilot
against a real ``TeamServer`` on loopback with headless seats (the Seats panel live, start the
clock, revoke a seat, fire an inject to one role, rewind, end), and its SVG snapshots at
120x36 and 80x24 with canned seats."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, RichLog, Select, TextArea

from simulator import commands as cmd
from simulator.events import InjectDelivered
from simulator.journal import read_journal
from simulator.library import load_script
from tests.tui.conftest import SIZE, DialogHost, pick, press, settle
from tests.tui.textual_private import footer_keys
from tui.headless.session import new_session
from tui.headless.team import TeamHost, play_seat
from tui.link.host import TeamServer
from tui.link.remote import RemoteSeat
from tui.link.seats import Seat, SeatTable
from tui.screens.dialogs.confirm import ConfirmQuit
from tui.screens.facilitator import AdHocInjectDialog
from tui.screens.host import AimInjectDialog, HostApp, HostScreen, RewindDialog, SeatsTable

ROOT = Path(__file__).resolve().parents[2]
EXPERT = ROOT / "scenarios" / "scripts" / "api-outage.expert.yaml"
NARROW = (80, 24)
FINGERPRINT = "SHA256:7B:0F:31:C2:9A:44:E1:08:5D:6E:2F:90:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
CODES = {
    "ic": "K7QX-M2PD-9TRA",
    "comms": "4HWN-TQ8R-ZC2E",
    "scribe": "PX3D-8KAW-7MNE",
    "observer": "ZR4T-Y6QH-2BCU",
}


def join_command(seat: Seat, port: int) -> str:
    """What the screen shows for a seat nobody has joined (the port left out: it is random)."""
    return f"warroom join trainingbox:7433 --code {seat.code}"


def hosted(tmp_path: Path, *, speed: float = 60.0) -> TeamHost:
    """A team host for api-outage (IC, comms, scribe, observer) on loopback, clock waiting."""
    session = new_session(
        "api-outage", trainee="blue team", speed=speed, journal_dir=tmp_path / "s", paused=True
    )
    session.open(0.0)
    assert session.header is not None
    table = SeatTable(["ic", "comms", "scribe", "observer"])
    server = TeamServer(
        session.header, table, lambda c, s: (False, ""), tls=None, plaintext_for_tests=True
    )
    return TeamHost(session, server)


async def until(pilot: Pilot[Any], done: Callable[[], bool], seconds: float = 20.0) -> None:
    """Let the app run until ``done()`` (the exercise runs on the wall clock here)."""
    async with asyncio.timeout(seconds):
        while not done():
            await pilot.pause(0.05)


def host_screen(app: HostApp) -> HostScreen:
    for screen in reversed(app.screen_stack):
        if isinstance(screen, HostScreen):
            return screen
    raise AssertionError("no host screen")


async def test_the_host_sees_every_seat_live_and_starts_revokes_aims_rewinds_and_ends(
    tmp_path: Path,
) -> None:
    host = hosted(tmp_path)
    table = host.server.seats
    expert = load_script(EXPERT)
    ic_script = cmd.ActionScript(
        actions=[a for a in expert.actions if a.action.do not in ("post_update", "notify")]
    )
    app = HostApp(host, join_command)
    seats: list[RemoteSeat] = []
    playing: list[asyncio.Task[int]] = []
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: host.server.port != 0)
        screen = host_screen(app)
        assert screen.seat_rows[0].state == "not joined"
        assert "◌ not joined" in str(screen.query_one(SeatsTable).get_row("ic")[2])
        # Two seats join from their own "machines": the IC plays the expert's script, the
        # comms lead only listens, then tries a command outside their role.
        for ident, name in (("ic", "Ada [/]"), ("comms", "Grace")):
            seat = RemoteSeat(
                "127.0.0.1",
                host.server.port,
                table.seats[ident].code,
                name=name,
                known_hosts=None,
                plaintext_for_tests=True,
            )
            seats.append(seat)
            await seat.connect()
        playing.append(asyncio.create_task(play_seat(seats[0], ic_script)))
        await until(pilot, lambda: [r.state for r in screen.seat_rows[:2]] == ["connected"] * 2)
        assert not host.clock_started  # scribe and observer are still missing
        await press(pilot, "s")  # start the clock without them
        await until(pilot, lambda: host.clock_started)
        refused = await seats[1].send(cmd.Resolve())
        assert not refused.accepted
        await until(
            pilot, lambda: screen.seat_rows[0].done >= 3 and screen.seat_rows[1].refused > 0
        )
        rows = {r.seat: r for r in screen.seat_rows}
        assert rows["ic"].person == "Ada [/]" and rows["ic"].last is not None
        assert rows["comms"].last is not None and rows["comms"].last.refused
        assert "✗" in str(screen.query_one(SeatsTable).get_row("comms")[4])
        assert "Ada [/]" in str(screen.query_one(SeatsTable).get_row("ic")[1])

        # Revoke the scribe's seat: highlight it, x, confirm.
        screen.query_one(SeatsTable).move_cursor(row=2)
        await press(pilot, "x")
        assert isinstance(app.screen, ConfirmQuit)
        await press(pilot, "y")
        assert table.seats["scribe"].revoked
        await until(pilot, lambda: screen.seat_rows[2].state == "revoked")

        # Fire an inject to the comms seat only.
        await press(pilot, "t")
        dialog = app.screen
        assert isinstance(dialog, AimInjectDialog)
        dialog.query_one("#inject", Select).value = "ml-network-policy"
        dialog.query_one("#to", Select).value = "comms"
        await press(pilot, "ctrl+s")
        await until(
            pilot,
            lambda: any(
                isinstance(e, InjectDelivered) and e.to == "comms" for e in host.session.events
            ),
        )
        await until(
            pilot,
            lambda: (
                "fire inject ml-network-policy to comms only"
                in " ".join(
                    line.text.strip() for line in screen.query_one("#actions", RichLog).lines
                )
            ),
        )

        # Rewind to T+1m: a moment that has not happened is refused in the dialog.
        await until(pilot, lambda: host.session.engine.now > 90)
        await press(pilot, "r")
        rewind = app.screen
        assert isinstance(rewind, RewindDialog)
        rewind.query_one("#moment", Input).value = "T+9h"
        await press(pilot, "enter")
        assert app.screen is rewind and "has not happened yet" in str(
            rewind.query_one("#error").render()
        )
        rewind.query_one("#moment", Input).value = "T+1m"
        await press(pilot, "enter")
        await until(pilot, lambda: len(host.branches) == 1)
        await until(pilot, lambda: seats[1].branches == 1)  # the comms seat follows the branch
        assert host.session.header is not None
        assert host.session.header.extra["parent"]["at"] == 60.0

        # End: E asks first; then q leaves with the branch's journal.
        await press(pilot, "E")
        assert isinstance(app.screen, ConfirmQuit)
        await press(pilot, "y")
        await until(pilot, lambda: app.journal is not None)
        await settle(pilot)
        await press(pilot, "q")
    for seat in seats:
        await seat.close()
    await asyncio.wait(playing, timeout=5)
    assert app.return_value == host.branches[0]
    journal = read_journal(host.branches[0])
    assert journal.ended and journal.events[-1].to_dict()["reason"] == "facilitator"


async def test_leaving_a_running_exercise_ends_it_for_every_seat_first(tmp_path: Path) -> None:
    host = hosted(tmp_path)
    app = HostApp(host, join_command)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: host.server.port != 0)
        await press(pilot, "q")
        assert isinstance(app.screen, ConfirmQuit)
        await press(pilot, "y")
        await until(pilot, lambda: app.journal is not None)
    assert host.session.engine.ended
    assert app.return_value == host.session.journal_path


async def test_ending_before_anyone_joined_stops_the_exercise_and_q_leaves(tmp_path: Path) -> None:
    host = hosted(tmp_path)
    app = HostApp(host, join_command)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: host.server.port != 0)
        await press(pilot, "E")  # end, while the clock still waits for every seat
        assert isinstance(app.screen, ConfirmQuit)
        await press(pilot, "y")
        await until(pilot, lambda: app.journal is not None)  # the host's run returned
        assert host.session.engine.ended == "facilitator"
        await press(pilot, "q")
        await until(pilot, lambda: app.return_value is not None)
    assert app.return_value == host.session.journal_path


async def test_at_80x24_v_shows_the_injects_the_seats_the_team_and_the_score_in_turn(
    tmp_path: Path,
) -> None:
    host = hosted(tmp_path)
    app = HostApp(host, join_command)
    async with app.run_test(size=NARROW) as pilot:
        await until(pilot, lambda: host.server.port != 0)
        await settle(pilot)
        screen = host_screen(app)

        def shown(selector: str) -> bool:
            return screen.query_one(selector).display and screen.query_one(selector).region.area > 0

        assert shown("#injects") and not shown("#seats") and not shown("#actions")
        await press(pilot, "v")
        await pilot.pause()
        assert shown("#seats") and shown("#seat-detail") and not shown("#injects")
        await press(pilot, "v")
        await pilot.pause()
        assert shown("#actions") and not shown("#fac-score") and not shown("#seats")
        await press(pilot, "v")
        await pilot.pause()
        assert shown("#fac-score") and not shown("#actions")
        await press(pilot, "v")
        await pilot.pause()
        assert shown("#injects")
        keys = footer_keys(screen)
        labels = {k.key_display or k.key for k in keys}
        for wanted in ("s", "t", "x", "r", "v", "f", "w", "k", "E", "q", "space"):
            assert wanted in labels, (wanted, labels)
        for k in keys:
            assert k.region.right <= 80 and 0 < k.region.bottom <= 24, (k.key, k.region)


# --------------------------------------------------------------------------- snapshots


def canned(tmp_path: Path) -> TeamHost:
    """Seats in every state at T+02:10: the IC and comms joined and acted (the IC connected),
    the scribe revoked, the observer not joined; an inject fired to the comms seat only."""
    host = hosted(tmp_path)
    table = host.server.seats
    for ident, seat in table.seats.items():
        seat.code = CODES[ident]
    ic = table.redeem(CODES["ic"], "Ada [/]", "10.0.0.1", 0.0)
    comms = table.redeem(CODES["comms"], "Grace", "10.0.0.2", 0.0)
    table.redeem(CODES["scribe"], "Linus", "10.0.0.3", 0.0)
    table.revoke("scribe")
    host.session.engine.run_until(130.0)
    for command in (
        cmd.Acknowledge(alert="APIErrorRateHigh"),
        cmd.Classify(severity="SEV-2"),
        cmd.Declare(title="API outage"),
        cmd.CreateChannel(name="#incident-2026-01-30-1515"),
    ):
        assert host.apply(command, ic)[0]
    assert host.apply(
        cmd.PostUpdate(audience="status_page", status="investigating", text="We are on it."),
        comms,
    )[0]
    assert not host.apply(cmd.ApplyMitigation(mitigation="reboot-the-internet"), ic)[0]
    assert host.facilitate(cmd.FireInject(inject="ml-network-policy", to="comms")).accepted
    host.server.connected = lambda: {"ic": 1}  # type: ignore[method-assign]
    return host


def test_the_host_console_at_120x36(snap_compare: Any, tmp_path: Path) -> None:
    """Issue 16: the facilitator's view of every seat (state, last action, done) beside the
    injects, with the inject aimed at the comms seat highlighted."""

    async def run(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: pilot.app.host.server.port != 0)  # type: ignore[attr-defined]
        await settle(pilot)
        await press(pilot, *["down"] * 8)  # the injects: down to ml-network-policy

    app = HostApp(canned(tmp_path), join_command)
    assert snap_compare(app, terminal_size=SIZE, run_before=run)


def test_the_host_console_at_80x24_shows_the_seats_on_v(snap_compare: Any, tmp_path: Path) -> None:
    """Issue 16: at 80x24 the Seats panel is one press of v away, with the seat's detail (for
    a seat nobody has joined: its join command and the host certificate's fingerprint)."""

    async def run(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: pilot.app.host.server.port != 0)  # type: ignore[attr-defined]
        await settle(pilot)
        await press(pilot, "v")  # the seats
        host_screen(pilot.app).query_one(SeatsTable).move_cursor(row=3)  # type: ignore[arg-type]
        await settle(pilot)  # the observer's seat: nobody yet, so its join line

    app = HostApp(canned(tmp_path), join_command, FINGERPRINT)
    assert snap_compare(app, terminal_size=NARROW, run_before=run)


def test_the_host_console_at_80x24_opens_on_the_injects(snap_compare: Any, tmp_path: Path) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: pilot.app.host.server.port != 0)  # type: ignore[attr-defined]
        await settle(pilot)

    app = HostApp(canned(tmp_path), join_command)
    assert snap_compare(app, terminal_size=NARROW, run_before=run)


async def test_an_ad_hoc_inject_from_the_host_goes_to_every_seat_or_to_one_role() -> None:
    dialog = AdHocInjectDialog(["ic", "comms", "observer"])
    app = DialogHost(dialog)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog.query_one("#sender", Input).value = "Legal"
        dialog.query_one("#text", TextArea).load_text("Do not name the customer [b]X[/b].")
        assert dialog.query_one("#to", Select).value == ""  # every seat, unless one is picked
        await pick(pilot, "#to", "the comms seat only")
        await press(pilot, "ctrl+s")
    assert app.results == [
        cmd.AdHocInject(sender="Legal", text="Do not name the customer [b]X[/b].", to="comms")
    ]
    single = AdHocInjectDialog()  # warroom facilitate: one trainee, no choice of seats
    app = DialogHost(single)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not single.query("#to")


async def test_the_seats_panel_shows_handed_roles_and_a_request_stuck_waiting_for_the_ic(
    tmp_path: Path,
) -> None:
    """A facilitator could not see a tech lead's request nobody approved (issue 16)."""
    from textual.widgets import Static

    session = new_session(
        "api-outage", trainee="blue team", speed=60, journal_dir=tmp_path / "s", paused=True
    )
    session.open(0.0)
    assert session.header is not None
    table = SeatTable(["ic", "tech", "comms"])
    server = TeamServer(
        session.header, table, lambda c, s: (False, ""), tls=None, plaintext_for_tests=True
    )
    host = TeamHost(session, server)
    app = HostApp(host, join_command)
    seats: dict[str, RemoteSeat] = {}
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: host.server.port != 0)
        screen = host_screen(app)
        for ident, name in (("ic", "Ada"), ("tech", "Linus"), ("comms", "Grace")):
            seats[ident] = RemoteSeat(
                "127.0.0.1",
                host.server.port,
                table.seats[ident].code,
                name=name,
                known_hosts=None,
                plaintext_for_tests=True,
            )
            await seats[ident].connect()
        await until(pilot, lambda: host.clock_started)
        assert (await seats["ic"].send(cmd.AssignRole(role="scribe", person="Grace"))).accepted
        restart = cmd.ApplyMitigation(mitigation="restart-ml-inference")
        assert (await seats["tech"].send(restart)).pending == 1
        seats_table = screen.query_one(SeatsTable)
        await until(pilot, lambda: bool(screen.seat_rows[1].waiting))
        await pilot.pause()
        assert "waits for the IC: request 1 apply mitigation" in str(seats_table.get_row("tech")[4])
        assert "Grace +scribe" in str(seats_table.get_row("comms")[1])
        assert "1 waiting for the IC" in screen.feed.link_state
        seats_table.move_cursor(row=1)
        await pilot.pause()
        detail = str(screen.query_one("#seat-detail", Static).render())
        assert "waiting for the IC: request 1 apply mitigation restart-ml-inference" in detail
        seats_table.move_cursor(row=2)
        await pilot.pause()
        detail = str(screen.query_one("#seat-detail", Static).render())
        assert "holds: comms, scribe (handed by the IC: scribe)" in detail

        # Revoking the tech seat withdraws the request it left waiting.
        seats_table.move_cursor(row=1)
        await press(pilot, "x")
        await press(pilot, "y")
        await until(pilot, lambda: not screen.seat_rows[1].waiting)
        assert "waiting for the IC" not in screen.feed.link_state
        await until(pilot, lambda: seats["ic"].requests[1].state == "withdrawn")
        host.facilitate(cmd.EndExercise())
        await until(pilot, lambda: app.journal is not None)
    for seat in seats.values():
        await seat.close()
