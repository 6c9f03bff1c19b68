"""Per-person results of a team game day: who did what, which criteria each person's roles own,
each person's attempt in the records (on SQLite and PostgreSQL) with the credits the policy
gives, the cohort and ``warroom trainee`` rolling them up to the team, and one debrief per
participant.

The team journal is played here the way the host plays one (``tui.headless.team.TeamHost``):
the expert script of ``api-outage`` split between three seats, the host's ``seat_roles``
records, the IC handing the scribe role to the observer, the tech lead's commands approved by
the IC. By hand, from ``scenarios/scripts/api-outage.expert.yaml`` (32 steps): the comms lead
sends its 11 ``post_update`` and 4 ``notify``; the tech lead its ``delegate`` and
``apply_mitigation``; the IC the other 15, and here one more ``assign_role`` (the scribe role to
Alan); Alan one ``note``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from assessments.assessor import grade_journal
from assessments.autoplay import headless_engine
from assessments.certification import CertificationStatus, exercise_credits, status
from assessments.policy import load_policy
from assessments.programme import record_attempt, record_lines, sealing_key
from assessments.records import Records, RecordsError, resolve_db_path
from assessments.team import grade_people
from reports import cohort_data_from_records, write_reports
from simulator import commands as cmd
from simulator.events import Event
from simulator.journal import JournalWriter, new_header, read_journal
from simulator.library import load_scenario, load_script
from simulator.runner import Step, StepDriver, run

ROOT = Path(__file__).resolve().parent.parent
EXPERT = ROOT / "scenarios" / "scripts" / "api-outage.expert.yaml"
ALAN = "Alan <b>&amp;</b>"
"""The observer, with a name that HTML would read as markup."""
COMMS = {"post_update", "notify"}
TECH = {"delegate", "run_diagnostic", "apply_mitigation"}
IC_OWNS = [
    "ack_alert",
    "create_channel",
    "assign_ic",
    "severity_correct",
    "page_escalation",
    "resolution_declared",
    "postmortem_scheduled",
]
COMMS_OWNS = ["update_cadence", "status_page", "notify_stakeholders"]


def _seat(seat: str, person: str, *roles: cmd.TeamRole) -> cmd.SeatRoles:
    return cmd.SeatRoles(seat=seat, person=person, roles=roles)


def team_journal(path: Path, seal: tuple[str, bytes] | None) -> Path:
    """A team game day's journal, as the host writes it (see the module docstring)."""
    loaded = load_scenario("api-outage")
    policy = load_policy("default")
    engine = headless_engine(loaded.scenario, policy, seed=3, trainee="blue team")
    header = new_header(
        loaded,
        seed=3,
        policy="default",
        severity_levels=policy.level_names,
        trainee="blue team",
        driver="team",
        started_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    steps = [
        Step(0.0, _seat("ic", "Ada", "ic"), "facilitator"),
        Step(0.0, _seat("comms", "Grace", "comms"), "facilitator"),
        Step(0.0, _seat("tech", "Linus", "tech"), "facilitator"),
        Step(0.0, _seat("observer", ALAN, "observer"), "facilitator"),
    ]
    for a in load_script(EXPERT).actions:
        if a.action.do in COMMS:
            steps.append(Step(a.at, a.action, person="Grace", seat="comms"))
        elif a.action.do in TECH:
            steps.append(Step(a.at, a.action, person="Linus", seat="tech", approved_by="Ada"))
        else:
            steps.append(Step(a.at, a.action, person="Ada", seat="ic"))
    steps += [
        Step(300.0, cmd.AssignRole(role="scribe", person=ALAN), person="Ada", seat="ic"),
        Step(300.0, _seat("observer", ALAN, "observer", "scribe"), "facilitator"),
        Step(360.0, cmd.Note(text="<script>x</script> [b]"), person=ALAN, seat="observer"),
    ]
    with JournalWriter(path, header, seal=seal) as writer:
        engine.subscribe(writer)
        run(engine, StepDriver(steps))
    return path


def test_each_person_is_graded_on_what_their_roles_own(tmp_path: Path) -> None:
    journal = read_journal(team_journal(tmp_path / "team.jsonl", None))
    results = grade_people(
        journal.events,
        scenario=load_scenario("api-outage").scenario,
        policy=load_policy("default"),
        seed=3,
    )
    by = {r.person: r for r in results}
    assert [(r.person, r.seat, r.roles) for r in results] == [
        ("Ada", "ic", ("ic",)),
        ("Grace", "comms", ("comms",)),
        ("Linus", "tech", ("tech",)),
        (ALAN, "observer", ("observer", "scribe")),
    ]
    assert {p: len(r.actions) for p, r in by.items()} == {
        "Ada": 16,
        "Grace": 15,
        "Linus": 2,
        ALAN: 1,
    }
    assert [a.command["do"] for a in by["Linus"].actions] == ["delegate", "apply_mitigation"]
    assert all(a.approved_by == "Ada" for a in by["Linus"].actions)
    assert [c.id for c in by["Ada"].criteria] == IC_OWNS
    assert [c.id for c in by["Grace"].criteria] == COMMS_OWNS
    assert [c.id for c in by["Linus"].criteria] == ["mitigation"]
    assert by[ALAN].criteria == []
    # the expert's play meets every criterion: each owner passes with 100%
    for person in ("Ada", "Grace", "Linus"):
        assert all(c.status == "passed" for c in by[person].criteria), person
        assert (by[person].score, by[person].passed) == (1.0, True)
    team = grade_journal(journal)
    assert (by[ALAN].score, by[ALAN].passed) == (team.score, team.passed)


def test_a_late_comms_lead_fails_alone() -> None:
    """The same play with the comms lead's updates and notices 20 minutes late: Grace's status
    page and stakeholder criteria fail (by hand: the default policy's SEV-2 status-page and
    stakeholder deadlines are all under 20 minutes), the IC still passes."""
    loaded = load_scenario("api-outage")
    policy = load_policy("default")
    engine = headless_engine(loaded.scenario, policy, seed=3, trainee="blue team")
    steps = [
        Step(0.0, _seat("ic", "Ada", "ic"), "facilitator"),
        Step(0.0, _seat("comms", "Grace", "comms"), "facilitator"),
    ]
    for a in load_script(EXPERT).actions:
        if a.action.do in COMMS:
            steps.append(Step(a.at + 1200, a.action, person="Grace", seat="comms"))
        else:
            steps.append(Step(a.at, a.action, person="Ada", seat="ic"))
    events: list[Event] = []
    engine.subscribe(events.append)
    run(engine, StepDriver(steps))
    results = {
        r.person: r for r in grade_people(events, scenario=loaded.scenario, policy=policy, seed=3)
    }
    grace = {c.id: c.status for c in results["Grace"].criteria}
    assert grace["status_page"] == "failed" and grace["notify_stakeholders"] == "failed"
    assert not results["Grace"].passed
    assert [c.id for c in results["Ada"].criteria] == IC_OWNS and results["Ada"].passed


@pytest.fixture
def sealed(tmp_path: Path, records_location: str) -> Path:
    return team_journal(tmp_path / "team.jsonl", sealing_key(records_location))


def test_each_participant_gets_their_own_attempt_and_the_credits_their_role_earns(
    sealed: Path, records_location: str
) -> None:
    team = record_attempt(records_location, grade_journal(read_journal(sealed)), sealed)
    assert (team.trainee, team.team, team.seat, team.roles) == ("blue team", "blue team", "", ())
    again = record_attempt(records_location, grade_journal(read_journal(sealed)), sealed)
    assert again.id == team.id  # recorded once
    with Records(records_location) as records:
        attempts = records.exercises()
        assert len(attempts) == 5
        people = {a.trainee: a for a in attempts if a.person_in_team}
        ada, grace, alan = people["Ada"], people["Grace"], people[ALAN]
        assert (ada.seat, ada.roles, ada.team, ada.driver) == ("ic", ("ic",), "blue team", "team")
        assert [c["id"] for c in ada.criteria] == IC_OWNS
        assert [c["id"] for c in grace.criteria] == COMMS_OWNS
        assert alan.roles == ("observer", "scribe") and alan.criteria == []
        assert ada.sealed_by is not None and ada.journal_sha256 == team.journal_sha256
        assert exercise_credits(ada) == ("ic-exercise", "gameday")
        assert exercise_credits(grace) == ("gameday",)  # leading is the IC's
        assert exercise_credits(alan) == ("gameday",)
        assert exercise_credits(team) == ()  # a team is not a trainee
        lines = record_lines(records.record("Grace"), _status(records, "Grace"))
    assert any(
        "team blue team, comms seat holding comms  (counts as: gameday)" in line for line in lines
    )


def _status(records: Records, name: str) -> CertificationStatus:
    return status(records, name, load_policy("default"), date(2026, 3, 3))


def test_an_unsealed_team_journal_earns_no_credit(tmp_path: Path, records_location: str) -> None:
    sealing_key(records_location)
    path = team_journal(tmp_path / "team.jsonl", None)
    with pytest.raises(RecordsError, match="not recorded for credit"):
        record_attempt(records_location, grade_journal(read_journal(path)), path)
    with Records(records_location) as records:
        assert records.exercises() == []


def test_the_cohort_counts_each_participant_and_rolls_them_up_to_the_team(
    sealed: Path, records_location: str
) -> None:
    record_attempt(records_location, grade_journal(read_journal(sealed)), sealed)
    data = cohort_data_from_records(resolve_db_path(records_location))
    assert data["sessions"] == 4 and data["trainees"] == 4  # the team itself is not counted
    (team,) = data["teams"]
    assert team["team"] == "blue team" and team["passed"]
    assert [(m["name"], m["seat"], m["roles"]) for m in team["members"]] == [
        ("Grace", "comms", ["comms"]),
        ("Ada", "ic", ["ic"]),
        (ALAN, "observer", ["observer", "scribe"]),
        ("Linus", "tech", ["tech"]),
    ]
    mitigation = next(c for c in data["criteria"] if c["id"] == "mitigation")
    assert mitigation["applicable"] == 1  # Linus's, once; not the team's again


def test_each_participant_gets_a_debrief_escaped_through_the_templates(tmp_path: Path) -> None:
    path = team_journal(tmp_path / "team.jsonl", None)
    written = write_reports(path, tmp_path / "out", formats=("html", "md"))
    names = sorted(p.name for p in written)
    assert names == [
        "debrief-comms.html",
        "debrief-comms.md",
        "debrief-ic.html",
        "debrief-ic.md",
        "debrief-observer.html",
        "debrief-observer.md",
        "debrief-tech.html",
        "debrief-tech.md",
        "debrief.html",
        "debrief.md",
    ]
    out = tmp_path / "out"
    grace = (out / "debrief-comms.md").read_text(encoding="utf-8")
    assert "| Participant | Grace |" in grace and "| Seat | comms: communications lead |" in grace
    assert "as communications lead: you are graded on the criteria that role owns" in grace
    assert (
        "(Incident-channel updates on cadence; Status page updated; Stakeholders notified)" in grace
    )
    assert "15 actions, 0 refused" in grace
    assert "3 of 3 criteria met" in grace
    html = (out / "debrief-observer.html").read_text(encoding="utf-8")
    assert "Alan &lt;b&gt;&amp;amp;&lt;/b&gt;" in html and "<b>&amp;</b>" not in html
    assert "owns no criterion: you share the team&#39;s result" in html
    assert "<script>x</script>" not in html
    ic = (out / "debrief-ic.html").read_text(encoding="utf-8")
    assert "7 of 7 criteria met" in ic
    team = (out / "debrief.md").read_text(encoding="utf-8")
    assert "| Trainee | blue team |" in team and "Participant" not in team


def test_warroom_host_records_each_participant_and_writes_their_debriefs(tmp_path: Path) -> None:
    """``warroom host --record --db`` with three scripted seats over TLS: the tech lead's
    commands are approved by the IC's script, the host seals the journal with the programme's
    key, records the team and each participant, and writes every debrief; ``warroom trainee``
    shows a participant's attempt and ``warroom report`` writes the same debriefs again."""
    import os
    import subprocess
    import sys

    import yaml

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}
    env.pop("WARROOM_DB", None)
    db = tmp_path / "records.db"
    expert = yaml.safe_load(EXPERT.read_text(encoding="utf-8"))
    files: dict[str, Path] = {}
    for role, kinds in (("comms", COMMS), ("tech", TECH)):
        files[role] = tmp_path / f"{role}.yaml"
        actions = [a for a in expert["actions"] if a["do"] in kinds]
        files[role].write_text(yaml.safe_dump({"actions": actions}), encoding="utf-8")
    files["ic"] = tmp_path / "ic.yaml"
    ic = [a for a in expert["actions"] if a["do"] not in COMMS | TECH]
    files["ic"].write_text(yaml.safe_dump({"actions": ic}), encoding="utf-8")
    warroom = [sys.executable, "-m", "tui.cli"]
    host = subprocess.Popen(
        [
            *warroom,
            "host",
            "api-outage",
            "--listen",
            "127.0.0.1:0",
            "--speed",
            "600",
            "--roles",
            "ic,comms,tech",
            "--team",
            "blue team",
            "--headless",
            "--sessions",
            str(tmp_path / "s"),
            "--record",
            "--db",
            str(db),
            "--report",
            str(tmp_path / "debriefs"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert host.stdout is not None
    commands: dict[str, list[str]] = {}
    while len(commands) < 3:
        line = host.stdout.readline()
        assert line, host.stderr.read() if host.stderr else ""
        if "warroom join" in line:
            commands[line.split()[0]] = line.split("warroom join", 1)[1].split()
    seats = [
        subprocess.Popen(
            [*warroom, "join", *argv, "--name", role.title(), "--actions", str(files[role])],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for role, argv in commands.items()
    ]
    outputs = {role: s.communicate(timeout=60) for role, s in zip(commands, seats, strict=True)}
    rest, err = host.communicate(timeout=60)
    assert host.returncode == 0, err
    assert all(s.returncode == 0 for s in seats), outputs
    ic_out = outputs["ic"][0]
    assert "request 1: Tech (tech) asks to delegate check-api-logs bob: approved" in ic_out
    tech_out = outputs["tech"][0]
    assert "delegate check-api-logs bob: waiting for the IC's approval (request 1)" in tech_out
    assert "recorded: blue team's attempt and each participant's in" in rest
    assert f"debriefs: {tmp_path / 'debriefs'} (the team's and 3 participants')" in rest
    assert "Tech (tech): 2 actions, 0 refused; holding tech: 100% passed" in rest
    journal_path = Path(rest.strip().splitlines()[-1].removeprefix("journal: "))
    assert read_journal(journal_path).header.sealed_by is not None
    assert (tmp_path / "debriefs" / "debrief-tech.html").is_file()
    with Records(db) as records:
        people = {a.trainee: a for a in records.exercises() if a.person_in_team}
    assert sorted(people) == ["Comms", "Ic", "Tech"]
    assert exercise_credits(people["Ic"]) == ("ic-exercise", "gameday")
    shown = subprocess.run(
        [*warroom, "trainee", "Comms", "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert "team blue team, comms seat holding comms" in shown.stdout, shown.stderr
    again = subprocess.run(
        [*warroom, "report", str(journal_path), "--out", str(tmp_path / "again")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again" / "debrief-comms.md").is_file()
