"""The TUI's logic below the screen: session, bridge, views, templates, timeline filtering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator import commands as cmd
from simulator import events as ev
from tui.headless import guide
from tui.headless.session import Session, new_session
from tui.headless.views import checklist, key_metrics
from tui.screens.bridge import Bridge
from tui.screens.messages import SimUpdated
from tui.screens.widgets import Timeline


class Target:
    """Stands in for the console screen: collects what the bridge posts."""

    def __init__(self) -> None:
        self.messages: list[SimUpdated] = []

    def post_message(self, message: SimUpdated) -> bool:
        self.messages.append(message)
        return True


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return new_session("api-outage", trainee="Ada", journal_dir=tmp_path, paused=True)


def test_the_journal_is_written_as_it_happens_with_the_tui_as_driver(session: Session) -> None:
    session.open(0.0)
    assert session.submit(cmd.Note(text="first note")).accepted
    assert session.journal_path is not None
    lines = session.journal_path.read_text().splitlines()  # before close: already flushed
    header = json.loads(lines[0])
    assert (header["driver"], header["trainee"], header["scenario_path"]) == (
        "tui",
        "Ada",
        "api-outage",
    )
    assert json.loads(lines[-1])["command"] == {"do": "note", "text": "first note"}
    session.close()


def test_the_channel_name_follows_the_convention_from_the_incident_start(
    session: Session,
) -> None:
    session.open(0.0)
    assert session.channel_suggestion() == "#incident-2026-01-30-1514"  # nothing fired yet
    session.jump(300)  # APIErrorRateHigh fired at 15:15:05
    assert session.channel_suggestion() == "#incident-2026-01-30-1515"


def test_the_update_templates_know_the_time_the_status_and_the_next_update(
    session: Session,
) -> None:
    session.open(0.0)
    session.jump(120)
    assert session.submit(cmd.Classify(severity="SEV-2")).accepted
    ctx = session.update_context()
    assert (ctx.hhmm, ctx.next_update, ctx.duration_min) == ("15:16", "15:31 UTC", 1)
    text = guide.compose_update("incident", "identified", ctx)
    assert text.splitlines()[0] == "[15:16] IDENTIFIED - API outage - 45% of requests failing"
    assert guide.unfilled(text) == [
        "[Who is affected, how]",
        "[What's happening now]",
        "[What we're doing about it]",
    ]
    page = guide.compose_update("status_page", "investigating", ctx)
    assert page.startswith("We are currently investigating issues with VirtEngine API.")


def test_pause_speed_ladder_and_jump(session: Session) -> None:
    session.open(0.0)
    assert session.paused
    assert session.toggle_pause(1.0) is False
    session.tick(1.5)
    assert session.engine.now == pytest.approx(0.25)  # one tick is at most a quarter second
    assert session.step_speed(+1, 2.0) == 2.0
    assert session.step_speed(-1, 2.0) == 1.0
    assert session.step_speed(-1, 2.0) == 1.0
    assert session.toggle_pause(3.0) is True
    session.jump(60)
    assert session.engine.now == pytest.approx(60.25 + 0.5)


def test_the_bridge_posts_one_message_per_slice_and_nothing_while_paused(
    session: Session,
) -> None:
    target = Target()
    bridge = Bridge(session, target)  # type: ignore[arg-type]
    bridge.open(0.0)
    first = [e.kind for e in target.messages[0].events]
    assert first[0] == "scenario_started"
    assert "metrics" in first
    bridge.tick(1.0)
    bridge.tick(2.0)
    assert len(target.messages) == 1
    bridge.jump(120)
    assert len(target.messages) == 2
    assert any(isinstance(e, ev.AlertFiring) for e in target.messages[1].events)
    outcome = bridge.submit(cmd.Acknowledge(alert="APIErrorRateHigh"))
    assert outcome.accepted
    last = target.messages[-1]
    assert [e.kind for e in last.events] == ["action"]
    assert last.view.checklist[0].done_at == 120


def test_the_checklist_follows_the_quick_reference_card(session: Session) -> None:
    session.open(0.0)
    session.jump(120)
    for command in (
        cmd.CreateChannel(name="#incident-2026-01-30-1515"),
        cmd.AssignRole(role="scribe", person="carol"),
        cmd.PostUpdate(audience="status_page", status="investigating", text="Investigating."),
    ):
        assert session.submit(command).accepted
    done = {item.id: item.done_at for item in checklist(session.snapshot(), session.policy)}
    assert done == {
        "acknowledge": None,
        "severity": None,
        "channel": 120,
        "ic": None,
        "status_page": 120,
    }


def test_key_metrics_put_alerted_metrics_first_with_their_thresholds(session: Session) -> None:
    specs = key_metrics(session.scenario)
    assert [(s.id, s.threshold) for s in specs[:3]] == [
        ("api.error_rate", "> 5"),
        ("api.latency_p99", "> 1500"),
        ("ml.connections_refused", "> 100"),
    ]
    assert "chain.height" not in {s.id for s in key_metrics(new_session("slow-blocks").scenario)}


def entry(event: ev.Event) -> Any:
    return Timeline.entry(event)


def test_the_timeline_hides_fault_internals_and_facilitator_pacing() -> None:
    assert entry(ev.FaultStarted(0.0, "ml-inference-refusing", "ML refusing", "scheduled")) is None
    assert entry(ev.ActionAccepted(1.0, "facilitator", {"do": "set_pace"})) is None
    assert entry(ev.MetricsSampled(5.0, {"api.error_rate": 1.0})) is None
    assert entry(ev.ActionRejected(9.0, "trainee", {"do": "resolve"}, "not declared")) is not None
    assert entry(ev.Message(9.0, "Bob", "incident", "On it.")) is not None
