"""The link protocol: versioned JSON-lines messages between a playing session and its seats.

A playing session serves its event stream to other seats and takes their commands. Every
message is one JSON object on one line, with ``v`` (the protocol version) and ``type`` first.
The events are the journal's events in their journal form (``simulator.events``) and the
commands are ``simulator.commands`` models in their action-script form, so nothing is translated
on the way.

Two versions, one per transport: version 1 on the session's Unix socket (the local facilitator
console and observers; the file permissions are the authentication), version 2 on the network
(team seats over TLS: ``hello`` carries a join code or a session token, ``welcome`` names the
seat, the person and the token). Each endpoint speaks one version and refuses the other loudly.

Client to server: ``hello``, ``command``, ``ping``. Server to client: ``welcome``, ``event``
(numbered from 0), ``outcome`` (of a command, by id), ``error``, ``pong``, ``ended``.

What each role may send is decided by ``ROLE_COMMANDS``, one table. This module is pure: it
encodes, decodes and authorises, and must not do any I/O (see ``tui.link`` for the transports).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from simulator import commands as cmd
from simulator import text
from simulator.events import (
    ActionAccepted,
    ActionRejected,
    Event,
    InjectDelivered,
    dumps,
    event_from_dict,
)
from simulator.journal import Header, JournalError
from simulator.roles import (  # the roles table, by which the protocol authorises
    FACILITATOR_COMMANDS as FACILITATOR_COMMANDS,
)
from simulator.roles import (
    HANDED_AS as HANDED_AS,
)
from simulator.roles import (
    ROLE_COMMANDS as ROLE_COMMANDS,
)
from simulator.roles import (
    ROLE_TABLE as ROLE_TABLE,
)
from simulator.roles import (
    ROLES as ROLES,
)
from simulator.roles import (
    SEAT_COMMANDS as SEAT_COMMANDS,
)
from simulator.roles import (
    SEATS as SEATS,
)
from simulator.roles import (
    Role as Role,
)
from simulator.roles import (
    RoleRow as RoleRow,
)
from simulator.roles import (
    Seat as Seat,
)
from simulator.roles import (
    seat_role as seat_role,
)

VERSION: Final = 1
"""The version of the session's Unix socket (the local facilitator's attach)."""

NETWORK_VERSION: Final = 2
"""The version of network seats (TLS, join codes and session tokens)."""

Version = Literal[1, 2]

MAX_LINE_BYTES = 64 * 1024
"""Longest line a server reads from a seat (without the newline); longer ones close the link."""

MAX_SERVER_LINE_BYTES = 1024 * 1024
"""Longest line a seat reads from a server (event lines carry scenario text of any length)."""

MAX_NAME = text.MAX_NAME
"""Longest name a person may join with, in characters: the one rule for names people type."""


class ProtocolError(Exception):
    """A line that is not a valid message; ``fatal`` ones end the connection.

    Framing problems (not UTF-8, not JSON, not an object, over the length limit, no or another
    protocol version) are fatal: nothing else the peer says can be trusted. A well-formed line
    with an unknown ``type`` or bad fields is not: the peer gets an ``error`` and may go on.
    """

    def __init__(self, message: str, *, fatal: bool) -> None:
        super().__init__(message)
        self.message = message
        self.fatal = fatal


class Refused(Exception):
    """A command a seat may not send, or that is not a valid command; the reason is shown."""


# --------------------------------------------------------------------------- messages


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    v: Version = VERSION
    """Protocol version."""


class Hello(_Message):
    """A seat introduces itself; the server answers ``welcome`` and then streams events.

    Version 1 names its ``role`` (the Unix socket's permissions are the authentication).
    Version 2 carries exactly one of ``code`` (a seat's join code, spent once) or ``token``
    (the session token a ``welcome`` gave, for reconnecting), and may carry ``name``; the
    role is the seat's, never the seat's claim.
    """

    type: Literal["hello"] = "hello"
    role: Seat | None = None
    """Version 1: the seat, ``facilitator`` or ``observer``."""
    since: int = Field(default=0, ge=0)
    """How many events the seat already holds: the stream resumes at this sequence number."""
    follow: bool = True
    """``false``: answer ``welcome`` only and close (a probe, as the session finder sends)."""
    code: str | None = Field(default=None, max_length=64)
    """Version 2: the seat's join code."""
    token: str | None = Field(default=None, max_length=128)
    """Version 2: the seat's session token (a reconnect)."""
    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    """Version 2: the person's name, with a code (the seat keeps it across reconnects)."""
    branch: int | None = Field(default=None, ge=0)
    """Version 2, with a token: how many ``branch`` messages the seat has followed, so one
    that was away during a rewind is moved to the branch."""

    @model_validator(mode="after")
    def _one_way_in(self) -> Hello:
        if self.v == 1:
            extra = [f for f in ("code", "token", "name", "branch") if getattr(self, f) is not None]
            if extra:
                raise ValueError(f"{', '.join(extra)}: not in protocol version 1")
            if self.role is None:
                raise ValueError("role: Field required")
        else:
            if self.role is not None:
                raise ValueError("role: the seat's code decides the role in version 2")
            if (self.code is None) == (self.token is None):
                raise ValueError("code or token: exactly one of them")
        return self


class CommandMessage(_Message):
    """A command for the engine, answered by an ``outcome`` with the same ``id``."""

    type: Literal["command"] = "command"
    id: int = Field(ge=0, le=2**53)
    """Chosen by the seat to match the outcome."""
    command: dict[str, Any]
    """The command's JSON form, ``{"do": "fire_inject", "inject": "..."}``."""

    @field_validator("command")
    @classmethod
    def _has_do(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(value.get("do"), str):
            raise ValueError('a command is an object with a "do" name')
        return value


class Ping(_Message):
    """Are you there? Answered by ``pong``; allowed before ``hello``."""

    type: Literal["ping"] = "ping"


class Welcome(_Message):
    """The server accepts the seat: what session this is and how many events it holds."""

    type: Literal["welcome"] = "welcome"
    session: dict[str, Any]
    """The journal header (``simulator.journal.Header.to_dict``)."""
    events_total: int = Field(ge=0)
    """Events published so far; those from the seat's ``since`` on follow."""
    role: Role
    """The seat the server granted."""
    seat: str | None = None
    """Version 2: the seat's id (``comms``, ``tech-2`` …)."""
    person: str | None = None
    """Version 2: the person in the seat."""
    token: str | None = None
    """Version 2: the session token for reconnecting (the join code is spent)."""
    scenario_start: str | None = Field(default=None, max_length=40)
    """Version 2: the scenario's clock at T+0 (ISO 8601), so a seat on another machine shows
    the exercise's times without the scenario's file (a path in the header is never followed)."""

    @field_validator("scenario_start")
    @classmethod
    def _is_time(cls, value: str | None) -> str | None:
        if value is not None:
            datetime.fromisoformat(value)  # ValueError: a located protocol error
        return value

    def begin(self) -> datetime | None:
        """The scenario's clock at T+0, when the host sent it."""
        return None if self.scenario_start is None else datetime.fromisoformat(self.scenario_start)

    @field_validator("session")
    @classmethod
    def _is_header(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            Header.from_dict(value)
        except JournalError as exc:
            raise ValueError(str(exc)) from None
        return value

    def header(self) -> Header:
        """The session's journal header."""
        return Header.from_dict(self.session)


class EventMessage(_Message):
    """One event of the exercise, numbered from 0 in the order the engine emitted it."""

    type: Literal["event"] = "event"
    seq: int = Field(ge=0)
    """The event's index in the session's stream (the journal's line number minus 2)."""
    event: dict[str, Any]
    """The event's journal form (``simulator.events.Event.to_dict``)."""

    @field_validator("event")
    @classmethod
    def _is_event(cls, value: dict[str, Any]) -> dict[str, Any]:
        event_from_dict(value)
        return value

    def to_event(self) -> Event:
        """The typed event."""
        return event_from_dict(self.event)


class Outcome(_Message):
    """What became of a command."""

    type: Literal["outcome"] = "outcome"
    id: int = Field(ge=0, le=2**53)
    """The command's id."""
    accepted: bool
    """Whether the engine applied it."""
    reason: str | None = None
    """Why not, when refused (or why it waits)."""
    pending: int | None = Field(default=None, ge=1)
    """Version 2: the command waits for the IC's approval as this request (``request``
    messages say what became of it); ``accepted`` is false until then."""


class Error(_Message):
    """The seat sent something the server cannot read; ``fatal``: the server closes."""

    type: Literal["error"] = "error"
    message: str
    """What was wrong."""
    fatal: bool = False
    """Whether the server closes the connection after this."""


class Pong(_Message):
    """The answer to ``ping``."""

    type: Literal["pong"] = "pong"


class Ended(_Message):
    """No more messages: the session is over. The server closes; the seat does not reconnect."""

    type: Literal["ended"] = "ended"
    reason: str
    """The exercise's end (``completed``, ``time``, ``facilitator``), or ``closed`` when the
    playing session stopped before the exercise ended."""


class Branch(_Message):
    """Version 2: the facilitator rewound the exercise; the seat drops what it holds and reads
    the branch's stream from ``seq`` 0 (its first events replay the parent's up to the moment)."""

    type: Literal["branch"] = "branch"
    session: dict[str, Any]
    """The branch journal's header (its ``extra.parent`` names the parent)."""
    events_total: int = Field(ge=0)
    """Events the branch holds so far; they follow from ``seq`` 0."""

    @field_validator("session")
    @classmethod
    def _is_header(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            Header.from_dict(value)
        except JournalError as exc:
            raise ValueError(str(exc)) from None
        return value


class Decision(_Message):
    """Version 2: the IC's seat approves or denies a held request; answered by an ``outcome``
    with the same ``id``."""

    type: Literal["decision"] = "decision"
    id: int = Field(ge=0, le=2**53)
    """Chosen by the seat to match the outcome."""
    request: int = Field(ge=1, le=2**53)
    """The request decided."""
    approve: bool
    """Approve (the command goes to the engine) or deny."""
    reason: str | None = Field(default=None, max_length=400)
    """Why, told to the requester (a denial's reason)."""


class SeatHolding(BaseModel):
    """Who sits in one seat and the roles they hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    seat: str
    """The seat's id."""
    person: str | None = None
    """The person in it (``None`` until someone joins)."""
    roles: list[Role]
    """The roles held: the seat's own first, then those the IC handed its person."""


class Roles(_Message):
    """Version 2: who holds what, sent to every seat on joining and whenever the IC hands a
    role or takes one back. A seat may send what the rows of its roles allow."""

    type: Literal["roles"] = "roles"
    seats: list[SeatHolding]
    """Every seat, in the host's order."""


RequestState = Literal["pending", "approved", "denied", "withdrawn"]


class Request(_Message):
    """Version 2: a command held for the IC's approval, sent to the seats that approve and to
    the requester, and again when it is decided (``state``)."""

    type: Literal["request"] = "request"
    request: int = Field(ge=1)
    """The request's number in this exercise."""
    seat: str
    """The requester's seat."""
    person: str
    """The requester."""
    command: dict[str, Any]
    """The command's JSON form."""
    text: str
    """The request as one line of text (``Linus (tech) asks to apply mitigation restart``)."""
    state: RequestState = "pending"
    """Pending, or what became of it."""
    reason: str | None = None
    """Why it was denied or withdrawn, or the engine's reason for refusing an approved one."""
    decided_by: str | None = None
    """Who approved or denied it."""


ClientMessage = Hello | CommandMessage | Ping | Decision
"""What a seat sends."""

ServerMessage = Welcome | EventMessage | Outcome | Error | Pong | Ended | Branch | Roles | Request
"""What a server sends."""

Message = (
    Hello
    | CommandMessage
    | Ping
    | Decision
    | Welcome
    | EventMessage
    | Outcome
    | Error
    | Pong
    | Ended
    | Branch
    | Roles
    | Request
)

_CLIENT: dict[str, type[ClientMessage]] = {
    "hello": Hello,
    "command": CommandMessage,
    "ping": Ping,
    "decision": Decision,
}
_SERVER: dict[str, type[ServerMessage]] = {
    "welcome": Welcome,
    "event": EventMessage,
    "outcome": Outcome,
    "error": Error,
    "pong": Pong,
    "ended": Ended,
    "branch": Branch,
    "roles": Roles,
    "request": Request,
}


# --------------------------------------------------------------------------- encoding


_NETWORK_ONLY = frozenset({"decision", "roles", "request"})
"""Message types of version 2 only (team seats)."""

_OPTIONAL_KEYS = frozenset(
    {"role", "code", "token", "name", "branch", "seat", "person", "pending", "scenario_start"}
)
"""Fields written only when set, so a version-1 line reads exactly as before version 2."""


def encode(message: Message) -> bytes:
    """One line (UTF-8, newline-terminated), ``v`` and ``type`` first."""
    data = {
        k: v
        for k, v in message.model_dump(mode="json").items()
        if v is not None or k not in _OPTIONAL_KEYS
    }
    return (json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def encode_event(seq: int, event: Event, version: Version = VERSION) -> bytes:
    """The ``event`` line for an event: the same bytes as ``encode(EventMessage(...))``,
    built from the journal line without validating it again (the server's hot path)."""
    return f'{{"v":{version},"type":"event","seq":{seq},"event":{dumps(event)}}}\n'.encode()


def decode_client(line: bytes, version: Version = VERSION) -> ClientMessage:
    """Read a line a seat sent (with or without its newline) to an endpoint of ``version``.

    Raises:
        ProtocolError: the line is not a valid client message of that version.
    """
    data = _envelope(line, MAX_LINE_BYTES, tuple(_CLIENT), version)
    if data["type"] in _NETWORK_ONLY and version != NETWORK_VERSION:
        raise ProtocolError(f"{data['type']}: not in protocol version {version}", fatal=False)
    try:
        return _CLIENT[data["type"]].model_validate(data)
    except ValidationError as exc:
        raise ProtocolError(f"{data['type']}: {_problems(exc)}", fatal=False) from None


def decode_server(line: bytes, version: Version = VERSION) -> ServerMessage:
    """Read a line a server of ``version`` sent (with or without its newline).

    Raises:
        ProtocolError: the line is not a valid server message of that version.
    """
    data = _envelope(line, MAX_SERVER_LINE_BYTES, tuple(_SERVER), version)
    if data["type"] in _NETWORK_ONLY and version != NETWORK_VERSION:
        raise ProtocolError(f"{data['type']}: not in protocol version {version}", fatal=False)
    try:
        return _SERVER[data["type"]].model_validate(data)
    except ValidationError as exc:
        raise ProtocolError(f"{data['type']}: {_problems(exc)}", fatal=False) from None


def _envelope(line: bytes, limit: int, types: tuple[str, ...], expected: Version) -> dict[str, Any]:
    body = line[:-1] if line.endswith(b"\n") else line
    if len(body) > limit:
        raise ProtocolError(f"line of {len(body)} bytes is over the {limit} byte limit", fatal=True)
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"line is not UTF-8 (byte {exc.start})", fatal=True) from None
    except json.JSONDecodeError as exc:
        raise ProtocolError(
            f"line is not JSON: {exc.msg} at column {exc.colno}", fatal=True
        ) from None
    except RecursionError:
        raise ProtocolError("line is nested too deeply", fatal=True) from None
    if not isinstance(data, dict):
        raise ProtocolError("a message is a JSON object", fatal=True)
    version = data.get("v")
    if "v" not in data:
        raise ProtocolError('message has no protocol version "v"', fatal=True)
    if type(version) is not int or version != expected:
        where = {1: "the session's local socket", 2: "network seats"}[expected]
        hint = (
            "; network seats join with warroom join HOST:PORT --code CODE"
            if version == NETWORK_VERSION
            else "; update warroom on this machine"
            if version == VERSION
            else ""
        )
        raise ProtocolError(
            f"protocol version {version!r} is not supported here "
            f"({where} speak{'s' if expected == 1 else ''} {expected}{hint})",
            fatal=True,
        )
    kind = data.get("type")
    if kind not in types:
        raise ProtocolError(
            f"unknown message type {kind!r} (expected one of {', '.join(types)})", fatal=False
        )
    return data


def _problems(exc: ValidationError, *, tagged: bool = False) -> str:
    """The errors on one line; ``tagged``: the first location is a union's tag, left out."""
    parts = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"][1 if tagged else 0 :])
        parts.append(f"{where}: {err['msg']}" if where else str(err["msg"]))
    return "; ".join(parts)


# --------------------------------------------------------------------------- roles


def authorize_held(
    roles: Sequence[Role], command: Mapping[str, Any]
) -> tuple[cmd.Action | cmd.FacilitatorCommand, bool]:
    """The command a seat holding ``roles`` sent, and whether it waits for the IC's approval:
    it does when every held role that may send it lists it under ``approval``.

    Raises:
        Refused: none of the roles may send it (the reason names the first, the seat's own
            role), or the command is invalid.
    """
    do = command.get("do")
    allowing = [r for r in roles if do in ROLE_TABLE[r].sends]
    if not allowing and len(roles) > 1:
        allowed = frozenset[str]().union(*(ROLE_TABLE[r].sends for r in roles))
        shown = repr(do) if not isinstance(do, str) or len(do) <= 40 else repr(do[:40])
        raise Refused(
            f"holding {', '.join(roles)}, this seat may send {', '.join(sorted(allowed))}, "
            f"not {shown}"
        )
    first: Role = allowing[0] if allowing else (roles[0] if roles else "observer")
    return authorize(first, command), all(do in ROLE_TABLE[r].approval for r in allowing)


def authorize(role: Role, command: Mapping[str, Any]) -> cmd.Action | cmd.FacilitatorCommand:
    """The command a seat sent, if its role may send it (``ROLE_COMMANDS``) and it is valid.

    Raises:
        Refused: the role may not send commands of this kind, or the command is invalid.
    """
    do = command.get("do")
    allowed = ROLE_COMMANDS[role]
    if do not in allowed:
        who = f"{'an' if role[0] in 'aeiou' else 'a'} {role} seat"
        shown = repr(do) if not isinstance(do, str) or len(do) <= 40 else repr(do[:40])
        if not allowed:
            raise Refused(f"{who} may not send commands")
        if role == "facilitator" and do in cmd.ACTION_TYPES:
            raise Refused(
                f"{who} may not send {shown}: trainee actions come from the trainee's seat"
            )
        raise Refused(f"{who} may send {', '.join(sorted(allowed))}, not {shown}")
    try:
        return cmd.parse_command(dict(command))
    except ValidationError as exc:
        raise Refused(f"{do}: {_problems(exc, tagged=True)}") from None


# --------------------------------------------------------------------------- audiences


def for_role(event: Event, role: Role) -> Event | None:
    """The event as a seat of ``role`` may see it, or ``None`` when it sees it as it is.

    An inject the facilitator aimed at one role (``to``) reaches that role's seats whole; the
    other seats get the same event, in the same place of the stream, with its text withheld
    (so every seat holds the same number of events), and the facilitator's command that fired
    it likewise.
    """
    if isinstance(event, InjectDelivered):
        if event.to is None or event.to == role:
            return None
        return dataclasses.replace(event, text=withheld(event.to))
    if isinstance(event, ActionAccepted | ActionRejected):
        to = event.command.get("to")
        if event.command.get("do") not in cmd.AIMED or not isinstance(to, str) or to == role:
            return None
        hidden = {
            k: withheld(to) if k in ("text", "rationale") else v for k, v in event.command.items()
        }
        return dataclasses.replace(event, command=hidden)
    return None


def withheld(role: str) -> str:
    """What seats of other roles read in place of an aimed inject's text."""
    return f"(for the {role} seat only: not shown to you)"
