"""`warroom resume`: a session left early (or killed) continues from its journal, in the same state."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessments.policy import load_policy
from simulator import commands as cmd
from simulator.engine import Engine
from simulator.events import ActionAccepted
from simulator.journal import Journal, read_journal
from simulator.library import load_scenario
from simulator.runner import verify
from tui.cli.parser import main
from tui.headless.session import ResumeError, Session, new_session, resume_session


def played(tmp_path: Path) -> Session:
    """An api-outage session 5 minutes in, with the first actions taken, never closed."""
    session = new_session("api-outage", trainee="Ada", journal_dir=tmp_path, paused=True)
    session.open(0.0)
    session.jump(70)
    for command in (
        cmd.Acknowledge(alert="APIErrorRateHigh", rationale="first page"),
        cmd.Classify(severity="SEV-2"),
        cmd.CreateChannel(name="#incident-2026-01-30-1515"),
    ):
        assert session.submit(command).accepted
    session.jump(230)
    return session


def test_a_session_lives_in_its_own_directory(tmp_path: Path) -> None:
    session = played(tmp_path)
    assert session.journal_path is not None
    assert session.journal_path.name == "journal.jsonl"
    assert session.directory == session.journal_path.parent
    assert session.directory.parent == tmp_path
    assert session.directory.name.startswith("api-outage-")
    assert session.directory.stat().st_mode & 0o777 == 0o700


def test_resume_continues_in_the_same_state_and_the_journal_still_verifies(
    tmp_path: Path,
) -> None:
    before = played(tmp_path)
    assert before.directory is not None
    state = before.engine.state
    resumed = resume_session(before.directory)
    assert resumed.paused
    assert resumed.resumed_from == before.engine.now == 300
    assert resumed.engine.state.severity == state.severity == "SEV-2"
    assert resumed.engine.state.channel == state.channel
    assert resumed.assessment().criterion("ack_alert").status == "passed"
    assert resumed.events == before.events

    resumed.toggle_pause(0.0)
    assert resumed.submit(cmd.AssignRole(role="ic", person="me")).accepted
    resumed.close()
    journal = read_journal(before.directory / "journal.jsonl")
    assert journal.edited_line is None
    actions = [e.command["do"] for e in journal.events if isinstance(e, ActionAccepted)]
    assert actions == [
        "jump_ahead",
        "acknowledge",
        "classify",
        "create_channel",
        "jump_ahead",
        "set_pace",
        "assign_role",
    ]
    check = verify(journal, resume_session_engine(journal))
    assert check.identical, check


def resume_session_engine(journal: Journal) -> Engine:
    h = journal.header
    loaded = load_scenario(h.scenario_path)
    return Engine(
        loaded.scenario,
        seed=h.seed,
        severity_levels=load_policy(h.policy).level_names,
        trainee=h.trainee,
    )


def test_a_line_cut_off_by_a_crash_is_dropped_and_the_rest_resumes(tmp_path: Path) -> None:
    before = played(tmp_path)
    assert before.journal_path is not None
    with before.journal_path.open("a", encoding="utf-8") as f:
        f.write('{"t":300,"kind":"act')  # the process died mid-write
    resumed = resume_session(before.journal_path)
    assert resumed.engine.state.severity == "SEV-2"
    text = before.journal_path.read_text(encoding="utf-8")
    assert text.endswith("\n") and '"kind":"act"' not in text.splitlines()[-1][:30]
    assert read_journal(before.journal_path).truncated is False


def test_an_ended_exercise_cannot_be_resumed(tmp_path: Path) -> None:
    session = played(tmp_path)
    session.submit(cmd.EndExercise())
    assert session.engine.ended
    with pytest.raises(ResumeError, match="already ended"):
        resume_session(session.journal_path)  # type: ignore[arg-type]


def test_a_journal_edited_by_hand_is_refused(tmp_path: Path) -> None:
    session = played(tmp_path)
    path = session.journal_path
    assert path is not None
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(n for n, line in enumerate(lines) if '"classify"' in line)
    lines[i] = lines[i].replace("SEV-2", "SEV-1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ResumeError, match="edited by hand"):
        resume_session(path)


def test_a_changed_scenario_is_refused(tmp_path: Path) -> None:
    source = Path(__file__).parent.parent / "scenarios" / "api-outage.yaml"
    copy = tmp_path / "my-outage.yaml"
    copy.write_bytes(source.read_bytes())
    session = new_session(str(copy), trainee="Ada", journal_dir=tmp_path / "s", paused=True)
    session.open(0.0)
    session.jump(30)
    copy.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.raises(ResumeError, match="changed since the session started"):
        resume_session(session.journal_path, scenario=str(copy))  # type: ignore[arg-type]


def test_the_command_line_reports_what_cannot_be_resumed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = played(tmp_path)
    session.submit(cmd.EndExercise())
    assert main(["resume", str(session.directory)]) == 1
    assert "already ended" in capsys.readouterr().err
    assert main(["resume", str(tmp_path / "nowhere.jsonl")]) == 1
    assert "error" in capsys.readouterr().err


def test_warroom_without_a_terminal_prints_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "play" in out and "facilitate" in out and "resume" in out
