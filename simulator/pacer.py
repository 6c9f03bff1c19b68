"""Pace an engine against the wall clock for live play: speed, pause, resume, jump ahead.

The caller (the TUI's timer, a test) passes the wall-clock reading in on every call, so this
module never reads a clock itself and a test can drive it with made-up times. Each ``tick``
advances the engine by the wall time elapsed times the speed, in one bounded slice, so pacing
never blocks the caller's event loop: after a long stall (a suspended laptop) the sim does not
race to catch up, it just carries on. Pausing stops sim time; nothing expires across a pause.

Pause, resume and speed changes are recorded in the journal as ``set_pace`` commands, jumps as
``jump_ahead``, each with who pressed them (``by``: the trainee at the console, or the
facilitator). They change nothing in the sim, so a replay that skips or includes them produces
the same events, and the assessor never counts them as decisions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.engine import Engine

MAX_SPEED = 3600.0
"""Sim seconds per wall-clock second at the most (``--speed``, a facilitator's ``set_pace``)."""

SPEEDS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0)
"""The one speed ladder: what the lobby offers and what ``+`` and ``-`` step along."""


def next_speed(speed: float, direction: int) -> float:
    """One step up (``+1``) or down (``-1``) the speed ladder from ``speed`` (same at the ends)."""
    if direction > 0:
        return next((s for s in SPEEDS if s > speed), speed)
    return next((s for s in reversed(SPEEDS) if s < speed), speed)


class Pacer:
    """Advances an engine in real time at a speed factor."""

    def __init__(self, engine: Engine, *, speed: float = 1.0, max_slice: float = 0.25) -> None:
        """Pace ``engine``.

        Args:
            engine: The engine to advance.
            speed: Sim seconds per wall second (1 = real time, 60 = a minute a second).
            max_slice: The longest wall-clock gap one tick accounts for; a longer stall is
                treated as this long, so a frozen UI never causes a jump in the sim.
        """
        self.engine = engine
        self.speed = _check_speed(speed)
        self.paused = True
        self.max_slice = max_slice
        self._last: float | None = None

    def start(self, wall: float) -> None:
        """Start (or resume) pacing from wall-clock time ``wall``."""
        self.engine.start()
        self.paused = False
        self._last = wall

    def tick(self, wall: float) -> float:
        """Advance the sim for the wall time elapsed since the last tick; returns sim time."""
        if self.paused or self._last is None or self.engine.ended:
            self._last = wall
            return self.engine.now
        elapsed = min(max(0.0, wall - self._last), self.max_slice)
        self._last = wall
        if elapsed > 0:
            self.engine.run_until(self.engine.now + elapsed * self.speed)
        return self.engine.now

    def pause(self, wall: float, *, by: str = "trainee") -> None:
        """Stop sim time (recorded as ``set_pace``, pressed ``by`` the trainee or facilitator)."""
        if self.paused:
            return
        self.tick(wall)
        self.paused = True
        from simulator.commands import SetPace

        self.engine.submit(SetPace(paused=True, speed=self.speed), by=by)

    def resume(self, wall: float, *, by: str = "trainee") -> None:
        """Carry on from where the sim stopped."""
        if not self.paused:
            return
        self.paused = False
        self._last = wall
        from simulator.commands import SetPace

        self.engine.submit(SetPace(paused=False, speed=self.speed), by=by)

    def set_speed(self, speed: float, wall: float, *, by: str = "trainee") -> None:
        """Change speed from now on."""
        self.tick(wall)
        self.speed = _check_speed(speed)
        from simulator.commands import SetPace

        self.engine.submit(SetPace(paused=self.paused, speed=self.speed), by=by)

    def jump(self, seconds: float, *, by: str = "trainee") -> float:
        """Fast-forward the sim by ``seconds`` at once (paused or not); returns sim time.

        Recorded as ``jump_ahead`` so the journal shows where time was skipped.
        """
        if seconds > 0 and not self.engine.ended:
            from simulator.commands import JumpAhead

            self.engine.submit(JumpAhead(seconds=seconds), by=by)
            self.engine.run_until(self.engine.now + seconds)
        return self.engine.now


def _check_speed(speed: float) -> float:
    if not 0 < speed <= MAX_SPEED:
        raise ValueError(f"speed must be above 0 and at most {MAX_SPEED:g}x")
    return float(speed)
