"""Trainee records: exercise attempts, quiz attempts, practical credits and certificates.

One small storage layer over embedded SQLite (the default; a PostgreSQL backend can be added
later without rewriting a query, see *Portability*). Every write is one transaction; the
database runs in WAL mode with a busy timeout, so two terminals recording at once lose nothing,
and with ``synchronous = FULL``, so a commit survives a power cut too (it costs one fsync per
write, a few milliseconds to tens on a slow disk; nothing here writes in bulk).
The schema is versioned from the first release: ``schema_version`` holds one row per applied
step of ``MIGRATIONS``, and opening a database applies the steps it lacks, in order, inside a
transaction.

Where the database is: ``--db PATH``, else the ``WARROOM_DB`` environment variable, else
``platformdirs.user_data_dir("warroom")/records.db`` (``resolve_db_path``).

Dates and times are passed in by the caller (``now``, ``on``) so tests use fixed dates; this
module never reads the clock except to stamp when a migration was applied.

Portability. Queries are written once, in standard SQL with ``:name`` placeholders, and pass
through ``Dialect.sql`` before they run: SQLite takes ``:name`` as it is; the PostgreSQL dialect
rewrites it to psycopg's ``%(name)s``. What differs between the engines is in ``Dialect``: the
auto-numbered key type; how a write transaction starts (SQLite: ``BEGIN IMMEDIATE``, taking the
write lock at once, so the busy timeout applies instead of a failed lock upgrade, and the single
writer makes check-then-insert such as ``ensure_trainee`` safe; PostgreSQL: ``SERIALIZABLE``,
retried when it fails to serialize); how an insert returns the new id (``cursor.lastrowid`` or
``RETURNING id``); and the catalogue query that lists tables. The PRAGMAs are in
``Records._connect``. To add PostgreSQL: a ``_connect`` that opens psycopg for a
``postgresql://`` location and uses ``POSTGRESQL``, and ``_exec`` mapping psycopg's errors as it
maps sqlite3's; queries and migrations stay as they are. ``TEXT`` and ``CREATE INDEX`` are not in
the standard but both engines have them; JSON is stored as text, dates as ISO 8601.

This module stores and reads; it must not decide what a record means for certification (that is
``assessments.certification``), must not build SQL from values (every value is a parameter), and
must not import the TUI, Textual or Rich.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Literal, get_args

import platformdirs

from simulator.text import MAX_NAME

__all__ = [
    "CREDIT_KINDS",
    "MIGRATIONS",
    "POSTGRESQL",
    "SQLITE",
    "CertificateRecord",
    "Credit",
    "Dialect",
    "ExerciseAttempt",
    "Migration",
    "QuizAttempt",
    "Records",
    "RecordsError",
    "Trainee",
    "TraineeRecord",
    "UnknownTrainee",
    "normalise_name",
    "resolve_db_path",
]

ENV_DB = "WARROOM_DB"
"""Environment variable naming the database when ``--db`` is not given."""
MAX_NOTE = 400
"""Longest note on a credit or a revocation."""
BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another writer's transaction to finish."""

RecordedKind = Literal[
    "shadow-shift", "mock-incident", "ic-exercise", "real-incident", "gameday", "procedure-review"
]
"""Practical credits recorded by hand. ``refresher-quiz`` is not among them: it is earned by
passing a quiz (``add_quiz``)."""
CREDIT_KINDS: tuple[RecordedKind, ...] = get_args(RecordedKind)
"""The kinds ``add_credit`` accepts, in the order the training module lists them."""


class RecordsError(Exception):
    """The records cannot be used as asked; the message says why and what to do."""


class UnknownTrainee(RecordsError, LookupError):
    """No trainee has that name."""


# --------------------------------------------------------------------------- names and paths


def normalise_name(text: str) -> str:
    """A trainee name as stored: NFC, whitespace runs collapsed to one space, trimmed.

    Raises:
        ValueError: when the name is empty, longer than ``MAX_NAME`` characters or holds a
            control character.
    """
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name:
        raise ValueError("a trainee name cannot be empty")
    if len(name) > MAX_NAME:
        raise ValueError(
            f"a trainee name is at most {MAX_NAME} characters (this one has {len(name)})"
        )
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise ValueError("a trainee name cannot contain control or unassigned characters")
    return name


def _name_key(name: str) -> str:
    return name.casefold()


def resolve_db_path(option: str | os.PathLike[str] | None = None) -> Path:
    """Where the records are: ``option``, else ``$WARROOM_DB``, else the user data directory."""
    if option is not None and str(option):
        return Path(option)
    env = os.environ.get(ENV_DB, "")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("warroom")) / "records.db"


# --------------------------------------------------------------------------- dialects


_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Dialect:
    """What differs between database engines; queries themselves are shared."""

    name: str
    """``sqlite`` or ``postgresql``."""
    paramstyle: Literal["named", "pyformat"]
    """The driver's placeholder style (DB-API ``paramstyle``)."""
    identity: str
    """Column definition of an auto-numbered primary key."""
    begin_write: str
    """Statement that starts a write transaction."""
    returning_id: bool
    """Whether an insert reads the new id with ``RETURNING id`` (else ``cursor.lastrowid``)."""
    tables: str
    """Query listing the tables of the database, one ``name`` per row."""

    def sql(self, query: str) -> str:
        """``query`` with its ``:name`` placeholders in this driver's style and ``{id}`` filled.

        Queries hold no string literals with colons, so every ``:name`` is a placeholder.
        """
        query = query.replace("{id}", self.identity)
        if self.paramstyle == "pyformat":
            return _PLACEHOLDER.sub(r"%(\1)s", query.replace("%", "%%"))
        return query


SQLITE = Dialect(
    name="sqlite",
    paramstyle="named",
    identity="INTEGER PRIMARY KEY",
    begin_write="BEGIN IMMEDIATE",
    returning_id=False,
    tables="SELECT name FROM sqlite_master WHERE type = 'table'",
)
"""The embedded default."""
POSTGRESQL = Dialect(
    name="postgresql",
    paramstyle="pyformat",
    identity="INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    begin_write="BEGIN ISOLATION LEVEL SERIALIZABLE",
    returning_id=True,
    tables="SELECT table_name AS name FROM information_schema.tables "
    "WHERE table_schema = current_schema()",
)
"""For a later PostgreSQL backend (psycopg); not wired to a connection yet."""


# --------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class Migration:
    """One step of the schema's history; steps are never edited once released, only added."""

    version: int
    """The schema version this step brings the database to (1, 2, …, no gaps)."""
    description: str
    """What the step does, stored in ``schema_version``."""
    statements: tuple[str, ...]
    """SQL run in order inside one transaction; ``{id}`` is the dialect's key type."""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "trainees, exercise and quiz attempts, practical credits, certificates",
        (
            """CREATE TABLE trainees (
                id {id},
                name VARCHAR(80) NOT NULL,
                name_key VARCHAR(320) NOT NULL UNIQUE,
                created_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE exercise_attempts (
                id {id},
                trainee_id INTEGER NOT NULL REFERENCES trainees (id),
                scenario VARCHAR(200) NOT NULL,
                policy VARCHAR(200) NOT NULL,
                seed BIGINT,
                journal_path VARCHAR(4096),
                journal_sha256 CHAR(64),
                driver VARCHAR(200) NOT NULL,
                score DOUBLE PRECISION NOT NULL,
                passed BOOLEAN NOT NULL,
                criteria TEXT NOT NULL,
                recorded_at TIMESTAMP NOT NULL,
                UNIQUE (journal_sha256, policy)
            )""",
            """CREATE TABLE quiz_attempts (
                id {id},
                trainee_id INTEGER NOT NULL REFERENCES trainees (id),
                policy VARCHAR(200) NOT NULL,
                seed BIGINT NOT NULL,
                score DOUBLE PRECISION NOT NULL,
                correct INTEGER NOT NULL,
                total INTEGER NOT NULL,
                passed BOOLEAN NOT NULL,
                categories TEXT NOT NULL,
                refresher BOOLEAN NOT NULL,
                taken_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE credits (
                id {id},
                trainee_id INTEGER NOT NULL REFERENCES trainees (id),
                kind VARCHAR(40) NOT NULL,
                note VARCHAR(400),
                credited_on DATE NOT NULL,
                recorded_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE certificates (
                id {id},
                trainee_id INTEGER NOT NULL REFERENCES trainees (id),
                policy VARCHAR(200) NOT NULL,
                issued_at DATE NOT NULL,
                expires_at DATE NOT NULL,
                code CHAR(64) NOT NULL UNIQUE,
                document TEXT NOT NULL,
                revoked BOOLEAN NOT NULL,
                revoked_at TIMESTAMP,
                revoked_reason VARCHAR(400)
            )""",
            "CREATE INDEX exercise_attempts_by_trainee ON exercise_attempts (trainee_id)",
            "CREATE INDEX quiz_attempts_by_trainee ON quiz_attempts (trainee_id)",
            "CREATE INDEX credits_by_trainee ON credits (trainee_id)",
            "CREATE INDEX certificates_by_trainee ON certificates (trainee_id)",
        ),
    ),
)
"""The schema's history, oldest first. To change the schema, append a step."""

_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL PRIMARY KEY,
    description VARCHAR(200) NOT NULL,
    applied_at TIMESTAMP NOT NULL
)"""


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Trainee:
    """A person in the programme."""

    id: int
    """Database id."""
    name: str
    """The name as first recorded (normalised)."""
    created_at: datetime
    """When the trainee was first recorded."""


@dataclass(frozen=True)
class ExerciseAttempt:
    """One graded warroom exercise."""

    id: int
    """Database id."""
    trainee: str
    """The trainee's name."""
    scenario: str
    """Scenario id."""
    policy: str
    """The policy it was graded under."""
    seed: int | None
    """The run's seed, when known."""
    journal_path: str | None
    """Where the journal was, when recorded."""
    journal_sha256: str | None
    """SHA-256 of the journal's bytes (the same journal is recorded once per policy)."""
    driver: str
    """Who acted, from the journal header: ``tui``, ``script:PATH``, ``autopilot:expert`` …;
    ``unknown`` without a journal."""
    score: float
    """Overall score, 0..1."""
    passed: bool
    """Whether the assessment passed."""
    criteria: list[dict[str, Any]]
    """The assessment's criteria, as its ``to_dict()`` gave them."""
    recorded_at: datetime
    """When it was recorded (UTC)."""


@dataclass(frozen=True)
class QuizAttempt:
    """One graded certification quiz."""

    id: int
    """Database id."""
    trainee: str
    """The trainee's name."""
    policy: str
    """The policy whose pass mark applied."""
    seed: int
    """The quiz's seed."""
    score: float
    """Fraction correct."""
    correct: int
    """Questions answered correctly."""
    total: int
    """Questions asked."""
    passed: bool
    """Whether it reached the pass mark."""
    categories: list[dict[str, Any]]
    """Per-category results (``QuizResult.to_dict()["categories"]``)."""
    refresher: bool
    """Taken as a recertification refresher (the trainee already held a certificate)."""
    taken_at: datetime
    """When it was graded (UTC)."""


@dataclass(frozen=True)
class Credit:
    """A practical credit recorded by hand: a shadow shift, a real incident, …"""

    id: int
    """Database id."""
    trainee: str
    """The trainee's name."""
    kind: RecordedKind
    """One of ``CREDIT_KINDS``."""
    note: str | None
    """Free text: which incident, who supervised."""
    on: date
    """The day it happened."""
    recorded_at: datetime
    """When it was recorded (UTC)."""


@dataclass(frozen=True)
class CertificateRecord:
    """A certificate as the records hold it."""

    id: int
    """Database id."""
    trainee: str
    """The trainee's name."""
    policy: str
    """The policy it was issued under."""
    issued: date
    """Issue date."""
    expires: date
    """First day it is no longer valid."""
    code: str
    """HMAC-SHA256 of the certificate's canonical JSON, hex."""
    document: str
    """The certificate file's JSON as issued."""
    revoked: bool
    """Whether it was revoked."""
    revoked_at: datetime | None = None
    """When it was revoked."""
    revoked_reason: str | None = None
    """Why it was revoked."""


@dataclass(frozen=True)
class TraineeRecord:
    """Everything recorded about one trainee, each list oldest first."""

    trainee: Trainee
    """Who."""
    exercises: tuple[ExerciseAttempt, ...] = ()
    """Graded exercises."""
    quizzes: tuple[QuizAttempt, ...] = ()
    """Graded quizzes."""
    credits: tuple[Credit, ...] = ()
    """Practical credits."""
    certificates: tuple[CertificateRecord, ...] = ()
    """Certificates, revoked ones included."""


# --------------------------------------------------------------------------- the store


@dataclass
class _State:
    depth: int = 0
    names: dict[int, str] = field(default_factory=dict)


class Records:
    """A connection to the records database; use as a context manager.

    Opening creates the database (and its folder) when missing and brings the schema up to
    date. Each ``add_*`` call is one transaction; ``transaction()`` groups several (calls inside
    it join the outer transaction).

    Args:
        path: The SQLite file.
        migrations: The schema history to apply (tests pass a longer one).
        timeout: Seconds a writer waits for another writer.

    Raises:
        RecordsError: when the file is not a warroom records database or was written by a newer
            warroom.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        timeout: float = BUSY_TIMEOUT_S,
    ) -> None:
        self.path = Path(path)
        self.dialect = SQLITE
        self._state = _State()
        self._conn = self._connect(timeout)
        try:
            self.version = self._migrate(migrations)
        except BaseException:
            self._conn.close()
            raise

    # -- connection ------------------------------------------------------------------------

    def _connect(self, timeout: float) -> sqlite3.Connection:
        if self.path.is_dir():
            raise RecordsError(f"{self.path}: is a directory; give the database file's path")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise RecordsError(f"{self.path}: cannot open the records database: {exc}") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise RecordsError(f"{self.path}: not a warroom records database ({exc})") from None
        if mode is None or str(mode[0]).lower() != "wal":
            conn.close()
            raise RecordsError(f"{self.path}: the database refused WAL mode (got {mode})")
        return conn

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Records:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
            yield
            self._exec("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        finally:
            state.depth = 0

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """A read transaction, so several queries see one state of the database."""
        if self._state.depth:
            yield
            return
        self._exec("BEGIN")
        self._state.depth = 1
        try:
            yield
        finally:
            self._state.depth = 0
            self._exec("COMMIT")

    def _exec(self, query: str, params: Mapping[str, Any] | None = None) -> sqlite3.Cursor:
        try:
            return self._conn.execute(self.dialect.sql(query), dict(params or {}))
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise RecordsError(
                    f"{self.path}: the database stayed locked by another writer: {exc}"
                ) from None
            raise RecordsError(f"{self.path}: {exc}") from None
        except sqlite3.Error as exc:
            raise RecordsError(f"{self.path}: {exc}") from None

    def _rows(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        cur = self._exec(query, params)
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _insert(self, query: str, params: Mapping[str, Any]) -> int:
        if self.dialect.returning_id:
            row = self._exec(query + " RETURNING id", params).fetchone()
            return int(row[0])
        cur = self._exec(query, params)
        if cur.lastrowid is None:  # pragma: no cover - SQLite always sets it after INSERT
            raise RecordsError("the database did not return the new row's id")
        return cur.lastrowid

    # -- migrations ------------------------------------------------------------------------

    def _migrate(self, migrations: Sequence[Migration]) -> int:
        for i, step in enumerate(migrations, start=1):
            if step.version != i:
                raise ValueError(f"migration {i} is numbered {step.version}: number them 1, 2, …")
        latest = len(migrations)
        try:
            with self.transaction():
                tables = self._tables()
                if tables and "schema_version" not in tables:
                    raise RecordsError(
                        f"{self.path}: not a warroom records database (it has other tables)"
                    )
                self._exec(_VERSION_TABLE)
                current = self._current_version()
                if current > latest:
                    raise RecordsError(
                        f"{self.path}: written by a newer warroom (schema version {current}; "
                        f"this one knows up to {latest}); upgrade warroom"
                    )
                for step in migrations[current:]:
                    for statement in step.statements:
                        self._exec(statement)
                    self._exec(
                        "INSERT INTO schema_version (version, description, applied_at) "
                        "VALUES (:version, :description, :applied_at)",
                        {
                            "version": step.version,
                            "description": step.description,
                            "applied_at": _stamp(datetime.now(UTC)),
                        },
                    )
        except sqlite3.DatabaseError as exc:
            raise RecordsError(f"{self.path}: not a warroom records database ({exc})") from None
        return latest

    def _tables(self) -> set[str]:
        return {str(r["name"]) for r in self._rows(self.dialect.tables)}

    def _current_version(self) -> int:
        row = self._exec("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

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
            stamp = _stamp(now)
            new_id = self._insert(
                "INSERT INTO trainees (name, name_key, created_at) "
                "VALUES (:name, :name_key, :created_at)",
                {"name": clean, "name_key": _name_key(clean), "created_at": stamp},
            )
        return Trainee(new_id, clean, _datetime(stamp))

    def trainee(self, name: str) -> Trainee | None:
        """The trainee called ``name`` (case and spacing ignored), or ``None``."""
        try:
            key = _name_key(normalise_name(name))
        except ValueError:
            return None
        rows = self._rows(
            "SELECT id, name, created_at FROM trainees WHERE name_key = :key", {"key": key}
        )
        return _trainee(rows[0]) if rows else None

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
        return [_trainee(r) for r in rows]

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
    ) -> ExerciseAttempt:
        """Record a graded exercise; the same journal under the same policy is recorded once.

        Returns:
            The new attempt, or the one already recorded from the same journal.
        """
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"an exercise score is between 0 and 1, not {score!r}")
        criteria_json = json.dumps(list(criteria), ensure_ascii=False, sort_keys=True)
        with self.transaction():
            who = self.ensure_trainee(trainee, now=recorded_at)
            if journal_sha256 is not None:
                same = self._exercises(
                    "WHERE e.journal_sha256 = :sha AND e.policy = :policy",
                    {"sha": journal_sha256, "policy": policy},
                )
                if same:
                    return same[0]
            new_id = self._insert(
                "INSERT INTO exercise_attempts (trainee_id, scenario, policy, seed, journal_path, "
                "journal_sha256, driver, score, passed, criteria, recorded_at) VALUES (:trainee, "
                ":scenario, :policy, :seed, :journal_path, :journal_sha256, :driver, :score, "
                ":passed, :criteria, :recorded_at)",
                {
                    "trainee": who.id,
                    "scenario": scenario,
                    "policy": policy,
                    "seed": seed,
                    "journal_path": journal_path,
                    "journal_sha256": journal_sha256,
                    "driver": driver,
                    "score": float(score),
                    "passed": bool(passed),
                    "criteria": criteria_json,
                    "recorded_at": _stamp(recorded_at),
                },
            )
            return self._exercises("WHERE e.id = :id", {"id": new_id})[0]

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
                    "taken_at": _stamp(taken_at),
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
                    "recorded_at": _stamp(recorded_at),
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
                {"revoked": True, "at": _stamp(at), "reason": reason, "id": found.id},
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
            "e.journal_sha256, e.driver, e.score, e.passed, e.criteria, e.recorded_at "
            "FROM exercise_attempts e JOIN trainees t ON t.id = e.trainee_id "
            f"{where} ORDER BY e.recorded_at, e.id",
            params,
        )
        return [
            ExerciseAttempt(
                id=int(r["id"]),
                trainee=str(r["name"]),
                scenario=str(r["scenario"]),
                policy=str(r["policy"]),
                seed=None if r["seed"] is None else int(r["seed"]),
                journal_path=r["journal_path"],
                journal_sha256=r["journal_sha256"],
                driver=str(r["driver"]),
                score=float(r["score"]),
                passed=bool(r["passed"]),
                criteria=json.loads(r["criteria"]),
                recorded_at=_datetime(r["recorded_at"]),
            )
            for r in rows
        ]

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
        return [
            QuizAttempt(
                id=int(r["id"]),
                trainee=str(r["name"]),
                policy=str(r["policy"]),
                seed=int(r["seed"]),
                score=float(r["score"]),
                correct=int(r["correct"]),
                total=int(r["total"]),
                passed=bool(r["passed"]),
                categories=json.loads(r["categories"]),
                refresher=bool(r["refresher"]),
                taken_at=_datetime(r["taken_at"]),
            )
            for r in rows
        ]

    def _credits(self, where: str = "", params: Mapping[str, Any] | None = None) -> list[Credit]:
        rows = self._rows(
            "SELECT c.id, t.name, c.kind, c.note, c.credited_on, c.recorded_at "
            "FROM credits c JOIN trainees t ON t.id = c.trainee_id "
            f"{where} ORDER BY c.credited_on, c.id",
            params,
        )
        return [
            Credit(
                id=int(r["id"]),
                trainee=str(r["name"]),
                kind=r["kind"],
                note=r["note"],
                on=_date(r["credited_on"]),
                recorded_at=_datetime(r["recorded_at"]),
            )
            for r in rows
        ]

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
        return [
            CertificateRecord(
                id=int(r["id"]),
                trainee=str(r["name"]),
                policy=str(r["policy"]),
                issued=_date(r["issued_at"]),
                expires=_date(r["expires_at"]),
                code=str(r["code"]),
                document=str(r["document"]),
                revoked=bool(r["revoked"]),
                revoked_at=None if r["revoked_at"] is None else _datetime(r["revoked_at"]),
                revoked_reason=r["revoked_reason"],
            )
            for r in rows
        ]


# --------------------------------------------------------------------------- helpers


def _group(rows: Sequence[Any], people: Sequence[Trainee]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {t.name: [] for t in people}
    for row in rows:
        out.setdefault(row.trainee, []).append(row)
    return out


def _trainee(row: Mapping[str, Any]) -> Trainee:
    return Trainee(int(row["id"]), str(row["name"]), _datetime(row["created_at"]))


def _note(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    if len(text) > MAX_NOTE:
        raise ValueError(f"a note is at most {MAX_NOTE} characters (this one has {len(text)})")
    return text or None


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("times passed to the records must be timezone-aware (e.g. UTC)")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _datetime(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
