"""The footer every warroom screen docks: Textual's Footer laid out as a grid of rows.

Kept apart from ``tui.screens.widgets`` (the console's widgets, which need the engine's events
and views) so that a screen with no engine behind it, the lobby, imports Textual only: this
module must not import the engine, the models or the headless session.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer laid out as a grid of rows, so that every binding fits on screen.

    The console has about twenty bindings: one row cannot show them at 120 columns.
    """

    DEFAULT_CSS = """
    KeyFooter {
        layout: grid;
        grid-columns: auto;
        grid-gutter: 0 1;
        height: auto;
        max-height: 4;
        &.-compact FooterKey { margin-right: 0; }
    }
    """

    def __init__(self, *, rows: int = 2, narrow_rows: int = 3, narrow: int = 100) -> None:
        """Lay the bindings out in ``rows`` (``narrow_rows`` below ``narrow`` columns).

        The command palette's key is not docked at the right (it would cover the first row):
        the screen lists it among its bindings instead.
        """
        super().__init__(compact=True, show_command_palette=False)
        self._rows = rows
        self._narrow_rows = narrow_rows
        self._narrow = narrow
        self._keys = 1

    def compose(self) -> ComposeResult:
        yield from super().compose()
        self._keys = max(1, self.styles.grid_size_columns or 1)
        self._layout()

    def _layout(self) -> None:
        rows = self._rows if self.app.size.width >= self._narrow else self._narrow_rows
        self.styles.grid_size_columns = -(-self._keys // rows)

    def on_resize(self, event: events.Resize) -> None:
        self._layout()
