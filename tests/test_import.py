"""``warroom import``: journals graded once each into the records (both backends), refused
for credit when the programme did not seal them; the cohort report from the records; exports."""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assessments import intake
from assessments.assessor import grade_journal
from assessments.autoplay import autopilot, headless_engine, play_to_end
from assessments.certification import exercise_credits
from assessments.intake import import_journals
from assessments.keys import load_keys
from assessments.policy import load_policy
from assessments.programme import record_attempt, sealing_key
from assessments.records import ExerciseAttempt, Records, resolve_db_path
from simulator.autopilot import Profile
from simulator.events import event_from_dict
from simulator.journal import JournalEvents, JournalWriter, new_header, read_journal, read_sealed
from simulator.library import load_scenario
from tests.postgres import raw_sql
from tests.test_sealed_journals import _play
from tests.test_team_people import ALAN, IC_OWNS, team_journal
from tui.cli.parser import main

NOW = datetime(2026, 3, 3, 12, tzinfo=UTC)

PLAYS: tuple[tuple[str, str, Profile], ...] = (
    ("validator-dropout", "default", "novice"),  # never resolved: the full two hours
    ("api-outage", "agentos", "expert"),
    ("security-breach", "nexus", "novice"),
    ("not-an-incident", "default", "expert"),
    ("chain-halted", "nexus", "expert"),
)
"""Library scenarios, the policy each is played under and the autopilot that plays it."""


def _sealed_play(
    path: Path, seal: tuple[str, bytes], scenario: str, policy_name: str, profile: Profile
) -> Path:
    """A live session's journal of ``scenario`` played by an autopilot, sealed as the TUI
    seals it."""
    loaded = load_scenario(scenario)
    policy = load_policy(policy_name)
    trainee = f"{profile.title()} {scenario}"
    engine = headless_engine(loaded.scenario, policy, seed=5, trainee=trainee)
    header = new_header(
        loaded,
        seed=5,
        policy=policy_name,
        severity_levels=policy.level_names,
        trainee=trainee,
        driver="tui",
        started_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    with JournalWriter(path, header, seal=seal) as writer:
        engine.subscribe(writer)
        play_to_end(engine, autopilot(profile, loaded.scenario, policy, seed=5))
    return path


@pytest.fixture
def library_journals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Path]]:
    """Records and a sealed journal of each of ``PLAYS``."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("WARROOM_DB", raising=False)
    db = tmp_path / "records.db"
    seal = sealing_key(db)
    paths = [
        _sealed_play(tmp_path / "journals" / f"{scenario}.jsonl", seal, scenario, policy, who)
        for scenario, policy, who in PLAYS
    ]
    return db, paths


@pytest.fixture
def programme(
    records_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, Path]:
    """Records (SQLite, then PostgreSQL) and a folder of journals: three sealed by the
    programme, one unsealed live session."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("WARROOM_DB", raising=False)
    folder = tmp_path / "journals"
    folder.mkdir()
    seal = sealing_key(records_location)
    for name in ("Ada", "Bea", "Cy"):
        _play(folder / f"{name.lower()}.jsonl", seal, trainee=name)
    _play(folder / "nested" / "dee.jsonl", None, trainee="Dee")
    return records_location, folder


def test_import_grades_each_journal_once_and_refuses_unsealed_ones_for_credit(
    programme: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, folder = programme
    assert main(["import", str(folder), "--db", db]) == 1
    out, err = capsys.readouterr()
    assert "4 journals: 3 imported, 0 as practice only, 0 already in the records, 1 refused" in out
    assert "dee.jsonl: not recorded for credit: not sealed by a programme" in err
    assert main(["import", str(folder), "--db", db]) == 1
    assert "3 already in the records, 1 refused" in capsys.readouterr().out
    assert main(["import", str(folder / "nested"), "--practice", "--db", db]) == 0
    assert "1 as practice only" in capsys.readouterr().out
    with Records(resolve_db_path(db)) as r:
        attempts = r.exercises()
    assert sorted(a.trainee for a in attempts) == ["Ada", "Bea", "Cy", "Dee"]
    drivers = {a.trainee: a.driver for a in attempts}
    assert drivers["Dee"] == "practice:tui" and drivers["Ada"] == "tui"
    sealed = {a.trainee: a.sealed_by for a in attempts}
    assert sealed["Ada"] == sealing_key(db)[0] and sealed["Dee"] is None
    assert all(a.title and a.started_at and a.completed for a in attempts)


def test_the_cohort_from_the_records_matches_the_cohort_from_the_journals(
    programme: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, folder = programme
    shutil.rmtree(folder / "nested")
    assert main(["import", str(folder), "--db", db]) == 0
    assert main(["report", "--cohort", "--out", str(tmp_path / "a"), "--db", db]) == 0
    assert main(["report", "--cohort", str(folder), "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    a = json.loads((tmp_path / "a" / "cohort.json").read_text())
    b = json.loads((tmp_path / "b" / "cohort.json").read_text())
    keys = ("sessions", "trainees", "passed", "scenarios", "criteria", "attention")
    for key in (*keys, "critical_failures", "markers", "people"):
        assert a[key] == b[key], key
    assert [p["name"] for p in a["people"]] == ["Ada", "Bea", "Cy"]


def test_a_process_pool_imports_the_same_as_one_process(
    programme: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, folder = programme
    monkeypatch.setattr(intake, "POOL_FROM", 2)
    seen: list[tuple[int, int]] = []
    paths = intake.find_journals([folder])
    report = import_journals(
        resolve_db_path(db), paths, workers=2, progress=lambda d, t: seen.append((d, t))
    )
    assert [o.status for o in report.outcomes] == ["imported", "imported", "imported", "refused"]
    assert seen[-1] == (4, 4)


def test_exports_csv_and_xapi(
    programme: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, folder = programme
    main(["import", str(folder), "--db", db])
    capsys.readouterr()
    assert main(["export", "--csv", "--db", db]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["record"] for r in rows} == {"roster", "exercise"}
    assert sorted(r["trainee"] for r in rows if r["record"] == "roster") == ["Ada", "Bea", "Cy"]
    out = tmp_path / "statements.jsonl"
    assert main(["export", "--xapi", "--out", str(out), "--db", db]) == 0
    statements = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(statements) == 3
    for s in statements:
        assert {"id", "actor", "verb", "object", "result", "timestamp"} <= set(s)
        assert s["verb"]["id"].startswith("http://adlnet.gov/expapi/verbs/")
        assert s["object"]["id"].endswith("/scenario/api-outage")
        assert 0 <= s["result"]["score"]["scaled"] <= 1
        assert isinstance(s["result"]["success"], bool)
        criteria = s["result"]["extensions"]["https://warroom.dev/xapi/criteria"]
        assert {c["id"] for c in criteria} >= {"ack_alert", "create_channel"}
    again = tmp_path / "again.jsonl"
    main(["export", "--xapi", "--out", str(again), "--db", db])
    assert [json.loads(x)["id"] for x in again.read_text().splitlines()] == [
        s["id"] for s in statements
    ]


def test_bad_files_are_reported_and_the_rest_imported(
    programme: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, folder = programme
    (folder / "empty.jsonl").write_text("")
    (folder / "junk.jsonl").write_text('{"warroom_journal": 1}\n[]\n')
    cut = folder / "cut.jsonl"
    cut.write_bytes((folder / "ada.jsonl").read_bytes()[:-40])  # killed mid-line
    edited = folder / "edited.jsonl"
    edited.write_text((folder / "bea.jsonl").read_text().replace('"Bea"', '"Eve"', 1))
    assert main(["import", str(folder), "--db", db]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert "empty.jsonl: error: empty journal" in err
    assert "junk.jsonl:1: error:" in err
    assert "edited.jsonl: not recorded: line 2 does not match the programme's seal" in err
    assert "8 journals: 4 imported" in out  # ada, bea, cy and the cut copy of ada's
    assert "2 refused, 2 unreadable" in out


def test_a_journal_sealed_elsewhere_is_foreign_to_a_programme_without_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    journal = _play(tmp_path / "j.jsonl", sealing_key(tmp_path / "other" / "records.db"))
    assert main(["grade", str(journal), "--record", "--db", str(tmp_path / "new.db")]) == 1
    assert "which this programme does not hold" in capsys.readouterr().err


def test_an_imported_attempt_has_the_score_pass_and_criteria_warroom_grade_gives(
    library_journals: tuple[Path, list[Path]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, paths = library_journals
    monkeypatch.setattr(intake, "POOL_FROM", 2)  # graded in the process pool
    report = import_journals(db, paths, workers=2)
    assert [o.status for o in report.outcomes] == ["imported"] * len(paths)
    with Records(db) as records:
        attempts = {a.journal_path: a for a in records.exercises()}
    for path in paths:
        assert main(["grade", str(path), "--json"]) == 0
        graded = json.loads(capsys.readouterr().out)
        attempt = attempts[str(path.resolve())]
        assert (attempt.scenario, attempt.policy, attempt.trainee) == (
            graded["scenario"],
            graded["policy"],
            graded["trainee"],
        )
        assert attempt.score == graded["score"], path.name
        assert attempt.passed is graded["passed"], path.name
        assert attempt.criteria == graded["criteria"], path.name
    assert {a.passed for a in attempts.values()} == {True, False}


def test_a_sealed_journal_is_read_for_grading_as_read_journal_reads_it(
    library_journals: tuple[Path, list[Path]],
) -> None:
    db, paths = library_journals
    keys = load_keys(db).by_id
    for path in paths:
        fast, seal = read_sealed(path, keys)
        assert type(fast) is JournalEvents, "the seal vouches for it: its lines are not kept"
        assert seal.state == "sealed"
        whole = read_journal(path)
        assert fast.header == whole.header and fast.sha256 == whole.sha256
        assert fast.events == [e for e in whole.events if e.kind != "metrics"]
        assert fast.ended and not fast.truncated and fast.edited_line is None


def test_a_sealed_journal_with_an_edited_metric_sample_is_refused_naming_the_line(
    library_journals: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, paths = library_journals
    path = paths[0]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if i > 200 and '"metrics"' in line)
    edited = lines[number - 1].replace('"chain.online_power":', '"chain.online_power":1', 1)
    assert edited != lines[number - 1]
    lines[number - 1] = edited
    path.write_text("".join(lines), encoding="utf-8")
    assert main(["import", str(path), "--db", str(db)]) == 1
    _, err = capsys.readouterr()
    assert f"{path}: not recorded: line {number} does not match the programme's seal" in err


def test_a_journal_whose_trainee_name_the_records_refuse_is_skipped_and_the_rest_imported(
    library_journals: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, paths = library_journals
    source = read_journal(paths[1])
    bad = paths[1].with_name("bell.jsonl")
    with JournalWriter(
        bad, replace(source.header, trainee="Ada\u0007"), seal=sealing_key(db)
    ) as writer:
        for event in source.events:
            writer(event)
    assert main(["import", str(bad.parent), "--db", str(db)]) == 1
    out, err = capsys.readouterr()
    assert f"{bad}: not recorded: a trainee name cannot contain control" in err
    assert f"{len(paths) + 1} journals: {len(paths)} imported" in out
    assert "1 refused, 0 unreadable" in out


# --------------------------------------------------------------------------- one journal, once


def _other_digests(source: Path, target: Path) -> Path:
    """A copy of a sealed journal whose lines' digests ("h" and "s") before its last seal hold
    other hex digits: its contents and its last seal are the original's, its bytes are not."""
    lines = source.read_bytes().split(b"\n")[:-1]
    out = [lines[0]]
    for number, line in enumerate(lines[1:], 2):
        h, middle, seal, end = line[-57:-41], line[-41:-34], line[-34:-2], line[-2:]
        if number < len(lines):
            seal = _flipped(seal)
        out.append(line[:-57] + _flipped(h) + middle + seal + end)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"\n".join(out) + b"\n")
    return target


def _flipped(digits: bytes) -> bytes:
    """Other hex digits: each one ``15 - d``."""
    return bytes(b"0123456789abcdef"[15 - int(chr(c), 16)] for c in digits)


def _loose_tails(source: Path, target: Path) -> Path:
    """A copy of a sealed journal whose lines end in bytes the fast reading takes as digests
    without looking: every line before the last has a seal one digit short and a trailing
    space, and the last line's "h" is blanked (its seal is kept)."""
    lines = source.read_bytes().split(b"\n")[:-1]
    out = [lines[0]]
    for line in lines[1:-1]:
        out.append(line[:-3] + b'"} ')
    last = lines[-1]
    out.append(last[:-57] + b" " * 16 + last[-41:])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"\n".join(out) + b"\n")
    return target


def _last_seal(path: Path) -> str:
    return path.read_bytes().split(b"\n")[-2][-34:-2].decode("ascii")


def test_copies_of_a_sealed_journal_that_differ_only_in_their_digests_are_recorded_once(
    programme: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, folder = programme
    original = folder / "ada.jsonl"
    copies = [
        _other_digests(original, tmp_path / "copies" / "digests.jsonl"),
        _loose_tails(original, tmp_path / "copies" / "tails.jsonl"),
    ]
    keys = load_keys(resolve_db_path(db)).by_id
    _, seal = read_sealed(original, keys)
    assert seal.last_seal == _last_seal(original)
    for copy in copies:
        assert copy.read_bytes() != original.read_bytes()
        assert len(copy.read_bytes()) == len(original.read_bytes())
        fast, copied = read_sealed(copy, keys)  # what `warroom import` reads
        assert copied.trusted and copied.last_seal == seal.last_seal
        assert fast.events == read_sealed(original, keys)[0].events

    assert main(["import", str(copies[0]), "--db", db]) == 0
    assert "1 journal: 1 imported" in capsys.readouterr().out
    assert main(["import", str(original), str(copies[1]), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "2 journals: 0 imported, 0 as practice only, 2 already in the records" in out
    assert main(["grade", str(original), "--record", "--db", db]) == 0
    assert main(["grade", str(copies[1]), "--record", "--db", db]) == 1  # read line by line
    capsys.readouterr()
    with Records(resolve_db_path(db)) as r:
        (attempt,) = r.exercises()
    assert attempt.trainee == "Ada" and attempt.seal == seal.last_seal
    assert attempt.journal_path == str(copies[0].resolve())  # the first one recorded


def test_copies_of_a_sealed_journal_imported_together_are_recorded_once(
    programme: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, folder = programme
    together = tmp_path / "together"
    together.mkdir()
    shutil.copy(folder / "bea.jsonl", together / "a.jsonl")
    _other_digests(folder / "bea.jsonl", together / "b.jsonl")
    _loose_tails(folder / "bea.jsonl", together / "c.jsonl")
    monkeypatch.setattr(intake, "POOL_FROM", 2)  # graded in the process pool, none known yet
    report = import_journals(resolve_db_path(db), intake.find_journals([together]), workers=2)
    assert [o.status for o in report.outcomes] == ["imported", "already", "already"]
    with Records(resolve_db_path(db)) as r:
        assert [a.trainee for a in r.exercises()] == ["Bea"]


def test_a_team_journal_is_imported_as_grade_record_records_it_the_team_and_each_participant(
    records_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    location = resolve_db_path(records_location)
    journal = team_journal(tmp_path / "day" / "team.jsonl", sealing_key(records_location))

    def recorded() -> list[ExerciseAttempt]:
        with Records(location) as r:
            return sorted(
                (replace(a, id=0, recorded_at=NOW) for a in r.exercises()),
                key=lambda a: a.seat,
            )

    team = record_attempt(records_location, grade_journal(read_journal(journal)), journal)
    graded = recorded()
    assert [a.seat for a in graded] == ["", "comms", "ic", "observer", "tech"]
    assert import_journals(location, [journal]).count("already") == 1
    raw_sql(records_location, "DELETE FROM exercise_attempts")

    report = import_journals(location, [journal])
    assert [o.status for o in report.outcomes] == ["imported"]
    imported = recorded()
    assert imported == graded  # the same rows, column for column
    people = {a.trainee: a for a in imported if a.person_in_team}
    assert sorted(people) == sorted(["Ada", "Grace", "Linus", ALAN])
    assert [c["id"] for c in people["Ada"].criteria] == IC_OWNS
    assert exercise_credits(people["Ada"]) == ("ic-exercise", "gameday")
    assert exercise_credits(people[ALAN]) == ("gameday",)
    assert imported[0].team == "blue team" and exercise_credits(imported[0]) == ()
    assert {a.seal for a in imported} == {_last_seal(journal)}

    again = record_attempt(records_location, grade_journal(read_journal(journal)), journal)
    assert (again.trainee, again.seat) == (team.trainee, "")
    copy = _other_digests(journal, tmp_path / "copy" / "team.jsonl")
    assert import_journals(location, [copy]).count("already") == 1
    assert len(recorded()) == 5


def test_a_team_journal_naming_a_participant_the_records_refuse_is_refused_by_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    db = tmp_path / "records.db"
    seal = sealing_key(db)
    source = read_journal(team_journal(tmp_path / "team.jsonl", seal))
    bad = tmp_path / "day" / "bell.jsonl"
    with JournalWriter(bad, source.header, seal=seal) as writer:  # as a host would seal it
        for line in source.lines:
            writer(event_from_dict(json.loads(line.replace('"Grace"', '"Gr\\u0007ace"'))))
    good = _sealed_play(tmp_path / "day" / "solo.jsonl", seal, "api-outage", "default", "expert")
    assert main(["import", str(bad.parent), "--db", str(db)]) == 1
    out, err = capsys.readouterr()
    refusal = "not recorded: a trainee name cannot contain control or unassigned characters"
    assert f"{bad}: {refusal}" in err and "2 journals: 1 imported, 0 as practice only" in out
    assert main(["grade", str(bad), "--record", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: {refusal}" in err and "Traceback" not in err
    with Records(db) as r:
        assert [a.journal_path for a in r.exercises()] == [str(good.resolve())]


def test_a_team_journal_imported_without_its_participants_is_read_again_and_they_are_added(
    records_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # before schema step 5, `warroom import` recorded a team game day as the team's attempt
    # only; importing it again must add the participants, not skip it as known
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    location = resolve_db_path(records_location)
    journal = team_journal(tmp_path / "day" / "team.jsonl", sealing_key(records_location))
    assert import_journals(location, [journal]).count("imported") == 1
    raw_sql(records_location, "DELETE FROM exercise_attempts WHERE seat <> ''")
    with Records(location) as r:
        assert [a.seat for a in r.exercises()] == [""]
        assert r.journal_digests() == [] and r.journal_seals() == []

    report = import_journals(location, [journal])
    assert [o.status for o in report.outcomes] == ["imported"]
    with Records(location) as r:
        assert sorted(a.seat for a in r.exercises()) == ["", "comms", "ic", "observer", "tech"]
        sha = read_journal(journal).sha256
        assert r.journal_digests() == [sha] and r.journal_seals() == [_last_seal(journal)]
    assert [o.status for o in import_journals(location, [journal]).outcomes] == ["already"]
