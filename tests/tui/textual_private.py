"""Every private Textual name the Pilot helpers use, in one place.

This is the one module a Textual upgrade can break: the helpers in ``conftest.py`` wait on
message queues and press keys through the driver (so a play-through costs what the app does,
not how loaded the machine is), which Textual's public API does not offer. When an upgrade
renames or removes one of these, fix it here (``textual`` is pinned exactly in
``pyproject.toml``); nothing else under ``tests/`` may reach into Textual's private names.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from textual import events
from textual.app import App
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Select
from textual.widgets._select import SelectOverlay


async def wait_for_screen(pilot: Pilot[Any]) -> None:
    """Wait until the current screen has handled what was sent to it (``Pilot.pause`` does)."""
    await pilot._wait_for_screen()


async def wait_for_mount(screen: Screen[Any]) -> None:
    """Wait until ``screen`` is mounted."""
    await screen._mounted_event.wait()


def force_layout(screen: Screen[Any]) -> None:
    """Lay ``screen`` out and refresh it now, as its timer would (``Pilot.pause`` does this)."""
    screen._on_timer_update()


def send_key(app: App[Any], key: str) -> None:
    """Send ``key`` through the app's driver, exactly as ``Pilot.press`` does, without waiting."""
    assert app._driver is not None
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(
            _get_unicode_name_from_key(REPLACED_KEYS.get(key, key))
        )
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


def select_overlay(select: Select[Any]) -> SelectOverlay:
    """The drop-down list of an open ``select``."""
    return select.query_one(SelectOverlay)


def select_prompts(select: Select[Any]) -> dict[Any, str]:
    """The options of ``select``: value → the prompt shown."""
    return {value: str(prompt) for prompt, value in select._options}


def screen_lines(app: App[Any]) -> list[str]:
    """What the terminal shows, line by line, as plain text (the screens below included)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def footer_keys(screen: Screen[Any]) -> list[Any]:
    """The footer's key widgets (``FooterKey``) on ``screen``, with ``key``, ``key_display``
    and ``region``."""
    from textual.widgets._footer import FooterKey

    return list(screen.query(FooterKey))


def paint_now(screen: Screen[Any]) -> None:
    """Paint ``screen`` now, as its layout does once laid out (the console overrides it)."""
    screen._compositor_refresh()


def repaint_due(screen: Screen[Any]) -> bool:
    """Whether ``screen`` is marked to be painted when the app is next idle."""
    return bool(screen._repaint_required)


def count_paints(screen: Screen[Any]) -> list[object]:
    """A list that gets an entry each time ``screen`` is painted (its compositor renders)."""
    painted: list[object] = []
    compositor = screen._compositor
    render = compositor.render_update

    def counted(*args: Any, **kwargs: Any) -> Any:
        painted.append(args)
        return render(*args, **kwargs)

    compositor.render_update = counted  # type: ignore[method-assign]
    return painted
