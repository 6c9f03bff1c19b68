"""A screen that is painted once at start-up, not twice.

Textual paints a screen pushed while the app's start-up batch is open (the app's ``on_mount``
pushes the first screen inside it), writes nothing because a batch is open, and paints the
screen again once the batch closes. ``PaintedOnce`` only marks the paint as due while a batch
is open, so the first frame costs one paint. The lobby and the console, the two screens a
``warroom`` command opens first, are ``PaintedOnce``. Textual is pinned exactly
(``pyproject.toml``): this reads its private batch count and overrides its private paint.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import Screen

ResultT = TypeVar("ResultT")


class PaintedOnce(Screen[ResultT]):
    """A screen whose paint waits while the app holds a batch, instead of being thrown away."""

    def _compositor_refresh(self) -> None:
        if self.app._batch_count:
            self._repaint_required = True
            return
        super()._compositor_refresh()
