"""The training module's anti-patterns, found in what the trainee did.

Not scored: listed for the debrief, each with the table row it quotes. Running a diagnostic
yourself ("Debugging code yourself"), mitigating before any diagnostic found the cause
("Making decisions alone"), not escalating when the ``no_root_cause`` trigger fell due, no
scribe and no notes ("Not documenting", judged once the exercise is over and placed at the
resolution, or the end, never at the first alert) and 30 minutes or
more without an incident-channel update. This module must not change a criterion's result.
"""

from __future__ import annotations

from assessments.assessor.communication import incident_updates, longest_gap
from assessments.assessor.context import Context, span
from assessments.assessor.paging import escalation_state
from assessments.assessor.results import AntiPattern

# The training module's anti-pattern tables, quoted row by row.
_IC_TABLE = "training module §Session 3, IC Anti-Patterns"
_COMMS_TABLE = "training module §Session 4, Communication Anti-Patterns"
_DEBUGGING = "Debugging code yourself | You lose coordination focus | Delegate technical work"
_ALONE = "Making decisions alone | You might miss something | Consult SMEs, then decide"
_NOT_DOCUMENTING = "Not documenting | Postmortem is impossible | Assign Scribe, track everything"
_NOT_ESCALATING = "Not escalating | Problem gets worse | Escalate early, escalate often"
_SILENCE = "No updates for 30+ minutes | Panic, assumptions | Set and meet update schedule"
_SILENCE_S = 30 * 60.0
"""The communication anti-pattern's "No updates for 30+ minutes"."""


def anti_patterns(ctx: Context) -> list[AntiPattern]:
    """What the anti-pattern tables warn against in this exercise, in time order."""
    f = ctx.facts
    out: list[AntiPattern] = []
    for t, diagnostic in f.ic_diagnostics:
        out.append(
            AntiPattern(
                t,
                "Debugging code yourself",
                f"ran {diagnostic} yourself at {ctx.since_start(t)} after the first alert instead of "
                "delegating it",
                _DEBUGGING,
                _IC_TABLE,
            )
        )
    if f.mitigations_started:
        t, mitigation = f.mitigations_started[0]
        if f.root_found_at is None or t < f.root_found_at:
            out.append(
                AntiPattern(
                    t,
                    "Making decisions alone",
                    f"applied {mitigation} at {ctx.since_start(t)} after the first alert before any "
                    "diagnostic had found the cause",
                    _ALONE,
                    _IC_TABLE,
                )
            )
    if ctx.incident and ctx.started:
        state, _ = escalation_state(ctx)
        trigger = ctx.policy.trigger("no_root_cause")
        if state == "missed" and trigger is not None and trigger.after is not None:
            out.append(
                AntiPattern(
                    ctx.start + trigger.after,
                    "Not escalating",
                    f"no escalation although the root cause was not found within "
                    f"{span(trigger.after)}",
                    _NOT_ESCALATING,
                    _IC_TABLE,
                )
            )
        if (
            not ctx.live
            and "scribe" in ctx.policy.rules.roles.assign
            and "scribe" not in f.roles
            and not f.notes
        ):
            out.append(
                AntiPattern(
                    f.resolved_at if f.resolved_at is not None else ctx.horizon,
                    "Not documenting",
                    "no scribe was assigned and no timeline notes were taken by "
                    + ("the resolution" if f.resolved_at is not None else "the end"),
                    _NOT_DOCUMENTING,
                    _IC_TABLE,
                )
            )
        begin, end, times = incident_updates(ctx)
        gap, a, _ = longest_gap(begin, end, times)
        if gap >= _SILENCE_S:
            out.append(
                AntiPattern(
                    a,
                    "No updates for 30+ minutes",
                    f"no incident-channel update for {span(gap)} from {ctx.since_start(a)} after the "
                    "first alert",
                    _SILENCE,
                    _COMMS_TABLE,
                )
            )
    return sorted(out, key=lambda x: x.t)
