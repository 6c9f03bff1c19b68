"""Line consoles for team game days, for any terminal (no Textual): the host's facilitator
console (the seats, who is connected, each person's last action; ``start``, ``revoke``, ``rewind``,
``fire``, ``end``) and a participant's seat (the exercise as text, commands typed one per line
as JSON or a YAML mapping). Text from people and scenarios is printed with
``simulator.text.visible``: no markup or terminal escape is ever interpreted.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

import pydantic

from simulator import commands as cmd
from simulator import events as ev
from simulator import protocol as p
from simulator.durations import format_clock, parse_duration
from simulator.journal import JournalError
from simulator.text import visible
from simulator.transcript import format_line
from simulator.yamlio import LoadError
from tui.headless.team import TeamHost, parse_decision, team_words, typed_command
from tui.link.common import LinkError
from tui.link.remote import RemoteSeat, seat_begin

HOST_HELP = (
    "commands: start | seats | revoke SEAT | rewind T (e.g. rewind 12m) | fire INJECT [to ROLE] "
    "| end | help"
)
SEAT_HELP = (
    'type a command as JSON or YAML, e.g. {do: note, text: "db looks fine"}; '
    "help shows what your seat may send; the IC answers requests with approve N | deny N REASON"
)


def _stdin_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    """Read stdin on a daemon thread (a blocking read never holds up the exercise)."""

    def pump() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, daemon=True, name="warroom-stdin").start()


def _say(text: str) -> None:
    print(text, flush=True)


def _printer(start: datetime) -> Callable[[ev.Event], None]:
    def show(event: ev.Event) -> None:
        line = format_line(event, start)
        if line is not None:
            _say(line)

    return show


def seats_table(host: TeamHost) -> str:
    """Who sits where: seat, role, person, connected, last action; then the roles the IC handed
    and the requests waiting for the IC's approval."""
    connected = host.server.connected()
    rows = ["  seat        role        person               link     last action"]
    for seat in host.server.seats.seats.values():
        state = "revoked" if seat.revoked else ("online" if seat.id in connected else "offline")
        person = visible(seat.person or "-", multiline=False)[:20]
        last = visible(seat.last_action or "-", multiline=False)
        rows.append(f"  {seat.id:<11} {seat.role:<11} {person:<20} {state:<8} {last}")
    for row in host.seat_rows():
        if row.handed:
            rows.append(f"  {row.seat} holds {', '.join(row.holds)} (handed by the IC)")
    for row in host.seat_rows():
        for waiting in row.waiting:
            what = visible(waiting.what, multiline=False)
            rows.append(f"  request {waiting.request} from {row.seat} waits for the IC: {what}")
    return "\n".join(rows)


async def host_console(host: TeamHost, started: Callable[[TeamHost], None]) -> Path:
    """Run the exercise with the line facilitator console; returns the last journal (ctrl+c
    ends the exercise, as ``end`` does)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    watched: list[Any] = []

    def watch(h: TeamHost) -> None:
        if not watched or watched[-1] is not h.session:
            watched.append(h.session)
            h.session.engine.subscribe(_printer(h.session.scenario.start))

    def on_start(h: TeamHost) -> None:
        started(h)
        _say(HOST_HELP)
        watch(h)
        _stdin_lines(loop, queue)

    async def commands() -> None:
        while True:
            line = await queue.get()
            if line is None:
                return
            run_host_command(host, line.strip())

    reader = asyncio.create_task(commands())
    try:
        return await host.run(started=on_start, on_tick=watch, end_on_signals=True)
    finally:
        reader.cancel()


def run_host_command(host: TeamHost, line: str) -> None:
    from tui.headless.session import ResumeError
    from tui.link.seats import SeatError

    word, _, rest = line.partition(" ")
    rest = rest.strip()
    try:
        if word in ("", "help"):
            _say(HOST_HELP)
        elif word == "start":
            host.start_now = True
        elif word == "seats":
            _say(seats_table(host))
        elif word == "revoke":
            host.server.revoke(rest)
            _say(f"seat {rest} revoked")
        elif word == "rewind":
            at = parse_duration(rest)
            branch = host.rewind(at)
            _say(f"restarted from {format_clock(at)} in {branch.journal_path}")
        elif word == "fire":
            fire = fire_command(rest)
            outcome = host.facilitate(fire)
            aimed = f" to the {fire.to} seats only" if fire.to is not None else ""
            _say(f"fired{aimed}" if outcome.accepted else f"refused: {visible(outcome.reason)}")
        elif word == "end":
            host.session.engine.submit(cmd.EndExercise())
        else:
            _say(f"unknown command {visible(word, multiline=False)!r}; {HOST_HELP}")
    except (SeatError, ResumeError, ValueError) as exc:
        _say(f"refused: {visible(str(exc))}")


def fire_command(text: str) -> cmd.FireInject:
    """``INJECT`` or ``INJECT to ROLE`` typed at the host's line console as the command.

    Raises:
        ValueError: no inject named, or ``to`` without one seat role.
    """
    words = text.split()
    if not words:
        raise ValueError("fire INJECT [to ROLE]: say which inject")
    if len(words) == 1:
        return cmd.FireInject(inject=words[0])
    roles = ", ".join(get_args(cmd.TeamRole))
    if len(words) != 3 or words[1] != "to":
        raise ValueError(f"fire INJECT [to ROLE]: e.g. fire {words[0]} to comms (roles: {roles})")
    try:
        return cmd.FireInject.model_validate({"inject": words[0], "to": words[2]})
    except pydantic.ValidationError:
        raise ValueError(f"no seat role {words[2]!r} to aim at (roles: {roles})") from None


async def seat_console(seat: RemoteSeat) -> int:
    """A participant's seat as text: events as they happen, commands typed one per line."""
    welcome = await seat.connect()
    try:
        begin = seat_begin(welcome)
    except (JournalError, LoadError) as exc:
        await seat.close()
        raise LinkError(str(exc)) from None
    _say(joined_line(seat, welcome))
    _say(SEAT_HELP)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    _stdin_lines(loop, queue)

    async def commands() -> None:
        while True:
            line = await queue.get()
            if line is None:
                return
            await _seat_command(seat, line.strip())

    reader = asyncio.create_task(commands())
    replayed_until = -1.0  # after a rewind, the branch's events up to its moment were seen
    try:
        async for message in seat.messages():
            if isinstance(message, p.EventMessage):
                event = ev.event_from_dict(message.event)
                shown = format_line(event, begin) if event.t > replayed_until else None
                if shown is not None:
                    _say(shown)
            elif isinstance(message, p.Branch):
                parent = message.session.get("extra", {}).get("parent", {})
                at = parent.get("at") if isinstance(parent, dict) else None
                replayed_until = float(at) if isinstance(at, int | float) else -1.0
                _say(
                    "the facilitator rewound the exercise to "
                    f"{format_clock(max(replayed_until, 0.0))}: following the branch"
                )
            elif isinstance(message, p.Welcome) and seat.reconnects:
                _say(f"reconnected (×{seat.reconnects}); caught up")
            elif isinstance(message, p.Roles | p.Request):
                approver = any(p.ROLE_TABLE[r].approves for r in seat.held_roles)
                _say(team_words(message, approver=approver))
            elif isinstance(message, p.Ended):
                _say(f"the exercise ended ({visible(message.reason, multiline=False)})")
    finally:
        reader.cancel()
        await seat.close()
    return 0


def joined_line(seat: RemoteSeat, welcome: p.Welcome) -> str:
    """``joined as NAME, ROLE seat ID: SCENARIO; host SHA256:…; rejoin code …`` (the seat's
    session token: ``warroom join HOST:PORT --token`` with it takes the seat again)."""
    pin = " (certificate pinned on first use)" if seat.pinned_now else ""
    host = f"; host {seat.fingerprint}{pin}" if seat.fingerprint else ""
    person = visible(welcome.person or "", multiline=False)
    rejoin = f"; rejoin code {welcome.token}" if welcome.token is not None else ""
    return (
        f"joined as {person}, {welcome.role} seat {welcome.seat}: "
        f"{welcome.header().scenario}{host}{rejoin}"
    )


async def _seat_command(seat: RemoteSeat, line: str) -> None:
    from tui.link.common import LinkError

    if not line:
        return
    if line == "help":
        roles = seat.held_roles
        allowed = sorted(set().union(*(p.ROLE_COMMANDS[r] for r in roles))) if roles else []
        _say(
            f"you hold {', '.join(roles) or 'nothing'}; your seat may send: "
            f"{', '.join(allowed) or 'nothing (read-only)'}"
        )
        return
    try:
        decision = parse_decision(line)
        data = typed_command(line) if decision is None else {}
    except ValueError as exc:
        _say(str(exc))
        return
    if decision is not None:
        number, approve, reason = decision
        try:
            answer = await seat.decide(number, approve, reason)
        except LinkError as exc:
            _say(f"not sent: {exc}")
            return
        done = "approved" if approve else "denied"
        _say(done if answer.accepted else f"refused: {visible(answer.reason or '')}")
        return
    try:
        command, _ = seat.authorize(data)
    except p.Refused as exc:
        _say(f"refused: {visible(str(exc))}")
        return
    try:
        outcome = await seat.send(command)
    except LinkError as exc:
        _say(f"not sent: {exc}")
        return
    if outcome.accepted:
        _say("done")
    elif outcome.pending is not None:
        _say(visible(outcome.reason or "waiting for the IC's approval"))
    else:
        _say(f"refused: {visible(outcome.reason or '')}")
