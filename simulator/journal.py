"""The journal: an append-only JSONL record of one exercise.

Line one is a header (format version, scenario id and sha256, seed, policy and its levels,
trainee, driver, wall-clock start); every further line is one event in sim-time order. Lines
are written and flushed as events happen, so a killed process leaves a journal that loads up
to its last complete line; a truncated last line is tolerated when reading. ``new_header`` is
the one place a new journal's header is built.

Reading trusts nothing: the file is read through ``simulator.files`` (a regular file within
``MAX_JOURNAL_BYTES``), the header's fields are checked, and every line is checked against the
event models (``simulator.events``) and every action against the commands; the first bad line
is a ``JournalError`` that prints as ``PATH:LINE: error: …``. A path written in the header is
data, never followed (``simulator.library.journal_scenario`` finds the scenario).

This module reads and writes journals; it must not run the engine or know about the screen.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from simulator.commands import parse_command
from simulator.events import ActionAccepted, ActionRejected, Event, dumps, event_from_dict
from simulator.files import FileError, InputError, read_bytes
from simulator.library import in_library
from simulator.text import MAX_NAME, visible

if TYPE_CHECKING:
    from simulator.library import LoadedScenario

FORMAT = 1
"""Journal format version."""

MAX_JOURNAL_BYTES = 256 * 1024 * 1024
"""Journals larger than this are refused (a 2-hour exercise is well under 1 MiB)."""
MAX_HEADER_TEXT = 4096
"""The longest text field of a header (paths, the driver), in characters."""
MAX_LEVELS = 20
"""The most severity levels a header may list."""

_DIGEST = re.compile(r',"h":"([0-9a-f]{16})"}$')


def chain(previous: str, line: str) -> str:
    """The digest of ``line`` chained to the previous line's digest (16 hex digits).

    Every event line ends with ``"h": chain(previous, line-without-h)``; the header line's
    digest starts the chain. Editing any line by hand breaks the chain from there on, so
    ``warroom replay --verify`` can say which line was touched.
    """
    return hashlib.sha256((previous + "\n" + line).encode("utf-8")).hexdigest()[:16]


def _seal(previous: str, line: str) -> tuple[str, str]:
    digest = chain(previous, line)
    return line[:-1] + f',"h":"{digest}"}}', digest


class JournalError(InputError):
    """A journal cannot be read or used; ``str()`` is ``PATH:LINE: error: MESSAGE``.

    Without a path (a header checked on its own) it is the message alone.
    """

    message: str
    """What is wrong, one line."""
    path: str | None
    """The journal, as the user gave it."""
    line: int | None
    """The 1-based line at fault, when one is."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.message = visible(message, multiline=False)
        self.path = path
        self.line = line
        if path is None:
            text = self.message
        elif line is None:
            text = f"{visible(path, multiline=False)}: error: {self.message}"
        else:
            text = f"{visible(path, multiline=False)}:{line}: error: {self.message}"
        super().__init__(text)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.message, self.path, self.line))


def _rebuild(message: str, path: str | None, line: int | None) -> JournalError:
    return JournalError(message, path=path, line=line)


@dataclass(frozen=True)
class Header:
    """What a journal is a record of."""

    scenario: str
    """Scenario id."""
    scenario_sha256: str
    """SHA-256 of the scenario file's bytes."""
    scenario_path: str
    """Where the scenario was loaded from (a library id or a path)."""
    seed: int
    """The run's seed."""
    policy: str
    """The policy in force (a name or a path)."""
    severity_levels: tuple[str, ...]
    """The policy's levels, most severe first (the engine validates classifications with them)."""
    trainee: str
    """The trainee's name."""
    driver: str
    """Who acted: ``tui``, ``script:PATH``, ``autopilot:expert`` …"""
    started_at: str
    """Wall-clock start, ISO 8601 (the only wall-clock value in a journal)."""
    format: int = FORMAT
    """Journal format version."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Anything else the caller wants kept (e.g. policy sha256)."""

    def to_dict(self) -> dict[str, Any]:
        """The header line's JSON form."""
        return {
            "warroom_journal": self.format,
            "scenario": self.scenario,
            "scenario_sha256": self.scenario_sha256,
            "scenario_path": self.scenario_path,
            "seed": self.seed,
            "policy": self.policy,
            "severity_levels": list(self.severity_levels),
            "trainee": self.trainee,
            "driver": self.driver,
            "started_at": self.started_at,
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Header:
        """Read a header line, checking every field.

        Raises:
            JournalError: when it is not a warroom journal header or a field is missing, of
                the wrong type or out of range (the message names the field).
        """
        if not isinstance(data, dict) or "warroom_journal" not in data:
            raise JournalError("line 1 is not a warroom journal header")
        version = data["warroom_journal"]
        if isinstance(version, bool) or version != FORMAT:
            shown = repr(version) if isinstance(version, int | float) else "of another kind"
            raise JournalError(
                f"journal format {shown} is not supported (this warroom reads {FORMAT})"
            )
        missing = [k for k in _HEADER_FIELDS if k not in data]
        if missing:
            raise JournalError(
                f"header is missing or has a bad field: no {', '.join(map(repr, missing))}"
            )
        seed = data["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise _bad_field("seed", "a whole number from 0 to 2^63-1")
        levels = data["severity_levels"]
        if (
            not isinstance(levels, list)
            or not 1 <= len(levels) <= MAX_LEVELS
            or not all(isinstance(x, str) and 0 < len(x) <= 80 for x in levels)
        ):
            raise _bad_field("severity_levels", f"a list of 1 to {MAX_LEVELS} level names")
        extra = data.get("extra", {})
        if not isinstance(extra, dict):
            raise _bad_field("extra", "a mapping")
        scenario = _header_text(data, "scenario")
        if not _IDENTIFIER.fullmatch(scenario):
            raise _bad_field("scenario", "a scenario id (a-z, 0-9, - and _)")
        sha = _header_text(data, "scenario_sha256")
        if not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise _bad_field("scenario_sha256", "64 hex digits")
        trainee = _header_text(data, "trainee")
        if not trainee or len(trainee) > MAX_NAME:
            raise _bad_field("trainee", f"a name of 1 to {MAX_NAME} characters")
        return cls(
            scenario=scenario,
            scenario_sha256=sha,
            scenario_path=_header_text(data, "scenario_path"),
            seed=seed,
            policy=_header_text(data, "policy"),
            severity_levels=tuple(levels),
            trainee=trainee,
            driver=_header_text(data, "driver"),
            started_at=_header_text(data, "started_at"),
            extra=dict(extra),
        )


_HEADER_FIELDS = (
    "scenario",
    "scenario_sha256",
    "scenario_path",
    "seed",
    "policy",
    "severity_levels",
    "trainee",
    "driver",
    "started_at",
)
_IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def _bad_field(name: str, expected: str) -> JournalError:
    return JournalError(f"header is missing or has a bad field: {name} must be {expected}")


def _header_text(data: dict[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str) or len(value) > MAX_HEADER_TEXT:
        raise _bad_field(name, f"text of at most {MAX_HEADER_TEXT} characters")
    return value


def new_header(
    loaded: LoadedScenario,
    *,
    seed: int,
    policy: str,
    severity_levels: tuple[str, ...],
    trainee: str,
    driver: str,
    started_at: datetime,
    extra: dict[str, Any] | None = None,
) -> Header:
    """The header of a new journal of ``loaded`` (``warroom run`` and the TUI's sessions).

    A library scenario is named by its id, so a journal finds it wherever warroom is installed;
    any other file by the path it was loaded from.

    Args:
        loaded: The scenario played and where it came from.
        seed: The run's seed.
        policy: The policy in force, as it was named (a packaged name or a path).
        severity_levels: The policy's levels, most severe first.
        trainee: The trainee's name.
        driver: Who acts: ``tui``, ``script:PATH``, ``autopilot:expert`` …
        started_at: The wall-clock start (the caller reads the clock).
        extra: Anything else to keep (e.g. the TUI's speed).
    """
    return Header(
        scenario=loaded.scenario.id,
        scenario_sha256=loaded.sha256,
        scenario_path=loaded.scenario.id if in_library(loaded.path) else str(loaded.path),
        seed=seed,
        policy=policy,
        severity_levels=severity_levels,
        trainee=trainee,
        driver=driver,
        started_at=started_at.isoformat(timespec="seconds"),
        extra=dict(extra or {}),
    )


class JournalWriter:
    """Subscribe an instance to an engine: it writes each event as one flushed line."""

    def __init__(self, path: str | os.PathLike[str], header: Header) -> None:
        """Create (or overwrite) the journal and write its header."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] | None = self.path.open("w", encoding="utf-8", newline="\n")
        first = json.dumps(header.to_dict(), separators=(",", ":"), ensure_ascii=False)
        self._digest = chain("", first)
        self._write(first)

    def __call__(self, event: Event) -> None:
        """Append one event, sealed with the chained digest."""
        line, self._digest = _seal(self._digest, dumps(event))
        self._write(line)

    def _write(self, line: str) -> None:
        if self._file is None:
            return
        self._file.write(line + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> JournalWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Journal:
    """A journal read back from disk."""

    path: Path
    header: Header
    events: list[Event]
    lines: list[str]
    """The event lines without their digests, for byte-exact comparison with a replay."""
    truncated: bool = False
    """Whether the last line was cut off (the process was killed mid-write) and skipped."""
    edited_line: int | None = None
    """The first line whose digest does not match (edited by hand), or ``None``."""
    sha256: str = ""
    """SHA-256 of the file's bytes as read."""

    @property
    def ended(self) -> bool:
        """Whether the exercise reached its end (the last event is ``scenario_ended``)."""
        return bool(self.events) and self.events[-1].kind == "scenario_ended"


def read_journal(path: str | os.PathLike[str]) -> Journal:
    """Read a journal, checking every line against the event models.

    The file is read through ``simulator.files`` (a regular file of at most
    ``MAX_JOURNAL_BYTES``). Every line must be a JSON object of a known event kind with every
    field of the right type and in range, in sim-time order, and every action must be a valid
    command; only a truncated last line (no newline after it: the process was killed while
    writing) is tolerated and skipped.

    Raises:
        JournalError: ``PATH: error: …`` for a file that cannot be read, ``PATH:LINE: error: …``
            for the first bad line.
    """
    name = os.fspath(path)
    try:
        raw_bytes = read_bytes(name, limit=MAX_JOURNAL_BYTES)
    except FileError as exc:
        raise JournalError(exc.reason, path=name) from None
    try:
        raw = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JournalError(f"not valid UTF-8 at byte {exc.start}", path=name) from None
    lines = raw.split("\n")
    complete = raw.endswith("\n")
    if complete:
        lines.pop()
    if not lines or not lines[0].strip():
        raise JournalError("empty journal", path=name)
    try:
        header = Header.from_dict(_json(lines[0]))
    except ValueError:
        raise JournalError("header is not valid JSON", path=name, line=1) from None
    except JournalError as exc:
        raise JournalError(exc.message, path=name, line=1) from None
    events: list[Event] = []
    kept: list[str] = []
    truncated = False
    edited: int | None = None
    digest = chain("", lines[0])
    for number, line in _numbered(lines[1:], start=2):
        last = number == len(lines)
        match = _DIGEST.search(line)
        content = line[: match.start()] + "}" if match else line
        try:
            event = _event(content)
            if events and event.t < events[-1].t:
                raise ValueError(
                    f"sim time {event.t:g} is before the previous line's {events[-1].t:g}"
                )
        except ValueError as exc:
            if last and not complete:
                truncated = True
                break
            raise JournalError(str(exc), path=name, line=number) from None
        events.append(event)
        kept.append(content)
        digest = chain(digest, content)
        if edited is None and (match is None or match.group(1) != digest):
            edited = number
    sha = hashlib.sha256(raw_bytes).hexdigest()
    return Journal(Path(path), header, events, kept, truncated, edited, sha)


def _json(line: str) -> Any:
    """One line's JSON; ``ValueError`` for anything that is not plain, finite JSON."""
    try:
        return _DECODER.decode(line)
    except RecursionError:
        raise ValueError("the line is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (column {exc.colno}: {exc.msg})") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a journal holds")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)
"""Plain JSON only: ``NaN`` and ``Infinity`` are refused."""


def _event(content: str) -> Event:
    """One event line, checked against its model (and an action against the commands)."""
    event = event_from_dict(_json(content))
    if isinstance(event, ActionAccepted | ActionRejected):
        try:
            parse_command(dict(event.command))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(x) for x in first["loc"]) or "command"
            raise ValueError(
                f"{event.kind} event: the command is not valid: {where}: {first['msg']}"
            ) from None
    return event


def _numbered(lines: list[str], start: int) -> Iterator[tuple[int, str]]:
    for i, line in enumerate(lines):
        yield start + i, line
