"""``postmortem_scheduled``: ``schedule_postmortem`` ``within`` the level's deadline (else
``rules.postmortem`` for a declared level).

The postmortem follows the resolution in every policy (training module §Session 1, "Phase 5:
Post-Incident", after Phase 4's "Declare incident resolved"; on-call runbook, "After
Resolution: ... Schedule postmortem (within 48 hours)"; AgentOS "Phase 5: Post-Incident";
NEXUS "Step 5: Post-Mortem", after Step 4's "Incident resolved confirmation"), so its deadline
runs from the resolution: a record that stops with the incident never declared resolved has no
postmortem due yet (not applicable, like every deadline not yet due; the missing resolution is
``resolution_declared``'s failure, and an impact that never ended is a critical failure). A
postmortem scheduled all the same is graded as scheduled.

This module grades its criteria from a ``Context``; it must not read events or compute the score.
"""

from __future__ import annotations

from assessments.assessor.context import EPS, Cites, Context, result, span
from assessments.assessor.results import CriterionResult


def postmortem_scheduled(ctx: Context) -> CriterionResult:
    """A postmortem scheduled within the level's deadline."""
    f, level, rules = ctx.facts, ctx.level, ctx.policy.rules
    cid = "postmortem_scheduled"
    post = level.postmortem
    cites: Cites = [(post.source, post.says)]
    deadline = post.schedule_within
    if deadline is None and level.declare.incident:
        deadline = rules.postmortem.schedule_within
        cites.append((rules.postmortem.source, rules.postmortem.says))
    if not ctx.incident:
        detail = f"{ctx.not_declared()}: no postmortem needed"
        return result(cid, "not_applicable", detail, cites)
    if deadline is None:
        detail = f"no postmortem is needed at {level.name} ({post.says})"
        return result(cid, "not_applicable", detail, cites)
    limit_text = f"the limit at {level.name} is {span(deadline)}"
    if f.postmortem is None:
        if ctx.ahead(None):
            return result(cid, "pending", f"not scheduled yet; {limit_text}", cites, limit=deadline)
        if f.resolved_at is None:
            detail = (
                "not due: the incident was never declared resolved, and a postmortem is "
                f"scheduled after the resolution; {limit_text}"
            )
            return result(cid, "not_applicable", detail, cites, limit=deadline)
        detail = f"no postmortem was scheduled; {limit_text}"
        return result(cid, "failed", detail, cites, limit=deadline)
    _, within = f.postmortem
    ok = within <= deadline + EPS
    detail = f"postmortem scheduled within {span(within)}; {limit_text}"
    return result(cid, "passed" if ok else "failed", detail, cites, measured=within, limit=deadline)
