"""What the link's server and client share: file names in a session directory, errors, socket
paths, and finding the sessions that are playing on this machine. No Textual."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from simulator import commands as cmd
from simulator import protocol as p
from simulator.files import FileError, read_text
from simulator.journal import JOURNAL_NAME as JOURNAL_NAME
from simulator.journal import Header

SOCKET_NAME = "link.sock"
"""The socket's name in a session directory."""

LINK_FILE = "link"
"""A file in the session directory holding the socket's path when it had to live elsewhere."""

MAX_SOCKET_PATH = 103
"""Longest socket path in bytes: ``sun_path`` holds 108 bytes on Linux and 104 on macOS,
the terminating NUL included. Longer paths move to a short private directory."""

CLIENT_BUFFER = 1024 * 1024
"""Bytes a live seat may fall behind before the server drops it (it reconnects and catches up)."""


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
        text = read_text(directory / LINK_FILE, limit=4096).strip()
    except FileError:
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


def private_dir(path: Path) -> Path:
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


def socket_path(requested: Path) -> Path:
    if len(os.fsencode(requested)) <= MAX_SOCKET_PATH:
        return requested
    key = hashlib.sha256(os.fsencode(requested.absolute())).hexdigest()[:16]
    path = private_dir(short_socket_dir()) / f"{key}.sock"
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise LinkError(f"no socket path short enough for {requested} (tried {path})")
    return path


async def answers(path: Path, timeout: float = 1.0) -> bool:
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
