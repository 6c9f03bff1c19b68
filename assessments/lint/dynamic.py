"""Checks from the plays: what only playing the scenario shows.

Alerts that never fired and injects never delivered in any play (warnings: a real trainee or
the facilitator may still get there), alerts that flap, an expert autopilot that fails or a
novice that passes, and an expected severity the policy's own thresholds contradict at the
expert's classification. This module must not play the scenario itself (``plays`` does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from assessments.lint.findings import Finding, FindingLevel, finding_at
from assessments.lint.plays import Play, play_names
from assessments.policy import Level, Policy
from simulator import events as ev
from simulator.durations import format_duration
from simulator.engine import HALT_THRESHOLD
from simulator.model import Scenario
from simulator.yamlio import Document, Loc

__all__ = ["FLAP_FIRINGS", "PlayChecks", "impact_metrics"]

FLAP_FIRINGS = 4
"""An alert that starts firing this many times in one play flaps."""


class PlayChecks:
    """The checks of one scenario file that read its plays."""

    def __init__(
        self,
        scenario: Scenario,
        doc: Document,
        policy: Policy,
        plays: Sequence[Play],
        seeds: Sequence[int],
        *,
        never_fire: set[str],
        undeliverable: set[str],
    ) -> None:
        """Check ``plays`` of ``scenario`` under ``policy``.

        Args:
            scenario: The scenario.
            doc: Its YAML document (for findings' lines).
            policy: The policy in force.
            plays: The lint plays.
            seeds: The autopilots' seeds.
            never_fire: Alerts the static checks proved never fire (not reported again).
            undeliverable: Injects the static checks proved undeliverable (not reported again).
        """
        self.s = scenario
        self.doc = doc
        self.policy = policy
        self.plays = plays
        self.seeds = seeds
        self.never_fire = never_fire
        self.undeliverable = undeliverable

    def at(self, loc: Loc, level: FindingLevel, check: str, message: str) -> Finding:
        """A finding at ``loc``."""
        return finding_at(self.doc, loc, level, check, message)

    def run(self) -> Iterator[Finding]:
        """Every finding the plays show, check by check."""
        yield from self.alerts_and_injects()
        yield from self.autopilots()
        yield from self.severity()

    def alerts_and_injects(self) -> Iterator[Finding]:
        """Alerts that never fired and injects never delivered in any play; alerts that flap."""
        s = self.s
        delivered: set[str] = set()
        fired: dict[str, int] = {}
        flapping: dict[str, tuple[int, str]] = {}
        for p in self.plays:
            delivered |= p.delivered()
            for alert, n in p.firings().items():
                fired[alert] = max(fired.get(alert, 0), n)
                if n >= FLAP_FIRINGS and n > flapping.get(alert, (0, ""))[0]:
                    flapping[alert] = (n, p.name)
        for i, a in enumerate(s.alerts):
            if a.id not in fired and a.id not in self.never_fire:
                yield self.at(
                    ("alerts", i),
                    "warning",
                    "alert-not-fired",
                    f"{a.id} did not fire in any lint play ({play_names(self.plays, self.seeds)})",
                )
            if a.id in flapping:
                n, name = flapping[a.id]
                yield self.at(
                    ("alerts", i),
                    "warning",
                    "alert-flaps",
                    f"{a.id} started firing {n} times in the {name} play: it flaps",
                )
        for i, x in enumerate(s.injects):
            if x.manual or x.id in delivered or x.id in self.undeliverable:
                continue
            yield self.at(
                ("injects", i),
                "warning",
                "inject-not-delivered",
                f"inject {x.id} was not delivered in any lint play ({play_names(self.plays, self.seeds)})",
            )

    def autopilots(self) -> Iterator[Finding]:
        """An expert that fails, a novice that passes: the scenario does not discriminate."""
        experts = [p for p in self.plays if p.profile == "expert" and p.assessment]
        novices = [p for p in self.plays if p.profile == "novice" and p.assessment]
        failed = [p for p in experts if p.assessment and not p.assessment.passed]
        if failed:
            a = failed[0].assessment
            assert a is not None
            seeds = ", ".join(str(p.seed) for p in failed)
            yield self.at(
                ("expected",),
                "error",
                "expert-fails",
                f"the expert autopilot fails under policy {self.policy.id} (seed {seeds}; score "
                f"{a.score:.2f}, failed: {', '.join(a.failed()) or 'none'})",
            )
        passed = [p for p in novices if p.assessment and p.assessment.passed]
        if passed:
            a = passed[0].assessment
            assert a is not None
            seeds = ", ".join(str(p.seed) for p in passed)
            yield self.at(
                ("expected",),
                "error",
                "novice-passes",
                f"the novice autopilot passes under policy {self.policy.id} (seed {seeds}; "
                f"score {a.score:.2f}): the scenario does not discriminate",
            )

    def severity(self) -> Iterator[Finding]:
        """An expected severity below what the policy's own thresholds call the expert's state
        at classification."""
        s = self.s
        expert = next((p for p in self.plays if p.profile == "expert"), None)
        if expert is None:
            return
        at, values = _state_at_classification(expert.events)
        if values is None:
            return
        expected = self.policy.level_for(s.expected.severity, s.expected.overrides)
        for level, reason in _levels_called_for(self.policy, s, values):
            if _rank(self.policy, level) < _rank(self.policy, expected):
                yield self.at(
                    ("expected", "severity"),
                    "error",
                    "severity-contradicts-policy",
                    f"expects {expected.name} ({s.expected.severity}) but at classification "
                    f"(T+{format_duration(at)} in the expert play) {reason}: policy "
                    f"{self.policy.id} calls that {level.name}",
                )
                return

    # -- difficulty ------------------------------------------------------------------


def _rank(policy: Policy, level: Level) -> int:
    return policy.level_names.index(level.name)


def _state_at_classification(
    events: Sequence[ev.Event],
) -> tuple[float, dict[str, float] | None]:
    """The metrics at the first classification (the last sample at or before it)."""
    values: dict[str, float] | None = None
    for e in events:
        if isinstance(e, ev.MetricsSampled):
            values = dict(e.values)
        elif isinstance(e, ev.ActionAccepted) and e.command.get("do") == "classify":
            return e.t, values
    return 0.0, None


_USERS = re.compile(
    r"user impact:\s*(?P<op>[<>]=?)?\s*(?P<pct>\d+(?:\.\d+)?)\s*%\s*of users", re.IGNORECASE
)
_HALT = re.compile(r"chain (status: )?(is )?halt", re.IGNORECASE)
_SHARE = re.compile(r"error|fail", re.IGNORECASE)
_USER_SHARE = re.compile(r"\busers?\b", re.IGNORECASE)


def impact_metrics(scenario: Scenario) -> list[str]:
    """Metrics that measure the share of users affected.

    A ``%`` metric about users (``users_affected``, "users with a job failed") measures it
    directly, and when a scenario has one it alone counts: its failure rates may count retried
    attempts rather than people. Otherwise the ``%`` error and failure rates stand in for it.
    """
    direct, rates = [], []
    for service in scenario.services:
        for m in service.metrics:
            if m.unit != "%":
                continue
            if _USER_SHARE.search(m.id.replace("_", " ")) or _USER_SHARE.search(m.name):
                direct.append(f"{service.id}.{m.id}")
            elif _SHARE.search(m.id) or _SHARE.search(m.name):
                rates.append(f"{service.id}.{m.id}")
    return direct or rates


def _levels_called_for(
    policy: Policy, scenario: Scenario, values: dict[str, float]
) -> Iterator[tuple[Level, str]]:
    """Levels whose own criteria the state meets, most severe first, with what met them.

    Reads the criteria a policy states in numbers or facts a simulation can observe: "User
    Impact: > 10% of users affected" (a share-of-users metric, or else the worst error or
    failure rate, see ``impact_metrics``) and "Chain Status: Chain halted".
    """
    shares = [(values[m], m) for m in impact_metrics(scenario) if m in values]
    worst = max(shares) if shares else None
    power = values.get("chain.online_power")
    halted = power is not None and power < HALT_THRESHOLD * 100 - 1e-9
    for level in policy.levels:
        for criterion in level.criteria:
            if halted and _HALT.search(criterion):
                yield level, f'the chain is halted (online power {power:.1f}%) - "{criterion}"'
            match = _USERS.search(criterion)
            if match and worst is not None and match.group("op") in (None, ">", ">="):
                pct = float(match.group("pct"))
                op = match.group("op") or ">="
                if (worst[0] > pct) if op == ">" else (worst[0] >= pct):
                    yield level, (f'{worst[1]} is {worst[0]:g}% - "{criterion}"')
