"""What a certification board would sign: critical failures, scenario consequences, outcomes,
escalations as each policy writes them, not-an-incident, not-due deadlines, fixable mistakes,
one number, and pace presses that are not decisions.

Every expectation here was computed by hand from the policy files and the seeds before the
assessor ran, on hand-written journals built from ``test_assessor``'s drill (first alert at
T+1:00, SEV-2 under the default policy; P1 under NEXUS; P0 when the drill is critical under
AgentOS). The numbers used:

- default ``rules.reaction``: 5 minutes ("Escalate Immediately When ...", an interpretation);
  ``no_root_cause``: 15 minutes → the secondary on-call, so due at T+16:00 (sim 960 s) and met
  by an escalation to the secondary by T+21:00 (sim 1260 s).
- AgentOS P0 matrix: "P0 | 15 min | VP Engineering", "P0 | 30 min | CTO": the VP is due at
  15 minutes after the first alert if the incident is still unresolved, met by T+20:00 after
  the first alert (sim 1260 s); the CTO row falls due only if unresolved at 30 minutes.
- Score: weighted share less penalties, a whole percentage rounded down; passed = no critical
  failure and score >= 80%.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from assessments.assessor import Assessment, grade, whole_percent
from assessments.policy import load_policy
from reports.text import render_table
from simulator import events as ev
from simulator.model import Scenario
from tests.test_assessor import DRILL, START, STUCK, Make, act, drill, graded, story

MINUTE = 60.0


def scenario(**changes: Any) -> Scenario:
    """The drill with deep changes: ``mitigations``/``faults``/``alerts`` replaced whole."""
    return drill(**changes)


def with_mitigation_consequence(mid: str, consequence: dict[str, Any]) -> Scenario:
    mitigations = copy.deepcopy(DRILL["mitigations"])
    for m in mitigations:
        if m["id"] == mid:
            m["consequence"] = consequence
    return scenario(mitigations=mitigations)


def applied(mid: str, t: float, started: tuple[str, ...] = ()) -> list[tuple[float, Any]]:
    """A mitigation applied at ``t`` that completes two minutes later."""
    out: list[tuple[float, Any]] = [
        (t, act("apply_mitigation", mitigation=mid)),
        (t, lambda at: ev.MitigationStarted(at, mid, at + 120)),
        (t + 120, lambda at: ev.MitigationFinished(at, mid, (), started, "Done.")),
    ]
    for fault in started:
        out.append((t + 120, lambda at, f=fault: ev.FaultStarted(at, f, f, f"mitigation:{mid}")))
    return out


# --------------------------------------------------------------------------- critical failures


def test_never_acknowledging_is_a_critical_failure_whatever_the_score() -> None:
    a = graded(story(ack=None))
    # 10 of 11 criteria pass: 90%, above the 80% pass mark, and still not passed.
    assert a.score == 0.9
    assert not a.passed
    assert a.decided_by is not None and a.decided_by.id == "never_acknowledged"
    assert "ErrorsHigh, the incident's first alert to fire, was never acknowledged" in (
        a.decided_by.detail
    )
    assert a.verdict.startswith("not passed: critical failure (never acknowledged)")
    table = render_table(a)
    assert table.index("CRITICAL FAILURE") < table.index("CRITERION")
    assert a.to_dict()["decided_by"] == "never_acknowledged"


def test_acknowledging_another_alert_of_the_incident_answers_the_page() -> None:
    """The page was answered, on ErrorsCritical rather than ErrorsHigh: ack_alert fails (the first
    alert was never acknowledged), and the exercise is not failed for it."""
    a = graded(story(ack=None, extra=[(100.0, act("acknowledge", alert="ErrorsCritical"))]))
    assert a.criterion("ack_alert").status == "failed"
    assert "(acknowledging ErrorsCritical does not count for it)" in a.criterion("ack_alert").detail
    assert not a.critical_failures
    # 10 of 11 criteria pass: 90%, passed.
    assert a.score == 0.9 and a.passed
    # An alert the scenario calls unrelated answers nothing.
    alerts = copy.deepcopy(DRILL["alerts"])
    alerts[1]["unrelated"] = True
    s = scenario(alerts=alerts)
    b = graded(
        story(ack=None, extra=[(100.0, act("acknowledge", alert="ErrorsCritical"))]), scenario=s
    )
    assert [c.id for c in b.critical_failures] == ["never_acknowledged"]
    assert "nobody answered the page" in b.critical_failures[0].detail


def test_acknowledging_late_fails_the_criterion_but_is_not_critical() -> None:
    a = graded(story(ack=START + 121))
    assert a.criterion("ack_alert").status == "failed"
    assert not a.critical_failures and a.passed  # 10 of 11: 90%


def test_resolving_while_the_root_cause_is_active_is_critical() -> None:
    # The fix clears the root cause at 570 s; resolving at 500 s is before that.
    a = graded(story(resolve=500, update_4=490))
    assert [c.id for c in a.critical_failures] == ["resolved_while_active"]
    assert "The API is broken" in a.critical_failures[0].detail
    assert not a.passed


def test_an_impact_that_never_ended_is_critical() -> None:
    a = graded(story(cleared=None, fixed=None, recovered=None, resolve=None))
    ids = [c.id for c in a.critical_failures]
    assert ids == ["impact_not_ended"]
    assert "The API is broken" in a.critical_failures[0].detail


# --------------------------------------------------------------------------- consequences


def test_a_harmful_call_with_a_critical_consequence_fails_the_exercise() -> None:
    s = with_mitigation_consequence(
        "restart",
        {"level": "critical", "says": "Restarting everything drops every session."},
    )
    a = graded(story(extra=applied("restart", 300)), scenario=s)
    assert [c.id for c in a.critical_failures] == ["scenario_must_not"]
    assert "Restarting everything drops every session." in a.critical_failures[0].detail
    assert not a.passed
    [harm] = a.harmful_mitigations
    assert (harm.id, harm.consequence) == ("restart", "critical")
    assert a.criterion("mitigation").status == "failed"


def test_a_harmful_call_with_a_major_consequence_costs_its_named_penalty() -> None:
    s = with_mitigation_consequence(
        "restart",
        {"level": "major", "penalty": 0.1, "says": "Restarting everything costs ten minutes."},
    )
    a = graded(story(extra=applied("restart", 300)), scenario=s)
    # 10 of 11 pass (mitigation fails: harm was done) = 90.9%, less 10% = 80.9% → 80%: passed.
    assert a.criterion("mitigation").status == "failed"
    assert [p.penalty for p in a.penalties] == [0.1]
    assert a.score == 0.8 and a.passed and not a.critical_failures
    assert "Restarting everything costs ten minutes." in render_table(a)


def test_a_fault_a_wrong_call_starts_carries_its_harm() -> None:
    faults = copy.deepcopy(DRILL["faults"])
    faults[1]["harm"] = {"level": "critical", "says": "Every client reconnects at once."}
    s = scenario(faults=faults)
    a = graded(story(extra=applied("restart", 300, started=("worse",))), scenario=s)
    assert [c.id for c in a.critical_failures] == ["scenario_must_not"]
    assert "Every client reconnects at once." in a.critical_failures[0].detail


def test_a_harm_is_dated_when_the_call_was_made_not_when_the_fault_followed() -> None:
    # "applied X at T" must be when the trainee applied it (300 s), not when the mitigation
    # finished two minutes later and started the fault (420 s).
    faults = copy.deepcopy(DRILL["faults"])
    faults[1]["harm"] = {"level": "major", "penalty": 0.1, "says": "Every client reconnects."}
    a = graded(
        story(extra=applied("restart", 300, started=("worse",))), scenario=scenario(faults=faults)
    )
    assert [(p.t, p.penalty) for p in a.penalties] == [(300, 0.1)]
    assert a.penalties[0].what.startswith("applied ")


def test_a_must_not_action_counts_only_when_accepted() -> None:
    s = drill(
        expected={
            "must_not": [
                {
                    "action": "page",
                    "with": {"target": "carol"},
                    "consequence": {"level": "critical", "says": "Carol is on leave."},
                }
            ]
        }
    )
    accepted = graded(story(extra=[(180.0, act("page", target="Carol"))]), scenario=s)
    assert [c.id for c in accepted.critical_failures] == ["scenario_must_not"]
    refused: list[tuple[float, Make]] = [
        (180.0, lambda t: ev.ActionRejected(t, "trainee", {"do": "page", "target": "carol"}, "no"))
    ]
    assert not graded(story(extra=refused), scenario=s).critical_failures


def with_a_step_before_the_fix() -> Scenario:
    """The fix looks at whether ``noop`` (a snapshot, say) completed first."""
    mitigations = copy.deepcopy(DRILL["mitigations"])
    mitigations[0]["cases"] = [{"when": {"since": "mitigation:noop"}, "outcome": "Fixed, safely."}]
    return scenario(mitigations=mitigations)


def test_a_step_the_fix_waits_on_is_not_a_wasted_mitigation() -> None:
    s = with_a_step_before_the_fix()
    # noop completes at T+5:20 (sim 320), before the fix is applied at sim 450: a step of it.
    a = graded(story(extra=applied("noop", 200)), scenario=s)
    assert a.wasted_mitigations == []
    assert "changed nothing" not in a.criterion("mitigation").detail
    # Applied after the fix, nothing waits on it any more: it changed nothing.
    late = graded(story(extra=applied("noop", 600)), scenario=s)
    assert [w.id for w in late.wasted_mitigations] == ["noop"]
    assert "changed nothing: Add a replica" in late.criterion("mitigation").detail
    # Without the case, the same early noop is wasted too.
    plain = graded(story(extra=applied("noop", 200)))
    assert [w.id for w in plain.wasted_mitigations] == ["noop"]


# --------------------------------------------------------------------------- outcome


def two_roots() -> Scenario:
    faults = copy.deepcopy(DRILL["faults"])
    faults.append(
        {
            "id": "broken2",
            "title": "The cache is broken",
            "root_cause": True,
            "at": "0s",
            "effects": [{"metric": "api.error_rate", "by": 5}],
        }
    )
    mitigations = copy.deepcopy(DRILL["mitigations"])
    mitigations.append(
        {"id": "fix2", "label": "Fix the cache", "strategy": "rollback", "clears": ["broken2"]}
    )
    return scenario(faults=faults, mitigations=mitigations)


def second_root(cleared_at: float | None) -> list[tuple[float, Any]]:
    out: list[tuple[float, Any]] = [
        (0.0, lambda t: ev.FaultStarted(t, "broken2", "The cache is broken", "scheduled"))
    ]
    if cleared_at is not None:
        out += [
            (cleared_at - 120, act("apply_mitigation", mitigation="fix2")),
            (cleared_at, lambda t: ev.FaultCleared(t, "broken2", "mitigation:fix2")),
            (cleared_at, lambda t: ev.MitigationFinished(t, "fix2", ("broken2",), (), "Ok.")),
        ]
    return out


def test_a_multi_root_incident_with_one_cause_cleared_fails_mitigation_and_names_the_other() -> (
    None
):
    a = graded(story(extra=second_root(None)), scenario=two_roots())
    m = a.criterion("mitigation")
    assert m.status == "failed"
    assert "The cache is broken was still active at the end" in m.detail
    assert "cleared The API is broken" in m.detail
    assert {c.id for c in a.critical_failures} == {"resolved_while_active", "impact_not_ended"}


def test_a_multi_root_incident_with_both_causes_cleared_passes() -> None:
    a = graded(story(extra=second_root(580.0)), scenario=two_roots())
    m = a.criterion("mitigation")
    assert m.status == "passed", m.detail
    # The last root cause cleared at 580 s: 8m40s after the first alert.
    assert m.measured_s == 520
    assert "every root cause" in m.detail
    assert not a.critical_failures


def test_a_mitigation_the_scenario_counts_ends_a_root_cause_it_does_not_clear() -> None:
    mitigations = copy.deepcopy(DRILL["mitigations"])
    mitigations[2]["ends"] = ["broken"]  # the replica is a workaround the scenario counts
    s = scenario(mitigations=mitigations)
    workaround = [
        (450.0, act("apply_mitigation", mitigation="noop")),
        (570.0, lambda t: ev.MitigationFinished(t, "noop", (), (), "Replica added.")),
    ]
    a = graded(
        story(cleared=None, fixed=None, apply=None, applying=None, extra=workaround), scenario=s
    )
    assert a.criterion("mitigation").status == "passed", a.criterion("mitigation").detail
    assert not a.critical_failures


def with_noise() -> Scenario:
    alerts = copy.deepcopy(DRILL["alerts"])
    alerts.append(
        {
            "id": "LoginNoise",
            "metric": "api.error_rate",
            "op": ">",
            "threshold": 1000,
            "summary": "noise",
            "unrelated": True,
        }
    )
    return scenario(alerts=alerts)


NOISE = [
    (100.0, lambda t: ev.AlertFiring(t, "LoginNoise", "warning", 1.0, "noise")),
    (1500.0, lambda t: ev.AlertResolved(t, "LoginNoise", 1.0, True)),
]


def test_an_unrelated_alert_clearing_late_does_not_hold_the_stability_window_open() -> None:
    # The impact ended at 600 s (ErrorsHigh resolved); resolved at 1570 s: 16m10s later.
    r = graded(story(extra=NOISE), scenario=with_noise()).criterion("resolution_declared")
    assert r.status == "passed" and r.measured_s == 970
    assert "when ErrorsHigh cleared" in r.detail


EARLY_NOISE = [
    (10.0, lambda t: ev.AlertFiring(t, "LoginNoise", "warning", 1.0, "noise")),
    (1500.0, lambda t: ev.AlertResolved(t, "LoginNoise", 1.0, True)),
]
"""The unrelated alert fires at 10 s, 50 s before ErrorsHigh, the incident's first alert."""


def test_an_unrelated_alert_that_fires_first_does_not_start_the_incident() -> None:
    """Outcomes are never measured on alerts the scenario calls unrelated: the incident starts
    when ErrorsHigh fires at T+1:00, so the grade is the model answer's, to the second."""
    a = graded(story(extra=EARLY_NOISE), scenario=with_noise())
    model = graded()
    assert a.incident_start == START
    ack = a.criterion("ack_alert")
    assert ack.status == "passed" and ack.measured_s == 40  # acknowledged at 100 s
    assert ack.detail == "acknowledged ErrorsHigh 40s after it fired; the limit is 2m"
    assert [(c.id, c.status, c.measured_s) for c in a.criteria] == [
        (c.id, c.status, c.measured_s) for c in model.criteria
    ]
    assert a.score == 1.0 and a.passed and not a.critical_failures and not a.warnings


def test_when_only_unrelated_alerts_fire_the_incident_starts_at_the_first_inject() -> None:
    # ErrorsHigh never fires; the first inject ("hello") arrives at 30 s.
    a = graded(story(fire=None, recovered=None, extra=EARLY_NOISE), scenario=with_noise())
    assert a.incident_start == 30
    ack = a.criterion("ack_alert")
    assert ack.status == "not_applicable"
    assert ack.detail == "no alert of the incident fired in this exercise"
    assert not a.critical_failures
    assert a.criterion("create_channel").measured_s == 120  # created at 150 s
    assert a.warnings == [
        "no alert of the incident fired (only alerts it calls unrelated): times are measured "
        "from the first inject"
    ]


def test_the_same_alert_not_marked_unrelated_holds_the_window_open_and_is_named() -> None:
    alerts = copy.deepcopy(with_noise().model_dump(by_alias=True)["alerts"])
    noisy = scenario(alerts=[{k: v for k, v in a.items() if k != "unrelated"} for a in alerts])
    r = graded(story(extra=NOISE), scenario=noisy).criterion("resolution_declared")
    # Healthy only from 1500 s: 70 s before the resolution at 1570 s.
    assert r.status == "failed" and r.measured_s == 70
    assert r.detail.endswith("LoginNoise cleared last and held the window open")


# --------------------------------------------------------------------------- escalation


# The stuck drill (``STUCK``): no root cause known until 16m40s after the first alert, so the
# 15-minute trigger falls due.


@pytest.mark.parametrize(
    ("at", "to", "expected"),
    [
        (START + 900, "secondary", "passed"),  # at the trigger
        (START + 1200, "secondary", "passed"),  # the last second of the 5-minute window
        (START + 1201, "secondary", "failed"),  # just after it
        (START + 600, "secondary", "passed"),  # early always counts
        (START + 900, "ceo", "failed"),  # the wrong person never counts
    ],
)
def test_no_root_cause_in_15_minutes_is_met_within_the_reaction_window(
    at: float, to: str, expected: str
) -> None:
    extra = [(at, act("escalate", to=to, reason="Stuck."))]
    page = graded(story(moved=STUCK, extra=extra)).criterion("page_escalation")
    assert page.status == expected, page.detail
    if to == "ceo":
        assert "escalating to the CEO does not count" in page.detail
    if expected == "failed" and to == "secondary":
        assert "after 20m" in page.detail  # 15m + 5m, counted from the first alert
    assert any("reaction" in say or "Immediately" in say for say in page.says.split(" / "))


def critical_drill() -> Scenario:
    return drill(expected={"severity": "critical"})


def agentos_p0(*extra: tuple[float, Any]) -> Assessment:
    """The stuck drill at P0 under AgentOS: the impact is on until 19m30s after the first alert."""
    events = story(level="P0", moved=STUCK, extra=list(extra))
    return graded(events, policy="agentos", scenario=critical_drill())


def test_agentos_p0_escalates_to_the_vp_engineering_at_15_minutes() -> None:
    missed = agentos_p0().criterion("page_escalation")
    assert missed.status == "failed"
    assert "no escalation to the VP Engineering by 20m" in missed.detail
    assert '"P0 | 15 min | VP Engineering | Phone"' in missed.detail
    met = agentos_p0((START + 1200, act("escalate", to="vp_engineering"))).criterion(
        "page_escalation"
    )
    assert "escalated to the VP Engineering at 20m" in met.detail
    late = agentos_p0((START + 1201, act("escalate", to="vp_engineering"))).criterion(
        "page_escalation"
    )
    assert late.status == "failed" and "after 20m" in late.detail
    # The CTO row falls due at 30 minutes; the impact ended at 19m30s (declared resolved only
    # at 34m50s): not needed.
    assert "CTO" not in met.detail


def test_agentos_p0_wants_the_cto_when_the_impact_is_still_on_at_30_minutes() -> None:
    # The fix lands at 30m20s after the first alert (applied at 28m20s), the impact ends at
    # 30m50s, resolved 15m10s later: at 30m the impact is on, so the CTO is due by 35m.
    late_fix = story(
        level="P0",
        moved={
            **STUCK,
            "apply": START + 1700,
            "applying": START + 1700,
            "cleared": START + 1820,
            "fixed": START + 1820,
            "recovered": START + 1850,
            "update_4": START + 2750,
            "resolve": START + 2760,
            "postmortem": START + 2770,
        },
        extra=[(START + 900, act("escalate", to="vp_engineering"))],
    )
    a = graded(late_fix, policy="agentos", scenario=critical_drill())
    page = a.criterion("page_escalation")
    assert "no escalation to the CTO by 35m" in page.detail
    assert "escalated to the VP Engineering at 15m" in page.detail


def test_a_matrix_row_is_not_due_once_the_impact_has_ended_though_not_yet_declared() -> None:
    """AgentOS "P0 | 15 min | VP Engineering": the model answer's impact ended at 9m (ErrorsHigh
    resolved at sim 600) and it was declared resolved at 25m10s, after the 15-minute stability
    window. At 15m the incident was not unresolved, only being watched: no VP is owed (read as
    the declaration, every P0 would owe it, since no declaration can come within 15 minutes)."""
    p0 = graded(story(level="P0"), policy="agentos", scenario=critical_drill())
    page = p0.criterion("page_escalation")
    assert "VP Engineering" not in page.detail, page.detail
    # NEXUS "P0 not resolved in 30 min" with its 30-minute window: declared at 39m10s, 30m10s
    # after the impact ended at 9m; at 30m the impact had been over for 21 minutes.
    nexus = story(level="P0", update_4=START + 2340, resolve=START + 2350, postmortem=START + 2360)
    graded_nexus = graded(nexus, policy="nexus", scenario=critical_drill())
    assert graded_nexus.criterion("resolution_declared").status == "passed"
    assert "management" not in graded_nexus.criterion("page_escalation").detail


def test_cant_resolve_in_1_hour_reads_the_impact_not_the_declaration() -> None:
    """On-call runbook "Level 2 | Can't resolve in 1 hour | Engineering lead" (default policy)."""
    # The impact ended at 9m; the IC kept watching and declared resolved at 1h1m40s: the
    # engineering lead is not owed.
    watched = story(update_4=START + 3690, resolve=START + 3700, postmortem=START + 3710)
    page = graded(watched).criterion("page_escalation")
    assert page.status == "passed", page.detail
    assert "engineering lead" not in page.detail
    # The fix clears the root cause at 1h1m (applied at 59m): at 1h the impact is on, so the
    # engineering lead is due by 1h5m.
    late_fix = story(
        apply=START + 3540,
        applying=START + 3540,
        cleared=START + 3660,
        fixed=START + 3660,
        recovered=START + 3690,
        update_4=START + 4600,
        resolve=START + 4610,
        postmortem=START + 4620,
    )
    page = graded(late_fix).criterion("page_escalation")
    assert page.status == "failed"
    assert page.detail.startswith(
        "no escalation to the engineering lead by 1h5m although the incident was still "
        "unresolved (its impact not ended) at 1h (\"Level 2 | Can't resolve in 1 hour | "
        'Engineering lead"; 5m reaction window)'
    )
    met = story(
        apply=START + 3540,
        applying=START + 3540,
        cleared=START + 3660,
        fixed=START + 3660,
        recovered=START + 3690,
        update_4=START + 4600,
        resolve=START + 4610,
        postmortem=START + 4620,
        extra=[(START + 3900, act("escalate", to="eng_lead"))],
    )
    assert graded(met).criterion("page_escalation").status == "passed"


def fixed_without_diagnosis(cleared: float) -> list[ev.Event]:
    """The drill where no diagnostic ever reports, and the fix (applied two minutes before)
    clears the root cause at ``cleared``; resolved 15m10s after the impact ends."""
    return story(
        diagnosis=None,
        apply=cleared - 120,
        applying=cleared - 120,
        cleared=cleared,
        fixed=cleared,
        recovered=cleared + 30,
        update_4=cleared + 930,
        resolve=cleared + 940,
        postmortem=cleared + 950,
    )


@pytest.mark.parametrize(
    ("cleared", "expected"),
    [
        (START + 900, "passed"),  # cleared at 15m after the first alert: the cause was known
        (START + 901, "failed"),  # a second later: 15 minutes without a root cause
    ],
)
def test_a_root_cause_the_fix_cleared_counts_as_found_for_the_15_minute_trigger(
    cleared: float, expected: str
) -> None:
    """The trigger "Cannot identify root cause within 15 minutes": whoever cleared the root
    cause with the fix had identified it, even with no diagnostic's word for it."""
    a = graded(fixed_without_diagnosis(cleared))
    page = a.criterion("page_escalation")
    assert page.status == expected, page.detail
    not_escalating = any(p.pattern == "Not escalating" for p in a.anti_patterns)
    assert not_escalating == (expected == "failed")
    if expected == "failed":
        assert page.detail.startswith(
            "no escalation to the secondary on-call by 20m although no root cause had been "
            "found at 15m"
        )
    # Mitigating before any diagnostic found the cause is still the anti-pattern it was.
    assert any(p.pattern == "Making decisions alone" for p in a.anti_patterns)
    assert a.markers["finding_to_mitigation_s"] is None


def test_a_root_cause_a_counted_workaround_ended_counts_as_found() -> None:
    mitigations = copy.deepcopy(DRILL["mitigations"])
    mitigations[2]["ends"] = ["broken"]  # the replica is a workaround the scenario counts
    s = scenario(mitigations=mitigations)
    # No diagnostic reports; the workaround ends the root cause at 8m30s after the first alert.
    workaround = [
        (450.0, act("apply_mitigation", mitigation="noop")),
        (570.0, lambda t: ev.MitigationFinished(t, "noop", (), (), "Replica added.")),
    ]
    events = story(
        diagnosis=None, cleared=None, fixed=None, apply=None, applying=None, extra=workaround
    )
    page = graded(events, scenario=s).criterion("page_escalation")
    assert page.status == "passed", page.detail
    assert "secondary" not in page.detail


def test_nexus_p1s_two_hour_escalation_is_not_due_when_the_exercise_ends_first() -> None:
    # Never resolved, and the record stops at 26m after the first alert: "P1 not resolved in
    # 2 hours" has not come, so it is not due (and not failed).
    unresolved = story(level="P1", resolve=None, postmortem=None)
    page = graded(unresolved, policy="nexus").criterion("page_escalation")
    assert "escalations not due when the exercise ended: management (2h)" in page.detail
    assert page.status == "passed"


def test_a_responder_already_in_the_incident_counts_as_paged() -> None:
    page = graded(story(page_primary=None)).criterion("page_escalation")
    assert page.status == "passed"
    assert "the primary on-call (already in the incident) at 0s" in page.detail


# --------------------------------------------------------------------------- the postmortem


def test_an_exercise_that_never_resolved_owes_no_postmortem_yet() -> None:
    """Every policy schedules the postmortem after the resolution (training module "Phase 5:
    Post-Incident"; on-call runbook "After Resolution"): never declared resolved, none is due."""
    # The impact ended at 9m; the record stops at 25m (the last update) without a resolve.
    a = graded(story(resolve=None, postmortem=None))
    postmortem = a.criterion("postmortem_scheduled")
    assert postmortem.status == "not_applicable"
    assert postmortem.detail == (
        "not due: the incident was never declared resolved, and a postmortem is scheduled after "
        "the resolution; the limit at SEV-2 is 48h"
    )
    assert a.criterion("resolution_declared").status == "failed"  # graded there, once
    assert a.score == 0.9 and a.passed  # 9 of 10 applicable
    # Resolved, then no postmortem: due, and failed (10 of 11: 90%).
    resolved = graded(story(postmortem=None))
    assert resolved.criterion("postmortem_scheduled").status == "failed"
    # Live and unresolved, it can still come: pending.
    live = [e for e in story(resolve=None, postmortem=None, ended=False) if e.t <= 1560]
    assert graded(live, now=1560).criterion("postmortem_scheduled").status == "pending"


def test_an_unresolved_exercise_whose_impact_never_ended_still_fails() -> None:
    # The fix never lands: mitigation and resolution fail, the postmortem is not due; 8 of 10
    # applicable is 80%, the pass mark, and the critical failure still decides.
    a = graded(story(cleared=None, fixed=None, recovered=None, resolve=None, postmortem=None))
    assert a.criterion("postmortem_scheduled").status == "not_applicable"
    assert a.score == 0.8
    assert not a.passed
    assert a.decided_by is not None and a.decided_by.id == "impact_not_ended"


# --------------------------------------------------------------------------- not an incident


def test_declaring_paging_and_opening_a_channel_in_a_non_incident_is_one_mistake() -> None:
    s = drill(expected={"severity": "low", "declare": False, "lesson": "Planned work: wait."})
    a = graded(story(classify=None, extra=[(120.0, act("classify", severity="SEV-4"))]), scenario=s)
    failed = a.failed()
    assert failed == ["severity_correct"]
    assert "Planned work: wait." in a.criterion("severity_correct").detail
    for cid in ("mitigation", "resolution_declared", "create_channel", "page_escalation"):
        assert a.criterion(cid).status == "not_applicable"
    # ack and severity apply: 1 of 2 = 50%.
    assert a.score == 0.5 and not a.passed


# --------------------------------------------------------------------------- fixable mistakes


def test_a_misnamed_channel_renamed_in_time_passes() -> None:
    extra = [(200.0, act("rename_channel", name="#incident-2026-01-30-1401"))]
    # The story creates the conforming name at 150 s; make it misnamed first:
    events = [
        e
        if not (isinstance(e, ev.ActionAccepted) and e.command.get("do") == "create_channel")
        else ev.ActionAccepted(e.t, "trainee", {"do": "create_channel", "name": "#api-errors"})
        for e in story(extra=extra)
    ]
    a = graded(events)
    c = a.criterion("create_channel")
    assert c.status == "passed" and c.measured_s == 140
    assert "created as #api-errors, renamed" in c.detail


def test_a_rename_after_the_deadline_fails_and_says_when() -> None:
    extra = [(400.0, act("rename_channel", name="#incident-2026-01-30-1401"))]
    events = [
        e
        if not (isinstance(e, ev.ActionAccepted) and e.command.get("do") == "create_channel")
        else ev.ActionAccepted(e.t, "trainee", {"do": "create_channel", "name": "#api-errors"})
        for e in story(extra=extra)
    ]
    c = graded(events).criterion("create_channel")
    assert c.status == "failed" and c.measured_s == 340
    assert "named by the convention at 5m40s" in c.detail


# --------------------------------------------------------------------------- one number, pace


@pytest.mark.parametrize(
    ("share", "shown"), [(9 / 11, 0.81), (0.7999, 0.79), (0.8, 0.8), (1.0, 1.0)]
)
def test_the_score_is_a_whole_percentage_rounded_down(share: float, shown: float) -> None:
    assert whole_percent(share) == shown


def test_pace_presses_are_never_decisions() -> None:
    pace: list[tuple[float, Make]] = [
        (
            300.0,
            lambda t: ev.ActionAccepted(
                t, "trainee", {"do": "set_pace", "paused": True, "speed": 1.0}
            ),
        ),
        (301.0, lambda t: ev.ActionAccepted(t, "trainee", {"do": "jump_ahead", "seconds": 60.0})),
    ]
    a = graded(story(extra=pace))
    b = graded(story())
    assert a.score == b.score and a.failed() == b.failed()
    assert all(
        "pace" not in d["decision"] and "jump" not in d["decision"] for d in a.markers["decisions"]
    )


def test_behavioural_markers_come_from_the_journal_and_are_not_scored() -> None:
    a = graded()
    m = a.markers
    assert m["delegated"] == 0  # the drill's story has no DiagnosticStarted event
    assert m["finding_to_mitigation_s"] == 50  # found at 400 s, mitigation started at 450 s
    assert m["updates"] == 4
    resolve = next(d for d in m["decisions"] if d["decision"] == "resolve")
    assert resolve["findings_seen"] == ["Check logs"]


def test_a_live_grade_names_who_is_still_to_be_notified() -> None:
    a = graded(story(notify_ceo=None, ended=False), now=START + 1000)
    assert "still to notify: the CEO (within 1h)" in a.criterion("notify_stakeholders").detail


def test_grading_is_the_same_through_grade_with_the_expected_policy_lines() -> None:
    policy = load_policy("default")
    a = grade(story(), scenario=drill(), policy=policy, trainee="t", seed=1)
    assert a.passed and not a.critical_failures and a.score == 1.0


def test_a_rationale_written_for_another_scale_is_not_shown_under_this_one() -> None:
    wrong = graded(story(level="P2"), policy="agentos").criterion("severity_correct")
    assert wrong.status == "failed"
    assert "SEV-2" not in wrong.detail
    assert "under policy agentos this scenario is P1 (High" in wrong.detail
    default = graded(story(classify=START + 60, level="SEV-3")).criterion("severity_correct")
    assert "SEV-2" in default.detail  # the drill's rationale is written for the default scale


def test_a_failed_escalation_measures_the_escalation_not_an_earlier_page() -> None:
    page = graded(story(moved=STUCK)).criterion("page_escalation")
    assert page.status == "failed"
    assert (page.measured_s, page.limit_s) == (None, 1200)  # due by 20m after the first alert


def test_an_untimed_trigger_the_scenario_times_is_graded_with_the_reaction_window() -> None:
    s = drill(expected={"triggers": [{"trigger": "security", "inject": "hello"}]})
    # "hello" is delivered at 30 s: security is due by 5m30s of sim time (4m30s after the first
    # alert at 1m); the default policy's trigger targets security@virtengine.com (security).
    met = graded(story(extra=[(330.0, act("escalate", to="security"))]), scenario=s)
    assert met.criterion("page_escalation").status == "passed"
    late = graded(story(extra=[(331.0, act("escalate", to="security"))]), scenario=s)
    page = late.criterion("page_escalation")
    assert page.status == "failed" and "Security implications suspected" in page.detail


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ({"do": "set_pace", "paused": True, "speed": 1.0}, "paused"),
        ({"do": "set_pace", "paused": False, "speed": 10.0}, "speed 10x"),
        ({"do": "jump_ahead", "seconds": 60.0}, "jumped 1 minute"),
        ({"do": "jump_ahead", "seconds": 7200.0}, "jumped 2 hours"),
    ],
)
def test_pace_presses_read_in_words(command: dict[str, Any], words: str) -> None:
    from simulator.transcript import describe

    pressed = ev.ActionAccepted(10.0, "trainee", command)
    assert describe(pressed) == ("PACE", words)
