"""The assessor: every criterion against hand-written journals, under each policy, live and
finished; and the built-in trainees and expert scripts graded end to end.

The hand-written journals are built from ``STEPS``: a model answer to a small drill under the
default policy (SEV-2). The first alert fires at T+1:00 (14:01 in-world), so every deadline
runs from there. Each test moves, removes or adds a few steps and reads the grade.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessments.assessor import (
    CRITERIA,
    Assessment,
    LiveAssessor,
    grade,
    grade_journal,
)
from assessments.policy import CriterionWeight, Grading, Policy, check_policy, load_policy
from reports.text import render_table
from simulator import commands as c
from simulator import events as ev
from simulator.autopilot import PROFILES, Autopilot, Profile
from simulator.engine import Engine
from simulator.journal import Header, JournalWriter, read_journal
from simulator.library import library, library_dir, load_scenario, load_script
from simulator.model import Scenario
from simulator.runner import run, script_driver

MINUTE = 60.0
START = 60.0
"""When the drill's first alert fires (sim seconds)."""

# --------------------------------------------------------------------------- the drill

DRILL: dict[str, Any] = {
    "id": "drill",
    "title": "Drill: errors on the API",
    "summary": "A small incident for assessor tests.",
    "difficulty": "beginner",
    "objectives": ["Grade every criterion"],
    "start": "2026-01-30T14:00:00Z",
    "duration": "2h",
    "sample_every": "5s",
    "expected": {
        "severity": "high",
        "rationale": "Half the requests fail: more than 10% of users are affected, so SEV-2.",
        "page": ["dana"],
    },
    "services": [
        {
            "id": "api",
            "name": "API",
            "metrics": [
                {"id": "error_rate", "name": "Error rate", "unit": "%", "baseline": 1.0},
            ],
        }
    ],
    "faults": [
        {
            "id": "broken",
            "title": "The API is broken",
            "root_cause": True,
            "at": "0s",
            "effects": [{"metric": "api.error_rate", "to": 50}],
        },
        {
            "id": "worse",
            "title": "Everything restarts at once",
            "effects": [{"metric": "api.error_rate", "to": 100}],
        },
    ],
    "alerts": [
        {
            "id": "ErrorsHigh",
            "metric": "api.error_rate",
            "op": ">",
            "threshold": 10,
            "for": "1m",
            "summary": "errors at {value:.0f}%",
        },
        {
            "id": "ErrorsCritical",
            "metric": "api.error_rate",
            "op": ">",
            "threshold": 90,
            "summary": "errors at {value:.0f}%",
        },
    ],
    "injects": [{"id": "hello", "from": "Support", "at": "30s", "text": "Tickets are coming in."}],
    "responders": [
        {"id": "bob", "name": "Bob", "role": "SRE", "skills": ["logs"], "rotation": "primary"},
        {"id": "carol", "name": "Carol", "role": "DBA"},
        {"id": "dana", "name": "Dana", "role": "API expert", "available": False},
    ],
    "diagnostics": [
        {
            "id": "check-logs",
            "title": "Check logs",
            "skill": "logs",
            "outputs": [{"text": "It broke.", "reveals": ["broken"]}],
        }
    ],
    "mitigations": [
        {"id": "fix", "label": "Fix the API", "strategy": "rollback", "clears": ["broken"]},
        {
            "id": "restart",
            "label": "Restart everything",
            "strategy": "restart",
            "starts": ["worse"],
        },
        {"id": "noop", "label": "Add a replica", "strategy": "scale_up"},
    ],
    "debrief": {"root_cause": "It broke.", "resolution": "Fixed it."},
}


def drill(**changes: Any) -> Scenario:
    """The drill with top-level keys replaced; ``expected`` entries are merged."""
    data = copy.deepcopy(DRILL)
    for key, value in changes.items():
        if key == "expected":
            data["expected"].update(value)
        else:
            data[key] = value
    s = Scenario.model_validate(data)
    assert not s.check_references(), s.check_references()
    return s


Make = Callable[[float], ev.Event]


def act(do: str, **fields: Any) -> Make:
    return lambda t: ev.ActionAccepted(t, "trainee", {"do": do, **fields})


def update(audience: str = "incident", status: str = "investigating") -> Make:
    return act("post_update", audience=audience, status=status, text="Update.")


STEPS: dict[str, tuple[float, Make]] = {
    "fire": (START, lambda t: ev.AlertFiring(t, "ErrorsHigh", "critical", 50.0, "errors at 50%")),
    "ack": (100, act("acknowledge", alert="ErrorsHigh")),
    "classify": (120, act("classify", severity="SEV-2")),
    "declare": (130, act("declare", title="Drill")),
    "channel": (150, act("create_channel", name="#incident-2026-01-30-1401")),
    "ic": (160, act("assign_role", role="ic", person="me")),
    "scribe": (165, act("assign_role", role="scribe", person="carol")),
    "page_primary": (170, act("page", target="primary")),
    "page_dana": (175, act("page", target="dana")),
    "status_page": (200, update("status_page")),
    "notify_support": (210, act("notify", stakeholder="support")),
    "notify_eng_lead": (211, act("notify", stakeholder="eng_lead")),
    "notify_cto": (212, act("notify", stakeholder="cto")),
    "notify_ceo": (213, act("notify", stakeholder="ceo")),
    "update_1": (240, update()),
    "delegate": (300, act("delegate", diagnostic="check-logs", responder="bob")),
    "diagnosis": (
        400,
        lambda t: ev.DiagnosticResult(t, "check-logs", "bob", "It broke.", ("broken",)),
    ),
    "apply": (450, act("apply_mitigation", mitigation="fix")),
    "applying": (450, lambda t: ev.MitigationStarted(t, "fix", t + 120)),
    "cleared": (570, lambda t: ev.FaultCleared(t, "broken", "mitigation:fix")),
    "fixed": (570, lambda t: ev.MitigationFinished(t, "fix", ("broken",), (), "Fixed.")),
    "recovered": (600, lambda t: ev.AlertResolved(t, "ErrorsHigh", 1.0, True)),
    "update_2": (700, update(status="monitoring")),
    "update_3": (1300, update(status="monitoring")),
    "update_4": (1560, update(status="resolved")),
    "resolve": (1570, act("resolve")),
    "postmortem": (1580, act("schedule_postmortem", within="1d")),
}
"""The model answer: every criterion passes under the default policy."""


def story(
    *,
    extra: list[tuple[float, Make]] | None = None,
    ended: bool = True,
    level: str = "SEV-2",
    moved: Mapping[str, float | None] | None = None,
    **changes: float | None,
) -> list[ev.Event]:
    """The model answer's events with steps moved (``ack=185``) or removed (``ack=None``).

    ``level`` is what the trainee classifies (``P1`` under AgentOS or NEXUS); ``moved`` is a
    set of such changes (``STUCK``), which ``changes`` override.
    """
    changes = {**(moved or {}), **changes}
    unknown = set(changes) - set(STEPS)
    assert not unknown, unknown
    timed: list[tuple[float, Make]] = []
    for name, (t, make) in STEPS.items():
        when = changes.get(name, t)
        if name == "classify" and level != "SEV-2":
            make = act("classify", severity=level)
        if when is not None:
            timed.append((when, make))
    timed += extra or []
    timed.sort(key=lambda pair: pair[0])
    events: list[ev.Event] = [
        ev.ScenarioStarted(0.0, "drill", "Drill", "2026-01-30T14:00:00Z"),
        ev.FaultStarted(0.0, "broken", "The API is broken", "scheduled"),
        ev.InjectDelivered(30.0, "hello", "Support", "incident", "Tickets.", "scheduled"),
    ]
    events += [make(t) for t, make in timed]
    if ended:
        events.append(ev.ScenarioEnded(max(e.t for e in events), "completed"))
    return events


STUCK: Mapping[str, float | None] = {
    "diagnosis": START + 1000,
    "apply": START + 1020,
    "applying": START + 1020,
    "cleared": START + 1140,
    "fixed": START + 1140,
    "recovered": START + 1170,
    "update_4": START + 2080,
    "resolve": START + 2090,
    "postmortem": START + 2100,
}
"""The stuck drill (``story(moved=STUCK)``): no root cause known until 16m40s after the first
alert, when the diagnosis reveals it; the fix is applied at 17m and clears it at 19m, the impact
ends at 19m30s and the incident is resolved 15m20s later, at 34m50s. The 15-minute trigger
("Cannot identify root cause within 15 minutes") falls due; the timed rules that read the
impact (the SEV-2 matrix row at 15m) find it still on."""


@pytest.fixture(scope="module")
def default() -> Policy:
    return load_policy("default")


def graded(
    events: list[ev.Event] | None = None,
    *,
    policy: str | Policy = "default",
    scenario: Scenario | None = None,
    now: float | None = None,
) -> Assessment:
    return grade(
        story() if events is None else events,
        scenario=scenario or drill(),
        policy=load_policy(policy) if isinstance(policy, str) else policy,
        trainee="tester",
        seed=1,
        now=now,
    )


def status(a: Assessment, criterion: str) -> str:
    return a.criterion(criterion).status


# --------------------------------------------------------------------------- the model answer


def test_the_model_answer_passes_every_criterion_under_the_default_policy() -> None:
    a = graded()
    assert [c.id for c in a.criteria] == list(CRITERIA)
    assert {c.id: c.status for c in a.criteria} == dict.fromkeys(CRITERIA, "passed")
    assert a.score == 1.0 and a.passed
    assert a.level == "SEV-2" and a.policy == "default"
    assert not (a.rejected_actions or a.harmful_mitigations or a.anti_patterns or a.warnings)


def test_every_criterion_cites_the_policy_line_it_applies() -> None:
    for criterion in graded().criteria:
        assert criterion.source.startswith(("training module", "on-call runbook")), criterion
        assert criterion.says, criterion


# --------------------------------------------------------------------------- ack_alert


def test_an_acknowledgement_at_exactly_two_minutes_passes() -> None:
    ack = graded(story(ack=START + 120)).criterion("ack_alert")
    assert ack.status == "passed"
    assert ack.measured_s == 120 and ack.limit_s == 120


def test_an_acknowledgement_at_two_minutes_and_one_second_fails() -> None:
    ack = graded(story(ack=START + 121)).criterion("ack_alert")
    assert ack.status == "failed"
    assert ack.detail == "acknowledged ErrorsHigh 2m1s after it fired; the limit is 2m"


def test_an_alert_never_acknowledged_fails_with_nothing_measured() -> None:
    ack = graded(story(ack=None)).criterion("ack_alert")
    assert ack.status == "failed" and ack.measured_s is None
    assert "never acknowledged" in ack.detail


def test_acknowledging_a_later_alert_does_not_count_for_the_first() -> None:
    later = [
        (90.0, lambda t: ev.AlertFiring(t, "ErrorsCritical", "critical", 95.0, "x")),
        (100.0, act("acknowledge", alert="ErrorsCritical")),
    ]
    ack = graded(story(ack=None, extra=later)).criterion("ack_alert")
    assert ack.status == "failed"
    assert "acknowledging ErrorsCritical does not count" in ack.detail


def test_with_no_alert_times_run_from_the_first_inject_and_there_is_nothing_to_acknowledge() -> (
    None
):
    a = graded(story(fire=None, ack=None))
    assert status(a, "ack_alert") == "not_applicable"
    assert a.criterion("create_channel").measured_s == 150 - 30
    assert any("first inject" in w for w in a.warnings)


# --------------------------------------------------------------------------- create_channel


def test_a_channel_created_at_exactly_five_minutes_passes() -> None:
    assert status(graded(story(channel=START + 300)), "create_channel") == "passed"


def test_a_late_channel_fails_and_says_when_it_was_created() -> None:
    channel = graded(story(channel=START + 370)).criterion("create_channel")
    assert channel.status == "failed"
    assert channel.detail == "channel created at 6m10s after the first alert; the limit is 5m"
    assert channel.measured_s == 370 and channel.limit_s == 300


def test_a_channel_named_against_the_convention_fails_and_quotes_it() -> None:
    extra = [(150.0, act("create_channel", name="#api-outage"))]
    channel = graded(story(extra=extra, channel=None)).criterion("create_channel")
    assert channel.status == "failed"
    assert channel.detail == "named #api-outage; the convention is #incident-YYYY-MM-DD-HHMM"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("#incident-2026-01-30-1410", "the time in #incident-2026-01-30-1410 is 14:10"),
        ("#incident-2026-01-31-1401", "the date in #incident-2026-01-31-1401 is 2026-01-31"),
        ("#incident-2026-13-30-1401", "is not a real date and time"),
    ],
)
def test_a_channel_name_must_carry_the_date_and_time_of_detection(name: str, problem: str) -> None:
    extra = [(150.0, act("create_channel", name=name))]
    channel = graded(story(extra=extra, channel=None)).criterion("create_channel")
    assert channel.status == "failed"
    assert problem in channel.detail
    assert "#incident-2026-01-30-1401" in channel.detail


def test_a_channel_named_for_the_minute_the_fault_began_is_close_enough() -> None:
    extra = [(150.0, act("create_channel", name="#incident-2026-01-30-1400"))]
    assert status(graded(story(extra=extra, channel=None)), "create_channel") == "passed"


def test_no_channel_fails_with_nothing_measured() -> None:
    channel = graded(story(channel=None)).criterion("create_channel")
    assert channel.status == "failed" and channel.measured_s is None


def test_nexus_accepts_any_channel_name() -> None:
    extra = [(150.0, act("create_channel", name="#api-outage"))]
    assert status(graded(story(extra=extra, channel=None), policy="nexus"), "create_channel") == (
        "passed"
    )


# --------------------------------------------------------------------------- assign_ic


def test_the_ic_is_due_within_the_stricter_ten_minutes_at_sev_2() -> None:
    assert status(graded(story(ic=START + 600)), "assign_ic") == "passed"
    ic = graded(story(ic=START + 601)).criterion("assign_ic")
    assert ic.status == "failed" and ic.limit_s == 600
    assert "the stricter of 10m and SEV-2's 15m" in ic.detail


def test_at_sev_1_the_ic_is_due_within_five_minutes() -> None:
    critical = drill(expected={"severity": "critical"})
    events = story(ic=START + 301, classify=None)
    ic = graded(events, scenario=critical).criterion("assign_ic")
    assert ic.status == "failed" and ic.limit_s == 300


def test_no_ic_fails_where_one_is_required() -> None:
    ic = graded(story(ic=None)).criterion("assign_ic")
    assert ic.status == "failed" and ic.measured_s is None


def test_an_optional_ic_is_not_applicable_unless_assigned() -> None:
    medium = drill(expected={"severity": "medium"})
    unassigned = graded(story(ic=None), scenario=medium).criterion("assign_ic")
    assert unassigned.status == "not_applicable"
    assert unassigned.detail == "an IC is optional at SEV-3 and none was assigned"
    assert status(graded(story(), scenario=medium), "assign_ic") == "passed"


# --------------------------------------------------------------------------- update_cadence


def test_updates_within_the_cadence_pass_and_the_longest_gap_is_measured() -> None:
    cadence = graded().criterion("update_cadence")
    assert cadence.status == "passed"
    assert cadence.measured_s == 600 and cadence.limit_s == 900


def test_a_22_minute_gap_fails_at_sev_2_and_says_where_it_was() -> None:
    cadence = graded(story(update_2=None, update_3=None)).criterion("update_cadence")
    assert cadence.status == "failed"
    assert cadence.measured_s == 1560 - 240
    assert cadence.detail == (
        "no incident-channel update for 22m (from 3m to 25m after the first alert); "
        "the cadence at SEV-2 is every 15m"
    )


def test_the_same_gap_passes_under_agentos_whose_p1_cadence_is_thirty_minutes() -> None:
    agentos = graded(story(level="P1", update_2=None, update_3=None), policy="agentos")
    assert agentos.level == "P1"
    assert agentos.criterion("update_cadence").limit_s == 1800
    assert status(agentos, "update_cadence") == "passed"


def test_the_gap_after_the_last_update_counts_up_to_resolution() -> None:
    events = story(update_2=None, update_3=None, update_4=None)
    cadence = graded(events).criterion("update_cadence")
    assert cadence.status == "failed" and cadence.measured_s == 1570 - 240


def test_without_a_channel_no_update_counts() -> None:
    cadence = graded(story(channel=None)).criterion("update_cadence")
    assert cadence.status == "failed"
    assert cadence.detail.startswith("no incident channel, so no updates in the 24m")


def test_never_posting_an_update_fails() -> None:
    events = story(update_1=None, update_2=None, update_3=None, update_4=None, resolve=500)
    cadence = graded(events).criterion("update_cadence")
    assert cadence.status == "failed"
    assert cadence.detail.startswith("no update in the 5m50s since the channel's creation")


def test_at_a_milestone_level_the_resolution_must_be_announced() -> None:
    medium = drill(expected={"severity": "medium"})
    cadence = graded(story(update_3=None), scenario=medium).criterion("update_cadence")
    assert cadence.status == "passed" and cadence.limit_s is None
    missing = graded(story(update_4=None), scenario=medium).criterion("update_cadence")
    assert missing.status == "failed"
    assert "At milestones" in missing.detail


# --------------------------------------------------------------------------- severity_correct


def test_a_wrong_classification_fails_with_its_history_and_the_scenarios_rationale() -> None:
    extra = [(120.0, act("classify", severity="SEV-3"))]
    severity = graded(story(classify=None, extra=extra)).criterion("severity_correct")
    assert severity.status == "failed"
    assert severity.detail == (
        "classified SEV-3 at 1m; this is SEV-2: Half the requests fail: more than 10% of users "
        "are affected, so SEV-2."
    )


def test_reclassifying_correctly_before_resolution_passes() -> None:
    extra = [(100.0, act("classify", severity="SEV-3"))]
    severity = graded(story(extra=extra)).criterion("severity_correct")
    assert severity.status == "passed"
    assert severity.detail.startswith("classified SEV-3 at 40s, then SEV-2 at 1m")


def test_never_classifying_fails_with_nothing_measured() -> None:
    severity = graded(story(classify=None)).criterion("severity_correct")
    assert severity.status == "failed" and severity.measured_s is None


def test_a_wrong_severity_does_not_loosen_the_limits_of_the_expected_level() -> None:
    extra = [(120.0, act("classify", severity="SEV-3"))]
    a = graded(story(classify=None, ic=START + 720, status_page=None, extra=extra))
    assert a.level == "SEV-2"
    assert status(a, "severity_correct") == "failed"
    assert status(a, "assign_ic") == "failed"  # SEV-3 would make the IC optional
    assert status(a, "status_page") == "failed"  # SEV-3 would make it optional
    assert a.criterion("update_cadence").limit_s == 900  # SEV-3 would be milestones only


def test_a_non_incident_passes_when_classified_as_expected_and_not_declared() -> None:
    backlog = drill(expected={"severity": "low", "declare": False})
    quiet = [(120.0, act("classify", severity="SEV-4"))]
    a = graded(
        story(
            classify=None,
            declare=None,
            channel=None,
            page_primary=None,
            page_dana=None,
            extra=quiet,
        ),
        scenario=backlog,
    )
    assert status(a, "severity_correct") == "passed"
    assert status(a, "ack_alert") == "passed"
    for criterion in ("create_channel", "assign_ic", "status_page", "postmortem_scheduled"):
        assert status(a, criterion) == "not_applicable", criterion


def test_declaring_a_non_incident_fails_the_classification_and_says_why() -> None:
    backlog = drill(expected={"severity": "low", "declare": False})
    quiet = [(120.0, act("classify", severity="SEV-4"))]
    severity = graded(story(classify=None, extra=quiet), scenario=backlog).criterion(
        "severity_correct"
    )
    assert severity.status == "failed"
    assert "declared at 1m10s" in severity.detail
    assert "not an incident" in severity.detail


# --------------------------------------------------------------------------- status_page


def test_the_status_page_is_due_within_fifteen_minutes_at_sev_2() -> None:
    assert status(graded(story(status_page=START + 900)), "status_page") == "passed"
    late = graded(story(status_page=START + 901)).criterion("status_page")
    assert late.status == "failed" and late.limit_s == 900
    missing = graded(story(status_page=None)).criterion("status_page")
    assert missing.status == "failed" and missing.measured_s is None


def test_the_status_page_is_not_applicable_where_the_level_makes_it_optional() -> None:
    medium = drill(expected={"severity": "medium"})
    page = graded(story(status_page=None), scenario=medium).criterion("status_page")
    assert page.status == "not_applicable"
    assert "Status page optional" in page.detail


# --------------------------------------------------------------------------- notify_stakeholders


def test_stakeholders_notified_in_time_pass_with_the_latest_time_measured() -> None:
    notify = graded().criterion("notify_stakeholders")
    assert notify.status == "passed"
    assert notify.measured_s == 213 - START and notify.limit_s == 3600


def test_late_and_missing_stakeholders_are_named() -> None:
    notify = graded(story(notify_cto=START + 1860, notify_ceo=None)).criterion(
        "notify_stakeholders"
    )
    assert notify.status == "failed" and notify.measured_s == 1860
    assert notify.detail == (
        "late: the CTO at 31m (limit 30m); not due when the exercise ended: the CEO (within 1h)"
    )
    never = graded(
        story(notify_cto=START + 1860, notify_ceo=None, extra=[(3700.0, act("note", text="."))])
    )
    assert never.criterion("notify_stakeholders").detail == (
        "late: the CTO at 31m (limit 30m); never notified: the CEO (within 1h)"
    )


def test_agentos_p1_names_nobody_to_notify() -> None:
    notify = graded(policy="agentos").criterion("notify_stakeholders")
    assert notify.status == "not_applicable"


# --------------------------------------------------------------------------- page_escalation


def test_paging_the_rotation_and_the_expected_expert_passes() -> None:
    page = graded().criterion("page_escalation")
    assert page.status == "passed" and page.measured_s == 175 - START
    assert page.detail.startswith(
        "paged the primary on-call (already in the incident) at 0s, Dana (API expert) at 1m55s"
    )
    # The SEV-2 row "IC + Relevant SME | 15 minutes" is not needed: the impact ended at 9m.
    assert "an IC assigned" not in page.detail
    stuck = graded(story(moved=STUCK)).criterion("page_escalation")
    assert "an IC assigned at 1m40s" in stuck.detail  # the impact still on at 15m: met


def test_paging_the_primary_on_call_by_name_counts_as_paging_the_rotation() -> None:
    extra = [(170.0, act("page", target="Bob"))]
    assert status(graded(story(page_primary=None, extra=extra)), "page_escalation") == "passed"


def test_not_paging_the_expected_expert_fails() -> None:
    page = graded(story(page_dana=None)).criterion("page_escalation")
    assert page.status == "failed" and page.measured_s is None
    assert page.detail.startswith("did not page Dana (API expert) within 15m")


def test_no_root_cause_in_fifteen_minutes_without_escalating_fails() -> None:
    a = graded(story(moved=STUCK))
    page = a.criterion("page_escalation")
    assert page.status == "failed"
    assert page.detail.startswith(
        "no escalation to the secondary on-call by 20m although no root cause had been found at "
        '15m ("Cannot identify root cause within 15 minutes"; 5m reaction window)'
    )
    assert any(p.pattern == "Not escalating" for p in a.anti_patterns)


def test_escalating_by_fifteen_minutes_when_the_root_cause_is_not_found_passes() -> None:
    escalation = [(START + 900, act("escalate", to="secondary", reason="Stuck."))]
    page = graded(story(moved=STUCK, extra=escalation)).criterion("page_escalation")
    assert page.status == "passed"
    assert page.detail.endswith(
        'escalated to the secondary on-call at 15m ("Cannot identify root cause within 15 minutes")'
    )


def test_an_escalation_the_scenario_expects_must_be_made() -> None:
    security = drill(expected={"escalate_to": ["security"]})
    assert status(graded(scenario=security), "page_escalation") == "failed"
    reached = [(300.0, act("escalate", to="security"))]
    assert status(graded(story(extra=reached), scenario=security), "page_escalation") == "passed"


# --------------------------------------------------------------------------- mitigation


def test_an_effective_mitigation_passes_measured_when_it_took_effect() -> None:
    mitigation = graded().criterion("mitigation")
    assert mitigation.status == "passed"
    assert mitigation.measured_s == 570 - START and mitigation.limit_s == 2 * 3600


def test_a_harmful_mitigation_fails_and_is_counted() -> None:
    harm = [
        (300.0, lambda t: ev.FaultStarted(t, "worse", "Everything restarts at once", "x")),
        (300.0, lambda t: ev.MitigationFinished(t, "restart", (), ("worse",), "Oops.")),
    ]
    a = graded(story(extra=harm))
    assert status(a, "mitigation") == "failed"
    assert (
        "Restart everything started Everything restarts at once" in a.criterion("mitigation").detail
    )
    assert [(m.id, m.started) for m in a.harmful_mitigations] == [
        ("restart", ("Everything restarts at once [worse]",))
    ]


def test_a_wasted_mitigation_is_listed_but_does_not_fail() -> None:
    waste: list[tuple[float, Make]] = [
        (300.0, lambda t: ev.MitigationFinished(t, "noop", (), (), "Nothing changed."))
    ]
    a = graded(story(extra=waste))
    assert status(a, "mitigation") == "passed"
    assert "changed nothing: Add a replica" in a.criterion("mitigation").detail
    assert [m.id for m in a.wasted_mitigations] == ["noop"]


def test_no_effective_mitigation_fails() -> None:
    a = graded(story(fixed=None, cleared=None, recovered=None, resolve=None, postmortem=None))
    assert status(a, "mitigation") == "failed"
    assert a.criterion("mitigation").measured_s is None


# --------------------------------------------------------------------------- resolution_declared


def test_resolving_after_the_stability_window_passes() -> None:
    resolution = graded().criterion("resolution_declared")
    assert resolution.status == "passed"
    assert resolution.measured_s == 1570 - 600 and resolution.limit_s == 900


def test_resolving_at_exactly_the_end_of_the_window_passes_and_a_second_earlier_fails() -> None:
    assert status(graded(story(resolve=600 + 900)), "resolution_declared") == "passed"
    early = graded(story(resolve=600 + 899, update_4=1400)).criterion("resolution_declared")
    assert early.status == "failed"
    assert early.detail.startswith(
        "resolved at 23m59s after the first alert, 14m59s after the impact ended at 9m after the "
        "first alert, when ErrorsHigh cleared; the stability window is 15m"
    )
    assert early.detail.endswith("ErrorsHigh cleared last and held the window open")


def test_resolving_while_an_alert_is_still_firing_fails_and_names_it() -> None:
    resolution = graded(story(recovered=1700, update_4=1400, resolve=1500)).criterion(
        "resolution_declared"
    )
    assert resolution.status == "failed" and resolution.measured_s is None
    assert resolution.detail == (
        "resolved at 24m after the first alert while ErrorsHigh was still firing"
    )


def test_never_resolving_fails() -> None:
    resolution = graded(story(resolve=None, postmortem=None)).criterion("resolution_declared")
    assert resolution.status == "failed"
    assert resolution.detail.startswith("never resolved; the impact ended at 9m after the first")


def test_nexus_holds_resolution_to_thirty_minutes_of_stability() -> None:
    nexus = graded(policy="nexus")
    assert nexus.level == "P1"
    resolution = nexus.criterion("resolution_declared")
    assert resolution.status == "failed" and resolution.limit_s == 1800


# --------------------------------------------------------------------------- postmortem_scheduled


def test_a_postmortem_within_48_hours_passes_and_later_fails() -> None:
    exactly = [(1580.0, act("schedule_postmortem", within="48h"))]
    assert status(graded(story(postmortem=None, extra=exactly)), "postmortem_scheduled") == (
        "passed"
    )
    late = [(1580.0, act("schedule_postmortem", within="3d"))]
    postmortem = graded(story(postmortem=None, extra=late)).criterion("postmortem_scheduled")
    assert postmortem.status == "failed"
    assert postmortem.measured_s == 3 * 86400 and postmortem.limit_s == 2 * 86400


def test_no_postmortem_fails_and_agentos_p0_wants_one_within_24_hours() -> None:
    assert status(graded(story(postmortem=None)), "postmortem_scheduled") == "failed"
    critical = drill(expected={"severity": "critical"})
    within_2d = [(1580.0, act("schedule_postmortem", within="2d"))]
    p0 = graded(story(postmortem=None, extra=within_2d), scenario=critical, policy="agentos")
    assert p0.level == "P0"
    assert p0.criterion("postmortem_scheduled").limit_s == 86400
    assert status(p0, "postmortem_scheduled") == "failed"


# --------------------------------------------------------------------------- each policy


@pytest.mark.parametrize(
    ("policy", "level", "failed"),
    [
        ("default", "SEV-2", []),
        ("agentos", "P1", []),
        ("nexus", "P1", ["resolution_declared"]),
    ],
)
def test_the_model_answer_under_each_policy(policy: str, level: str, failed: list[str]) -> None:
    a = graded(story(level=level), policy=policy)
    assert a.level == level and a.failed() == failed
    assert a.passed and not a.warnings


def test_nexus_holds_the_first_steps_to_its_five_minute_triage_window() -> None:
    late = story(ic=START + 330, notify_support=START + 330)
    a = graded(late, policy="nexus")
    assert status(a, "assign_ic") == "failed"
    assert status(a, "notify_stakeholders") == "failed"
    assert status(graded(late), "assign_ic") == "passed"


# --------------------------------------------------------------------------- score and pass


def test_the_score_is_the_share_of_applicable_criteria_passed() -> None:
    a = graded(story(ack=None, channel=None))
    assert a.failed() == ["ack_alert", "create_channel", "update_cadence"]
    assert a.share == 8 / 11 and a.score == 0.72 and not a.passed  # 72.7%, rounded down
    medium = graded(
        story(ack=None, channel=None, update_4=None),
        scenario=drill(expected={"severity": "medium"}),
    )
    applicable = [x for x in medium.criteria if x.applicable]
    share = sum(x.passed for x in applicable) / len(applicable)
    assert medium.score == math.floor(share * 100) / 100


def test_eighty_percent_passes_and_the_pass_mark_is_cited() -> None:
    a = graded(story(ack=START + 180, status_page=None))  # 9 of 11: 81.8%, shown as 81%
    assert a.score == 0.81 and a.passed and not a.critical_failures
    assert a.pass_score == 0.8
    assert "Passing Score: 80%" in a.pass_source
    assert not graded(story(ack=START + 180, status_page=None, ic=None)).passed  # 8 of 11


def test_weights_from_the_policys_grading_block_change_the_score(default: Policy) -> None:
    grading = Grading(
        says="test",
        source="training module §test",
        pass_score=0.9,
        weights=(
            CriterionWeight(criterion="ack_alert", weight=9, says="x", source="training module"),
        ),
    )
    weighted = default.model_copy(update={"grading": grading})
    a = graded(story(ack=None), policy=weighted)
    assert a.criterion("ack_alert").weight == 9
    assert a.score == 0.52  # 10/19 = 52.6%, rounded down
    assert a.pass_score == 0.9 and not a.passed


def test_a_policy_weighing_a_criterion_twice_is_reported(default: Policy) -> None:
    twice = CriterionWeight(criterion="mitigation", weight=2, says="x", source="training module")
    grading = Grading(says="x", source="training module §x", weights=(twice, twice))
    problems = list(check_policy(default.model_copy(update={"grading": grading})))
    assert (("grading", "weights", 1, "criterion"), "'mitigation' is weighted twice") in problems


def test_agentos_and_nexus_inherit_the_training_modules_pass_mark() -> None:
    for name in ("agentos", "nexus"):
        a = graded(policy=name)
        assert a.pass_score == 0.8 and "Passing Score: 80%" in a.pass_source


# --------------------------------------------------------------------------- rejected, anti-patterns


def test_rejected_actions_and_debugging_yourself_are_reported() -> None:
    heads_down = [
        (300.0, lambda t: ev.DiagnosticStarted(t, "check-logs", "ic", t + 60)),
        (
            310.0,
            lambda t: ev.ActionRejected(
                t, "trainee", {"do": "page", "target": "secondary"}, "you are heads-down"
            ),
        ),
    ]
    a = graded(story(extra=heads_down))
    assert [(r.command, r.reason) for r in a.rejected_actions] == [
        ("page secondary", "you are heads-down")
    ]
    debugging = [p for p in a.anti_patterns if p.pattern == "Debugging code yourself"]
    assert debugging and debugging[0].source == "training module §Session 3, IC Anti-Patterns"
    assert debugging[0].says.startswith("Debugging code yourself | You lose coordination focus")


def test_a_mitigation_before_any_diagnosis_and_long_silences_are_anti_patterns() -> None:
    a = graded(story(apply=350, applying=350, update_2=None, update_3=None))
    patterns = {p.pattern for p in a.anti_patterns}
    assert "Making decisions alone" in patterns
    assert "No updates for 30+ minutes" not in patterns  # 22m, not 30
    quiet = graded(story(update_1=None, update_2=None, update_3=None, update_4=None, resolve=2100))
    assert "No updates for 30+ minutes" in {p.pattern for p in quiet.anti_patterns}


# --------------------------------------------------------------------------- live


def test_with_now_a_deadline_still_ahead_is_pending_instead_of_failed() -> None:
    early = story(ended=False)[:4]  # started, fault, inject, alert firing at 1m
    a = graded(early, now=START + 60)
    assert a.live and a.now == START + 60
    assert status(a, "ack_alert") == "pending"
    assert status(a, "create_channel") == "pending"
    assert status(a, "severity_correct") == "pending"
    assert status(a, "status_page") == "pending"
    assert graded(early, now=START + 121).criterion("ack_alert").status == "failed"
    assert graded(early).criterion("ack_alert").status == "failed"


def test_a_pending_detail_does_not_give_the_answer_away() -> None:
    wrong = story(ended=False, classify=None, extra=[(120.0, act("classify", severity="SEV-3"))])
    live = [e for e in wrong if e.t <= 300]
    severity = graded(live, now=300).criterion("severity_correct")
    assert severity.status == "pending"
    assert "SEV-2" not in severity.detail


def test_a_finished_journal_ignores_now() -> None:
    assert not graded(now=10_000).live
    assert graded(now=10_000).score == 1.0


def test_a_live_assessor_follows_an_engine_from_pending_to_passed(default: Policy) -> None:
    s = drill()
    engine = Engine(s, seed=3, severity_levels=default.level_names, trainee="ada")
    live = LiveAssessor.attach(engine, default)
    engine.run_until(20)
    first = live.assessment(engine.now)
    assert first.trainee == "ada" and first.criterion("ack_alert").detail == (
        "not acknowledged yet; the limit is 2m"
    )
    assert {x.status for x in first.criteria} <= {"pending", "not_applicable"}
    engine.run_until(70)  # ErrorsHigh fires after 1m above threshold
    assert live.assessment(engine.now).criterion("ack_alert").status == "pending"
    engine.submit(c.Acknowledge(alert="ErrorsHigh"))
    engine.run_until(80)
    ack = live.assessment(engine.now).criterion("ack_alert")
    assert ack.status == "passed" and ack.measured_s is not None and ack.measured_s < 20
    engine.run_until(60 + 301)
    assert live.assessment(engine.now).criterion("create_channel").status == "failed"
    assert not [e for e in live.events if e.kind == "metrics"]
    assert live.assessment(engine.now) is live.assessment(engine.now)


def test_the_screens_and_the_assessor_start_the_incident_at_the_same_alert(
    default: Policy,
) -> None:
    """An alert the scenario calls unrelated fires from the first sample (error rate 1% > 0%);
    ErrorsHigh, the incident's first alert, fires after a minute above 10%. The screens'
    incident start (``Snapshot.incident_start``: the channel name suggested, the update
    templates) and the assessor's are one rule: neither starts at the noise."""
    alerts = [*copy.deepcopy(DRILL["alerts"])]
    alerts.append(
        {
            "id": "Noise",
            "metric": "api.error_rate",
            "op": ">",
            "threshold": 0,
            "summary": "noise",
            "unrelated": True,
        }
    )
    engine = Engine(drill(alerts=alerts), seed=3, severity_levels=default.level_names)
    live = LiveAssessor.attach(engine, default)
    engine.run_until(20)
    assert any(a.id == "Noise" and a.fired_at is not None for a in engine.snapshot().alerts)
    assert engine.snapshot().incident_start is None  # only noise so far
    assert live.assessment(engine.now).incident_start == 0.0
    engine.run_until(40)  # the inject "hello" at 30 s
    assert engine.snapshot().incident_start == 30.0
    assert live.assessment(engine.now).incident_start == 30.0
    engine.run_until(90)
    fired = next(a.fired_at for a in engine.snapshot().alerts if a.id == "ErrorsHigh")
    assert fired is not None and fired > 30.0
    assert engine.snapshot().incident_start == fired
    assert live.assessment(engine.now).incident_start == fired


# --------------------------------------------------------------------------- JSON and the table


def test_the_json_has_the_fields_design_md_promises() -> None:
    data = json.loads(json.dumps(graded(story(ic=None)).to_dict()))
    for key in ("scenario", "trainee", "policy", "score", "passed", "criteria"):
        assert key in data
    ic = next(x for x in data["criteria"] if x["id"] == "assign_ic")
    assert ic["passed"] is False and ic["status"] == "failed"
    assert ic["measured_s"] is None and ic["limit_s"] == 600
    for key in ("id", "title", "status", "weight", "source", "says", "detail", "applicable"):
        assert key in ic


def test_the_table_shows_a_symbol_and_a_word_per_criterion_and_the_verdict() -> None:
    medium = drill(expected={"severity": "medium"})
    text = render_table(graded(story(ack=None, ic=None), scenario=medium))
    assert re.search(r"✗\s+ack_alert\s+failed", text)
    assert re.search(r"✓\s+create_channel\s+passed\s+1m30s\s+5m", text)
    assert re.search(r"–\s+assign_ic\s+not applicable", text)
    assert "FAILED" in text and "Rejected actions: none" in text
    assert "\x1b" not in text
    live = render_table(graded(story(ended=False)[:4], now=90))
    assert re.search(r"…\s+ack_alert\s+pending", live) and "Score so far" in live


# --------------------------------------------------------------------------- journals


def _journal(tmp_path: Path, events: list[ev.Event], *, sha: str | None = None) -> Path:
    scenario_path = tmp_path / "drill.yaml"
    scenario_path.write_text(yaml.safe_dump(DRILL, sort_keys=False), encoding="utf-8")
    loaded = load_scenario(str(scenario_path))
    path = tmp_path / "journal.jsonl"
    header = Header(
        scenario="drill",
        scenario_sha256=sha or loaded.sha256,
        scenario_path=str(scenario_path),
        seed=7,
        policy="default",
        severity_levels=("SEV-1", "SEV-2", "SEV-3", "SEV-4"),
        trainee="grace",
        driver="test",
        started_at="2026-01-30T14:00:00+00:00",
    )
    with JournalWriter(path, header) as writer:
        for e in events:
            writer(e)
    return path


def _drill(tmp_path: Path) -> str:
    """The scenario file a test journal was played from (named explicitly, as --scenario)."""
    return str(tmp_path / "drill.yaml")


def test_a_journal_is_graded_with_its_headers_scenario_policy_trainee_and_seed(
    tmp_path: Path,
) -> None:
    a = grade_journal(read_journal(_journal(tmp_path, story())), scenario=_drill(tmp_path))
    assert (a.scenario, a.policy, a.trainee, a.seed, a.score) == (
        "drill",
        "default",
        "grace",
        7,
        1.0,
    )
    assert not a.warnings


def test_a_policy_given_to_grade_journal_overrides_the_headers(tmp_path: Path) -> None:
    a = grade_journal(
        read_journal(_journal(tmp_path, story())),
        policy=load_policy("nexus"),
        scenario=_drill(tmp_path),
    )
    assert a.policy == "nexus" and a.level == "P1"
    assert a.failed() == ["severity_correct", "resolution_declared"]  # SEV-2 is no NEXUS level
    assert any("played under policy default" in w for w in a.warnings)


def test_a_changed_scenario_is_still_graded_with_a_warning(tmp_path: Path) -> None:
    a = grade_journal(
        read_journal(_journal(tmp_path, story(), sha="0" * 64)), scenario=_drill(tmp_path)
    )
    assert a.score == 1.0
    assert any("changed since the journal was recorded" in w for w in a.warnings)


def test_a_journal_that_stops_early_is_graded_as_ending_there(tmp_path: Path) -> None:
    events = [e for e in story(ended=False) if e.t <= 700]
    a = grade_journal(read_journal(_journal(tmp_path, events)), scenario=_drill(tmp_path))
    assert status(a, "resolution_declared") == "failed"
    assert any("before the exercise ended" in w for w in a.warnings)


# --------------------------------------------------------------------------- the built-in trainees


def _play(scenario: Scenario, profile: Profile, policy: Policy, seed: int = 1) -> list[ev.Event]:
    level = policy.level_for(scenario.expected.severity, scenario.expected.overrides)
    engine = Engine(scenario, seed=seed, severity_levels=policy.level_names)
    events: list[ev.Event] = []
    engine.subscribe(events.append)
    run(engine, Autopilot(profile, scenario, policy.playbook(level.name), seed=seed))
    return events


def _library_ids() -> list[str]:
    return [item.scenario.id for item in library()]


@pytest.fixture(scope="module")
def autopilot_grades(default: Policy) -> dict[tuple[str, str], Assessment]:
    grades: dict[tuple[str, str], Assessment] = {}
    for item in library():
        for profile in PROFILES:
            events = _play(item.scenario, profile, default)
            grades[item.scenario.id, profile] = grade(
                events, scenario=item.scenario, policy=default, trainee=profile, seed=1
            )
    return grades


@pytest.mark.parametrize("scenario_id", _library_ids())
def test_the_expert_autopilot_passes_every_library_scenario(
    scenario_id: str, autopilot_grades: dict[tuple[str, str], Assessment]
) -> None:
    a = autopilot_grades[scenario_id, "expert"]
    assert a.passed and a.failed() == [], render_table(a)
    assert not a.harmful_mitigations and not a.rejected_actions


NOVICE_FAILS = {
    "ack_alert",
    "create_channel",
    "assign_ic",
    "severity_correct",
    "status_page",
    "notify_stakeholders",
    "page_escalation",
    "resolution_declared",
    "postmortem_scheduled",
}
"""What every novice run gets wrong: late to acknowledge, a late and misnamed channel, no IC
in time, one level too low, no status page, stakeholders late or never told, the expert never
paged, resolved without waiting for stability (or never), no postmortem."""

NOVICE_EXPECTED = {
    # The wrong mitigation only wastes time; one update 14m40s after the channel is on cadence.
    "api-outage": NOVICE_FAILS,
    # Restarting every validator halts the chain; no update before resolving.
    "slow-blocks": NOVICE_FAILS | {"mitigation", "update_cadence"},
    # Failing over to backup keys double-signs; silence for over an hour and a half; never
    # resolved, so no postmortem is due (the postmortem follows the resolution).
    "validator-dropout": NOVICE_FAILS - {"postmortem_scheduled"} | {"mitigation", "update_cadence"},
}


@pytest.mark.parametrize("scenario_id", _library_ids())
def test_the_novice_autopilot_fails_each_scenario_the_way_a_facilitator_expects(
    scenario_id: str, autopilot_grades: dict[tuple[str, str], Assessment]
) -> None:
    a = autopilot_grades[scenario_id, "novice"]
    assert not a.passed
    failed = set(a.failed())
    if scenario_id in NOVICE_EXPECTED:
        assert failed == NOVICE_EXPECTED[scenario_id], render_table(a)
    elif scenario_id == "not-an-incident":
        assert {"ack_alert", "severity_correct"} <= failed
        assert "not an incident" in a.criterion("severity_correct").detail
    else:
        assert {"ack_alert", "create_channel", "severity_correct"} <= failed
    assert any(p.pattern == "Debugging code yourself" for p in a.anti_patterns)


def test_the_novices_harmful_calls_are_counted(
    autopilot_grades: dict[tuple[str, str], Assessment],
) -> None:
    assert [m.id for m in autopilot_grades["slow-blocks", "novice"].harmful_mitigations] == [
        "restart-all-validators"
    ]
    assert [m.id for m in autopilot_grades["validator-dropout", "novice"].harmful_mitigations] == [
        "failover-backup-keys"
    ]
    assert [m.id for m in autopilot_grades["api-outage", "novice"].wasted_mitigations] == [
        "rollback-api"
    ]


@pytest.mark.parametrize("policy_id", ["agentos", "nexus"])
def test_the_expert_autopilot_passes_and_the_novice_fails_every_scenario_under_the_other_policies(
    policy_id: str,
) -> None:
    policy = load_policy(policy_id)
    for item in library():
        s = item.scenario
        expert = grade(_play(s, "expert", policy), scenario=s, policy=policy, trainee="e", seed=1)
        assert expert.passed and expert.failed() == [], (s.id, render_table(expert))
        novice = grade(_play(s, "novice", policy), scenario=s, policy=policy, trainee="n", seed=1)
        assert not novice.passed, (s.id, render_table(novice))


def _expert_scripts() -> Iterator[Path]:
    yield from sorted((library_dir() / "scripts").glob("*.expert.yaml"))


@pytest.mark.parametrize("script", list(_expert_scripts()), ids=lambda p: p.name)
def test_the_expert_action_scripts_pass(script: Path, default: Policy) -> None:
    scenario = load_scenario(script.name.removesuffix(".expert.yaml")).scenario
    engine = Engine(scenario, seed=1, severity_levels=default.level_names)
    events: list[ev.Event] = []
    engine.subscribe(events.append)
    run(engine, script_driver(load_script(script)))
    a = grade(events, scenario=scenario, policy=default, trainee="script", seed=1)
    assert a.passed and a.failed() == [], render_table(a)
