"""Reading the files warroom is given: regular files only, size-bounded before reading.

Every file the product reads (scenarios, policies, action scripts, quiz banks and answer
files, journals, certificates, quiz results) goes through ``read_bytes`` or ``read_text``:
the path is checked before it is opened, opened without blocking (a FIFO cannot hang the
reader, a terminal cannot become the controlling one), checked again on the open descriptor
(only a regular file is read: never a device, a FIFO or a socket), and read with a bound one
byte past the caller's limit, so ``/dev/zero`` or a file that grows while it is read is
refused without allocating more than the limit. Every failure is a ``FileError`` whose text
is one line, ``PATH: error: MESSAGE``.

Each reader names its own limit (``simulator.yamlio.MAX_BYTES``,
``simulator.journal.MAX_JOURNAL_BYTES`` …). This module must not parse what it reads and must
not import anything from warroom but ``simulator.text``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from simulator.text import visible

__all__ = ["MAX_YAML_BYTES", "FileError", "InputError", "read_bytes", "read_text", "size_text"]


class InputError(Exception):
    """Bad input from a file or a person; ``str()`` is one line ready to print as it is."""


class FileError(InputError):
    """A file cannot be read: missing, not a regular file, too large, or unreadable."""

    path: str
    """The path as the user gave it."""
    reason: str
    """Why, in a few words: ``no such file``, ``file is 5003 bytes; the limit is 4 KiB`` …"""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{visible(path, multiline=False)}: error: {reason}")

    def __reduce__(self) -> tuple[type[FileError], tuple[str, str]]:
        return (type(self), (self.path, self.reason))


def size_text(n: int) -> str:
    """A byte count as people write limits: ``1 MiB``, ``64 KiB``, ``100 bytes``."""
    if n and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def _kind(mode: int) -> str | None:
    """What a non-regular file is, for a message; ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    return "is not a regular file"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read the file: {exc.strerror.lower()}"
    text = str(exc)
    return f"cannot read the file: {text if len(text) <= 80 else text[:80] + '…'}"


class _Refused(Exception):
    """Raised inside the opener: the descriptor is not a regular file within the limit."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _opener(limit: int) -> Callable[[str, int], int]:
    def opener(path: str, flags: int) -> int:
        extra = os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags | extra)
        try:
            info = os.fstat(fd)
            kind = _kind(info.st_mode)
            if kind is not None:
                raise _Refused(kind)
            if info.st_size > limit:
                raise _Refused(f"file is {info.st_size} bytes; the limit is {size_text(limit)}")
        except BaseException:
            os.close(fd)
            raise
        return fd

    return opener


MAX_YAML_BYTES = 1024 * 1024
"""The largest YAML file read (scenario, policy, quiz bank, action script), in bytes (1 MiB):
far beyond any hand-written one (``simulator.yamlio.MAX_BYTES``)."""

_CHUNK = 64 * 1024
"""The least ``read_bytes`` asks for at once (a file may grow after it was checked)."""


def read_bytes(path: str | os.PathLike[str], *, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The path is checked with ``stat`` before it is opened (a device or FIFO is never opened),
    opened with ``O_NONBLOCK`` and checked again on the descriptor, then read at most one byte
    past ``limit``.

    Raises:
        FileError: missing, not a regular file, over the limit, or unreadable.
    """
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except (OSError, ValueError) as exc:
        raise FileError(name, _reason(exc)) from None
    kind = _kind(info.st_mode)
    if kind is not None:
        raise FileError(name, kind)
    if info.st_size > limit:
        raise FileError(name, f"file is {info.st_size} bytes; the limit is {size_text(limit)}")
    chunks: list[bytes] = []
    total = 0
    step = max(info.st_size + 1, _CHUNK)  # a buffer the size of the file, not of the limit
    try:
        with open(name, "rb", buffering=0, opener=_opener(limit)) as handle:
            while total <= limit:
                chunk = handle.read(min(limit + 1 - total, step))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
    except _Refused as exc:
        raise FileError(name, exc.reason) from None
    except (OSError, ValueError) as exc:
        raise FileError(name, _reason(exc)) from None
    if total > limit:  # it grew since it was checked
        raise FileError(name, f"file is larger than the limit of {size_text(limit)}")
    return b"".join(chunks)


def read_text(path: str | os.PathLike[str], *, limit: int) -> str:
    """``read_bytes`` decoded as UTF-8.

    Raises:
        FileError: as ``read_bytes``, or the bytes are not UTF-8 (the message says where).
    """
    raw = read_bytes(path, limit=limit)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(os.fspath(path), f"not valid UTF-8 at byte {exc.start}") from None
