"""``warroom join`` in a terminal: a participant's seat of a team game day, live.

The exercise as it happens (the transcript's lines), the seat's rejoin code (its session token:
typed into a new page, or given to ``warroom join --token``, it reopens the seat), who holds
which role and what the seat may
send (the rows of ``simulator.protocol.ROLE_TABLE`` for the roles it holds, which change when
the IC hands one), the requests the IC approves or denies (``approve N``, ``deny N REASON``),
and a command line that takes commands as JSON or a YAML
mapping; an observer's seat has no command line. Everything shown from the exercise, the host
and other people is ``rich.text.Text`` passed through ``simulator.text.visible``: no markup or
terminal escape is ever interpreted. The link reconnects and catches up by itself
(``tui.link.remote.RemoteSeat``).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label, RichLog

from simulator import events as ev
from simulator import protocol as p
from simulator.durations import format_clock
from simulator.journal import JournalError
from simulator.text import visible
from simulator.transcript import format_line
from simulator.yamlio import LoadError
from tui.headless.team import parse_decision, team_words, typed_command
from tui.link.common import LinkError
from tui.link.remote import RemoteSeat, seat_begin


class SeatApp(App[int]):
    """One participant's seat."""

    TITLE = "warroom · seat"
    CSS = """
    #seat-status { height: 1; background: $primary-darken-2; width: 100%; }
    #seat-allowed { height: auto; color: $text-muted; }
    #seat-rejoin { height: 1; color: $text-muted; }
    #seat-log { height: 1fr; }
    """
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("ctrl+q", "quit", "leave the seat")
    ]

    def __init__(self, seat: RemoteSeat) -> None:
        """Follow the exercise through ``seat`` (not connected yet)."""
        super().__init__()
        self.seat = seat
        self.state = "joining"
        self.replayed_until = -1.0
        self.begin: datetime | None = None

    def compose(self) -> ComposeResult:
        yield Label(Text("joining…"), id="seat-status")
        yield Label(Text(""), id="seat-rejoin")
        yield RichLog(id="seat-log", markup=False, highlight=False, wrap=True)
        yield Label(Text(""), id="seat-allowed")
        yield Input(placeholder='{do: note, text: "what I see"}', id="seat-input")

    def on_mount(self) -> None:
        self._follow()

    def _status(self, text: str) -> None:
        self.query_one("#seat-status", Label).update(Text(visible(text, multiline=False)))

    def _show(self, text: str) -> None:
        self.query_one("#seat-log", RichLog).write(Text(visible(text)))

    @work(exclusive=True, group="link")
    async def _follow(self) -> None:
        try:
            welcome = await self.seat.connect()
        except LinkError as exc:
            self.exit(1, message=f"warroom: error: {exc}")
            return
        try:
            self.begin = seat_begin(welcome)
        except (JournalError, LoadError) as exc:
            await self.seat.close()
            self.exit(1, message=f"warroom: error: {exc}")
            return
        role = welcome.role
        self._allowed([role])
        if welcome.token is not None:
            rejoin = f"rejoin code (to take this seat again if the page or terminal closes): {welcome.token}"
            self.query_one("#seat-rejoin", Label).update(Text(visible(rejoin, multiline=False)))
        who = f"{welcome.person} · {role} seat {welcome.seat} · {welcome.header().scenario}"
        self._status(who)
        try:
            async for message in self.seat.messages():
                if isinstance(message, p.EventMessage):
                    event = ev.event_from_dict(message.event)
                    if event.t > self.replayed_until and self.begin is not None:
                        shown = format_line(event, self.begin)
                        if shown is not None:
                            self._show(shown)
                    self._status(f"{who} · {format_clock(event.t)}")
                elif isinstance(message, p.Branch):
                    parent = message.session.get("extra", {}).get("parent", {})
                    at = parent.get("at") if isinstance(parent, dict) else None
                    self.replayed_until = float(at) if isinstance(at, int | float) else -1.0
                    self._show(f"the facilitator rewound the exercise to {format_clock(at or 0)}")
                elif isinstance(message, p.Roles | p.Request):
                    roles = self.seat.held_roles
                    if isinstance(message, p.Roles):
                        self._allowed(roles)
                    approver = any(p.ROLE_TABLE[r].approves for r in roles)
                    self._show(team_words(message, approver=approver))
                elif isinstance(message, p.Welcome) and self.seat.reconnects:
                    self._show(f"reconnected (×{self.seat.reconnects}); caught up")
                elif isinstance(message, p.Ended):
                    self._show(f"the exercise ended ({message.reason}); ctrl+q leaves")
                    self._status(f"{who} · ended")
        except LinkError as exc:
            self._show(f"the link to the host was lost: {exc}")
            self._status(f"{who} · link lost")

    def _allowed(self, roles: list[p.Role]) -> None:
        """Say what the roles the seat holds may send (the roles table's rows)."""
        allowed = sorted(set[str]().union(*(p.ROLE_COMMANDS[r] for r in roles)))
        approves = any(p.ROLE_TABLE[r].approves for r in roles)
        held = ", ".join(roles)
        text = (
            f"you hold {held}; you may send: {', '.join(allowed)}"
            + ("; answer requests: approve N | deny N REASON" if approves else "")
            if allowed
            else "observer: read-only (you watch the exercise)"
        )
        self.query_one("#seat-allowed", Label).update(Text(visible(text, multiline=False)))
        field = self.query_one("#seat-input", Input)
        field.display = bool(allowed)
        if allowed:
            field.focus()

    @on(Input.Submitted, "#seat-input")
    async def _submitted(self, message: Input.Submitted) -> None:
        line = message.value.strip()
        message.input.value = ""
        if line:
            self._send(line)

    @work(group="commands")
    async def _send(self, line: str) -> None:
        try:
            decision = parse_decision(line)
            if decision is not None:
                number, approve, reason = decision
                answer = await self.seat.decide(number, approve, reason)
                if not answer.accepted:
                    self._show(f"refused: {answer.reason or ''}")
                return
            command, _ = self.seat.authorize(typed_command(line))
        except (ValueError, p.Refused) as exc:
            self._show(f"refused: {exc}")
            return
        except LinkError as exc:
            self._show(f"not sent: {exc}")
            return
        try:
            outcome = await self.seat.send(command)
        except LinkError as exc:
            self._show(f"not sent: {exc}")
            return
        if outcome.pending is not None:
            self._show(outcome.reason or "waiting for the IC's approval")
        elif not outcome.accepted:
            self._show(f"refused: {outcome.reason or ''}")

    async def on_unmount(self) -> None:
        await self.seat.close()


def run_seat(seat: RemoteSeat) -> int:
    """Run the seat in this terminal until the participant leaves."""
    return SeatApp(seat).run() or 0
