"""The journal: an append-only JSONL record of one exercise.

Line one is a header (format version, scenario id and sha256, seed, policy and its levels,
trainee, driver, wall-clock start); every further line is one event in sim-time order. Lines
are written and flushed as events happen, so a killed process leaves a journal that loads up
to its last complete line; a truncated last line is tolerated when reading. ``new_header`` is
the one place a new journal's header is built.

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

from simulator.events import Event, dumps, event_from_dict
from simulator.library import in_library

if TYPE_CHECKING:
    from simulator.library import LoadedScenario

FORMAT = 1
"""Journal format version."""

MAX_JOURNAL_BYTES = 256 * 1024 * 1024

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


"""Journals larger than this are refused (a 2-hour exercise is well under 1 MiB)."""


class JournalError(Exception):
    """A journal cannot be read; the message says which line and why."""


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
        """Read a header line.

        Raises:
            JournalError: when it is not a warroom journal header.
        """
        if not isinstance(data, dict) or "warroom_journal" not in data:
            raise JournalError("line 1 is not a warroom journal header")
        if data["warroom_journal"] != FORMAT:
            raise JournalError(
                f"journal format {data['warroom_journal']!r} is not supported (this warroom reads {FORMAT})"
            )
        try:
            return cls(
                scenario=str(data["scenario"]),
                scenario_sha256=str(data["scenario_sha256"]),
                scenario_path=str(data["scenario_path"]),
                seed=int(data["seed"]),
                policy=str(data["policy"]),
                severity_levels=tuple(str(x) for x in data["severity_levels"]),
                trainee=str(data["trainee"]),
                driver=str(data["driver"]),
                started_at=str(data["started_at"]),
                extra=dict(data.get("extra", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise JournalError(f"line 1: header is missing or has a bad field: {exc}") from None


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

    @property
    def ended(self) -> bool:
        """Whether the exercise reached its end (the last event is ``scenario_ended``)."""
        return bool(self.events) and self.events[-1].kind == "scenario_ended"


def read_journal(path: str | os.PathLike[str]) -> Journal:
    """Read a journal, tolerating a truncated last line.

    Raises:
        JournalError: a missing file, a bad header, or a corrupt line before the last.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise JournalError(f"{path}: no such file") from None
    except OSError as exc:
        raise JournalError(f"{path}: {exc.strerror or exc}") from None
    if p.is_dir():
        raise JournalError(f"{path}: is a directory, not a journal")
    if size > MAX_JOURNAL_BYTES:
        raise JournalError(f"{path}: {size} bytes is over the {MAX_JOURNAL_BYTES} byte limit")
    try:
        raw = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JournalError(f"{path}: not valid UTF-8 at byte {exc.start}") from None
    lines = raw.split("\n")
    complete = raw.endswith("\n")
    if complete:
        lines.pop()
    if not lines or not lines[0].strip():
        raise JournalError(f"{path}: empty journal")
    try:
        header = Header.from_dict(json.loads(lines[0]))
    except json.JSONDecodeError:
        raise JournalError(f"{path}:1: header is not valid JSON") from None
    except JournalError as exc:
        raise JournalError(f"{path}: {exc}") from None
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
            events.append(event_from_dict(json.loads(content)))
        except (json.JSONDecodeError, ValueError, TypeError) as exc:
            if last and not complete:
                truncated = True
                break
            raise JournalError(f"{path}:{number}: {exc}") from None
        kept.append(content)
        digest = chain(digest, content)
        if edited is None and (match is None or match.group(1) != digest):
            edited = number
    return Journal(p, header, events, kept, truncated, edited)


def _numbered(lines: list[str], start: int) -> Iterator[tuple[int, str]]:
    for i, line in enumerate(lines):
        yield start + i, line
