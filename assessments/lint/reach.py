"""Reachability of conditions, proved from the model: the earliest time a condition can hold,
and why one never can before a limit (a metric that never gets there, an inject never
delivered, a fault that never starts, a deadline past the end).

This module reasons about the scenario; it must not play it or make findings.
"""

from __future__ import annotations

import math

from assessments.lint.ranges import metric_range
from simulator.durations import format_duration
from simulator.model import (
    ActionTaken,
    After,
    AlertIs,
    AllOf,
    AnyOf,
    ClockIs,
    Condition,
    Fault,
    FaultIs,
    InjectDelivered,
    MetricIs,
    Scenario,
    Since,
)
from simulator.yamlio import Loc

__all__ = ["Reach"]


class Reach:
    """What can happen in a scenario, and when at the earliest."""

    def __init__(self, scenario: Scenario) -> None:
        """Index the scenario's faults, injects, alerts and what the mitigations start."""
        self.s = scenario
        self._faults = {f.id: f for f in scenario.faults}
        self._injects = {x.id: x for x in scenario.injects}
        self._alerts = {a.id: a for a in scenario.alerts}
        self._started_by_mitigation = {
            fid for m in scenario.mitigations for fid in m.possible_starts()
        } | {fid for d in scenario.diagnostics if d.requires for fid in d.requires.starts}

    def earliest(self, cond: Condition, seen: frozenset[str] = frozenset()) -> float:
        """The earliest sim time ``cond`` can hold (``seen``: injects and faults on the path)."""
        if isinstance(cond, After):
            return cond.after
        if isinstance(cond, MetricIs):
            return cond.for_
        if isinstance(cond, AlertIs):
            rule = self._alerts.get(cond.alert)
            return rule.for_ if rule is not None and cond.state != "pending" else 0.0
        if isinstance(cond, ActionTaken):
            return cond.by if not cond.taken and cond.by is not None else 0.0
        if isinstance(cond, InjectDelivered):
            x = self._injects.get(cond.inject)
            if not cond.delivered or x is None or x.id in seen or x.manual:
                return 0.0
            if x.at is not None:
                return x.at
            assert x.when is not None
            return self.earliest(x.when, seen | {x.id}) + x.delay
        if isinstance(cond, FaultIs):
            f = self._faults.get(cond.fault)
            if not cond.active or f is None or f.id in seen:
                return 0.0
            if f.at is not None:
                return f.at
            if f.when is not None:
                return self.earliest(f.when, seen | {f.id})
            return 0.0
        if isinstance(cond, AllOf):
            return max(self.earliest(c, seen) for c in cond.all)
        if isinstance(cond, AnyOf):
            return min(self.earliest(c, seen) for c in cond.any)
        return 0.0

    def never(
        self, cond: Condition, loc: Loc, limit: float, seen: frozenset[str] = frozenset()
    ) -> tuple[Loc, str] | None:
        """Why ``cond`` can never hold before ``limit`` (with where), or ``None``."""
        s = self.s
        if isinstance(cond, After):
            if cond.after > limit:
                return (*loc, "after"), (
                    f"after {format_duration(cond.after)} is past {format_duration(limit)}"
                )
            return None
        if isinstance(cond, Since):
            if cond.after > limit:
                return (*loc, "after"), (
                    f"{format_duration(cond.after)} after {cond.since} is past "
                    f"{format_duration(limit)}"
                )
            return None
        if isinstance(cond, ClockIs):
            h, m, *sec = (int(p) for p in cond.clock.split(":"))
            start = s.start.hour * 3600 + s.start.minute * 60 + s.start.second
            offset = (h * 3600 + m * 60 + sum(sec) - start) % 86400
            if offset > limit:
                return (*loc, "clock"), (
                    f"{cond.clock} comes {format_duration(offset)} after the start, past "
                    f"{format_duration(limit)}"
                )
            return None
        if isinstance(cond, MetricIs):
            r = metric_range(s, cond.metric)
            if not r.allows(cond.op, cond.value):
                return (*loc, "metric"), (
                    f"{cond.metric} {cond.op} {cond.value:g} never holds ({cond.metric} stays "
                    f"within {r.show()})"
                )
            if cond.for_ > limit:
                return (*loc, "for"), f"for {format_duration(cond.for_)} outlasts the scenario"
            return None
        if isinstance(cond, AlertIs):
            rule = self._alerts.get(cond.alert)
            if rule is None:
                return None
            if cond.state == "pending" and rule.for_ <= 0:
                return (*loc, "state"), (
                    f"{rule.id} has no 'for', so it goes straight to firing and is never seen "
                    "pending"
                )
            r = metric_range(s, rule.metric)
            if not r.allows(rule.op, rule.threshold) or rule.for_ > limit:
                return (*loc, "alert"), f"alert {rule.id} can never fire"
            return None
        if isinstance(cond, ActionTaken):
            if not cond.taken and cond.by is not None and cond.by > limit:
                return (*loc, "by"), (
                    f"the deadline by {format_duration(cond.by)} is past "
                    f"{format_duration(limit)}, so 'not taken by then' is never known"
                )
            return None
        if isinstance(cond, InjectDelivered):
            x = self._injects.get(cond.inject)
            if not cond.delivered or x is None or x.id in seen or x.manual:
                return None
            if x.at is not None:
                return None
            assert x.when is not None
            why = self.never(x.when, loc, min(limit, x.until or math.inf), seen | {x.id})
            if why is not None:
                return (*loc, "inject"), f"inject {x.id} is never delivered ({why[1]})"
            return None
        if isinstance(cond, FaultIs):
            f = self._faults.get(cond.fault)
            if not cond.active or f is None or f.id in seen:
                return None
            reason = self.fault_never(f, limit, seen | {f.id})
            if reason is not None:
                return (*loc, "fault"), f"fault {f.id} never starts ({reason})"
            return None
        if isinstance(cond, AllOf):
            for k, c in enumerate(cond.all):
                why = self.never(c, (*loc, "all", k), limit, seen)
                if why is not None:
                    return why
            need = self.earliest(cond, seen)
            if need > limit:
                return loc, (
                    f"all of these hold at {format_duration(need)} at the earliest, past "
                    f"{format_duration(limit)}"
                )
            return None
        if isinstance(cond, AnyOf):
            reasons = [self.never(c, (*loc, "any", k), limit, seen) for k, c in enumerate(cond.any)]
            if all(r is not None for r in reasons):
                first = reasons[0]
                assert first is not None
                return loc, "none of these can hold: " + first[1]
            return None
        return None

    def fault_never(self, f: Fault, limit: float, seen: frozenset[str]) -> str | None:
        """Why fault ``f`` never starts on its condition before ``limit``, or ``None``."""
        if f.when is None:
            return None
        why = self.never(f.when, ("faults",), limit, seen)
        return why[1] if why is not None else None

    def can_start(self, f: Fault) -> bool:
        """Whether fault ``f`` can ever start: at a time, on a condition, or by a mitigation."""
        if f.at is not None:
            return True
        if f.when is not None:
            return self.never(f.when, ("faults",), self.s.duration, frozenset({f.id})) is None
        return f.id in self._started_by_mitigation
