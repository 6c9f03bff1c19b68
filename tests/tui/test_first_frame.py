"""What the console's first frame shows is there when it is first painted, and it is painted
once: the live score and every key are composed with the screen, and a paint asked for while
the app's start-up batch is open (when Textual writes nothing) is left until the batch closes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tests.tui.conftest import console_app, settle
from tests.tui.textual_private import count_paints, footer_keys, paint_now, repaint_due
from tui.app import make_app
from tui.screens.console import ConsoleScreen
from tui.screens.footer import KeyFooter
from tui.screens.lobby import LobbyScreen
from tui.screens.messages import SimUpdated
from tui.screens.widgets import ScorePanel


async def test_the_score_and_the_keys_are_composed_with_the_console(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the engine's first report reaches the screen, the live score already lists what is
    judged and the footer already holds the keys (they used to come a frame or two later)."""
    before: dict[str, Any] = {}
    report = ConsoleScreen.on_sim_updated

    def first_report(self: ConsoleScreen, message: SimUpdated) -> None:
        if not before:
            before["score"] = str(self.query_one(ScorePanel).render())
            before["keys"] = {k.key for k in footer_keys(self)}
        report(self, message)

    monkeypatch.setattr(ConsoleScreen, "on_sim_updated", first_report)
    app = console_app(journal_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
    # the trainee's view: nothing classified yet, so what will be judged and by what
    assert "not classified yet" in before["score"] and "First alert acknowledged" in before["score"]
    assert {"a", "q", "space"} <= before["keys"]


@pytest.mark.parametrize("screen_kind", [ConsoleScreen, LobbyScreen])
async def test_a_paint_asked_for_during_a_batch_waits_for_the_batch(
    journal_dir: Path, screen_kind: type[Screen[None]]
) -> None:
    """The two screens a ``warroom`` command opens first are painted once at start-up."""
    app = console_app(journal_dir) if screen_kind is ConsoleScreen else make_app(seed=1)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, screen_kind)
        painted = count_paints(screen)
        with app.batch_update():
            paint_now(screen)
            assert painted == [] and repaint_due(screen)
        paint_now(screen)
        assert len(painted) == 1


class _Keys(Screen[None]):
    BINDINGS: ClassVar[list[Any]] = [
        Binding("a", "act", "Act"),
        Binding("q", "quit_screen", "Quit"),
    ]
    ready = False

    def compose(self) -> ComposeResult:
        yield Static("keys")
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act" and not self.ready:
            return None  # shown, disabled
        return True

    def action_act(self) -> None:
        """Nothing."""

    def action_quit_screen(self) -> None:
        """Nothing."""


class _KeysApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(_Keys())


async def test_the_footer_is_composed_again_only_when_its_keys_change() -> None:
    app = _KeysApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, _Keys)
        first = footer_keys(screen)
        assert [k.key for k in first] == ["a", "q"] and first[0].has_class("-disabled")
        screen.refresh_bindings()  # nothing the footer shows changed
        await settle(pilot)
        assert footer_keys(screen) == first
        screen.ready = True
        screen.refresh_bindings()
        await settle(pilot)
        again = footer_keys(screen)
        assert again != first and not again[0].has_class("-disabled")
