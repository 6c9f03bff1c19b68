"""The yes/no question asked before leaving something that is running.

``ConfirmQuit`` dismisses with ``True`` (leave) or ``False`` (stay). It must not act itself.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from tui.screens.dialogs.base import DIALOGS_CSS


class ConfirmQuit(ModalScreen[bool]):
    """Ask before leaving a running exercise."""

    CSS_PATH = DIALOGS_CSS
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape,n", "answer(False)", "Stay"),
        Binding("y", "answer(True)", "Leave"),
    ]

    def __init__(
        self,
        question: str = "Leave the exercise?",
        hint: str = "The journal keeps everything you did so far; "
        "`warroom resume` continues it later.",
    ) -> None:
        """Ask ``question`` with ``hint`` under it."""
        super().__init__()
        self.question = question
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="dialog-title", markup=False)
            yield Label(self.hint, classes="hint", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Yes (y)", id="yes", variant="error", compact=True)
                yield Button("No (n)", id="no", variant="primary", compact=True)

    def action_answer(self, leave: bool) -> None:
        """Dismiss with the answer."""
        self.dismiss(leave)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
