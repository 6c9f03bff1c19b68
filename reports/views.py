"""View models: a journal, its assessment and its scenario turned into plain data.

Why one module of about 600 lines: every report (HTML, Markdown, JSON, postmortem draft,
chart) reads the same views, and keeping them together keeps their labels and orders one.

Templates stay dumb: everything they show is computed here, as dicts, lists, strings and
numbers, and the same data feeds the HTML and Markdown debriefs and the JSON. Nothing here
reads the wall clock: a report is a pure function of the journal (and of the quiz result or
certificate it is given), so rendering twice gives the same bytes.

This module builds data; it must not write files, render templates, or import the screen.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from assessments.assessor import Assessment, formula, grade_journal
from assessments.policy import Policy, journal_policy, load_policy
from simulator import events as ev
from simulator.durations import format_clock, format_duration
from simulator.journal import Journal, read_journal
from simulator.library import journal_scenario
from simulator.model import Scenario
from simulator.transcript import PACE, describe

__all__ = [
    "DEADLINES",
    "PRACTICE",
    "Session",
    "certificate_view",
    "debrief_view",
    "load_session",
    "postmortem_view",
    "quiz_view",
    "timeline_rows",
]

PRACTICE: dict[str, str] = {
    "ack_alert": "Acknowledge the page first, before reading dashboards: the clock starts when "
    "the alert fires (Session 1, Phase 1: Detection).",
    "create_channel": "Open the incident channel straight after classifying, named "
    "#incident-YYYY-MM-DD-HHMM with the detection time (Session 4, Incident Slack Channel).",
    "assign_ic": "Say out loud who is Incident Commander, even when it is you: assign the role "
    "as one of the first actions (Session 3, Taking Command).",
    "update_cadence": "Set a timer for the level's update cadence and post even when there is "
    "no news: 'still investigating, next update at …' (Session 4, Update Cadence).",
    "severity_correct": "Walk the severity decision tree before classifying: who is affected, "
    "how many, is an SLO violated (Session 2, Severity Decision Tree).",
    "status_page": "Update the status page within the level's deadline; customers see it "
    "before they see you (Session 4, Status Page Updates).",
    "notify_stakeholders": "Keep the stakeholder notification matrix at hand and notify each "
    "row by its deadline (Session 4, Stakeholder Notification Matrix).",
    "page_escalation": "Page the owners of the failing component early, and escalate when "
    "there is no root cause within 15 minutes (Session 2, When to Escalate).",
    "mitigation": "Delegate diagnostics and pick the mitigation the evidence points to; ask "
    "the responders before a change (Session 3, Decision Making).",
    "resolution_declared": "Before resolving, confirm recovery and wait out the stability "
    "window with the alerts clear (Session 1, Phase 4: Resolution).",
    "postmortem_scheduled": "Schedule the postmortem as part of closing the incident, within "
    "the level's deadline (Session 1, Phase 5: Post-Incident).",
}
"""What to practise next for each criterion missed, with the training-module section."""

DEADLINES: tuple[str, ...] = (
    "ack_alert",
    "create_channel",
    "assign_ic",
    "status_page",
    "mitigation",
)
"""Criteria whose ``measured_s`` and ``limit_s`` are both times after the first alert: the
chart draws them as deadline bars."""

ACTION_LABELS: dict[str, str] = {
    "acknowledge": "ack",
    "classify": "classify",
    "declare": "declare",
    "create_channel": "channel",
    "assign_role": "role",
    "page": "page",
    "escalate": "escalate",
    "notify": "notify",
    "post_update": "update",
    "run_diagnostic": "diag (self)",
    "delegate": "delegate",
    "apply_mitigation": "mitigate",
    "handoff_ic": "handoff",
    "resolve": "resolve",
    "schedule_postmortem": "postmortem",
    "note": "note",
}


@dataclass(frozen=True)
class Session:
    """One exercise, read and graded: what every report of it is built from."""

    journal: Journal
    """The journal as read back."""
    assessment: Assessment
    """Its grade under the policy in force."""
    scenario: Scenario
    """The scenario that was played."""
    policy: Policy
    """The policy it was graded under."""


def load_session(
    journal_path: str | os.PathLike[str],
    *,
    policy: str | Policy | None = None,
    scenario: str | None = None,
) -> Session:
    """Read and grade a journal.

    Args:
        journal_path: The journal (JSONL).
        policy: Grade under this policy (a name, a path or a loaded policy) instead of the
            header's.
        scenario: The scenario file or library id the user names (``--scenario``); without
            it the header's scenario is found in the library by id and sha256.

    Raises:
        simulator.journal.JournalError: the journal cannot be read, or its scenario or policy
            is not packaged and none is given.
        simulator.yamlio.LoadError: the scenario or policy does not load.
        FileNotFoundError, KeyError: the policy cannot be found.
    """
    journal = read_journal(journal_path)
    in_force = load_policy(policy) if isinstance(policy, str) else policy
    if in_force is None:
        in_force = journal_policy(journal)
    assessment = grade_journal(journal, policy=in_force, scenario=scenario)
    return Session(journal, assessment, journal_scenario(journal, scenario).scenario, in_force)


# --------------------------------------------------------------------------- timeline


def incident_start(session: Session) -> float:
    """Where the assessor's clock starts (the first firing alert, else the first inject), as the
    assessment carries it."""
    return session.assessment.incident_start


def _shown(event: ev.Event) -> bool:
    if isinstance(event, ev.MetricsSampled | ev.AlertPending):
        return False
    return not (isinstance(event, ev.AlertResolved) and not event.fired)


def timeline_rows(session: Session) -> list[dict[str, Any]]:
    """The full timeline: one row per shown event (metric samples and pending alerts left out).

    Each row: ``n`` (the trainee action's number, shared with the chart's markers, or
    ``None``), ``t``, ``sim`` (``T+MM:SS``), ``clock`` (in-world ``HH:MM:SS``), ``who``,
    ``channel`` (the transcript's category), ``what``, ``rationale`` and ``kind`` (``action``,
    ``rejected``, ``facilitator``, ``inject``, ``alert``, ``team`` or ``system``).
    """
    start = session.scenario.start
    names = {r.id: r.name for r in session.scenario.responders}
    trainee = session.journal.header.trainee
    rows: list[dict[str, Any]] = []
    number = 0
    for event in session.journal.events:
        if not _shown(event):
            continue
        rationale = ""
        n: int | None = None
        if isinstance(event, ev.ActionAccepted | ev.ActionRejected):
            command = dict(event.command)
            rationale = str(command.pop("rationale", "") or "")
            bare: ev.Event
            if isinstance(event, ev.ActionAccepted):
                bare = ev.ActionAccepted(event.t, event.by, command)
            else:
                bare = ev.ActionRejected(event.t, event.by, command, event.reason)
            described = describe(bare)
        else:
            described = describe(event)
        if described is None:  # pragma: no cover - metric samples are filtered above
            continue
        channel, what = described
        kind, who = _who(event, trainee, names)
        if isinstance(event, ev.ActionAccepted) and event.command.get("do") in PACE:
            kind = "pace"
        if kind in ("action", "rejected"):
            number += 1
            n = number
        rows.append(
            {
                "n": n,
                "t": event.t,
                "sim": format_clock(event.t),
                "clock": (start + timedelta(seconds=event.t)).strftime("%H:%M:%S"),
                "who": who,
                "channel": channel,
                "what": what,
                "rationale": rationale,
                "kind": kind,
            }
        )
    return rows


def _who(event: ev.Event, trainee: str, names: Mapping[str, str]) -> tuple[str, str]:
    if isinstance(event, ev.ActionAccepted | ev.ActionRejected):
        if event.by == "trainee":
            kind = "action" if isinstance(event, ev.ActionAccepted) else "rejected"
            return kind, f"{trainee} (IC)"
        return "facilitator", "Facilitator"
    if isinstance(event, ev.InjectDelivered):
        return "inject", event.sender
    if isinstance(event, ev.Message):
        return "team", event.sender
    if isinstance(event, ev.AlertFiring | ev.AlertResolved):
        return "alert", "Monitoring"
    if isinstance(event, ev.DiagnosticStarted | ev.DiagnosticResult):
        return "team", f"{trainee} (IC)" if event.by == "ic" else names.get(event.by, event.by)
    if isinstance(event, ev.ResponderJoined):
        return "team", event.name
    return "system", "Simulation"


# --------------------------------------------------------------------------- debrief


def _criterion_rows(a: Assessment) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "title": c.title,
            "status": c.status,
            "passed": c.passed,
            "measured": "–" if c.measured_s is None else format_duration(round(c.measured_s)),
            "limit": "–" if c.limit_s is None else format_duration(round(c.limit_s)),
            "measured_s": c.measured_s,
            "limit_s": c.limit_s,
            "detail": c.detail,
            "source": c.source,
            "says": c.says,
            "weight": c.weight,
        }
        for c in a.criteria
    ]


def marker_rows(a: Assessment) -> list[dict[str, str]]:
    """The behavioural markers as the debrief lists them (not scored)."""
    m = a.markers
    if not m:
        return []

    def dur(value: object) -> str:
        # to the second, as a person says it (the journal keeps milliseconds)
        return "–" if value is None else format_duration(round(float(value)))  # type: ignore[arg-type]

    rows = [
        {
            "marker": "Delegation",
            "value": f"{m.get('delegated', 0)} diagnostics delegated, "
            f"{m.get('ran_personally', 0)} run yourself",
        },
        {
            "marker": "Time heads-down (running diagnostics yourself)",
            "value": dur(m.get("heads_down_s")),
        },
        {
            "marker": "From finding the root cause to the first mitigation",
            "value": dur(m.get("finding_to_mitigation_s")),
        },
        {
            "marker": "Incident-channel updates",
            "value": f"{m.get('updates', 0)}; gap mean {dur(m.get('update_gap_mean_s'))}, "
            f"longest {dur(m.get('update_gap_max_s'))}, spread {dur(m.get('update_gap_stdev_s'))}",
        },
    ]
    for d in m.get("decisions", []):
        seen = ", ".join(d["findings_seen"]) or "no finding yet"
        rows.append(
            {"marker": f"{format_clock(d['t'])} {d['decision']}", "value": f"had seen: {seen}"}
        )
    return rows


def _went_well(a: Assessment, quiz: Mapping[str, Any] | None) -> list[dict[str, str]]:
    out = [{"title": c.title, "detail": c.detail} for c in a.criteria if c.status == "passed"]
    if quiz is not None:
        for cat in quiz["categories"]:
            if cat["total"] and cat["correct"] == cat["total"]:
                out.append(
                    {
                        "title": f"Quiz: {cat['name']}",
                        "detail": f"all {cat['total']} questions right",
                    }
                )
    return out


def to_improve(a: Assessment, quiz: Mapping[str, Any] | None) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for c in a.criteria:
        if c.status == "failed":
            out.append(
                {
                    "title": c.title,
                    "detail": c.detail,
                    "practise": PRACTICE.get(c.id, ""),
                    "id": c.id,
                    "kind": "criterion",
                }
            )
    for m in a.harmful_mitigations:
        started = f"it started {', '.join(m.started)}" if m.started else "it did harm"
        consequence = f" ({m.consequence}: {m.says})" if m.consequence else ""
        out.append(
            {
                "title": f"Harmful mitigation: {m.id}",
                "detail": f"at {format_clock(m.t)} {started}{consequence}",
                "practise": PRACTICE["mitigation"],
                "id": "mitigation",
                "kind": "noticed",
            }
        )
    for w in a.wasted_mitigations:
        out.append(
            {
                "title": f"Mitigation that changed nothing: {w.id}",
                "detail": f"finished at {format_clock(w.t)} without clearing a fault",
                "practise": "Confirm the cause with a diagnostic before changing production.",
                "id": "mitigation",
                "kind": "noticed",
            }
        )
    for p in a.anti_patterns:
        instead = p.says.split("|")[-1].strip() if "|" in p.says else ""
        out.append(
            {
                "title": f"Anti-pattern: {p.pattern}",
                "detail": f"at {format_clock(p.t)}: {p.detail}",
                "practise": f"Instead: {instead} ({p.source})." if instead else p.source,
                "id": "anti_pattern",
                "kind": "noticed",
            }
        )
    for r in a.rejected_actions:
        out.append(
            {
                "title": f"Action refused: {r.command}",
                "detail": f"at {format_clock(r.t)}: {r.reason}",
                "practise": "",
                "id": "rejected",
                "kind": "noticed",
            }
        )
    if quiz is not None:
        for cat in quiz["categories"]:
            if cat["below"]:
                out.append(
                    {
                        "title": f"Quiz: {cat['name']}",
                        "detail": f"{cat['correct']} of {cat['total']} right",
                        "practise": "Re-read this section of the training module and retake "
                        "the quiz.",
                        "id": "quiz",
                        "kind": "noticed",
                    }
                )
    return out


def quiz_view(result: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    """A quiz result for the debrief.

    Accepts the JSON of ``warroom quiz --answers FILE --json`` (``QuizResult.to_dict()``, with
    per-question results) or a recorded attempt's fields (``score``, ``correct``, ``total``,
    ``passed``, ``categories``; no questions).

    Raises:
        ValueError: when ``result`` is not a quiz result.
    """
    try:
        pass_mark = float(result.get("pass_mark") or policy.certification_rules.quiz.pass_mark)
        correct, total = int(result["correct"]), int(result["total"])
        categories = [
            {
                "name": str(c["name"]),
                "correct": int(c["correct"]),
                "total": int(c["total"]),
                "score": (int(c["correct"]) / int(c["total"])) if int(c["total"]) else 0.0,
                "below": bool(int(c["total"]))
                and int(c["correct"]) / int(c["total"]) < pass_mark - 1e-9,
            }
            for c in result["categories"]
        ]
        missed = [
            {
                "number": int(q["number"]),
                "category": str(q["category"]),
                "given": _answer(q.get("given")),
                "answer": _answer(q.get("answer")),
                "explanation": str(q.get("explanation") or ""),
            }
            for q in result.get("questions", [])
            if not q["correct"]
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"not a quiz result: {exc}") from None
    return {
        "trainee": result.get("trainee"),
        "score": correct / total if total else 0.0,
        "correct": correct,
        "total": total,
        "passed": bool(result.get("passed")),
        "pass_mark": pass_mark,
        "categories": categories,
        "missed": missed,
        "has_questions": "questions" in result,
    }


def _answer(value: object) -> str:
    if value is None:
        return "(no answer)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _exercise_date(session: Session) -> str:
    try:
        return datetime.fromisoformat(session.journal.header.started_at).date().isoformat()
    except ValueError:
        return session.journal.header.started_at[:10]


def debrief_view(
    session: Session,
    *,
    quiz: Mapping[str, Any] | None = None,
    chart: str = "",
) -> dict[str, Any]:
    """Everything the debrief shows, as plain data (the JSON debrief is this, minus the chart).

    Args:
        session: The graded exercise.
        quiz: ``quiz_view`` output, when a quiz was taken.
        chart: The timeline chart's SVG markup (HTML only).
    """
    a = session.assessment
    h = session.journal.header
    s = session.scenario
    rows = timeline_rows(session)
    failed = [c for c in a.criteria if c.status == "failed"]
    applicable = [c for c in a.criteria if c.applicable]
    return {
        "format": 1,
        "scenario": {
            "id": s.id,
            "title": s.title,
            "summary": s.summary,
            "difficulty": s.difficulty,
            "source": s.source,
            "objectives": list(s.objectives),
            "start": s.start.strftime("%Y-%m-%d %H:%M UTC"),
            "expected_rationale": s.expected.rationale,
        },
        "session": {
            "trainee": h.trainee,
            "policy": a.policy,
            "policy_name": session.policy.name,
            "level": a.level,
            "seed": h.seed,
            "date": _exercise_date(session),
            "driver": h.driver,
            "journal": Path(session.journal.path).name,
            "ended": session.journal.ended,
            "duration": format_duration(round(session.journal.events[-1].t))
            if session.journal.events
            else "0s",
        },
        "result": {
            "passed": a.passed,
            "verdict": a.verdict,
            "critical_failures": [c.to_dict() for c in a.critical_failures],
            "penalties": [p.to_dict() for p in a.penalties],
            "share": a.share,
            "formula": [
                {"rule": rule, "source": source, "says": says}
                for rule, source, says in formula(session.policy)
            ],
            "score": a.score,
            "pass_score": a.pass_score,
            "pass_source": a.pass_source,
            "criteria_passed": sum(1 for c in applicable if c.passed),
            "criteria_applicable": len(applicable),
            "failed": [c.id for c in failed],
        },
        "criteria": _criterion_rows(a),
        "markers": marker_rows(a),
        "went_well": _went_well(a, quiz),
        "to_improve": to_improve(a, quiz),
        "warnings": list(a.warnings),
        "timeline": rows,
        "actions": sum(1 for r in rows if r["n"] is not None),
        "quiz": dict(quiz) if quiz is not None else None,
        "assessment": a.to_dict(),
        "chart": chart,
    }


# --------------------------------------------------------------------------- postmortem

PROMPT = "TO BE WRITTEN"
"""The marker of a part of the postmortem only people can write."""


def _key_event(row: Mapping[str, Any]) -> bool:
    if row["kind"] in ("action", "facilitator", "alert", "inject"):
        return True
    return row["channel"] in ("FAULT", "MITIGATE", "CHAIN", "END")


def _impact(session: Session) -> list[dict[str, str]]:
    """Per alerted metric: the peak, when, and for how long its alert fired."""
    s = session.scenario
    names = s.metric_ids()
    firing: dict[str, float] = {}
    fired_for: dict[str, float] = {}
    peaks: dict[str, tuple[float, float]] = {}
    wanted = {rule.metric for rule in s.alerts}
    end = session.journal.events[-1].t if session.journal.events else 0.0
    for e in session.journal.events:
        if isinstance(e, ev.MetricsSampled):
            for metric in wanted:
                value = e.values.get(metric)
                if value is not None and (metric not in peaks or value > peaks[metric][0]):
                    peaks[metric] = (value, e.t)
        elif isinstance(e, ev.AlertFiring):
            firing.setdefault(e.alert, e.t)
        elif isinstance(e, ev.AlertResolved) and e.alert in firing:
            fired_for[e.alert] = fired_for.get(e.alert, 0.0) + e.t - firing.pop(e.alert)
    for alert, since in firing.items():
        fired_for[alert] = fired_for.get(alert, 0.0) + end - since
    out: list[dict[str, str]] = []
    for rule in s.alerts:
        name, unit = names.get(rule.metric, (rule.metric, ""))
        peak = peaks.get(rule.metric)
        if peak is None:
            continue
        seconds = fired_for.get(rule.id)
        out.append(
            {
                "metric": name,
                "alert": rule.id,
                "peak": f"{peak[0]:g}{' ' + unit if unit and unit != '%' else unit}",
                "at": format_clock(peak[1]),
                "threshold": f"{rule.op} {rule.threshold:g}{unit if unit == '%' else ' ' + unit}",
                "fired_for": f"firing for {format_duration(round(seconds))}"
                if seconds
                else "never fired",
            }
        )
    return out


def _postmortem_summary(
    session: Session, firing: list[ev.AlertFiring], resolved: float | None
) -> str:
    """What happened, in the third person, from the scenario and the journal.

    The scenario's own summary is the trainee's brief ("PagerDuty pages you…"), which does not
    belong in a postmortem.
    """
    s = session.scenario

    def clock(t: float) -> str:
        return (s.start + timedelta(seconds=t)).strftime("%H:%M UTC")

    causes = [f.title for f in s.faults if f.root_cause] or [f.title for f in s.faults[:1]]
    out = [f"{s.title}."]
    if firing:
        out.append(f"The first alert, {firing[0].alert}, fired at {clock(firing[0].t)}.")
    out.append(f"Cause: {'; '.join(causes)}.")
    ic = session.journal.header.trainee
    out.append(
        f"{ic} led the response as Incident Commander, graded at {session.assessment.level}."
    )
    if resolved is not None:
        since = (
            f", {format_duration(round(resolved - firing[0].t))} after the first alert"
            if firing
            else ""
        )
        out.append(f"The incident was declared resolved at {clock(resolved)}{since}.")
    else:
        out.append("The incident was not declared resolved before the exercise ended.")
    return " ".join(out)


def postmortem_view(session: Session) -> dict[str, Any]:
    """The blameless postmortem draft (the incident-response runbook's template), prefilled."""
    s = session.scenario
    a = session.assessment
    events = session.journal.events
    rows = timeline_rows(session)
    start = incident_start(session)
    firing = [e for e in events if isinstance(e, ev.AlertFiring)]
    resolved_action = next(
        (
            e.t
            for e in events
            if isinstance(e, ev.ActionAccepted) and e.command.get("do") == "resolve"
        ),
        None,
    )
    end = resolved_action if resolved_action is not None else (events[-1].t if events else 0.0)
    mitigations = [
        {
            "sim": format_clock(e.t),
            "clock": (s.start + timedelta(seconds=e.t)).strftime("%H:%M"),
            "id": e.mitigation,
            "outcome": e.outcome,
            "cleared": list(e.cleared),
            "started": list(e.started),
        }
        for e in events
        if isinstance(e, ev.MitigationFinished)
    ]
    return {
        "title": s.title,
        "date": s.start.strftime("%Y-%m-%d"),
        "prompt": PROMPT,
        "scenario": s.id,
        "trainee": session.journal.header.trainee,
        "level": a.level,
        "summary": _postmortem_summary(session, firing, resolved_action),
        "duration": format_duration(round(max(0.0, end - start))) if firing else "no alert fired",
        "resolved": resolved_action is not None,
        "impact": _impact(session),
        "timeline": [
            {
                "clock": (s.start + timedelta(seconds=r["t"])).strftime("%H:%M:%S"),
                "sim": r["sim"],
                "who": r["who"],
                "what": r["what"].split("\n")[0],
                "rationale": r["rationale"],
            }
            for r in rows
            if _key_event(r)
        ],
        "root_cause": s.debrief.root_cause,
        "contributing_factors": list(s.debrief.contributing_factors),
        "resolution": s.debrief.resolution,
        "mitigations": mitigations,
        "went_well": [c.title for c in a.criteria if c.status == "passed"],
        "to_improve": [f"{c.title}: {c.detail}" for c in a.criteria if c.status == "failed"],
        "action_items": [
            {"id": i + 1, "action": f"Address: {factor}"}
            for i, factor in enumerate(s.debrief.contributing_factors)
        ],
    }


# --------------------------------------------------------------------------- certificate


def certificate_view(document: Mapping[str, Any]) -> dict[str, Any]:
    """A certificate file's content for its printable HTML page.

    Raises:
        ValueError: when ``document`` is not a warroom certificate.
    """
    try:
        if "warroom_certificate" not in document:
            raise KeyError("warroom_certificate")
        return {
            "title": str(document["title"]),
            "trainee": str(document["trainee"]),
            "policy": str(document["policy"]),
            "stage": str(document["stage"]),
            "issued": str(document["issued"]),
            "expires": str(document["expires"]),
            "code": str(document["code"]),
            "criteria": [
                {
                    "requirement": str(c.get("requirement", c.get("id", ""))),
                    "met": str(c.get("met", "")),
                }
                for c in document["criteria"]
            ],
        }
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a warroom certificate: missing or bad field {exc}") from None
