"""The records layer: names, storage round trips, migrations, concurrency, portable SQL."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import platformdirs
import pytest

from assessments.credits import CREDIT_KINDS
from assessments.records import (
    MIGRATIONS,
    POSTGRESQL,
    SQLITE,
    Migration,
    Records,
    RecordsError,
    UnknownTrainee,
    normalise_name,
    resolve_db_path,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
DAY = date(2026, 3, 1)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "records.db"


@pytest.fixture
def records(db: Path) -> Iterator[Records]:
    with Records(db) as opened:
        yield opened


# --------------------------------------------------------------------------- names and paths


def test_a_name_is_trimmed_and_its_inner_whitespace_collapsed() -> None:
    assert normalise_name("  Ada \t  Lovelace\n") == "Ada Lovelace"


def test_a_name_keeps_its_accents_in_one_normal_form() -> None:
    decomposed = "Zoe\u0301 Martin"
    assert normalise_name(decomposed) == "Zoé Martin"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "cannot be empty"),
        ("   ", "cannot be empty"),
        ("x" * 81, "at most 80 characters (this one has 81)"),
        ("Ada\x00Lovelace", "control"),
        ("Ada\u200bLovelace", "control"),
    ],
)
def test_a_bad_name_is_refused_with_the_reason(name: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        normalise_name(name)


def test_a_name_of_exactly_80_characters_is_accepted() -> None:
    assert normalise_name("y" * 80) == "y" * 80


def test_the_database_is_the_option_then_the_environment_then_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda app: f"/data/{app}")
    monkeypatch.delenv("WARROOM_DB", raising=False)
    assert resolve_db_path(None) == Path("/data/warroom/records.db")
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(None) == tmp_path / "env.db"
    assert resolve_db_path(str(tmp_path / "opt.db")) == tmp_path / "opt.db"


# --------------------------------------------------------------------------- the database


def test_a_new_database_is_created_at_the_latest_schema_in_wal_mode(db: Path) -> None:
    with Records(db / ".." / "sub" / "records.db") as r:
        assert r.version == len(MIGRATIONS)
        assert [v for v, _ in r.schema_history()] == [m.version for m in MIGRATIONS]
    conn = sqlite3.connect(db.parent / "sub" / "records.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert {
        "schema_version",
        "trainees",
        "exercise_attempts",
        "quiz_attempts",
        "credits",
        "certificates",
    } <= tables


def test_opening_a_database_twice_applies_no_migration_twice(db: Path) -> None:
    Records(db).close()
    with Records(db) as again:
        assert len(again.schema_history()) == len(MIGRATIONS)


def test_names_match_whatever_their_case_and_spacing(records: Records) -> None:
    first = records.ensure_trainee("Ada  Lovelace", now=NOW)
    again = records.ensure_trainee(" ada lovelace ", now=NOW)
    assert again == first
    assert first.name == "Ada Lovelace"
    assert records.trainee("ADA LOVELACE") == first
    assert [t.name for t in records.trainees()] == ["Ada Lovelace"]


def test_an_unknown_trainee_is_reported_with_the_closest_names(records: Records) -> None:
    records.ensure_trainee("Ada Lovelace", now=NOW)
    records.ensure_trainee("Grace Hopper", now=NOW)
    with pytest.raises(UnknownTrainee, match=r"no trainee 'Ada Lovelance'.*'Ada Lovelace'"):
        records.require_trainee("Ada Lovelance")
    assert records.suggest("grace") == ["Grace Hopper"]
    assert records.trainee("Nobody") is None


def test_each_kind_of_record_is_stored_and_read_back(records: Records) -> None:
    criteria = [{"id": "ack_alert", "passed": True, "measured_s": 60.0, "limit_s": 120.0}]
    exercise = records.add_exercise(
        "Ada",
        scenario="api-outage",
        policy="default",
        score=0.9,
        passed=True,
        criteria=criteria,
        recorded_at=NOW,
        seed=7,
        journal_path="/j/one.jsonl",
        journal_sha256="a" * 64,
        driver="tui",
    )
    quiz = records.add_quiz(
        "ada",
        policy="default",
        seed=42,
        correct=27,
        total=30,
        passed=True,
        categories=[{"id": "severity", "correct": 9, "total": 10}],
        taken_at=NOW,
        refresher=True,
    )
    credit = records.add_credit(
        "Ada", "shadow-shift", on=date(2026, 2, 1), note="  night  shift ", recorded_at=NOW
    )
    cert = records.add_certificate(
        "Ada",
        policy="default",
        issued=DAY,
        expires=date(2027, 3, 1),
        code="c" * 64,
        document="{}",
    )
    record = records.record("ADA")
    assert record.trainee.name == "Ada"
    assert record.exercises == (exercise,)
    assert exercise.criteria == criteria and exercise.seed == 7 and exercise.passed is True
    assert exercise.recorded_at == NOW and exercise.driver == "tui"
    assert record.quizzes == (quiz,)
    assert quiz.score == pytest.approx(0.9) and quiz.refresher is True
    assert quiz.categories == [{"id": "severity", "correct": 9, "total": 10}]
    assert record.credits == (credit,)
    assert credit.note == "night shift" and credit.on == date(2026, 2, 1)
    assert record.certificates == (cert,)
    assert cert.revoked is False and cert.expires == date(2027, 3, 1)
    assert records.certificate("c" * 64) == cert


def test_every_credit_kind_of_the_training_module_is_accepted(records: Records) -> None:
    for kind in CREDIT_KINDS:
        records.add_credit("Ada", kind, on=DAY, recorded_at=NOW)
    assert [c.kind for c in records.record("Ada").credits] == list(CREDIT_KINDS)
    assert {"shadow-shift", "mock-incident", "ic-exercise", "real-incident", "gameday"} <= set(
        CREDIT_KINDS
    )


def test_an_unknown_credit_kind_is_refused(records: Records) -> None:
    with pytest.raises(ValueError, match="unknown credit 'nap'"):
        records.add_credit("Ada", "nap", on=DAY, recorded_at=NOW)
    assert records.trainees() == []


def test_a_time_without_a_time_zone_is_refused(records: Records) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        records.ensure_trainee("Ada", now=datetime(2026, 3, 1, 9, 30))


def test_the_same_journal_is_recorded_once_per_policy(records: Records) -> None:
    def add(policy: str) -> int:
        return records.add_exercise(
            "Ada",
            scenario="api-outage",
            policy=policy,
            score=0.5,
            passed=False,
            criteria=[],
            recorded_at=NOW,
            journal_sha256="b" * 64,
            driver="tui",
        ).id

    first = add("default")
    assert add("default") == first
    assert add("agentos") != first
    assert len(records.record("Ada").exercises) == 2


def test_a_revoked_certificate_keeps_when_and_why(records: Records) -> None:
    records.ensure_trainee("Ada", now=NOW)
    records.add_certificate(
        "Ada", policy="default", issued=DAY, expires=date(2027, 3, 1), code="d" * 64, document="{}"
    )
    later = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    revoked = records.revoke_certificate("d" * 64, at=later, reason="left the team")
    assert (revoked.revoked, revoked.revoked_at, revoked.revoked_reason) == (
        True,
        later,
        "left the team",
    )
    again = records.revoke_certificate("d" * 64, at=NOW, reason="twice")
    assert again.revoked_at == later
    with pytest.raises(RecordsError, match="no certificate with code"):
        records.revoke_certificate("e" * 64, at=NOW)


def test_a_certificate_needs_a_recorded_trainee(records: Records) -> None:
    with pytest.raises(UnknownTrainee):
        records.add_certificate(
            "Nobody", policy="default", issued=DAY, expires=DAY, code="f" * 64, document="{}"
        )


def test_a_failed_transaction_leaves_nothing_behind(records: Records) -> None:
    with pytest.raises(RuntimeError), records.transaction():
        records.add_credit("Ada", "gameday", on=DAY, recorded_at=NOW)
        records.add_credit("Ada", "gameday", on=DAY, recorded_at=NOW)
        raise RuntimeError("boom")
    assert records.trainees() == []
    records.add_credit("Ada", "gameday", on=DAY, recorded_at=NOW)
    assert len(records.record("Ada").credits) == 1


def test_values_are_parameters_never_sql(records: Records) -> None:
    hostile = "Robert'); DROP TABLE credits;--"
    records.add_credit(
        hostile, "gameday", on=DAY, note="'; DELETE FROM trainees;--", recorded_at=NOW
    )
    record = records.record(hostile)
    assert record.trainee.name == hostile
    assert record.credits[0].note == "'; DELETE FROM trainees;--"


def test_every_trainees_record_is_read_at_once(records: Records) -> None:
    records.add_credit("Bea", "gameday", on=DAY, recorded_at=NOW)
    records.add_credit("Ada", "shadow-shift", on=DAY, recorded_at=NOW)
    records.ensure_trainee("Cy", now=NOW)
    everyone = records.all_records()
    assert [r.trainee.name for r in everyone] == ["Ada", "Bea", "Cy"]
    assert [len(r.credits) for r in everyone] == [1, 1, 0]


# --------------------------------------------------------------------------- migrations


def test_a_version_1_database_migrates_to_a_later_schema_and_keeps_its_rows(db: Path) -> None:
    with Records(db, migrations=MIGRATIONS[:1]) as v1:
        assert v1.version == 1
        v1.add_credit("Ada", "shadow-shift", on=DAY, note="first", recorded_at=NOW)
    step = Migration(
        len(MIGRATIONS) + 1,
        "credits: who signed the credit off",
        ("ALTER TABLE credits ADD COLUMN witness VARCHAR(80)",),
    )
    with Records(db, migrations=(*MIGRATIONS, step)) as later:
        assert later.version == step.version
        assert later.schema_history()[-1] == (step.version, step.description)
        assert later.record("Ada").credits[0].note == "first"
    conn = sqlite3.connect(db)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(credits)")]
    conn.close()
    assert "witness" in columns


def test_a_database_written_by_a_newer_warroom_is_refused(db: Path) -> None:
    step = Migration(len(MIGRATIONS) + 1, "future", ("CREATE TABLE future (x INTEGER)",))
    Records(db, migrations=(*MIGRATIONS, step)).close()
    with pytest.raises(RecordsError, match="newer warroom"):
        Records(db)


def test_migrations_must_be_numbered_without_gaps(db: Path) -> None:
    with pytest.raises(ValueError, match="numbered"):
        Records(db, migrations=(Migration(2, "skips one", ()),))


@pytest.mark.parametrize("content", [b"not a database at all, just text" * 40, None])
def test_a_file_that_is_not_a_records_database_is_refused(db: Path, content: bytes | None) -> None:
    if content is None:
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE other (x INTEGER)")
        conn.commit()
        conn.close()
    else:
        db.write_bytes(content)
    with pytest.raises(RecordsError, match="not a warroom records database"):
        Records(db)


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(RecordsError, match="is a directory"):
        Records(tmp_path)


# --------------------------------------------------------------------------- portable SQL


def test_queries_keep_named_placeholders_for_sqlite_and_become_pyformat_for_postgresql() -> None:
    query = "SELECT id FROM trainees WHERE name_key = :key AND created_at < :at"
    assert SQLITE.sql(query) == query
    assert POSTGRESQL.sql(query) == (
        "SELECT id FROM trainees WHERE name_key = %(key)s AND created_at < %(at)s"
    )


def test_the_key_column_is_the_dialects_own() -> None:
    ddl = MIGRATIONS[0].statements[0]
    assert "INTEGER PRIMARY KEY" in SQLITE.sql(ddl)
    assert "GENERATED BY DEFAULT AS IDENTITY" in POSTGRESQL.sql(ddl)


def test_the_schema_uses_no_sqlite_only_syntax() -> None:
    text = " ".join(s for m in MIGRATIONS for s in m.statements).upper()
    for sqlite_only in ("AUTOINCREMENT", "PRAGMA", "WITHOUT ROWID", "INSERT OR", "STRICT"):
        assert sqlite_only not in text


# --------------------------------------------------------------------------- concurrency


WRITERS = 4
WRITES = 50


def _writer(path: str, worker: int, start: multiprocessing.synchronize.Event) -> None:
    start.wait(30)
    with Records(path) as r:
        for i in range(WRITES):
            r.add_credit(
                f"Trainee {worker % 2}",
                "real-incident",
                on=DAY,
                note=f"worker {worker} write {i}",
                recorded_at=NOW,
            )


def test_four_processes_writing_fifty_records_each_lose_nothing(db: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=_writer, args=(str(db), w, start)) for w in range(WRITERS)]
    for p in workers:
        p.start()
    start.set()
    for p in workers:
        p.join(120)
    assert [p.exitcode for p in workers] == [0] * WRITERS
    with Records(db) as r:
        everyone = r.all_records()
        notes = sorted(c.note or "" for rec in everyone for c in rec.credits)
        assert [rec.trainee.name for rec in everyone] == ["Trainee 0", "Trainee 1"]
        assert len(r.schema_history()) == len(MIGRATIONS)
    assert len(notes) == WRITERS * WRITES
    assert notes == sorted(f"worker {w} write {i}" for w in range(WRITERS) for i in range(WRITES))
    assert os.path.exists(db)
