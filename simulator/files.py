"""Reading and writing the files warroom is given: regular files only, never a device or FIFO.

Every file the product reads (scenarios, policies, action scripts, quiz banks and answer
files, journals, certificates, quiz results) goes through ``read_bytes`` or ``read_text``:
the path is checked before it is opened, opened without blocking (a FIFO cannot hang the
reader, a terminal cannot become the controlling one), checked again on the open descriptor
(only a regular file is read: never a device, a FIFO or a socket), and read with a bound one
byte past the caller's limit, so ``/dev/zero`` or a file that grows while it is read is
refused without allocating more than the limit.

Every file a user names for output (``--journal``, ``--junit``, ``--out``, the files of a
``--report`` folder) is written by ``write_text`` / ``write_bytes`` by the same rule: it must
be a regular file or not exist yet (its folder is made), is opened without blocking and
checked on the descriptor before it is truncated, so a FIFO, ``/dev/full`` or a folder is
refused rather than waited on or written into; a folder option is made by ``make_folder``.
``check_output_file`` and ``check_output_folder`` apply the rule to a path before any work
(the command line refuses a bad output path before it plays an exercise).

Every failure is a ``FileError`` whose text is one line, ``PATH: error: MESSAGE``; a write
that fails (a full disk, no permission) is one too, never an ``OSError``.

Each reader names its own limit (``simulator.yamlio.MAX_BYTES``,
``simulator.journal.MAX_JOURNAL_BYTES`` …). This module must not parse what it reads and must
not import anything from warroom but ``simulator.text``.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable

from simulator.text import visible

__all__ = [
    "MAX_YAML_BYTES",
    "FileError",
    "InputError",
    "check_output_file",
    "check_output_folder",
    "make_folder",
    "read_bytes",
    "read_text",
    "size_text",
    "write_bytes",
    "write_error",
    "write_text",
]


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
        super().__init__(path, reason)  # rebuilt from its args (pickled; re-raised by SimPy)

    def __str__(self) -> str:
        return f"{visible(self.path, multiline=False)}: error: {self.reason}"


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


# --------------------------------------------------------------------------- writing


def write_error(path: str | os.PathLike[str], exc: BaseException) -> FileError:
    """The ``FileError`` for ``exc``, raised while writing ``path`` by code that does not use
    ``write_bytes`` (``PATH: error: cannot write: no space left on device``)."""
    return FileError(os.fspath(path), _write_reason(exc))


def _write_reason(exc: BaseException) -> str:
    if isinstance(exc, IsADirectoryError):
        return "cannot write: is a directory, not a file"
    if isinstance(exc, NotADirectoryError):
        return "cannot write: a part of the path is not a folder"
    if isinstance(exc, PermissionError):
        return "cannot write: permission denied"
    if isinstance(exc, FileExistsError):
        return "exists already"
    if isinstance(exc, OSError) and exc.errno == errno.ENXIO:  # a FIFO nobody reads
        return "cannot write: is a FIFO (named pipe), not a regular file"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot write: {exc.strerror.lower()}"
    text = str(exc)
    return f"cannot write: {text if len(text) <= 80 else text[:80] + '…'}"


def _nearest(name: str) -> tuple[str, os.stat_result | None]:
    """The path itself or its nearest ancestor that exists, with its ``stat`` (``None`` when
    nothing on the way can be looked at)."""
    current = os.path.abspath(name)
    while True:
        try:
            return current, os.stat(current)
        except (FileNotFoundError, NotADirectoryError):
            parent = os.path.dirname(current)
            if parent == current:
                return current, None
            current = parent
        except (OSError, ValueError):
            return current, None


def _check_ancestors(name: str, start: str) -> None:
    """Every existing ancestor of ``start`` (``name``'s folder) is a folder."""
    found, info = _nearest(start)
    if info is not None and not stat.S_ISDIR(info.st_mode):
        where = found if found != os.path.abspath(start) else start
        raise FileError(name, f"cannot write: {visible(where, multiline=False)} is not a folder")


def check_output_file(path: str | os.PathLike[str]) -> None:
    """Whether ``path`` can be written as an output file: a regular file, or nothing yet
    under folders that exist or can be made. Nothing is opened or created.

    Raises:
        FileError: ``PATH: error: cannot write: is a directory, not a file`` (a FIFO, a
            device, a socket) or ``…: X is not a folder`` for a file on the way.
    """
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except (FileNotFoundError, NotADirectoryError):
        _check_ancestors(name, os.path.dirname(os.path.abspath(name)))
        return
    except (OSError, ValueError) as exc:
        raise FileError(name, _write_reason(exc)) from None
    kind = _kind(info.st_mode)
    if kind is not None:
        raise FileError(name, f"cannot write: {kind}")


def check_output_folder(path: str | os.PathLike[str]) -> None:
    """Whether ``path`` can be the folder of output files: a folder, or nothing yet under
    folders that exist or can be made. Nothing is created.

    Raises:
        FileError: ``PATH: error: cannot write: is a file, not a folder`` (or a FIFO, a
            device) or ``…: X is not a folder`` for a file on the way.
    """
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except (FileNotFoundError, NotADirectoryError):
        _check_ancestors(name, name)
        return
    except (OSError, ValueError) as exc:
        raise FileError(name, _write_reason(exc)) from None
    if not stat.S_ISDIR(info.st_mode):
        kind = _kind(info.st_mode) or "is a file"
        kind = kind.replace(", not a regular file", "").replace(", not a file", "")
        raise FileError(name, f"cannot write: {kind}, not a folder")


def make_folder(path: str | os.PathLike[str], *, mode: int = 0o777) -> None:
    """Make the output folder ``path`` and its parents (nothing when it is one already).

    Raises:
        FileError: as ``check_output_folder``, or the folder cannot be made.
    """
    name = os.fspath(path)
    check_output_folder(name)
    try:
        os.makedirs(name, mode=mode, exist_ok=True)
    except (OSError, ValueError) as exc:
        raise FileError(name, _write_reason(exc)) from None


def write_bytes(
    path: str | os.PathLike[str], data: bytes, *, exclusive: bool = False, mode: int = 0o666
) -> None:
    """Write ``data`` as the whole of the output file ``path``, making its folder.

    The path is checked before it is opened (``check_output_file``: a device or a FIFO is never
    opened), opened without blocking and without truncating, checked again on the descriptor
    (only a regular file is written), and only then truncated and written.

    Args:
        path: The file.
        data: Its new content.
        exclusive: Refuse a file that exists already (``FileError``: ``exists already``).
        mode: The permissions of a new file (before the umask).

    Raises:
        FileError: not a regular file, its folder cannot be made, or the write failed (a full
            disk, no permission …).
    """
    name = os.fspath(path)
    check_output_file(name)
    folder = os.path.dirname(name)
    if folder:
        make_folder(folder)
    flags = os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK
    flags |= getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_EXCL if exclusive else 0
    try:
        fd = os.open(name, flags, mode)
    except (OSError, ValueError) as exc:
        raise FileError(name, _write_reason(exc)) from None
    try:
        kind = _kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise FileError(name, f"cannot write: {kind}")
        os.set_blocking(fd, True)
        os.ftruncate(fd, 0)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise FileError(name, _write_reason(exc)) from None
    finally:
        os.close(fd)


def write_text(
    path: str | os.PathLike[str], text: str, *, exclusive: bool = False, mode: int = 0o666
) -> None:
    """``write_bytes`` of ``text`` encoded as UTF-8 (line ends as they are in ``text``).

    Raises:
        FileError: as ``write_bytes``.
    """
    write_bytes(path, text.encode("utf-8"), exclusive=exclusive, mode=mode)
