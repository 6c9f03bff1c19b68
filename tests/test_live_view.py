"""The live score as the trainee's own console shows it gives no answer away.

``grade`` judges by the level the scenario calls for and by whom it says must be paged. Shown
live to the trainee, that told them the answers: "the CEO (within 15m)" still due says SEV-1,
nine criteria "not applicable" from the first second say "not an incident", and "Dana (ML
platform engineer)" still to page says where the fault is. ``as_classified`` judges by the
rules of the level the trainee classified. The expectations are read off
``assessments/policies/default.yaml`` by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

from assessments.assessor import Assessment, LiveAssessor, as_classified, grade
from assessments.autoplay import headless_engine
from assessments.policy import load_policy
from simulator import commands as cmd
from simulator.engine import Engine
from simulator.library import load_scenario

POLICY = load_policy("default")


def _played(
    scenario_id: str, steps: Sequence[tuple[float, cmd.Command]], until: float
) -> tuple[Engine, LiveAssessor]:
    scenario = load_scenario(scenario_id).scenario
    engine = headless_engine(scenario, POLICY, seed=1, trainee="Ada")
    live = LiveAssessor.attach(engine, POLICY)
    engine.start()
    for at, command in steps:
        engine.run_until(at)
        assert engine.submit(command).accepted
    engine.run_until(until)
    return engine, live


def _statuses(a: Assessment) -> dict[str, str]:
    return {c.id: c.status for c in a.criteria}


def _waiting(a: Assessment) -> list[str]:
    return [w for c in a.criteria for w in c.waiting]


def test_nothing_is_judged_by_level_before_the_trainee_classifies() -> None:
    engine, live = _played("not-an-incident", [], 200.0)
    assert live.as_classified(engine.now) is None
    # the grade itself (the facilitator's) knows it is not an incident: nine criteria do not
    # apply; that is what the trainee's console used to show from the first second
    truth = live.assessment(engine.now)
    assert list(_statuses(truth).values()).count("not_applicable") == 9


def test_not_an_incident_classified_sev2_is_judged_as_sev2_and_says_nothing_of_sev4() -> None:
    engine, live = _played("not-an-incident", [(90.0, cmd.Classify(severity="SEV-2"))], 200.0)
    own = live.as_classified(engine.now)
    assert own is not None and own.level == "SEV-2"
    statuses = _statuses(own)
    assert "not_applicable" not in statuses.values()
    assert statuses["severity_correct"] == "pending"
    # SEV-2 in default.yaml: engineering lead and CTO within 30m, CEO within 1h, support
    # within 15m; page: [primary]
    assert _waiting(own) == [
        "the engineering lead (within 30m)",
        "the CTO (within 30m)",
        "the CEO (within 1h)",
        "Customer Support (within 15m)",
        "the primary on-call",
    ]


def test_api_outage_classified_sev1_shows_sev1_rules_and_never_the_engineer_to_page() -> None:
    steps: list[tuple[float, cmd.Command]] = [
        (70.0, cmd.Acknowledge(alert="APIErrorRateHigh")),
        (80.0, cmd.Classify(severity="SEV-1")),
    ]
    engine, live = _played("api-outage", steps, 200.0)
    own = live.as_classified(engine.now)
    assert own is not None and own.level == "SEV-1"
    # SEV-1 in default.yaml: CTO within 5m, CEO within 15m, support within 5m; page the
    # primary (the trainee, already in), the secondary and the IC rotation
    assert _waiting(own) == [
        "the CTO (within 5m)",
        "the CEO (within 15m)",
        "Customer Support (within 5m)",
        "the secondary on-call",
        "the IC rotation",
    ]
    truth = live.assessment(engine.now)
    assert truth.level == "SEV-2" and "Dana (ML platform engineer)" in _waiting(truth)
    assert not any("Dana" in w for w in _waiting(own))
    assert not any("Dana" in c.detail for c in own.criteria)


def test_pages_done_for_the_level_stay_pending_and_a_right_severity_is_never_confirmed() -> None:
    steps: list[tuple[float, cmd.Command]] = [
        (70.0, cmd.Acknowledge(alert="APIErrorRateHigh")),
        (80.0, cmd.Classify(severity="SEV-2")),
        (85.0, cmd.Declare()),
    ]
    engine, live = _played("api-outage", steps, 200.0)
    own = live.as_classified(engine.now)
    truth = live.assessment(engine.now)
    assert own is not None
    # SEV-2 pages only the primary, the trainee: done; the grade still waits on Dana, and the
    # trainee's view says pending, not passed, so it does not hint that nobody else is needed
    assert _statuses(truth)["page_escalation"] == "pending"
    assert _statuses(own)["page_escalation"] == "pending"
    assert "judged when the exercise ends" in next(
        c.detail for c in own.criteria if c.id == "page_escalation"
    )
    assert _statuses(own)["ack_alert"] == _statuses(truth)["ack_alert"] == "passed"
    # the right level, resolved: the grade says so, the trainee's view does not
    engine.run_until(300.0)
    assert engine.submit(cmd.Resolve()).accepted
    engine.run_until(310.0)
    assert _statuses(live.assessment(engine.now))["severity_correct"] == "passed"
    own = live.as_classified(engine.now)
    assert own is not None and _statuses(own)["severity_correct"] == "pending"


def test_the_view_scores_its_own_criteria_with_the_formula_of_the_grade() -> None:
    steps: list[tuple[float, cmd.Command]] = [
        (70.0, cmd.Acknowledge(alert="APIErrorRateHigh")),
        (80.0, cmd.Classify(severity="SEV-3")),
    ]
    engine, live = _played("api-outage", steps, 400.0)
    own = as_classified(
        live.events, scenario=live.scenario, policy=POLICY, trainee="Ada", seed=1, now=engine.now
    )
    assert own is not None and own.level == "SEV-3"
    applicable = [c for c in own.criteria if c.applicable]
    passed = [c for c in applicable if c.passed]
    assert own.share == len(passed) / len(applicable)
    # only the acknowledgement is met (within SEV-3's rules) of the criteria that apply
    assert [c.id for c in passed] == ["ack_alert"]
    # and the grade of the same events is the scenario's, untouched by the view
    truth = grade(
        live.events, scenario=live.scenario, policy=POLICY, trainee="Ada", seed=1, now=engine.now
    )
    assert truth.level == "SEV-2" and truth == live.assessment(engine.now)
