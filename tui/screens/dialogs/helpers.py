"""Small building blocks every form uses: a field's label, a Select's choice, a help section.

Shared by the IC's dialogs and the facilitator's. Plain functions over widgets and Rich
renderables; they must not know about commands or the engine.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, TypeVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual.widgets import Label, Select

from simulator.text import visible

ValueT = TypeVar("ValueT", bound=Hashable)
"""What a Select's choice stands for."""


def choices(options: Iterable[tuple[str, ValueT]]) -> list[tuple[Text, ValueT]]:
    """A Select's options with their labels as plain text.

    A label from data (a person's name, a mitigation's label) is shown as written: a string
    handed to a Select is parsed as markup, and ``Ada [/]`` would raise ``MarkupError``; and
    control characters are written out visibly (``simulator.text.visible``), on one line.
    """
    return [(Text(visible(label, multiline=False)), value) for label, value in options]


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
