"""Small building blocks every form uses: a field's label, a Select's choice, a help section.

Shared by the IC's dialogs and the facilitator's. Plain functions over widgets and Rich
renderables; they must not know about commands or the engine.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.widgets import Label, Select


def field(text: str) -> Label:
    """The label above a form field (plain text: never parsed as markup)."""
    return Label(text, classes="field", markup=False)


def picked(select: Select[Any]) -> Any | None:
    """What ``select`` has chosen, or ``None`` when nothing is."""
    value = select.value
    return None if value is Select.NULL else value


def section(title: str, *body: RenderableType) -> Group:
    """A help-pane section: an underlined ``title`` over ``body``."""
    return Group(Text(title, style="bold underline"), *body)
