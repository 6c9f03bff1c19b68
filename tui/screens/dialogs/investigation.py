"""The dialogs of the investigation: run or delegate a diagnostic, choose a mitigation.

Each is an ``ActionDialog`` given the scenario's entries and responder views that dismisses
with one typed command. They must not read the engine or submit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Label, Select

from simulator import commands as cmd
from simulator.durations import format_duration
from simulator.model import Diagnostic, Mitigation
from tui.headless import guide
from tui.headless.views import ResponderView
from tui.screens.dialogs.base import ActionDialog, FormError
from tui.screens.dialogs.helpers import choices, field, picked, section
from tui.screens.dialogs.people import whereabouts

# --------------------------------------------------------------------------- diagnostics


CHOICE = "::"
"""Joins a diagnostic id and one of its choices in the dialog's option values."""


class DiagnosticsDialog(ActionDialog[cmd.RunDiagnostic | cmd.Delegate]):
    """Run a diagnostic: delegate it to a responder, or run it yourself (heads-down)."""

    HEADING = "Investigate: run a diagnostic"
    SUBMIT = "Start"

    def __init__(
        self,
        diagnostics: Sequence[Diagnostic],
        responders: Sequence[ResponderView],
        trainee: str,
    ) -> None:
        """Offer the scenario's ``diagnostics`` and who can run them."""
        super().__init__()
        self.diagnostics = tuple(diagnostics)
        self.responders = tuple(responders)
        self.trainee = trainee

    def compose_form(self) -> ComposeResult:
        yield field("Diagnostic")
        options: list[tuple[str, str]] = []
        for d in self.diagnostics:
            took = f"(~{format_duration(d.duration)})"
            if not d.choices:
                options.append((f"{d.title} {took}", d.id))
            # A diagnostic that takes a choice is offered once per choice.
            options += [
                (f"{d.title}: {x.label} {took}", f"{d.id}{CHOICE}{x.id}") for x in d.choices
            ]
        yield Select(choices(options), id="diagnostic", prompt="pick a diagnostic")
        yield field("Who runs it")
        options = []
        for r in self.responders:
            options.append((f"{r.name} · {r.role} · {whereabouts(r)}", r.id))
        options.append((f"me ({self.trainee}): run it myself, heads-down", "me"))
        yield Select(choices(options), id="who", prompt="pick who runs it")
        yield Label("", id="who-warning", classes="hint", markup=False)

    def _diagnostic(self) -> Diagnostic | None:
        if not self.is_mounted:
            return None
        chosen = picked(self.query_one("#diagnostic", Select))
        key = chosen.partition(CHOICE)[0] if chosen is not None else None
        return next((d for d in self.diagnostics if d.id == key), None)

    def refresh_help(self) -> None:
        super().refresh_help()
        who = picked(self.query_one("#who", Select))
        warning = self.query_one("#who-warning", Label)
        d = self._diagnostic()
        text = ""
        if who == "me":
            text = "⚠ You go heads-down: no acknowledging, paging or updates until it is done."
        elif who is not None and d is not None and d.skill:
            r = next((x for x in self.responders if x.id == who), None)
            if r is not None and d.skill not in r.skills:
                text = f"⚠ {r.name} lacks the {d.skill} skill: it will take about twice as long."
        warning.update(text)
        warning.set_class(bool(text), "-warning")

    def help(self) -> RenderableType:
        d = self._diagnostic()
        if d is None:
            return section(
                "Delegate, don't debug",
                Text(
                    f"{guide.IC_ANTI_PATTERN}\n\nPick a diagnostic to see its command and "
                    "who has the skill for it."
                ),
            )
        skilled = [r.name for r in self.responders if d.skill and d.skill in r.skills]
        body = Text()
        body.append(f"{d.title}\n", style="bold")
        if d.command:
            body.append(f"$ {d.command}\n", style="dim")
        body.append(f"Takes about {format_duration(d.duration)}")
        if d.skill:
            body.append(f"; needs the {d.skill} skill")
            body.append(f" ({', '.join(skilled)})" if skilled else " (nobody here has it)")
        body.append(f".\n\n{guide.IC_ANTI_PATTERN}", style="dim")
        return body

    def build(self) -> cmd.RunDiagnostic | cmd.Delegate:
        chosen = picked(self.query_one("#diagnostic", Select))
        if chosen is None:
            raise FormError("Pick a diagnostic.", "diagnostic")
        diagnostic, _, choice = chosen.partition(CHOICE)
        who = picked(self.query_one("#who", Select))
        if who is None:
            raise FormError("Pick a responder to delegate to (or run it yourself).", "who")
        if who == "me":
            return cmd.RunDiagnostic(
                diagnostic=diagnostic, choice=choice or None, rationale=self.rationale()
            )
        return cmd.Delegate(
            diagnostic=diagnostic, responder=who, choice=choice or None, rationale=self.rationale()
        )


# --------------------------------------------------------------------------- mitigation


class MitigationDialog(ActionDialog[cmd.ApplyMitigation]):
    """Choose a mitigation: label, strategy, how long it takes."""

    HEADING = "Apply a mitigation"
    SUBMIT = "Apply"

    def __init__(
        self,
        mitigations: Sequence[Mitigation],
        running: Iterable[str],
        applied: Iterable[str],
    ) -> None:
        """Offer ``mitigations``; mark those ``running`` and ``applied`` (ids)."""
        super().__init__()
        self.mitigations = tuple(mitigations)
        self.running = set(running)
        self.applied = set(applied)

    def compose_form(self) -> ComposeResult:
        options = []
        for m in self.mitigations:
            mark = (
                " · in progress"
                if m.id in self.running
                else " · applied"
                if m.id in self.applied
                else ""
            )
            options.append(
                (
                    f"{m.label} · {m.strategy.replace('_', ' ')} · ~{format_duration(m.duration)}{mark}",
                    m.id,
                )
            )
        yield field("Mitigation")
        yield Select(choices(options), id="mitigation", prompt="pick a mitigation")

    def help(self) -> RenderableType:
        chosen = None
        if self.is_mounted:
            key = picked(self.query_one("#mitigation", Select))
            chosen = next((m for m in self.mitigations if m.id == key), None)
        if chosen is None:
            return section(
                "Choose deliberately",
                Text(
                    "Mitigate first, find the root cause later, but pick the fix the evidence "
                    "points at: a wrong call can make things worse (decision framework: was "
                    "something deployed? a config change? traffic?)."
                ),
            )
        body = Text()
        body.append(f"{chosen.label}\n", style="bold")
        body.append(f"Strategy: {chosen.strategy.replace('_', ' ')}\n")
        body.append(f"Takes about {format_duration(chosen.duration)}\n")
        if chosen.command:
            body.append(f"$ {chosen.command}\n", style="dim")
        if chosen.requires is not None:
            body.append("Needs:\n")
            for line in chosen.requires.describe():
                body.append(f"  {line}\n")
        if chosen.offered is not None:
            body.append("Offered only in some situations.\n")
        return body

    def build(self) -> cmd.ApplyMitigation:
        mitigation = picked(self.query_one("#mitigation", Select))
        if mitigation is None:
            raise FormError("Pick a mitigation.", "mitigation")
        return cmd.ApplyMitigation(mitigation=mitigation, rationale=self.rationale())
