"""The grade: every criterion checked, weighed and summed into a score and a verdict.

``grade`` is a pure function of an event list: a finished journal's events, or a running
session's events so far. It gathers the facts once, fixes the level in force (the one the
scenario calls for under the policy, never the one the trainee chose), runs each criterion's
check, lists what else a facilitator debriefs, and returns the ``Assessment``. ``as_classified``
is the trainee's own live view of the same events, at the level they classified.

Score and pass (the rule the default policy's ``grading`` block states and cites; published
in ``docs/grading.md``):
    share = sum of the weights of the passed criteria / sum of the weights of the applicable
    criteria (pending ones count as applicable and not passed). Weights are 1 unless the
    policy's ``grading.weights`` say otherwise. score = the share less every ``major``
    penalty the scenario names, as a whole percentage rounded down (``whole_percent``: the
    one rounding rule of every screen and report). ``passed`` = no critical failure (the
    policy's ``grading.critical``) and score >= the pass score: ``grading.pass_score`` when
    the policy sets it, else the certification quiz's pass mark (the training module's
    "Passing Score: 80%", inherited by the AgentOS and NEXUS policies).

This module must not run the engine, read files or render anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from assessments.assessor.antipatterns import anti_patterns
from assessments.assessor.communication import notify_stakeholders, status_page, update_cadence
from assessments.assessor.context import EPS, Context
from assessments.assessor.critical import critical_failures, penalties
from assessments.assessor.facts import Facts, changed_nothing, gather
from assessments.assessor.markers import markers
from assessments.assessor.paging import page_escalation
from assessments.assessor.postmortem import postmortem_scheduled
from assessments.assessor.recovery import mitigation, resolution_declared
from assessments.assessor.response import ack_alert, assign_ic, create_channel
from assessments.assessor.results import (
    CRITERIA,
    Assessment,
    CriterionResult,
    HarmfulMitigation,
    WastedMitigation,
    whole_percent,
)
from assessments.assessor.severity import severity_correct
from assessments.policy import Level, Policy
from simulator import events as ev
from simulator.model import Scenario

CHECKS: dict[str, Callable[[Context], CriterionResult]] = {
    "ack_alert": ack_alert,
    "create_channel": create_channel,
    "assign_ic": assign_ic,
    "update_cadence": update_cadence,
    "severity_correct": severity_correct,
    "status_page": status_page,
    "notify_stakeholders": notify_stakeholders,
    "page_escalation": page_escalation,
    "mitigation": mitigation,
    "resolution_declared": resolution_declared,
    "postmortem_scheduled": postmortem_scheduled,
}
"""Each criterion id's check, in the order they are reported."""


def formula(policy: Policy) -> list[tuple[str, str, str]]:
    """How the score and the verdict are computed under ``policy``: (rule, source, says).

    The debrief and ``docs/grading.md`` print these lines; each cites the policy line it rests
    on.
    """
    grading = policy.grading
    weights = _weights(policy)
    weight_text = (
        "every criterion weighs 1"
        if not weights
        else "weights: " + ", ".join(f"{k} {v:g}" for k, v in weights.items()) + ", others 1"
    )
    pass_score, pass_source = _pass_score(policy)
    source, says = (grading.source, grading.says) if grading is not None else (pass_source, "")
    rules = [
        (
            "Share = the weights of the criteria passed / the weights of the criteria that apply "
            f"({weight_text}; a criterion that does not apply counts on neither side).",
            source,
            says,
        ),
        (
            "Score = the share less every major penalty the scenario names for what was done, "
            "as a whole percentage rounded down (79.9% is 79%).",
            "the scenario's consequences (major)",
            "",
        ),
        (
            f"Passed = no critical failure, and a score of at least {pass_score:.0%}.",
            pass_source,
            "",
        ),
    ]
    for rule in grading.critical if grading is not None else ():
        rules.append(
            (
                f"Critical failure ({rule.id.replace('_', ' ')}): fails the exercise whatever "
                "the score.",
                rule.source,
                rule.says,
            )
        )
    return rules


def _pass_score(policy: Policy) -> tuple[float, str]:
    """The pass score and where it comes from: ``grading.pass_score``, else the quiz's mark."""
    grading = policy.grading
    if grading is not None and grading.pass_score is not None:
        return grading.pass_score, f"{grading.source}: {grading.says}"
    quiz = policy.certification_rules.quiz
    return quiz.pass_mark, f"{quiz.source}: {quiz.says}"


def _weights(policy: Policy) -> dict[str, float]:
    """Criterion weights the policy sets (1 for the others)."""
    if policy.grading is None:
        return {}
    return {w.criterion: w.weight for w in policy.grading.weights}


def grade(
    events: Sequence[ev.Event],
    *,
    scenario: Scenario,
    policy: Policy,
    trainee: str,
    seed: int,
    now: float | None = None,
) -> Assessment:
    """Grade a trainee's exercise from its events.

    Args:
        events: The exercise's events in order (a journal's, or a running session's so far).
        scenario: The scenario that was played.
        policy: The policy in force.
        trainee: The trainee's name.
        seed: The run's seed.
        now: Sim time of a live session: criteria whose deadline is still ahead are
            ``pending``. ``None``: the record is complete (a stopped journal is graded as if
            the exercise ended at its last event).
    """
    facts = gather(events, scenario)
    level = policy.level_for(scenario.expected.severity, scenario.expected.overrides)
    return _graded(
        facts,
        scenario=scenario,
        policy=policy,
        level=level,
        incident_expected=level.declare.incident and scenario.expected.declare,
        trainee=trainee,
        seed=seed,
        now=now,
        any_events=bool(events),
    )


def as_classified(
    events: Sequence[ev.Event],
    *,
    scenario: Scenario,
    policy: Policy,
    trainee: str,
    seed: int,
    now: float,
) -> Assessment | None:
    """The live grade as the trainee's own console shows it: by the policy's rules for the
    level the trainee classified, and by nothing only the scenario knows.

    ``grade`` judges by the level the scenario calls for, and by whom it says must be paged
    or escalated to; shown to the trainee while they play, its deadlines and its "still due"
    would give the answers away (the CEO due within 15 minutes says SEV-1; criteria that do
    not apply say "not an incident"; an engineer still to page names where the fault is).
    Here the level is the trainee's own classification in force (its rules only, no
    scenario override), nobody is owed a page or an escalation the scenario alone asks for
    (so paging, once the level's pages are done, stays pending rather than passed), and
    whether the severity is right stays pending: both are judged when the exercise ends, by
    ``grade``, which the facilitator and the results see throughout.

    Args:
        events: The session's events so far.
        scenario: The scenario being played.
        policy: The policy in force.
        trainee: The trainee's name.
        seed: The run's seed.
        now: The session's sim time.

    Returns:
        ``None`` until the trainee classifies with one of the policy's levels.
    """
    facts = gather(events, scenario)
    in_force = [name for t, name in facts.classified if t <= now + EPS]
    if not in_force or in_force[-1] not in policy.level_names:
        return None
    level = policy.level(in_force[-1])
    blind = scenario.expected.model_copy(update={"page": [], "escalate_to": [], "triggers": []})
    graded = _graded(
        facts,
        scenario=scenario.model_copy(update={"expected": blind}),
        policy=policy,
        level=level,
        incident_expected=level.declare.incident,
        trainee=trainee,
        seed=seed,
        now=now,
        any_events=bool(events),
    )
    criteria = [_as_shown(r, level.name) for r in graded.criteria]
    return _scored(graded, criteria, policy)


def _as_shown(r: CriterionResult, level: str) -> CriterionResult:
    """A criterion as the trainee sees it while playing: ``severity_correct`` pending whatever
    it is; paging pending once the level's own pages are done (whether the incident needed
    anyone else is the scenario's, judged at the end); the others as graded."""
    if r.id == "severity_correct":
        detail = "judged when the exercise ends, against the level this incident calls for"
    elif r.id == "page_escalation" and r.status == "passed":
        detail = (
            f"{level}'s pages are done; whether this incident needed anyone else is judged "
            "when the exercise ends"
        )
    else:
        return r
    return CriterionResult(
        r.id, r.title, "pending", None, None, detail, r.weight, r.source, r.says, r.waiting
    )


def _scored(graded: Assessment, criteria: list[CriterionResult], policy: Policy) -> Assessment:
    """``graded`` with ``criteria`` in place of its own, share and score summed again."""
    total = sum(r.weight for r in criteria if r.applicable)
    share = sum(r.weight for r in criteria if r.passed) / total if total else 0.0
    score = whole_percent(share - sum(p.penalty for p in graded.penalties))
    pass_score, _ = _pass_score(policy)
    passed = not graded.critical_failures and score >= pass_score - EPS
    return replace(graded, criteria=criteria, share=share, score=score, passed=passed)


def _graded(
    facts: Facts,
    *,
    scenario: Scenario,
    policy: Policy,
    level: Level,
    incident_expected: bool,
    trainee: str,
    seed: int,
    now: float | None,
    any_events: bool,
) -> Assessment:
    """The grade of ``facts`` at ``level`` (``grade``'s body)."""
    live = now is not None and facts.ended_at is None
    ctx = Context(
        scenario=scenario,
        policy=policy,
        level=level,
        facts=facts,
        start=facts.incident_start,
        horizon=_horizon(facts, now),
        live=live,
        now=now if live else None,
        incident_expected=incident_expected,
        started=facts.started,
    )
    results = _criteria(ctx)
    total = sum(r.weight for r in results if r.applicable)
    earned = sum(r.weight for r in results if r.passed)
    share = earned / total if total else 0.0
    named = penalties(ctx)
    score = whole_percent(share - sum(p.penalty for p in named))
    critical = critical_failures(ctx)
    pass_score, pass_source = _pass_score(policy)
    harmful, wasted = _mitigation_outcomes(scenario, facts)
    return Assessment(
        scenario=scenario.id,
        trainee=trainee,
        policy=policy.id,
        level=level.name,
        seed=seed,
        score=score,
        passed=not critical and score >= pass_score - EPS,
        criteria=results,
        incident_start=facts.incident_start,
        rejected_actions=list(facts.rejected),
        harmful_mitigations=harmful,
        wasted_mitigations=wasted,
        anti_patterns=anti_patterns(ctx),
        warnings=_warnings(facts, policy, live=live, any_events=any_events),
        pass_score=pass_score,
        pass_source=pass_source,
        live=live,
        now=now if live else None,
        critical_failures=critical,
        penalties=named,
        share=share,
        markers=markers(ctx),
    )


def _horizon(facts: Facts, now: float | None) -> float:
    """Where the record stops: the end of the exercise, ``now`` live, or the last event."""
    if facts.ended_at is not None:
        return facts.ended_at
    if now is not None:
        return max(now, facts.last_t)
    return facts.last_t


def _criteria(ctx: Context) -> list[CriterionResult]:
    """Every criterion's result, in the order reported, with the policy's weight."""
    weights = _weights(ctx.policy)
    results: list[CriterionResult] = []
    for cid in CRITERIA:
        r = CHECKS[cid](ctx)
        weight = weights.get(cid, 1.0)
        if weight != r.weight:
            r = CriterionResult(
                r.id,
                r.title,
                r.status,
                r.measured_s,
                r.limit_s,
                r.detail,
                weight,
                r.source,
                r.says,
                r.waiting,
            )
        results.append(r)
    return results


def _mitigation_outcomes(
    scenario: Scenario, facts: Facts
) -> tuple[list[HarmfulMitigation], list[WastedMitigation]]:
    """The mitigations the scenario says did harm (a consequence, or faults started), and those
    that changed nothing."""
    titles = {x.id: x.title for x in scenario.faults}
    consequences = {t.mitigation: t for t in facts.triggered if t.mitigation is not None}
    harmful: list[HarmfulMitigation] = []
    listed: set[str] = set()
    for m in facts.finished:
        if m.started or m.mitigation in consequences:
            hit = consequences.get(m.mitigation)
            harmful.append(
                HarmfulMitigation(
                    m.t,
                    m.mitigation,
                    tuple(f"{titles.get(x, x)} [{x}]" for x in m.started),
                    hit.consequence.level if hit else None,
                    hit.consequence.says.strip() if hit else "",
                )
            )
            listed.add(m.mitigation)
    for mid, hit in consequences.items():
        if mid is not None and mid not in listed:
            harmful.append(
                HarmfulMitigation(
                    hit.t, mid, (), hit.consequence.level, hit.consequence.says.strip()
                )
            )
    harmful.sort(key=lambda h: h.t)
    wasted = [WastedMitigation(m.t, m.mitigation) for m in changed_nothing(scenario, facts)]
    return harmful, wasted


def _warnings(facts: Facts, policy: Policy, *, live: bool, any_events: bool) -> list[str]:
    """What makes the grade less certain: where times run from, levels of another policy."""
    warnings: list[str] = []
    if facts.first_alert_t is None and not live:
        noise = any(kind == "alert" for kind, _ in facts.happened)
        none = (
            "no alert of the incident fired (only alerts it calls unrelated)"
            if noise
            else ("no alert fired")
        )
        if facts.first_inject_t is not None:
            warnings.append(f"{none}: times are measured from the first inject")
        elif any_events:
            warnings.append(
                f"{none} and no inject was delivered: times are measured from the start of the "
                "exercise"
            )
    unknown = sorted(facts.levels_seen - set(policy.level_names))
    if unknown:
        warnings.append(
            f"classified with {', '.join(unknown)}, not levels of policy {policy.id} "
            f"({', '.join(policy.level_names)}): the exercise was played under another policy"
        )
    return warnings
