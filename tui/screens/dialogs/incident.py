"""The first dialogs of an incident: acknowledge an alert, classify, declare, open the channel.

Each is an ``ActionDialog`` given plain data (alert views, the policy's levels, the channel
convention) that dismisses with one typed command. They must not read the engine or submit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from assessments.policy import Level
from simulator import commands as cmd
from tui.headless.views import AlertView, ConsoleView
from tui.screens.dialogs.base import ActionDialog, FormError
from tui.screens.dialogs.helpers import choices, field, picked, section

# --------------------------------------------------------------------------- acknowledge


class AcknowledgeDialog(ActionDialog[cmd.Acknowledge]):
    """Acknowledge a firing alert."""

    HEADING = "Acknowledge an alert"
    SUBMIT = "Acknowledge"

    def __init__(
        self, alerts: Sequence[AlertView], rule: str, preselect: str | None = None
    ) -> None:
        """Offer the firing, unacknowledged ``alerts``; ``preselect`` one of them; ``rule`` is
        the policy's acknowledgement deadline in words."""
        super().__init__()
        self.rule = rule
        self.alerts = tuple(alerts)
        self.firing = [a for a in self.alerts if a.state == "firing"]
        ids = {a.id for a in self.firing}
        self.preselect = preselect if preselect in ids else None
        if self.preselect is None and len(self.firing) == 1:
            self.preselect = self.firing[0].id

    def compose_form(self) -> ComposeResult:
        yield field("Firing alert")
        options = [(f"{a.icon} {a.id}", a.id) for a in self.firing]
        yield Select(
            choices(options),
            id="alert",
            prompt=self._prompt(),
            value=self.preselect if self.preselect else Select.NULL,
        )

    def _prompt(self) -> str:
        return "pick a firing alert" if self.firing else "nothing is firing unacknowledged"

    def situation_changed(self, view: ConsoleView) -> None:
        """An alert that fires (or is acknowledged) while the dialog is open is offered (or
        withdrawn) at once; the alert picked stays picked while it is still firing."""
        alerts = tuple(view.alerts)
        firing = [a for a in alerts if a.state == "firing"]
        changed = [a.id for a in firing] != [a.id for a in self.firing]
        self.alerts, self.firing = alerts, firing
        if changed and self.is_mounted:
            select = self.query_one("#alert", Select)
            was = picked(select)
            select.prompt = self._prompt()
            select.set_options(choices((f"{a.icon} {a.id}", a.id) for a in firing))
            ids = [a.id for a in firing]
            if was in ids:
                select.value = was
            elif len(ids) == 1:
                select.value = ids[0]
        if self.is_mounted:
            self.refresh_help()

    def help(self) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for a in self.alerts:
            value = f" (now {a.now})" if a.now else ""
            grid.add_row(f"{a.icon} {a.word}", Text(f"{a.id}\n{a.rule}{value}", style=""))
        return section(
            "Alerts",
            grid,
            Text(f"\n{self.rule} Acknowledging stops the pager escalating.", style="dim"),
        )

    def build(self) -> cmd.Acknowledge:
        alert = picked(self.query_one("#alert", Select))
        if alert is None:
            if not self.firing:
                raise FormError("No alert is firing unacknowledged right now.")
            raise FormError("Pick the firing alert to acknowledge.", "alert")
        return cmd.Acknowledge(alert=alert, rationale=self.rationale())


# --------------------------------------------------------------------------- severity


class SeverityDialog(ActionDialog[cmd.Classify]):
    """Classify the incident's severity with the policy's levels beside the decision tree."""

    HEADING = "Determine severity"
    SUBMIT = "Classify"

    def __init__(self, levels: Sequence[Level], tree: str | None, current: str | None) -> None:
        """Offer the policy's ``levels``; show the decision ``tree`` if the policy has one."""
        super().__init__()
        self.levels = tuple(levels)
        self.decision_tree = tree
        self.current = current

    def compose_form(self) -> ComposeResult:
        yield field("Severity level")
        yield Select(
            choices((f"{lv.name} · {lv.title}", lv.name) for lv in self.levels),
            id="severity",
            prompt="pick a level",
        )
        if self.current:
            yield Label(f"Currently: {self.current}", classes="hint", markup=False)

    def help(self) -> RenderableType:
        parts: list[RenderableType] = []
        if self.decision_tree:
            parts += [section("Severity decision tree", Text(self.decision_tree)), Text("")]
        chosen = self._selected()
        for lv in self.levels if chosen is None else [chosen]:
            lines = Text()
            lines.append(f"{lv.name} · {lv.title}", style="bold")
            lines.append(f" — {lv.definition}\n")
            for c in lv.criteria:
                lines.append(f"  • {c}\n")
            if chosen is not None:
                for x in lv.examples:
                    lines.append(f"  e.g. {x}\n", style="dim")
                lines.append(f"  Response: {lv.response_time.says}\n", style="dim")
            parts.append(lines)
        return Group(*parts)

    def _selected(self) -> Level | None:
        if not self.is_mounted:
            return None
        name = picked(self.query_one("#severity", Select))
        return next((lv for lv in self.levels if lv.name == name), None)

    def build(self) -> cmd.Classify:
        level = picked(self.query_one("#severity", Select))
        if level is None:
            raise FormError(
                "Pick a severity level (the decision tree is on the right).", "severity"
            )
        if level == self.current:
            raise FormError(f"The severity is already {level}.", "severity")
        return cmd.Classify(severity=level, rationale=self.rationale())


# --------------------------------------------------------------------------- declare


class DeclareDialog(ActionDialog[cmd.Declare]):
    """Declare the incident, with the declaration template as a preview."""

    HEADING = "Declare the incident"
    SUBMIT = "Declare"

    def __init__(self, title: str, preview: str) -> None:
        """Prefill ``title``; show the declaration ``preview``."""
        super().__init__()
        self.default_title = title
        self.preview = preview

    def compose_form(self) -> ComposeResult:
        yield field("Incident title")
        yield Input(self.default_title, id="title", max_length=200)

    def help(self) -> RenderableType:
        return section("Incident declaration (training module, Session 4)", Text(self.preview))

    def build(self) -> cmd.Declare:
        title = self.query_one("#title", Input).value.strip()
        if not title:
            raise FormError("Give the incident a title.", "title")
        return cmd.Declare(title=title, rationale=self.rationale())


# --------------------------------------------------------------------------- channel


class ChannelDialog(ActionDialog[cmd.CreateChannel | cmd.RenameChannel]):
    """Create the incident channel, prefilled with the convention's name; once it exists,
    rename it (a misnamed channel can be fixed)."""

    HEADING = "Create the incident channel"
    SUBMIT = "Create"
    RATIONALE = False

    def __init__(
        self,
        suggestion: str,
        convention: str,
        pattern: str,
        *,
        rule: str,
        existing: str | None = None,
    ) -> None:
        """Prefill ``suggestion``; check names against the policy's ``pattern``; ``rule`` is
        the policy's channel deadline and convention in words; ``existing``: the channel's
        current name (the dialog then renames it)."""
        super().__init__()
        self.suggestion = suggestion
        self.convention = convention
        self.pattern = pattern
        self.rule = rule
        self.existing = existing

    def compose_form(self) -> ComposeResult:
        yield field("Channel name")
        yield Input(self.suggestion, id="name", max_length=81)
        yield Label("", id="convention", classes="hint", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self._check(self.suggestion)

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        self._check(event.value)

    def _check(self, name: str) -> None:
        ok = re.fullmatch(self.pattern, name.strip()) is not None
        hint = self.query_one("#convention", Label)
        hint.update(
            f"✔ follows {self.convention}" if ok else f"⚠ does not follow {self.convention}"
        )
        hint.set_class(not ok, "-warning")

    def help(self) -> RenderableType:
        return section(
            "Naming convention",
            Text(
                f"{self.convention}\n\nA time in the name is the incident's start (when the "
                f"first alert fired). {self.rule}"
                + (
                    f"\n\nThe channel exists as {self.existing}: renaming it fixes the name."
                    if self.existing
                    else ""
                )
            ),
        )

    def build(self) -> cmd.CreateChannel | cmd.RenameChannel:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            raise FormError("Type a channel name.", "name")
        if not re.fullmatch(r"#[a-z0-9][a-z0-9_-]{0,79}", name):
            raise FormError(
                "A channel name starts with # and uses lowercase letters, digits, - and _.",
                "name",
            )
        if self.existing is not None:
            if name == self.existing:
                raise FormError(f"The channel is already called {name}.", "name")
            return cmd.RenameChannel(name=name)
        return cmd.CreateChannel(name=name)


class RenameChannelDialog(ChannelDialog):
    """Rename the incident channel that exists (``existing``), prefilled with the convention's
    name: a misnamed channel can be fixed."""

    HEADING = "Rename the incident channel"
    SUBMIT = "Rename"
