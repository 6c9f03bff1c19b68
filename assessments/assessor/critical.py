"""Critical failures and named penalties: what decides a result whatever the score.

The policy names its critical failures (``grading.critical``, each with its seed line); only
those it names are judged:

- ``never_acknowledged``: the page was never answered: no alert of the incident (any alert
  the scenario does not call unrelated) was acknowledged once the first had fired (judged once
  the record is complete; live, it can still happen). Acknowledging a later alert of the same
  incident instead of the first answers the page: ``ack_alert`` fails, the exercise does not.
- ``impact_not_ended``: in an incident, a root cause was still active where the record stops
  (neither cleared nor ended by a mitigation the scenario counts).
- ``resolved_while_active``: in an incident, ``resolve`` was accepted while a root cause was
  still active.
- ``scenario_must_not``: something the scenario marks with a ``critical`` consequence was done
  (an ``expected.must_not`` action, a mitigation's ``consequence``, or a fault with ``harm``
  that a wrong call started).

``major`` consequences are penalties: each costs the share of the score the scenario states,
and is named in the debrief. This module must not read events or grade the criteria.
"""

from __future__ import annotations

from assessments.assessor.context import Context, one_line
from assessments.assessor.results import CriticalFailure, Penalty


def critical_failures(ctx: Context) -> list[CriticalFailure]:
    """The critical failures the policy names that happened, in time order."""
    grading = ctx.policy.grading
    rules = {r.id: r for r in grading.critical} if grading is not None else {}
    f = ctx.facts
    titles = {x.id: x.title for x in ctx.scenario.faults}
    out: list[CriticalFailure] = []
    rule = rules.get("never_acknowledged")
    if rule is not None and not ctx.live and f.first_alert is not None:
        fired = f.first_alert_t or 0.0
        unrelated = {a.id for a in ctx.scenario.alerts if a.unrelated}
        answered = any(
            t >= fired - 1e-6
            for alert, times in f.acks.items()
            if alert not in unrelated
            for t in times
        )
        if not answered:
            detail = (
                f"{f.first_alert}, the incident's first alert to fire, was never acknowledged, nor any "
                "other alert of the incident: nobody answered the page"
            )
            out.append(CriticalFailure(rule.id, fired, detail, rule.says, rule.source))
    rule = rules.get("resolved_while_active")
    if rule is not None and ctx.incident and f.at_resolve is not None and f.at_resolve[2]:
        active = ", ".join(titles.get(x, x) for x in f.at_resolve[2])
        detail = (
            f"declared resolved at {ctx.since_start(f.resolved_at or 0.0)} after the first alert "
            f"while the root cause was still active: {active}"
        )
        out.append(CriticalFailure(rule.id, f.resolved_at or 0.0, detail, rule.says, rule.source))
    rule = rules.get("impact_not_ended")
    if rule is not None and ctx.incident and not ctx.live and f.active_root:
        active = ", ".join(titles.get(x, x) for x in f.active_root)
        noun = "root cause" if len(f.active_root) == 1 else "root causes"
        detail = f"the impact never ended: the {noun} {active} still active at the end"
        out.append(CriticalFailure(rule.id, ctx.horizon, detail, rule.says, rule.source))
    rule = rules.get("scenario_must_not")
    if rule is not None:
        for t in f.triggered:
            if t.consequence.level == "critical":
                detail = one_line(
                    f"{t.what}, at {ctx.since_start(t.t)} after the first alert: "
                    f"{t.consequence.says}"
                )
                out.append(CriticalFailure(rule.id, t.t, detail, rule.says, rule.source))
    return sorted(out, key=lambda c: c.t)


def penalties(ctx: Context) -> list[Penalty]:
    """The scenario's ``major`` consequences of what was done (each once), in time order."""
    seen: set[tuple[str | None, str]] = set()
    out: list[Penalty] = []
    for t in ctx.facts.triggered:
        if t.consequence.level != "major":
            continue
        key = (t.mitigation, t.what if t.mitigation is None else "")
        if key in seen:
            continue
        seen.add(key)
        out.append(Penalty(t.t, t.what, one_line(t.consequence.says), t.consequence.penalty))
    return out
