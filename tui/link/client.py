"""``LinkClient``: a seat attached to a playing session, reconnecting and catching up without
losing or repeating an event. Asyncio only; must not import Textual."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from simulator import commands as cmd
from simulator import protocol as p
from tui.link.common import LinkError, LinkLost, log, resolve_socket

_END = object()


@dataclass(frozen=True)
class _Failure:
    error: LinkError


class _Dropped(Exception):
    """The connection is gone or unusable; reconnecting may help."""


class LinkClient:
    """A seat attached to a playing session.

    ``messages()`` yields what the server says (``welcome``, ``event``, ``outcome``,
    ``ended``); when the connection drops it reconnects with backoff and resumes from the
    events it already received, and yields the new ``welcome`` (any ``welcome`` after the first
    means the link came back). ``send`` submits a command and returns its outcome.
    """

    def __init__(
        self,
        socket_path: str | os.PathLike[str],
        role: p.Seat = "facilitator",
        *,
        since: int = 0,
        reconnect_within: float = 10.0,
        timeout: float = 5.0,
    ) -> None:
        """Prepare a seat; nothing connects until ``connect``, ``messages`` or ``send``.

        Args:
            socket_path: The session's socket, or its session directory (the socket is then
                found there with ``resolve_socket`` at each connection).
            role: The seat: ``facilitator`` or ``observer``.
            since: Events the consumer already holds (a restarted console resumes after them).
            reconnect_within: Seconds to keep trying after a drop before giving up.
            timeout: Seconds to wait for a connection, a ``welcome`` or an outcome.
        """
        self.socket_path = Path(socket_path)
        self.where = str(socket_path)
        """How error messages name the session's address."""
        self.version: p.Version = p.VERSION
        """The protocol version this seat speaks."""
        self.role: p.Seat = role
        self.reconnect_within = reconnect_within
        self.timeout = timeout
        self.events_received = since
        """Events received so far (including the ``since`` the client started with)."""
        self.welcome: p.Welcome | None = None
        """The last ``welcome``."""
        self.reconnects = 0
        """How many times the link came back after a drop."""
        self.branches = 0
        """How many times the session moved the seat to a branch (a rewind)."""
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._connected = asyncio.Event()
        self._pending: dict[int, asyncio.Future[p.Outcome]] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self._finished = False
        self._started = False
        self._connecting: asyncio.Lock | None = None

    async def connect(self) -> p.Welcome:
        """Connect and say hello (once; later calls return the current ``welcome``).

        Raises:
            LinkError: nobody answers on the socket, the server refuses the seat, or the
                session ended before it welcomed the seat.
        """
        await self._start()
        if self.welcome is None:
            raise LinkError("the session ended before it welcomed this seat")
        return self.welcome

    async def _start(self) -> None:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._closed:
                raise LinkError("the link is closed")
            if self._started:
                return
            try:
                reader = await self._open()
            except _Dropped as exc:
                raise LinkError(str(exc)) from None
            self._started = True
            if reader is None:
                self._finished = True
                self._queue.put_nowait(_END)
            else:
                self._pump = asyncio.create_task(self._run(reader))

    async def messages(self) -> AsyncIterator[p.ServerMessage]:
        """What the server says, in order, until ``ended`` or ``close``.

        Raises:
            LinkLost: the connection dropped and did not come back in time.
            LinkError: nobody answers, or the server refused the seat.
        """
        await self._start()
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            assert isinstance(
                item,
                p.Welcome | p.EventMessage | p.Outcome | p.Ended | p.Branch | p.Roles | p.Request,
            )
            yield item
            if isinstance(item, p.Ended):
                return

    async def send(self, command: cmd.Command, *, timeout: float | None = None) -> p.Outcome:
        """Submit a command and wait for its outcome.

        Raises:
            LinkError: no outcome in time, or the link dropped before it came (the command
                may still have been applied: the event stream says).
        """
        return await self.exchange(
            lambda ident: p.CommandMessage(v=self.version, id=ident, command=command.to_dict()),
            command.describe(),
            timeout=timeout,
        )

    async def exchange(
        self,
        build: Callable[[int], p.CommandMessage | p.Decision],
        what: str,
        *,
        timeout: float | None = None,
    ) -> p.Outcome:
        """Send the message ``build`` makes with a fresh id and wait for the outcome of that id.

        Raises:
            LinkError: no outcome in time, or the link dropped before it came.
        """
        limit = self.timeout if timeout is None else timeout
        await self.connect()
        ident = next(self._ids)
        future: asyncio.Future[p.Outcome] = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(limit):
                await self._connected.wait()
                if self._finished or self._writer is None:
                    raise LinkError("the link is closed")
                self._pending[ident] = future
                self._writer.write(p.encode(build(ident)))
                return await future
        except TimeoutError:
            raise LinkError(f"no answer to {what} within {limit:g}s") from None
        finally:
            self._pending.pop(ident, None)

    def reconnect(self) -> None:
        """Drop the current connection; the client reconnects and resumes (a stuck link)."""
        if self._writer is not None:
            self._writer.transport.abort()

    async def close(self) -> None:
        """Disconnect and end ``messages`` (idempotent)."""
        self._closed = True
        self._queue.put_nowait(_END)
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        self._close_writer()

    async def __aenter__(self) -> LinkClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ internals

    async def _open(self) -> asyncio.StreamReader | None:
        """Connect, say hello and read the ``welcome`` (queued for ``messages``); ``None``
        when the session answered ``ended`` instead (it is closing).

        Raises:
            _Dropped: nobody answered (worth trying again).
            LinkError: the server refused, or it is another session.
        """
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await self.dial()
                writer.write(p.encode(self.hello()))
                line = await reader.readuntil(b"\n")
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            raise _Dropped(f"no session answers on {self.where} ({_why(exc)})") from None
        except asyncio.LimitOverrunError:
            raise LinkError(f"{self.where}: the server sent an oversize line") from None
        try:
            message = p.decode_server(line, self.version)
        except p.ProtocolError as exc:
            writer.close()
            raise LinkError(f"{self.where} does not speak the link protocol: {exc}") from None
        if isinstance(message, p.Ended):
            writer.close()
            self._queue.put_nowait(message)
            return None
        if isinstance(message, p.Error):
            writer.close()
            raise LinkError(f"the session refused this seat: {message.message}")
        if not isinstance(message, p.Welcome):
            writer.close()
            raise LinkError(f"expected welcome from the session, got {message.type}")
        if self.welcome is not None and message.session != self.welcome.session:
            writer.close()
            raise LinkError(f"another session now serves {self.where}")
        self.welcome = message
        self._writer = writer
        self._connected.set()
        self._queue.put_nowait(message)
        return reader

    async def dial(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Open the connection (the session's Unix socket; a network seat opens TLS)."""
        path = resolve_socket(self.socket_path) if self.socket_path.is_dir() else self.socket_path
        return await asyncio.open_unix_connection(path, limit=p.MAX_SERVER_LINE_BYTES + 1)

    def hello(self) -> p.Hello:
        """The ``hello`` to say on each connection."""
        return p.Hello(role=self.role, since=self.events_received)

    async def _run(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                ended = await self._read(reader)
                self._connected.clear()
                self._fail_pending()
                self._close_writer()
                if ended or self._closed:
                    return
                next_reader = await self._reconnect()
                if next_reader is None:
                    return
                reader = next_reader
                self.reconnects += 1
        except LinkError as exc:
            self._queue.put_nowait(_Failure(exc))
        finally:
            self._finished = True
            self._connected.set()
            self._fail_pending()
            self._close_writer()
            self._queue.put_nowait(_END)

    async def _read(self, reader: asyncio.StreamReader) -> bool:
        """Read until the connection ends; ``True`` if the session said ``ended``."""
        while True:
            try:
                line = await reader.readuntil(b"\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
                return False
            try:
                message = p.decode_server(line, self.version)
            except p.ProtocolError as exc:
                log.warning("link: unreadable line from the session: %s", exc)
                if exc.fatal:
                    return False
                continue
            if isinstance(message, p.EventMessage):
                if message.seq < self.events_received:
                    continue
                if message.seq > self.events_received:
                    log.warning(
                        "link: event %d arrived while %d was due; resuming",
                        message.seq,
                        self.events_received,
                    )
                    return False
                self.events_received += 1
                self._queue.put_nowait(message)
            elif isinstance(message, p.Outcome):
                future = self._pending.pop(message.id, None)
                if future is not None and not future.done():
                    future.set_result(message)
                self._queue.put_nowait(message)
            elif isinstance(message, p.Ended):
                self._queue.put_nowait(message)
                return True
            elif isinstance(message, p.Error):
                if message.fatal:
                    raise LinkError(f"the session closed the link: {message.message}")
                log.warning("link: the session says: %s", message.message)
            elif isinstance(message, p.Branch):
                if self.welcome is not None:
                    self.welcome = self.welcome.model_copy(update={"session": message.session})
                self.events_received = 0
                self.branches += 1
                self._queue.put_nowait(message)
            elif isinstance(message, p.Roles | p.Request):
                self.on_team_message(message)
                self._queue.put_nowait(message)
            elif isinstance(message, p.Welcome):
                log.warning("link: an unexpected second welcome; ignored")

    async def _reconnect(self) -> asyncio.StreamReader | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.reconnect_within
        delay = 0.02
        last = "no attempt"
        while not self._closed:
            try:
                return await self._open()
            except _Dropped as exc:
                last = str(exc)
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 2, 1.0)
        raise LinkLost(
            f"the link dropped and did not come back within {self.reconnect_within:g}s: {last}"
        )

    def on_team_message(self, message: p.Roles | p.Request) -> None:
        """Keep what a team host says about roles and requests (a network seat does)."""

    def _fail_pending(self) -> None:
        for ident, future in list(self._pending.items()):
            if not future.done():
                future.set_exception(
                    LinkError(
                        f"the link dropped before the outcome of command {ident} arrived "
                        "(the event stream shows whether it was applied)"
                    )
                )
        self._pending.clear()

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, asyncio.IncompleteReadError):
        return "closed before welcome"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
