"""A team game day without a screen: the host (one engine, its journal, the network seats), a
seat played from an action script, rewinding to a moment, and what each person did.

``TeamHost`` paces the host's ``Session`` from the event loop and serves it with
``tui.link.host.TeamServer``; every command a seat may send reaches the engine with the person
and the seat (and who approved it, for a held one), so the journal says who did what; the
journal also records who sits in each seat and the roles they hold (``seat_roles``), when a
person takes a seat and when the IC hands a role or takes one back. A scripted seat that
approves decides each request as it comes (``play_seat``'s ``approve``). ``TeamHost.rewind`` restarts the exercise from
a moment in a branch journal (``tui.headless.session.branch_session``) and moves every seat to
it. No Textual; must not import ``reports``.
"""

from __future__ import annotations

import asyncio
import math
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator import commands as cmd
from simulator.engine import Outcome as EngineOutcome
from simulator.events import ActionAccepted, ActionRejected, Event
from simulator.protocol import ROLE_TABLE, Branch, EventMessage, Outcome, Request, Roles
from simulator.text import visible
from tui.headless.seating import Refusal, SeatRow, Waiting, command_words, seat_rows
from tui.headless.session import Session, branch_session
from tui.link.common import LinkError
from tui.link.host import TeamServer
from tui.link.remote import RemoteSeat
from tui.link.seats import Seat

TICK = 0.02
"""Wall seconds between the host's pacing slices."""


class TeamHost:
    """One exercise served to network seats: the session, its server and the pacing loop."""

    def __init__(self, session: Session, server: TeamServer) -> None:
        """Open the session's journal and attach the server (not listening yet).

        Args:
            session: The host's session (opened here unless it already journals).
            server: The network seats' server; its command handler becomes ``apply``.
        """
        self.session = session
        self.branches: list[Path] = []
        """The branch journals the facilitator's rewinds started, in order."""
        self.wait_for_seats = session.start_paused
        """A session opened paused starts its clock once every seat has joined (or on
        ``start_now``)."""
        self.start_now = False
        """Set by the facilitator to start without the seats still missing."""
        self.clock_started = not session.start_paused
        """Whether the exercise clock has started (a session opened paused waits for seats)."""
        self.refusals: list[Refusal] = []
        """Commands the host refused before the engine, for the facilitator's seat view."""
        if session.header is None:
            session.open(time.monotonic())
        self.server = server
        server.on_command = self.apply
        server.on_approved = self.apply_approved
        server.on_seated = self.seated
        server.on_refused = self._refused
        session.engine.subscribe(server.publish)
        for event in session.events:
            server.publish(event)

    def all_seated(self) -> bool:
        """Whether every seat (not revoked) has joined."""
        joined = self.server.connected()
        return all(s.id in joined for s in self.server.seats.seats.values() if not s.revoked)

    def seat_rows(self) -> list[SeatRow]:
        """Every seat as the facilitator sees it now: the person, the link, the roles held,
        the requests waiting for the IC, the last action and what was done."""
        server = self.server
        return seat_rows(
            server.seats.seats.values(),
            server.connected(),
            self.session.events,
            self.refusals,
            holds={s.id: server.holdings.roles_of(s) for s in server.seats.seats.values()},
            waiting=[
                Waiting(r.number, r.seat.id, command_words(r.command.to_dict()))
                for r in server.requests.pending()
            ],
        )

    def apply(
        self, command: cmd.Command, seat: Seat, approved_by: str | None = None
    ) -> tuple[bool, str | None]:
        """Submit a seat's permitted command, naming the person and the seat (and who approved
        it, for a command the roles table holds for approval).

        The command lands on the next whole millisecond of sim time, the precision the journal
        keeps, so a replay submits it at exactly the same moment. An accepted ``assign_role``
        that names a participant hands them the role (``tui.link.roles.Holdings``): every seat
        is told, and the journal records what each changed seat holds.
        """
        self._align()
        outcome = self.session.engine.submit(
            command, person=seat.person, seat=seat.id, approved_by=approved_by
        )
        if outcome.accepted:
            seat.last_action = f"T+{self.session.engine.now:.0f}s {command.describe()}"
            if isinstance(command, cmd.AssignRole):
                changed = self.server.holdings.hand(command, seat)
                for other in changed:
                    self.record_roles(other)
                if changed:
                    self.server.roles_changed()
        return outcome.accepted, (outcome.reason or None)

    def apply_approved(
        self, command: cmd.Command, seat: Seat, approved_by: str
    ) -> tuple[bool, str | None]:
        """Submit a held command the IC approved, as the requester's, naming the approver."""
        return self.apply(command, seat, approved_by)

    def seated(self, seat: Seat) -> None:
        """A person took a seat: the journal records who sits there and what they hold."""
        self.record_roles(seat)

    def record_roles(self, seat: Seat) -> None:
        """Journal what ``seat``'s person holds now (``seat_roles``, the host's record)."""
        engine = self.session.engine
        if engine.ended or seat.person is None:
            return
        self._align()
        engine.submit(self.server.holdings.record(seat))

    def _align(self) -> None:
        engine = self.session.engine
        engine.run_until(math.ceil(engine.now * 1000) / 1000)

    def facilitate(self, command: cmd.Command) -> EngineOutcome:
        """Submit the host's facilitator's command to the engine, on the next whole millisecond
        of sim time (as a seat's), after ``check_facilitator``'s checks.

        ``set_pace`` and ``jump_ahead`` move the pacer instead (see
        ``tui.screens.facilitator.apply_facilitator_command``).
        """
        reason = self.check_facilitator(command)
        if reason is not None:
            return EngineOutcome(False, reason)
        self._align()
        return self.session.submit(command)

    def _refused(self, seat: Seat, command: Mapping[str, Any], reason: str) -> None:
        self.refusals.append(Refusal(self.session.engine.now, seat.id, dict(command), reason))

    def check_facilitator(self, command: cmd.Command) -> str | None:
        """Why the host's facilitator may not send ``command`` now, or ``None`` when they may:
        an inject aimed at a role with no seat, or a pace change before the clock started."""
        to = getattr(command, "to", None)
        if to is not None and not any(
            to in self.server.holdings.roles_of(s) and not s.revoked
            for s in self.server.seats.seats.values()
        ):
            return f"this exercise has no {to} seat to aim it at"
        if isinstance(command, cmd.SetPace | cmd.JumpAhead) and not self.clock_started:
            return "the clock has not started yet: start it first"
        return None

    def rewind(self, at: float) -> Session:
        """Restart the exercise from sim time ``at`` in a branch journal that names its parent;
        every seat follows the branch. Returns the branch's session (now the host's).

        Raises:
            ResumeError: the journal does not replay up to ``at``.
        """
        old = self.session
        assert old.journal_path is not None
        old.close()
        branch = branch_session(old.journal_path, at, speed=old.pacer.speed, seal=old.seal)
        assert branch.header is not None and branch.journal_path is not None
        self.session = branch
        self.branches.append(branch.journal_path)
        self.server.rewind(branch.header, list(branch.events))
        branch.engine.subscribe(self.server.publish)
        recorded = {
            (str(e.command.get("seat")), str(e.command.get("person")))
            for e in branch.events
            if isinstance(e, ActionAccepted) and e.command.get("do") == "seat_roles"
        }
        for seat in self.server.seats.seats.values():  # seated after the branch's moment
            if seat.person is not None and (seat.id, seat.person) not in recorded:
                self.record_roles(seat)
        branch.pacer.start(time.monotonic())
        self.clock_started = True
        self.refusals = [r for r in self.refusals if r.t <= at]
        return branch

    async def run(
        self,
        *,
        tick: float = TICK,
        on_tick: Callable[[TeamHost], None] | None = None,
        started: Callable[[TeamHost], None] | None = None,
        end_on_signals: bool = False,
    ) -> Path:
        """Listen, play the exercise to its end at the session's speed and close; returns the
        journal of the last branch played.

        Args:
            tick: Wall seconds between pacing slices.
            on_tick: Called after each slice (a test rewinds from here).
            started: Called once the server listens (the command line prints the seats).
            end_on_signals: Ctrl-C (SIGINT) or SIGTERM ends the exercise as the facilitator's
                ``end`` does, seats joined or not (a host without a console), so the journal
                ends and the debriefs are written.
        """
        loop = asyncio.get_running_loop()
        signals: list[signal.Signals] = []
        if end_on_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.add_signal_handler(sig, self._end_by_signal)
                except (NotImplementedError, RuntimeError, ValueError):
                    continue  # no signals here (not the main thread, or not on this platform)
                signals.append(sig)
        await self.server.start()
        if started is not None:
            started(self)
        try:
            if self.session.pacer.paused and self.wait_for_seats:
                while not (self.all_seated() or self.start_now or self.session.engine.ended):
                    if on_tick is not None:
                        on_tick(self)
                    await asyncio.sleep(tick)
                self.session.pacer.start(time.monotonic())
                self.clock_started = True
            while not self.session.engine.ended:
                self.session.tick(time.monotonic())
                if on_tick is not None:
                    on_tick(self)
                await asyncio.sleep(tick)
            await asyncio.sleep(tick)  # let the last lines reach the seats' buffers
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)
            await self.server.close()
            self.session.close()
        assert self.session.journal_path is not None
        return self.session.journal_path

    def _end_by_signal(self) -> None:
        if not self.session.engine.ended:
            self.facilitate(cmd.EndExercise())


def typed_command(line: str) -> dict[str, Any]:
    """A command a participant typed: JSON (``{"do": "note", …}``) or a YAML mapping with or
    without its braces (``do: note, text: hi``).

    Raises:
        ValueError: not a mapping with a ``do`` name.
    """
    import json

    import yaml

    text = line.strip()
    data: object = None
    if text.startswith("{") and text.endswith("}"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
    if data is None:
        try:
            data = yaml.safe_load(text if text.startswith("{") else "{" + text + "}")
        except yaml.YAMLError:
            data = None
    if not isinstance(data, dict) or not isinstance(data.get("do"), str):
        raise ValueError('not a command: type {do: NAME, field: value, …} or "help"')
    return data


def parse_decision(line: str) -> tuple[int, bool, str | None] | None:
    """``approve N`` or ``deny N [REASON]`` typed at a seat as ``(N, approve, reason)``;
    ``None`` when the line is not a decision.

    Raises:
        ValueError: ``approve``/``deny`` without a request number.
    """
    word, _, rest = line.strip().partition(" ")
    if word not in ("approve", "deny"):
        return None
    number, _, reason = rest.strip().partition(" ")
    if not number.isdigit() or int(number) < 1:
        raise ValueError(f"{word} N: the request's number (e.g. {word} 1)")
    return int(number), word == "approve", reason.strip() or None


def team_words(message: Roles | Request, *, approver: bool) -> str:
    """A ``roles`` or ``request`` message as a line for a seat (text, never markup)."""
    if isinstance(message, Roles):
        held = "; ".join(
            f"{h.seat} {h.person or '(empty)'}: {', '.join(h.roles)}" for h in message.seats
        )
        return visible(f"who holds what: {held}", multiline=False)
    if message.state == "pending":
        ask = f" (approve {message.request} | deny {message.request} REASON)" if approver else ""
        return visible(f"request {message.request}: {message.text}{ask}", multiline=False)
    by = f" by {message.decided_by}" if message.decided_by else ""
    why = f": {message.reason}" if message.reason else ""
    return visible(
        f"request {message.request} {message.state}{by}{why} ({message.text})", multiline=False
    )


@dataclass(frozen=True)
class PersonActions:
    """What one person did in a team exercise."""

    person: str
    seat: str
    accepted: list[ActionAccepted]
    rejected: list[ActionRejected]


def actions_by_person(events: list[Event]) -> list[PersonActions]:
    """Each person's accepted and refused actions, in the order they first acted."""
    found: dict[tuple[str, str], PersonActions] = {}
    for e in events:
        if isinstance(e, ActionAccepted | ActionRejected) and e.person is not None:
            key = (e.person, e.seat or "")
            entry = found.setdefault(key, PersonActions(e.person, e.seat or "", [], []))
            if isinstance(e, ActionAccepted):
                entry.accepted.append(e)
            else:
                entry.rejected.append(e)
    return list(found.values())


async def play_seat(
    seat: RemoteSeat,
    script: cmd.ActionScript,
    *,
    on_outcome: Callable[[cmd.Command, Outcome], None] | None = None,
    approve: bool = True,
    on_request: Callable[[Request, Outcome], None] | None = None,
) -> int:
    """Play a seat from an action script: each step is sent once the host's sim time reaches
    its ``at`` (after a rewind, the steps after the branch's moment are played again); returns
    the events received when the exercise ended.

    A seat that approves (the IC's) decides each request it is asked as it comes: approves it
    when ``approve`` (``warroom join --approve all``, the default, so scripted game days and
    scenario CI play to the end), else denies it, saying that the script approves nothing.

    Raises:
        LinkError: the seat could not join or the link was lost.
    """
    steps = sorted(script.actions, key=lambda a: a.at)
    now = 0.0
    i = 0
    sending: set[asyncio.Task[None]] = set()

    async def send(command: cmd.Command) -> None:
        try:
            outcome = await seat.send(command)
        except LinkError:
            return
        if on_outcome is not None:
            on_outcome(command, outcome)

    decided: set[int] = set()

    async def decide(request: Request) -> None:
        reason = None if approve else "the IC's script approves no requests (--approve none)"
        try:
            outcome = await seat.decide(request.request, approve, reason)
        except LinkError:
            return
        if on_request is not None:
            on_request(request, outcome)

    async for message in seat.messages():
        if (
            isinstance(message, Request)
            and message.state == "pending"
            and message.request not in decided
            and message.seat != (seat.welcome.seat if seat.welcome else None)
            and any(ROLE_TABLE[r].approves for r in seat.held_roles)
        ):
            decided.add(message.request)
            task = asyncio.create_task(decide(message))
            sending.add(task)
            task.add_done_callback(sending.discard)
        elif isinstance(message, EventMessage):
            now = max(now, float(message.event["t"]))
            while i < len(steps) and steps[i].at <= now:
                task = asyncio.create_task(send(steps[i].action))
                sending.add(task)
                task.add_done_callback(sending.discard)
                i += 1
        elif isinstance(message, Branch):
            parent = message.session.get("extra", {}).get("parent", {})
            at = float(parent.get("at", 0.0)) if isinstance(parent, dict) else 0.0
            now = 0.0
            i = next((k for k, s in enumerate(steps) if s.at > at), len(steps))
    if sending:
        await asyncio.wait(set(sending), timeout=2.0)
    return seat.events_received
