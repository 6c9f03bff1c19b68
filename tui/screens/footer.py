"""The footer every warroom screen docks: Textual's Footer laid out as a grid of rows.

Kept apart from ``tui.screens.widgets`` (the console's widgets, which need the engine's events
and views) so that a screen with no engine behind it, the lobby, imports Textual only: this
module must not import the engine, the models or the headless session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen


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
        self._shown: tuple[tuple[str, str, bool, str], ...] | None = None
        """The bindings the keys were last composed from."""

    def compose(self) -> ComposeResult:
        # The screen's bindings are known when the footer is first composed, so the keys are
        # in the first frame. Textual's Footer composes nothing until the screen says its
        # bindings changed, then composes again holding a batch, which throws away the frame
        # being painted meanwhile: the console's first frame came two paints later for it.
        self._bindings_ready = True
        self._shown = self._displayed()
        yield from super().compose()
        self._keys = max(1, self.styles.grid_size_columns or 1)
        self._layout()

    def _displayed(self) -> tuple[tuple[str, str, bool, str], ...]:
        """What the keys show: each shown binding's key, description, state and tooltip."""
        return tuple(
            (binding.key, binding.description, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Compose the keys again only when what they show changed."""
        if self.is_attached and screen is self.screen and self._displayed() == self._shown:
            return
        super().bindings_changed(screen)

    def _layout(self) -> None:
        rows = self._rows if self.app.size.width >= self._narrow else self._narrow_rows
        self.styles.grid_size_columns = -(-self._keys // rows)

    def on_resize(self, event: events.Resize) -> None:
        self._layout()
