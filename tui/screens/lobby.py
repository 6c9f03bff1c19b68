"""The lobby: pick a scenario from the library, say who you are, choose policy and speed, start.

The library table shows each scenario's expected severity under the policy chosen beside it,
so switching policy shows how the same incident maps onto another severity scale. Starting is
a ``StartExercise`` message to the app; the lobby never builds an engine itself.

The library comes from its catalogue (``tui.headless.catalogue``: one cache file, also read by
``warroom list``), with each packaged policy's levels in it, so that the first frame imports
Textual and the standard library only: no models, no YAML, no policy is loaded before it (a
policy is loaded when one that is not packaged is chosen).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Key, Resize
from textual.widgets import Button, DataTable, Input, Label, Select, Static
from textual.widgets.data_table import ColumnKey

from simulator.durations import format_duration
from simulator.pacer import SPEEDS
from simulator.text import visible
from tui.headless.catalogue import (
    CatalogueEntry,
    cache_file,
    cached_level,
    catalogue,
    severity_text,
)
from tui.screens.footer import KeyFooter
from tui.screens.messages import OpenQuiz, OpenRecord, StartExercise
from tui.screens.painting import PaintedOnce

if TYPE_CHECKING:
    from assessments.policy import Policy

NARROW = 100
"""Below this many columns the details go under the table."""

SHORT = 30
"""Below this many rows the objectives join the summary's pane (see ``lobby.tcss``)."""


@dataclass(frozen=True)
class LobbyDefaults:
    """What the lobby's form starts with (from the command line)."""

    trainee: str | None = None
    policy: str = "default"
    speed: float = 1.0


def reflow(text: str) -> str:
    """Join the lines of each paragraph (YAML block text keeps the author's line breaks)."""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


class LibraryTable(DataTable[str | Text]):
    """The scenario table: Enter starts the highlighted scenario (shown in the Footer)."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("enter", "select_cursor", "Start as trainee", show=True),
    ]


class LobbyScreen(PaintedOnce[None]):
    """Choose an exercise and start it."""

    CSS_PATH = "lobby.tcss"
    AUTO_FOCUS = "#scenarios"
    BINDINGS: ClassVar[list[Any]] = [
        Binding("enter", "start", "Start as trainee"),
        Binding("ctrl+f", "facilitate", "Start as facilitator"),
        Binding("ctrl+t", "quiz", "Take the quiz"),
        Binding("ctrl+r", "record", "My record"),
        Binding("ctrl+q", "app.quit", "Quit", key_display="^q", priority=True),
    ]
    """No single-letter keys: a name typed while the library has focus goes to the name box."""

    def __init__(self, defaults: LobbyDefaults) -> None:
        """Start the form from ``defaults``."""
        super().__init__()
        self.defaults = defaults
        found = catalogue(cache=cache_file())
        self.scenarios = list(found.entries)
        self._policies: dict[str, Policy] = {}
        policies = list(found.policies)
        if defaults.policy not in policies:
            policies.append(defaults.policy)
        self.policy_names = policies
        speeds = list(SPEEDS)
        if defaults.speed not in speeds:
            speeds = sorted([*speeds, defaults.speed])
        self.speeds = speeds

    def policy(self, name: str) -> Policy:
        """The policy called ``name`` (loaded once)."""
        if name not in self._policies:
            from assessments.policy import load_policy

            self._policies[name] = load_policy(name)
        return self._policies[name]

    def expected_severity(self, entry: CatalogueEntry, name: str) -> str:
        """``SEV-2 (high)`` or ``not an incident (SEV-4)`` under the policy called ``name``."""
        level = cached_level(entry, name)
        if level is None:
            level = self.policy(name).level_for(entry.severity, entry.overrides).name
        return severity_text(entry, level)

    def policy_id(self, entry: CatalogueEntry, name: str) -> str:
        """The id of the policy called ``name`` (a packaged policy's id is its name)."""
        return name if cached_level(entry, name) is not None else self.policy(name).id

    def compose(self) -> ComposeResult:
        yield Label("warroom · incident-response training", id="lobby-title")
        with Vertical(id="library") as library_box:
            library_box.border_title = "Scenario library"
            yield LibraryTable(id="scenarios", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="details"):
            # Read-only panes are not focus stops (Tab goes table → name → policy → speed).
            with VerticalScroll(id="summary-pane", can_focus=False) as summary:
                summary.border_title = "Scenario"
                yield Static("", id="details-text")
            with VerticalScroll(id="objectives-pane", can_focus=False) as objectives:
                objectives.border_title = "Objectives"
                yield Static("", id="objectives-text")
        with Horizontal(id="form"):
            with Vertical(classes="field-box", id="trainee-box"):
                yield Label("Trainee", classes="field")
                yield Input(
                    self.defaults.trainee or "",
                    id="trainee",
                    placeholder="your name",
                    max_length=80,
                    select_on_focus=False,
                )
            with Vertical(classes="field-box", id="policy-box"):
                yield Label("Policy", classes="field")
                yield Select(
                    [(name, name) for name in self.policy_names],
                    id="policy",
                    value=self.defaults.policy,
                    allow_blank=False,
                )
            with Vertical(classes="field-box", id="speed-box"):
                yield Label("Speed", classes="field")
                yield Select(
                    [(f"{s:g}x", s) for s in self.speeds],
                    id="speed",
                    value=self.defaults.speed,
                    allow_blank=False,
                )
            with Vertical(classes="field-box", id="start-box"):
                yield Label("", classes="field")
                yield Button("Start as trainee ⏎", id="start", variant="primary")
        with Horizontal(id="more"):
            yield Button("Start as facilitator (^f)", id="facilitate", compact=True)
            yield Button("Take the quiz (^t)", id="quiz", compact=True)
            yield Button("My record (^r)", id="record", compact=True)
        yield Label("", id="lobby-error", markup=False)
        yield KeyFooter(rows=1, narrow_rows=2)

    def on_mount(self) -> None:
        table = self.query_one("#scenarios", LibraryTable)
        table.add_column("ID", key="id")
        table.add_column("Title", key="title")
        table.add_column("Difficulty", key="difficulty")
        table.add_column("Severity", key="severity")
        table.add_column("Duration", key="duration")
        for s in self.scenarios:
            table.add_row(
                Text(s.id),
                Text(visible(s.title, multiline=False), overflow="ellipsis", no_wrap=True),
                Text(s.difficulty),
                self.expected_severity(s, self.defaults.policy),
                format_duration(s.duration),
                key=s.id,
            )
        if self.app.is_headless:
            self.query_one("#trainee", Input).cursor_blink = False
        self._show_details()
        self.call_after_refresh(self._fit_title)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")
        short = event.size.height < SHORT
        if short != self.has_class("-short"):
            self.set_class(short, "-short")
            self._show_details()
        self.call_after_refresh(self._fit_title)

    def _fit_title(self) -> None:
        """Give the title column what the others leave, so that difficulty, severity and
        duration show without scrolling sideways; a long title ends in an ellipsis here and
        is shown whole in the scenario pane."""
        table = self.query_one("#scenarios", LibraryTable)
        title = table.columns.get(ColumnKey("title"))
        if title is None:
            return
        others = sum(
            c.get_render_width(table) for key, c in table.columns.items() if key != "title"
        )
        room = table.scrollable_content_region.width - others - 2 * table.cell_padding
        width = max(16, min(title.content_width, room))
        if title.auto_width or title.width != width:
            title.auto_width = False
            title.width = width
            table._require_update_dimensions = True
            table.refresh()

    def _selected(self) -> CatalogueEntry | None:
        table = self.query_one("#scenarios", LibraryTable)
        if not self.scenarios or table.cursor_row < 0:
            return None
        return self.scenarios[min(table.cursor_row, len(self.scenarios) - 1)]

    def _show_details(self) -> None:
        item = self._selected()
        details = self.query_one("#details-text", Static)
        objectives = self.query_one("#objectives-text", Static)
        if item is None:
            details.update("The scenario library is empty.")
            objectives.update("")
            return
        s = item
        name = self._policy_name()
        body = Text()
        body.append(visible(f"{s.title}\n"), style="bold")
        body.append(
            f"{s.difficulty} · {format_duration(s.duration)} · expected "
            f"{self.expected_severity(s, name)} under {self.policy_id(s, name)}\n\n",
            style="dim",
        )
        body.append(visible(reflow(s.summary)))
        if s.source:
            body.append(visible(f"\n\nFrom: {s.source}"), style="dim")
        if self.has_class("-short"):  # no room for the objectives' own pane
            body.append("\n\nObjectives", style="bold")
            for o in s.objectives:
                body.append(visible(f"\n• {o}"))
        details.update(body)
        bullets = Table.grid(padding=(0, 1))
        bullets.add_column(no_wrap=True)
        bullets.add_column()
        for o in s.objectives:
            bullets.add_row("•", Text(visible(o)))
        objectives.update(bullets)
        self.query_one("#summary-pane").border_title = s.id

    def _policy_name(self) -> str:
        value = self.query_one("#policy", Select).value
        return value if isinstance(value, str) else self.defaults.policy

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._show_details()

    def on_key(self, event: Key) -> None:
        """Typing while the library has focus writes the trainee's name: the first thing a
        newcomer types lands in the name box, not nowhere."""
        table = self.query_one("#scenarios", LibraryTable)
        if self.focused is table and event.is_printable and event.character:
            box = self.query_one("#trainee", Input)
            box.focus()
            box.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_start()

    @on(Input.Submitted, "#trainee")
    def _name_submitted(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Select.Changed, "#policy")
    def _policy_changed(self) -> None:
        table = self.query_one("#scenarios", LibraryTable)
        name = self._policy_name()
        for s in self.scenarios:
            table.update_cell(s.id, "severity", self.expected_severity(s, name))
        self._show_details()

    def _trainee(self, why: str) -> str | None:
        """The trainee's name, or ``None`` (with the reason shown) when the box is empty."""
        error = self.query_one("#lobby-error", Label)
        trainee = " ".join(self.query_one("#trainee", Input).value.split())
        if not trainee:
            error.update(f"✘ Type your name first: {why}.")
            error.add_class("-shown")
            self.query_one("#trainee", Input).focus()
            return None
        error.update("")
        error.remove_class("-shown")
        return trainee

    def action_start(self, facilitating: bool = False) -> None:
        """Start the highlighted scenario as the named trainee (or as facilitator)."""
        error = self.query_one("#lobby-error", Label)
        item = self._selected()
        if item is None:
            error.update("✘ There is no scenario to start.")
            error.add_class("-shown")
            return
        trainee = self._trainee("it goes in the journal and the debrief")
        if trainee is None:
            return
        speed = self.query_one("#speed", Select).value
        self.post_message(
            StartExercise(
                item.spec,
                trainee,
                self._policy_name(),
                float(speed) if isinstance(speed, int | float) else self.defaults.speed,
                facilitating=facilitating,
            )
        )

    def action_facilitate(self) -> None:
        """Start the highlighted scenario as a game day, with the facilitator console."""
        self.action_start(facilitating=True)

    def action_quiz(self) -> None:
        """Take the certification quiz under the chosen policy."""
        trainee = self._trainee("the quiz is recorded in your record")
        if trainee is not None:
            self.post_message(OpenQuiz(trainee, self._policy_name()))

    def action_record(self) -> None:
        """Show the trainee's record."""
        trainee = self._trainee("records are kept by name")
        if trainee is not None:
            self.post_message(OpenRecord(trainee, self._policy_name()))

    @on(Button.Pressed, "#facilitate")
    def _facilitate_pressed(self) -> None:
        self.action_facilitate()

    @on(Button.Pressed, "#quiz")
    def _quiz_pressed(self) -> None:
        self.action_quiz()

    @on(Button.Pressed, "#record")
    def _record_pressed(self) -> None:
        self.action_record()
