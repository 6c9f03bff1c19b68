"""Static range analysis: every value a metric can reach, given its baseline, noise, bounds
and every fault's effects (an over-approximation), and the chain's slowest block time.

The static checks use it to prove that an alert rule or a condition can never hold. This
module must not play the scenario.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from simulator.engine import HALT_THRESHOLD
from simulator.model import MetricEffect, Scenario, ValidatorEffect

__all__ = ["NOISE_SIGMAS", "Range", "max_block_time", "metric_range"]

NOISE_SIGMAS = 5.0
"""How far noise can push a metric, in standard deviations, for the static range analysis."""


@dataclass(frozen=True)
class Range:
    """A closed interval of values (either end may be infinite)."""

    lo: float
    """The lowest value."""
    hi: float
    """The highest value."""

    def hull(self, other: Range) -> Range:
        """The smallest range holding both."""
        return Range(min(self.lo, other.lo), max(self.hi, other.hi))

    def allows(self, op: str, value: float) -> bool:
        """Whether some value in the range compares to ``value`` by ``op`` (``>``, ``<=`` …)."""
        if op == ">":
            return self.hi > value
        if op == ">=":
            return self.hi >= value
        if op == "<":
            return self.lo < value
        if op == "<=":
            return self.lo <= value
        if op == "==":
            return self.lo <= value <= self.hi
        return not (self.lo == self.hi == value)

    def show(self) -> str:
        """``lo..hi`` as people read it (``∞`` for an open end)."""

        def num(x: float) -> str:
            if math.isinf(x):
                return "∞" if x > 0 else "-∞"
            return f"{x:g}"

        return f"{num(self.lo)}..{num(self.hi)}"


def _effects_on(scenario: Scenario, metric: str) -> list[MetricEffect]:
    """Every fault effect on ``metric``."""
    return [
        e
        for f in scenario.faults
        for e in f.effects
        if isinstance(e, MetricEffect) and e.metric == metric
    ]


def _apply_range(r: Range, effects: Sequence[MetricEffect]) -> Range:
    """Every value the effects can give, starting from ``r``: each effect applies once, at any
    strength, in the order written or the reverse (faults stack in the order they start)."""

    def one_pass(start: Range, order: Iterable[MetricEffect]) -> Range:
        out = start
        for e in order:
            if e.to is not None:
                out = out.hull(Range(e.to, e.to))
            elif e.by is not None:
                out = out.hull(Range(out.lo + min(0.0, e.by), out.hi + max(0.0, e.by)))
            elif e.times is not None:
                ends = (out.lo * e.times, out.hi * e.times)
                out = out.hull(Range(min(ends), max(ends)))
        return out

    return one_pass(r, effects).hull(one_pass(r, reversed(effects)))


def metric_range(scenario: Scenario, metric: str) -> Range:
    """The values a metric can ever take in the scenario (an over-approximation)."""
    effects = _effects_on(scenario, metric)
    for service in scenario.services:
        for m in service.metrics:
            if f"{service.id}.{m.id}" != metric:
                continue
            r = _apply_range(Range(m.baseline, m.baseline), effects)
            spread = NOISE_SIGMAS * m.noise * max(abs(r.lo), abs(r.hi))
            r = Range(r.lo - spread, r.hi + spread)
            if m.down is not None:
                r = r.hull(Range(m.down, m.down))
            lo = r.lo if m.min is None else max(m.min, r.lo)
            hi = r.hi if m.max is None else min(m.max, r.hi)
            return Range(min(lo, hi), max(lo, hi))
    for q in scenario.queues:
        if metric == f"{q.id}.depth":
            return Range(0.0, math.inf)
        for key, base, noise in (
            ("arrival_rate", q.arrival_rate, q.noise),
            ("service_rate", q.service_rate, 0.0),
        ):
            if metric == f"{q.id}.{key}":
                r = _apply_range(Range(base, base), effects)
                spread = NOISE_SIGMAS * noise * max(abs(r.lo), abs(r.hi))
                return Range(max(0.0, r.lo - spread), r.hi + spread)
    chain = scenario.chain
    if chain is not None and metric.startswith("chain."):
        validators = chain.validator_set()
        total = sum(v.power for v in validators) or 1.0
        off = {
            name
            for f in scenario.faults
            for e in f.effects
            if isinstance(e, ValidatorEffect)
            for name in e.validators
        }
        online_min = sum(v.power for v in validators if v.name not in off) / total
        key = metric.removeprefix("chain.")
        if key == "online_power":
            return Range(round(online_min * 100, 2), 100.0)
        if key == "validators_online":
            return Range(float(len(validators) - len(off)), float(len(validators)))
        if key == "height":
            return Range(float(chain.height), math.inf)
        can_halt = online_min < HALT_THRESHOLD
        top = math.inf if can_halt else max_block_time(scenario)
        if key == "since_last_block":
            return Range(0.0, top)
        if key == "block_time":
            return Range(0.5, top)
    return Range(-math.inf, math.inf)


def max_block_time(scenario: Scenario) -> float:
    """The slowest block time while the chain still produces blocks (an estimate).

    Validator outages are combined as far as they leave 2/3 of the power online (all of them
    together, else the worst single fault that does); every block-time effect applies in full.
    """
    chain = scenario.chain
    if chain is None:
        return 0.0
    validators = chain.validator_set()
    total = sum(v.power for v in validators) or 1.0

    def power_without(names: set[str]) -> float:
        return sum(v.power for v in validators if v.name not in names) / total

    sets = [
        {n for e in f.effects if isinstance(e, ValidatorEffect) for n in e.validators}
        for f in scenario.faults
    ]
    union = set().union(*sets) if sets else set()
    candidates = [power_without(union)] + [power_without(s) for s in sets] + [1.0]
    producing = [p for p in candidates if p >= HALT_THRESHOLD - 1e-12]
    power = min(producing) if producing else 1.0
    deficit = (1.0 - power) / (1.0 - HALT_THRESHOLD)
    base = chain.block_time * (1.0 + chain.slowdown * deficit)
    return _apply_range(Range(base, base), _effects_on(scenario, "chain.block_time")).hi
