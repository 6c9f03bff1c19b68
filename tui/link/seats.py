"""The seats of a team game day: one random join code per seat (spent once), a session token for
reconnects (shown to the person as their rejoin code: a reloaded page or a restarted
``warroom join --token`` reopens the seat with it), revocation, and the limits on wrong codes
and tokens and on each seat's commands.

Pure bookkeeping with the clock passed in: no I/O, no Textual, no asyncio.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from simulator.protocol import ROLES, Role
from simulator.text import normalise_name

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Join code characters: no 0/O or 1/I to misread when a code is read out."""

DEFAULT_ROLES: tuple[Role, ...] = ("ic", "comms", "scribe", "tech", "observer")
"""The seats ``warroom host`` opens when ``--roles`` is not given."""


class SeatError(Exception):
    """A code, token or role list that is not accepted; the message is shown to the peer."""


def new_code(groups: int = 3) -> str:
    """A join code: 12 random characters (60 bits) in three groups, ``K7QX-M2PD-9TRA``; with
    ``groups=5``, a session token (100 bits)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4 * groups))
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


TOKEN_GROUPS = 5
"""A session token is five groups of four (``new_code(TOKEN_GROUPS)``): a person can read it
off their seat's screen and type it back as their rejoin code."""


def is_token(text: str) -> bool:
    """Whether typed text has a session token's shape (five groups), not a join code's."""
    return text.strip().count("-") == TOKEN_GROUPS - 1


def parse_roles(text: str) -> list[Role]:
    """``ic,comms,scribe`` as roles (a role may repeat: ``observer,observer``).

    Raises:
        SeatError: an unknown role, the facilitator (who sits at the host), or none at all.
    """
    roles: list[Role] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part == "facilitator":
            raise SeatError("the facilitator sits at the host: it is not a seat to join")
        match = next((r for r in ROLES if r == part), None)
        if match is None:
            known = ", ".join(r for r in ROLES if r != "facilitator")
            raise SeatError(f"unknown role {part!r} (roles: {known})")
        roles.append(match)
    if not roles:
        raise SeatError("no roles given")
    return roles


@dataclass
class Seat:
    """One seat: its role, its code until spent, the token and person once joined."""

    id: str
    """``ic``, ``comms``, ``observer-2`` …"""
    role: Role
    code: str
    token: str | None = None
    person: str | None = None
    spent: bool = False
    revoked: bool = False
    connected: bool = False
    last_action: str | None = None
    """What the person last did (``T+12:05 post_update: …``), for the facilitator's view."""
    sent: deque[float] = field(default_factory=deque)
    """When the seat's recent commands arrived (the send rate limit)."""


class SeatTable:
    """Every seat of one exercise."""

    def __init__(
        self,
        roles: Iterable[Role],
        *,
        commands_per_window: int = 20,
        window: float = 10.0,
        wrong_codes: int = 5,
        lockout: float = 30.0,
    ) -> None:
        """Make a seat, with its own code, for each role.

        Args:
            roles: One role per seat.
            commands_per_window: Commands a seat may send per ``window`` seconds.
            window: The send rate limit's window.
            wrong_codes: Wrong codes or tokens one address may try per ``lockout`` seconds.
            lockout: The wrong-code window.
        """
        self.seats: dict[str, Seat] = {}
        counts: dict[str, int] = {}
        for role in roles:
            counts[role] = counts.get(role, 0) + 1
            ident = role if counts[role] == 1 else f"{role}-{counts[role]}"
            self.seats[ident] = Seat(ident, role, new_code())
        self.commands_per_window = commands_per_window
        self.window = window
        self.wrong_codes = wrong_codes
        self.lockout = lockout
        self._failures: dict[str, deque[float]] = {}

    def locked_out(self, address: str, now: float) -> bool:
        """Whether ``address`` tried too many wrong codes recently."""
        recent = self._failures.get(address)
        if not recent:
            return False
        while recent and now - recent[0] > self.lockout:
            recent.popleft()
        return len(recent) >= self.wrong_codes

    def _fail(self, address: str, now: float, message: str) -> SeatError:
        self._failures.setdefault(address, deque()).append(now)
        return SeatError(message)

    def redeem(self, code: str, name: str | None, address: str, now: float) -> Seat:
        """The seat a code opens, spending the code and issuing the seat's token.

        Raises:
            SeatError: too many wrong codes from ``address``, an unknown, spent or revoked code,
                or a name the records' rule refuses (``simulator.text.normalise_name``).
        """
        if self.locked_out(address, now):
            raise SeatError(f"too many wrong codes: wait {self.lockout:g}s and try again")
        if name is not None:
            try:
                name = normalise_name(name, "a name")
            except ValueError as exc:
                raise SeatError(str(exc)) from None
        seat = next((s for s in self.seats.values() if secrets.compare_digest(s.code, code)), None)
        if seat is None:
            raise self._fail(address, now, "this join code is not one of this exercise's")
        if seat.revoked:
            raise self._fail(address, now, f"the {seat.id} seat was revoked by the facilitator")
        if seat.spent:
            raise self._fail(
                address, now, "this join code was already used (a seat rejoins with its token)"
            )
        seat.spent = True
        seat.token = new_code(TOKEN_GROUPS)
        seat.person = name or seat.id
        return seat

    def resume(self, token: str, address: str, now: float) -> Seat:
        """The seat a session token reopens (a reconnect).

        Raises:
            SeatError: too many wrong attempts, an unknown token, or the seat was revoked.
        """
        if self.locked_out(address, now):
            raise SeatError(f"too many wrong codes: wait {self.lockout:g}s and try again")
        seat = next(
            (
                s
                for s in self.seats.values()
                if s.token is not None and secrets.compare_digest(s.token, token)
            ),
            None,
        )
        if seat is None:
            raise self._fail(address, now, "this session token is not one of this exercise's")
        if seat.revoked:
            raise SeatError(f"the {seat.id} seat was revoked by the facilitator")
        return seat

    def revoke(self, ident: str) -> Seat:
        """Revoke a seat: its code and token open nothing any more.

        Raises:
            SeatError: no such seat.
        """
        seat = self.seats.get(ident)
        if seat is None:
            raise SeatError(f"no seat {ident!r}")
        seat.revoked = True
        return seat

    def allow_command(self, seat: Seat, now: float) -> bool:
        """Count a command against the seat's send rate; ``False`` when over the limit."""
        while seat.sent and now - seat.sent[0] > self.window:
            seat.sent.popleft()
        if len(seat.sent) >= self.commands_per_window:
            return False
        seat.sent.append(now)
        return True
