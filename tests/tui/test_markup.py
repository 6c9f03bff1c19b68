"""Text from data is shown as written, never parsed as markup (issue 12, item 3).

A trainee called ``Ada [/]`` used to crash the console with ``MarkupError`` as soon as the role
picker opened (its options were strings, which a Select parses as markup); ``[bold red]x[/]``
was shown as styling and ``[link=…]`` made a live link. These play the console through Pilot
with hostile names and labels and read what the screen shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from simulator import commands as cmd
from tests.tui.conftest import SIZE, advance_to, console, console_app, open_dialog, pick, submit
from tests.tui.textual_private import screen_lines, select_prompts
from tui.screens.dialogs.investigation import MitigationDialog
from tui.screens.dialogs.people import RoleDialog

HOSTILE = ["Ada [/]", "Ada [link=https://evil.example]y[/link]", "Ada [bold red]x[/]"]


def screen_text(pilot: Pilot[Any]) -> str:
    """What the terminal shows, line by line, as plain text."""
    return "\n".join(screen_lines(pilot.app))


def prompts(select: Select[Any]) -> list[str]:
    return list(select_prompts(select).values())


@pytest.mark.parametrize("name", HOSTILE)
async def test_a_trainee_name_with_markup_assigns_a_role_without_crashing(
    journal_dir: Path, name: str
) -> None:
    app = console_app(journal_dir, trainee=name)
    async with app.run_test(size=SIZE) as pilot:
        await advance_to(pilot, 120)
        dialog = await open_dialog(pilot, "r", RoleDialog)
        assert f"me ({name})" in prompts(dialog.query_one("#person", Select))
        await pick(pilot, "#person", f"me ({name})")
        assert f"me ({name[:20]}" in screen_text(pilot)  # the rest may be cut with …
        await submit(pilot)
        assert ("ic", "me") in console(app).view.roles
        assert f"you ({name[:10]}" in screen_text(pilot)  # the Incident panel


def hostile_scenario(tmp_path: Path) -> Path:
    """api-outage with a responder called ``Bob [/]`` and a mitigation label with a link."""
    import scenarios

    text = (Path(scenarios.__file__).parent / "api-outage.yaml").read_text()
    text = text.replace("name: Bob,", "name: 'Bob [/]',")
    text = text.replace(
        "label: Restart the ML inference pods",
        "label: 'Restart [link=https://evil.example]the ML[/link] pods'",
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    return path


async def test_a_responder_name_and_a_mitigation_label_with_markup_show_as_written(
    journal_dir: Path, tmp_path: Path
) -> None:
    app = console_app(journal_dir, scenario=str(hostile_scenario(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        await advance_to(pilot, 300)
        assert console(app).bridge.submit(cmd.Page(target="bob")).accepted
        dialog = await open_dialog(pilot, "r", RoleDialog)
        await pick(pilot, "#person", "Bob [/]")
        assert "Bob [/]" in screen_text(pilot)
        await submit(pilot)
        dialog = await open_dialog(pilot, "m", MitigationDialog)
        label = "Restart [link=https://evil.example]the ML[/link] pods"
        assert any(label in p for p in prompts(dialog.query_one("#mitigation", Select)))
        await pick(pilot, "#mitigation", label)
        assert "Restart [link=https:" in screen_text(pilot)  # wrapped or cut after that
        await submit(pilot)
        shown = screen_text(pilot)
        assert "Bob [/]" in shown
        assert "⟳ Restart [link=" in shown  # the Incident panel


async def test_control_characters_in_a_name_are_shown_visibly_never_sent_to_the_terminal(
    journal_dir: Path,
) -> None:
    """Issue 12 item 4 at the screen's boundary: ``simulator.text.visible`` on data shown."""
    name = "Ada \x1b]0;pwned\x07"
    app = console_app(journal_dir, trainee=name)
    async with app.run_test(size=SIZE) as pilot:
        await advance_to(pilot, 120)
        dialog = await open_dialog(pilot, "r", RoleDialog)
        assert "me (Ada \\x1b]0;pwned\\x07)" in prompts(dialog.query_one("#person", Select))
        await pick(pilot, "#person", "me (Ada \\x1b")
        await submit(pilot)
        shown = screen_text(pilot)
        assert "\x1b" not in shown and "\x07" not in shown
        assert "you (Ada \\x1b" in shown
