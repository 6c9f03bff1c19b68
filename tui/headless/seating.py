"""What the host's facilitator sees of the seats of a team game day: each seat's role, the
person in it, whether they are connected, the roles they hold now, their requests waiting for
the IC's approval, their last action (refused ones marked) and what they have done, computed
from the seat table, the open connections, who holds what, the held requests, the journal's
events and the commands the host refused before the engine.

Pure data: no Textual, no I/O; the screen (``tui.screens.host``) only draws these rows.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from simulator import events as ev
from tui.link.seats import Seat

SeatState = Literal["connected", "disconnected", "not joined", "revoked"]

SEAT_ICONS: dict[str, str] = {
    "connected": "●",
    "disconnected": "○",
    "not joined": "◌",
    "revoked": "✗",
}
"""One icon per seat state, always shown beside the state's words."""


@dataclass(frozen=True)
class Refusal:
    """A command the host refused before the engine (never journalled)."""

    t: float
    """Sim time when it arrived."""
    seat: str
    command: Mapping[str, Any]
    """What the seat sent (as sent: it may not even be a valid command)."""
    reason: str


@dataclass(frozen=True)
class Waiting:
    """A seat's command held for the IC's approval, not decided yet."""

    request: int
    """The request's number (what the IC types: ``approve 2``)."""
    seat: str
    what: str
    """The command in a few words (``apply mitigation restart-ml-inference``)."""


@dataclass(frozen=True)
class LastAction:
    """A seat's latest command, accepted or refused."""

    t: float
    what: str
    """``page primary``, ``post update status_page investigating`` …"""
    refused: bool
    reason: str = ""


@dataclass(frozen=True)
class SeatRow:
    """One seat as the facilitator sees it."""

    seat: str
    role: str
    person: str | None
    """Who joined it (``None`` until someone does)."""
    code: str
    """The seat's join code (shown until someone joins)."""
    state: SeatState
    last: LastAction | None
    done: int
    """Commands the engine accepted from the seat."""
    refused: int
    """Commands refused, by the engine or by the host before it."""
    kinds: tuple[tuple[str, int], ...]
    """Accepted commands by ``do`` name, most frequent first."""
    holds: tuple[str, ...] = ()
    """The roles the seat holds now: its own, then those the IC handed its person."""
    waiting: tuple[Waiting, ...] = ()
    """Its requests waiting for the IC's approval, oldest first."""

    @property
    def handed(self) -> tuple[str, ...]:
        """The roles it holds besides its own (handed by the IC)."""
        return tuple(r for r in self.holds if r != self.role)

    @property
    def icon(self) -> str:
        """The state's icon."""
        return SEAT_ICONS[self.state]


def command_words(command: Mapping[str, Any]) -> str:
    """A command in a few words, without its free text: ``post update status_page resolved``."""
    do = command.get("do")
    name = do.replace("_", " ") if isinstance(do, str) else "(no command)"
    values = [
        str(v)
        for k, v in command.items()
        if k not in ("do", "text", "rationale", "to") and isinstance(v, str | int | float)
    ]
    to = command.get("to")
    aimed = f" to {to} only" if isinstance(to, str) else ""
    return " ".join([name, *values])[:80] + aimed


def seat_rows(
    seats: Iterable[Seat],
    connected: Container[str],
    events: Iterable[ev.Event],
    refusals: Iterable[Refusal] = (),
    *,
    holds: Mapping[str, Sequence[str]] | None = None,
    waiting: Iterable[Waiting] = (),
) -> list[SeatRow]:
    """Every seat, in the table's order, with what its person has done so far.

    Args:
        seats: The seat table's seats.
        connected: The ids of the seats with an open connection.
        events: The exercise's events (the accepted and refused actions name their seat).
        refusals: Commands refused before the engine.
        holds: The roles each seat holds now, by seat id (its own role when not given).
        waiting: The requests waiting for the IC's approval.
    """
    accepted: dict[str, dict[str, int]] = {}
    refused: dict[str, int] = {}
    last: dict[str, LastAction] = {}
    for e in events:
        if not isinstance(e, ev.ActionAccepted | ev.ActionRejected) or e.seat is None:
            continue
        if isinstance(e, ev.ActionAccepted):
            kinds = accepted.setdefault(e.seat, {})
            do = str(e.command.get("do"))
            kinds[do] = kinds.get(do, 0) + 1
            last[e.seat] = LastAction(e.t, command_words(e.command), False)
        else:
            refused[e.seat] = refused.get(e.seat, 0) + 1
            last[e.seat] = LastAction(e.t, command_words(e.command), True, e.reason)
    for r in refusals:
        refused[r.seat] = refused.get(r.seat, 0) + 1
        before = last.get(r.seat)
        if before is None or r.t >= before.t:
            last[r.seat] = LastAction(r.t, command_words(r.command), True, r.reason)
    pending: dict[str, list[Waiting]] = {}
    for w in sorted(waiting, key=lambda w: w.request):
        pending.setdefault(w.seat, []).append(w)
    rows: list[SeatRow] = []
    for seat in seats:
        state: SeatState
        if seat.revoked:
            state = "revoked"
        elif seat.id in connected:
            state = "connected"
        elif seat.person is not None:
            state = "disconnected"
        else:
            state = "not joined"
        kinds = accepted.get(seat.id, {})
        rows.append(
            SeatRow(
                seat=seat.id,
                role=seat.role,
                person=seat.person,
                code=seat.code,
                state=state,
                last=last.get(seat.id),
                done=sum(kinds.values()),
                refused=refused.get(seat.id, 0),
                kinds=tuple(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
                holds=tuple((holds or {}).get(seat.id, (seat.role,))),
                waiting=tuple(pending.get(seat.id, ())),
            )
        )
    return rows
