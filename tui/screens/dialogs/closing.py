"""The dialogs that close an incident: resolve, schedule the postmortem, and timeline notes.

Each is an ``ActionDialog`` given plain data (the resolution facts, the policy's words) that
dismisses with one typed command. They must not read the engine or submit.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from simulator import commands as cmd
from tui.screens.dialogs.base import ActionDialog, FormError
from tui.screens.dialogs.helpers import field, picked, section

# --------------------------------------------------------------------------- resolve, postmortem, note


class ResolveDialog(ActionDialog[cmd.Resolve]):
    """Declare the incident resolved, after the resolution checklist."""

    HEADING = "Declare the incident resolved"
    SUBMIT = "Resolve"

    def __init__(self, facts: Sequence[tuple[str, str]], stability: str) -> None:
        """Show the resolution ``facts`` and the policy's ``stability`` window."""
        super().__init__()
        self.facts = tuple(facts)
        self.stability = stability

    def compose_form(self) -> ComposeResult:
        yield Label(
            "Resolve only when the fix is applied, health is verified and the metrics have "
            "been stable for the whole stability window.",
            classes="hint",
        )

    def help(self) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for key, value in self.facts:
            grid.add_row(key, value)
        return section(
            "Resolution checklist",
            grid,
            Text(f"\nStability window: {self.stability}", style="dim"),
        )

    def build(self) -> cmd.Resolve:
        return cmd.Resolve(rationale=self.rationale())


class PostmortemDialog(ActionDialog[cmd.SchedulePostmortem]):
    """Schedule the postmortem meeting."""

    HEADING = "Schedule the postmortem"
    SUBMIT = "Schedule"

    def __init__(
        self, deadline: str, choices: Sequence[tuple[str, float]], default: float | None
    ) -> None:
        """Show the policy's postmortem ``deadline`` in words; offer its ``choices`` (label,
        seconds), ``default`` preselected."""
        super().__init__()
        self.deadline = deadline
        self.choices = tuple(choices)
        self.default = default

    def compose_form(self) -> ComposeResult:
        yield field("When")
        values = {seconds for _, seconds in self.choices}
        yield Select(
            list(self.choices),
            id="within",
            prompt="pick when",
            value=self.default if self.default in values else Select.NULL,
        )

    def help(self) -> RenderableType:
        return section("Post-incident", Text(self.deadline))

    def build(self) -> cmd.SchedulePostmortem:
        within = picked(self.query_one("#within", Select))
        if within is None:
            raise FormError("Pick when the postmortem meeting is.", "within")
        return cmd.SchedulePostmortem(within=within, rationale=self.rationale())


class NoteDialog(ActionDialog[cmd.Note]):
    """Write a timeline entry (the scribe's log)."""

    HEADING = "Add a note to the timeline"
    SUBMIT = "Add note"
    RATIONALE = False

    def compose_form(self) -> ComposeResult:
        yield field("Note")
        yield Input(id="text", placeholder="what happened, what was decided", max_length=4000)

    def build(self) -> cmd.Note:
        text = self.query_one("#text", Input).value.strip()
        if not text:
            raise FormError("Write the note first.", "text")
        return cmd.Note(text=text)
