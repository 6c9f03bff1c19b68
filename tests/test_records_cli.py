"""The programme's commands on either records backend, run as a user runs them: ``--db`` or
``WARROOM_DB`` naming an SQLite file or a ``postgresql://`` URL; a bad row is a warning on
stderr, never a traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from assessments.records import MIGRATIONS, Records
from tests.postgres import raw_sql

Warroom = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def warroom(tmp_path: Path) -> Warroom:
    """``warroom ARGS…`` in a subprocess, with its data folder (keys) under ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if k != "WARROOM_DB"}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")

    def run(*argv: str, db: str | None = None) -> subprocess.CompletedProcess[str]:
        extra = {"WARROOM_DB": db} if db is not None else {}
        return subprocess.run(
            [sys.executable, "-m", "tui.cli", *argv],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env=env | extra,
        )

    return run


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


def _ready(location: str, name: str) -> None:
    """Everything the default policy's initial certification asks for, in the past weeks."""
    today = date.today()
    with Records(location) as r:
        r.add_quiz(
            name,
            policy="default",
            seed=1,
            correct=27,
            total=30,
            passed=True,
            categories=[],
            taken_at=_at(today - timedelta(days=1)),
        )
        for kind, days in (
            ("shadow-shift", 30),
            ("shadow-shift", 23),
            ("mock-incident", 14),
            ("ic-exercise", 7),
        ):
            r.add_credit(
                name, kind, on=today - timedelta(days=days), recorded_at=_at(today - timedelta(2))
            )


def test_a_programme_on_either_backend_credits_certifies_and_verifies(
    records_location: str, warroom: Warroom, tmp_path: Path
) -> None:
    credited = warroom("credit", "Grace Hopper", "gameday", "--db", records_location)
    assert credited.returncode == 0, credited.stderr
    _ready(records_location, "Grace Hopper")
    cert = tmp_path / "grace.json"
    issued = warroom("certify", "grace hopper", "--out", str(cert), db=records_location)
    assert issued.returncode == 0, issued.stderr
    assert "certified: Grace Hopper under policy default" in issued.stdout
    verified = warroom("verify", str(cert), db=records_location)
    assert verified.returncode == 0, verified.stderr
    roster = warroom("roster", "--json", "--db", records_location)
    assert [s["state"] for s in json.loads(roster.stdout)] == ["certified"]
    if records_location.startswith("postgresql://"):
        keys = list((tmp_path / "data" / "warroom" / "postgresql").glob("*.key"))
        assert len(keys) == 1 and oct(keys[0].stat().st_mode & 0o777) == "0o600"
    for done in (credited, issued, verified, roster):
        assert "Traceback" not in done.stderr


def test_a_bad_row_is_a_warning_and_the_roster_and_record_still_print(
    records_location: str, warroom: Warroom
) -> None:
    with Records(records_location, migrations=MIGRATIONS[:1]) as v1:
        v1.add_exercise(
            "Ada",
            scenario="api-outage",
            policy="default",
            score=0.9,
            passed=True,
            criteria=[],
            recorded_at=_at(date.today()),
        )
        who = v1.require_trainee("Ada").id
    raw_sql(
        records_location,
        "INSERT INTO exercise_attempts (trainee_id, scenario, policy, driver, score, passed, "
        "criteria, recorded_at) VALUES (?, 'api-outage', 'default', 'tui', 0.5, ?, ?, ?)",
        (who, True, "{not json", _at(date.today()).isoformat()),
    )
    bad_id = int(raw_sql(records_location, "SELECT MAX(id) FROM exercise_attempts")[0][0])
    warning = re.compile(
        rf"^warroom: warning: .*: row {bad_id} of exercise_attempts: criteria is not JSON "
        r"\(left out\)$",
        re.M,
    )
    roster = warroom("roster", "--db", records_location)
    assert roster.returncode == 0, roster.stderr
    assert re.search(r"^Ada\s+not certified", roster.stdout, re.M)
    trainee = warroom("trainee", "Ada", db=records_location)
    assert trainee.returncode == 0, trainee.stderr
    assert "Exercises (1)" in trainee.stdout
    as_json = warroom("trainee", "Ada", "--json", db=records_location)
    assert len(json.loads(as_json.stdout)["record"]["exercises"]) == 1
    for done in (roster, trainee, as_json):
        assert warning.search(done.stderr), done.stderr
        assert "Traceback" not in done.stderr and "JSONDecodeError" not in done.stderr
