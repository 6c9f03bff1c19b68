"""Typed, frozen events: everything the engine says happened, in sim-time order.

Subscribers (the journal, the TUI bridge, the live assessor, the autopilot) receive these in
order. Each has a stable JSON form (``to_dict``/``event_from_dict``) used by the journal, so the
same run always produces the same bytes. Events are plain data: they never hold SimPy objects
and this module must not import the engine or the screen.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Mapping
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
            value = getattr(self, name)
            if value is None and name in SEAT_FIELDS:
                continue
            out[name] = value
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
    to: str | None = None
    """The one team role whose seats it went to (a facilitator's aimed inject); absent when it
    went to everyone."""


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
    person: str | None = None
    """Who sent it from a team seat (the name they joined with); absent for a single seat."""
    seat: str | None = None
    """The team seat it came from (``ic``, ``comms``, ``scribe``, ``tech``, ``facilitator``);
    absent for a single seat."""
    approved_by: str | None = None
    """Who approved it, for a command the roles table holds for the IC's approval (the
    technical lead's diagnostics and mitigations); absent otherwise."""


@dataclass(frozen=True, slots=True)
class ActionRejected(Event):
    """A command was rejected; nothing changed."""

    kind: ClassVar[str] = "rejected"
    by: str
    command: Mapping[str, Any]
    reason: str
    person: str | None = None
    """As for ``ActionAccepted``."""
    seat: str | None = None
    """As for ``ActionAccepted``."""
    approved_by: str | None = None
    """As for ``ActionAccepted``."""


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
    person: str | None = None
    """In a team game day, who ran it themselves (``by`` is ``ic``: the team, not a responder);
    absent for a single seat and for a responder's."""
    seat: str | None = None
    """The team seat of ``person`` (a ``tech`` seat's diagnostic is not the IC's); as
    ``person``."""


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
class ResponderLeft(Event):
    """A responder dropped out of the incident (an inject's ``leaves``)."""

    kind: ClassVar[str] = "responder_left"
    responder: str
    name: str
    roles: tuple[str, ...]
    """The roles they held, now vacant."""


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
        ResponderLeft,
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


SEAT_FIELDS = frozenset({"person", "seat", "approved_by", "to"})
"""Optional fields of team game days (who sent an action from which seat, who approved it, the
role an aimed inject went to, who ran a diagnostic themselves), written only when set: a journal of one trainee reads and writes
exactly as before team seats existed."""


MAX_TIME = 400 * 24 * 3600.0
"""The latest sim time an event may carry (the longest duration anything may last)."""
MAX_TEXT = 100_000
"""The longest text field of an event, in characters."""
MAX_ITEMS = 10_000
"""The most entries in an event's list or mapping (metric samples, revealed faults …)."""


def _text(kind: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{kind} event: {name} is text, not {_what(value)}")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{kind} event: {name} is over {MAX_TEXT} characters")
    return value


def _optional_text(kind: str, name: str, value: Any) -> str | None:
    return None if value is None else _text(kind, name, value)


def _number(kind: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{kind} event: {name} is a number, not {_what(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{kind} event: {name} is not a finite number")
    return value


def _time(kind: str, name: str, value: Any) -> float:
    number = _number(kind, name, value)
    if not 0 <= number <= MAX_TIME:
        raise ValueError(f"{kind} event: {name} is a sim time from 0 to {MAX_TIME:.0f} seconds")
    return number


def _flag(kind: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{kind} event: {name} is true or false, not {_what(value)}")
    return value


def _values(kind: str, name: str, value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ValueError(f"{kind} event: {name} is a mapping, not {_what(value)}")
    if len(value) > MAX_ITEMS:
        raise ValueError(f"{kind} event: {name} has over {MAX_ITEMS} entries")
    for k, v in value.items():
        if not isinstance(k, str) or len(k) > MAX_TEXT:
            _text(kind, f"{name} key", k)
        if type(v) is not float or not math.isfinite(v):
            _number(kind, f"{name}[{k!r}]", v)
    return value


def _mapping(kind: str, name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{kind} event: {name} is a mapping, not {_what(value)}")
    if len(value) > MAX_ITEMS:
        raise ValueError(f"{kind} event: {name} has over {MAX_ITEMS} entries")
    return value


def _names(kind: str, name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{kind} event: {name} is a list, not {_what(value)}")
    if len(value) > MAX_ITEMS:
        raise ValueError(f"{kind} event: {name} has over {MAX_ITEMS} entries")
    return tuple(_text(kind, f"{name}[{i}]", v) for i, v in enumerate(value))


def _series(kind: str, name: str, value: Any) -> dict[str, list[list[float]]]:
    """A metric history: metric → ``[seconds before T+0 (negative), value]`` points."""
    if not isinstance(value, dict):
        raise ValueError(f"{kind} event: {name} is a mapping, not {_what(value)}")
    if len(value) > MAX_ITEMS:
        raise ValueError(f"{kind} event: {name} has over {MAX_ITEMS} entries")
    out: dict[str, list[list[float]]] = {}
    for metric, points in value.items():
        where = f"{name}[{_text(kind, name, metric)!r}]"
        if not isinstance(points, list) or len(points) > MAX_ITEMS:
            raise ValueError(f"{kind} event: {where} is a list of [time, value] points")
        checked: list[list[float]] = []
        for point in points:
            if not isinstance(point, list) or len(point) != 2:
                raise ValueError(f"{kind} event: {where} has a point that is not [time, value]")
            t, v = _number(kind, where, point[0]), _number(kind, where, point[1])
            if not -MAX_TIME <= t <= 0:
                raise ValueError(f"{kind} event: {where} has a time after T+0 or too long before")
            checked.append([t, v])
        out[metric] = checked
    return out


def _what(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


_CHECKS: dict[str, Callable[[str, str, Any], Any]] = {
    "str": _text,
    "str | None": _optional_text,
    "float": _number,
    "bool": _flag,
    "Mapping[str, float]": _values,
    "Mapping[str, Any]": _mapping,
    "tuple[str, ...]": _names,
    "Mapping[str, list[list[float]]]": _series,
}
"""How each field type of the event models is checked when read back (by its annotation)."""

_TIMES = frozenset({"eta"})
"""Number fields that are sim times (checked like ``t``)."""

_FIELD_CHECKS: dict[type[Event], tuple[tuple[str, Callable[[str, str, Any], Any]], ...]] = {
    cls: tuple(
        (f.name, _time if f.name in _TIMES else _CHECKS[str(f.type)])
        for f in dataclasses.fields(cls)
        if f.name != "t"
    )
    for cls in EVENT_TYPES.values()
}


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """Rebuild an event from its JSON form, checking every field against the event's model.

    Raises:
        ValueError: for an unknown kind, a missing field, or a field of the wrong type or out
            of range; the message names the field.
    """
    if not isinstance(data, dict):
        raise ValueError(f"an event is a JSON object, not {_what(data)}")
    kind = data.get("kind")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None or not isinstance(kind, str):
        shown = repr(kind) if not isinstance(kind, str) or len(kind) <= 40 else repr(kind[:40])
        raise ValueError(f"unknown event kind {shown}")
    missing = [
        name for name, _ in _FIELD_CHECKS[cls] if name not in data and name not in SEAT_FIELDS
    ]
    if "t" not in data:
        missing.insert(0, "t")
    if missing:
        raise ValueError(f"{kind} event is missing {', '.join(map(repr, missing))}")
    t = float(_time(kind, "t", data["t"]))
    kwargs = {name: check(kind, name, data.get(name)) for name, check in _FIELD_CHECKS[cls]}
    return cls(t, **kwargs)


def dumps(event: Event) -> str:
    """One journal line (no newline): compact, key order fixed, UTF-8 kept."""
    return json.dumps(event.to_dict(), separators=(",", ":"), ensure_ascii=False)
