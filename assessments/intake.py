"""``warroom import``: journals read, seal-checked and graded once each into the records.

Each journal is read and graded once, when it is imported, so a cohort report aggregates the
records and never reads a journal again. Journals are found in the folders given (``*.jsonl``,
recursively) and spread over a process pool (one worker per core, started once, journals
handed out in chunks); each worker hashes the file first and skips a journal the records
already hold (by the SHA-256 of its bytes), then reads it with
``simulator.journal.read_sealed`` (a journal the programme sealed has its seal checked with one
HMAC and only the lines grading reads decoded), skips it when the records hold its last seal
(a copy of a sealed journal recorded already, whatever its digests hold), and grades it with
``grade_journal``, exactly as ``warroom grade`` does; a team game day's journal is also graded
per participant (``assessments.programme.people_rows``), so import records the same attempts
as ``grade --record``. Each worker finds a scenario and a policy once, not once per
journal, and keeps freed memory for the next journal (``TOP_PAD``). The parent records what
the workers graded as they go, a few hundred attempts per transaction.

What counts for credit is decided as ``assessments.programme.driver_for`` decides it for
``grade --record``: a journal this programme sealed counts as its driver says; an unsealed or
foreign one from a live session is refused, or recorded as practice only (``practice:DRIVER``)
when the caller asks; a journal whose seal or chain is broken is never recorded.

This module must not print, parse a command line or import the TUI; it must not build SQL
(``assessments.records`` does).
"""

from __future__ import annotations

import ctypes
import hashlib
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assessments.assessor import grade_journal
from assessments.keys import MissingKey, load_keys
from assessments.policy import Policy, journal_policy
from assessments.programme import (
    driver_for,
    exercise_row,
    people_rows,
    plays_as_team,
    refuse_bad_names,
)
from assessments.records import Location, Records, RecordsError
from simulator.files import FileError, read_bytes
from simulator.journal import MAX_JOURNAL_BYTES, JournalError, JournalEvents, read_sealed
from simulator.library import LoadedScenario, journal_scenario
from simulator.yamlio import LoadError

__all__ = ["ImportReport", "Outcome", "find_journals", "import_journals"]

Status = Literal["imported", "practice", "already", "refused", "unreadable"]
"""What became of one journal."""

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called as journals are graded."""

Graded = tuple[str, Status, str, list[dict[str, Any]]]
"""What a worker found of one journal: ``(path, status, message, attempts)``; each attempt is
``Records.add_exercise``'s arguments (a team game day's: the team's, then each
participant's), none when there is nothing to record."""

BATCH = 500
"""Attempts recorded per transaction."""
POOL_FROM = 16
"""Fewer journals than this are graded in this process (a pool costs more than it saves)."""
TOP_PAD = 4 * 1024 * 1024
"""Freed heap a process grading journals keeps for the next one (glibc's ``M_TOP_PAD``)."""
_M_TOP_PAD = -2


@dataclass(frozen=True)
class Outcome:
    """One journal's fate."""

    path: str
    """The journal, as found."""
    status: Status
    """``imported`` (for what its driver earns), ``practice`` (recorded as practice only),
    ``already`` (the records hold it), ``refused`` (not recorded: unsealed, foreign or
    broken) or ``unreadable``."""
    message: str = ""
    """Why, for ``refused`` and ``unreadable`` (``PATH:LINE: error: …``)."""


@dataclass
class ImportReport:
    """What ``import_journals`` did."""

    outcomes: list[Outcome] = field(default_factory=list)
    """One per journal, in path order."""

    def count(self, status: Status) -> int:
        """How many journals ended as ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)


def find_journals(inputs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Journals named, and ``*.jsonl`` files under folders named (recursively), sorted, unique."""
    found: set[Path] = set()
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found.update(x for x in p.rglob("*.jsonl") if x.is_file())
        else:
            found.add(p)
    return sorted(found)


# --------------------------------------------------------------------------- the workers

_keys: Mapping[str, bytes] = {}
_known: frozenset[str] = frozenset()
_seals: frozenset[str] = frozenset()
_practice = False
_found: dict[tuple[str, str, str, str], tuple[LoadedScenario, Policy]] = {}
"""What each (scenario id, sha256, path, policy) of a header is graded against, this run."""


def _setup(
    keys: Mapping[str, bytes], known: frozenset[str], seals: frozenset[str], practice: bool
) -> None:
    global _keys, _known, _seals, _practice
    _keys, _known, _seals, _practice = keys, known, seals, practice
    _found.clear()
    _keep_freed_heap()


def _keep_freed_heap() -> None:
    """Keep ``TOP_PAD`` of freed heap for the next journal rather than hand it back to the
    system after each one: faulting it in again (some 230 page faults per two-hour journal)
    cost about a quarter of a journal's CPU on the 2-core machine (``bench/importing.py``).
    Nothing changes where the C library has no ``mallopt`` (it is glibc's)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):  # pragma: no cover - not glibc
        return
    mallopt(_M_TOP_PAD, TOP_PAD)


def _grading(journal: JournalEvents) -> tuple[LoadedScenario, Policy]:
    """The scenario and policy ``grade_journal`` would find for ``journal``, found once per
    header's scenario and policy (a cohort plays a few scenarios under a few policies).

    Raises:
        JournalError, LoadError: as ``grade_journal``.
    """
    h = journal.header
    key = (h.scenario, h.scenario_sha256, h.scenario_path, h.policy)
    found = _found.get(key)
    if found is None:
        found = _found[key] = (journal_scenario(journal), journal_policy(journal))
    return found


def _grade(path: str) -> Graded:
    """Hash, read, seal-check and grade one journal: ``(path, status, message, attempts)``."""
    try:
        data = read_bytes(path, limit=MAX_JOURNAL_BYTES)
    except FileError as exc:
        return path, "unreadable", f"{path}: error: {exc.reason}", []
    sha = hashlib.sha256(data).hexdigest()
    if sha in _known:
        return path, "already", "", []
    try:
        journal, seal = read_sealed(path, _keys, data=data, sha256=sha)
        if journal.edited_line is not None:
            return (
                path,
                "refused",
                f"{path}:{journal.edited_line}: the line was edited by hand",
                [],
            )
        if seal.last_seal is not None and seal.last_seal in _seals:
            return path, "already", "", []
        driver = driver_for(path, journal.header.driver, seal, _practice)
        refuse_bad_names(f"{path}: not recorded", [{"trainee": journal.header.trainee}])
        loaded, policy = _grading(journal)
        a = grade_journal(journal, policy=policy, loaded=loaded)
        where = str(Path(path).resolve())
        rows = [exercise_row(a, journal, driver=driver, journal_path=where, seal=seal.last_seal)]
        if plays_as_team(journal):
            rows += people_rows(
                journal,
                scenario=loaded.scenario,
                policy=policy,
                driver=driver,
                journal_path=where,
                seal=seal.last_seal,
            )
            refuse_bad_names(f"{path}: not recorded", rows[1:])  # in the parent: a batch fails
    except JournalError as exc:
        return path, "unreadable", str(exc), []
    except RecordsError as exc:
        return path, "refused", str(exc), []
    except LoadError as exc:
        return path, "unreadable", "; ".join(str(x) for x in exc.problems), []
    except (KeyError, OSError, ValueError) as exc:  # a worker never dies with a traceback
        return path, "unreadable", f"{path}: error: {str(exc).strip(chr(39))}", []
    status: Status = "practice" if driver.startswith("practice:") else "imported"
    return path, status, "", rows


# --------------------------------------------------------------------------- the parent


def import_journals(
    location: Location,
    paths: Sequence[str | os.PathLike[str]],
    *,
    practice: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Grade the journals at ``paths`` into the records at ``location``, once each.

    Args:
        location: The records.
        paths: Journal files (``find_journals`` expands folders).
        practice: Record unsealed or foreign journals of live sessions as practice only,
            instead of refusing them.
        workers: Processes to grade in (default: one per core).
        progress: Told how many are done, as they are.
        now: When they are recorded (default: the current time, UTC).

    Raises:
        assessments.records.RecordsError: when the records cannot be used.
    """
    try:
        keys: Mapping[str, bytes] = load_keys(location).by_id
    except MissingKey:
        keys = {}  # a programme without a key has sealed nothing: every journal is foreign
    with Records(location) as records:
        known = frozenset(records.journal_digests())
        seals = frozenset(records.journal_seals())
    names = [os.fspath(p) for p in paths]
    when = now or datetime.now(UTC)
    _setup(keys, known, seals, practice)
    if len(names) < POOL_FROM or workers == 1:
        return _record(location, map(_grade, names), len(names), 1, progress, when)
    # The first journal is graded here: its scenario and policy are then loaded and cached
    # before the workers fork, so they start warm (most of a cohort plays a few scenarios).
    first = _grade(names[0])
    count = workers or os.cpu_count() or 1
    chunk = max(1, min(64, len(names) // (count * 8)))
    context = (
        multiprocessing.get_context("fork")
        if "fork" in multiprocessing.get_all_start_methods()
        else None
    )
    with ProcessPoolExecutor(
        count, mp_context=context, initializer=_setup, initargs=(keys, known, seals, practice)
    ) as pool:
        rest = pool.map(_grade, names[1:], chunksize=chunk)
        graded = itertools.chain([first], rest)
        return _record(location, graded, len(names), chunk, progress, when)


def _record(
    location: Location,
    results: Iterable[Graded],
    total: int,
    step: int,
    progress: Progress | None,
    now: datetime,
) -> ImportReport:
    """Record the attempts among ``results`` as they come, about ``BATCH`` per transaction
    (a journal's attempts in one), and tell ``progress`` every ``step`` journals. A journal
    is ``already`` recorded when none of its attempts was new."""
    kept: list[Graded] = []
    pending: list[tuple[int, dict[str, Any]]] = []
    new: dict[int, bool] = {}
    with Records(location) as records:

        def write() -> None:
            try:
                added = records.add_exercises([row for _, row in pending], recorded_at=now)
            except ValueError as exc:  # pragma: no cover - the workers checked names and scores
                raise RecordsError(f"{location}: {exc}") from None
            for (i, _), fresh in zip(pending, added, strict=True):
                new[i] = new.get(i, False) or fresh
            pending.clear()

        for i, result in enumerate(results):
            kept.append(result)
            pending.extend((i, row) for row in result[3])
            if len(pending) >= BATCH:
                write()
            if progress is not None and ((i + 1) % step == 0 or i + 1 == total):
                progress(i + 1, total)
        if pending:
            write()
    report = ImportReport()
    for i, (path, status, message, _) in enumerate(kept):
        if not new.get(i, True):
            status = "already"  # the same journal under two names, or recorded meanwhile
        report.outcomes.append(Outcome(path, status, message))
    return report
