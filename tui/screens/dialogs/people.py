"""The dialogs about people: roles, handing off command, paging, escalating, notifying.

Each is an ``ActionDialog`` given plain data (responder views, the policy's level and
triggers) that dismisses with one typed command. They must not read the engine or submit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select

from assessments.policy import EscalationTrigger, Level
from simulator import commands as cmd
from simulator.durations import format_clock, format_duration
from simulator.people import ESCALATION_LABELS, ROTATION_LABELS, STAKEHOLDER_LABELS
from tui.headless.views import ResponderView
from tui.headless.words import ROLE_LABELS
from tui.screens.dialogs.base import ActionDialog, FormError
from tui.screens.dialogs.helpers import choices, field, picked, section


@dataclass(frozen=True)
class Person:
    """Someone a role or the IC role can go to."""

    id: str
    """Responder id, or ``me``."""
    label: str


def whereabouts(r: ResponderView) -> str:
    """Where a responder is, in words: in the incident (free or busy), on the way, or away."""
    if r.joined:
        return f"busy until {format_clock(r.busy_until)}" if r.busy_with else "in the incident"
    return "paged, on the way" if r.paged else "not here yet: page first"


def people(trainee: str, responders: Sequence[ResponderView]) -> list[Person]:
    """``me`` first, then every responder with where they are."""
    out = [Person("me", f"me ({trainee})")]
    for r in responders:
        out.append(Person(r.id, f"{r.name} · {r.role} · {whereabouts(r)}"))
    return out


# --------------------------------------------------------------------------- roles


class RoleDialog(ActionDialog[cmd.AssignRole]):
    """Assign an incident role to someone (or yourself)."""

    HEADING = "Assign a role"
    SUBMIT = "Assign"

    def __init__(
        self,
        trainee: str,
        responders: Sequence[ResponderView],
        roles: Sequence[tuple[str, str]],
        rule: str,
    ) -> None:
        """Offer every role to ``me`` and the ``responders``; show current ``roles`` and the
        policy's IC deadlines (``rule``, in words)."""
        super().__init__()
        self.rule = rule
        self.trainee = trainee
        self.responders = tuple(responders)
        self.roles = dict(roles)

    def compose_form(self) -> ComposeResult:
        yield field("Role")
        yield Select(
            choices((label, role) for role, label in ROLE_LABELS.items()),
            id="role",
            prompt="pick a role",
            value="ic" if "ic" not in self.roles else Select.NULL,
        )
        yield field("Person")
        yield Select(
            choices((p.label, p.id) for p in people(self.trainee, self.responders)),
            id="person",
            prompt="pick a person",
        )

    def help(self) -> RenderableType:
        names = {r.id: r.name for r in self.responders}
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for role, label in ROLE_LABELS.items():
            person = self.roles.get(role)
            who = "you" if person == "me" else names.get(person or "", person or "—")
            grid.add_row(label, Text(who))
        return section(
            "Current roles",
            grid,
            Text(
                f"\n{self.rule} The IC coordinates; a scribe keeps the timeline; a comms lead "
                "drafts updates.",
                style="dim",
            ),
        )

    def build(self) -> cmd.AssignRole:
        role = picked(self.query_one("#role", Select))
        if role is None:
            raise FormError("Pick a role.", "role")
        person = picked(self.query_one("#person", Select))
        if person is None:
            raise FormError("Pick who takes the role.", "person")
        return cmd.AssignRole(role=role, person=person, rationale=self.rationale())


class HandoffDialog(ActionDialog[cmd.HandoffIC]):
    """Hand the IC role to someone else."""

    HEADING = "Hand off incident command"
    SUBMIT = "Hand off"

    def __init__(
        self, trainee: str, responders: Sequence[ResponderView], current_ic: str | None
    ) -> None:
        """Offer ``me`` and the ``responders``; say who the IC is now."""
        super().__init__()
        self.trainee = trainee
        self.responders = tuple(responders)
        self.current_ic = current_ic

    def compose_form(self) -> ComposeResult:
        yield field("New Incident Commander")
        yield Select(
            choices((p.label, p.id) for p in people(self.trainee, self.responders)),
            id="to",
            prompt="pick the new IC",
        )

    def help(self) -> RenderableType:
        names = {r.id: r.name for r in self.responders}
        now = (
            "nobody yet: assign the IC role first"
            if self.current_ic is None
            else "you"
            if self.current_ic == "me"
            else names.get(self.current_ic, self.current_ic)
        )
        return section(
            "Handing off",
            Text(
                f"Current IC: {now}\n\nBrief the new IC on the current status, what has been "
                "tried, open hypotheses and pending actions, then announce the handoff in the "
                "channel (training module, Session 3, Handing Off)."
            ),
        )

    def build(self) -> cmd.HandoffIC:
        to = picked(self.query_one("#to", Select))
        if to is None:
            raise FormError("Pick the new IC.", "to")
        return cmd.HandoffIC(to=to, rationale=self.rationale())


# --------------------------------------------------------------------------- page, escalate


class PageDialog(ActionDialog[cmd.Page]):
    """Page a rotation or a person."""

    HEADING = "Page"
    SUBMIT = "Page"

    def __init__(
        self,
        responders: Sequence[ResponderView],
        paged: Sequence[tuple[str, float]],
        level: Level | None,
    ) -> None:
        """Offer rotations and ``responders``; mark who was ``paged``; show the ``level``'s rule."""
        super().__init__()
        self.responders = tuple(responders)
        self.paged = dict(paged)
        self.level = level

    def _mark(self, key: str) -> str:
        return f" (paged {format_clock(self.paged[key])})" if key in self.paged else ""

    def compose_form(self) -> ComposeResult:
        options: list[tuple[str, str]] = []
        for rotation, label in ROTATION_LABELS.items():
            who = next((r for r in self.responders if r.rotation == rotation), None)
            answer = f": {who.name}" if who else ""
            options.append((f"{label}{answer}{self._mark(rotation)}", rotation))
        for r in self.responders:
            options.append((f"{r.name} · {r.role}{self._mark(r.id)}", r.id))
        yield field("Whom to page")
        yield Select(choices(options), id="target", prompt="pick a rotation or a person")

    def help(self) -> RenderableType:
        if self.level is None:
            rule = Text("Classify the severity first: each level says whom to page.")
        else:
            targets = ", ".join(ROTATION_LABELS[t] for t in self.level.page.targets) or "nobody"
            rule = Text(f"{self.level.name}: {self.level.page.says}\nPage: {targets}")
        return section(
            "Who to page",
            rule,
            Text(
                "\nBring in the subject-matter expert for the affected area early "
                "(IC + relevant SME).",
                style="dim",
            ),
        )

    def build(self) -> cmd.Page:
        target = picked(self.query_one("#target", Select))
        if target is None:
            raise FormError("Pick whom to page.", "target")
        return cmd.Page(target=target, rationale=self.rationale())


class EscalateDialog(ActionDialog[cmd.Escalate]):
    """Escalate to someone with more expertise or authority."""

    HEADING = "Escalate"
    SUBMIT = "Escalate"
    RATIONALE = False

    def __init__(
        self, responders: Sequence[ResponderView], triggers: Sequence[EscalationTrigger]
    ) -> None:
        """Offer the escalation targets and ``responders``; show the policy's ``triggers``."""
        super().__init__()
        self.responders = tuple(responders)
        self.triggers = tuple(triggers)

    def compose_form(self) -> ComposeResult:
        options = [(label, key) for key, label in ESCALATION_LABELS.items()]
        options += [(f"{r.name} · {r.role}", r.id) for r in self.responders]
        yield field("Escalate to")
        yield Select(choices(options), id="to", prompt="pick whom to escalate to")
        yield field("Why escalation is needed (optional)")
        yield Input(id="reason", placeholder="e.g. which trigger on the right holds")

    def help(self) -> RenderableType:
        lines = Text()
        for t in self.triggers:
            lines.append(f"• {t.says}")
            if t.to:
                lines.append(f" → {t.to}", style="dim")
            lines.append("\n")
        return section("Escalate when", lines or Text("The policy lists no triggers."))

    def build(self) -> cmd.Escalate:
        to = picked(self.query_one("#to", Select))
        if to is None:
            raise FormError("Pick whom to escalate to.", "to")
        reason = self.query_one("#reason", Input).value.strip() or None
        return cmd.Escalate(to=to, reason=reason)


# --------------------------------------------------------------------------- notify


class NotifyDialog(ActionDialog[cmd.Notify]):
    """Notify a stakeholder, with the notification matrix for the level beside."""

    HEADING = "Notify a stakeholder"
    SUBMIT = "Notify"

    def __init__(
        self,
        level: Level | None,
        notified: Sequence[tuple[str, float]],
        extra: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Show ``level``'s matrix and who was ``notified`` (last time each); ``extra`` are
        the scenario's own stakeholders as (id, "name, role")."""
        super().__init__()
        self.level = level
        self.notified = dict(notified)
        self.extra = tuple(extra)

    def compose_form(self) -> ComposeResult:
        options = []
        for key, label in (*STAKEHOLDER_LABELS.items(), *self.extra):
            mark = f" (notified {format_clock(self.notified[key])})" if key in self.notified else ""
            options.append((f"{label}{mark}", key))
        yield field("Stakeholder")
        yield Select(choices(options), id="stakeholder", prompt="pick a stakeholder")

    def help(self) -> RenderableType:
        if self.level is None:
            return section(
                "Stakeholder notification matrix",
                Text("Classify the severity first: deadlines depend on the level."),
            )
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for n in self.level.notify:
            when = format_duration(n.within) if n.within is not None else "—"
            grid.add_row(
                Text(STAKEHOLDER_LABELS.get(n.stakeholder, n.stakeholder)),
                Text(f"within {when}" if n.within is not None else n.says),
            )
        return section(f"Who to notify at {self.level.name}", grid)

    def build(self) -> cmd.Notify:
        who = picked(self.query_one("#stakeholder", Select))
        if who is None:
            raise FormError("Pick a stakeholder.", "stakeholder")
        return cmd.Notify(stakeholder=who, rationale=self.rationale())
