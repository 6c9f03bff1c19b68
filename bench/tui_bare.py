"""The bare Textual apps the TUI benchmarks compare warroom's screens with: the lobby's widgets
and the console's widget tree with nothing behind them.

``bench/tui.py`` runs them headless; ``bench/tui_spawn.py`` spawns this file in a pseudo-terminal
(``python bench/tui_bare.py lobby ROWS.json`` or ``python bench/tui_bare.py console``). This
module imports Textual and the standard library only, never warroom, so that the bare apps'
start-up is Textual's own.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from textual.app import App, ComposeResult, ScreenStackError
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Button, DataTable, Footer, Input, Label, RichLog, Select, Static

LOBBY_DONE = "bare objectives"
"""Text on the bare lobby's first screen only once it is composed and filled."""

CONSOLE_DONE = "bare score"
"""Text on the bare console's first screen only once it is composed."""


class BareLobby(App[None]):
    """The lobby's widgets with nothing behind them: a title, a DataTable of the library's rows,
    two panes, an input, two selects, a button and a footer."""

    CSS = """
    DataTable { height: 1fr; }
    Horizontal { height: auto; }
    #details, #objectives { width: 1fr; height: 12; border: round $primary; }
    Input { width: 1fr; }
    Select { width: 20; }
    """
    BINDINGS = [("ctrl+f", "noop", "Start as facilitator")]  # noqa: RUF012

    def __init__(self, rows: Sequence[tuple[str, ...]]) -> None:
        """Show ``rows`` (id, title, difficulty, severity, duration) in the table."""
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Label("title")
        table: DataTable[str] = DataTable(id="t")
        yield table
        with Horizontal():
            yield Static("details", id="details")
            yield Static("", id="objectives")
        with Horizontal():
            yield Input(placeholder="your name")
            yield Select([("default", "default"), ("agentos", "agentos")], allow_blank=False)
            yield Select([("1x", 1.0), ("60x", 60.0)], allow_blank=False)
            yield Button("Start")
        yield Footer()

    def action_noop(self) -> None:
        """A key the lobby has."""

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in ("ID", "Title", "Difficulty", "Severity", "Duration"):
            table.add_column(column)
        for row in self.rows:
            table.add_row(*row)
        self.query_one("#objectives", Static).update(LOBBY_DONE)


class BareConsole(App[None]):
    """The console's widget tree (a status bar of six labels, three alert rows, five checklist
    rows, seven metric panels of three labels each, a log, two panes, a footer of the console's
    22 keys), updated by a 10 Hz timer, with no engine."""

    CSS = """
    #bar { height: 1; }
    #bar > * { width: auto; margin-right: 2; }
    #left { width: 36; }
    #left > * { height: auto; border: round $primary; }
    #left > VerticalScroll { height: 1fr; }
    #log { width: 1fr; border: round $primary; }
    #right { width: 32; border: round $primary; }
    """
    BINDINGS = [  # noqa: RUF012
        ("space", "toggle", "Pause"),
        *((key, "noop", f"Key {key}") for key in "asdcrpenuimhRPtjvq+-"),
    ]

    def compose(self) -> ComposeResult:
        with Horizontal(id="bar"):
            yield Static("status", id="status")
            for n in range(5):
                yield Label(f"field {n}")
        with Horizontal():
            with Vertical(id="left"):
                with Vertical():
                    for n in range(3):
                        yield Static(f"alert {n}")
                with Vertical():
                    for n in range(5):
                        yield Static(f"check {n}")
                with VerticalScroll():
                    for n in range(7):
                        with Vertical():
                            yield Label(f"metric {n}")
                            yield Label("value")
                            yield Label("chart")
            yield RichLog(id="log")
            with VerticalScroll(id="right"):
                yield Static("incident")
                yield Static(CONSOLE_DONE)
        yield Footer()

    def action_noop(self) -> None:
        """A key the console has."""

    def on_mount(self) -> None:
        self.paused = False
        self.n = 0
        self.set_interval(0.1, self._tick)

    def _tick(self) -> None:
        self.n += 1
        try:
            status = self.query_one("#status", Static)
            log = self.query_one(RichLog)
        except (NoMatches, ScreenStackError):  # a tick while the app closes
            return
        status.update(f"T+{self.n} {'PAUSED' if self.paused else ''}")
        log.write(f"line {self.n}")

    def action_toggle(self) -> None:
        self.paused = not self.paused
        self.query_one("#status", Static).update(f"T+{self.n} {'PAUSED' if self.paused else ''}")


def main(argv: Sequence[str]) -> None:
    """``lobby ROWS.json`` (a JSON list of rows) or ``console``."""
    if argv[:1] == ["lobby"] and len(argv) == 2:
        rows = [tuple(str(c) for c in row) for row in json.loads(Path(argv[1]).read_text())]
        BareLobby(rows).run()
    elif list(argv) == ["console"]:
        BareConsole().run()
    else:
        sys.exit("usage: tui_bare.py lobby ROWS.json | console")


if __name__ == "__main__":
    main(sys.argv[1:])
