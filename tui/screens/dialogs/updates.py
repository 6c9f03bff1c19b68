"""The update dialog: a status update composed from the training module's templates.

An ``ActionDialog`` given the template context and the cadence in words; it dismisses with a
``PostUpdate``. It must not read the engine or submit.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Select, TextArea

from simulator import commands as cmd
from tui.headless import guide
from tui.headless.words import AUDIENCE_LABELS
from tui.screens.dialogs.base import ActionDialog, FormError
from tui.screens.dialogs.helpers import choices, field, picked, section

# --------------------------------------------------------------------------- post update


class UpdateDialog(ActionDialog[cmd.PostUpdate]):
    """Post an update, composed from the training module's templates."""

    HEADING = "Post an update"
    SUBMIT = "Post"
    RATIONALE = False

    def __init__(
        self,
        context: guide.UpdateContext,
        *,
        has_channel: bool,
        cadence: str | None,
        audience: str = "incident",
        status: str = "investigating",
    ) -> None:
        """Prefill the composer for ``audience`` and ``status`` from ``context``.

        Args:
            context: What the templates can be filled with.
            has_channel: Whether the incident channel exists (updates there need it).
            cadence: The level's update cadence in words, if a level is chosen.
            audience: The audience to start with.
            status: The status to start with.
        """
        super().__init__()
        self.context = context
        self.has_channel = has_channel
        self.cadence = cadence
        self.audience = audience
        self.status = status
        self._template = guide.compose_update(audience, status, context)

    def compose_form(self) -> ComposeResult:
        with Horizontal(id="update-selects"):
            with Vertical(id="audience-box"):
                yield field("Audience")
                yield Select(
                    choices((label, key) for key, label in AUDIENCE_LABELS.items()),
                    id="audience",
                    value=self.audience,
                    allow_blank=False,
                )
            with Vertical():
                yield field("Status")
                yield Select(
                    choices((s.capitalize(), s) for s in guide.STATUS_WORDS),
                    id="status",
                    value=self.status,
                    allow_blank=False,
                )
        yield field("Message (replace the [bracketed] blanks)")
        yield TextArea(self._template, id="text", soft_wrap=True)

    @on(Select.Changed, "#audience, #status")
    def _retemplate(self) -> None:
        audience = picked(self.query_one("#audience", Select)) or self.audience
        status = picked(self.query_one("#status", Select)) or self.status
        area = self.query_one("#text", TextArea)
        fresh = guide.compose_update(audience, status, self.context)
        if area.text == self._template:
            area.load_text(fresh)
        self._template = fresh
        self.audience, self.status = audience, status

    def help(self) -> RenderableType:
        states = Table.grid(padding=(0, 1))
        states.add_column(style="bold", no_wrap=True)
        states.add_column()
        for word, meaning in guide.STATUS_WORDS.items():
            states.add_row(word.capitalize(), meaning)
        cadence = Text(
            self.cadence or "Classify the severity to see the update cadence.", style="dim"
        )
        parts: list[RenderableType] = [
            section("Status states", states),
            Text(""),
            section("Cadence", cadence),
        ]
        if not self.has_channel:
            parts += [Text(""), Text("⚠ No incident channel yet: create it first.", style="bold")]
        return Group(*parts)

    def build(self) -> cmd.PostUpdate:
        audience = picked(self.query_one("#audience", Select))
        status = picked(self.query_one("#status", Select))
        text = self.query_one("#text", TextArea).text.strip()
        if audience is None or status is None:
            raise FormError("Pick the audience and the status.", "audience")
        if not text:
            raise FormError("Write the update.", "text")
        blanks = guide.unfilled(text)
        if blanks:
            raise FormError(f"Fill in the template's blanks first: {', '.join(blanks)}", "text")
        return cmd.PostUpdate(audience=audience, status=status, text=text)
