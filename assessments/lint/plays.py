"""Headless plays for lint: what the scenario does by itself and under the autopilots.

An idle run (nobody acts), the expert and novice autopilots on a few seeds (graded), and one
run per wrong mitigation that starts a fault. They are played with the same helpers as
``warroom run`` (``assessments.autoplay``). This module must not make findings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from assessments.assessor import Assessment, grade
from assessments.autoplay import autopilot, headless_engine, play_to_end
from assessments.policy import Policy
from simulator import commands as cmd
from simulator import events as ev
from simulator.autopilot import Profile
from simulator.engine import Engine
from simulator.model import Scenario
from simulator.runner import Step, StepDriver

__all__ = ["DEFAULT_SEEDS", "Idle", "Play", "lint_plays", "play", "play_names", "play_trap"]

DEFAULT_SEEDS: tuple[int, ...] = (1, 2, 3)
"""Seeds of the autopilot plays."""


class Idle:
    """A trainee who does nothing: what the scenario does by itself."""

    max_step = math.inf
    """Nothing to wait for: the run goes straight to the end."""

    def attach(self, engine: Engine) -> None:
        """Nothing to subscribe to."""
        return None

    def next_time(self) -> float | None:
        """Never acts."""
        return None

    def act(self, engine: Engine) -> None:
        """Never acts."""
        return None


@dataclass
class Play:
    """What one headless lint play showed."""

    name: str
    """``expert seed 1``, ``novice seed 2``, ``idle``, ``restart-api trap``."""
    profile: str
    """``expert``, ``novice``, ``idle`` or ``trap`` (one wrong mitigation applied)."""
    seed: int
    """The play's seed."""
    events: list[ev.Event]
    """Every event of the play, metric samples included."""
    assessment: Assessment | None = None
    """The autopilot's grade (``None`` for the idle and trap plays)."""

    def delivered(self) -> set[str]:
        """The injects delivered."""
        return {e.inject for e in self.events if isinstance(e, ev.InjectDelivered) and e.inject}

    def firings(self) -> dict[str, int]:
        """How many times each alert started firing."""
        out: dict[str, int] = {}
        for e in self.events:
            if isinstance(e, ev.AlertFiring):
                out[e.alert] = out.get(e.alert, 0) + 1
        return out


def play(scenario: Scenario, policy: Policy, profile: str, seed: int) -> Play:
    """Play a scenario headless with an autopilot profile (or ``idle``) and grade it."""
    trainee = f"lint-{profile}"
    engine = headless_engine(scenario, policy, seed=seed, trainee=trainee)
    if profile == "idle":
        return Play("idle", profile, seed, play_to_end(engine, Idle()))
    prof: Profile = "expert" if profile == "expert" else "novice"
    events = play_to_end(engine, autopilot(prof, scenario, policy, seed=seed))
    assessment = grade(events, scenario=scenario, policy=policy, trainee=trainee, seed=seed)
    return Play(f"{profile} seed {seed}", profile, seed, events, assessment)


def play_trap(scenario: Scenario, policy: Policy, mitigation: str, at: float, seed: int) -> Play:
    """Play with a trainee who only applies one mitigation, at ``at``: what a wrong call starts."""
    engine = headless_engine(scenario, policy, seed=seed, trainee="lint-trap")
    driver = StepDriver([Step(at, cmd.ApplyMitigation(mitigation=mitigation))])
    return Play(f"{mitigation} trap", "trap", seed, play_to_end(engine, driver))


def lint_plays(scenario: Scenario, policy: Policy, seeds: Sequence[int]) -> list[Play]:
    """The plays lint learns from: an idle run, the expert and novice autopilots on each seed,
    and one run per wrong mitigation that starts a fault (applied a minute after the idle
    run's first alert)."""
    first = seeds[0] if seeds else 1
    idle = play(scenario, policy, "idle", first)
    plays = [idle]
    for profile in ("expert", "novice"):
        for seed in seeds:
            plays.append(play(scenario, policy, profile, seed))
    t0 = next((e.t for e in idle.events if isinstance(e, ev.AlertFiring)), 0.0)
    for m in scenario.mitigations:
        if m.starts:
            plays.append(play_trap(scenario, policy, m.id, t0 + 60.0, first))
    return plays


def play_names(plays: Sequence[Play], seeds: Sequence[int]) -> str:
    """The plays in a few words, for a finding that only the plays show."""
    shown = ", ".join(str(x) for x in seeds)
    traps = sum(1 for p in plays if p.profile == "trap")
    return f"expert and novice autopilots (seeds {shown}), an idle run" + (
        f" and {traps} wrong-mitigation run{'s' if traps != 1 else ''}" if traps else ""
    )
