"""The link protocol: versioned JSON-lines messages between a playing session and its seats.

A playing session serves its event stream to other seats (the facilitator console today;
observers, and later the scribe, comms lead and responders on other machines) and takes their
commands. Every message is one JSON object on one line, with ``v`` (the protocol version) and
``type`` first. The events are the journal's events in their journal form
(``simulator.events``) and the commands are ``simulator.commands`` models in their action-script
form, so nothing is translated on the way.

Client to server: ``hello`` (which seat, how many events it already holds), ``command``,
``ping``. Server to client: ``welcome`` (the journal header and the number of events so far),
``event`` (numbered from 0), ``outcome`` (of a command, by id), ``error``, ``pong``, ``ended``.

What a seat may send is decided by ``SEAT_COMMANDS``, one table. This module is pure: it
encodes, decodes and authorises, and must not do any I/O (see ``tui.link.common`` for the transport).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from simulator import commands as cmd
from simulator.events import Event, dumps, event_from_dict
from simulator.journal import Header, JournalError

VERSION: Final = 1
"""The protocol version this warroom speaks. Any change an older peer would reject bumps it."""

MAX_LINE_BYTES = 64 * 1024
"""Longest line a server reads from a seat (without the newline); longer ones close the link."""

MAX_SERVER_LINE_BYTES = 1024 * 1024
"""Longest line a seat reads from a server (event lines carry scenario text of any length)."""

Seat = Literal["facilitator", "observer"]
"""Who a connection speaks for. Later seats (``ic``, ``scribe``, ``comms_lead``, ``responder``)
are new rows of ``SEAT_COMMANDS`` and new members here."""

FACILITATOR_COMMANDS: frozenset[str] = frozenset(
    str(c.model_fields["do"].default)
    for c in (cmd.FireInject, cmd.AdHocInject, cmd.StartFault, cmd.SetPace, cmd.EndExercise)
)
"""The ``do`` names of the facilitator's commands."""

SEAT_COMMANDS: dict[Seat, frozenset[str]] = {
    "facilitator": FACILITATOR_COMMANDS,
    "observer": frozenset(),
}
"""Roles decide what a seat may send: the ``do`` names each seat's commands may have.

The trainee's actions (``acknowledge`` …) come from the trainee's own seat, the playing
session, and never over the link from a facilitator or an observer."""

SEATS: tuple[Seat, ...] = get_args(Seat)


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
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True
    )

    v: Literal[1] = VERSION
    """Protocol version."""


class Hello(_Message):
    """A seat introduces itself; the server answers ``welcome`` and then streams events."""

    type: Literal["hello"] = "hello"
    role: Seat
    """The seat: ``facilitator`` or ``observer``."""
    since: int = Field(default=0, ge=0)
    """How many events the seat already holds: the stream resumes at this sequence number."""
    follow: bool = True
    """``false``: answer ``welcome`` only and close (a probe, as the session finder sends)."""


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
    role: Seat
    """The seat the server granted."""

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
    """Why not, when refused."""


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


ClientMessage = Hello | CommandMessage | Ping
"""What a seat sends."""

ServerMessage = Welcome | EventMessage | Outcome | Error | Pong | Ended
"""What a server sends."""

Message = Hello | CommandMessage | Ping | Welcome | EventMessage | Outcome | Error | Pong | Ended

_CLIENT: dict[str, type[ClientMessage]] = {
    "hello": Hello,
    "command": CommandMessage,
    "ping": Ping,
}
_SERVER: dict[str, type[ServerMessage]] = {
    "welcome": Welcome,
    "event": EventMessage,
    "outcome": Outcome,
    "error": Error,
    "pong": Pong,
    "ended": Ended,
}


# --------------------------------------------------------------------------- encoding


def encode(message: Message) -> bytes:
    """One line (UTF-8, newline-terminated), ``v`` and ``type`` first."""
    data = message.model_dump(mode="json")
    return (json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def encode_event(seq: int, event: Event) -> bytes:
    """The ``event`` line for an event: the same bytes as ``encode(EventMessage(...))``,
    built from the journal line without validating it again (the server's hot path)."""
    return f'{{"v":{VERSION},"type":"event","seq":{seq},"event":{dumps(event)}}}\n'.encode()


def decode_client(line: bytes) -> ClientMessage:
    """Read a line a seat sent (with or without its newline).

    Raises:
        ProtocolError: the line is not a valid client message.
    """
    data = _envelope(line, MAX_LINE_BYTES, tuple(_CLIENT))
    try:
        return _CLIENT[data["type"]].model_validate(data)
    except ValidationError as exc:
        raise ProtocolError(f"{data['type']}: {_problems(exc)}", fatal=False) from None


def decode_server(line: bytes) -> ServerMessage:
    """Read a line a server sent (with or without its newline).

    Raises:
        ProtocolError: the line is not a valid server message.
    """
    data = _envelope(line, MAX_SERVER_LINE_BYTES, tuple(_SERVER))
    try:
        return _SERVER[data["type"]].model_validate(data)
    except ValidationError as exc:
        raise ProtocolError(f"{data['type']}: {_problems(exc)}", fatal=False) from None


def _envelope(line: bytes, limit: int, types: tuple[str, ...]) -> dict[str, Any]:
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
    if type(version) is not int or version != VERSION:
        raise ProtocolError(
            f"protocol version {version!r} is not supported (this warroom speaks {VERSION})",
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


def authorize(seat: Seat, command: Mapping[str, Any]) -> cmd.Action | cmd.FacilitatorCommand:
    """The command a seat sent, if the seat may send it and it is a valid command.

    Raises:
        Refused: the seat may not send commands of this kind, or the command is invalid.
    """
    do = command.get("do")
    allowed = SEAT_COMMANDS[seat]
    if do not in allowed:
        who = f"{'an' if seat[0] in 'aeiou' else 'a'} {seat} seat"
        if not allowed:
            raise Refused(f"{who} may not send commands")
        if do in cmd.ACTION_TYPES:
            raise Refused(
                f"{who} may not send {do!r}: trainee actions come from the trainee's seat"
            )
        raise Refused(f"{who} may send {', '.join(sorted(allowed))}, not {do!r}")
    try:
        return cmd.parse_command(dict(command))
    except ValidationError as exc:
        raise Refused(f"{do}: {_problems(exc, tagged=True)}") from None
