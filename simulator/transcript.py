"""Human-readable lines for events: the transcript of ``warroom run`` and the channel timeline.

Pure formatting: takes events, returns text; text from the scenario, the journal and people is
shown with ``simulator.text.visible`` (no control character reaches a terminal). It must not
run the engine or know the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from simulator import events as ev
from simulator.commands import AIMED
from simulator.durations import format_clock, format_duration
from simulator.text import visible

_CHANNEL = {
    "incident": "CHANNEL",
    "pager": "PAGER",
    "support": "SUPPORT",
    "dm": "DM",
    "status_page": "STATUS",
    "sre_team": "SRE-TEAM",
}


def describe(event: ev.Event) -> tuple[str, str] | None:
    """``(category, text)`` for one event, or ``None`` for events not shown (metric samples)."""
    if isinstance(event, ev.MetricsSampled | ev.MetricHistory):
        return None
    if isinstance(event, ev.ScenarioStarted):
        return "START", f"{event.title} ({event.scenario})"
    if isinstance(event, ev.AlertPending):
        return "ALERT", f"{event.alert} pending (value {event.value:g})"
    if isinstance(event, ev.AlertFiring):
        return "ALERT", f"{event.alert} FIRING [{event.severity}]: {event.summary}"
    if isinstance(event, ev.AlertResolved):
        if not event.fired:
            return "ALERT", f"{event.alert} no longer pending (value {event.value:g})"
        return "ALERT", f"{event.alert} resolved (value {event.value:g})"
    if isinstance(event, ev.InjectDelivered):
        origin = " (facilitator)" if event.source == "facilitator" else ""
        if event.to is not None:
            origin = f" (facilitator, to {event.to} only)"
        return _CHANNEL.get(
            event.channel, event.channel.upper()
        ), f"{event.sender}{origin}: {event.text}"
    if isinstance(event, ev.Message):
        return _CHANNEL.get(event.channel, event.channel.upper()), f"{event.sender}: {event.text}"
    if isinstance(event, ev.ActionAccepted | ev.ActionRejected):
        return _action(event)
    if isinstance(event, ev.ResponderJoined):
        return "TEAM", f"{event.name} joined the incident"
    if isinstance(event, ev.DiagnosticStarted):
        who = "you (IC, heads-down)" if event.by == "ic" else event.by
        return "DIAG", f"{event.diagnostic} started by {who}, back at {format_clock(event.eta)}"
    if isinstance(event, ev.DiagnosticResult):
        who = "your" if event.by == "ic" else f"{event.by}'s"
        return "DIAG", f"{who} {event.diagnostic} result:\n{event.text.rstrip()}"
    if isinstance(event, ev.ResponderLeft):
        vacant = f" ({', '.join(event.roles)} now vacant)" if event.roles else ""
        return "TEAM", f"{event.name} left the incident{vacant}"
    if isinstance(event, ev.FindingRevealed):
        return "DIAG", f"finding: {event.finding} (from {event.diagnostic})"
    if isinstance(event, ev.PreconditionUnmet):
        started = f" (starts {', '.join(event.started)})" if event.started else ""
        return "PRECOND", (
            f"{event.target} went ahead unmet: {'; '.join(event.unmet)}{started}\n"
            f"consequence: {event.consequence}"
        )
    if isinstance(event, ev.MitigationStarted):
        return "MITIGATE", f"{event.mitigation} started, done at {format_clock(event.eta)}"
    if isinstance(event, ev.MitigationFinished):
        return "MITIGATE", f"{event.mitigation} finished: {event.outcome}"
    if isinstance(event, ev.FaultStarted):
        return "FAULT", f"{event.fault} started ({event.cause}): {event.title}"
    if isinstance(event, ev.FaultCleared):
        return "FAULT", f"{event.fault} cleared ({event.cause})"
    if isinstance(event, ev.ChainHalted):
        return "CHAIN", f"chain HALTED: online voting power {event.online_power:g}% < 66.7%"
    if isinstance(event, ev.ChainResumed):
        return "CHAIN", f"chain producing blocks again: online voting power {event.online_power:g}%"
    if isinstance(event, ev.ScenarioEnded):
        return "END", {
            "completed": "resolved and postmortem scheduled",
            "time": "time is up",
            "facilitator": "ended by the facilitator",
        }.get(event.reason, event.reason)
    return event.kind.upper(), str(event.to_dict())


PACE = frozenset({"set_pace", "jump_ahead"})
"""Pace presses: who pressed them is journalled; they are shown in words, never as decisions."""


def pace_words(command: Mapping[str, object]) -> str:
    """A pace press in words: ``paused``, ``speed 10x``, ``jumped 1 minute``."""
    do = command.get("do")
    if do == "jump_ahead":
        seconds = command.get("seconds")
        try:
            amount = _in_words(float(seconds))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            amount = str(seconds)
        return f"jumped {amount}"
    speed = command.get("speed")
    try:
        pace = f"{float(speed):g}x"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        pace = str(speed)
    if command.get("paused") is True:
        return "paused"
    return f"speed {pace}"


def _in_words(seconds: float) -> str:
    """A jump's length as people say it: ``1 minute``, ``2 hours``, ``90 seconds``."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    if seconds == int(seconds):
        n = int(seconds)
        return f"{n} second{'s' if n != 1 else ''}"
    return format_duration(seconds)


def _action(event: ev.ActionAccepted | ev.ActionRejected) -> tuple[str, str]:
    data = dict(event.command)
    if data.get("do") in PACE:
        who = "PACE" if event.by == "trainee" else "FACILITATOR"
        return who, pace_words(data)
    if data.get("do") == "seat_roles":
        roles = ", ".join(str(r) for r in data.get("roles", ()))
        return "HOST", f"{data.get('person')} in the {data.get('seat')} seat holds {roles}"
    do = str(data.pop("do", "?"))
    rationale = data.pop("rationale", None)
    text = data.pop("text", None)
    to = data.pop("to", None) if do in AIMED else None
    if do == "schedule_postmortem" and "within" in data:
        data["within"] = f"within {data['within']}"
    line = " ".join([do.replace("_", " "), *(str(v) for v in data.values())])
    if to is not None:
        line += f" to {to} only"
    if text:
        line += f"\n{text}"
    if rationale:
        line += f'\nrationale: "{rationale}"'
    who = "IC" if event.by == "trainee" else "FACILITATOR"
    if event.seat is not None:
        who = event.seat.upper()
    if event.person is not None:
        line = f"{event.person}: {line}"
    if isinstance(event, ev.ActionRejected):
        return f"{who} ✗", f"{line}\nrejected: {event.reason}"
    return who, line


def format_line(event: ev.Event, start: datetime) -> str | None:
    """One transcript entry: sim clock, in-world clock, category, text (continuations indented)."""
    described = describe(event)
    if described is None:
        return None
    category, text = visible(described[0], multiline=False), visible(described[1])
    clock = (start + timedelta(seconds=event.t)).strftime("%H:%M:%S")
    head = f"{format_clock(event.t):>10}  {clock}  {category:<11} "
    lines = text.splitlines() or [""]
    pad = " " * len(head)
    return head + lines[0] + "".join(f"\n{pad}{rest}" for rest in lines[1:])


def printer(start: datetime, write: Callable[[str], object]) -> Callable[[ev.Event], None]:
    """A subscriber that writes each shown event as a transcript entry."""

    def show(event: ev.Event) -> None:
        line = format_line(event, start)
        if line is not None:
            write(line)

    return show


def transcript(events: Iterable[ev.Event], start: datetime) -> str:
    """The whole transcript of a run, one entry per shown event."""
    return "\n".join(x for x in (format_line(e, start) for e in events) if x is not None) + "\n"


__all__ = [
    "PACE",
    "describe",
    "format_duration",
    "format_line",
    "pace_words",
    "printer",
    "transcript",
]
