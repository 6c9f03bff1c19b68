"""The facts grading needs, gathered from an exercise's events in one pass.

``gather`` reads the trainee's accepted and rejected actions and what the simulation did
(alerts, faults, diagnostics, mitigations, injects, the end) into a ``Facts``: first times,
who was paged, the updates posted, when the system was healthy, and where the incident
started. This module must not judge anything against the policy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assessments.assessor.results import RejectedAction
from simulator import events as ev
from simulator.durations import parse_duration
from simulator.people import person_key
from simulator.snapshot import incident_start


@dataclass
class Facts:
    """Everything grading needs, gathered in one pass over the events."""

    first_alert: str | None = None
    """The first alert that fired."""
    first_alert_t: float | None = None
    """When it fired."""
    first_inject_t: float | None = None
    """When the first inject was delivered."""
    last_t: float = 0.0
    """The time of the last event (metric samples aside)."""
    ended_at: float | None = None
    """When the scenario ended; ``None`` for a record that stops early."""
    acks: dict[str, list[float]] = field(default_factory=dict)
    """Acknowledgement times per alert."""
    classified: list[tuple[float, str]] = field(default_factory=list)
    """(time, level) of every classification."""
    declared_at: float | None = None
    """When the incident was first declared."""
    channel: tuple[float, str] | None = None
    """(time, name) of the first channel created."""
    roles: dict[str, tuple[float, str]] = field(default_factory=dict)
    """Each role's first assignment: (time, person)."""
    pages: list[tuple[float, str]] = field(default_factory=list)
    """(time, target) of every page, targets as ``target_key`` gives them."""
    escalations: list[tuple[float, str]] = field(default_factory=list)
    """(time, target) of every escalation."""
    notified: dict[str, float] = field(default_factory=dict)
    """When each stakeholder was first notified."""
    updates: list[tuple[float, str, str]] = field(default_factory=list)
    """(time, audience, status) of every update posted."""
    resolved_at: float | None = None
    """When ``resolve`` was first accepted."""
    postmortem: tuple[float, float] | None = None
    """(time, within seconds) of the first postmortem scheduled (unreadable ``within``: inf)."""
    notes: int = 0
    """Timeline notes taken."""
    ic_diagnostics: list[tuple[float, str]] = field(default_factory=list)
    """(time, diagnostic) of every diagnostic the IC ran personally."""
    mitigations_started: list[tuple[float, str]] = field(default_factory=list)
    """(time, mitigation) of every mitigation started."""
    finished: list[ev.MitigationFinished] = field(default_factory=list)
    """Every mitigation that completed, with what it cleared and started."""
    root_found_at: float | None = None
    """When a diagnostic first revealed a root-cause fault."""
    healthy_since: float | None = 0.0
    """Since when no alert has fired and no root cause is active; ``None`` while broken."""
    ever_broken: bool = False
    """Whether anything was ever broken."""
    firing: dict[str, None] = field(default_factory=dict)
    """Alerts firing now (insertion-ordered set)."""
    active_root: dict[str, None] = field(default_factory=dict)
    """Root-cause faults active now (insertion-ordered set)."""
    at_resolve: tuple[float | None, tuple[str, ...], tuple[str, ...]] | None = None
    """(healthy since, alerts firing, root-cause faults active) when ``resolve`` was accepted."""
    rejected: list[RejectedAction] = field(default_factory=list)
    """The trainee's actions the simulator refused."""
    levels_seen: set[str] = field(default_factory=set)
    """Every level the trainee classified with."""

    @property
    def started(self) -> bool:
        """Whether the incident has started: an alert fired or an inject arrived."""
        return self.first_alert_t is not None or self.first_inject_t is not None

    @property
    def incident_start(self) -> float:
        """When the incident started for the trainee: the first alert that fired, else the
        first inject delivered, else 0 (the start of the exercise)."""
        start = incident_start(self.first_alert_t, self.first_inject_t)
        return 0.0 if start is None else start


def gather(events: Iterable[ev.Event], root: frozenset[str]) -> Facts:
    """The facts of an event list, in one pass (metric samples are skipped).

    Args:
        events: The exercise's events in order.
        root: The scenario's root-cause fault ids (recovery is judged on them and the alerts).
    """
    f = Facts()

    def health(t: float) -> None:
        broken = bool(f.firing or f.active_root)
        if broken:
            f.healthy_since = None
            f.ever_broken = True
        elif f.healthy_since is None:
            f.healthy_since = t

    for e in events:
        kind = e.kind
        if kind == "metrics":
            continue
        f.last_t = e.t
        if kind == "action":
            assert isinstance(e, ev.ActionAccepted)
            if e.by == "trainee":
                _action(f, e.t, e.command)
                if e.command.get("do") == "resolve" and f.at_resolve is None:
                    f.at_resolve = (f.healthy_since, tuple(f.firing), tuple(f.active_root))
        elif kind == "alert_firing":
            assert isinstance(e, ev.AlertFiring)
            if f.first_alert is None:
                f.first_alert, f.first_alert_t = e.alert, e.t
            f.firing[e.alert] = None
            health(e.t)
        elif kind == "alert_resolved":
            assert isinstance(e, ev.AlertResolved)
            f.firing.pop(e.alert, None)
            health(e.t)
        elif kind == "fault_started":
            assert isinstance(e, ev.FaultStarted)
            if e.fault in root:
                f.active_root[e.fault] = None
                health(e.t)
        elif kind == "fault_cleared":
            assert isinstance(e, ev.FaultCleared)
            if e.fault in root:
                f.active_root.pop(e.fault, None)
                health(e.t)
        elif kind == "diagnostic_result":
            assert isinstance(e, ev.DiagnosticResult)
            if f.root_found_at is None and any(x in root for x in e.reveals):
                f.root_found_at = e.t
        elif kind == "diagnostic_started":
            assert isinstance(e, ev.DiagnosticStarted)
            if e.by == "ic":
                f.ic_diagnostics.append((e.t, e.diagnostic))
        elif kind == "mitigation_started":
            assert isinstance(e, ev.MitigationStarted)
            f.mitigations_started.append((e.t, e.mitigation))
        elif kind == "mitigation_finished":
            assert isinstance(e, ev.MitigationFinished)
            f.finished.append(e)
        elif kind == "inject":
            if f.first_inject_t is None:
                f.first_inject_t = e.t
        elif kind == "rejected":
            assert isinstance(e, ev.ActionRejected)
            if e.by == "trainee":
                f.rejected.append(RejectedAction(e.t, _describe(e.command), e.reason))
        elif kind == "scenario_ended":
            f.ended_at = e.t
    return f


def _action(f: Facts, t: float, command: Mapping[str, Any]) -> None:
    do = command.get("do")
    if do == "acknowledge":
        f.acks.setdefault(str(command.get("alert")), []).append(t)
    elif do == "classify":
        level = str(command.get("severity"))
        f.classified.append((t, level))
        f.levels_seen.add(level)
    elif do == "declare":
        if f.declared_at is None:
            f.declared_at = t
    elif do == "create_channel":
        if f.channel is None:
            f.channel = (t, str(command.get("name")))
    elif do == "assign_role":
        role = str(command.get("role"))
        if role not in f.roles:
            f.roles[role] = (t, str(command.get("person")))
    elif do == "page":
        f.pages.append((t, target_key(command.get("target"))))
    elif do == "escalate":
        f.escalations.append((t, target_key(command.get("to"))))
    elif do == "notify":
        f.notified.setdefault(str(command.get("stakeholder")), t)
    elif do == "post_update":
        f.updates.append((t, str(command.get("audience")), str(command.get("status"))))
    elif do == "resolve":
        if f.resolved_at is None:
            f.resolved_at = t
    elif do == "schedule_postmortem":
        if f.postmortem is None:
            within = command.get("within", 48 * 3600.0)
            try:
                seconds = parse_duration(within)
            except ValueError:
                seconds = math.inf
            f.postmortem = (t, seconds)
    elif do == "note":
        f.notes += 1


def target_key(value: object) -> str:
    """A page or escalation target as compared (``simulator.people.person_key``)."""
    return person_key(str(value or ""))


def _describe(command: Mapping[str, Any]) -> str:
    do = str(command.get("do", "?")).replace("_", " ")
    values = [str(v) for k, v in command.items() if k not in ("do", "rationale", "text", "reason")]
    return " ".join([do, *values])
