"""The programme's commands as users call them: output, exit codes, records they leave."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessments.assessor import Assessment, CriterionResult
from assessments.policy import load_policy
from assessments.programme import record_attempt, sealing_key
from assessments.quiz import draw_quiz, load_answers, load_bank
from assessments.records import Records, RecordsError
from simulator.events import ScenarioEnded, ScenarioStarted
from simulator.journal import Header, JournalWriter
from tui.cli import programme as cli_programme
from tui.cli.programme import HANDLERS, add_commands

TODAY = date(2026, 3, 2)
NOW = datetime.combine(TODAY, time(10), tzinfo=UTC)
ERROR_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.+)$")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cli:
    """Runs the commands through a parser built with ``add_commands``, on a ``tmp_path`` DB."""

    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.db = db
        self.capsys = capsys
        parser = argparse.ArgumentParser(prog="warroom")
        sub = parser.add_subparsers(dest="command")
        add_commands(sub)
        self.parser = parser

    def __call__(self, *argv: str, db: bool = True) -> Result:
        full = [*argv, "--db", str(self.db)] if db else list(argv)
        self.capsys.readouterr()
        try:
            args = self.parser.parse_args(full)
        except SystemExit as exc:
            code = int(exc.code or 0)
        else:
            code = HANDLERS[args.command](args)
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def records(self) -> Records:
        return Records(self.db)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setattr(cli_programme, "_today", lambda: TODAY)
    monkeypatch.setattr(cli_programme, "_now", lambda: NOW)
    monkeypatch.delenv("WARROOM_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    return Cli(tmp_path / "records.db", capsys)


def answers_file(path: Path, quiz_seed: int, *, right: int = 30, **extra: Any) -> Path:
    """An answer file for the quiz of ``quiz_seed``, ``right`` answers right; ``extra`` keys
    (``seed``, ``trainee``, ``policy``) go into the file."""
    quiz = draw_quiz(load_bank(), load_policy("default"), quiz_seed)
    answers: dict[str, Any] = {}
    for item in quiz.items[:right]:
        q = item.question
        answers[q.id] = q.answer if isinstance(q.answer, str) else list(q.answer)
    path.write_text(yaml.safe_dump({**extra, "answers": answers}))
    return path


def at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC)


def ready(records: Records, name: str, before: date = TODAY) -> None:
    records.add_quiz(
        name,
        policy="default",
        seed=1,
        correct=27,
        total=30,
        passed=True,
        categories=[],
        taken_at=at(before - timedelta(days=1)),
    )
    for kind, days in (
        ("shadow-shift", 30),
        ("shadow-shift", 20),
        ("mock-incident", 10),
        ("ic-exercise", 5),
    ):
        records.add_credit(name, kind, on=before - timedelta(days=days), recorded_at=at(before))


def issue(records: Records, name: str, on: date) -> None:
    from assessments.certificates import certify
    from assessments.keys import load_key

    ready(records, name, before=on)
    key = load_key(records.path, create=True)
    assert certify(records, name, load_policy("default"), today=on, key=key).certificate


# --------------------------------------------------------------------------- quiz


def test_the_same_seed_prints_the_same_quiz(cli: Cli) -> None:
    first = cli("quiz", "--seed", "5", "--print", db=False)
    assert first.code == 0
    assert first.out.startswith("Certification quiz — policy default, seed 5\n30 questions")
    assert cli("quiz", "--seed", "5", db=False).out == first.out
    assert cli("quiz", "--seed", "6", "--print", db=False).out != first.out


def test_the_answer_template_is_an_answer_file_for_its_seed_and_trainee(
    cli: Cli, tmp_path: Path
) -> None:
    result = cli("quiz", "--seed", "5", "--template", "--trainee", " Ada   Lovelace ", db=False)
    assert result.code == 0
    path = tmp_path / "answers.yaml"
    path.write_text(result.out)
    loaded = load_answers(path)
    assert (loaded.seed, loaded.policy, loaded.trainee) == (5, "default", "Ada Lovelace")
    assert len(loaded.answers) == 30


def test_grading_prints_the_result_table_and_exits_0_passed_or_not(
    cli: Cli, tmp_path: Path
) -> None:
    good = answers_file(tmp_path / "good.yaml", 5, seed=5)
    passed = cli("quiz", "--answers", str(good), db=False)
    assert passed.code == 0
    assert "PASSED: 30/30 (100%); pass mark 80% (24 of 30)" in passed.out
    assert re.search(r"^Severity classification\s+10/10\s+100%$", passed.out, re.M)
    poor = answers_file(tmp_path / "poor.yaml", 5, right=22, seed=5)
    failed = cli("quiz", "--answers", str(poor), db=False)
    assert failed.code == 0
    assert "NOT PASSED: 22/30 (73%)" in failed.out


def test_grading_with_json_prints_the_result_and_nothing_else(cli: Cli, tmp_path: Path) -> None:
    good = answers_file(tmp_path / "good.yaml", 5)
    result = cli("quiz", "--seed", "5", "--answers", str(good), "--json", db=False)
    data = json.loads(result.out)
    assert (result.code, data["passed"], data["score"], data["seed"]) == (0, True, 1.0, 5)


def test_the_seed_and_policy_come_from_the_answer_file_when_not_given(
    cli: Cli, tmp_path: Path
) -> None:
    good = answers_file(tmp_path / "good.yaml", 8, seed=8, policy="default")
    result = cli("quiz", "--answers", str(good), db=False)
    assert "policy default, seed 8" in result.out and "PASSED: 30/30" in result.out


def test_answers_to_another_seeds_quiz_are_refused(cli: Cli, tmp_path: Path) -> None:
    good = answers_file(tmp_path / "good.yaml", 5, seed=5)
    result = cli("quiz", "--seed", "6", "--answers", str(good), db=False)
    assert result.code == 1
    assert "answers the quiz of seed 5, not seed 6" in result.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("quiz", "--answers", "{good}"), "has no seed: line, so give --seed N"),
        (("quiz", "--seed", "5", "--answers", "{good}", "--record"), "--record needs a trainee"),
        (("quiz", "--seed", "5", "--json"), "--json goes with --answers FILE"),
        (("quiz", "--seed", "5", "--print", "--template"), "not allowed with argument"),
        (("quiz", "--seed", "-1"), "a seed is between 0 and 2^63-1"),
    ],
)
def test_quiz_usage_errors_exit_2_with_the_reason(
    cli: Cli, tmp_path: Path, argv: tuple[str, ...], message: str
) -> None:
    good = answers_file(tmp_path / "good.yaml", 5)
    result = cli(*(a.format(good=good) for a in argv), db=False)
    assert result.code == 2
    assert message in result.err


def test_a_broken_answer_file_is_reported_as_path_line_col(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 5\nanswrs:\n  x: a\n")
    result = cli("quiz", "--answers", str(bad), db=False)
    assert result.code == 1
    match = ERROR_LINE.match(result.err.splitlines()[0])
    assert match and match["path"] == str(bad) and match["line"] == "2"
    assert "Traceback" not in result.err


def test_a_recorded_quiz_shows_in_the_trainee_record(cli: Cli, tmp_path: Path) -> None:
    good = answers_file(tmp_path / "good.yaml", 5, seed=5, trainee="Ada")
    result = cli("quiz", "--answers", str(good), "--record")
    assert result.code == 0
    assert result.out.endswith(f"new trainee: Ada\nrecorded: quiz attempt for Ada in {cli.db}\n")
    record = cli("trainee", "ada")
    assert "  2026-03-02  policy default  seed 5  100% (30/30) passed" in record.out


def test_a_quiz_recorded_with_json_keeps_stdout_pure_json(cli: Cli, tmp_path: Path) -> None:
    good = answers_file(tmp_path / "good.yaml", 5)
    result = cli(
        "quiz", "--seed", "5", "--answers", str(good), "--json", "--trainee", "Ada", "--record"
    )
    assert json.loads(result.out)["trainee"] == "Ada"
    assert "recorded: quiz attempt for Ada" in result.err


def test_a_quiz_recorded_by_a_certified_trainee_is_a_refresher(cli: Cli, tmp_path: Path) -> None:
    with cli.records() as r:
        issue(r, "Ada", TODAY - timedelta(days=200))
    good = answers_file(tmp_path / "good.yaml", 5, seed=5, trainee="Ada")
    result = cli("quiz", "--answers", str(good), "--record")
    assert "recorded: refresher quiz attempt for Ada" in result.out
    with cli.records() as r:
        assert r.record("Ada").quizzes[-1].refresher


# --------------------------------------------------------------------------- credit


def test_credit_records_it_and_announces_a_new_trainee(cli: Cli) -> None:
    first = cli("credit", "  Ada   Lovelace ", "shadow-shift", "--note", "night shift")
    assert (first.code, first.out) == (
        0,
        "new trainee: Ada Lovelace\nrecorded: shadow-shift on 2026-03-02 for Ada Lovelace\n",
    )
    again = cli("credit", "ada lovelace", "real-incident", "--date", "2026-02-01")
    assert again.out == "recorded: real-incident on 2026-02-01 for Ada Lovelace\n"
    with cli.records() as r:
        credits = r.record("Ada Lovelace").credits
    assert [(c.kind, c.on, c.note) for c in credits] == [
        ("real-incident", date(2026, 2, 1), None),
        ("shadow-shift", TODAY, "night shift"),
    ]


def test_a_credit_for_a_name_like_a_known_one_suggests_the_known_one(cli: Cli) -> None:
    cli("credit", "Ada Lovelace", "gameday")
    result = cli("credit", "Ada Lovelase", "gameday")
    assert result.out.startswith("new trainee: Ada Lovelase (did you mean 'Ada Lovelace'?)\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("Ada", "shadow-shift", "--date", "2026-03-03"), "is in the future"),
        (("Ada", "shadow-shift", "--date", "03/01/2026"), "a date is YYYY-MM-DD"),
        (("Ada", "shadow-shift", "--date", "2026-02-30"), "is not a date"),
        (("Ada", "nap"), "invalid choice: 'nap'"),
        (("x" * 81, "gameday"), "at most 80 characters"),
        (("   ", "gameday"), "cannot be empty"),
        (("Ada", "gameday", "--note", "n" * 401), "a note is at most 400 characters"),
    ],
)
def test_credit_refuses_bad_input_with_exit_2_and_records_nothing(
    cli: Cli, argv: tuple[str, ...], message: str
) -> None:
    result = cli("credit", *argv)
    assert result.code == 2
    assert message in result.err
    assert not cli.db.exists()


def test_the_database_comes_from_the_environment_without_db(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "env" / "records.db"))
    assert cli("credit", "Ada", "gameday", db=False).code == 0
    assert (tmp_path / "env" / "records.db").exists() and not cli.db.exists()


# --------------------------------------------------------------------------- certify, verify


def test_certify_prints_exactly_what_is_missing_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    poor = answers_file(tmp_path / "poor.yaml", 5, right=22, seed=5, trainee="Ada")
    cli("quiz", "--answers", str(poor), "--record")
    for kind in ("shadow-shift", "mock-incident", "ic-exercise"):
        cli("credit", "Ada", kind)
    result = cli("certify", "ada")
    assert (result.code, result.out) == (
        1,
        "Ada cannot be certified under policy default: quiz not passed (best 73%, pass mark "
        "80%); needs 1 more shadow-shift\n",
    )
    assert not (tmp_path / "records.key").exists()
    assert list(tmp_path.glob("certificate-*")) == []


def test_certify_writes_a_certificate_that_verifies(cli: Cli, tmp_path: Path) -> None:
    with cli.records() as r:
        ready(r, "Ada Lovelace")
    result = cli("certify", "ada lovelace")
    assert result.code == 0, result.err
    path = tmp_path / "certificate-ada-lovelace-2026-03-02.json"
    lines = result.out.splitlines()
    assert lines[:2] == [
        "certified: Ada Lovelace under policy default, valid until 2027-03-02",
        f"certificate: {path.resolve()}",
    ]
    assert lines[2] == f"code: {json.loads(path.read_text())['code']}"
    verified = cli("verify", str(path))
    assert (verified.code, verified.out) == (
        0,
        f"{path}: valid until 2027-03-02 (365 days left): Ada Lovelace, Incident Response "
        "Certification under policy default, issued 2026-03-02\n",
    )


def test_certify_writes_where_out_says_and_never_over_a_file(cli: Cli, tmp_path: Path) -> None:
    with cli.records() as r:
        ready(r, "Ada")
        ready(r, "Bea")
    out = tmp_path / "certs" / "ada.json"
    out.parent.mkdir()
    assert cli("certify", "Ada", "--out", str(out)).code == 0
    assert json.loads(out.read_text())["trainee"] == "Ada"
    clash = cli("certify", "Bea", "--out", str(out))
    assert clash.code == 1 and "exists; choose another --out" in clash.err
    with cli.records() as r:
        assert r.record("Bea").certificates == ()


def test_certify_refuses_an_out_under_a_file_before_issuing_anything(
    cli: Cli, tmp_path: Path
) -> None:
    with cli.records() as r:
        ready(r, "Ada")
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "ada.json"
    refused = cli("certify", "Ada", "--out", str(out))
    assert refused.code == 2
    assert refused.err.splitlines() == [
        f"warroom: error: --out {out}: cannot write: {tmp_path / 'file'} is not a folder"
    ]
    with cli.records() as r:
        assert r.record("Ada").certificates == ()
    made = tmp_path / "new" / "ada.json"
    assert cli("certify", "Ada", "--out", str(made)).code == 0  # its folder is made
    assert json.loads(made.read_text())["trainee"] == "Ada"


def test_certify_an_unknown_trainee_exits_1_and_suggests_names(cli: Cli) -> None:
    cli("credit", "Ada Lovelace", "gameday")
    result = cli("certify", "Ada Lovelase")
    assert result.code == 1
    assert "no trainee 'Ada Lovelase'" in result.err and "'Ada Lovelace'" in result.err


def test_certify_without_records_exits_1(cli: Cli) -> None:
    result = cli("certify", "Ada")
    assert result.code == 1 and "no records yet" in result.err
    assert not cli.db.exists()


def _certificate(cli: Cli, tmp_path: Path) -> Path:
    with cli.records() as r:
        ready(r, "Ada")
    assert cli("certify", "Ada").code == 0
    return tmp_path / "certificate-ada-2026-03-02.json"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"expires": "2027-03-02"', '"expires": "2027-03-03"'),
        ('"trainee": "Ada"', '"trainee": "Bea"'),
    ],
    ids=["expiry-one-day-later", "name"],
)
def test_verify_exits_1_for_an_edited_certificate(
    cli: Cli, tmp_path: Path, old: str, new: str
) -> None:
    path = _certificate(cli, tmp_path)
    path.write_text(path.read_text().replace(old, new))
    result = cli("verify", str(path))
    assert (result.code, result.out) == (
        1,
        f"{path}: signature does not match: the certificate was altered or issued by another "
        "programme\n",
    )


def test_verify_exits_1_for_an_expired_certificate(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _certificate(cli, tmp_path)
    monkeypatch.setattr(cli_programme, "_today", lambda: date(2027, 3, 2))
    result = cli("verify", str(path))
    assert result.code == 1
    assert result.out.startswith(f"{path}: expired on 2027-03-02: Ada")


def test_a_revoked_certificate_fails_verification_and_leaves_the_roster(
    cli: Cli, tmp_path: Path
) -> None:
    path = _certificate(cli, tmp_path)
    revoked = cli("revoke", "ada", "--reason", "left the team")
    assert revoked.code == 0 and revoked.out.startswith(
        "revoked: certificate of Ada issued 2026-03-02"
    )
    result = cli("verify", str(path))
    assert result.code == 1
    assert result.out.startswith(f"{path}: revoked on 2026-03-02 (left the team): Ada")
    assert re.search(
        r"^Ada\s+not certified\s+-\s+quiz not taken since 2026-03-03", cli("roster").out, re.M
    )
    again = cli("revoke", "Ada")
    assert again.code == 1 and "holds no valid certificate" in again.out


def test_verify_without_the_issuing_key_exits_1_and_says_which_key(
    cli: Cli, tmp_path: Path
) -> None:
    path = _certificate(cli, tmp_path)
    result = cli("verify", str(path), "--db", str(tmp_path / "other" / "records.db"), db=False)
    assert result.code == 1
    assert "records.key: no certificate key" in result.err


def test_verify_of_a_file_that_is_not_a_certificate_exits_1(cli: Cli, tmp_path: Path) -> None:
    _certificate(cli, tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    result = cli("verify", str(tmp_path / "notes.txt"))
    assert result.code == 1 and "not a warroom certificate: not JSON" in result.out


# --------------------------------------------------------------------------- roster, trainee


@pytest.fixture
def programme(cli: Cli) -> Cli:
    """Ada certified, Bea expiring in 15 days, Cy expired, Dee ready, Eve only started."""
    with cli.records() as r:
        issue(r, "Ada", TODAY - timedelta(days=10))
        issue(r, "Bea", TODAY - timedelta(days=350))
        issue(r, "Cy", TODAY - timedelta(days=400))
        ready(r, "Dee")
        r.add_credit("Eve", "shadow-shift", on=TODAY, recorded_at=NOW)
    return cli


def test_the_roster_shows_status_expiry_and_what_is_missing(programme: Cli) -> None:
    result = programme("roster")
    assert result.code == 0
    lines = result.out.splitlines()
    assert re.match(r"TRAINEE\s+STATUS\s+EXPIRES\s+MISSING$", lines[0])
    rows = {line.split()[0]: line for line in lines[1:6]}
    assert re.match(
        r"Ada\s+certified\s+2027-02-20\s+needs 5 more real-incidents since 2026-02-20;", rows["Ada"]
    )
    assert re.match(
        r"Bea\s+expires in 15 days\s+2026-03-17\s+needs 5 more real-incidents", rows["Bea"]
    )
    assert re.match(
        r"Cy\s+expired\s+2026-01-26\s+needs 5 more real-incidents since 2025-03-02", rows["Cy"]
    )
    assert re.match(r"Dee\s+not certified\s+-\s+ready to certify$", rows["Dee"])
    assert re.match(
        r"Eve\s+not certified\s+-\s+quiz not taken \(pass mark 80%\); needs 1 more shadow-shift; "
        r"needs 1 more mock-incident; needs 1 more ic-exercise$",
        rows["Eve"],
    )
    assert lines[-1] == (
        "5 trainees under policy default: 1 certified, 1 expiring within 30 days, 1 expired, "
        "2 not certified; 2 need recertification; 1 ready to certify"
    )


def test_the_roster_as_json(programme: Cli) -> None:
    data = json.loads(programme("roster", "--json").out)
    assert [(d["trainee"], d["state"], d["days_left"]) for d in data] == [
        ("Ada", "certified", 355),
        ("Bea", "expiring", 15),
        ("Cy", "expired", -35),
        ("Dee", "not-certified", None),
        ("Eve", "not-certified", None),
    ]


def test_the_roster_of_a_programme_with_no_records_yet(cli: Cli) -> None:
    result = cli("roster")
    assert (result.code, result.out) == (
        0,
        f"no trainees yet in {cli.db}: record one with warroom credit NAME KIND\n",
    )
    assert not cli.db.exists()


def test_trainee_shows_attempts_quizzes_credits_certificates_and_status(
    programme: Cli, tmp_path: Path
) -> None:
    journal = _journal(tmp_path / "j.jsonl", db=programme.db)
    record_attempt(programme.db, _assessment("Bea"), journal, now=NOW)
    result = programme("trainee", "bea")
    assert result.code == 0
    out = result.out
    assert out.startswith("Bea — expires in 15 days, on 2026-03-17 (policy default)\nMissing: ")
    assert "Requirements (recertification, the year from 2025-03-17)" in out
    assert "  [ ] real-incident     0 of 5 — needs 5 more real-incidents since 2025-03-17" in out
    assert (
        "Exercises (1)\n  2026-03-02  api-outage  policy default  seed 9  90% passed  tui  (counts as: ic-exercise)"
        in out
    )
    assert "Quizzes (1)\n  2025-03-16  policy default  seed 1  90% (27/30) passed" in out
    assert "Credits (4)\n  2025-02-15  shadow-shift" in out
    assert re.search(
        r"Certificates \(1\)\n  2025-03-17 to 2026-03-17  policy default  valid  code [0-9a-f]{16}…",
        out,
    )


def test_trainee_as_json(programme: Cli) -> None:
    data = json.loads(programme("trainee", "Dee", "--json").out)
    assert data["status"]["ready"] is True
    assert [c["kind"] for c in data["record"]["credits"]] == [
        "shadow-shift",
        "shadow-shift",
        "mock-incident",
        "ic-exercise",
    ]


def test_an_unknown_trainee_exits_1_with_the_names_it_might_be(programme: Cli) -> None:
    result = programme("trainee", "Bee")
    assert result.code == 1
    assert "no trainee 'Bee'" in result.err and "'Bea'" in result.err


def test_an_unknown_policy_is_a_usage_error(programme: Cli) -> None:
    result = programme("roster", "--policy", "acme")
    assert result.code == 2 and "no policy 'acme'" in result.err


# --------------------------------------------------------------------------- record_attempt


def _assessment(trainee: str = "Ada", passed: bool = True, seed: int = 9) -> Assessment:
    return Assessment(
        scenario="api-outage",
        trainee=trainee,
        policy="default",
        level="SEV-2",
        seed=seed,
        score=0.9 if passed else 0.4,
        passed=passed,
        incident_start=5.0,
        criteria=[
            CriterionResult(
                id="ack_alert",
                title="First alert acknowledged",
                status="passed",
                measured_s=65.0,
                limit_s=120.0,
                detail="",
            )
        ],
    )


def _journal(path: Path, driver: str = "tui", *, db: Path | None = None) -> Path:
    """A journal of an exercise started and ended (only one played to its end earns credit);
    sealed with the programme key of ``db`` when given (a live driver's journal earns credit
    only so)."""
    header = Header(
        scenario="api-outage",
        scenario_sha256="0" * 64,
        scenario_path="api-outage",
        seed=9,
        policy="default",
        severity_levels=("SEV-1", "SEV-2", "SEV-3", "SEV-4"),
        trainee="Ada",
        driver=driver,
        started_at="2026-03-02T09:00:00+00:00",
    )
    seal = sealing_key(db) if db is not None else None
    with JournalWriter(path, header, seal=seal) as writer:
        writer(ScenarioStarted(0.0, "api-outage", "API outage", "2026-01-30T15:15:00Z"))
        writer(ScenarioEnded(60.0, "completed"))
    return path


def test_record_attempt_stores_a_graded_exercise_with_its_journals_seed_and_driver(
    tmp_path: Path,
) -> None:
    db = tmp_path / "records.db"
    journal = _journal(tmp_path / "run" / "journal.jsonl", db=db)
    attempt = record_attempt(db, _assessment(), journal, now=NOW)
    assert (attempt.trainee, attempt.scenario, attempt.seed, attempt.driver) == (
        "Ada",
        "api-outage",
        9,
        "tui",
    )
    assert attempt.journal_path == str(journal.resolve())
    assert attempt.criteria == [c.to_dict() for c in _assessment().criteria]
    assert attempt.passed and attempt.recorded_at == NOW


def test_recording_the_same_journal_twice_stores_it_once(tmp_path: Path) -> None:
    db = tmp_path / "records.db"
    journal = _journal(tmp_path / "journal.jsonl", db=db)
    first = record_attempt(db, _assessment(), journal, now=NOW)
    assert record_attempt(db, _assessment(), journal, now=NOW).id == first.id
    with Records(db) as r:
        assert len(r.record("Ada").exercises) == 1


def test_an_edited_journal_is_not_recorded(tmp_path: Path) -> None:
    journal = _journal(tmp_path / "journal.jsonl")
    journal.write_text(journal.read_text().replace("API outage", "API outage!"))
    with pytest.raises(RecordsError, match=r"journal\.jsonl:2: the journal was edited by hand"):
        record_attempt(tmp_path / "records.db", _assessment(), journal, now=NOW)


def test_without_a_journal_an_attempt_is_recorded_as_practice(tmp_path: Path) -> None:
    from assessments.certification import exercise_credits

    attempt = record_attempt(tmp_path / "records.db", _assessment(seed=4), None, now=NOW)
    assert (attempt.driver, attempt.seed, exercise_credits(attempt)) == ("unknown", 4, ())


# --------------------------------------------------------------------------- as a program


@pytest.fixture(scope="module")
def entry() -> Iterator[list[str]]:
    yield [sys.executable, "-m", "tui.cli"]


def test_the_commands_run_as_a_program_with_their_exit_codes_and_no_traceback(
    entry: list[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "records.db")

    def warroom(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*entry, *argv], capture_output=True, text=True, timeout=120, cwd=tmp_path
        )

    credited = warroom("credit", "Ada", "shadow-shift", "--db", db)
    assert credited.returncode == 0, credited.stderr
    assert "recorded: shadow-shift on" in credited.stdout
    missing = warroom("certify", "Ada", "--db", db)
    assert missing.returncode == 1
    assert "Ada cannot be certified under policy default: quiz not taken" in missing.stdout
    usage = warroom("credit", "Ada", "nap", "--db", db)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    roster = warroom("roster", "--db", db)
    assert roster.returncode == 0 and re.search(r"^Ada\s+not certified", roster.stdout, re.M)
    nothing = warroom("verify", str(tmp_path / "none.json"), "--db", db)
    assert nothing.returncode == 1
    for result in (credited, missing, usage, roster, nothing):
        assert "Traceback" not in result.stdout + result.stderr


def test_the_programme_commands_import_no_textual(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom tui.cli.parser import main\n"
        f"main(['roster', '--db', {str(tmp_path / 'r.db')!r}])\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip().endswith("CLEAN")
