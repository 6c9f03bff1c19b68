"""The facilitator console's model: inject states, the trainee's actions, pace, from events alone."""

from __future__ import annotations

from assessments.policy import load_policy
from simulator import commands as cmd
from simulator.engine import Engine
from simulator.events import Event
from simulator.library import load_scenario
from simulator.pacer import Pacer
from tui.headless.facilitation import (
    Pace,
    action_rows,
    condition_text,
    ended_reason,
    inject_rows,
    live_assessment,
    pace_of,
    trigger_text,
)


def engine_for(scenario_id: str) -> tuple[Engine, list[Event]]:
    loaded = load_scenario(scenario_id)
    policy = load_policy("default")
    engine = Engine(loaded.scenario, seed=1, severity_levels=policy.level_names, trainee="Ada")
    events: list[Event] = []
    engine.subscribe(events.append)
    engine.start()
    return engine, events


def test_injects_move_from_scheduled_and_conditional_to_delivered() -> None:
    engine, events = engine_for("api-outage")
    scenario = engine.scenario
    engine.run_until(60)
    rows = {r.id: r for r in inject_rows(scenario, events, engine.now)}
    assert rows["support-tickets"].state == "scheduled"
    assert rows["support-tickets"].trigger == "at T+03:00"
    assert rows["cto-asks"].state == "conditional"
    assert rows["cto-asks"].trigger.startswith("when no notify stakeholder=cto by T+30:00")
    assert rows["ml-network-policy"].state == "manual"
    assert rows["ml-network-policy"].can_fire

    engine.run_until(200)
    rows = {r.id: r for r in inject_rows(scenario, events, engine.now)}
    assert rows["support-tickets"].state == "delivered"
    assert rows["support-tickets"].delivered_at == 180
    assert not rows["support-tickets"].can_fire
    assert rows["recent-deploys"].state == "scheduled"


def test_a_fired_manual_inject_and_an_ad_hoc_one_show_as_delivered() -> None:
    engine, events = engine_for("api-outage")
    engine.run_until(90)
    assert engine.submit(cmd.FireInject(inject="ml-network-policy")).accepted
    assert engine.submit(
        cmd.AdHocInject(sender="VP Sales", channel="dm", text="Is the demo at 4 at risk?")
    ).accepted
    rows = inject_rows(engine.scenario, events, engine.now)
    fired = next(r for r in rows if r.id == "ml-network-policy")
    assert (fired.state, fired.delivered_at) == ("delivered", 90)
    adhoc = rows[-1]
    assert (adhoc.id, adhoc.sender, adhoc.trigger, adhoc.state) == (
        None,
        "VP Sales",
        "ad hoc",
        "delivered",
    )
    assert not adhoc.can_fire


def test_a_manual_inject_with_a_fallback_condition_says_both() -> None:
    scenario = load_scenario("slow-blocks").scenario
    inject = next(i for i in scenario.injects if i.id == "major-validator-offline")
    text = trigger_text(inject)
    assert text.startswith("manual or when sentry-firewall-change active and ")
    assert "no apply_mitigation mitigation=rollback-sentry-firewall by T+15:00" in text


def test_condition_text_groups_nested_conditions() -> None:
    from simulator.model import AllOf, AnyOf, FaultIs, MetricIs, NotOf

    c = AnyOf.model_validate(
        {
            "any": [
                {"all": [{"metric": "api.error_rate", "op": ">", "value": 5, "for": "1m"}]},
                {"not": {"fault": "db-slow"}},
            ]
        }
    )
    assert condition_text(c) == "(api.error_rate > 5 for 1m) or not (db-slow active)"
    assert isinstance(c.any[0], AllOf) and isinstance(c.any[0].all[0], MetricIs)
    assert isinstance(c.any[1], NotOf) and isinstance(c.any[1].not_, FaultIs)


def test_actions_pace_and_the_end_come_from_the_event_stream() -> None:
    engine, events = engine_for("api-outage")
    pacer = Pacer(engine, speed=10)
    pacer.start(0.0)
    pacer.tick(0.2)  # 2 sim seconds
    pacer.pause(0.2)
    assert pace_of(events, Pace(False, 1)) == Pace(True, 10)
    engine.run_until(70)
    engine.submit(cmd.Acknowledge(alert="APIErrorRateHigh", rationale="it pages"))
    engine.submit(cmd.Classify(severity="SEV-9"))
    pacer.jump(60)
    rows = action_rows(events)
    assert [(r.by, r.accepted) for r in rows] == [("trainee", True), ("trainee", False)]
    assert rows[0].rationale == "it pages"
    assert "SEV-9" in rows[1].what and rows[1].reason
    assert ended_reason(events) is None
    engine.submit(cmd.EndExercise())
    assert ended_reason(events) == "facilitator"


def test_the_live_score_grades_the_events_so_far() -> None:
    engine, events = engine_for("api-outage")
    engine.run_until(70)
    engine.submit(cmd.Acknowledge(alert="APIErrorRateHigh"))
    policy = load_policy("default")
    live = live_assessment(
        engine.scenario, policy, events, trainee="Ada", seed=1, now=engine.now, ended=False
    )
    assert live.criterion("ack_alert").status == "passed"
    assert live.criterion("create_channel").status == "pending"
    final = live_assessment(
        engine.scenario, policy, events, trainee="Ada", seed=1, now=engine.now, ended=True
    )
    assert final.criterion("create_channel").status == "failed"
