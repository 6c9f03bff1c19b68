"""The one bridge between the engine and the screen.

The bridge subscribes to the session's engine and buffers its events. Everything that moves
the engine (the pacing timer's tick, a submitted action, pause, speed, jump) goes through the
bridge, which then posts ONE ``SimUpdated`` message with the events of that slice and a fresh
immutable ``ConsoleView``. Widgets therefore only ever see frozen data, delivered by Textual's
message queue, and never hold the engine or SimPy objects.
"""

from __future__ import annotations

from textual.message_pump import MessagePump

from simulator.commands import Command
from simulator.engine import Outcome
from simulator.events import Event
from tui.headless.session import Session
from tui.headless.views import ConsoleView
from tui.screens.messages import SimUpdated


class Bridge:
    """Drives a session and reports each slice to a target as a ``SimUpdated`` message."""

    def __init__(self, session: Session, target: MessagePump) -> None:
        """Subscribe to the session's engine; messages go to ``target`` (the console screen)."""
        self.session = session
        self._targets: list[MessagePump] = [target]
        self._pending: list[Event] = list(session.events)
        """Events not yet reported; a resumed session starts with everything it replayed, so the
        first report rebuilds the timeline, the live score and the metric history."""
        self._last: ConsoleView | None = None
        session.engine.subscribe(self._pending.append)

    def add_target(self, target: MessagePump) -> None:
        """Also report to ``target`` (the facilitator console beside the IC console)."""
        if target not in self._targets:
            self._targets.append(target)

    def remove_target(self, target: MessagePump) -> None:
        """Stop reporting to ``target``."""
        if target in self._targets[1:]:
            self._targets.remove(target)

    def open(self, wall: float) -> None:
        """Start the session (journal, engine, clock) and report the first slice."""
        self.session.open(wall)
        self.flush(force=True)

    def tick(self, wall: float) -> None:
        """The pacing timer's call: advance the sim, report if anything changed.

        While paused (or after the end) nothing can change without an action, a jump or a
        resume, each of which reports itself, so a paused tick costs nothing.
        """
        if self.session.paused or self.session.engine.ended:
            return
        self.session.tick(wall)
        self.flush()

    def submit(self, command: Command) -> Outcome:
        """Submit a trainee action or facilitator command and report its consequences."""
        outcome = self.session.submit(command)
        self.flush()
        return outcome

    def toggle_pause(self, wall: float, *, by: str = "trainee") -> bool:
        """Pause or resume (pressed ``by``); returns whether paused."""
        paused = self.session.toggle_pause(wall, by=by)
        self.flush()
        return paused

    def step_speed(self, direction: int, wall: float, *, by: str = "trainee") -> float:
        """One step up or down the speed ladder (pressed ``by``); returns the speed."""
        speed = self.session.step_speed(direction, wall, by=by)
        self.flush()
        return speed

    def jump(self, seconds: float, *, by: str = "trainee") -> None:
        """Fast-forward the sim (pressed ``by``)."""
        self.session.jump(seconds, by=by)
        self.flush()

    def flush(self, *, force: bool = False) -> None:
        """Post the buffered events and the view, unless nothing changed."""
        view = self.session.view()
        if not self._pending and view == self._last and not force:
            return
        events = tuple(self._pending)
        self._pending.clear()
        self._last = view
        for target in self._targets:
            target.post_message(SimUpdated(events, view))
