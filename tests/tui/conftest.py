"""Helpers for the TUI tests: a paused console app, jumping sim time, driving the forms.

Every app here starts with the clock paused and moves sim time only with the console's jump
key or the bridge, so nothing depends on the wall clock.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import Select, Static

from tests.tui.textual_private import (
    force_layout,
    select_overlay,
    select_prompts,
    send_key,
    wait_for_mount,
    wait_for_screen,
)
from tui.app import WarroomApp, make_app
from tui.headless.session import new_session
from tui.screens.console import ConsoleScreen
from tui.screens.dialogs.base import ActionDialog
from tui.screens.forms import Forms

SIZE = (120, 36)
"""The terminal size the console is designed for."""


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (no async plugin is installed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = inspect.signature(pyfuncitem.obj).parameters
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(autouse=True)
def records_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test records into its own database, never the user's."""
    path = tmp_path / "records.db"
    monkeypatch.setenv("WARROOM_DB", str(path))
    return path


@pytest.fixture
def journal_dir(tmp_path: Path) -> Path:
    """A folder for the session's journal."""
    return tmp_path / "sessions"


def console_app(journal_dir: Path, scenario: str = "api-outage", **options: Any) -> WarroomApp:
    """The console for ``scenario`` with the clock paused (seed 1, trainee Ada)."""
    options.setdefault("trainee", "Ada")
    return make_app(scenario, seed=1, journal_dir=journal_dir, paused=True, **options)


def forms_at(journal_dir: Path, seconds: float, *commands: Any) -> Forms:
    """The dialogs of an api-outage session at ``seconds`` after ``commands`` (no screen)."""
    session = new_session("api-outage", trainee="Ada", journal_dir=journal_dir, paused=True)
    session.open(0.0)
    session.jump(seconds)
    for command in commands:
        outcome = session.submit(command)
        assert outcome.accepted, outcome.reason
    return Forms(session)


class DialogHost(App[None]):
    """A bare app that shows one dialog; what the dialog dismisses with lands in ``results``.

    Dialogs are given plain data, so they are tested without the console behind them (whose
    start-up costs several times more than the dialog).
    """

    def __init__(self, dialog: ModalScreen[Any]) -> None:
        super().__init__()
        self.dialog = dialog
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("")

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.results.append)


def console(app: WarroomApp) -> ConsoleScreen:
    """The app's console screen (under any dialog)."""
    for screen in reversed(app.screen_stack):
        if isinstance(screen, ConsoleScreen):
            return screen
    raise AssertionError("no console screen")


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the app and its current screen have handled every message, however many hops.

    Unlike ``Pilot.pause``, which waits for the process to look idle by comparing CPU and wall
    time (up to a second per call, every call, on a busy or shared machine), this waits on the
    message queues themselves, so a long play-through costs what the app does, not how loaded
    the machine is. Handling one message queues the next (a key selects an option, the Select
    posts Changed, the dialog retemplates; a key pushes a dialog, which composes and mounts),
    and what waits for a refresh (a Select's overlay takes focus after one) runs once the
    screen is laid out, which is forced here as ``Pilot.pause`` does; so it goes round until
    every queue is empty.
    """
    for _ in range(50):
        await wait_for_screen(pilot)
        screen = pilot.app.screen
        await wait_for_mount(screen)
        force_layout(screen)
        await asyncio.sleep(0)
        pumps = [pilot.app, *screen.walk_children(with_self=True)]
        if not any(pump.message_queue_size for pump in pumps):
            return
    raise AssertionError("the app kept posting messages to itself")


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press ``keys`` through the driver, exactly as ``Pilot.press`` does, settling after each."""
    for key in keys:
        send_key(pilot.app, key)
        await settle(pilot)


async def advance_to(pilot: Pilot[Any], seconds: float) -> None:
    """Move sim time to ``seconds`` through the bridge (as the jump key does)."""
    screen = console(pilot.app)  # type: ignore[arg-type]
    screen.bridge.jump(seconds - screen.session.engine.now)
    await settle(pilot)


async def open_dialog(pilot: Pilot[Any], key: str, kind: type[ActionDialog[Any]]) -> Any:
    """Press ``key`` on the console and return the dialog it opened."""
    await press(pilot, key)
    dialog = pilot.app.screen
    assert isinstance(dialog, kind), f"{key!r} opened {type(dialog).__name__}"
    return dialog


async def pick(pilot: Pilot[Any], selector: str, label: str) -> None:
    """Open a Select, move to the first option whose label contains ``label``, choose it.

    Keys only (enter, up/down, enter); the arrows rather than type-to-search, whose query
    resets after a pause and would make a slow test machine pick something else.
    """
    select = pilot.app.screen.query_one(selector, Select)
    select.focus()
    await press(pilot, "enter")
    overlay = select_overlay(select)
    prompts = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
    target = next((i for i, p in enumerate(prompts) if label in p), None)
    assert target is not None, f"no option with {label!r} in {selector}: {prompts}"
    here = overlay.highlighted or 0
    step = "down" if target > here else "up"
    await press(pilot, *[step] * abs(target - here), "enter")
    chosen = select_prompts(select)
    assert label in chosen.get(select.value, ""), f"{selector} picked {select.value!r}"


async def submit(pilot: Pilot[Any]) -> None:
    """Submit the open dialog with ctrl+s and check that it closed."""
    dialog = pilot.app.screen
    await press(pilot, "ctrl+s")
    if pilot.app.screen is dialog:
        error = str(dialog.query_one("#error").render())
        raise AssertionError(f"{type(dialog).__name__} stayed open: {error}")
