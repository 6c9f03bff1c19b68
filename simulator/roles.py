"""The roles of a team game day, in one table: what each is called, what it may send, what of
that waits for the IC's approval, and the incident role that hands it to a person.

The link protocol authorises every seat's command by this table (``simulator.protocol``
re-exports it) and the assessor reads it to say who was responsible for what; it lives apart
from the protocol's message models so that grading and the console need not define them. This
module must not do any I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from simulator import commands as cmd

__all__ = [
    "FACILITATOR_COMMANDS",
    "HANDED_AS",
    "ROLES",
    "ROLE_COMMANDS",
    "ROLE_TABLE",
    "SEATS",
    "SEAT_COMMANDS",
    "Role",
    "RoleRow",
    "Seat",
    "seat_role",
]

Role = Literal["ic", "scribe", "comms", "tech", "observer", "facilitator"]
"""The roles of a team game day. ``comms`` is the communications lead, ``tech`` the technical
lead or a subject-matter expert."""

ROLES: tuple[Role, ...] = get_args(Role)

Seat = Literal["facilitator", "observer"]
"""The roles a version-1 connection (the local Unix socket) may take."""

SEATS: tuple[Seat, ...] = get_args(Seat)


def _names(*classes: type[cmd.BaseCommand]) -> frozenset[str]:
    return frozenset(str(c.model_fields["do"].default) for c in classes)


FACILITATOR_COMMANDS: frozenset[str] = _names(
    cmd.FireInject, cmd.AdHocInject, cmd.StartFault, cmd.SetPace, cmd.EndExercise
)
"""The ``do`` names of the facilitator's commands."""


@dataclass(frozen=True)
class RoleRow:
    """One row of the roles table: what a role is called, what it may send and how it is
    handed."""

    title: str
    """The role in words (``Incident Commander``, ``communications lead``)."""
    sends: frozenset[str]
    """The ``do`` names its commands may have."""
    approval: frozenset[str] = frozenset()
    """Of those, the ones the host holds until a role that ``approves`` approves them."""
    approves: bool = False
    """Whether this role approves (or denies) the commands other roles send for approval."""
    handed_as: str | None = None
    """The incident role (``assign_role``'s ``role``) that hands this role to a participant;
    ``None``: it goes only with the seat."""


_DIAGNOSE_AND_MITIGATE = _names(cmd.RunDiagnostic, cmd.Delegate, cmd.ApplyMitigation)

ROLE_TABLE: dict[Role, RoleRow] = {
    "ic": RoleRow("Incident Commander", frozenset(cmd.ACTION_TYPES), approves=True),
    "scribe": RoleRow("scribe", _names(cmd.Note), handed_as="scribe"),
    "comms": RoleRow(
        "communications lead",
        _names(cmd.PostUpdate, cmd.Notify, cmd.Note),
        handed_as="comms_lead",
    ),
    "tech": RoleRow(
        "technical lead",
        _DIAGNOSE_AND_MITIGATE | _names(cmd.Note),
        approval=_DIAGNOSE_AND_MITIGATE,
        handed_as="tech_lead",
    ),
    "observer": RoleRow("observer", frozenset()),
    "facilitator": RoleRow("facilitator", FACILITATOR_COMMANDS),
}
"""The roles table, one row per role: what it may send, what of that waits for the IC's
approval (the technical lead acts on what the IC approved), who approves, and the incident role
that hands it to a person (the IC's ``assign_role``). The host checks every seat's command
against the rows of the roles the seat holds before anything reaches the engine; a command
outside them is refused with the reason and never journalled."""

ROLE_COMMANDS: dict[Role, frozenset[str]] = {role: row.sends for role, row in ROLE_TABLE.items()}
"""What each role may send (``ROLE_TABLE``'s ``sends``)."""

HANDED_AS: dict[str, Role] = {
    row.handed_as: role for role, row in ROLE_TABLE.items() if row.handed_as is not None
}
"""The team role an incident role hands (``comms_lead`` → ``comms``)."""


def seat_role(seat: str) -> str:
    """The role of a team seat's id, the role its code opened (``observer-2`` → ``observer``;
    the IC's role is never handed, so an ``ic`` seat is the IC's)."""
    return seat.split("-", 1)[0]


SEAT_COMMANDS: dict[Seat, frozenset[str]] = {seat: ROLE_COMMANDS[seat] for seat in SEATS}
"""The rows of ``ROLE_COMMANDS`` a version-1 connection may use.

The trainee's actions (``acknowledge`` …) come from the trainee's own seat, the playing
session, and never over the Unix socket from a facilitator or an observer."""
