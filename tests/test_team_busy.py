"""A team member who runs a diagnostic themselves is the one heads-down, not the IC: the
engine keeps each person's busy time in a team, and the IC's markers count only the IC's own
diagnostics (a technical lead's show in their per-person result). A single trainee plays as
before (the golden transcripts in ``test_golden.py``)."""

from __future__ import annotations

from pathlib import Path

from assessments.assessor.facts import gather
from assessments.team import heads_down
from simulator import commands as cmd
from simulator import events as ev
from simulator.engine import Engine
from simulator.library import load_scenario
from tests.test_assessor import Make, drill, graded, story

LOGS = "check-api-logs"


def _engine() -> tuple[Engine, list[ev.Event]]:
    engine = Engine(load_scenario("api-outage").scenario, seed=1, severity_levels=("SEV-1",))
    seen: list[ev.Event] = []
    engine.subscribe(seen.append)
    return engine, seen


def test_a_technical_leads_diagnostic_keeps_the_tech_lead_busy_and_not_the_ic() -> None:
    engine, seen = _engine()
    engine.run_until(200)
    assert engine.submit(cmd.RunDiagnostic(diagnostic=LOGS), person="Linus", seat="tech").accepted
    started = [e for e in seen if isinstance(e, ev.DiagnosticStarted)][-1]
    assert (started.by, started.person, started.seat) == ("ic", "Linus", "tech")
    assert engine.snapshot().ic_busy_until == 0.0  # the IC is not heads-down
    ack = engine.submit(cmd.Acknowledge(alert="APIErrorRateHigh"), person="Ada", seat="ic")
    assert ack.accepted, ack.reason
    busy = engine.submit(
        cmd.ApplyMitigation(mitigation="restart-ml-inference"), person="Linus", seat="tech"
    )
    assert not busy.accepted
    assert busy.reason.startswith("you are heads-down on ")
    assert "has to wait" in busy.reason and "an IC who debugs" not in busy.reason
    engine.run_until(started.eta)
    assert "Linus" not in engine.heads_down  # the result came back: free again
    again = engine.submit(
        cmd.ApplyMitigation(mitigation="restart-ml-inference"), person="Linus", seat="tech"
    )
    assert again.accepted, again.reason


def test_a_single_trainee_running_a_diagnostic_is_still_the_ic_heads_down() -> None:
    engine, seen = _engine()
    engine.run_until(200)
    assert engine.submit(cmd.RunDiagnostic(diagnostic=LOGS)).accepted
    started = [e for e in seen if isinstance(e, ev.DiagnosticStarted)][-1]
    assert started.person is None and "person" not in started.to_dict()
    assert engine.snapshot().ic_busy_until == started.eta
    ack = engine.submit(cmd.Acknowledge(alert="APIErrorRateHigh"))
    assert not ack.accepted and "an IC who debugs stops coordinating" in ack.reason


def test_only_the_ics_own_diagnostics_are_the_ics_heads_down_time() -> None:
    team: list[tuple[float, Make]] = [
        # the tech lead runs one for 2 minutes, the IC one for 30 s (hand-computed below)
        (300.0, lambda t: ev.DiagnosticStarted(t, "check-logs", "ic", t + 120, "Linus", "tech")),
        (400.0, lambda t: ev.DiagnosticStarted(t, "check-db", "ic", t + 30, "Ada", "ic")),
        (500.0, lambda t: ev.DiagnosticStarted(t, "check-cdn", "ic", t + 45, "Linus", "tech")),
    ]
    events = story(extra=team)
    a = graded(events)
    assert a.markers["ran_personally"] == 1
    assert a.markers["heads_down_s"] == 30.0
    assert [p.pattern for p in a.anti_patterns].count("Debugging code yourself") == 1
    facts = gather(events, drill())
    assert facts.team_diagnostics == [
        (300.0, 420.0, "check-logs", "Linus"),
        (500.0, 545.0, "check-cdn", "Linus"),
    ]
    assert heads_down(events, "Linus", "tech") == (2, 165.0)  # 120 + 45
    assert heads_down(events, "Ada", "ic") == (1, 30.0)
    # a single trainee's diagnostic (no person) is the IC's, as before
    solo: list[tuple[float, Make]] = [(300.0, lambda t: ev.DiagnosticStarted(t, "x", "ic", t + 60))]
    alone = graded(story(extra=solo))
    assert alone.markers["ran_personally"] == 1 and alone.markers["heads_down_s"] == 60.0


def test_each_persons_debrief_shows_their_own_diagnostics_and_heads_down_time(
    tmp_path: Path,
) -> None:
    from assessments.autoplay import headless_engine
    from assessments.policy import load_policy
    from reports import write_reports
    from simulator.journal import JournalWriter, read_journal
    from simulator.runner import Step, StepDriver, run
    from tests.test_team_people import team_journal

    plain = team_journal(tmp_path / "plain.jsonl", None)
    journal = read_journal(plain)
    # the same game day, and the tech lead runs the logs diagnostic themselves at T+200s
    engine = headless_engine(
        load_scenario("api-outage").scenario, load_policy("default"), seed=3, trainee="blue team"
    )
    steps = [
        Step(e.t, cmd.parse_command(dict(e.command)), e.by, e.person, e.seat, e.approved_by)
        for e in journal.events
        if isinstance(e, ev.ActionAccepted)
    ]
    steps.append(Step(200.0, cmd.RunDiagnostic(diagnostic=LOGS), "trainee", "Linus", "tech", "Ada"))
    steps.sort(key=lambda s: s.at)
    path = tmp_path / "team.jsonl"
    with JournalWriter(path, journal.header) as writer:
        engine.subscribe(writer)
        run(engine, StepDriver(steps))
    started = [
        e
        for e in read_journal(path).events
        if isinstance(e, ev.DiagnosticStarted) and e.person == "Linus"
    ]
    assert len(started) == 1
    took = started[0].eta - started[0].t  # 2m at 0.9-1.1 (the engine's spread)
    assert 108.0 <= took <= 132.0
    write_reports(path, tmp_path / "out", formats=("md",))
    tech = (tmp_path / "out" / "debrief-tech.md").read_text(encoding="utf-8")
    ic = (tmp_path / "out" / "debrief-ic.md").read_text(encoding="utf-8")
    assert "1 run yourself" in tech and "0 run yourself" in ic
