"""Trainee records: exercise attempts, quiz attempts, practical credits and certificates.

One small storage layer over embedded SQLite (the default) or a PostgreSQL server (psycopg 3)
for programmes that outgrow one machine: ``--db postgresql://…`` or ``WARROOM_DB=postgresql://…``
(``docs/records.md``). The same queries and migrations run on both. The package's parts:

- ``connection``: where the records are (``resolve_db_path``: ``--db``, else ``$WARROOM_DB``,
  else ``platformdirs.user_data_dir("warroom")/records.db``) and one connection to them;
- ``dialects``: what differs between the engines, as data (placeholders, key type, how writers
  queue, how constraints are added);
- ``migrations``: the schema's history (``MIGRATIONS``), applied in order on opening;
- ``rows``: the row types, trainee names, and reading a row without trusting it;
- ``store``: ``Records``, every query.

This package stores and reads; it must not decide what a record means for certification (that
is ``assessments.certification``), must not build SQL from values (every value is a parameter),
and must not import the TUI, Textual or Rich. Import from the package, not its modules.
"""

from __future__ import annotations

from assessments.records.connection import (
    ENV_DB,
    Location,
    ServerDatabase,
    resolve_db_path,
)
from assessments.records.dialects import POSTGRESQL, SQLITE, Dialect
from assessments.records.errors import RecordsError, UnknownTrainee
from assessments.records.migrations import MIGRATIONS, Check, Constrained, Migration
from assessments.records.rows import (
    CREDIT_KINDS,
    MAX_NAME,
    MAX_NOTE,
    BadRow,
    CertificateRecord,
    Credit,
    ExerciseAttempt,
    QuizAttempt,
    RecordedKind,
    Trainee,
    TraineeRecord,
    normalise_name,
)
from assessments.records.store import Records

__all__ = [
    "CREDIT_KINDS",
    "ENV_DB",
    "MAX_NAME",
    "MAX_NOTE",
    "MIGRATIONS",
    "POSTGRESQL",
    "SQLITE",
    "BadRow",
    "CertificateRecord",
    "Check",
    "Constrained",
    "Credit",
    "Dialect",
    "ExerciseAttempt",
    "Location",
    "Migration",
    "QuizAttempt",
    "RecordedKind",
    "Records",
    "RecordsError",
    "ServerDatabase",
    "Trainee",
    "TraineeRecord",
    "UnknownTrainee",
    "normalise_name",
    "resolve_db_path",
]
