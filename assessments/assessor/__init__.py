"""Grade what a trainee did, and when, against the policy in force.

``grade`` is a pure function of an event list: a finished journal's events, or a running
session's events so far (``LiveAssessor`` keeps that list for a live engine). It checks the
eleven exercise criteria of DESIGN.md (ids are stable) and lists what else a facilitator
debriefs: rejected actions, harmful and wasted mitigations, and the training module's
anti-patterns. Every limit comes from the policy (each criterion carries the ``source`` and
``says`` of the rule it applies) and follows the level the scenario calls for under that
policy (``Policy.level_for``), never the level the trainee chose: a wrong classification
fails ``severity_correct`` and nothing else.

Times:
    Incident start for the trainee is the first ``alert_firing`` event of an alert the
    scenario does not call unrelated (an unrelated alert is noise however early it fires);
    when no such alert fires, the first inject; when neither happens, the start of the
    exercise (the grade's warnings say which). It is the one rule of
    ``simulator.snapshot.incident_start`` (the screens use it too), computed once here
    (``Facts.incident_start``) and carried in the ``Assessment`` (``incident_start``) for the
    reports. Measured times are seconds from
    that start unless a criterion says otherwise; ``measured_s`` is ``None`` when the thing
    was never done. A deadline is met when the time is less than or equal to it (an
    acknowledgement at exactly 2m00s passes).

Verdict:
    A critical failure the policy names (``grading.critical``) fails the exercise whatever the
    score, and every report says it first; otherwise the score (the weighted share of the
    applicable criteria passed, less the scenario's named penalties, as a whole percentage
    rounded down) against the pass score. ``docs/grading.md`` publishes the formula.

Status:
    ``passed``, ``failed``, ``pending`` or ``not_applicable``. Grading a finished (or
    stopped) journal never gives ``pending``. With ``now`` (a live session), a criterion that
    is not met yet but still can be (its deadline is ahead, or it is judged at resolution) is
    ``pending``; a pending detail never gives away the answer (the right severity, the
    effective mitigation). Incident criteria (all but ``ack_alert`` and ``severity_correct``)
    do not apply when the level is not declared as an incident (or the scenario says not to
    declare) and the trainee did not declare.

The trainee's view:
    The live grade at the scenario's level would still give the answers away to the trainee
    playing it: deadlines, who is "still due", criteria that do not apply. The trainee's own
    console shows ``as_classified`` instead (``LiveAssessor.as_classified``): nothing until
    they classify, then the policy's rules for the level they chose, nobody owed a page the
    scenario alone asks for, and ``severity_correct`` pending until the end. The facilitator,
    the results and every record use ``grade``.

The package, along its seams:
    ``results`` (the ``Assessment`` and its parts), ``facts`` (gathered from the events),
    ``context`` (what every criterion looks at), one module per criterion family
    (``response``: ack, channel, IC; ``communication``: updates, status page, stakeholders;
    ``severity``; ``paging``: paging and escalation; ``recovery``: mitigation and resolution;
    ``postmortem``), ``critical`` (critical failures and named penalties), ``antipatterns``,
    ``markers`` (behavioural markers, not scored), ``grade`` (weights, score, pass), ``journals``
    (grading a journal from disk) and ``live`` (a running session). This package reads
    events and policies; it must not run the engine, write files, or import reports or the
    screen. The plain-text table lives with the reports (``reports.text``).
"""

from __future__ import annotations

from assessments.assessor.grade import as_classified, formula, grade
from assessments.assessor.journals import grade_journal
from assessments.assessor.live import LiveAssessor
from assessments.assessor.results import (
    CRITERIA,
    SYMBOLS,
    TITLES,
    AntiPattern,
    Assessment,
    CriterionResult,
    CriticalFailure,
    HarmfulMitigation,
    Penalty,
    RejectedAction,
    Status,
    WastedMitigation,
    percent,
    whole_percent,
)

__all__ = [
    "CRITERIA",
    "SYMBOLS",
    "TITLES",
    "AntiPattern",
    "Assessment",
    "CriterionResult",
    "CriticalFailure",
    "HarmfulMitigation",
    "LiveAssessor",
    "Penalty",
    "RejectedAction",
    "Status",
    "WastedMitigation",
    "as_classified",
    "formula",
    "grade",
    "grade_journal",
    "percent",
    "whole_percent",
]
