"""``LinkServer``: serves a playing session's event stream to its seats and hands their commands
to the session. Asyncio only; must not import Textual."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import stat
import threading
from pathlib import Path
from typing import Any

from simulator import protocol as p
from simulator.events import Event, ScenarioEnded
from simulator.journal import Header
from tui.link.common import (
    CLIENT_BUFFER,
    LINK_FILE,
    CommandHandler,
    LinkError,
    answers,
    log,
    private_dir,
    socket_path,
)

_CATCH_UP_LINES = 256
"""Journal lines sent per write while a seat catches up."""


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
        private_dir(directory)
        path = socket_path(self.requested_path)
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
        if await answers(path):
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
        if isinstance(message, p.Decision):  # never decoded in version 1; for the types
            peer.send(p.Error(message="decision: only team seats decide requests"))
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
        if hello.role is None:  # version 1 requires it; checked when the line was read
            peer.send(p.Error(message="hello: role: Field required"))
            return True
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
