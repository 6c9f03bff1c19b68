"""``TeamServer``: serves a team game day's event stream to network seats (protocol version 2,
TLS by default) and hands each seat's permitted commands to the host's engine, naming the person
and the seat.

Roles (``tui.link.roles``): a seat may send what the rows of ``simulator.protocol.ROLE_TABLE``
for the roles it holds allow (its own, and those the IC handed its person); every seat is told
who holds what (``roles``). A command those rows hold for approval (the technical lead's
diagnostics and mitigations) waits as a numbered request: the seats that approve are asked
(``request``), and their ``decision`` applies it as the requester's, naming the approver, or
denies it with the reason (nothing journalled).

Security: a connection is answered only after a ``hello`` with a valid join code or session
token (anything else first closes it silently; wrong codes are rate-limited per address); each
seat's commands are rate-limited and checked against the roles table before anything reaches
the engine; the connections are capped; a slow reader is dropped once
``client_buffer`` bytes behind (it reconnects with its token and catches up), never delaying
the other seats. Plaintext is refused unless the caller asks for it on a loopback address.
Asyncio only; must not import Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import ssl
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from simulator import commands as cmd
from simulator import protocol as p
from simulator.events import ActionAccepted, ActionRejected, Event, InjectDelivered, ScenarioEnded
from simulator.journal import Header
from tui.link.common import CLIENT_BUFFER, LinkError, log
from tui.link.roles import Holdings, RequestBook, still_allowed
from tui.link.seats import Seat, SeatError, SeatTable

SeatCommandHandler = Callable[[cmd.Command, Seat], tuple[bool, str | None]]
"""Applies a command from a seat allowed to send it: ``(accepted, reason)``."""

ApprovedHandler = Callable[[cmd.Command, Seat, str], tuple[bool, str | None]]
"""Applies a held command the IC approved, naming the requester's seat and who approved it."""
RefusalHandler = Callable[[Seat, Mapping[str, Any], str], None]
"""Hears of a command the host refused before the engine (the seat, the command, the reason)."""

MAX_CONNECTIONS = 64
"""Open connections at most (authenticated or not); more are closed at once."""

HELLO_WITHIN = 10.0
"""Seconds a new connection has to say ``hello`` with a code or token."""

_CATCH_UP_LINES = 256


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Peer:
    def __init__(self, writer: asyncio.StreamWriter, address: str) -> None:
        self.writer = writer
        self.address = address
        self.seat: Seat | None = None
        self.cursor = 0
        self.live = False
        self.closed = False
        self.catch_up: asyncio.Task[None] | None = None

    def write(self, data: bytes) -> None:
        if not self.closed:
            self.writer.write(data)

    def send(self, message: p.Message) -> None:
        self.write(p.encode(message))

    def end(self, reason: str) -> None:
        if not self.closed:
            self.send(p.Ended(v=p.NETWORK_VERSION, reason=reason))
            self.close()

    def close(self) -> None:
        self._stop()
        self.writer.close()

    def abort(self) -> None:
        self._stop()
        self.writer.transport.abort()

    def _stop(self) -> None:
        self.closed = True
        self.live = False
        if self.catch_up is not None and self.catch_up is not asyncio.current_task():
            self.catch_up.cancel()


class TeamServer:
    """Serves one exercise to its network seats."""

    on_refused: RefusalHandler | None = None
    """Told of each command refused before the engine (the roles table, the send rate), for the
    facilitator's view of the seats; such commands are never journalled."""

    def __init__(
        self,
        header: Header,
        seats: SeatTable,
        on_command: SeatCommandHandler,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None,
        plaintext_for_tests: bool = False,
        client_buffer: int = CLIENT_BUFFER,
        max_connections: int = MAX_CONNECTIONS,
        clock: Callable[[], float] | None = None,
        scenario_start: datetime | None = None,
    ) -> None:
        """Prepare the server; nothing listens until ``start``.

        Args:
            header: The exercise's journal header (sent in ``welcome``).
            seats: The seats, their codes and tokens.
            on_command: Applies a permitted command (on the event loop's thread).
            host: Address to listen on.
            port: Port (0: any free one; ``port`` says which after ``start``).
            tls: The host's TLS context; ``None`` only with ``plaintext_for_tests``.
            plaintext_for_tests: Serve without TLS (refused unless ``host`` is loopback).
            client_buffer: Bytes a seat may fall behind before it is dropped.
            max_connections: Open connections at most.
            clock: Monotonic seconds (the rate limits); the event loop's by default.
            scenario_start: The scenario's clock at T+0 (sent in ``welcome``: seats show
                times with it).
        """
        if tls is None and not plaintext_for_tests:
            raise LinkError("network seats need TLS")
        if tls is None and not is_loopback(host):
            raise LinkError(
                f"plaintext seats are only for tests on the loopback interface, not {host}"
            )
        self.header = header
        self.seats = seats
        self.on_command = on_command
        self.host = host
        self.port = port
        self.tls = tls
        self.client_buffer = client_buffer
        self.max_connections = max_connections
        self._clock = clock
        self.scenario_start = scenario_start
        self._header = header.to_dict()
        self._headers: list[dict[str, Any]] = [self._header]
        """Each branch's header, by generation (a seat that missed a rewind is moved on)."""
        self._backlog: list[bytes] = []
        self._aimed: dict[int, tuple[str, bytes]] = {}
        """For each event aimed at one role (by ``seq``): the role, and the line other seats get."""
        self._peers: set[_Peer] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._ended: str | None = None
        self._closed = False
        self.dropped_slow = 0
        """Seats dropped for falling behind (they reconnect and catch up)."""
        self.holdings = Holdings(seats)
        """Who holds which role: each seat's own and those the IC handed (``tui.link.roles``)."""
        self.requests = RequestBook()
        """The commands held for the IC's approval."""
        self.on_approved: ApprovedHandler | None = None
        """Applies an approved request (``on_command`` without the approver when unset)."""
        self.on_seated: Callable[[Seat], None] | None = None
        """Called when a person first takes a seat (the host journals who holds what)."""

    # ------------------------------------------------------------------ lifetime

    async def start(self) -> None:
        """Listen.

        Raises:
            LinkError: the address cannot be used.
        """
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        try:
            self._server = await asyncio.start_server(
                self._serve,
                self.host,
                self.port,
                ssl=self.tls,
                limit=p.MAX_LINE_BYTES + 1,
                ssl_handshake_timeout=HELLO_WITHIN if self.tls is not None else None,
            )
        except OSError as exc:
            raise LinkError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from None
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("link: serving %s on %s:%d", self.header.scenario, self.host, self.port)

    async def close(self) -> None:
        """Say ``ended`` to every seat and stop listening (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._server is not None:
            self._server.close()
        reason = self._ended or "closed"
        for peer in list(self._peers):
            if peer.seat is not None:
                peer.end(reason)
            else:
                peer.abort()
        if self._tasks:
            _, stuck = await asyncio.wait(set(self._tasks), timeout=1.0)
            for task in stuck:
                task.cancel()
            for peer in list(self._peers):
                peer.abort()
            if stuck:
                await asyncio.wait(stuck, timeout=1.0)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    def _now(self) -> float:
        if self._clock is not None:
            return self._clock()
        assert self._loop is not None
        return self._loop.time()

    # ------------------------------------------------------------------ the stream

    @property
    def events_total(self) -> int:
        """Events published so far."""
        return len(self._backlog)

    def connected(self) -> dict[str, int]:
        """Open authenticated connections per seat id."""
        out: dict[str, int] = {}
        for peer in self._peers:
            if peer.seat is not None and not peer.closed:
                out[peer.seat.id] = out.get(peer.seat.id, 0) + 1
        return out

    def publish(self, event: Event) -> None:
        """Keep an event and write it to every caught-up seat; never blocks (from any thread)."""
        loop = self._loop
        if loop is not None and threading.get_ident() != self._thread and not loop.is_closed():
            loop.call_soon_threadsafe(self.publish, event)
            return
        seq = len(self._backlog)
        line = p.encode_event(seq, event, p.NETWORK_VERSION)
        self._backlog.append(line)
        self._keep_aimed(seq, event)
        for peer in list(self._peers):
            if not peer.live:
                continue
            peer.write(self._line_for(peer, seq))
            if peer.writer.transport.get_write_buffer_size() > self.client_buffer:
                log.warning("link: seat %s fell too far behind; dropping it", _name(peer))
                self.dropped_slow += 1
                peer.abort()
        if isinstance(event, ScenarioEnded):
            self._ended = event.reason
            for peer in list(self._peers):
                if peer.live:
                    peer.end(event.reason)

    def rewind(self, header: Header, events: list[Event]) -> None:
        """Serve a branch instead: every seat gets ``branch`` and the branch's stream from 0."""
        self.header = header
        self._header = header.to_dict()
        self._headers.append(self._header)
        self._ended = None
        self._backlog = [p.encode_event(i, e, p.NETWORK_VERSION) for i, e in enumerate(events)]
        self._roles_rewound(events)
        self._aimed = {}
        for i, e in enumerate(events):
            self._keep_aimed(i, e)
        for peer in list(self._peers):
            if peer.seat is None or peer.closed:
                continue
            if peer.catch_up is not None and not peer.catch_up.done():
                peer.catch_up.cancel()
            peer.live = False
            peer.send(
                p.Branch(v=p.NETWORK_VERSION, session=self._header, events_total=len(self._backlog))
            )
            peer.cursor = 0
            peer.catch_up = asyncio.create_task(self._catch_up(peer))

    def revoke(self, ident: str) -> None:
        """Revoke a seat and close its connections; its pending requests are withdrawn (all of
        them when no seat approves any more) and every other seat is told who holds what now.

        Raises:
            SeatError: no such seat.
        """
        seat = self.seats.revoke(ident)
        withdrawn = self.requests.withdraw_all("the facilitator revoked the seat", seat)
        if not self.holdings.approvers():
            withdrawn += self.requests.withdraw_all(
                "the facilitator revoked the seat that approves"
            )
        for request in withdrawn:
            self._team_send(request.message(), self._request_to(request.seat))
        for peer in list(self._peers):
            if peer.seat is not None and peer.seat.id == ident:
                peer.send(
                    p.Error(
                        v=p.NETWORK_VERSION,
                        message="the facilitator revoked this seat",
                        fatal=True,
                    )
                )
                peer.close()
        self.roles_changed()

    def drop_clients(self) -> None:
        """Drop every connection without ``ended``: the seats reconnect and catch up."""
        for peer in list(self._peers):
            peer.abort()

    # ------------------------------------------------------------------ one connection

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peername = writer.get_extra_info("peername")
        address = str(peername[0]) if isinstance(peername, tuple) and peername else "?"
        peer = _Peer(writer, address)
        if len(self._peers) >= self.max_connections or self._closed:
            peer.abort()
            return
        task = asyncio.current_task()
        self._peers.add(peer)
        if task is not None:
            self._tasks.add(task)
        try:
            await self._converse(peer, reader)
        except (ConnectionError, OSError, ssl.SSLError):
            pass
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("link: a seat's connection failed")
        finally:
            self._peers.discard(peer)
            if task is not None:
                self._tasks.discard(task)
            if peer.seat is not None and not any(
                q.seat is peer.seat and not q.closed for q in self._peers
            ):
                peer.seat.connected = False
            if not peer.closed:
                peer.close()

    async def _converse(self, peer: _Peer, reader: asyncio.StreamReader) -> None:
        while not peer.closed:
            try:
                if peer.seat is None:
                    async with asyncio.timeout(HELLO_WITHIN):
                        line = await reader.readuntil(b"\n")
                else:
                    line = await reader.readuntil(b"\n")
            except (asyncio.IncompleteReadError, TimeoutError):
                return
            except asyncio.LimitOverrunError:
                if peer.seat is not None:
                    message = f"line is over the {p.MAX_LINE_BYTES} byte limit"
                    peer.send(p.Error(v=p.NETWORK_VERSION, message=message, fatal=True))
                return
            try:
                message_in = p.decode_client(line, p.NETWORK_VERSION)
            except p.ProtocolError as exc:
                if peer.seat is None and "not supported here" not in exc.message:
                    return  # nothing is answered before authentication
                peer.send(p.Error(v=p.NETWORK_VERSION, message=exc.message, fatal=exc.fatal))
                if exc.fatal:
                    return
                continue
            if not self._handle(peer, message_in):
                return

    def _handle(self, peer: _Peer, message: p.ClientMessage) -> bool:
        """Answer one message; ``False`` ends the connection."""
        if isinstance(message, p.Hello):
            return self._hello(peer, message)
        seat = peer.seat
        if seat is None:
            return False  # nothing but hello is answered before authentication
        if isinstance(message, p.Ping):
            peer.send(p.Pong(v=p.NETWORK_VERSION))
            return True
        if not self.seats.allow_command(seat, self._now()):
            limit = (
                f"too many commands: at most {self.seats.commands_per_window} "
                f"per {self.seats.window:g}s"
            )
            peer.send(p.Outcome(v=p.NETWORK_VERSION, id=message.id, accepted=False, reason=limit))
            asked = message.command if isinstance(message, p.CommandMessage) else {"do": "decide"}
            self._tell_refused(seat, asked, limit)
            return True
        if isinstance(message, p.Decision):
            peer.send(self._decide(seat, message))
            return True
        try:
            command, held = p.authorize_held(self.holdings.roles_of(seat), message.command)
        except p.Refused as exc:
            peer.send(
                p.Outcome(v=p.NETWORK_VERSION, id=message.id, accepted=False, reason=str(exc))
            )
            self._tell_refused(seat, message.command, str(exc))
            return True
        if held:
            peer.send(self._hold(command, seat, message.id))
            return True
        reason: str | None
        try:
            accepted, reason = self.on_command(command, seat)
        except Exception as exc:
            log.exception("link: applying %s failed", command.describe())
            accepted, reason = False, f"the host could not apply it: {exc}"
        peer.send(p.Outcome(v=p.NETWORK_VERSION, id=message.id, accepted=accepted, reason=reason))
        return True

    def _hello(self, peer: _Peer, hello: p.Hello) -> bool:
        if peer.seat is not None:
            text = f"hello was already said (this is the {peer.seat.id} seat)"
            peer.send(p.Error(v=p.NETWORK_VERSION, message=text))
            return True
        try:
            if hello.token is not None:
                seat = self.seats.resume(hello.token, peer.address, self._now())
            else:
                assert hello.code is not None  # the message's validator requires one
                seat = self.seats.redeem(hello.code, hello.name, peer.address, self._now())
        except SeatError as exc:
            peer.send(p.Error(v=p.NETWORK_VERSION, message=str(exc), fatal=True))
            return False
        total = len(self._backlog)
        current = len(self._headers) - 1
        followed = hello.branch or 0
        missed = hello.token is not None and followed < current
        if hello.since > total and not missed:
            text = (
                f"the seat holds {hello.since} events but this exercise has published {total}: "
                "it is following another exercise"
            )
            peer.send(p.Error(v=p.NETWORK_VERSION, message=text, fatal=True))
            return False
        peer.seat = seat
        seat.connected = True
        peer.send(
            p.Welcome(
                v=p.NETWORK_VERSION,
                session=self._headers[followed] if missed else self._header,
                events_total=total,
                role=seat.role,
                seat=seat.id,
                person=seat.person,
                token=seat.token,
                scenario_start=(
                    None if self.scenario_start is None else self.scenario_start.isoformat()
                ),
            )
        )
        self._welcomed(peer, seat, first=hello.token is None)
        if not hello.follow:
            return False
        peer.cursor = hello.since
        if missed:  # the seat was away when the facilitator rewound: it follows the branch now
            peer.send(p.Branch(v=p.NETWORK_VERSION, session=self._header, events_total=total))
            peer.cursor = 0
        peer.catch_up = asyncio.create_task(self._catch_up(peer))
        return True

    async def _catch_up(self, peer: _Peer) -> None:
        """The backlog from the seat's cursor, then live (no gap, no duplicate: nothing is
        awaited between reaching the end of the backlog and going live)."""
        try:
            while peer.cursor < len(self._backlog) and not peer.closed:
                end = min(len(self._backlog), peer.cursor + _CATCH_UP_LINES)
                peer.write(self._lines_for(peer, peer.cursor, end))
                peer.cursor = end
                await peer.writer.drain()
            if peer.closed:
                return
            peer.live = True
            if self._ended is not None:
                peer.end(self._ended)
        except (ConnectionError, OSError):
            peer.abort()

    # ------------------------------------------------------------------ roles and approvals

    def _team_send(self, message: p.Roles | p.Request, to: set[str] | None = None) -> None:
        """Say ``message`` to the seats ``to`` names (every seat when ``None``)."""
        for peer in list(self._peers):
            if peer.seat is not None and not peer.closed and (to is None or peer.seat.id in to):
                peer.send(message)

    def _welcomed(self, peer: _Peer, seat: Seat, *, first: bool) -> None:
        """Tell a seat who holds what (everyone, when a person first takes a seat) and, when it
        approves, the requests waiting for it."""
        if first:
            if self.on_seated is not None:
                self.on_seated(seat)
            self._team_send(self.holdings.message())
        else:
            peer.send(self.holdings.message())
        mine = self.holdings.can_approve(seat)
        for request in self.requests.pending():
            if mine or request.seat is seat:
                peer.send(request.message())

    def roles_changed(self) -> None:
        """Tell every seat who holds what now (after the IC handed a role or took one back)."""
        self._team_send(self.holdings.message())

    def _request_to(self, request_seat: Seat) -> set[str]:
        return {s.id for s in self.holdings.approvers()} | {request_seat.id}

    def _hold(self, command: cmd.Command, seat: Seat, ident: int) -> p.Outcome:
        """Hold a command for the IC's approval and ask the seats that approve."""
        if not self.holdings.approvers():
            reason = (
                f"{command.describe()} needs the IC's approval, and no seat of this exercise "
                "approves"
            )
            return p.Outcome(v=p.NETWORK_VERSION, id=ident, accepted=False, reason=reason)
        request = self.requests.hold(command, seat)
        self._team_send(request.message(), self._request_to(seat))
        log.info("link: request %d held for approval", request.number)
        return p.Outcome(
            v=p.NETWORK_VERSION,
            id=ident,
            accepted=False,
            reason=f"waiting for the IC's approval (request {request.number})",
            pending=request.number,
        )

    def _decide(self, seat: Seat, decision: p.Decision) -> p.Outcome:
        """Approve or deny a held request from a seat that approves."""

        def refused(reason: str) -> p.Outcome:
            return p.Outcome(v=p.NETWORK_VERSION, id=decision.id, accepted=False, reason=reason)

        if not self.holdings.can_approve(seat):
            return refused(
                f"{'an' if seat.role[0] in 'aeiou' else 'a'} {seat.role} seat does not approve requests"
            )
        held = self.requests.requests.get(decision.request)
        if held is None or held.state != "pending":
            state = "there is no such request" if held is None else f"it was already {held.state}"
            return refused(f"request {decision.request}: {state}")
        who = seat.person or seat.id
        if not decision.approve:
            reason = decision.reason or "the IC denied it"
            self.requests.settle(held.number, "denied", reason=reason, decided_by=who)
            self._team_send(held.message(), self._request_to(held.seat))
            return p.Outcome(v=p.NETWORK_VERSION, id=decision.id, accepted=True)
        if held.seat.revoked or not still_allowed(self.holdings.roles_of(held.seat), held.command):
            reason = f"{held.seat.person or held.seat.id} no longer holds a role that may send it"
            self.requests.settle(held.number, "withdrawn", reason=reason, decided_by=who)
            self._team_send(held.message(), self._request_to(held.seat))
            return refused(f"request {held.number}: {reason}")
        try:
            if self.on_approved is not None:
                accepted, why = self.on_approved(held.command, held.seat, who)
            else:
                accepted, why = self.on_command(held.command, held.seat)
        except Exception as exc:
            log.exception("link: applying request %d failed", held.number)
            accepted, why = False, f"the host could not apply it: {exc}"
        self.requests.settle(
            held.number, "approved", reason=None if accepted else why, decided_by=who
        )
        self._team_send(held.message(), self._request_to(held.seat))
        return p.Outcome(v=p.NETWORK_VERSION, id=decision.id, accepted=accepted, reason=why)

    def _roles_rewound(self, events: list[Event]) -> None:
        """After a rewind: hold what the branch says was held; withdraw what was waiting."""
        self.holdings.restore(events)
        for request in self.requests.withdraw_all("the facilitator rewound the exercise"):
            self._team_send(request.message(), self._request_to(request.seat))
        self.roles_changed()

    # ------------------------------------------------------------------ aimed injects

    def _keep_aimed(self, seq: int, event: Event) -> None:
        """Keep, for an event aimed at one role, the line the other roles' seats get instead."""
        to = _audience(event)
        if to is None:
            return
        other = next(r for r in p.ROLES if r != to)
        hidden = p.for_role(event, other)
        if hidden is not None:
            self._aimed[seq] = (to, p.encode_event(seq, hidden, p.NETWORK_VERSION))

    def _line_for(self, peer: _Peer, seq: int) -> bytes:
        """Event ``seq``'s line as ``peer``'s seat may read it."""
        aimed = self._aimed.get(seq)
        if aimed is None or (
            peer.seat is not None and aimed[0] in self.holdings.roles_of(peer.seat)
        ):
            return self._backlog[seq]
        return aimed[1]

    def _lines_for(self, peer: _Peer, start: int, end: int) -> bytes:
        """Events ``start`` to ``end`` (excluded) as ``peer``'s seat may read them."""
        if not any(start <= seq < end for seq in self._aimed):
            return b"".join(self._backlog[start:end])
        return b"".join(self._line_for(peer, seq) for seq in range(start, end))

    def _tell_refused(self, seat: Seat, command: Mapping[str, Any], reason: str) -> None:
        if self.on_refused is not None:
            self.on_refused(seat, command, reason)


def _audience(event: Event) -> str | None:
    """The one role an aimed inject (or the command that fired it) is for, if any."""
    if isinstance(event, InjectDelivered):
        return event.to
    if isinstance(event, ActionAccepted | ActionRejected) and event.command.get("do") in cmd.AIMED:
        to = event.command.get("to")
        return to if isinstance(to, str) else None
    return None


def _name(peer: _Peer) -> str:
    return peer.seat.id if peer.seat is not None else peer.address
