"""The records store: one connection, its transactions, and every query about trainees.

``Records`` opens the database at a location (an SQLite file or a PostgreSQL URL,
``connection``), brings its schema up to date (``migrations``), and records and reads exercise
attempts, quiz attempts, practical credits and certificates. Every write is one transaction,
and writers take turns (``dialects``), so two terminals, or two facilitators' machines on one
PostgreSQL, recording at once lose nothing. Queries are written once, in standard SQL with
``:name`` parameters, and run unchanged on both engines. Dates and times are passed in by the
caller (``now``, ``on``) so tests use fixed dates; this module never reads the clock except to
stamp when a migration was applied.

Reading never stops at a bad row: a row whose values break what its columns promise (written
before the constraints, or by hand) is left out of the result and kept in ``bad_rows`` for the
caller to report, e.g. ``row 12 of exercise_attempts: criteria is not JSON``.

Why one module: ``Records`` is one connection and one transaction discipline; every query
runs inside it and shares its row checks, so splitting the queries by table would split the
class. The SQL that differs between the engines is in ``dialects``, the schema in
``migrations``.

This module must not decide what a record means for certification (that is
``assessments.certification``), must not build SQL from values (every value is a parameter),
and must not import the TUI, Textual or Rich.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from difflib import get_close_matches
from typing import Any, TypeVar

from assessments.records.connection import (
    BUSY_TIMEOUT_S,
    Location,
    ServerDatabase,
    connect,
    location_of,
)
from assessments.records.errors import RecordsError, UnknownTrainee
from assessments.records.migrations import MIGRATIONS, VERSION_TABLE, Migration, apply
from assessments.records.rows import (
    CREDIT_KINDS,
    MAX_NOTE,
    BadRow,
    CertificateRecord,
    Credit,
    ExerciseAttempt,
    QuizAttempt,
    RowProblem,
    Trainee,
    TraineeRecord,
    certificate_from_row,
    credit_from_row,
    exercise_from_row,
    name_key,
    normalise_name,
    quiz_from_row,
    stamp,
    to_datetime,
    trainee_from_row,
)

__all__ = ["Records"]

_Row = TypeVar("_Row")


@dataclass
class _State:
    depth: int = 0
    bad: dict[tuple[str, int, str], BadRow] = field(default_factory=dict)


class Records:
    """A connection to the records database; use as a context manager.

    Opening creates the database (an SQLite file and its folder, owner-only) when missing and
    brings the schema up to date.

    Args:
        path: The SQLite file, or a ``postgresql://`` URL (or a ``ServerDatabase``).
        migrations: The schema history to apply (tests pass a longer or shorter one).
        timeout: Seconds a writer waits for another writer.

    Raises:
        RecordsError: when the location is not a warroom records database, cannot be reached,
            or was written by a newer warroom.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | ServerDatabase,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        timeout: float = BUSY_TIMEOUT_S,
    ) -> None:
        self.path: Location = location_of(path)
        """Where the records are (prints without a URL's password)."""
        self._state = _State()
        self._conn = connect(self.path, timeout)
        self.dialect = self._conn.dialect
        """The engine's SQL differences."""
        try:
            self.version = self._migrate(migrations)
            """The schema version the database is at."""
            self._sessions = self.version >= SESSION_COLUMNS_VERSION
            self._teams = self.version >= TEAM_COLUMNS_VERSION
            self._seals = self.version >= SEAL_COLUMN_VERSION
        except BaseException:
            self._conn.close()
            raise

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Records:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def bad_rows(self) -> list[BadRow]:
        """Rows the reads so far skipped because a value breaks its column's promise, once
        each, in the order met."""
        return list(self._state.bad.values())

    # -- transactions and statements -------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction; nested uses join the outermost one."""
        state = self._state
        if state.depth:
            state.depth += 1
            try:
                yield
            finally:
                state.depth -= 1
            return
        self._exec(self.dialect.begin_write)
        state.depth = 1
        try:
            if self.dialect.queue_writers is not None:
                self._exec(self.dialect.queue_writers)
            yield
            self._exec("COMMIT")
        except BaseException:
            if self._conn.in_transaction():
                self._conn.rollback()
            raise
        finally:
            state.depth = 0

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """A read transaction, so several queries see one state of the database."""
        if self._state.depth:
            yield
            return
        self._exec(self.dialect.begin_read)
        self._state.depth = 1
        try:
            yield
        finally:
            self._state.depth = 0
            if self._conn.in_transaction():
                self._exec("COMMIT")

    def _exec(self, query: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self._conn.execute(query, params).rows

    def _rows(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        result = self._conn.execute(query, params)
        return [dict(zip(result.columns, row, strict=True)) for row in result.rows]

    def _insert(self, query: str, params: Mapping[str, Any]) -> int:
        if self.dialect.returning_id:
            return int(self._exec(query + " RETURNING id", params)[0][0])
        result = self._conn.execute(query, params)
        if result.lastrowid is None:  # pragma: no cover - SQLite always sets it after INSERT
            raise RecordsError("the database did not return the new row's id")
        return result.lastrowid

    def _decoded(
        self,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        decode: Callable[[Mapping[str, Any]], _Row],
    ) -> list[_Row]:
        out: list[_Row] = []
        for row in rows:
            try:
                out.append(decode(row))
            except RowProblem as exc:
                bad = BadRow(table, int(row["id"]), str(exc))
                self._state.bad.setdefault((table, bad.row, bad.problem), bad)
        return out

    # -- migrations ------------------------------------------------------------------------

    def _migrate(self, migrations: Sequence[Migration]) -> int:
        for i, step in enumerate(migrations, start=1):
            if step.version != i:
                raise ValueError(f"migration {i} is numbered {step.version}: number them 1, 2, …")
        latest = len(migrations)
        with self._conn.relaxed(), self.transaction():
            tables = self._tables()
            if tables and "schema_version" not in tables:
                raise RecordsError(
                    f"{self.path}: not a warroom records database (it has other tables)"
                )
            self._exec(VERSION_TABLE)
            current = self._current_version()
            if current > latest:
                raise RecordsError(
                    f"{self.path}: written by a newer warroom (schema version {current}; "
                    f"this one knows up to {latest}); upgrade warroom"
                )
            for step in migrations[current:]:
                apply(self._conn, step)
                self._exec(
                    "INSERT INTO schema_version (version, description, applied_at) "
                    "VALUES (:version, :description, :applied_at)",
                    {
                        "version": step.version,
                        "description": step.description,
                        "applied_at": stamp(datetime.now(UTC)),
                    },
                )
        return latest

    def _tables(self) -> set[str]:
        return {str(r["name"]) for r in self._rows(self.dialect.tables)}

    def _current_version(self) -> int:
        rows = self._exec("SELECT MAX(version) FROM schema_version")
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    def schema_history(self) -> list[tuple[int, str]]:
        """Applied migration steps: ``(version, description)``, oldest first."""
        rows = self._rows("SELECT version, description FROM schema_version ORDER BY version")
        return [(int(r["version"]), str(r["description"])) for r in rows]

    # -- trainees --------------------------------------------------------------------------

    def ensure_trainee(self, name: str, *, now: datetime) -> Trainee:
        """The trainee called ``name`` (case-insensitively), recorded now if new.

        Raises:
            ValueError: when the name is not a valid trainee name.
        """
        clean = normalise_name(name)
        with self.transaction():
            found = self.trainee(clean)
            if found is not None:
                return found
            created = stamp(now)
            new_id = self._insert(
                "INSERT INTO trainees (name, name_key, created_at) "
                "VALUES (:name, :name_key, :created_at)",
                {"name": clean, "name_key": name_key(clean), "created_at": created},
            )
        return Trainee(new_id, clean, to_datetime(created))

    def trainee(self, name: str) -> Trainee | None:
        """The trainee called ``name`` (case and spacing ignored), or ``None``."""
        try:
            key = name_key(normalise_name(name))
        except ValueError:
            return None
        rows = self._rows(
            "SELECT id, name, created_at FROM trainees WHERE name_key = :key", {"key": key}
        )
        found = self._decoded("trainees", rows, trainee_from_row)
        return found[0] if found else None

    def require_trainee(self, name: str) -> Trainee:
        """The trainee called ``name``.

        Raises:
            UnknownTrainee: with the closest recorded names, when there is none.
        """
        found = self.trainee(name)
        if found is not None:
            return found
        close = self.suggest(name)
        hint = f" (did you mean {', '.join(repr(n) for n in close)}?)" if close else ""
        raise UnknownTrainee(f"no trainee {name!r} in {self.path}{hint}")

    def suggest(self, name: str) -> list[str]:
        """Up to three recorded names like ``name``: close spellings, or names it begins."""
        key = " ".join(name.split()).casefold()
        names = {t.name.casefold(): t.name for t in self.trainees()}
        close = get_close_matches(key, list(names), n=3, cutoff=0.6)
        close += [k for k in names if k.startswith(key) and k != key and k not in close]
        return [names[k] for k in close[:3]]

    def trainees(self) -> list[Trainee]:
        """Every trainee, by name."""
        rows = self._rows("SELECT id, name, created_at FROM trainees ORDER BY name_key, id")
        return self._decoded("trainees", rows, trainee_from_row)

    # -- writes ----------------------------------------------------------------------------

    def add_exercise(
        self,
        trainee: str,
        *,
        scenario: str,
        policy: str,
        score: float,
        passed: bool,
        criteria: Sequence[Mapping[str, Any]],
        recorded_at: datetime,
        seed: int | None = None,
        journal_path: str | None = None,
        journal_sha256: str | None = None,
        driver: str = "unknown",
        title: str | None = None,
        started_at: str | None = None,
        completed: bool | None = None,
        sealed_by: str | None = None,
        critical: Sequence[str] | None = None,
        markers: Mapping[str, Any] | None = None,
        outcomes: Sequence[Sequence[Any]] | None = None,
        team: str | None = None,
        seat: str = "",
        roles: Sequence[str] | None = None,
        seal: str | None = None,
    ) -> ExerciseAttempt:
        """Record a graded exercise; the same journal under the same policy is recorded once.

        ``title``, ``started_at``, ``completed``, ``critical`` (the critical failures' ids)
        ``markers`` (the behavioural markers) and ``outcomes`` (``[id, status, measured_s,
        limit_s]`` per criterion, the criteria in brief) are what a cohort report needs of the
        journal and its grade (so it never reads the journal again); ``sealed_by`` the id of
        the programme key that sealed it. ``team``, ``seat`` and ``roles`` mark an attempt of a
        team game day: the team's own (``team`` alone) or one participant's (their seat and
        the roles they held); a journal is recorded once per seat under a policy.

        A journal is the same as one recorded when its ``journal_sha256`` is, or, for a journal
        the programme sealed, when its ``seal`` is (its last line's seal, checked by the
        caller: ``simulator.journal.SealCheck.last_seal``): copies of a sealed journal whose
        bytes differ only where the seal does not reach are one journal.

        Returns:
            The new attempt, or the one already recorded from the same journal.
        """
        values = _exercise_values(
            scenario=scenario,
            policy=policy,
            score=score,
            passed=passed,
            criteria=criteria,
            recorded_at=recorded_at,
            seed=seed,
            journal_path=journal_path,
            journal_sha256=journal_sha256,
            driver=driver,
            title=title,
            started_at=started_at,
            completed=completed,
            sealed_by=sealed_by,
            critical=critical,
            markers=markers,
            outcomes=outcomes,
            team=team,
            seat=seat,
            roles=roles,
            seal=seal,
        )
        with self.transaction():
            who = self.ensure_trainee(trainee, now=recorded_at)
            same_journal = self._same_journal(values)
            if same_journal is not None:
                same = self._exercises(f"WHERE {same_journal}", values)
                if same:
                    return same[0]
            new_id = self._insert(self._insert_exercise, {**values, "trainee": who.id})
            return self._exercises("WHERE e.id = :id", {"id": new_id})[0]

    def add_exercises(
        self, attempts: Sequence[Mapping[str, Any]], *, recorded_at: datetime
    ) -> list[bool]:
        """Record many graded exercises in one transaction (``warroom import``).

        Each mapping holds ``add_exercise``'s keyword arguments but ``recorded_at``; as there,
        the same journal (by SHA-256, or by seal) under the same policy is recorded once per
        seat. Nothing is read back.

        Returns:
            Whether each attempt was new (``False``: the records held its journal already).

        Raises:
            ValueError: for a score out of range or a name the records do not take (nothing of
                the batch is recorded).
        """
        recorded: list[bool] = []
        people: dict[str, int] = {}
        with self.transaction():
            for attempt in attempts:
                fields = dict(attempt)
                name = str(fields.pop("trainee"))
                values = _exercise_values(recorded_at=recorded_at, **fields)
                same_journal = self._same_journal(values)
                if same_journal is not None and self._exec(
                    f"SELECT 1 FROM exercise_attempts e WHERE {same_journal}", values
                ):
                    recorded.append(False)
                    continue
                if name not in people:
                    people[name] = self.ensure_trainee(name, now=recorded_at).id
                self._exec(self._insert_exercise, {**values, "trainee": people[name]})
                recorded.append(True)
        return recorded

    def _same_journal(self, values: Mapping[str, Any]) -> str | None:
        """The condition on ``exercise_attempts e`` that finds an attempt of the same journal
        as ``values`` (``_exercise_values``) under its policy and seat; ``None`` without a
        journal."""
        same = []
        if values["journal_sha256"] is not None:
            same.append("e.journal_sha256 = :journal_sha256")
        if values["seal"] is not None and self._seals:
            same.append("e.seal = :seal")
        if not same:
            return None
        seat = " AND e.seat = :seat" if self._teams else ""
        return f"({' OR '.join(same)}) AND e.policy = :policy{seat}"

    @property
    def _insert_exercise(self) -> str:
        return (
            "INSERT INTO exercise_attempts (trainee_id, scenario, policy, seed, journal_path, "
            "journal_sha256, driver, score, passed, criteria, recorded_at"
            f"{_SESSION_COLUMNS if self._sessions else ''}"
            f"{_TEAM_COLUMNS if self._teams else ''}"
            f"{', seal' if self._seals else ''}) VALUES (:trainee, :scenario, "
            ":policy, :seed, :journal_path, :journal_sha256, :driver, :score, :passed, "
            ":criteria, :recorded_at"
            f"{_SESSION_VALUES if self._sessions else ''}"
            f"{_TEAM_VALUES if self._teams else ''}"
            f"{', :seal' if self._seals else ''})"
        )

    def journal_digests(self) -> list[str]:
        """The SHA-256 of every journal the records hold in full: an attempt of it, and for a
        team game day the participants' attempts too (``warroom import`` recorded only the team's
        before schema step 5: such a journal is read again, and its participants added)."""
        rows = self._exec(
            "SELECT DISTINCT journal_sha256 FROM exercise_attempts a "
            f"WHERE journal_sha256 IS NOT NULL{self._held_in_full('journal_sha256')}"
        )
        return [str(r[0]) for r in rows]

    def journal_seals(self) -> list[str]:
        """The last seal of every sealed journal the records hold in full (what a sealed
        journal is known by, whatever its bytes: ``add_exercise``; in full: ``journal_digests``)."""
        if not self._seals:  # pragma: no cover - only a test's shortened history
            return []
        rows = self._exec(
            "SELECT DISTINCT seal FROM exercise_attempts a "
            f"WHERE seal IS NOT NULL{self._held_in_full('seal')}"
        )
        return [str(r[0]) for r in rows]

    def _held_in_full(self, key: str) -> str:
        """The condition leaving out a team's attempt (``a``) with no participant's beside it
        by ``key``: a team game day imported before participants were recorded."""
        if not self._teams:  # pragma: no cover - only a test's shortened history
            return ""
        return (
            f" AND NOT (a.team IS NOT NULL AND a.seat = '' AND NOT EXISTS (SELECT 1 FROM "
            f"exercise_attempts p WHERE p.{key} = a.{key} AND p.seat <> ''))"
        )

    def signed_count(self) -> int:
        """How many certificates and sealed journals the records hold (what the key signed)."""
        sealed = "(SELECT COUNT(*) FROM exercise_attempts WHERE sealed_by IS NOT NULL)"
        rows = self._exec(
            f"SELECT (SELECT COUNT(*) FROM certificates) + {sealed if self._sessions else 0}"
        )
        return int(rows[0][0])

    def exercises(self) -> list[ExerciseAttempt]:
        """Every exercise attempt, oldest first (bad rows are skipped and reported)."""
        return self._exercises()

    def cohort_rows(self, policy: str | None = None) -> list[tuple[Any, ...]]:
        """What a cohort report needs of every exercise attempt, as plain tuples, fast.

        Each is ``(id, trainee, scenario, title, policy, started_at, recorded_at, passed, score,
        criteria JSON text, completed, journal_path, critical JSON text, markers JSON text,
        team, seat, roles JSON text)``,
        the criteria in brief (``outcomes``) where the attempt has them; only ``policy``'s
        attempts when given.
        Values are as stored: the caller checks them (``rows`` for the rules).
        """
        where = "WHERE e.policy = :policy" if policy is not None else ""
        if not self._sessions:  # pragma: no cover - only a test's shortened history
            raise RecordsError(f"{self.path}: schema version {self.version} has no cohort data")
        return self._exec(
            "SELECT e.id, t.name, e.scenario, e.title, e.policy, e.started_at, e.recorded_at, "
            "e.passed, e.score, COALESCE(e.outcomes, e.criteria), e.completed, e.journal_path, "
            "e.critical, e.markers"
            f"{_TEAM_SELECT if self._teams else ''} "
            "FROM exercise_attempts e JOIN trainees t ON t.id = e.trainee_id "
            f"{where} ORDER BY e.id",
            {"policy": policy} if policy is not None else None,
        )

    def report_bad_row(self, table: str, row: int, problem: str) -> None:
        """Note a row a caller's own reading found bad (listed in ``bad_rows``)."""
        bad = BadRow(table, row, problem)
        self._state.bad.setdefault((table, bad.row, bad.problem), bad)

    def add_quiz(
        self,
        trainee: str,
        *,
        policy: str,
        seed: int,
        correct: int,
        total: int,
        passed: bool,
        categories: Sequence[Mapping[str, Any]],
        taken_at: datetime,
        refresher: bool = False,
    ) -> QuizAttempt:
        """Record a graded quiz."""
        if total <= 0 or not 0 <= correct <= total:
            raise ValueError(f"a quiz result needs 0 <= correct <= total, got {correct}/{total}")
        with self.transaction():
            who = self.ensure_trainee(trainee, now=taken_at)
            new_id = self._insert(
                "INSERT INTO quiz_attempts (trainee_id, policy, seed, score, correct, total, "
                "passed, categories, refresher, taken_at) VALUES (:trainee, :policy, :seed, "
                ":score, :correct, :total, :passed, :categories, :refresher, :taken_at)",
                {
                    "trainee": who.id,
                    "policy": policy,
                    "seed": seed,
                    "score": correct / total,
                    "correct": correct,
                    "total": total,
                    "passed": bool(passed),
                    "categories": json.dumps(list(categories), ensure_ascii=False),
                    "refresher": bool(refresher),
                    "taken_at": stamp(taken_at),
                },
            )
            return self._quizzes("WHERE q.id = :id", {"id": new_id})[0]

    def add_credit(
        self,
        trainee: str,
        kind: str,
        *,
        on: date,
        recorded_at: datetime,
        note: str | None = None,
    ) -> Credit:
        """Record a practical credit.

        Raises:
            ValueError: for an unknown kind, or a note longer than ``MAX_NOTE`` characters.
        """
        if kind not in CREDIT_KINDS:
            raise ValueError(f"unknown credit {kind!r} (kinds: {', '.join(CREDIT_KINDS)})")
        note = _note(note)
        with self.transaction():
            who = self.ensure_trainee(trainee, now=recorded_at)
            new_id = self._insert(
                "INSERT INTO credits (trainee_id, kind, note, credited_on, recorded_at) "
                "VALUES (:trainee, :kind, :note, :on, :recorded_at)",
                {
                    "trainee": who.id,
                    "kind": kind,
                    "note": note,
                    "on": on.isoformat(),
                    "recorded_at": stamp(recorded_at),
                },
            )
            return self._credits("WHERE c.id = :id", {"id": new_id})[0]

    def add_certificate(
        self,
        trainee: str,
        *,
        policy: str,
        issued: date,
        expires: date,
        code: str,
        document: str,
    ) -> CertificateRecord:
        """Record an issued certificate.

        Raises:
            UnknownTrainee: certificates are only issued to recorded trainees.
        """
        with self.transaction():
            who = self.require_trainee(trainee)
            new_id = self._insert(
                "INSERT INTO certificates (trainee_id, policy, issued_at, expires_at, code, "
                "document, revoked) VALUES (:trainee, :policy, :issued, :expires, :code, "
                ":document, :revoked)",
                {
                    "trainee": who.id,
                    "policy": policy,
                    "issued": issued.isoformat(),
                    "expires": expires.isoformat(),
                    "code": code,
                    "document": document,
                    "revoked": False,
                },
            )
            return self._certificates("WHERE x.id = :id", {"id": new_id})[0]

    def revoke_certificate(
        self, code: str, *, at: datetime, reason: str | None = None
    ) -> CertificateRecord:
        """Mark the certificate with ``code`` revoked (a second revocation changes nothing).

        Raises:
            RecordsError: when no certificate has that code.
        """
        reason = _note(reason)
        with self.transaction():
            found = self.certificate(code)
            if found is None:
                raise RecordsError(f"no certificate with code {code[:16]}… in {self.path}")
            if found.revoked:
                return found
            self._exec(
                "UPDATE certificates SET revoked = :revoked, revoked_at = :at, "
                "revoked_reason = :reason WHERE id = :id",
                {"revoked": True, "at": stamp(at), "reason": reason, "id": found.id},
            )
            return self._certificates("WHERE x.id = :id", {"id": found.id})[0]

    # -- reads -----------------------------------------------------------------------------

    def certificate(self, code: str) -> CertificateRecord | None:
        """The certificate with ``code``, or ``None``."""
        found = self._certificates("WHERE x.code = :code", {"code": code})
        return found[0] if found else None

    def record(self, name: str) -> TraineeRecord:
        """Everything recorded about one trainee.

        Raises:
            UnknownTrainee: when there is no such trainee.
        """
        with self._snapshot():
            who = self.require_trainee(name)
            where, params = "WHERE t.id = :id", {"id": who.id}
            return TraineeRecord(
                who,
                tuple(self._exercises(where, params)),
                tuple(self._quizzes(where, params)),
                tuple(self._credits(where, params)),
                tuple(self._certificates(where, params)),
            )

    def all_records(self) -> list[TraineeRecord]:
        """Every trainee's record, by name (five queries, whatever the number of trainees)."""
        with self._snapshot():
            people = self.trainees()
            exercises = _group(self._exercises(), people)
            quizzes = _group(self._quizzes(), people)
            credits = _group(self._credits(), people)
            certificates = _group(self._certificates(), people)
        return [
            TraineeRecord(
                t,
                tuple(exercises.get(t.name, ())),
                tuple(quizzes.get(t.name, ())),
                tuple(credits.get(t.name, ())),
                tuple(certificates.get(t.name, ())),
            )
            for t in people
        ]

    def _exercises(
        self, where: str = "", params: Mapping[str, Any] | None = None
    ) -> list[ExerciseAttempt]:
        rows = self._rows(
            "SELECT e.id, t.name, e.scenario, e.policy, e.seed, e.journal_path, "
            "e.journal_sha256, e.driver, e.score, e.passed, e.criteria, e.recorded_at"
            f"{_SESSION_SELECT if self._sessions else ''}"
            f"{_TEAM_SELECT if self._teams else ''}"
            f"{', e.seal' if self._seals else ''} "
            "FROM exercise_attempts e JOIN trainees t ON t.id = e.trainee_id "
            f"{where} ORDER BY e.recorded_at, e.id",
            params,
        )
        return self._decoded("exercise_attempts", rows, exercise_from_row)

    def _quizzes(
        self, where: str = "", params: Mapping[str, Any] | None = None
    ) -> list[QuizAttempt]:
        rows = self._rows(
            "SELECT q.id, t.name, q.policy, q.seed, q.score, q.correct, q.total, q.passed, "
            "q.categories, q.refresher, q.taken_at "
            "FROM quiz_attempts q JOIN trainees t ON t.id = q.trainee_id "
            f"{where} ORDER BY q.taken_at, q.id",
            params,
        )
        return self._decoded("quiz_attempts", rows, quiz_from_row)

    def _credits(self, where: str = "", params: Mapping[str, Any] | None = None) -> list[Credit]:
        rows = self._rows(
            "SELECT c.id, t.name, c.kind, c.note, c.credited_on, c.recorded_at "
            "FROM credits c JOIN trainees t ON t.id = c.trainee_id "
            f"{where} ORDER BY c.credited_on, c.id",
            params,
        )
        return self._decoded("credits", rows, credit_from_row)

    def _certificates(
        self, where: str = "", params: Mapping[str, Any] | None = None
    ) -> list[CertificateRecord]:
        rows = self._rows(
            "SELECT x.id, t.name, x.policy, x.issued_at, x.expires_at, x.code, x.document, "
            "x.revoked, x.revoked_at, x.revoked_reason "
            "FROM certificates x JOIN trainees t ON t.id = x.trainee_id "
            f"{where} ORDER BY x.issued_at, x.id",
            params,
        )
        return self._decoded("certificates", rows, certificate_from_row)


# --------------------------------------------------------------------------- helpers

SESSION_COLUMNS_VERSION = 3
"""The schema version from which attempts keep title, start, completion and sealing key."""
_SESSION_COLUMNS = ", title, started_at, completed, sealed_by, critical, markers, outcomes"
_SESSION_VALUES = ", :title, :started_at, :completed, :sealed_by, :critical, :markers, :outcomes"
_SESSION_SELECT = ", e.title, e.started_at, e.completed, e.sealed_by"
TEAM_COLUMNS_VERSION = 4
"""The schema version from which attempts keep a team game day's team, seat and roles."""
_TEAM_COLUMNS = ", team, seat, roles"
_TEAM_VALUES = ", :team, :seat, :roles"
_TEAM_SELECT = ", e.team, e.seat, e.roles"
SEAL_COLUMN_VERSION = 5
"""The schema version from which attempts keep their sealed journal's last seal."""


def _exercise_values(
    *,
    scenario: str,
    policy: str,
    score: float,
    passed: bool,
    criteria: Sequence[Mapping[str, Any]],
    recorded_at: datetime,
    seed: int | None = None,
    journal_path: str | None = None,
    journal_sha256: str | None = None,
    driver: str = "unknown",
    title: str | None = None,
    started_at: str | None = None,
    completed: bool | None = None,
    sealed_by: str | None = None,
    critical: Sequence[str] | None = None,
    markers: Mapping[str, Any] | None = None,
    outcomes: Sequence[Sequence[Any]] | None = None,
    team: str | None = None,
    seat: str = "",
    roles: Sequence[str] | None = None,
    seal: str | None = None,
) -> dict[str, Any]:
    """An exercise attempt's column values but its trainee's id (see ``add_exercise``).

    Raises:
        ValueError: for a score out of range.
    """
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"an exercise score is between 0 and 1, not {score!r}")
    return {
        "scenario": scenario,
        "policy": policy,
        "seed": seed,
        "journal_path": journal_path,
        "journal_sha256": journal_sha256,
        "driver": driver,
        "score": float(score),
        "passed": bool(passed),
        "criteria": json.dumps(list(criteria), ensure_ascii=False, sort_keys=True),
        "recorded_at": stamp(recorded_at),
        "title": title,
        "started_at": started_at,
        "completed": completed,
        "sealed_by": sealed_by,
        "critical": None if critical is None else json.dumps(list(critical)),
        "markers": None
        if markers is None
        else json.dumps(dict(markers), ensure_ascii=False, sort_keys=True),
        "outcomes": None
        if outcomes is None
        else json.dumps([list(o) for o in outcomes], ensure_ascii=False),
        "team": team,
        "seat": seat,
        "roles": None if roles is None else json.dumps(list(roles)),
        "seal": seal,
    }


def _group(rows: Sequence[Any], people: Sequence[Trainee]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {t.name: [] for t in people}
    for row in rows:
        out.setdefault(row.trainee, []).append(row)
    return out


def _note(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    if len(text) > MAX_NOTE:
        raise ValueError(f"a note is at most {MAX_NOTE} characters (this one has {len(text)})")
    return text or None
