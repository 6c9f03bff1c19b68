"""Difficulty measures: what makes a scenario hard, counted, and the level it adds up to.

Concurrent faults, red herrings, how soon things get worse on their own and facilitator
injects each earn points (the README's difficulty table); the total gives ``beginner``,
``intermediate`` or ``advanced``, and a declared difficulty that disagrees is a warning. This
module must not play the scenario (it reads an idle play's events).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assessments.lint.findings import Finding, finding_at
from simulator import events as ev
from simulator.durations import format_duration
from simulator.model import Scenario
from simulator.yamlio import Document

__all__ = [
    "DIFFICULTY_POINTS",
    "LEVEL_POINTS",
    "WORSE_POINTS",
    "difficulty_finding",
    "difficulty_measures",
]

DIFFICULTY_POINTS: dict[str, tuple[tuple[float, int], ...]] = {
    "concurrent_faults": ((3, 2), (2, 1)),
    "red_herrings": ((3, 2), (2, 1)),
    "facilitator_injects": ((3, 2), (2, 1)),
}
"""Points per measure: the first (at least, points) pair that applies."""

WORSE_POINTS: tuple[tuple[float, int], ...] = ((10 * 60, 2), (20 * 60, 1))
"""Points for how soon things get worse on their own: (within seconds, points)."""

LEVEL_POINTS: tuple[tuple[int, str], ...] = ((5, "advanced"), (2, "intermediate"), (0, "beginner"))
"""Total points from which a level applies."""


def difficulty_measures(scenario: Scenario, idle_events: Iterable[ev.Event]) -> dict[str, Any]:
    """The measurable difficulty of a scenario and the level it adds up to.

    Args:
        scenario: The scenario.
        idle_events: The events of a play in which nobody acts (what the scenario does alone).

    Returns:
        ``concurrent_faults`` (most faults active at once when nobody acts), ``red_herrings``
        (diagnostics marked ``red_herring``), ``worse_after_s`` (from the first firing alert to
        the first fault that starts on its own after it; ``None`` for never),
        ``facilitator_injects`` (manual injects), ``points`` and ``level``.
    """
    active: set[str] = set()
    most = 0
    first_alert: float | None = None
    worse: float | None = None
    for e in idle_events:
        if isinstance(e, ev.AlertFiring) and first_alert is None:
            first_alert = e.t
        elif isinstance(e, ev.FaultStarted):
            active.add(e.fault)
            most = max(most, len(active))
            if first_alert is not None and worse is None and e.t > first_alert:
                worse = e.t - first_alert
        elif isinstance(e, ev.FaultCleared):
            active.discard(e.fault)
    measures: dict[str, Any] = {
        "concurrent_faults": most,
        "red_herrings": sum(1 for d in scenario.diagnostics if d.red_herring),
        "worse_after_s": worse,
        "facilitator_injects": sum(1 for x in scenario.injects if x.manual),
    }
    points = 0
    for key, table in DIFFICULTY_POINTS.items():
        points += next((p for least, p in table if measures[key] >= least), 0)
    if worse is not None:
        points += next((p for within, p in WORSE_POINTS if worse <= within), 0)
    measures["points"] = points
    measures["level"] = next(name for least, name in LEVEL_POINTS if points >= least)
    return measures


def difficulty_finding(
    scenario: Scenario, doc: Document, measures: dict[str, Any]
) -> Finding | None:
    """A warning when the declared difficulty is not the level the measures add up to."""
    m = measures
    if m["level"] == scenario.difficulty:
        return None
    return finding_at(
        doc,
        ("difficulty",),
        "warning",
        "difficulty-mismatch",
        f"declared {scenario.difficulty} but measures as {m['level']} (points "
        f"{m['points']}: {m['concurrent_faults']} concurrent faults, "
        f"{m['red_herrings']} red herrings, worse after "
        f"{_minutes(m['worse_after_s'])}, {m['facilitator_injects']} facilitator "
        "injects; see the README's difficulty table)",
    )


def _minutes(seconds: float | None) -> str:
    return "never" if seconds is None else format_duration(seconds)
