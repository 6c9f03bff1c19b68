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

Every event line ends with a plain hash chain (``"h"``: shows an accidental edit, but anyone can
recompute it). A journal recorded for credit is also sealed as it is written: the header names
a programme key (``sealed_by``) and every line carries ``"s"``, an HMAC of everything up to it
(``sealer``); ``check_seal`` says whether a journal is sealed by one of the keys it is given,
unsealed, foreign or broken, and ``read_sealed`` reads a sealed journal for grading with one HMAC
and without decoding its metric samples. A sealed journal's identity is its last seal
(``SealCheck.last_seal``): it vouches for the header and every line's contents, whatever
bytes the digests of the lines before it hold, so the records know a journal by it.

Why one module: writing, reading, the hash chain and the seal are one file format; apart,
the line format (what is hashed, what is sealed, how a line ends) would be written twice.

This module reads and writes journals; it must not run the engine, know about the screen, or
look for a key (the layer that knows the records hands one in).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import msgspec
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

JOURNAL_NAME = "journal.jsonl"
"""The journal's name in a session directory."""
MAX_JOURNAL_BYTES = 256 * 1024 * 1024
"""Journals larger than this are refused (a 2-hour exercise is well under 1 MiB)."""
MAX_HEADER_TEXT = 4096
"""The longest text field of a header (paths, the driver), in characters."""
MAX_LEVELS = 20
"""The most severity levels a header may list."""

_DIGEST = re.compile(r',"h":"([0-9a-f]{16})"(?:,"s":"([0-9a-f]{32})")?}$')
_KEY_ID = re.compile(r"[0-9a-f]{12}")


def chain(previous: str, line: str) -> str:
    """The digest of ``line`` chained to the previous line's digest (16 hex digits).

    Every event line ends with ``"h": chain(previous, line-without-h)``; the header line's
    digest starts the chain. Editing any line by hand breaks the chain from there on, so
    ``warroom replay --verify`` can say which line was touched.
    """
    return hashlib.sha256((previous + "\n" + line).encode("utf-8")).hexdigest()[:16]


def sealer(key: bytes, header_line: str) -> hmac.HMAC:
    """The programme's running seal of a journal, started on its header line.

    Each event line's seal (``"s"``) is HMAC-SHA256, with the programme's key, of every line up
    to and including it (the header and the event lines without their digests, each followed
    by a newline), truncated to 128 bits. So the last line's seal vouches for the whole
    journal (one HMAC to check), a killed session's journal is sealed up to its last line, an
    edited header or line breaks it, and without the key no one can re-seal an edit, unlike
    the plain ``chain``.
    """
    return hmac.new(key, (header_line + "\n").encode("utf-8"), hashlib.sha256)


def _seal_hex(mac: hmac.HMAC) -> str:
    return mac.copy().hexdigest()[:32]


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
    sealed_by: str | None = None
    """The id of the programme key that seals every line (``"s"``), or ``None``: unsealed."""
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
            **({"sealed_by": self.sealed_by} if self.sealed_by is not None else {}),
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
        sealed_by = data.get("sealed_by")
        if sealed_by is not None and not (
            isinstance(sealed_by, str) and _KEY_ID.fullmatch(sealed_by)
        ):
            raise _bad_field("sealed_by", "a key id (12 hex digits)")
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
            sealed_by=sealed_by,
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
    """Subscribe an instance to an engine: it writes each event as one flushed line.

    Given ``seal`` (a programme key's id and the key, handed in by the layer that knows the
    records; this module never looks for a key), the header names the key and every line also
    carries the programme's seal, written as the session plays.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        header: Header,
        *,
        seal: tuple[str, bytes] | None = None,
    ) -> None:
        """Create (or overwrite) the journal and write its header."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if seal is not None and not _KEY_ID.fullmatch(seal[0]):
            raise ValueError(f"not a key id: {seal[0]!r}")
        self.header = replace(header, sealed_by=seal[0] if seal else None)
        """The header as written (naming the sealing key, when sealed)."""
        self._key = seal[1] if seal else None
        self._file: IO[str] | None = self.path.open("w", encoding="utf-8", newline="\n")
        first = json.dumps(self.header.to_dict(), separators=(",", ":"), ensure_ascii=False)
        self._digest = chain("", first)
        self._mac = sealer(self._key, first) if self._key is not None else None
        self._write(first)

    def __call__(self, event: Event) -> None:
        """Append one event with the chained digest (and the programme's seal)."""
        line = dumps(event)
        self._digest = chain(self._digest, line)
        tail = f',"h":"{self._digest}"'
        if self._mac is not None:
            self._mac.update((line + "\n").encode("utf-8"))
            tail += f',"s":"{_seal_hex(self._mac)}"'
        self._write(line[:-1] + tail + "}")

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
class JournalEvents:
    """A journal's header and events as read back: everything grading reads of it.

    ``read_sealed`` gives one (metric samples left out) for a journal whose seal vouches for
    it, without keeping its lines; ``Journal`` is one with its lines too.
    """

    path: Path
    header: Header
    events: list[Event]
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


@dataclass(kw_only=True)
class Journal(JournalEvents):
    """A journal read back from disk, line by line."""

    lines: list[str]
    """The event lines without their digests, for byte-exact comparison with a replay."""
    header_line: str = ""
    """The header line as written (the first seal is over it)."""
    seals: list[str | None] = field(default_factory=list)
    """Each kept event line's programme seal (``None`` where the line has none)."""


def read_journal(path: str | os.PathLike[str], *, samples: bool = True) -> Journal:
    """Read a journal, checking every line against the event models.

    The file is read through ``simulator.files`` (a regular file of at most
    ``MAX_JOURNAL_BYTES``). Every line must be a JSON object of a known event kind with every
    field of the right type and in range, in sim-time order, and every action must be a valid
    command; only a truncated last line (no newline after it: the process was killed while
    writing) is tolerated and skipped.

    With ``samples=False`` (grading and ``warroom import``: the assessor reads no metric
    sample) a metrics line is checked as JSON with a finite, ordered sim time but not decoded
    into an event: ``events`` leaves them out, ``lines`` and ``seals`` keep every line. Every
    line's JSON is then checked in one call of a fast decoder, and a sealed journal's plain
    chain is not computed (``edited_line`` stays ``None``): the caller checks its seal
    (``check_seal``), which vouches for more. Any problem falls back to the line-by-line
    reading, so the error names the line.

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
    if not samples and complete:
        fast = _read_fast(lines, sealed=header.sealed_by is not None)
        if fast is not None:
            return Journal(
                Path(path),
                header,
                fast[0],
                edited_line=fast[3],
                sha256=hashlib.sha256(raw_bytes).hexdigest(),
                lines=fast[1],
                header_line=lines[0],
                seals=fast[2],
            )
    events: list[Event] = []
    kept: list[str] = []
    truncated = False
    edited: int | None = None
    seals: list[str | None] = []
    digest = chain("", lines[0])
    previous_t = -math.inf
    for number, line in _numbered(lines[1:], start=2):
        last = number == len(lines)
        match = _DIGEST.search(line)
        content = line[: match.start()] + "}" if match else line
        try:
            if not samples and _SAMPLE.match(content):
                event_t = _sample_time(content)
                event = None
            else:
                event = _event(content)
                event_t = event.t
            if event_t < previous_t:
                raise ValueError(
                    f"sim time {event_t:g} is before the previous line's {previous_t:g}"
                )
        except ValueError as exc:
            if last and not complete:
                truncated = True
                break
            raise JournalError(str(exc), path=name, line=number) from None
        previous_t = event_t
        if event is not None:
            events.append(event)
        kept.append(content)
        seals.append(match.group(2) if match else None)
        digest = chain(digest, content)
        if edited is None and (match is None or match.group(1) != digest):
            edited = number
    sha = hashlib.sha256(raw_bytes).hexdigest()
    return Journal(
        Path(path),
        header,
        events,
        truncated,
        edited,
        sha,
        lines=kept,
        header_line=lines[0],
        seals=seals,
    )


def read_sealed(
    path: str | os.PathLike[str],
    keys: Mapping[str, bytes],
    *,
    data: bytes | None = None,
    sha256: str | None = None,
) -> tuple[JournalEvents, SealCheck]:
    """Read a journal for grading and check its seal, fast when the seal vouches for it.

    A complete journal sealed with one of ``keys`` whose last seal matches was written by
    warroom with the programme's key: it is read as bytes, its seal checked with one HMAC,
    and only the lines grading reads (not metric samples) decoded, in one call of a fast
    decoder, and checked against the event models; its lines are not kept
    (``JournalEvents``). Any other journal is read as ``read_journal(path, samples=False)``
    reads it, then its seal checked line by line (so the message names the line).

    ``data`` (and its ``sha256``) are the file's bytes when the caller already read them
    (through ``simulator.files``, within ``MAX_JOURNAL_BYTES``).

    Raises:
        JournalError: as ``read_journal``.
    """
    try:
        raw = data if data is not None else read_bytes(path, limit=MAX_JOURNAL_BYTES)
    except FileError:
        raw = b""
    trusted = _read_trusted(path, raw, keys, sha256)
    if trusted is not None:
        journal, last = trusted
        kid = str(journal.header.sealed_by)
        message = f"sealed by this programme (key {kid})"
        return journal, SealCheck("sealed", message, kid, last_seal=last)
    journal = read_journal(path, samples=False)
    return journal, check_seal(journal, keys)


def _read_trusted(
    path: str | os.PathLike[str], raw: bytes, keys: Mapping[str, bytes], sha: str | None
) -> tuple[JournalEvents, str] | None:
    """The journal and its last seal when it is complete and that seal, with one of ``keys``,
    vouches for every line; else ``None``.

    Each line's last ``_SEALED_TAIL`` bytes are taken as its digests without looking: if they
    were anything else, the contents left would not be what was sealed and the seal would not
    match. What those bytes hold before the last seal is not checked (checking every line's
    digests, the chain and the running seal, would add about 6 ms of CPU to the 2 ms this
    reading takes for a two-hour journal), so copies that differ only there read the same:
    the last seal, not the file's SHA-256, is what identifies the journal. Only the lines
    grading reads (not metric samples) are then decoded.
    """
    if not raw.endswith(b"\n"):
        return None
    lines = raw.split(b"\n")
    lines.pop()
    if len(lines) < 2:
        return None
    try:
        header = Header.from_dict(_json(lines[0].decode("utf-8")))
    except (ValueError, JournalError):
        return None
    key = keys.get(header.sealed_by) if header.sealed_by is not None else None
    if key is None:
        return None
    n = _SEALED_TAIL
    contents = [line[:-n] for line in lines[1:]]  # each without its digests and its "}"
    mac = hmac.new(key, lines[0] + b"\n", "sha256")
    mac.update(b"}\n".join(contents))
    mac.update(b"}\n")
    seal = mac.hexdigest()[:32]
    if not hmac.compare_digest(seal.encode(), lines[-1][-34:-2]):
        return None
    wanted = [c for c in contents if c.find(_SAMPLE_MARK, 0, _SAMPLE_WINDOW) < 0]
    try:
        if not raw.isascii():
            raw.decode("utf-8")
        found = _OBJECTS.decode(b"[" + b"},".join(wanted) + b"}]") if wanted else []
        events = [_checked(item) for item in found]
    except (msgspec.DecodeError, ValueError):  # pragma: no cover - only sealed bad lines
        return None
    digest = sha or hashlib.sha256(raw).hexdigest()
    return JournalEvents(Path(path), header, events, sha256=digest), seal


_SEALED_TAIL = len(',"h":"') + 16 + len('","s":"') + 32 + len('"}')
_SAMPLE_MARK = b',"kind":"metrics","values":'
"""How a metric sample line written by warroom goes on after its sim time."""
_SAMPLE_WINDOW = 64
_OBJECTS = msgspec.json.Decoder(list[dict[str, Any]])
"""Event lines decoded in one call (plain JSON only, as ``_json``)."""


SealState = Literal["sealed", "unsealed", "foreign", "broken"]
"""What ``check_seal`` found: sealed by a key given; not sealed; sealed with a key not given;
sealed, but a line or its seal no longer matches (edited, or re-sealed without the key)."""


@dataclass(frozen=True)
class SealCheck:
    """Whether a journal is intact and who sealed it."""

    state: SealState
    """``sealed``, ``unsealed``, ``foreign`` or ``broken``."""
    message: str
    """One line for people."""
    key_id: str | None = None
    """The key the header names."""
    line: int | None = None
    """The first line whose seal does not match (``broken``)."""
    last_seal: str | None = None
    """The last line's seal (32 hex digits) when it is ``sealed``: it vouches for the header
    and every line's contents, so it is the journal's identity (two files with the same
    contents and seal but other digests before it are one journal); ``None`` otherwise (an
    unchecked seal identifies nothing)."""

    @property
    def trusted(self) -> bool:
        """Whether the programme holding the keys given sealed it, and it is intact."""
        return self.state == "sealed"


def check_seal(journal: Journal, keys: Mapping[str, bytes]) -> SealCheck:
    """Check ``journal``'s seals with a programme's keys (key id → key), line by line, naming
    the first line that fails (``read_sealed`` checks only the last, which vouches for all).

    An intact plain chain with no seal is ``unsealed``: anyone can write one, so it earns no
    credit. The keys are handed in; this module never looks for them.
    """
    kid = journal.header.sealed_by
    if kid is None:
        return SealCheck("unsealed", "not sealed by a programme (anyone could have written it)")
    key = keys.get(kid)
    if key is None:
        return SealCheck(
            "foreign", f"sealed with key {kid}, which this programme does not hold", kid
        )
    if not journal.lines or any(x is None for x in journal.seals):
        number = 2 + next((i for i, x in enumerate(journal.seals) if x is None), 0)
        return SealCheck("broken", f"line {number} has no seal: added after sealing", kid, number)
    mac_running = sealer(key, journal.header_line)
    for number, (content, found) in enumerate(zip(journal.lines, journal.seals, strict=True), 2):
        mac_running.update((content + "\n").encode("utf-8"))
        if found is None or not hmac.compare_digest(_seal_hex(mac_running), found):
            return SealCheck(
                "broken",
                f"line {number} does not match the programme's seal: edited after it was sealed",
                kid,
                number,
            )
    if journal.edited_line is not None:  # pragma: no cover - a seal match implies the chain
        return SealCheck("broken", f"line {journal.edited_line} was edited", kid)
    last = journal.seals[-1]
    return SealCheck("sealed", f"sealed by this programme (key {kid})", kid, last_seal=last)


_SEALED_SUFFIX = re.compile(r',"h":"[0-9a-f]{16}","s":"[0-9a-f]{32}"\}\n')
_SEALS = re.compile(r',"s":"([0-9a-f]{32})"\}\n')


def _read_fast(
    lines: list[str], *, sealed: bool
) -> tuple[list[Event], list[str], list[str | None], int | None] | None:
    """``read_journal``'s fast path for a complete journal; ``None`` to read line by line."""
    kept: list[str] = []
    seals: list[str | None] = []
    edited: int | None = None
    if sealed:
        body = "\n".join(lines[1:]) + "\n"
        stripped, count = _SEALED_SUFFIX.subn("}\n", body)
        if count != len(lines) - 1:
            return None
        kept = stripped.split("\n")
        kept.pop()
        seals = list(_SEALS.findall(body))
    else:
        digest = chain("", lines[0])
        for number, line in enumerate(lines[1:], 2):
            match = _DIGEST.search(line)
            content = line[: match.start()] + "}" if match else line
            kept.append(content)
            seals.append(match.group(2) if match else None)
            digest = chain(digest, content)
            if edited is None and (match is None or match.group(1) != digest):
                edited = number
    try:
        stamps = _STAMPS.decode("[" + ",".join(kept) + "]")
    except (msgspec.DecodeError, RecursionError):
        return None
    events: list[Event] = []
    previous = 0.0
    for stamp, content in zip(stamps, kept, strict=True):
        t = stamp.t
        if not (previous <= t < math.inf):
            return None
        previous = t
        if stamp.kind != "metrics":
            try:
                events.append(_event(content))
            except ValueError:
                return None
    return events, kept, seals, edited


_SAMPLE = re.compile(r'\{"t":[-0-9.eE+]+,"kind":"metrics",')


class _Stamp(msgspec.Struct):
    """What a metrics line must have when it is not decoded whole (other fields are skipped)."""

    t: float
    kind: str


_STAMP = msgspec.json.Decoder(_Stamp)
_STAMPS = msgspec.json.Decoder(list[_Stamp])


def _sample_time(content: str) -> float:
    """A metrics line's sim time, the line checked as JSON (its values are not decoded)."""
    try:
        stamp = _STAMP.decode(content)
    except msgspec.DecodeError as exc:
        raise ValueError(f"not a valid metrics line ({exc})") from None
    if not math.isfinite(stamp.t) or stamp.t < 0:
        raise ValueError(f"sim time {stamp.t!r} is not a time in the exercise")
    return stamp.t


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
    return _checked(_json(content))


def _checked(data: Any) -> Event:
    """One event line's JSON, checked against its model (and an action against the
    commands)."""
    event = event_from_dict(data)
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
