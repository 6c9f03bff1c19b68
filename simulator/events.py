"""Typed, frozen events: everything the engine says happened, in sim-time order.

Subscribers (the journal, the TUI bridge, the live assessor, the autopilot) receive these in
order. Each has a stable JSON form (``to_dict``/``event_from_dict``) used by the journal, so the
same run always produces the same bytes. Events are plain data: they never hold SimPy objects
and this module must not import the engine or the screen.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Event:
    """Base of all events: ``t`` is sim seconds from scenario start."""

    kind: ClassVar[str] = "event"
    t: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"t": …, "kind": …, fields…}`` in declaration order."""
        out: dict[str, Any] = {"t": self.t, "kind": self.kind}
        for name in _FIELD_NAMES[type(self)]:
            out[name] = getattr(self, name)
        return out


@dataclass(frozen=True, slots=True)
class ScenarioStarted(Event):
    """The exercise began."""

    kind: ClassVar[str] = "scenario_started"
    scenario: str
    title: str
    start: str
    """In-world start time, ISO 8601 UTC."""


@dataclass(frozen=True, slots=True)
class MetricsSampled(Event):
    """Every metric's value at one sample time."""

    kind: ClassVar[str] = "metrics"
    values: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class MetricHistory(Event):
    """What metrics did before T+0 (sent once, at the start, when the scenario says)."""

    kind: ClassVar[str] = "metric_history"
    series: Mapping[str, list[list[float]]]
    """Metric id → ``[seconds (negative), value]`` points in time order."""


@dataclass(frozen=True, slots=True)
class AlertPending(Event):
    """An alert's condition holds; it fires if it still holds after ``for``."""

    kind: ClassVar[str] = "alert_pending"
    alert: str
    value: float


@dataclass(frozen=True, slots=True)
class AlertFiring(Event):
    """An alert fired."""

    kind: ClassVar[str] = "alert_firing"
    alert: str
    severity: str
    value: float
    summary: str


@dataclass(frozen=True, slots=True)
class AlertResolved(Event):
    """A firing (or pending) alert's condition stopped holding."""

    kind: ClassVar[str] = "alert_resolved"
    alert: str
    value: float
    fired: bool
    """Whether it had fired (``false``: a pending alert that never fired)."""


@dataclass(frozen=True, slots=True)
class InjectDelivered(Event):
    """A scenario or ad-hoc inject reached the trainee."""

    kind: ClassVar[str] = "inject"
    inject: str | None
    """Inject id; ``None`` for an ad-hoc inject."""
    sender: str
    channel: str
    text: str
    source: str
    """``scheduled``, ``condition`` or ``facilitator``."""


@dataclass(frozen=True, slots=True)
class Message(Event):
    """Something a simulated person or tool says (page acks, responders)."""

    kind: ClassVar[str] = "message"
    sender: str
    channel: str
    text: str


@dataclass(frozen=True, slots=True)
class ActionAccepted(Event):
    """A command was accepted and applied."""

    kind: ClassVar[str] = "action"
    by: str
    """``trainee`` or ``facilitator``."""
    command: Mapping[str, Any]
    """The command's JSON form, ``{"do": …, fields…}``."""


@dataclass(frozen=True, slots=True)
class ActionRejected(Event):
    """A command was rejected; nothing changed."""

    kind: ClassVar[str] = "rejected"
    by: str
    command: Mapping[str, Any]
    reason: str


@dataclass(frozen=True, slots=True)
class ResponderJoined(Event):
    """A paged responder joined the incident."""

    kind: ClassVar[str] = "responder_joined"
    responder: str
    name: str


@dataclass(frozen=True, slots=True)
class DiagnosticStarted(Event):
    """Someone started running a diagnostic."""

    kind: ClassVar[str] = "diagnostic_started"
    diagnostic: str
    by: str
    """Responder id, or ``ic`` when the trainee runs it."""
    eta: float


@dataclass(frozen=True, slots=True)
class DiagnosticResult(Event):
    """A diagnostic's output came back."""

    kind: ClassVar[str] = "diagnostic_result"
    diagnostic: str
    by: str
    text: str
    reveals: tuple[str, ...]
    """Faults this output identifies as the cause."""


@dataclass(frozen=True, slots=True)
class FindingRevealed(Event):
    """A diagnostic's result established a finding for the first time (format 2 ``finds``)."""

    kind: ClassVar[str] = "finding_revealed"
    finding: str
    diagnostic: str
    by: str


@dataclass(frozen=True, slots=True)
class PreconditionUnmet(Event):
    """An action went ahead although its precondition did not hold (``unmet: proceed``).

    A refused action is an ``ActionRejected`` whose reason says what was unmet; this event is for
    the other case, so the grader and the debrief see the stated consequence.
    """

    kind: ClassVar[str] = "precondition_unmet"
    action: str
    """``apply_mitigation`` or ``run_diagnostic``/``delegate``."""
    target: str
    """The mitigation or diagnostic id."""
    unmet: tuple[str, ...]
    """Each part of the precondition that did not hold, in words."""
    consequence: str
    started: tuple[str, ...]
    """Faults it starts."""


@dataclass(frozen=True, slots=True)
class MitigationStarted(Event):
    """A mitigation is being applied."""

    kind: ClassVar[str] = "mitigation_started"
    mitigation: str
    eta: float


@dataclass(frozen=True, slots=True)
class MitigationFinished(Event):
    """A mitigation completed."""

    kind: ClassVar[str] = "mitigation_finished"
    mitigation: str
    cleared: tuple[str, ...]
    started: tuple[str, ...]
    outcome: str


@dataclass(frozen=True, slots=True)
class FaultStarted(Event):
    """A fault began."""

    kind: ClassVar[str] = "fault_started"
    fault: str
    title: str
    cause: str
    """``scheduled``, ``condition``, ``mitigation:ID`` or ``facilitator``."""


@dataclass(frozen=True, slots=True)
class FaultCleared(Event):
    """A fault stopped (its effects may fade over its recovery time)."""

    kind: ClassVar[str] = "fault_cleared"
    fault: str
    cause: str
    """``mitigation:ID`` or ``expired``."""


@dataclass(frozen=True, slots=True)
class ChainHalted(Event):
    """Online voting power fell below 2/3: no more blocks."""

    kind: ClassVar[str] = "chain_halted"
    online_power: float


@dataclass(frozen=True, slots=True)
class ChainResumed(Event):
    """Online voting power is back above 2/3: blocks resume."""

    kind: ClassVar[str] = "chain_resumed"
    online_power: float


@dataclass(frozen=True, slots=True)
class ScenarioEnded(Event):
    """The exercise ended."""

    kind: ClassVar[str] = "scenario_ended"
    reason: str
    """``completed`` (resolved and postmortem scheduled), ``time`` or ``facilitator``."""


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        ScenarioStarted,
        MetricsSampled,
        MetricHistory,
        AlertPending,
        AlertFiring,
        AlertResolved,
        InjectDelivered,
        Message,
        ActionAccepted,
        ActionRejected,
        ResponderJoined,
        DiagnosticStarted,
        DiagnosticResult,
        FindingRevealed,
        PreconditionUnmet,
        MitigationStarted,
        MitigationFinished,
        FaultStarted,
        FaultCleared,
        ChainHalted,
        ChainResumed,
        ScenarioEnded,
    )
}

_FIELD_NAMES: dict[type[Event], tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls) if f.name != "t")
    for cls in EVENT_TYPES.values()
}


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """Rebuild an event from its JSON form.

    Raises:
        ValueError: for an unknown kind or missing fields.
    """
    kind = data.get("kind")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"unknown event kind {kind!r}")
    try:
        kwargs = {name: data[name] for name in _FIELD_NAMES[cls]}
        t = float(data["t"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{kind} event is missing or has a bad field: {exc}") from None
    for name in ("reveals", "cleared", "started", "unmet"):
        if name in kwargs and isinstance(kwargs[name], list):
            kwargs[name] = tuple(kwargs[name])
    return cls(t, **kwargs)


def dumps(event: Event) -> str:
    """One journal line (no newline): compact, key order fixed, UTF-8 kept."""
    return json.dumps(event.to_dict(), separators=(",", ":"), ensure_ascii=False)
