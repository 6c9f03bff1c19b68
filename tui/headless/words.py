"""The console's words: what happened, said the way an Incident Commander says it.

People and roles by name, rotations, stakeholders and audiences by their labels, diagnostics
and mitigations by their titles, alert values with their metric's unit, and durations to the
second. The screens (timeline, dialogs, live score) take their labels from here so
that a role is called the same everywhere.

This module must not import Textual, and must not change ``simulator.transcript``: the
transcript of ``warroom run`` (and its golden files) keeps its compact, id-based lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator import events as ev
from simulator.durations import format_clock, format_duration
from simulator.model import Scenario
from simulator.people import ESCALATION_LABELS, STAKEHOLDER_LABELS
from simulator.text import visible
from simulator.transcript import describe
from tui.headless.views import format_value

ROLE_LABELS: dict[str, str] = {
    "ic": "Incident Commander (IC)",
    "scribe": "Scribe",
    "comms_lead": "Communications lead",
    "tech_lead": "Technical lead",
}
"""The incident roles, as the assign-role form and the timeline name them."""

ROLE_SHORT: dict[str, str] = {
    "ic": "IC",
    "scribe": "Scribe",
    "comms_lead": "Comms",
    "tech_lead": "Tech lead",
}
"""The roles in a narrow column (the Incident panel)."""

AUDIENCE_LABELS: dict[str, str] = {
    "incident": "Incident channel",
    "stakeholders": "Stakeholders",
    "status_page": "Status page (customers)",
}
"""Where an update is posted."""


class Words:
    """Names for one scenario's ids, and sentences for its events."""

    def __init__(self, scenario: Scenario, trainee: str) -> None:
        """Learn ``scenario``'s people, diagnostics, mitigations and alert units."""
        self.trainee = trainee
        self.people = {r.id: r.name for r in scenario.responders}
        self.diagnostics = {d.id: d.title for d in scenario.diagnostics}
        self.mitigations = {m.id: m.label for m in scenario.mitigations}
        units = {metric: unit for metric, (_, unit) in scenario.metric_ids().items()}
        self.alert_units = {a.id: units.get(a.metric, "") for a in scenario.alerts}

    def person(self, key: str) -> str:
        """A responder's name, ``you`` for the trainee, or the key itself."""
        if key in ("me", "ic"):
            return "you"
        return self.people.get(key, key)

    def target(self, key: str) -> str:
        """A page or escalation target: a rotation or role by its label, a person by name."""
        return ESCALATION_LABELS.get(key) or self.person(key)

    def value(self, alert: str, value: float) -> str:
        """An alert's value with its metric's unit: ``11.6%``, ``1,512 ms``."""
        return format_value(value, self.alert_units.get(alert, ""))

    def command(self, data: Mapping[str, Any]) -> str:
        """What a command does, in a sentence (without its rationale or text)."""
        do = str(data.get("do", "?"))
        g = data.get
        match do:
            case "acknowledge":
                return f"acknowledged {g('alert')}"
            case "classify":
                return f"classified the incident as {g('severity')}"
            case "declare":
                title = g("title")
                return f"declared the incident: {title}" if title else "declared the incident"
            case "create_channel":
                return f"opened {g('name')}"
            case "assign_role":
                role = ROLE_LABELS.get(str(g("role")), str(g("role")))
                if g("person") == "me":
                    return f"took the {role} role yourself"
                return f"made {self.person(str(g('person')))} {role}"
            case "handoff_ic":
                return f"handed incident command to {self.person(str(g('to')))}"
            case "page":
                return f"paged {self.target(str(g('target')))}"
            case "escalate":
                reason = g("reason")
                why = f" ({reason})" if reason else ""
                return f"escalated to {self.target(str(g('to')))}{why}"
            case "notify":
                who = STAKEHOLDER_LABELS.get(str(g("stakeholder")), str(g("stakeholder")))
                return f"notified {who}"
            case "post_update":
                where = AUDIENCE_LABELS.get(str(g("audience")), str(g("audience")))
                return f"posted an update to {where} ({str(g('status')).capitalize()})"
            case "run_diagnostic":
                return f"ran {self._diagnostic(g('diagnostic'))} yourself (heads-down)"
            case "delegate":
                who = self.person(str(g("responder")))
                return f"asked {who} to run {self._diagnostic(g('diagnostic'))}"
            case "apply_mitigation":
                return f"applied: {self.mitigations.get(str(g('mitigation')), g('mitigation'))}"
            case "resolve":
                return "declared the incident resolved"
            case "schedule_postmortem":
                within = g("within")
                return "scheduled the postmortem" + (
                    f" within {format_duration(float(within))}"
                    if isinstance(within, int | float)
                    else f" within {within}"
                    if within
                    else ""
                )
            case "note":
                return "noted"
        return do.replace("_", " ")

    def _diagnostic(self, key: object) -> str:
        return self.diagnostics.get(str(key), str(key))

    def event(self, event: ev.Event) -> tuple[str, str] | None:
        """``(category, text)`` for the timeline, or ``None`` for events not shown.

        Control characters from data are written out visibly (``simulator.text.visible``).
        """
        said = self._event(event)
        if said is None:
            return None
        return visible(said[0], multiline=False), visible(said[1])

    def _event(self, event: ev.Event) -> tuple[str, str] | None:
        if isinstance(event, ev.AlertPending):
            return "ALERT", f"{event.alert} pending ({self.value(event.alert, event.value)})"
        if isinstance(event, ev.AlertResolved):
            shown = self.value(event.alert, event.value)
            if not event.fired:
                return "ALERT", f"{event.alert} no longer pending ({shown})"
            return "ALERT", f"{event.alert} resolved ({shown})"
        if isinstance(event, ev.ActionAccepted | ev.ActionRejected):
            return self._action(event)
        if isinstance(event, ev.DiagnosticStarted):
            who = "you (heads-down)" if event.by == "ic" else self.person(event.by)
            what = self._diagnostic(event.diagnostic)
            return "DIAG", f"{what}: started by {who}, back at {format_clock(event.eta)}"
        if isinstance(event, ev.DiagnosticResult):
            who = "your" if event.by == "ic" else f"{self.person(event.by)}'s"
            what = self._diagnostic(event.diagnostic)
            return "DIAG", f"{who} result of {what}:\n{event.text.rstrip()}"
        if isinstance(event, ev.MitigationStarted):
            what = self.mitigations.get(event.mitigation, event.mitigation)
            return "MITIGATE", f"{what}: started, done at {format_clock(event.eta)}"
        if isinstance(event, ev.MitigationFinished):
            what = self.mitigations.get(event.mitigation, event.mitigation)
            return "MITIGATE", f"{what}: finished, {event.outcome}"
        return describe(event)

    def _action(self, event: ev.ActionAccepted | ev.ActionRejected) -> tuple[str, str]:
        data = event.command
        line = self.command(data)
        text = data.get("text")
        if text:
            line += f"\n{text}"
        rationale = data.get("rationale")
        if rationale:
            line += f'\nwhy: "{rationale}"'
        who = "IC" if event.by == "trainee" else "FACILITATOR"
        if isinstance(event, ev.ActionRejected):
            return f"{who} ✗", f"{line}\nrejected: {event.reason}"
        return who, line
