"""The Incident Commander's action dialogs: typed modal forms that dismiss with a command.

Each dialog is a ``ModalScreen`` that is given plain data (alerts, levels, responders …) by
the console and dismisses with one ``simulator.commands`` action, or ``None`` when cancelled.
A form checks what it can before dismissing (nothing picked, empty text, unfilled template
blanks, a malformed channel name) and keeps itself open with the message; whatever it lets
through, the engine still validates, and the console shows the engine's reason if it refuses.
Beside each form a help pane shows what the training module or the policy says about the
decision. Dialogs never submit anything themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import ValidationError
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from assessments.policy import EscalationTrigger, Level
from simulator import commands as cmd
from simulator.durations import format_clock, format_duration
from simulator.model import Diagnostic, Mitigation
from tui.headless import guide
from tui.headless.views import AlertView, ResponderView

ROLE_LABELS: dict[str, str] = {
    "ic": "Incident Commander (IC)",
    "scribe": "Scribe",
    "comms_lead": "Communications lead",
    "tech_lead": "Technical lead",
}
ROTATION_LABELS: dict[str, str] = {
    "primary": "Primary on-call",
    "secondary": "Secondary on-call",
    "ic_rotation": "IC rotation",
    "management": "Management",
    "security": "Security",
}
STAKEHOLDER_LABELS: dict[str, str] = {
    "support": "Customer Support",
    "eng_lead": "Engineering lead",
    "team_lead": "Team lead",
    "cto": "CTO",
    "ceo": "CEO",
}
ESCALATION_LABELS: dict[str, str] = {
    **ROTATION_LABELS,
    "eng_lead": "Engineering lead",
    "team_lead": "Team lead",
    "vp_engineering": "VP Engineering",
    "cto": "CTO",
    "ceo": "CEO",
}
AUDIENCE_LABELS: dict[str, str] = {
    "incident": "Incident channel",
    "stakeholders": "Stakeholders",
    "status_page": "Status page (customers)",
}
POSTMORTEM_WITHIN: tuple[tuple[str, float], ...] = (
    ("within 24 hours", 24 * 3600.0),
    ("within 48 hours", 48 * 3600.0),
    ("within 72 hours", 72 * 3600.0),
)


class FormError(Exception):
    """What is wrong with a form, and which widget to focus."""

    def __init__(self, message: str, focus: str | None = None) -> None:
        super().__init__(message)
        self.focus = focus
        """The id of the widget to put the cursor in."""


def _picked(select: Select[Any]) -> Any | None:
    value = select.value
    return None if value is Select.NULL else value


@dataclass(frozen=True)
class Person:
    """Someone a role or the IC role can go to."""

    id: str
    """Responder id, or ``me``."""
    label: str


def people(trainee: str, responders: Sequence[ResponderView]) -> list[Person]:
    """``me`` first, then every responder with where they are."""
    out = [Person("me", f"me ({trainee})")]
    for r in responders:
        where = "in the incident" if r.joined else "not here yet: page first"
        out.append(Person(r.id, f"{r.name} · {r.role} · {where}"))
    return out


class FormScroll(VerticalScroll, can_focus=False):
    """The form's scrolling column: the fields take focus, not the column."""


class ActionDialog(ModalScreen[Any]):
    """Base of the IC's action forms: a title, the form, a help pane, Submit and Cancel."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Submit"),
    ]

    HEADING: ClassVar[str] = ""
    SUBMIT: ClassVar[str] = "Submit"
    RATIONALE: ClassVar[bool] = True
    """Whether the form has an optional rationale (the decision log)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.HEADING, id="dialog-title")
            with Horizontal(id="dialog-body"):
                with FormScroll(id="form"):
                    yield from self.compose_form()
                    if self.RATIONALE:
                        yield Label("Why? (optional, for the decision log)", classes="field")
                        yield Input(id="rationale", placeholder="your reasoning")
                    yield Static("", id="error")
                help_pane = self.help()
                if help_pane is not None:
                    with VerticalScroll(id="help"):
                        yield Static(help_pane, id="help-text")
            with Horizontal(id="buttons"):
                yield Button(
                    f"{self.SUBMIT} (ctrl+s)", id="submit", variant="primary", compact=True
                )
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def compose_form(self) -> ComposeResult:
        """The form's fields."""
        yield from ()

    def help(self) -> RenderableType | None:
        """The help pane's content, or ``None`` for no help pane."""
        return None

    def build(self) -> cmd._Command:
        """The command the form describes.

        Raises:
            FormError: when something is missing or wrong.
        """
        raise NotImplementedError

    def on_mount(self) -> None:
        if self.app.is_headless:
            for widget in self.query(Input):
                widget.cursor_blink = False
            for area in self.query(TextArea):
                area.cursor_blink = False

    def rationale(self) -> str | None:
        """The rationale typed, if any."""
        if not self.RATIONALE:
            return None
        text = self.query_one("#rationale", Input).value.strip()
        return text or None

    def refresh_help(self) -> None:
        """Re-render the help pane (after a selection changed)."""
        content = self.help()
        if content is not None:
            self.query_one("#help-text", Static).update(content)

    def show_error(self, message: str, focus: str | None = None) -> None:
        """Keep the dialog open and say what is wrong."""
        error = self.query_one("#error", Static)
        error.update(Text(f"✘ {message}"))
        error.add_class("-shown")
        if focus:
            self.query_one(f"#{focus}").focus()

    def action_submit(self) -> None:
        """Validate and dismiss with the command."""
        try:
            command = self.build()
        except FormError as exc:
            self.show_error(str(exc), exc.focus)
            return
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ()))
            self.show_error(f"{where}: {first['msg']}" if where else str(first["msg"]))
            return
        self.dismiss(command)

    def action_cancel(self) -> None:
        """Close without acting."""
        self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        self.action_submit()

    @on(Select.Changed)
    def _select_changed(self) -> None:
        self.query_one("#error", Static).remove_class("-shown")
        self.refresh_help()


def _field(text: str) -> Label:
    return Label(text, classes="field", markup=False)


def _section(title: str, *body: RenderableType) -> Group:
    return Group(Text(title, style="bold underline"), *body)


# --------------------------------------------------------------------------- acknowledge


class AcknowledgeDialog(ActionDialog):
    """Acknowledge a firing alert."""

    HEADING = "Acknowledge an alert"
    SUBMIT = "Acknowledge"

    def __init__(self, alerts: Sequence[AlertView], preselect: str | None = None) -> None:
        """Offer the firing, unacknowledged ``alerts``; ``preselect`` one of them."""
        super().__init__()
        self.alerts = tuple(alerts)
        self.firing = [a for a in self.alerts if a.state == "firing"]
        ids = {a.id for a in self.firing}
        self.preselect = preselect if preselect in ids else None
        if self.preselect is None and len(self.firing) == 1:
            self.preselect = self.firing[0].id

    def compose_form(self) -> ComposeResult:
        yield _field("Firing alert")
        options = [(f"{a.icon} {a.id}", a.id) for a in self.firing]
        yield Select(
            options,
            id="alert",
            prompt="pick a firing alert" if options else "nothing is firing unacknowledged",
            value=self.preselect if self.preselect else Select.NULL,
        )

    def help(self) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for a in self.alerts:
            value = "" if a.value is None else f" (now {a.value:g})"
            grid.add_row(f"{a.icon} {a.word}", Text(f"{a.id}\n{a.rule}{value}", style=""))
        return _section(
            "Alerts",
            grid,
            Text(
                "\nAcknowledge the first firing alert within 2 minutes so the pager stops "
                "escalating (mock-incident evaluation criteria).",
                style="dim",
            ),
        )

    def build(self) -> cmd.Acknowledge:
        alert = _picked(self.query_one("#alert", Select))
        if alert is None:
            if not self.firing:
                raise FormError("No alert is firing unacknowledged right now.")
            raise FormError("Pick the firing alert to acknowledge.", "alert")
        return cmd.Acknowledge(alert=alert, rationale=self.rationale())


# --------------------------------------------------------------------------- severity


class SeverityDialog(ActionDialog):
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
        yield _field("Severity level")
        yield Select(
            [(f"{lv.name} · {lv.title}", lv.name) for lv in self.levels],
            id="severity",
            prompt="pick a level",
        )
        if self.current:
            yield Label(f"Currently: {self.current}", classes="hint", markup=False)

    def help(self) -> RenderableType:
        parts: list[RenderableType] = []
        if self.decision_tree:
            parts += [_section("Severity decision tree", Text(self.decision_tree)), Text("")]
        picked = self._selected()
        for lv in self.levels if picked is None else [picked]:
            lines = Text()
            lines.append(f"{lv.name} · {lv.title}", style="bold")
            lines.append(f" — {lv.definition}\n")
            for c in lv.criteria:
                lines.append(f"  • {c}\n")
            if picked is not None:
                for x in lv.examples:
                    lines.append(f"  e.g. {x}\n", style="dim")
                lines.append(f"  Response: {lv.response_time.says}\n", style="dim")
            parts.append(lines)
        return Group(*parts)

    def _selected(self) -> Level | None:
        if not self.is_mounted:
            return None
        name = _picked(self.query_one("#severity", Select))
        return next((lv for lv in self.levels if lv.name == name), None)

    def build(self) -> cmd.Classify:
        level = _picked(self.query_one("#severity", Select))
        if level is None:
            raise FormError(
                "Pick a severity level (the decision tree is on the right).", "severity"
            )
        if level == self.current:
            raise FormError(f"The severity is already {level}.", "severity")
        return cmd.Classify(severity=level, rationale=self.rationale())


# --------------------------------------------------------------------------- declare


class DeclareDialog(ActionDialog):
    """Declare the incident, with the declaration template as a preview."""

    HEADING = "Declare the incident"
    SUBMIT = "Declare"

    def __init__(self, title: str, preview: str) -> None:
        """Prefill ``title``; show the declaration ``preview``."""
        super().__init__()
        self.default_title = title
        self.preview = preview

    def compose_form(self) -> ComposeResult:
        yield _field("Incident title")
        yield Input(self.default_title, id="title", max_length=200)

    def help(self) -> RenderableType:
        return _section("Incident declaration (training module, Session 4)", Text(self.preview))

    def build(self) -> cmd.Declare:
        title = self.query_one("#title", Input).value.strip()
        if not title:
            raise FormError("Give the incident a title.", "title")
        return cmd.Declare(title=title, rationale=self.rationale())


# --------------------------------------------------------------------------- channel


class ChannelDialog(ActionDialog):
    """Create the incident channel, prefilled with the convention's name."""

    HEADING = "Create the incident channel"
    SUBMIT = "Create"
    RATIONALE = False

    def __init__(self, suggestion: str, convention: str, pattern: str) -> None:
        """Prefill ``suggestion``; check names against the policy's ``pattern``."""
        super().__init__()
        self.suggestion = suggestion
        self.convention = convention
        self.pattern = pattern

    def compose_form(self) -> ComposeResult:
        yield _field("Channel name")
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
        return _section(
            "Naming convention",
            Text(
                f"{self.convention}\n\nThe time is the incident's start (when the first alert "
                "fired). Create the channel within 5 minutes (mock-incident evaluation "
                "criteria)."
            ),
        )

    def build(self) -> cmd.CreateChannel:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            raise FormError("Type a channel name.", "name")
        if not re.fullmatch(r"#[a-z0-9][a-z0-9_-]{0,79}", name):
            raise FormError(
                "A channel name starts with # and uses lowercase letters, digits, - and _.",
                "name",
            )
        return cmd.CreateChannel(name=name)


# --------------------------------------------------------------------------- roles


class RoleDialog(ActionDialog):
    """Assign an incident role to someone (or yourself)."""

    HEADING = "Assign a role"
    SUBMIT = "Assign"

    def __init__(
        self,
        trainee: str,
        responders: Sequence[ResponderView],
        roles: Sequence[tuple[str, str]],
    ) -> None:
        """Offer every role to ``me`` and the ``responders``; show current ``roles``."""
        super().__init__()
        self.trainee = trainee
        self.responders = tuple(responders)
        self.roles = dict(roles)

    def compose_form(self) -> ComposeResult:
        yield _field("Role")
        yield Select(
            [(label, role) for role, label in ROLE_LABELS.items()],
            id="role",
            prompt="pick a role",
            value="ic" if "ic" not in self.roles else Select.NULL,
        )
        yield _field("Person")
        yield Select(
            [(p.label, p.id) for p in people(self.trainee, self.responders)],
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
            grid.add_row(label, who)
        return _section(
            "Current roles",
            grid,
            Text(
                "\nAssign an IC within 10 minutes at SEV-1/SEV-2 (SEV-1: 5). The IC coordinates; "
                "a scribe keeps the timeline; a comms lead drafts updates.",
                style="dim",
            ),
        )

    def build(self) -> cmd.AssignRole:
        role = _picked(self.query_one("#role", Select))
        if role is None:
            raise FormError("Pick a role.", "role")
        person = _picked(self.query_one("#person", Select))
        if person is None:
            raise FormError("Pick who takes the role.", "person")
        return cmd.AssignRole(role=role, person=person, rationale=self.rationale())


class HandoffDialog(ActionDialog):
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
        yield _field("New Incident Commander")
        yield Select(
            [(p.label, p.id) for p in people(self.trainee, self.responders)],
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
        return _section(
            "Handing off",
            Text(
                f"Current IC: {now}\n\nBrief the new IC on the current status, what has been "
                "tried, open hypotheses and pending actions, then announce the handoff in the "
                "channel (training module, Session 3, Handing Off)."
            ),
        )

    def build(self) -> cmd.HandoffIC:
        to = _picked(self.query_one("#to", Select))
        if to is None:
            raise FormError("Pick the new IC.", "to")
        return cmd.HandoffIC(to=to, rationale=self.rationale())


# --------------------------------------------------------------------------- page, escalate


class PageDialog(ActionDialog):
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
        yield _field("Whom to page")
        yield Select(options, id="target", prompt="pick a rotation or a person")

    def help(self) -> RenderableType:
        if self.level is None:
            rule = Text("Classify the severity first: each level says whom to page.")
        else:
            targets = ", ".join(ROTATION_LABELS[t] for t in self.level.page.targets) or "nobody"
            rule = Text(f"{self.level.name}: {self.level.page.says}\nPage: {targets}")
        return _section(
            "Who to page",
            rule,
            Text(
                "\nBring in the subject-matter expert for the affected area early "
                "(IC + relevant SME).",
                style="dim",
            ),
        )

    def build(self) -> cmd.Page:
        target = _picked(self.query_one("#target", Select))
        if target is None:
            raise FormError("Pick whom to page.", "target")
        return cmd.Page(target=target, rationale=self.rationale())


class EscalateDialog(ActionDialog):
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
        yield _field("Escalate to")
        yield Select(options, id="to", prompt="pick whom to escalate to")
        yield _field("Why escalation is needed (optional)")
        yield Input(id="reason", placeholder="e.g. no root cause after 15 minutes")

    def help(self) -> RenderableType:
        lines = Text()
        for t in self.triggers:
            lines.append(f"• {t.says}")
            if t.to:
                lines.append(f" → {t.to}", style="dim")
            lines.append("\n")
        return _section("Escalate when", lines or Text("The policy lists no triggers."))

    def build(self) -> cmd.Escalate:
        to = _picked(self.query_one("#to", Select))
        if to is None:
            raise FormError("Pick whom to escalate to.", "to")
        reason = self.query_one("#reason", Input).value.strip() or None
        return cmd.Escalate(to=to, reason=reason)


# --------------------------------------------------------------------------- notify


class NotifyDialog(ActionDialog):
    """Notify a stakeholder, with the notification matrix for the level beside."""

    HEADING = "Notify a stakeholder"
    SUBMIT = "Notify"

    def __init__(self, level: Level | None, notified: Sequence[tuple[str, float]]) -> None:
        """Show ``level``'s matrix and who was ``notified`` (last time each)."""
        super().__init__()
        self.level = level
        self.notified = dict(notified)

    def compose_form(self) -> ComposeResult:
        options = []
        for key, label in STAKEHOLDER_LABELS.items():
            mark = f" (notified {format_clock(self.notified[key])})" if key in self.notified else ""
            options.append((f"{label}{mark}", key))
        yield _field("Stakeholder")
        yield Select(options, id="stakeholder", prompt="pick a stakeholder")

    def help(self) -> RenderableType:
        if self.level is None:
            return _section(
                "Stakeholder notification matrix",
                Text("Classify the severity first: deadlines depend on the level."),
            )
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for n in self.level.notify:
            when = format_duration(n.within) if n.within is not None else "—"
            grid.add_row(STAKEHOLDER_LABELS.get(n.stakeholder, n.stakeholder), f"{n.says} ({when})")
        return _section(f"Who to notify at {self.level.name}", grid)

    def build(self) -> cmd.Notify:
        who = _picked(self.query_one("#stakeholder", Select))
        if who is None:
            raise FormError("Pick a stakeholder.", "stakeholder")
        return cmd.Notify(stakeholder=who, rationale=self.rationale())


# --------------------------------------------------------------------------- post update


class UpdateDialog(ActionDialog):
    """Post an update, composed from the training module's templates."""

    HEADING = "Post an update"
    SUBMIT = "Post"
    RATIONALE = False

    def __init__(
        self,
        context: guide.UpdateContext,
        *,
        has_channel: bool,
        cadence: str | None,
        audience: str = "incident",
        status: str = "investigating",
    ) -> None:
        """Prefill the composer for ``audience`` and ``status`` from ``context``.

        Args:
            context: What the templates can be filled with.
            has_channel: Whether the incident channel exists (updates there need it).
            cadence: The level's update cadence in words, if a level is chosen.
            audience: The audience to start with.
            status: The status to start with.
        """
        super().__init__()
        self.context = context
        self.has_channel = has_channel
        self.cadence = cadence
        self.audience = audience
        self.status = status
        self._template = guide.compose_update(audience, status, context)

    def compose_form(self) -> ComposeResult:
        with Horizontal(id="update-selects"):
            with Vertical():
                yield _field("Audience")
                yield Select(
                    [(label, key) for key, label in AUDIENCE_LABELS.items()],
                    id="audience",
                    value=self.audience,
                    allow_blank=False,
                )
            with Vertical():
                yield _field("Status")
                yield Select(
                    [(s.capitalize(), s) for s in guide.STATUS_WORDS],
                    id="status",
                    value=self.status,
                    allow_blank=False,
                )
        yield _field("Message (replace the [bracketed] blanks)")
        yield TextArea(self._template, id="text", soft_wrap=True)

    @on(Select.Changed, "#audience, #status")
    def _retemplate(self) -> None:
        audience = _picked(self.query_one("#audience", Select)) or self.audience
        status = _picked(self.query_one("#status", Select)) or self.status
        area = self.query_one("#text", TextArea)
        fresh = guide.compose_update(audience, status, self.context)
        if area.text == self._template:
            area.load_text(fresh)
        self._template = fresh
        self.audience, self.status = audience, status

    def help(self) -> RenderableType:
        states = Table.grid(padding=(0, 1))
        states.add_column(style="bold", no_wrap=True)
        states.add_column()
        for word, meaning in guide.STATUS_WORDS.items():
            states.add_row(word.capitalize(), meaning)
        cadence = Text(
            self.cadence or "Classify the severity to see the update cadence.", style="dim"
        )
        parts: list[RenderableType] = [
            _section("Status states", states),
            Text(""),
            _section("Cadence", cadence),
        ]
        if not self.has_channel:
            parts += [Text(""), Text("⚠ No incident channel yet: create it first.", style="bold")]
        return Group(*parts)

    def build(self) -> cmd.PostUpdate:
        audience = _picked(self.query_one("#audience", Select))
        status = _picked(self.query_one("#status", Select))
        text = self.query_one("#text", TextArea).text.strip()
        if audience is None or status is None:
            raise FormError("Pick the audience and the status.", "audience")
        if not text:
            raise FormError("Write the update.", "text")
        blanks = guide.unfilled(text)
        if blanks:
            raise FormError(f"Fill in the template's blanks first: {', '.join(blanks)}", "text")
        return cmd.PostUpdate(audience=audience, status=status, text=text)


# --------------------------------------------------------------------------- diagnostics


class DiagnosticsDialog(ActionDialog):
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
        yield _field("Diagnostic")
        yield Select(
            [(f"{d.title} (~{format_duration(d.duration)})", d.id) for d in self.diagnostics],
            id="diagnostic",
            prompt="pick a diagnostic",
        )
        yield _field("Who runs it")
        options = []
        for r in self.responders:
            where = r.state if r.joined else "not here yet: page first"
            if r.busy_with:
                where = f"busy until {format_clock(r.busy_until)}"
            options.append((f"{r.name} · {r.role} · {where}", r.id))
        options.append((f"me ({self.trainee}): run it myself, heads-down", "me"))
        yield Select(options, id="who", prompt="pick who runs it")
        yield Label("", id="who-warning", classes="hint", markup=False)

    def _diagnostic(self) -> Diagnostic | None:
        if not self.is_mounted:
            return None
        picked = _picked(self.query_one("#diagnostic", Select))
        return next((d for d in self.diagnostics if d.id == picked), None)

    def refresh_help(self) -> None:
        super().refresh_help()
        who = _picked(self.query_one("#who", Select))
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
            return _section(
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
        diagnostic = _picked(self.query_one("#diagnostic", Select))
        if diagnostic is None:
            raise FormError("Pick a diagnostic.", "diagnostic")
        who = _picked(self.query_one("#who", Select))
        if who is None:
            raise FormError("Pick a responder to delegate to (or run it yourself).", "who")
        if who == "me":
            return cmd.RunDiagnostic(diagnostic=diagnostic, rationale=self.rationale())
        return cmd.Delegate(diagnostic=diagnostic, responder=who, rationale=self.rationale())


# --------------------------------------------------------------------------- mitigation


class MitigationDialog(ActionDialog):
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
        yield _field("Mitigation")
        yield Select(options, id="mitigation", prompt="pick a mitigation")

    def help(self) -> RenderableType:
        picked = None
        if self.is_mounted:
            key = _picked(self.query_one("#mitigation", Select))
            picked = next((m for m in self.mitigations if m.id == key), None)
        if picked is None:
            return _section(
                "Choose deliberately",
                Text(
                    "Mitigate first, find the root cause later, but pick the fix the evidence "
                    "points at: a wrong call can make things worse (decision framework: was "
                    "something deployed? a config change? traffic?)."
                ),
            )
        body = Text()
        body.append(f"{picked.label}\n", style="bold")
        body.append(f"Strategy: {picked.strategy.replace('_', ' ')}\n")
        body.append(f"Takes about {format_duration(picked.duration)}\n")
        if picked.command:
            body.append(f"$ {picked.command}\n", style="dim")
        return body

    def build(self) -> cmd.ApplyMitigation:
        mitigation = _picked(self.query_one("#mitigation", Select))
        if mitigation is None:
            raise FormError("Pick a mitigation.", "mitigation")
        return cmd.ApplyMitigation(mitigation=mitigation, rationale=self.rationale())


# --------------------------------------------------------------------------- resolve, postmortem, note


class ResolveDialog(ActionDialog):
    """Declare the incident resolved, after the resolution checklist."""

    HEADING = "Declare the incident resolved"
    SUBMIT = "Resolve"

    def __init__(self, facts: Sequence[tuple[str, str]], stability: str) -> None:
        """Show the resolution ``facts`` and the policy's ``stability`` window."""
        super().__init__()
        self.facts = tuple(facts)
        self.stability = stability

    def compose_form(self) -> ComposeResult:
        yield Label(
            "Resolve only when the fix is applied, health is verified and the metrics have "
            "been stable for the whole stability window.",
            classes="hint",
        )

    def help(self) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for key, value in self.facts:
            grid.add_row(key, value)
        return _section(
            "Resolution checklist",
            grid,
            Text(f"\nStability window: {self.stability}", style="dim"),
        )

    def build(self) -> cmd.Resolve:
        return cmd.Resolve(rationale=self.rationale())


class PostmortemDialog(ActionDialog):
    """Schedule the postmortem meeting."""

    HEADING = "Schedule the postmortem"
    SUBMIT = "Schedule"

    def __init__(self, deadline: str) -> None:
        """Show the policy's postmortem ``deadline`` in words."""
        super().__init__()
        self.deadline = deadline

    def compose_form(self) -> ComposeResult:
        yield _field("When")
        yield Select(
            [(label, seconds) for label, seconds in POSTMORTEM_WITHIN],
            id="within",
            prompt="pick when",
            value=48 * 3600.0,
        )

    def help(self) -> RenderableType:
        return _section("Post-incident", Text(self.deadline))

    def build(self) -> cmd.SchedulePostmortem:
        within = _picked(self.query_one("#within", Select))
        if within is None:
            raise FormError("Pick when the postmortem meeting is.", "within")
        return cmd.SchedulePostmortem(within=within, rationale=self.rationale())


class NoteDialog(ActionDialog):
    """Write a timeline entry (the scribe's log)."""

    HEADING = "Add a note to the timeline"
    SUBMIT = "Add note"
    RATIONALE = False

    def compose_form(self) -> ComposeResult:
        yield _field("Note")
        yield Input(id="text", placeholder="what happened, what was decided", max_length=4000)

    def build(self) -> cmd.Note:
        text = self.query_one("#text", Input).value.strip()
        if not text:
            raise FormError("Write the note first.", "text")
        return cmd.Note(text=text)


# --------------------------------------------------------------------------- quit


class ConfirmQuit(ModalScreen[bool]):
    """Ask before leaving a running exercise."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape,n", "answer(False)", "Stay"),
        Binding("y", "answer(True)", "Leave"),
    ]

    def __init__(
        self,
        question: str = "Leave the exercise?",
        hint: str = "The journal keeps everything you did so far; "
        "`warroom resume` continues it later.",
    ) -> None:
        """Ask ``question`` with ``hint`` under it."""
        super().__init__()
        self.question = question
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-small"):
            yield Label(self.question, id="dialog-title", markup=False)
            yield Label(self.hint, classes="hint", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Yes (y)", id="yes", variant="error", compact=True)
                yield Button("No (n)", id="no", variant="primary", compact=True)

    def action_answer(self, leave: bool) -> None:
        """Dismiss with the answer."""
        self.dismiss(leave)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
