"""The facilitator console beside the IC console: injects, fire now, ad-hoc injects, pace."""

from __future__ import annotations

from pathlib import Path

from textual.coordinate import Coordinate
from textual.widgets import Input, TextArea

from simulator import events as ev
from tests.tui.conftest import SIZE, console, console_app
from tui.screens.console import ConsoleScreen
from tui.screens.facilitator import AdHocInjectDialog, FacilitatorScreen, InjectTable
from tui.screens.widgets import Timeline


async def test_a_facilitated_game_day_opens_on_the_facilitator_console_and_fire_now_delivers(
    journal_dir: Path,
) -> None:
    app = console_app(journal_dir, facilitating=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        session = console(app).session
        console(app).bridge.jump(120)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FacilitatorScreen)
        table = screen.query_one(InjectTable)
        ids = [r.id for r in screen._rows]
        row = ids.index("ml-network-policy")
        assert "manual" in str(table.get_cell_at(Coordinate(row, 0)))
        table.focus()
        table.move_cursor(row=row)
        await pilot.press("f")
        await pilot.pause()
        await pilot.pause()
        delivered = [e for e in session.events if isinstance(e, ev.InjectDelivered) and e.inject]
        assert [e.inject for e in delivered][-1] == "ml-network-policy"
        assert delivered[-1].source == "facilitator"
        assert "delivered" in str(table.get_cell_at(Coordinate(row, 0)))
        # Firing it again is refused before it reaches the engine; nothing changes.
        count = len(session.events)
        await pilot.press("f")
        await pilot.pause()
        assert len(session.events) == count
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        timeline = console(app).query_one(Timeline)
        assert any("Heads-up: we tightened" in line for line in timeline.plain)


async def test_an_ad_hoc_inject_needs_a_sender_and_text_and_reaches_the_trainee(
    journal_dir: Path,
) -> None:
    app = console_app(journal_dir, facilitating=True)
    async with app.run_test(size=SIZE) as pilot:
        session = console(app).session
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AdHocInjectDialog)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Say who the inject is from" in str(dialog.query_one("#error").render())
        dialog.query_one("#sender", Input).value = "VP Sales"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Write what the inject says" in str(dialog.query_one("#error").render())
        dialog.query_one("#text", TextArea).load_text("Is the <demo> at 4pm at risk?")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, FacilitatorScreen)
        adhoc = [e for e in session.events if isinstance(e, ev.InjectDelivered)][-1]
        assert (adhoc.inject, adhoc.sender, adhoc.text) == (
            None,
            "VP Sales",
            "Is the <demo> at 4pm at risk?",
        )
        assert "(ad hoc)" in str(
            app.screen.query_one(InjectTable).get_cell_at(Coordinate(len(app.screen._rows) - 1, 1))
        )


async def test_pause_speed_and_jump_from_the_facilitator_console_are_journalled(
    journal_dir: Path,
) -> None:
    app = console_app(journal_dir, facilitating=True)
    async with app.run_test(size=SIZE) as pilot:
        session = console(app).session
        await pilot.pause()
        assert isinstance(app.screen, FacilitatorScreen)
        assert session.paused
        await pilot.press("space")
        await pilot.pause()
        assert not session.paused
        await pilot.press("space", "+", "j")
        await pilot.pause()
        await pilot.pause()
        assert session.paused
        assert session.pacer.speed == 2.0
        assert session.engine.now >= 60
        done = [e.command["do"] for e in session.events if isinstance(e, ev.ActionAccepted)]
        assert done[-4:] == ["set_pace", "set_pace", "set_pace", "jump_ahead"]
        status = str(app.screen.query_one("#fac-status").render())
        assert "PAUSED" in status and "2x" in status and "link local" in status


async def test_the_trainees_seat_never_offers_or_opens_the_facilitator_console(
    journal_dir: Path,
) -> None:
    """``warroom play``: no F2 in the footer, and F2 does nothing (it showed every fault)."""
    app = console_app(journal_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = console(app)
        offered = {active.binding.action for active in screen.active_bindings.values()}
        assert "pause" in offered and "facilitator" not in offered
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is screen
        assert not any(isinstance(s, FacilitatorScreen) for s in app.screen_stack)
