"""Headless play: drive an engine in virtual time with a scripted, replayed or autopilot trainee.

A *driver* decides what to submit and when. The runner advances the engine in slices up to
the driver's next decision time and submits between slices, exactly as the TUI does between
paced slices, so a live session, a script and a replay of its journal all take the same path.

This module must not import the assessor, reports or the screen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from simulator import commands as cmd
from simulator.engine import Engine
from simulator.events import ActionAccepted, ActionRejected, Event, dumps
from simulator.journal import Journal


class Driver(Protocol):
    """Decides what the trainee (or facilitator) does."""

    max_step: float
    """Longest slice the runner may advance without asking the driver again."""

    def attach(self, engine: Engine) -> None:
        """Called once before the run starts (subscribe to events here)."""

    def next_time(self) -> float | None:
        """The next sim time the driver wants to act at, or ``None`` for never."""

    def act(self, engine: Engine) -> None:
        """Submit whatever is due at ``engine.now``."""


@dataclass(frozen=True)
class Step:
    """A command at a sim time, from a script or a journal."""

    at: float
    command: cmd.Command
    by: str = "trainee"
    person: str | None = None
    """Who sent it from a team seat, as journalled."""
    seat: str | None = None
    """The team seat it came from, as journalled."""
    approved_by: str | None = None
    """Who approved it, as journalled."""


class StepDriver:
    """Plays a fixed list of timed commands (an action script or a journal's commands)."""

    max_step = math.inf

    def __init__(self, steps: Sequence[Step]) -> None:
        """Steps are played in time order; equal times keep their given order."""
        self._steps = sorted(steps, key=lambda s: s.at)
        self._i = 0

    def attach(self, engine: Engine) -> None:
        return None

    def next_time(self) -> float | None:
        return self._steps[self._i].at if self._i < len(self._steps) else None

    def act(self, engine: Engine) -> None:
        while self._i < len(self._steps) and self._steps[self._i].at <= engine.now:
            step = self._steps[self._i]
            self._i += 1
            engine.submit(
                step.command,
                by=step.by,
                person=step.person,
                seat=step.seat,
                approved_by=step.approved_by,
            )


def script_driver(script: cmd.ActionScript) -> StepDriver:
    """A driver for an action script."""
    return StepDriver([Step(a.at, a.action) for a in script.actions])


def run(engine: Engine, driver: Driver) -> None:
    """Play the scenario to its end with ``driver`` acting."""
    driver.attach(engine)
    engine.start()
    while not engine.ended:
        due = driver.next_time()
        target = engine.end_time if due is None else due
        target = min(target, engine.now + driver.max_step)
        # Inclusive even at the current time: what is due at T+0 happens before a step at 0,
        # as it did in live play.
        engine.run_until(max(target, engine.now))
        if engine.ended:
            break
        driver.act(engine)
        if due is None and driver.max_step == math.inf and engine.now >= engine.end_time:
            break


def journal_steps(journal: Journal) -> list[Step]:
    """The commands a journal recorded (accepted and rejected), with their sim times."""
    steps: list[Step] = []
    for e in journal.events:
        if isinstance(e, ActionAccepted | ActionRejected):
            steps.append(
                Step(
                    e.t,
                    cmd.parse_command(dict(e.command)),
                    e.by,
                    e.person,
                    e.seat,
                    e.approved_by,
                )
            )
    return steps


@dataclass(frozen=True)
class Verification:
    """The result of replaying a journal."""

    identical: bool
    recorded: int
    """Event lines in the journal."""
    replayed: int
    """Event lines the replay produced."""
    first_difference: int | None = None
    """1-based journal line number of the first difference."""
    expected: str = ""
    got: str = ""


def replay(journal: Journal, engine: Engine) -> list[str]:
    """Re-run a journal's commands on a fresh engine and return the event lines it produces."""
    lines: list[str] = []

    def collect(event: Event) -> None:
        lines.append(dumps(event))

    engine.subscribe(collect)
    run(engine, StepDriver(journal_steps(journal)))
    return lines


def verify(journal: Journal, engine: Engine) -> Verification:
    """Replay a journal and compare the event stream with the recorded one, line by line.

    A journal of an exercise that was stopped early (no ``scenario_ended``) is compared up to
    its last line.
    """
    produced = replay(journal, engine)
    recorded = journal.lines
    if journal.edited_line is not None:
        i = journal.edited_line - 2
        return Verification(
            False,
            len(recorded),
            len(produced),
            journal.edited_line,
            f"{recorded[i]}  (its digest does not match: the line was edited)",
            produced[i] if i < len(produced) else "(end of replay)",
        )
    if not journal.ended:
        produced = produced[: len(recorded)]
    for i, (a, b) in enumerate(zip(recorded, produced, strict=False)):
        if a != b:
            return Verification(False, len(recorded), len(produced), i + 2, a, b)
    if len(recorded) != len(produced):
        i = min(len(recorded), len(produced))
        return Verification(
            False,
            len(recorded),
            len(produced),
            i + 2,
            recorded[i] if i < len(recorded) else "(end of journal)",
            produced[i] if i < len(produced) else "(end of replay)",
        )
    return Verification(True, len(recorded), len(produced))
