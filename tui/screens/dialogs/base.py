"""The base of every action form: ``ActionDialog``, a typed modal that dismisses with a command.

The form is a panel docked on the right over a transparent backdrop (``dialogs.tcss``): the
console's clock, alerts and metrics stay visible and keep updating while the IC types.

A dialog is a ``ModalScreen`` given plain data (views, policy levels, scenario entries) that
dismisses with one ``simulator.commands`` command of the type it declares
(``ActionDialog[cmd.Page]``), or ``None`` when cancelled. A form checks what it can before
dismissing (nothing picked, empty text, unfilled template blanks, a malformed channel name)
and keeps itself open with the message; whatever it lets through, the engine still
validates, and the screen shows the engine's reason if it refuses. Beside each form a help
pane shows what the training module or the policy says about the decision. Dialogs never
submit anything themselves and never read the engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError
from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from simulator import commands as cmd
from tui.headless.views import ConsoleView
from tui.screens.widgets import NARROW

DIALOGS_CSS = Path(__file__).with_name("dialogs.tcss")
"""The dialogs' style sheet, by absolute path: a subclass defined in another folder (the
facilitator's forms) finds it too, since Textual resolves a relative ``CSS_PATH`` beside the
module of the instance's own class."""

CommandT = TypeVar("CommandT", bound=cmd.Command)
"""The command a dialog dismisses with."""


class FormError(Exception):
    """What is wrong with a form, and which widget to focus."""

    def __init__(self, message: str, focus: str | None = None) -> None:
        super().__init__(message)
        self.focus = focus
        """The id of the widget to put the cursor in."""


class FormScroll(VerticalScroll, can_focus=False):
    """The form's scrolling column: the fields take focus, not the column."""


class ActionDialog(ModalScreen[CommandT]):
    """Base of the action forms: a title, the form, a help pane, Submit and Cancel."""

    CSS_PATH = DIALOGS_CSS
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Submit"),
    ]

    HEADING: ClassVar[str] = ""
    SUBMIT: ClassVar[str] = "Submit"
    RATIONALE: ClassVar[bool] = True
    """Whether the form has an optional rationale (the decision log)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.HEADING, id="dialog-title")
            with Horizontal(id="dialog-body"):
                with FormScroll(id="form"):
                    yield from self.compose_form()
                    if self.RATIONALE:
                        yield Label("Why? (optional, for the decision log)", classes="field")
                        yield Input(id="rationale", placeholder="your reasoning")
                    yield Static("", id="error")
                help_pane = self.help()
                if help_pane is not None:
                    with VerticalScroll(id="help"):
                        yield Static(help_pane, id="help-text")
            with Horizontal(id="buttons"):
                yield Button(
                    f"{self.SUBMIT} (ctrl+s)", id="submit", variant="primary", compact=True
                )
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def compose_form(self) -> ComposeResult:
        """The form's fields."""
        yield from ()

    def help(self) -> RenderableType | None:
        """The help pane's content, or ``None`` for no help pane."""
        return None

    def build(self) -> CommandT:
        """The command the form describes.

        Raises:
            FormError: when something is missing or wrong.
        """
        raise NotImplementedError

    def on_mount(self) -> None:
        self._fit(self.app.size.width)
        if self.app.is_headless:
            for widget in self.query(Input):
                widget.cursor_blink = False
            for area in self.query(TextArea):
                area.cursor_blink = False

    def on_resize(self, event: Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        """On a narrow terminal, stack the help under the form and drop the fields' borders."""
        narrow = width < NARROW
        self.set_class(narrow, "-narrow")
        for widget in self.query("#form Select, #form Input, #form TextArea"):
            if isinstance(widget, Select | Input | TextArea):
                widget.compact = narrow

    def rationale(self) -> str | None:
        """The rationale typed, if any."""
        if not self.RATIONALE:
            return None
        text = self.query_one("#rationale", Input).value.strip()
        return text or None

    def situation_changed(self, view: ConsoleView) -> None:
        """The exercise moved on while the dialog is open (``view`` is the console's latest):
        a dialog whose choices depend on the situation offers what is true now. Nothing
        changes by default."""

    def refresh_help(self) -> None:
        """Re-render the help pane (after a selection changed)."""
        content = self.help()
        if content is not None:
            self.query_one("#help-text", Static).update(content)

    def show_error(self, message: str, focus: str | None = None) -> None:
        """Keep the dialog open and say what is wrong."""
        error = self.query_one("#error", Static)
        error.update(Text(f"✘ {message}"))
        error.add_class("-shown")
        if focus:
            self.query_one(f"#{focus}").focus()

    def action_submit(self) -> None:
        """Validate and dismiss with the command."""
        try:
            command = self.build()
        except FormError as exc:
            self.show_error(str(exc), exc.focus)
            return
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ()))
            self.show_error(f"{where}: {first['msg']}" if where else str(first["msg"]))
            return
        self.dismiss(command)

    def action_cancel(self) -> None:
        """Close without acting."""
        self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        self.action_submit()

    @on(Select.Changed)
    def _select_changed(self) -> None:
        self.query_one("#error", Static).remove_class("-shown")
        self.refresh_help()
