"""What the records hold, as Python values: names, the row types, and reading a row safely.

Each table's row becomes a frozen dataclass (``ExerciseAttempt``, ``QuizAttempt``, ``Credit``,
``CertificateRecord``, ``Trainee``). A row that breaks what its columns promise (a score outside
[0, 1], a boolean that is neither 0 nor 1, text that is not JSON where JSON is stored, an expiry
not after the issue date, an unknown credit kind, a date that does not parse) raises
``RowProblem``; the store turns that into a ``BadRow`` warning and goes on with the other rows.
The schema's CHECK constraints refuse such rows on every write; these checks catch the rows
written before the constraints existed, or by hand.

This module must not run SQL or import a database driver.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from assessments.credits import (  # the schema's credits_kind_known holds the same set
    CREDIT_KINDS,
    RecordedKind,
)
from simulator.text import MAX_NAME, normalise_name

__all__ = [
    "CREDIT_KINDS",
    "MAX_NAME",
    "MAX_NOTE",
    "BadRow",
    "CertificateRecord",
    "Credit",
    "ExerciseAttempt",
    "QuizAttempt",
    "RecordedKind",
    "RowProblem",
    "Trainee",
    "TraineeRecord",
    "certificate_from_row",
    "credit_from_row",
    "exercise_from_row",
    "name_key",
    "normalise_name",
    "quiz_from_row",
    "stamp",
    "to_date",
    "to_datetime",
    "trainee_from_row",
]

MAX_NOTE = 400
"""Longest note on a credit or a revocation."""


# --------------------------------------------------------------------------- names and times


def name_key(name: str) -> str:
    """The case-insensitive key a normalised name is looked up by."""
    return name.casefold()


def stamp(moment: datetime) -> str:
    """A timezone-aware moment as stored: ISO 8601 in UTC, to the second.

    Raises:
        ValueError: for a naive datetime.
    """
    if moment.tzinfo is None:
        raise ValueError("times passed to the records must be timezone-aware (e.g. UTC)")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def to_datetime(value: Any) -> datetime:
    """A stored moment (ISO text, or the driver's datetime) as an aware datetime in UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def to_date(value: Any) -> date:
    """A stored day (ISO text, or the driver's date)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


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
    title: str | None = None
    """The scenario's title (``None`` for attempts recorded before it was kept)."""
    started_at: str | None = None
    """The journal header's wall-clock start, ISO 8601, when known."""
    completed: bool | None = None
    """Whether the exercise reached its end, when known."""
    sealed_by: str | None = None
    """The id of the programme key that sealed its journal; ``None``: not sealed."""
    team: str | None = None
    """The team's name, for an attempt of a team game day (the team's own or a person's)."""
    seat: str = ""
    """The seat of a person's attempt in a team game day (``comms``, ``observer-2`` …);
    empty for the team's own attempt and for one trainee's exercise."""
    roles: tuple[str, ...] = ()
    """The roles the person held in the team game day (their criteria are those the roles
    own); empty otherwise."""
    seal: str | None = None
    """The last seal of its journal when the programme sealed it (what the records know a
    sealed journal by, whatever its bytes); ``None``: unsealed, foreign, or recorded before
    the records kept it."""

    @property
    def person_in_team(self) -> bool:
        """Whether this is one participant's attempt in a team game day."""
        return bool(self.seat)


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


@dataclass(frozen=True)
class BadRow:
    """A stored row a reader skipped because a value breaks what its column promises."""

    table: str
    """The table it is in."""
    row: int
    """Its id."""
    problem: str
    """What is wrong, e.g. ``criteria is not JSON``."""

    def __str__(self) -> str:
        return f"row {self.row} of {self.table}: {self.problem}"


# --------------------------------------------------------------------------- reading rows


class RowProblem(ValueError):
    """A stored value that breaks what its column promises; the message names the column."""


def trainee_from_row(row: Mapping[str, Any]) -> Trainee:
    """A ``trainees`` row (``id``, ``name``, ``created_at``)."""
    return Trainee(int(row["id"]), str(row["name"]), _moment(row, "created_at"))


def exercise_from_row(row: Mapping[str, Any]) -> ExerciseAttempt:
    """An ``exercise_attempts`` row joined with its trainee's ``name``.

    Raises:
        RowProblem: when a value breaks its column's promise.
    """
    return ExerciseAttempt(
        id=int(row["id"]),
        trainee=str(row["name"]),
        scenario=str(row["scenario"]),
        policy=str(row["policy"]),
        seed=None if row["seed"] is None else _integer(row, "seed"),
        journal_path=row["journal_path"],
        journal_sha256=row["journal_sha256"],
        driver=str(row["driver"]),
        score=_fraction(row, "score"),
        passed=_boolean(row, "passed"),
        criteria=_json_objects(row, "criteria"),
        recorded_at=_moment(row, "recorded_at"),
        title=row.get("title"),
        started_at=row.get("started_at"),
        completed=None if row.get("completed") is None else _boolean(row, "completed"),
        sealed_by=row.get("sealed_by"),
        team=row.get("team"),
        seat=str(row.get("seat") or ""),
        roles=_roles(row),
        seal=row.get("seal"),
    )


def _roles(row: Mapping[str, Any]) -> tuple[str, ...]:
    if row.get("roles") is None:
        return ()
    value = _json(row, "roles")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RowProblem("roles is not a JSON list of role names")
    return tuple(value)


def quiz_from_row(row: Mapping[str, Any]) -> QuizAttempt:
    """A ``quiz_attempts`` row joined with its trainee's ``name``.

    Raises:
        RowProblem: when a value breaks its column's promise.
    """
    correct, total = _integer(row, "correct"), _integer(row, "total")
    if total <= 0 or not 0 <= correct <= total:
        raise RowProblem(f"correct/total {correct}/{total} is not a quiz result")
    return QuizAttempt(
        id=int(row["id"]),
        trainee=str(row["name"]),
        policy=str(row["policy"]),
        seed=_integer(row, "seed"),
        score=_fraction(row, "score"),
        correct=correct,
        total=total,
        passed=_boolean(row, "passed"),
        categories=_json_objects(row, "categories"),
        refresher=_boolean(row, "refresher"),
        taken_at=_moment(row, "taken_at"),
    )


def credit_from_row(row: Mapping[str, Any]) -> Credit:
    """A ``credits`` row joined with its trainee's ``name``.

    Raises:
        RowProblem: when a value breaks its column's promise.
    """
    kind = row["kind"]
    if kind not in CREDIT_KINDS:
        raise RowProblem(f"kind {kind!r} is not a credit kind ({', '.join(CREDIT_KINDS)})")
    return Credit(
        id=int(row["id"]),
        trainee=str(row["name"]),
        kind=kind,
        note=row["note"],
        on=_day(row, "credited_on"),
        recorded_at=_moment(row, "recorded_at"),
    )


def certificate_from_row(row: Mapping[str, Any]) -> CertificateRecord:
    """A ``certificates`` row joined with its trainee's ``name``.

    Raises:
        RowProblem: when a value breaks its column's promise.
    """
    issued, expires = _day(row, "issued_at"), _day(row, "expires_at")
    if expires <= issued:
        raise RowProblem(f"expires_at {expires} is not after issued_at {issued}")
    document = str(row["document"])
    _json(row, "document")
    return CertificateRecord(
        id=int(row["id"]),
        trainee=str(row["name"]),
        policy=str(row["policy"]),
        issued=issued,
        expires=expires,
        code=str(row["code"]),
        document=document,
        revoked=_boolean(row, "revoked"),
        revoked_at=None if row["revoked_at"] is None else _moment(row, "revoked_at"),
        revoked_reason=row["revoked_reason"],
    )


def _integer(row: Mapping[str, Any], column: str) -> int:
    value = row[column]
    if isinstance(value, bool) or not isinstance(value, int):
        raise RowProblem(f"{column} is {value!r}, not a whole number")
    return value


def _fraction(row: Mapping[str, Any], column: str) -> float:
    value = row[column]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RowProblem(f"{column} is {value!r}, not a number")
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise RowProblem(f"{column} {value!r} is not between 0 and 1")
    return float(value)


def _boolean(row: Mapping[str, Any], column: str) -> bool:
    value = row[column]
    if isinstance(value, bool):
        return value
    if value in (0, 1) and isinstance(value, int):
        return bool(value)
    raise RowProblem(f"{column} is {value!r}, not 0 or 1")


def _json(row: Mapping[str, Any], column: str) -> Any:
    try:
        return json.loads(row[column])
    except (TypeError, ValueError):
        raise RowProblem(f"{column} is not JSON") from None


def _json_objects(row: Mapping[str, Any], column: str) -> list[dict[str, Any]]:
    value = _json(row, column)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RowProblem(f"{column} is not a JSON list of objects")
    return value


def _moment(row: Mapping[str, Any], column: str) -> datetime:
    try:
        return to_datetime(row[column])
    except (TypeError, ValueError):
        raise RowProblem(f"{column} is {row[column]!r}, not a time") from None


def _day(row: Mapping[str, Any], column: str) -> date:
    try:
        return to_date(row[column])
    except (TypeError, ValueError):
        raise RowProblem(f"{column} is {row[column]!r}, not a date") from None
