"""The engine: system model, alerts, injects, responders, mitigations, commands, determinism."""

from __future__ import annotations

import dataclasses

import pytest

from simulator import commands as c
from simulator.engine import HANDLERS
from simulator.events import MetricsSampled, dumps
from simulator.pacer import Pacer
from simulator.people import find_responder
from simulator.runner import Step, StepDriver, run

from .conftest import make, scenario


def test_a_fault_steps_a_metric_at_its_time_and_an_alert_goes_pending_then_firing() -> None:
    engine, rec = make()
    engine.run_until(59)
    assert engine.values["api.error_rate"] == 1.0
    engine.run_until(200)
    pending = rec.first("alert_pending")
    firing = rec.first("alert_firing")
    assert pending.t == 60.0
    assert firing.t == 90.0  # for: 30s, evaluated on the 5 s sample grid
    assert firing.summary == "errors at 50%"
    assert engine.alert_state("ErrorsHigh") == "firing"


def test_an_alert_with_no_for_fires_at_the_first_sample_that_breaches() -> None:
    s = scenario(
        alerts=[
            {
                "id": "ErrorsHigh",
                "metric": "api.error_rate",
                "op": ">=",
                "threshold": 50,
                "summary": "x",
            }
        ]
    )
    engine, rec = make(s)
    engine.run_until(100)
    assert rec.first("alert_firing").t == 60.0
    assert not rec.of("alert_pending")


def test_a_ramp_reaches_full_strength_over_its_duration_and_recovery_fades_it_out() -> None:
    s = scenario(
        faults=[
            {
                "id": "broken",
                "title": "t",
                "root_cause": True,
                "at": "0s",
                "duration": "2m",
                "recovery": "1m",
                "effects": [{"metric": "api.error_rate", "to": 51, "ramp": "1m"}],
            }
        ]
    )
    engine, rec = make(s)
    seen: dict[float, dict[str, float]] = {}
    engine.subscribe(
        lambda e: seen.__setitem__(e.t, dict(e.values)) if isinstance(e, MetricsSampled) else None
    )
    engine.run_until(300)
    assert seen[30.0]["api.error_rate"] == 26.0  # halfway up the ramp
    assert seen[60.0]["api.error_rate"] == 51.0
    assert rec.first("fault_cleared").t == 120.0
    assert seen[150.0]["api.error_rate"] == 26.0  # halfway through recovery
    assert seen[180.0]["api.error_rate"] == 1.0
    resolved = rec.first("alert_resolved")
    assert resolved.fired and 150.0 <= resolved.t <= 180.0


def test_acknowledging_is_rejected_with_a_reason_until_the_alert_fires_and_then_only_once() -> None:
    engine, rec = make()
    engine.run_until(30)
    out = engine.submit(c.Acknowledge(alert="ErrorsHigh"))
    assert not out.accepted and "not firing" in out.reason
    out = engine.submit(c.Acknowledge(alert="ErrorHigh"))
    assert "did you mean 'ErrorsHigh'" in out.reason
    engine.run_until(100)
    assert engine.submit(c.Acknowledge(alert="ErrorsHigh")).accepted
    again = engine.submit(c.Acknowledge(alert="ErrorsHigh"))
    assert not again.accepted and "already acknowledged" in again.reason
    assert [e.kind for e in rec.events if e.kind in ("action", "rejected")] == [
        "rejected",
        "rejected",
        "action",
        "rejected",
    ]
    assert engine.alert_state("ErrorsHigh") == "acknowledged"


def test_classify_takes_only_levels_of_the_policy_in_force() -> None:
    engine, _ = make()
    assert not engine.submit(c.Classify(severity="P1")).accepted
    assert engine.submit(c.Classify(severity="SEV-2")).accepted
    assert engine.state.severity == "SEV-2"


def test_resolving_with_nothing_declared_is_rejected_and_changes_nothing() -> None:
    engine, rec = make()
    out = engine.submit(c.Resolve())
    assert not out.accepted and "nothing to resolve" in out.reason
    assert engine.state.resolved_at is None
    assert rec.of("rejected")[0].command == {"do": "resolve"}


def test_an_update_to_the_incident_channel_needs_the_channel() -> None:
    engine, _ = make()
    update = c.PostUpdate(audience="incident", status="investigating", text="Looking.")
    assert "create it first" in engine.submit(update).reason
    assert engine.submit(c.CreateChannel(name="#incident-2026-01-30-1400")).accepted
    assert engine.submit(update).accepted


def test_a_misnamed_channel_can_be_renamed_but_not_created_twice() -> None:
    engine, _ = make()
    assert "create it first" in engine.submit(c.RenameChannel(name="#incident-x")).reason
    assert engine.submit(c.CreateChannel(name="#api-errors")).accepted
    again = engine.submit(c.CreateChannel(name="#incident-2026-01-30-1400"))
    assert not again.accepted and "rename it instead" in again.reason
    assert engine.submit(c.RenameChannel(name="#incident-2026-01-30-1400")).accepted
    assert engine.state.channel == "#incident-2026-01-30-1400"
    assert (
        "already called" in engine.submit(c.RenameChannel(name="#incident-2026-01-30-1400")).reason
    )


def test_pace_presses_are_journalled_as_whoever_pressed_them() -> None:
    engine, events = make()
    pacer = Pacer(engine)
    pacer.start(0.0)
    pacer.pause(1.0)
    pacer.set_speed(10.0, 2.0, by="facilitator")
    pacer.jump(60.0)
    pressed = [(e.by, e.command["do"]) for e in events.of("action")]
    assert pressed == [
        ("trainee", "set_pace"),
        ("facilitator", "set_pace"),
        ("trainee", "jump_ahead"),
    ]


def test_an_accepted_action_is_reported_before_its_consequences() -> None:
    s = scenario(
        responders=[{"id": "bob", "name": "Bob", "role": "SRE", "skills": ["api"]}],
        diagnostics=[
            {
                "id": "logs",
                "title": "Logs",
                "skill": "api",
                "duration": "1m",
                "outputs": [{"text": "x"}],
            }
        ],
    )
    engine, rec = make(s)
    engine.submit(c.Delegate(diagnostic="logs", responder="bob"))
    assert rec.kinds("metrics", "scenario_started")[:3] == [
        "action",
        "diagnostic_started",
        "message",
    ]


def test_a_timed_inject_arrives_at_its_time_with_metric_values_filled_in() -> None:
    s = scenario(
        injects=[
            {
                "id": "hello",
                "from": "Support",
                "channel": "support",
                "at": "2m",
                "text": "errors {api.error_rate:.0f}%",
            }
        ]
    )
    engine, rec = make(s)
    engine.run_until(600)
    inject = rec.first("inject")
    assert (inject.t, inject.channel, inject.text, inject.source) == (
        120.0,
        "support",
        "errors 50%",
        "scheduled",
    )


def test_conditional_injects_follow_actions_taken_not_taken_and_other_injects() -> None:
    s = scenario(
        injects=[
            {
                "id": "cto",
                "from": "CTO",
                "when": {
                    "action": "notify",
                    "with": {"stakeholder": "cto"},
                    "taken": False,
                    "by": "10m",
                },
                "text": "Why was I not told?",
            },
            {
                "id": "thanks",
                "from": "Support",
                "when": {"action": "notify", "with": {"stakeholder": "support"}},
                "text": "Thanks",
            },
            {
                "id": "followup",
                "from": "Support",
                "when": {"inject": "thanks"},
                "delay": "1m",
                "text": "More tickets",
            },
            {"id": "late", "from": "X", "when": {"after": "20m"}, "until": "5m", "text": "never"},
        ]
    )
    engine, rec = make(s)
    engine.run_until(180)
    engine.submit(c.Notify(stakeholder="support"))
    engine.run_until(1800)
    delivered = {e.inject: e.t for e in rec.of("inject")}
    assert delivered["thanks"] == 180.0  # at once, on the action
    assert delivered["followup"] == 240.0  # one minute later
    assert delivered["cto"] == 600.0  # the deadline passed without a CTO notification
    assert "late" not in delivered  # expired before its condition held


def test_a_manual_inject_waits_for_the_facilitator_and_lands_at_the_current_sim_time() -> None:
    s = scenario(
        injects=[
            {
                "id": "complication",
                "from": "Facilitator",
                "manual": True,
                "text": "A major validator just went offline",
            }
        ]
    )
    engine, rec = make(s)
    engine.run_until(400)
    assert not rec.of("inject")
    out = engine.submit(c.FireInject(inject="complication"))
    assert out.accepted
    assert rec.first("inject").t == 400.0 and rec.first("inject").source == "facilitator"
    assert rec.of("action")[-1].by == "facilitator"
    assert "already delivered" in engine.submit(c.FireInject(inject="complication")).reason


def test_a_pause_of_any_length_changes_nothing_in_the_sim() -> None:
    def play(pause_for: float) -> list[str]:
        engine, rec = make()
        pacer = Pacer(engine, speed=10.0, max_slice=1.0)
        wall = 1000.0
        pacer.start(wall)
        for _ in range(20):
            wall += 0.5
            pacer.tick(wall)
        pacer.pause(wall)
        wall += pause_for
        pacer.tick(wall)
        pacer.resume(wall)
        for _ in range(20):
            wall += 0.5
            pacer.tick(wall)
        return [dumps(e) for e in rec.events]

    short, long = play(1.0), play(86_400.0)
    assert short == long
    assert '"set_pace"' in "".join(short)


def test_the_pacer_advances_sim_time_by_wall_time_times_speed_in_bounded_slices() -> None:
    engine, _ = make()
    pacer = Pacer(engine, speed=60.0, max_slice=0.25)
    pacer.start(0.0)
    assert pacer.tick(0.1) == 6.0
    assert pacer.tick(10.0) == 6.0 + 0.25 * 60  # a 9.9 s stall counts as one bounded slice
    pacer.set_speed(2.0, 10.0)
    assert pacer.tick(10.2) == 21.0 + 0.4
    assert pacer.jump(600) == 621.4


def test_a_responder_who_is_not_in_the_incident_must_be_paged_first() -> None:
    s = scenario(
        responders=[
            {
                "id": "dana",
                "name": "Dana",
                "role": "ML",
                "skills": ["ml"],
                "available": False,
                "join_delay": "3m",
            }
        ],
        diagnostics=[
            {
                "id": "ml-logs",
                "title": "ML logs",
                "skill": "ml",
                "duration": "2m",
                "outputs": [
                    {"when": {"fault": "broken"}, "reveals": ["broken"], "text": "refused"},
                    {"text": "fine"},
                ],
            }
        ],
    )
    engine, rec = make(s)
    engine.run_until(70)
    out = engine.submit(c.Delegate(diagnostic="ml-logs", responder="dana"))
    assert not out.accepted and "page them first" in out.reason
    assert engine.submit(c.Page(target="Dana")).accepted
    assert "already paged" in engine.submit(c.Page(target="dana")).reason
    engine.run_until(70 + 180)
    assert rec.first("responder_joined").t == 250.0
    assert engine.submit(c.Delegate(diagnostic="ml-logs", responder="dana")).accepted
    busy = engine.submit(c.Delegate(diagnostic="ml-logs", responder="dana"))
    assert "busy" in busy.reason
    engine.run_until(600)
    result = rec.first("diagnostic_result")
    assert result.text == "refused" and result.reveals == ("broken",)
    assert 250 + 120 * 0.85 <= result.t <= 250 + 120 * 1.15
    assert engine.state.root_cause_found_at == result.t


def test_a_responder_without_the_skill_takes_twice_as_long() -> None:
    s = scenario(
        responders=[{"id": "bob", "name": "Bob", "role": "SRE", "skills": ["api"]}],
        diagnostics=[
            {"id": "ml", "title": "ML", "skill": "ml", "duration": "1m", "outputs": [{"text": "x"}]}
        ],
    )
    engine, rec = make(s)
    engine.submit(c.Delegate(diagnostic="ml", responder="bob"))
    started = rec.first("diagnostic_started")
    assert 120 * 0.85 <= started.eta <= 120 * 1.15
    assert "Not really my area" in rec.first("message").text


def test_an_ic_who_runs_a_diagnostic_is_heads_down_and_cannot_coordinate_until_it_finishes() -> (
    None
):
    s = scenario(
        diagnostics=[
            {"id": "logs", "title": "Check logs", "duration": "2m", "outputs": [{"text": "x"}]}
        ]
    )
    engine, rec = make(s)
    assert engine.submit(c.RunDiagnostic(diagnostic="logs")).accepted
    out = engine.submit(c.Notify(stakeholder="cto"))
    assert not out.accepted and "heads-down on Check logs" in out.reason
    assert engine.submit(c.Note(text="still possible")).accepted
    engine.run_until(140)
    assert rec.first("diagnostic_result").by == "ic"
    assert engine.submit(c.Notify(stakeholder="cto")).accepted


def test_a_mitigation_clears_its_faults_when_done_and_a_wrong_one_starts_its_side_effect() -> None:
    s = scenario(
        faults=[
            {
                "id": "broken",
                "title": "t",
                "root_cause": True,
                "at": "0s",
                "effects": [{"metric": "api.error_rate", "to": 50}],
            },
            {
                "id": "restart-blip",
                "title": "t",
                "duration": "1m",
                "effects": [{"metric": "api.error_rate", "to": 100}],
            },
        ],
        mitigations=[
            {
                "id": "fix",
                "label": "Fix",
                "strategy": "restart",
                "duration": "3m",
                "clears": ["broken"],
            },
            {
                "id": "bad",
                "label": "Bad",
                "strategy": "restart",
                "duration": "1m",
                "starts": ["restart-blip"],
            },
        ],
    )
    engine, rec = make(s)
    engine.run_until(10)
    assert engine.submit(c.ApplyMitigation(mitigation="bad")).accepted
    engine.run_until(75)
    assert engine.values["api.error_rate"] == 100.0
    assert rec.first("mitigation_finished").started == ("restart-blip",)
    assert "No improvement" in rec.first("mitigation_finished").outcome
    assert engine.submit(c.ApplyMitigation(mitigation="fix")).accepted
    assert "in progress" in engine.submit(c.ApplyMitigation(mitigation="fix")).reason
    engine.run_until(300)
    assert "broken" not in engine.active_faults()
    assert engine.values["api.error_rate"] == 1.0
    assert "already applied" in engine.submit(c.ApplyMitigation(mitigation="fix")).reason


def _chain(**extra: object) -> dict[str, object]:
    return {
        "block_time": "6s",
        "validators": [
            {"name": f"val-{i}", "power": p} for i, p in enumerate([30, 20, 20, 10, 10, 10])
        ],
        **extra,
    }


def test_blocks_slow_as_power_drops_and_stall_below_two_thirds() -> None:
    s = scenario(
        chain=_chain(),
        faults=[
            {
                "id": "one",
                "title": "t",
                "root_cause": True,
                "at": "1m",
                "effects": [{"validators": ["val-3"]}],
            },
            {"id": "more", "title": "t", "at": "3m", "effects": [{"validators": ["val-0"]}]},
        ],
        alerts=[
            {
                "id": "ChainHalted",
                "metric": "chain.since_last_block",
                "op": ">",
                "threshold": 30,
                "summary": "halted",
            }
        ],
    )
    engine, rec = make(s)
    engine.run_until(55)
    assert engine.values["chain.block_time"] == 6.0 and engine.values["chain.online_power"] == 100.0
    height = engine.values["chain.height"]
    engine.run_until(120)
    assert engine.values["chain.online_power"] == 90.0
    assert engine.values["chain.block_time"] == 7.8  # 6 * (1 + 0.1 / (1/3))
    assert engine.values["chain.height"] > height
    engine.run_until(400)
    assert rec.first("chain_halted").t == 180.0
    assert engine.values["chain.online_power"] == 60.0
    assert engine.values["chain.since_last_block"] > 200
    assert rec.first("alert_firing").alert == "ChainHalted"


def test_a_queue_backs_up_while_service_is_slower_than_arrivals() -> None:
    s = scenario(
        queues=[{"id": "orders", "name": "Orders", "arrival_rate": 10, "service_rate": 12}],
        faults=[
            {
                "id": "broken",
                "title": "t",
                "root_cause": True,
                "at": "1m",
                "effects": [{"metric": "orders.service_rate", "times": 0.5}],
            }
        ],
        alerts=[],
    )
    engine, _ = make(s)
    engine.run_until(60)
    assert engine.values["orders.depth"] == 0.0
    engine.run_until(120)
    assert engine.values["orders.service_rate"] == 6.0
    assert engine.values["orders.depth"] == 4 * 60  # 4 items/s for the minute since the fault


def test_the_exercise_completes_when_resolved_with_the_postmortem_scheduled() -> None:
    engine, rec = make()
    engine.run_until(100)
    engine.submit(c.Declare())
    engine.submit(c.Resolve())
    assert engine.ended is None
    engine.submit(c.SchedulePostmortem(within=86400))
    assert engine.ended == "completed"
    assert rec.of("scenario_ended")[0].t == 100.0
    assert "ended" in engine.submit(c.Note(text="late")).reason


def test_the_exercise_ends_when_its_time_is_up_or_the_facilitator_ends_it() -> None:
    engine, rec = make()
    engine.run_to_end()
    assert engine.ended == "time" and rec.events[-1].t == 1800.0
    engine, rec = make()
    engine.run_until(42)
    engine.submit(c.EndExercise())
    assert engine.ended == "facilitator" and rec.events[-1].kind == "scenario_ended"


def test_the_same_seed_and_actions_give_the_same_events_byte_for_byte() -> None:
    def play(seed: int) -> list[str]:
        s = scenario(
            services=[
                {
                    "id": "api",
                    "name": "API",
                    "metrics": [
                        {
                            "id": "error_rate",
                            "name": "E",
                            "unit": "%",
                            "baseline": 1.0,
                            "noise": 0.1,
                            "max": 100,
                        }
                    ],
                }
            ]
        )
        engine, rec = make(s, seed=seed)
        run(
            engine,
            StepDriver([Step(95, c.Acknowledge(alert="ErrorsHigh")), Step(100, c.Declare())]),
        )
        return [dumps(e) for e in rec.events]

    assert play(7) == play(7)
    assert play(7) != play(8)


def test_running_in_slices_gives_the_same_events_as_running_straight_through() -> None:
    engine_a, rec_a = make()
    engine_a.run_to_end()
    engine_b, rec_b = make()
    t = 0.0
    while not engine_b.ended:
        t += 0.7
        engine_b.run_until(t)
    assert [dumps(e) for e in rec_a.events] == [dumps(e) for e in rec_b.events]


def test_every_command_class_has_exactly_one_handler() -> None:
    assert set(HANDLERS) == set(c.COMMAND_TYPES.values())


def test_a_responder_is_named_by_id_or_display_name_in_any_case_with_or_without_an_at() -> None:
    s = scenario(responders=[{"id": "bob", "name": "Bob Smith", "role": "SRE", "skills": []}])
    for typed in ("bob", "BOB", "@bob", "Bob Smith", "@bob smith", " bob "):
        found = find_responder(typed, s.responders)
        assert found is not None and found.id == "bob", typed
    assert find_responder("rob", s.responders) is None


def test_a_snapshot_is_a_frozen_copy_that_does_not_follow_the_engine() -> None:
    s = scenario(responders=[{"id": "bob", "name": "Bob", "role": "SRE", "skills": ["api"]}])
    engine, _ = make(s)
    engine.run_until(120)
    assert engine.submit(c.Acknowledge(alert="ErrorsHigh")).accepted
    assert engine.submit(c.Classify(severity="SEV-2")).accepted
    assert engine.submit(c.AssignRole(role="ic", person="me")).accepted
    assert engine.submit(c.Page(target="bob")).accepted
    before = engine.snapshot()
    assert (before.t, before.severity, before.role("ic"), before.status) == (
        120.0,
        "SEV-2",
        "me",
        "detecting",
    )
    assert [(a.id, a.state, a.fired_at) for a in before.alerts] == [
        ("ErrorsHigh", "acknowledged", 90.0)
    ]
    assert before.incident_start == 90.0
    assert before.metric("api.error_rate") == engine.values["api.error_rate"]
    assert [(r.id, r.paged, r.joined) for r in before.responders] == [("bob", True, True)]
    assert [command.do for _, command in before.actions] == [
        "acknowledge",
        "classify",
        "assign_role",
        "page",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.severity = "SEV-1"  # type: ignore[misc]
    assert engine.submit(c.Declare()).accepted
    engine.run_until(200)
    assert (before.t, before.declared_at, len(before.actions)) == (120.0, None, 4)
    assert engine.snapshot().status == "declared"
