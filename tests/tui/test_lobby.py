"""The lobby: the library under the chosen policy, a name before starting, and the way back."""

from __future__ import annotations

import gc
from pathlib import Path

from textual.message import Message
from textual.widgets import DataTable, Input

from simulator.library import library_paths
from simulator.pacer import SPEEDS, next_speed
from tests.tui.conftest import SIZE, console, pick
from tui.app import make_app
from tui.screens.console import ConsoleScreen
from tui.screens.dialogs.confirm import ConfirmQuit
from tui.screens.lobby import LobbyScreen
from tui.screens.messages import StartExercise
from tui.screens.summary import SummaryScreen


async def test_make_app_without_a_scenario_opens_the_lobby_with_the_library(
    journal_dir: Path,
) -> None:
    app = make_app(journal_dir=journal_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LobbyScreen)
        table = app.screen.query_one("#scenarios", DataTable)
        ids = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert ids == [p.stem for p in library_paths()]
        assert {"api-outage", "slow-blocks", "validator-dropout"} <= set(ids)
        assert table.get_cell("api-outage", "severity") == "SEV-2 (high)"


async def test_switching_policy_shows_each_scenario_on_that_policy_s_scale(
    journal_dir: Path,
) -> None:
    app = make_app(journal_dir=journal_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pick(pilot, "#policy", "agentos")
        table = app.screen.query_one("#scenarios", DataTable)
        assert table.get_cell("api-outage", "severity") == "P1 (high)"


async def test_the_lobby_wants_a_name_then_starts_the_console_as_chosen(
    journal_dir: Path,
) -> None:
    seen: list[Message] = []
    app = make_app(journal_dir=journal_dir, paused=True)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await pilot.pause()
        second = library_paths()[1].stem
        await pilot.press("down", "enter")  # the second scenario, no name yet
        assert isinstance(app.screen, LobbyScreen)
        assert "Type your name first" in str(app.screen.query_one("#lobby-error").render())
        assert app.focused is app.screen.query_one("#trainee")
        await pilot.press(*"Ada")
        await pick(pilot, "#speed", "60x")
        app.screen.query_one("#trainee").focus()
        await pilot.press("enter")
        await pilot.pause()

        starts = list({id(m): m for m in seen if isinstance(m, StartExercise)}.values())
        assert [(m.scenario.endswith(f"{second}.yaml"), m.trainee, m.speed) for m in starts] == [
            (True, "Ada", 60.0)
        ]
        assert isinstance(app.screen, ConsoleScreen)
        session = console(app).session
        assert (session.scenario.id, session.trainee, session.pacer.speed) == (
            second,
            "Ada",
            60.0,
        )


async def test_leaving_an_exercise_shows_the_summary_then_returns_to_the_lobby(
    journal_dir: Path,
) -> None:
    app = make_app(trainee="Ada", journal_dir=journal_dir, paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        assert isinstance(app.screen, ConsoleScreen)
        session = app.screen.session
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.press("n")
        assert isinstance(app.screen, ConsoleScreen)
        await pilot.press("q", "y")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.summary.reason == "left"
        assert session.journal_path is not None and session.journal_path.exists()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LobbyScreen)


async def test_the_lobby_offers_the_one_speed_ladder_that_plus_and_minus_step_along(
    journal_dir: Path,
) -> None:
    """The lobby offered 1/2/10/60x while ``+`` stepped 1→2→5→10: one ladder now."""
    app = make_app(journal_dir=journal_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lobby = app.screen
        assert isinstance(lobby, LobbyScreen)
        assert lobby.speeds == list(SPEEDS)
    ladder = [SPEEDS[0]]
    while next_speed(ladder[-1], +1) != ladder[-1]:
        ladder.append(next_speed(ladder[-1], +1))
    assert ladder == list(SPEEDS)
    assert next_speed(SPEEDS[-1], +1) == SPEEDS[-1] and next_speed(SPEEDS[0], -1) == SPEEDS[0]


async def test_a_newcomers_first_keys_land_in_the_name_box_and_tab_skips_the_read_only_panes(
    journal_dir: Path,
) -> None:
    """The name box was three Tabs away through two invisible focus stops; typing did nothing."""
    app = make_app(journal_dir=journal_dir, paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#scenarios")
        assert app.focused is table
        await pilot.press(*"Quinn")  # "q" no longer quits the lobby
        assert isinstance(app.screen, LobbyScreen)
        name = app.screen.query_one("#trainee", Input)
        assert app.focused is name and name.value == "Quinn"
        table.focus()
        await pilot.press("tab")
        assert app.focused is name
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#policy")


async def test_at_80x24_tab_from_the_library_reaches_the_name_box(journal_dir: Path) -> None:
    app = make_app(journal_dir=journal_dir, paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#trainee", Input)


async def test_collection_is_back_on_with_start_up_frozen_once_the_first_frame_is_drawn(
    journal_dir: Path,
) -> None:
    gc.disable()  # as ``warroom`` starts the TUI (tui.cli.play)
    try:
        app = make_app(journal_dir=journal_dir)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()
