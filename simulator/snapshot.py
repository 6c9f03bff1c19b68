"""The engine's read model: one frozen picture of a running exercise at a sim time.

``Engine.snapshot()`` copies what the screens and the headless session show (clock, severity,
status, roles, alerts, responders, channel, latest metric values, the incident's facts and the
commands accepted so far) into the frozen values defined here, so a reader never holds the
engine's mutable state and cannot change it. Pairs stand in for mappings (``roles``,
``paged`` …) so a snapshot is immutable all the way down; small methods look them up.

This module only defines the values; it must not import the engine (which builds them) or
anything that draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simulator.commands import Command

Status = Literal["detecting", "declared", "mitigating", "resolved"]
"""Where the incident stands: ``detecting`` → ``declared`` → ``mitigating`` → ``resolved``."""


@dataclass(frozen=True, slots=True)
class AlertSnapshot:
    """One alert rule and where it stands."""

    id: str
    state: str
    """``inactive``, ``pending``, ``firing``, ``acknowledged`` or ``resolved``."""
    fired_at: float | None
    """When it first fired (stays set after it resolves)."""
    resolved_at: float | None
    """When it last stopped firing."""
    unrelated: bool = False
    """Whether the scenario calls it unrelated (noise): it never starts the incident."""


@dataclass(frozen=True, slots=True)
class ResponderSnapshot:
    """A simulated person: who they are and what they are doing."""

    id: str
    name: str
    role: str
    skills: tuple[str, ...]
    rotation: str | None
    joined: bool
    """Whether they are in the incident."""
    paged: bool
    """Whether they were paged (or reached through an escalation)."""
    busy_with: str
    """The diagnostic they are running, or ``""`` when free."""
    busy_until: float


def incident_start(first_alert: float | None, first_inject: float | None) -> float | None:
    """The one rule for when an incident starts for the trainee: the first alert of the
    incident that fired (``first_alert``: alerts the scenario calls unrelated are noise and
    never count), else the first inject delivered; ``None`` while neither has happened. The
    assessor measures its clocks from it and the screens fill templates with it."""
    return first_alert if first_alert is not None else first_inject


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The exercise at sim time ``t``, as the trainee and the facilitator may see it."""

    t: float
    """Sim seconds from scenario start."""
    world: str
    """In-world time, ``HH:MM:SS``."""
    ended: str | None
    """Why the exercise ended, or ``None`` while it runs."""
    severity: str | None
    title: str | None
    declared_at: float | None
    channel: str | None
    roles: tuple[tuple[str, str], ...]
    """(role, person) in the order the roles were first given; ``me`` is the trainee."""
    paged: tuple[tuple[str, float], ...]
    """(rotation or responder id, when) of each page."""
    escalations: tuple[tuple[float, str], ...]
    """(when, to whom) of each escalation."""
    notified: tuple[tuple[str, tuple[float, ...]], ...]
    """(stakeholder, every time they were notified)."""
    updates: tuple[tuple[float, str, str], ...]
    """(when, audience, status) of each update."""
    resolved_at: float | None
    postmortem_at: float | None
    ic_task: str
    """What the IC last ran personally (``""`` once it is done)."""
    ic_busy_until: float
    root_cause_found_at: float | None
    mitigations_applied: tuple[tuple[str, float], ...]
    """(mitigation id, when it completed)."""
    mitigations_running: tuple[tuple[str, float], ...]
    """(mitigation id, when it completes)."""
    alerts: tuple[AlertSnapshot, ...]
    """Every alert rule, in the scenario's order."""
    responders: tuple[ResponderSnapshot, ...]
    """Every responder, in the scenario's order."""
    metrics: tuple[tuple[str, float], ...]
    """(metric id, latest sampled value)."""
    active_faults: tuple[str, ...]
    """Faults that have started and not cleared."""
    delivered: tuple[tuple[str, float], ...]
    """(inject id, when) of each inject delivered."""
    actions: tuple[tuple[float, Command], ...]
    """(when, command) of every accepted command, trainee's and facilitator's."""

    def role(self, role: str) -> str | None:
        """Who holds ``role`` (``me`` for the trainee), or ``None``."""
        return next((person for r, person in self.roles if r == role), None)

    def metric(self, metric: str) -> float | None:
        """The latest value of ``metric``, or ``None`` before it was sampled."""
        return next((value for m, value in self.metrics if m == metric), None)

    @property
    def incident_start(self) -> float | None:
        """When the incident started for the trainee (``incident_start``), or ``None`` before."""
        fired = [a.fired_at for a in self.alerts if a.fired_at is not None and not a.unrelated]
        delivered = [t for _, t in self.delivered]
        return incident_start(min(fired, default=None), min(delivered, default=None))

    @property
    def status(self) -> Status:
        """``detecting`` → ``declared`` → ``mitigating`` → ``resolved``."""
        if self.resolved_at is not None:
            return "resolved"
        if self.mitigations_running or self.mitigations_applied:
            return "mitigating"
        if self.declared_at is not None:
            return "declared"
        return "detecting"

    @property
    def ic_busy_with(self) -> str:
        """The diagnostic the IC is running personally now, or ``""``."""
        return self.ic_task if self.t < self.ic_busy_until else ""

    @property
    def last_incident_update(self) -> float | None:
        """When the last incident-channel update was posted, or ``None``."""
        times = [t for t, audience, _ in self.updates if audience == "incident"]
        return times[-1] if times else None
