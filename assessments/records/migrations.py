"""The records' schema: its history as migration steps, and how a step is applied.

The schema is versioned from the first release: ``schema_version`` holds one row per applied
step of ``MIGRATIONS``, and opening a database applies the steps it lacks, in order, inside one
write transaction (so two processes opening a new database at once apply each step once).

A step has statements for every engine, statements for one engine only (PostgreSQL gets a
``json_valid(text)`` function so the same JSON check reads the same on both), and tables to
constrain. Constraining is where the engines differ most: SQLite cannot add a constraint to a
table, so it rebuilds the table as ``STRICT`` with its CHECKs, copying every row as it is;
PostgreSQL adds each CHECK ``NOT VALID``. Either way every later write is checked and rows
written before the step are kept untouched (the readers report the bad ones, ``rows``).

This module must not hold queries about trainees, nor import a database driver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from assessments.records.connection import Connection

__all__ = [
    "MIGRATIONS",
    "VERSION_TABLE",
    "Check",
    "Constrained",
    "Migration",
    "apply",
]


@dataclass(frozen=True)
class Check:
    """One CHECK constraint, in SQL both engines read."""

    name: str
    """Constraint name, ``TABLE_WHAT`` (unique in the database)."""
    condition: str
    """The condition every row must meet."""
    engines: tuple[str, ...] = ("sqlite", "postgresql")
    """Engines that need it (PostgreSQL's ``BOOLEAN`` already holds only true and false)."""


@dataclass(frozen=True)
class Constrained:
    """A table a step gives CHECK constraints."""

    table: str
    """The table."""
    strict_columns: str
    """Its columns as SQLite rebuilds it (``STRICT`` types: INTEGER, REAL, TEXT)."""
    checks: tuple[Check, ...]
    """The constraints."""


@dataclass(frozen=True)
class Migration:
    """One step of the schema's history; steps are never edited once released, only added."""

    version: int
    """The schema version this step brings the database to (1, 2, …, no gaps)."""
    description: str
    """What the step does, stored in ``schema_version``."""
    statements: tuple[str, ...]
    """SQL run in order inside one transaction; ``{id}`` is the dialect's key type."""
    engine_statements: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """SQL for one engine only, by dialect name, run after ``statements``."""
    constrain: tuple[Constrained, ...] = ()
    """Tables given CHECK constraints, after the statements."""


def apply(conn: Connection, step: Migration) -> None:
    """Run ``step`` on ``conn``, inside the caller's transaction."""
    engine = conn.dialect.name
    for statement in (*step.statements, *step.engine_statements.get(engine, ())):
        conn.execute(statement)
    for spec in step.constrain:
        checks = [(c.name, c.condition) for c in spec.checks if engine in c.engines]
        conn.add_checks(spec.table, spec.strict_columns, checks)


VERSION_TABLE = """CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL PRIMARY KEY,
    description VARCHAR(200) NOT NULL,
    applied_at TIMESTAMP NOT NULL
)"""
"""The table of applied steps (created before any step)."""

_SCORE = "{column} >= 0 AND {column} <= 1"
_BOOLEAN = "{column} IN (0, 1)"


def _score(table: str, column: str = "score") -> Check:
    return Check(f"{table}_{column}_range", _SCORE.format(column=column))


def _boolean(table: str, column: str) -> Check:
    return Check(f"{table}_{column}_boolean", _BOOLEAN.format(column=column), ("sqlite",))


def _json(table: str, column: str) -> Check:
    return Check(f"{table}_{column}_json", f"json_valid({column})")


_POSTGRESQL_JSON_VALID = """CREATE OR REPLACE FUNCTION json_valid(document TEXT)
RETURNS BOOLEAN LANGUAGE plpgsql IMMUTABLE STRICT AS $body$
BEGIN
    PERFORM document::jsonb;
    RETURN TRUE;
EXCEPTION WHEN others THEN
    RETURN FALSE;
END
$body$"""

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
    Migration(
        2,
        "constraints: scores in [0, 1], booleans 0/1, JSON valid, expiry after issue, "
        "known credit kinds; SQLite tables STRICT",
        (),
        {"postgresql": (_POSTGRESQL_JSON_VALID,)},
        (
            Constrained(
                "trainees",
                """id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL""",
                (Check("trainees_name_length", "length(name) BETWEEN 1 AND 80"),),
            ),
            Constrained(
                "exercise_attempts",
                """id INTEGER PRIMARY KEY,
    trainee_id INTEGER NOT NULL REFERENCES trainees (id),
    scenario TEXT NOT NULL,
    policy TEXT NOT NULL,
    seed INTEGER,
    journal_path TEXT,
    journal_sha256 TEXT,
    driver TEXT NOT NULL,
    score REAL NOT NULL,
    passed INTEGER NOT NULL,
    criteria TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (journal_sha256, policy)""",
                (
                    _score("exercise_attempts"),
                    _boolean("exercise_attempts", "passed"),
                    _json("exercise_attempts", "criteria"),
                ),
            ),
            Constrained(
                "quiz_attempts",
                """id INTEGER PRIMARY KEY,
    trainee_id INTEGER NOT NULL REFERENCES trainees (id),
    policy TEXT NOT NULL,
    seed INTEGER NOT NULL,
    score REAL NOT NULL,
    correct INTEGER NOT NULL,
    total INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    categories TEXT NOT NULL,
    refresher INTEGER NOT NULL,
    taken_at TEXT NOT NULL""",
                (
                    _score("quiz_attempts"),
                    Check(
                        "quiz_attempts_counts", "total > 0 AND correct >= 0 AND correct <= total"
                    ),
                    _boolean("quiz_attempts", "passed"),
                    _boolean("quiz_attempts", "refresher"),
                    _json("quiz_attempts", "categories"),
                ),
            ),
            Constrained(
                "credits",
                """id INTEGER PRIMARY KEY,
    trainee_id INTEGER NOT NULL REFERENCES trainees (id),
    kind TEXT NOT NULL,
    note TEXT,
    credited_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL""",
                (
                    Check(
                        "credits_kind_known",
                        "kind IN ('shadow-shift', 'mock-incident', 'ic-exercise', "
                        "'real-incident', 'gameday', 'procedure-review')",
                    ),
                    Check("credits_note_length", "note IS NULL OR length(note) <= 400"),
                ),
            ),
            Constrained(
                "certificates",
                """id INTEGER PRIMARY KEY,
    trainee_id INTEGER NOT NULL REFERENCES trainees (id),
    policy TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    document TEXT NOT NULL,
    revoked INTEGER NOT NULL,
    revoked_at TEXT,
    revoked_reason TEXT""",
                (
                    Check("certificates_expiry_after_issue", "expires_at > issued_at"),
                    _boolean("certificates", "revoked"),
                    _json("certificates", "document"),
                    Check(
                        "certificates_reason_length",
                        "revoked_reason IS NULL OR length(revoked_reason) <= 400",
                    ),
                ),
            ),
        ),
    ),
    Migration(
        3,
        "attempts keep what a cohort report needs (title, start, ended, critical failures, "
        "markers, criteria in brief) and the key that sealed their journal",
        (
            "ALTER TABLE exercise_attempts ADD COLUMN title TEXT",
            "ALTER TABLE exercise_attempts ADD COLUMN started_at TEXT",
            "ALTER TABLE exercise_attempts ADD COLUMN sealed_by TEXT",
            "ALTER TABLE exercise_attempts ADD COLUMN critical TEXT "
            "CONSTRAINT exercise_attempts_critical_json CHECK (critical IS NULL OR "
            "json_valid(critical))",
            "ALTER TABLE exercise_attempts ADD COLUMN markers TEXT "
            "CONSTRAINT exercise_attempts_markers_json CHECK (markers IS NULL OR "
            "json_valid(markers))",
            "ALTER TABLE exercise_attempts ADD COLUMN outcomes TEXT "
            "CONSTRAINT exercise_attempts_outcomes_json CHECK (outcomes IS NULL OR "
            "json_valid(outcomes))",
        ),
        {
            "sqlite": (
                "ALTER TABLE exercise_attempts ADD COLUMN completed INTEGER "
                "CONSTRAINT exercise_attempts_completed_boolean CHECK (completed IN (0, 1))",
            ),
            "postgresql": ("ALTER TABLE exercise_attempts ADD COLUMN completed BOOLEAN",),
        },
    ),
    Migration(
        4,
        "team game days: an attempt per participant (seat, roles held, team), one per seat of "
        "a journal under a policy",
        (
            "ALTER TABLE exercise_attempts ADD COLUMN team VARCHAR(80)",
            "ALTER TABLE exercise_attempts ADD COLUMN roles TEXT",
        ),
        {
            "sqlite": ("ALTER TABLE exercise_attempts ADD COLUMN seat TEXT NOT NULL DEFAULT ''",),
            "postgresql": (
                "ALTER TABLE exercise_attempts ADD COLUMN seat VARCHAR(40) NOT NULL DEFAULT ''",
                "ALTER TABLE exercise_attempts ADD CONSTRAINT exercise_attempts_roles_json "
                "CHECK (roles IS NULL OR json_valid(roles))",
                "ALTER TABLE exercise_attempts DROP CONSTRAINT "
                "exercise_attempts_journal_sha256_policy_key",
                "ALTER TABLE exercise_attempts ADD CONSTRAINT exercise_attempts_one_per_seat "
                "UNIQUE (journal_sha256, policy, seat)",
            ),
        },
        (
            Constrained(  # SQLite rebuilds the table to change its UNIQUE; every check again
                "exercise_attempts",
                """id INTEGER PRIMARY KEY,
    trainee_id INTEGER NOT NULL REFERENCES trainees (id),
    scenario TEXT NOT NULL,
    policy TEXT NOT NULL,
    seed INTEGER,
    journal_path TEXT,
    journal_sha256 TEXT,
    driver TEXT NOT NULL,
    score REAL NOT NULL,
    passed INTEGER NOT NULL,
    criteria TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    title TEXT,
    started_at TEXT,
    sealed_by TEXT,
    critical TEXT,
    markers TEXT,
    outcomes TEXT,
    completed INTEGER,
    team TEXT,
    roles TEXT,
    seat TEXT NOT NULL DEFAULT '',
    UNIQUE (journal_sha256, policy, seat)""",
                tuple(
                    Check(c.name, c.condition, ("sqlite",))
                    for c in (
                        _score("exercise_attempts"),
                        _boolean("exercise_attempts", "passed"),
                        _json("exercise_attempts", "criteria"),
                        *(
                            Check(
                                f"exercise_attempts_{column}_json",
                                f"{column} IS NULL OR json_valid({column})",
                            )
                            for column in ("critical", "markers", "outcomes", "roles")
                        ),
                        Check(
                            "exercise_attempts_completed_boolean",
                            "completed IS NULL OR completed IN (0, 1)",
                        ),
                        Check("exercise_attempts_seat_length", "length(seat) <= 40"),
                        Check(
                            "exercise_attempts_team_length",
                            "team IS NULL OR length(team) BETWEEN 1 AND 80",
                        ),
                    )
                ),
            ),
        ),
    ),
    Migration(
        5,
        "a sealed journal is known by its last seal: attempts keep it, one per seat of a seal "
        "under a policy",
        (
            "ALTER TABLE exercise_attempts ADD COLUMN seal VARCHAR(32) "
            "CONSTRAINT exercise_attempts_seal_length CHECK (seal IS NULL OR length(seal) = 32)",
            "CREATE UNIQUE INDEX exercise_attempts_one_per_seal "
            "ON exercise_attempts (seal, policy, seat)",
        ),
    ),
)
"""The schema's history, oldest first. To change the schema, append a step."""
