"""What every criterion looks at: the graded exercise's ``Context`` and a result builder.

A criterion is a function of a ``Context`` (scenario, policy, the level in force, the facts
gathered from the events, the incident's start and where the record stops, live or not) that
returns a ``CriterionResult`` built with ``result``. This module must not grade any criterion
itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from assessments.assessor.facts import Facts
from assessments.assessor.results import TITLES, CriterionResult, Status
from assessments.policy import Level, Policy
from simulator.durations import format_duration
from simulator.model import Scenario

EPS = 1e-6
"""Tolerance of every deadline comparison (a time equal to its limit is in time)."""

Cites = list[tuple[str, str]]
"""``(source, says)`` of the policy lines a criterion applies."""


@dataclass
class Context:
    """What every criterion looks at."""

    scenario: Scenario
    """The scenario played."""
    policy: Policy
    """The policy in force."""
    level: Level
    """The level the scenario calls for under the policy (never the trainee's)."""
    facts: Facts
    """What the events say."""
    start: float
    """The incident's start (``Facts.incident_start``): measured times run from it."""
    horizon: float
    """Where the record stops: the end of the exercise, ``now`` live, or the last event."""
    live: bool
    """Whether this is a running session's grade so far."""
    now: float | None
    """Sim time of a live grade; ``None`` otherwise."""
    incident_expected: bool
    """Whether the level is declared as an incident and the scenario says to declare."""
    started: bool = True
    """Whether the incident has started (an alert of the incident fired or an inject arrived)."""

    @property
    def incident(self) -> bool:
        """Whether incident criteria apply: the scenario is an incident at the level in force.

        Declaring a scenario that is not an incident does not make it one: that mistake is
        graded once, by ``severity_correct``."""
        return self.incident_expected

    def not_due(self, deadline_abs: float) -> bool:
        """A finished record that stopped before the deadline came: it is not due (not failed)."""
        return not self.live and self.horizon < deadline_abs - EPS

    def rel(self, t: float) -> float:
        """Seconds from incident start (never negative)."""
        return max(0.0, t - self.start)

    def ahead(self, deadline_abs: float | None) -> bool:
        """Live, and the deadline (``None``: the end of the exercise) has not passed yet."""
        if not self.live:
            return False
        if not self.started or deadline_abs is None:
            return True
        return (self.now or 0.0) <= deadline_abs + EPS

    def wall(self, t: float) -> datetime:
        """In-world time at sim time ``t``."""
        return self.scenario.start + timedelta(seconds=t)

    def clock(self, t: float) -> str:
        """In-world ``HH:MM`` at sim time ``t``."""
        return self.wall(t).strftime("%H:%M")

    def since_start(self, t: float) -> str:
        """Sim time ``t`` as a span after the incident's start, e.g. ``4m30s``."""
        return span(self.rel(t))

    def not_declared(self) -> str:
        """Why incident criteria do not apply, as the start of a detail."""
        if not self.level.declare.incident:
            return f"{self.level.name} is not declared as an incident"
        return "this scenario is not an incident"


def span(seconds: float) -> str:
    """Seconds as a trainee reads them: ``2m``, ``1m30.5s``."""
    return format_duration(round(seconds, 1))


def _limit(value: float | None) -> float | None:
    return None if value is None or math.isinf(value) else value


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines too) as one space."""
    return " ".join(text.split())


def result(
    cid: str,
    status: Status,
    detail: str,
    cites: Cites,
    *,
    measured: float | None = None,
    limit: float | None = None,
    waiting: tuple[str, ...] = (),
) -> CriterionResult:
    """A criterion's result: its title, its one-line detail and the policy lines it cites.

    Args:
        cid: The criterion id.
        status: How it went.
        detail: What happened, for the trainee (folded onto one line).
        cites: ``(source, says)`` of every policy line applied (duplicates dropped).
        measured: What was measured, in seconds.
        limit: The limit (infinite: none).
        waiting: Live, pending: who is still to be notified, paged or escalated to.
    """
    sources: list[str] = []
    says: list[str] = []
    for source, said in cites:
        if source not in sources:
            sources.append(source)
        if said not in says:
            says.append(said)
    return CriterionResult(
        id=cid,
        title=TITLES[cid],
        status=status,
        measured_s=measured,
        limit_s=_limit(limit),
        detail=one_line(detail),
        source="; ".join(sources),
        says=" / ".join(says),
        waiting=waiting,
    )
