"""Who holds which role in a team game day, and the commands held for the IC's approval.

``Holdings``: each seat holds its own role (the one its join code opened) and the roles the
Incident Commander handed its person with ``assign_role`` (the incident role a row of
``simulator.protocol.ROLE_TABLE`` is ``handed_as``); handing a role to someone else, to a
responder or to ``me`` takes it back from whoever it was handed to. A seat's own role is never
taken away by ``assign_role`` (the facilitator revokes a seat). ``RequestBook``: the commands a
seat sent that its roles' rows hold for approval, numbered from 1, until a seat whose role
``approves`` decides them.

Pure bookkeeping: no I/O, no asyncio, no Textual; the engine is never touched here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from simulator import commands as cmd
from simulator import protocol as p
from simulator.events import ActionAccepted, Event
from simulator.text import visible
from tui.link.seats import Seat, SeatTable

MYSELF = ("me", "self", "myself")
"""What ``assign_role``'s ``person`` may say for the IC themselves (as the engine reads it)."""


class Holdings:
    """The roles every seat holds."""

    def __init__(self, seats: SeatTable) -> None:
        """Every seat holds its own role; nothing is handed yet."""
        self.table = seats
        self.handed: dict[p.Role, str] = {}
        """Each handed role and the seat id it was handed to."""

    def roles_of(self, seat: Seat) -> list[p.Role]:
        """The roles ``seat`` holds: its own first, then those handed to it (table order)."""
        out: list[p.Role] = [seat.role]
        out += [r for r in p.ROLE_TABLE if self.handed.get(r) == seat.id and r != seat.role]
        return out

    def approvers(self) -> list[Seat]:
        """The seats (not revoked) holding a role that approves held commands."""
        return [
            s
            for s in self.table.seats.values()
            if not s.revoked and any(p.ROLE_TABLE[r].approves for r in self.roles_of(s))
        ]

    def can_approve(self, seat: Seat) -> bool:
        """Whether ``seat`` holds a role that approves."""
        return any(p.ROLE_TABLE[r].approves for r in self.roles_of(seat))

    def participant(self, name: str, sender: Seat) -> Seat | None:
        """The seat of the participant ``name`` names (``me`` is the sender), if any."""
        key = name.strip().casefold()
        if key in MYSELF:
            return sender
        return next(
            (
                s
                for s in self.table.seats.values()
                if s.person is not None and not s.revoked and s.person.casefold() == key
            ),
            None,
        )

    def hand(self, command: cmd.AssignRole, sender: Seat) -> list[Seat]:
        """Apply an accepted ``assign_role``: the role it names goes to the participant it names
        (taken back from whoever held it when it names anyone else). Returns the seats whose
        roles changed (an incident role no row is handed as changes nothing)."""
        role = p.HANDED_AS.get(command.role)
        if role is None:
            return []
        target = self.participant(command.person, sender)
        before = self.handed.get(role)
        after = None if target is None or target.role == role else target.id
        if before == after:
            return []
        if after is None:
            self.handed.pop(role, None)
        else:
            self.handed[role] = after
        return [s for s in self.table.seats.values() if s.id in (before, after)]

    def restore(self, events: Iterable[Event]) -> None:
        """Hold what the journal's ``seat_roles`` records say was held last (a rewind)."""
        self.handed.clear()
        for e in events:
            if isinstance(e, ActionAccepted) and e.command.get("do") == "seat_roles":
                seat = self.table.seats.get(str(e.command.get("seat")))
                if seat is None:
                    continue
                for role in list(self.handed):
                    if self.handed[role] == seat.id:
                        del self.handed[role]
                for role in p.ROLE_TABLE:
                    if role in e.command.get("roles", ()) and role != seat.role:
                        self.handed[role] = seat.id

    def message(self) -> p.Roles:
        """Who holds what, for every seat."""
        return p.Roles(
            v=p.NETWORK_VERSION,
            seats=[
                p.SeatHolding(seat=s.id, person=s.person, roles=self.roles_of(s))
                for s in self.table.seats.values()
                if not s.revoked
            ],
        )

    def record(self, seat: Seat) -> cmd.SeatRoles:
        """The journal's record of what ``seat``'s person holds now."""
        roles = tuple(r for r in self.roles_of(seat) if r != "facilitator")
        return cmd.SeatRoles(seat=seat.id, person=seat.person or seat.id, roles=roles)


@dataclass
class HeldRequest:
    """A command held for the IC's approval."""

    number: int
    seat: Seat
    """The requester's seat."""
    command: cmd.Command
    state: p.RequestState = "pending"
    reason: str | None = None
    decided_by: str | None = None

    def message(self) -> p.Request:
        """The request as the seats are told it."""
        person = self.seat.person or self.seat.id
        text = f"{person} ({self.seat.id}) asks to {self.command.describe()}"
        return p.Request(
            v=p.NETWORK_VERSION,
            request=self.number,
            seat=self.seat.id,
            person=person,
            command=self.command.to_dict(),
            text=visible(text, multiline=False),
            state=self.state,
            reason=self.reason,
            decided_by=self.decided_by,
        )


class RequestBook:
    """The exercise's held requests, numbered from 1."""

    def __init__(self) -> None:
        """No request yet."""
        self.requests: dict[int, HeldRequest] = {}

    def hold(self, command: cmd.Command, seat: Seat) -> HeldRequest:
        """Hold a command for approval."""
        request = HeldRequest(len(self.requests) + 1, seat, command)
        self.requests[request.number] = request
        return request

    def pending(self) -> list[HeldRequest]:
        """The requests waiting for a decision, oldest first."""
        return [r for r in self.requests.values() if r.state == "pending"]

    def settle(
        self,
        number: int,
        state: p.RequestState,
        *,
        reason: str | None = None,
        decided_by: str | None = None,
    ) -> HeldRequest:
        """Mark a pending request decided.

        Raises:
            ValueError: no such request, or it was already decided.
        """
        request = self.requests.get(number)
        if request is None:
            raise ValueError(f"there is no request {number}")
        if request.state != "pending":
            raise ValueError(f"request {number} was already {request.state}")
        request.state = state
        request.reason = reason
        request.decided_by = decided_by
        return request

    def withdraw_all(self, reason: str, seat: Seat | None = None) -> list[HeldRequest]:
        """Withdraw every pending request (a rewind), or only ``seat``'s (a revoked seat)."""
        out = [r for r in self.pending() if seat is None or r.seat is seat]
        for r in out:
            self.settle(r.number, "withdrawn", reason=reason)
        return out


def still_allowed(roles: Sequence[p.Role], command: cmd.Command) -> bool:
    """Whether a seat holding ``roles`` may still send ``command`` (checked again at approval)."""
    do = command.to_dict()["do"]
    return any(do in p.ROLE_TABLE[r].sends for r in roles)
