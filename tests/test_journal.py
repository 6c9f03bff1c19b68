"""The journal: written as it happens, survives a killed process, replays byte for byte."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simulator import commands as c
from simulator.engine import Engine
from simulator.events import ActionAccepted
from simulator.journal import Header, JournalError, JournalWriter, read_journal
from simulator.library import load_scenario
from simulator.runner import journal_steps, verify

from .conftest import LEVELS, make


def _header(**changes: object) -> Header:
    base: dict[str, object] = dict(
        scenario="tiny",
        scenario_sha256="0" * 64,
        scenario_path="tiny.yaml",
        seed=1,
        policy="default",
        severity_levels=LEVELS,
        trainee="ada",
        driver="test",
        started_at="2026-11-22T10:00:00+00:00",
    )
    base.update(changes)
    return Header(**base)  # type: ignore[arg-type]


def test_a_journal_is_a_header_then_one_event_per_line_and_reads_back(tmp_path: Path) -> None:
    engine, rec = make()
    path = tmp_path / "j.jsonl"
    with JournalWriter(path, _header()) as writer:
        engine.subscribe(writer)
        engine.run_until(100)
        engine.submit(c.Acknowledge(alert="ErrorsHigh", rationale="first alert"))
        engine.run_to_end()
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["warroom_journal"] == 1
    journal = read_journal(path)
    assert journal.header.trainee == "ada" and journal.header.severity_levels == LEVELS
    assert [e.to_dict() for e in journal.events] == [e.to_dict() for e in rec.events]
    assert journal.ended and not journal.truncated
    steps = journal_steps(journal)
    assert [(s.at, s.command) for s in steps] == [
        (100.0, c.Acknowledge(alert="ErrorsHigh", rationale="first alert"))
    ]


def test_a_truncated_last_line_is_tolerated_but_a_corrupt_middle_line_is_an_error(
    tmp_path: Path,
) -> None:
    engine, _ = make()
    path = tmp_path / "j.jsonl"
    with JournalWriter(path, _header()) as writer:
        engine.subscribe(writer)
        engine.run_until(60)
    whole = path.read_text()
    path.write_text(whole + '{"t":65.0,"kind":"metr')
    journal = read_journal(path)
    assert journal.truncated and len(journal.events) == len(whole.splitlines()) - 1
    lines = whole.splitlines()
    lines.insert(2, "not json")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(JournalError, match=r"j\.jsonl:3:"):
        read_journal(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b'{"hello": 1}\n', "not a warroom journal"), (b"\xff\xfe\n", "UTF-8")],
)
def test_a_file_that_is_not_a_journal_says_why(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(content)
    with pytest.raises(JournalError, match=message):
        read_journal(path)
    with pytest.raises(JournalError, match="no such file"):
        read_journal(tmp_path / "missing.jsonl")


_KILLED = textwrap.dedent(
    """
    import sys, time
    from simulator import commands as c
    from simulator.engine import Engine
    from simulator.journal import Header, JournalWriter
    from simulator.library import load_scenario

    loaded = load_scenario("api-outage")
    engine = Engine(loaded.scenario, seed=3, severity_levels=("SEV-1", "SEV-2", "SEV-3", "SEV-4"))
    header = Header(scenario="api-outage", scenario_sha256=loaded.sha256, scenario_path="api-outage",
                    seed=3, policy="default", severity_levels=("SEV-1", "SEV-2", "SEV-3", "SEV-4"),
                    trainee="kill-test", driver="test", started_at="2026-11-22T10:00:00+00:00")
    engine.subscribe(JournalWriter(sys.argv[1], header))
    steps = [(70, c.Acknowledge(alert="APIErrorRateHigh")), (90, c.Classify(severity="SEV-2")),
             (120, c.Note(text="last words before the crash"))]
    for at, command in steps:
        engine.run_until(at)
        engine.submit(command)
        print("done", at, flush=True)
    time.sleep(60)
    """
)


def test_a_killed_process_leaves_a_journal_with_every_action_up_to_the_kill(tmp_path: Path) -> None:
    path = tmp_path / "killed.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    seen = [proc.stdout.readline().strip() for _ in range(3)]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert seen[-1] == "done 120"
    journal = read_journal(path)
    actions = [dict(e.command) for e in journal.events if isinstance(e, ActionAccepted)]
    assert actions[-1] == {"do": "note", "text": "last words before the crash"}
    assert len(actions) == 3 and not journal.ended
    loaded = load_scenario("api-outage")
    engine = Engine(loaded.scenario, seed=3, severity_levels=journal.header.severity_levels)
    assert verify(journal, engine).identical
