"""The link between a playing session and the seats that watch it: a Unix socket, asyncio only.

A TUI session lives in its own directory, ``sessions/<scenario>-<YYYYmmdd-HHMMSS>-<trainee>/``,
holding ``journal.jsonl``, ``link.sock`` and later the reports. ``LinkServer`` serves the
session's event stream on ``link.sock`` (owner-only: the directory is 0700 and the socket 0600)
and hands the commands of the seats allowed to send them to the session. ``LinkClient`` is a
seat: it reads the stream and sends commands, and when the connection drops it reconnects and
resumes where it stopped, so its consumer sees every event exactly once. ``find_live_sessions``
lists the session directories a server answers in, for ``warroom facilitate --attach``.

The messages are ``simulator.protocol``'s; nothing here depends on the socket being a Unix
one except how it is opened. This module must not import Textual: the screens run these
coroutines from their own workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import logging
import os
import socket
import stat
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator import commands as cmd
from simulator import protocol as p
from simulator.events import Event, ScenarioEnded
from simulator.journal import Header

SOCKET_NAME = "link.sock"
"""The socket's name in a session directory."""

LINK_FILE = "link"
"""A file in the session directory holding the socket's path when it had to live elsewhere."""

JOURNAL_NAME = "journal.jsonl"
"""The journal's name in a session directory."""

MAX_SOCKET_PATH = 103
"""Longest socket path in bytes: ``sun_path`` holds 108 bytes on Linux and 104 on macOS,
the terminating NUL included. Longer paths move to a short private directory."""

CLIENT_BUFFER = 1024 * 1024
"""Bytes a live seat may fall behind before the server drops it (it reconnects and catches up)."""

_CATCH_UP_LINES = 256

CommandHandler = Callable[[cmd.Command], tuple[bool, str | None]]
"""Applies a command a seat sent: ``(accepted, reason)``; ``Engine.submit`` underneath."""

log = logging.getLogger("warroom.link")


class LinkError(Exception):
    """The link cannot be set up or used; the message says why, for the person at the screen."""


class LinkLost(LinkError):
    """The connection dropped and the session did not answer again within the reconnect window."""


# --------------------------------------------------------------------------- paths


def socket_path_for(session_dir: str | os.PathLike[str]) -> Path:
    """Where a session's server is asked to listen: ``<session_dir>/link.sock``."""
    return Path(session_dir) / SOCKET_NAME


def resolve_socket(session_dir: str | os.PathLike[str]) -> Path:
    """Where a session's server actually listens: the path in its ``link`` file, if it has one
    (the socket path was too long), else ``link.sock``."""
    directory = Path(session_dir)
    try:
        text = (directory / LINK_FILE).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        text = ""
    return Path(text) if text else directory / SOCKET_NAME


def short_socket_dir() -> Path:
    """A private directory with a short path for sockets: ``$XDG_RUNTIME_DIR/warroom`` when
    the runtime directory exists, else ``/tmp/warroom-<uid>`` (created 0700, checked to be
    ours)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return Path(runtime) / "warroom"
    return Path("/tmp") / f"warroom-{os.getuid()}"


def _private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if missing and make sure only we can enter it."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(path)
    except OSError as exc:
        raise LinkError(f"cannot create {path}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise LinkError(f"{path} is not a directory")
    if st.st_uid != os.getuid():
        raise LinkError(f"{path} belongs to another user: not serving a session there")
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(path, 0o700)
    return path


def _socket_path(requested: Path) -> Path:
    if len(os.fsencode(requested)) <= MAX_SOCKET_PATH:
        return requested
    key = hashlib.sha256(os.fsencode(requested.absolute())).hexdigest()[:16]
    path = _private_dir(short_socket_dir()) / f"{key}.sock"
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise LinkError(f"no socket path short enough for {requested} (tried {path})")
    return path


async def _answers(path: Path, timeout: float = 1.0) -> bool:
    """Whether a server accepts connections on ``path``."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_unix_connection(path), timeout)
    except (ConnectionRefusedError, FileNotFoundError):
        return False
    except TimeoutError:
        return True
    except OSError as exc:
        raise LinkError(f"cannot check {path}: {exc.strerror or exc}") from None
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


# --------------------------------------------------------------------------- server


class _Peer:
    """One connected seat, as the server sees it."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.role: p.Seat | None = None
        self.cursor = 0
        """The next event's sequence number to write while catching up."""
        self.live = False
        """Caught up: new events are written as they are published."""
        self.closed = False
        self.catch_up: asyncio.Task[None] | None = None

    def write(self, data: bytes) -> None:
        if not self.closed:
            self.writer.write(data)

    def send(self, message: p.Message) -> None:
        self.write(p.encode(message))

    def end(self, reason: str) -> None:
        """Say ``ended`` and close once what is buffered has been written."""
        if not self.closed:
            self.send(p.Ended(reason=reason))
            self.close()

    def close(self) -> None:
        self._stop()
        self.writer.close()

    def abort(self) -> None:
        """Drop the connection now, discarding what is buffered."""
        self._stop()
        self.writer.transport.abort()

    def _stop(self) -> None:
        self.closed = True
        self.live = False
        if self.catch_up is not None and self.catch_up is not asyncio.current_task():
            self.catch_up.cancel()


class LinkServer:
    """Serves one playing session to its seats over a Unix socket.

    Subscribe ``publish`` to the engine; the server keeps every event (encoded once) so a seat
    that connects late or reconnects gets the whole stream from where it stopped.
    """

    def __init__(
        self,
        socket_path: str | os.PathLike[str],
        header: Header,
        on_command: CommandHandler,
        *,
        client_buffer: int = CLIENT_BUFFER,
    ) -> None:
        """Prepare the server; nothing listens until ``start``.

        Args:
            socket_path: Where to listen, normally ``<session_dir>/link.sock``.
            header: The session's journal header (sent to each seat in ``welcome``).
            on_command: Applies a command from a seat allowed to send it; called on the event
                loop's thread; returns ``(accepted, reason)``.
            client_buffer: Bytes a seat may fall behind before it is dropped.
        """
        self.requested_path = Path(socket_path)
        """The path asked for."""
        self.path = self.requested_path
        """Where the server listens (a short path elsewhere when the asked one is too long)."""
        self.header = header
        self.on_command = on_command
        self.client_buffer = client_buffer
        self._header = header.to_dict()
        self._backlog: list[bytes] = []
        self._peers: set[_Peer] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._inode: int | None = None
        self._link_written = False
        self._ended: str | None = None
        self._closed = False

    # ------------------------------------------------------------------ lifetime

    async def start(self) -> None:
        """Listen: create the session directory (0700) if needed and the socket (0600).

        Raises:
            LinkError: a live server already listens there, the path is taken by something
                that is not a socket, or a directory is not ours.
        """
        if self._server is not None:
            raise LinkError("the link is already serving")
        directory = self.requested_path.parent
        _private_dir(directory)
        path = _socket_path(self.requested_path)
        await self._claim(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            sock.bind(os.fsencode(path))
        except OSError as exc:
            sock.close()
            raise LinkError(f"cannot listen on {path}: {exc.strerror or exc}") from None
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        self._inode = os.stat(path).st_ino
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._server = await asyncio.start_unix_server(
            self._serve, sock=sock, limit=p.MAX_LINE_BYTES + 1
        )
        self.path = path
        link = directory / LINK_FILE
        if path != self.requested_path:
            tmp = directory / f".{LINK_FILE}.tmp"
            tmp.write_text(f"{path}\n", encoding="utf-8")
            os.replace(tmp, link)
            self._link_written = True
        else:
            with contextlib.suppress(FileNotFoundError):
                link.unlink()
        log.info("link: serving %s on %s", self.header.scenario, path)

    async def _claim(self, path: Path) -> None:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return
        if not stat.S_ISSOCK(st.st_mode):
            raise LinkError(f"{path} exists and is not a socket: not replacing it")
        if await _answers(path):
            raise LinkError(f"a live session already serves {path}")
        log.info("link: removing the stale socket %s", path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)

    async def close(self) -> None:
        """Say ``ended`` to every seat (the exercise's end reason, or ``closed``), close the
        connections and remove the socket (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._server is not None:
            self._server.close()
        reason = self._ended or "closed"
        for peer in list(self._peers):
            peer.end(reason)
        if self._tasks:
            _, stuck = await asyncio.wait(set(self._tasks), timeout=1.0)
            for task in stuck:
                task.cancel()
            for peer in list(self._peers):
                peer.abort()
            if stuck:
                await asyncio.wait(stuck, timeout=1.0)
        if self._server is not None:
            await self._server.wait_closed()
            self._remove_files()

    def _remove_files(self) -> None:
        with contextlib.suppress(OSError):
            if os.stat(self.path).st_ino == self._inode:
                os.unlink(self.path)
        if self._link_written:
            link = self.requested_path.parent / LINK_FILE
            with contextlib.suppress(OSError):
                if link.read_text(encoding="utf-8").strip() == str(self.path):
                    link.unlink()

    async def __aenter__(self) -> LinkServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ the stream

    @property
    def events_total(self) -> int:
        """Events published so far."""
        return len(self._backlog)

    @property
    def seats(self) -> int:
        """Connected seats (that said hello)."""
        return sum(1 for peer in self._peers if peer.role is not None and not peer.closed)

    def publish(self, event: Event) -> None:
        """Keep an event and write it to every caught-up seat; never blocks.

        Subscribe it to the engine (``engine.subscribe(server.publish)``). Called from another
        thread than the server's event loop, it hands the event over to that loop. A seat more
        than ``client_buffer`` bytes behind is dropped (it reconnects and catches up).
        """
        loop = self._loop
        if loop is not None and threading.get_ident() != self._thread and not loop.is_closed():
            loop.call_soon_threadsafe(self.publish, event)
            return
        line = p.encode_event(len(self._backlog), event)
        self._backlog.append(line)
        for peer in list(self._peers):
            if not peer.live:
                continue
            peer.write(line)
            if peer.writer.transport.get_write_buffer_size() > self.client_buffer:
                log.warning("link: a %s seat fell too far behind; dropping it", peer.role)
                peer.abort()
        if isinstance(event, ScenarioEnded):
            self._ended = event.reason
            for peer in list(self._peers):
                if peer.live:
                    peer.end(event.reason)

    def drop_clients(self) -> None:
        """Drop every connection without ``ended``: the seats reconnect and catch up."""
        for peer in list(self._peers):
            peer.abort()

    # ------------------------------------------------------------------ one seat

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = _Peer(writer)
        task = asyncio.current_task()
        self._peers.add(peer)
        if task is not None:
            self._tasks.add(task)
        try:
            if self._closed:
                peer.end(self._ended or "closed")
                return
            await self._converse(peer, reader)
        except (ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            pass  # the server is closing; ending the task cancelled would log a false alarm
        except Exception:
            log.exception("link: a seat's connection failed")
        finally:
            self._peers.discard(peer)
            if task is not None:
                self._tasks.discard(task)
            if not peer.closed:
                peer.close()

    async def _converse(self, peer: _Peer, reader: asyncio.StreamReader) -> None:
        while not peer.closed:
            try:
                line = await reader.readuntil(b"\n")
            except asyncio.IncompleteReadError:
                return
            except asyncio.LimitOverrunError:
                message = f"line is over the {p.MAX_LINE_BYTES} byte limit"
                peer.send(p.Error(message=message, fatal=True))
                return
            try:
                message_in = p.decode_client(line)
            except p.ProtocolError as exc:
                peer.send(p.Error(message=exc.message, fatal=exc.fatal))
                if exc.fatal:
                    return
                continue
            if not self._handle(peer, message_in):
                return

    def _handle(self, peer: _Peer, message: p.ClientMessage) -> bool:
        """Answer one message; ``False`` ends the connection."""
        if isinstance(message, p.Ping):
            peer.send(p.Pong())
            return True
        if isinstance(message, p.Hello):
            return self._hello(peer, message)
        if peer.role is None:
            peer.send(p.Error(message="say hello first: a command needs a seat"))
            return True
        try:
            command = p.authorize(peer.role, message.command)
        except p.Refused as exc:
            peer.send(p.Outcome(id=message.id, accepted=False, reason=str(exc)))
            return True
        try:
            accepted, reason = self.on_command(command)
        except Exception as exc:
            log.exception("link: applying %s failed", command.describe())
            accepted, reason = False, f"the session could not apply it: {exc}"
        peer.send(p.Outcome(id=message.id, accepted=accepted, reason=reason))
        return True

    def _hello(self, peer: _Peer, hello: p.Hello) -> bool:
        if peer.role is not None:
            peer.send(p.Error(message=f"hello was already said (this is the {peer.role} seat)"))
            return True
        total = len(self._backlog)
        if hello.since > total:
            text = (
                f"the seat holds {hello.since} events but this session has published {total}: "
                "it is following another session"
            )
            peer.send(p.Error(message=text, fatal=True))
            return False
        peer.role = hello.role
        peer.send(p.Welcome(session=self._header, events_total=total, role=hello.role))
        if not hello.follow:
            return False
        peer.cursor = hello.since
        peer.catch_up = asyncio.create_task(self._catch_up(peer))
        return True

    async def _catch_up(self, peer: _Peer) -> None:
        """Write the backlog from the seat's cursor, then switch it to live events.

        Nothing awaits between finding the cursor at the end of the backlog and going live,
        so an event published meanwhile is either in the backlog slice or written live: no
        gap and no duplicate.
        """
        try:
            while peer.cursor < len(self._backlog) and not peer.closed:
                end = min(len(self._backlog), peer.cursor + _CATCH_UP_LINES)
                peer.write(b"".join(self._backlog[peer.cursor : end]))
                peer.cursor = end
                await peer.writer.drain()
            if peer.closed:
                return
            peer.live = True
            if self._ended is not None:
                peer.end(self._ended)
        except (ConnectionError, OSError):
            peer.abort()


# --------------------------------------------------------------------------- client


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
        self.role: p.Seat = role
        self.reconnect_within = reconnect_within
        self.timeout = timeout
        self.events_received = since
        """Events received so far (including the ``since`` the client started with)."""
        self.welcome: p.Welcome | None = None
        """The last ``welcome``."""
        self.reconnects = 0
        """How many times the link came back after a drop."""
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
            assert isinstance(item, p.Welcome | p.EventMessage | p.Outcome | p.Ended)
            yield item
            if isinstance(item, p.Ended):
                return

    async def send(self, command: cmd.Command, *, timeout: float | None = None) -> p.Outcome:
        """Submit a command and wait for its outcome.

        Raises:
            LinkError: no outcome in time, or the link dropped before it came (the command
                may still have been applied: the event stream says).
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
                message = p.CommandMessage(id=ident, command=command.to_dict())
                self._writer.write(p.encode(message))
                return await future
        except TimeoutError:
            raise LinkError(f"no answer to {command.describe()} within {limit:g}s") from None
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
        path = resolve_socket(self.socket_path) if self.socket_path.is_dir() else self.socket_path
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await asyncio.open_unix_connection(
                    path, limit=p.MAX_SERVER_LINE_BYTES + 1
                )
                hello = p.Hello(role=self.role, since=self.events_received)
                writer.write(p.encode(hello))
                line = await reader.readuntil(b"\n")
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            raise _Dropped(f"no session answers on {self.socket_path} ({_why(exc)})") from None
        except asyncio.LimitOverrunError:
            raise LinkError(f"{self.socket_path}: the server sent an oversize line") from None
        try:
            message = p.decode_server(line)
        except p.ProtocolError as exc:
            writer.close()
            raise LinkError(f"{self.socket_path} does not speak the link protocol: {exc}") from None
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
            raise LinkError(f"another session now serves {self.socket_path}")
        self.welcome = message
        self._writer = writer
        self._connected.set()
        self._queue.put_nowait(message)
        return reader

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
                message = p.decode_server(line)
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


# --------------------------------------------------------------------------- finding sessions


@dataclass(frozen=True)
class LiveSession:
    """A session directory whose server answers."""

    directory: Path
    """The session directory."""
    socket: Path
    """Where its server listens."""
    header: Header
    """Its journal header."""
    events_total: int
    """Events published when it was probed."""

    @property
    def scenario(self) -> str:
        """Scenario id."""
        return self.header.scenario

    @property
    def trainee(self) -> str:
        """The trainee's name."""
        return self.header.trainee

    @property
    def started_at(self) -> str:
        """Wall-clock start, ISO 8601."""
        return self.header.started_at


async def probe(socket_path: str | os.PathLike[str], *, timeout: float = 1.0) -> p.Welcome | None:
    """The ``welcome`` of the server on ``socket_path`` (as an observer that does not follow),
    or ``None`` when nothing answers in time."""
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_unix_connection(
                socket_path, limit=p.MAX_SERVER_LINE_BYTES + 1
            )
            writer.write(p.encode(p.Hello(role="observer", follow=False)))
            message = p.decode_server(await reader.readuntil(b"\n"))
    except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    except p.ProtocolError:
        return None
    finally:
        if writer is not None:
            writer.close()
    return message if isinstance(message, p.Welcome) else None


async def find_live_sessions(
    sessions_dir: str | os.PathLike[str], *, timeout: float = 1.0
) -> list[LiveSession]:
    """The session directories under ``sessions_dir`` whose server answers, newest first.

    Args:
        sessions_dir: The sessions folder (the TUI's ``journal_dir_default()``).
        timeout: Seconds to wait for each server (they are asked at the same time).
    """
    root = Path(sessions_dir)
    try:
        directories = sorted(d for d in root.iterdir() if d.is_dir())
    except OSError:
        return []
    candidates = [(d, resolve_socket(d)) for d in directories]
    candidates = [(d, s) for d, s in candidates if _is_socket(s)]
    welcomes = await asyncio.gather(*(probe(s, timeout=timeout) for _, s in candidates))
    found = [
        LiveSession(d, s, w.header(), w.events_total)
        for (d, s), w in zip(candidates, welcomes, strict=True)
        if w is not None
    ]
    return sorted(found, key=lambda x: (x.started_at, str(x.directory)), reverse=True)


def live_sessions(
    sessions_dir: str | os.PathLike[str], *, timeout: float = 1.0
) -> list[LiveSession]:
    """``find_live_sessions`` for code outside an event loop (the command line)."""
    return asyncio.run(find_live_sessions(sessions_dir, timeout=timeout))


def _is_socket(path: Path) -> bool:
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False


__all__ = [
    "CommandHandler",
    "LinkClient",
    "LinkError",
    "LinkLost",
    "LinkServer",
    "LiveSession",
    "find_live_sessions",
    "live_sessions",
    "probe",
    "resolve_socket",
    "short_socket_dir",
    "socket_path_for",
]
