"""Ending the incident: ``mitigation`` and ``resolution_declared``.

``mitigation``: a mitigation cleared a root-cause fault (within the resolution target when the
level has one) and none started a fault; a pending detail never names the effective one.
``resolution_declared``: ``resolve`` with no alert firing and every root-cause fault cleared,
at least ``rules.stability.min`` after that recovery began.

This module grades its criteria from a ``Context``; it must not read events or compute the score.
"""

from __future__ import annotations

from assessments.assessor.context import EPS, Cites, Context, result, span
from assessments.assessor.results import CriterionResult


def mitigation(ctx: Context) -> CriterionResult:
    """A mitigation cleared a root cause (within the resolution target) and none made it worse."""
    f, level, s = ctx.facts, ctx.level, ctx.scenario
    cid = "mitigation"
    target = level.resolution_target
    cites: Cites = [(target.source, target.says)]
    root = {x.id for x in s.faults if x.root_cause}
    if not ctx.incident:
        return result(cid, "not_applicable", f"{ctx.not_declared()}: nothing to mitigate", cites)
    if not root:
        return result(cid, "not_applicable", "the scenario has no root cause to mitigate", cites)
    labels = {m.id: m.label for m in s.mitigations}
    titles = {x.id: x.title for x in s.faults}
    effective = next((m for m in f.finished if set(m.cleared) & root), None)
    harmful = [m for m in f.finished if m.started]
    wasted = [m for m in f.finished if not m.cleared and not m.started]
    limit = target.within
    extras: list[str] = []
    if harmful:
        extras.append(
            "made it worse: "
            + "; ".join(
                f"{labels.get(m.mitigation, m.mitigation)} started "
                + ", ".join(titles.get(x, x) for x in m.started)
                for m in harmful
            )
        )
    if wasted:
        extras.append(
            "changed nothing: " + ", ".join(labels.get(m.mitigation, m.mitigation) for m in wasted)
        )
    tail = ("; " + "; ".join(extras)) if extras else ""
    limit_text = (
        f"the resolution target at {level.name} is {span(limit)}" if limit is not None else ""
    )
    if effective is None:
        if harmful:
            return result(cid, "failed", f"no effective mitigation{tail}", cites, limit=limit)
        if ctx.ahead(None if limit is None else ctx.start + limit):
            detail = f"no mitigation has cleared the root cause yet{tail}"
            return result(cid, "pending", detail, cites, limit=limit)
        detail = f"no mitigation cleared the root cause{tail}"
        return result(cid, "failed", detail, cites, limit=limit)
    took = ctx.rel(effective.t)
    name = labels.get(effective.mitigation, effective.mitigation)
    detail = f"{name} cleared the root cause at {span(took)} after the first alert"
    if limit_text:
        detail += f"; {limit_text}"
    ok = not harmful and (limit is None or took <= limit + EPS)
    return result(
        cid, "passed" if ok else "failed", detail + tail, cites, measured=took, limit=limit
    )


def resolution_declared(ctx: Context) -> CriterionResult:
    """Resolved after recovery and the stability window."""
    f = ctx.facts
    cid = "resolution_declared"
    stability = ctx.policy.rules.stability
    window = stability.min
    cites: Cites = [(stability.source, stability.says)]
    if not ctx.incident:
        return result(cid, "not_applicable", f"{ctx.not_declared()}: nothing to resolve", cites)
    window_text = f"the stability window is {span(window)}"
    if f.resolved_at is None or f.at_resolve is None:
        recovered = f.healthy_since
        state = (
            f"the system recovered at {ctx.since_start(recovered)} after the first alert"
            if recovered is not None and f.ever_broken
            else "the system has not recovered"
        )
        if ctx.ahead(None):
            return result(
                cid, "pending", f"not resolved yet; {state}; {window_text}", cites, limit=window
            )
        state = state.replace("has not recovered", "had not recovered by the end")
        return result(cid, "failed", f"never resolved; {state}", cites, limit=window)
    healthy_since, firing, active = f.at_resolve
    at = ctx.since_start(f.resolved_at)
    if healthy_since is None:
        why = []
        if firing:
            why.append(f"{', '.join(firing)} {'was' if len(firing) == 1 else 'were'} still firing")
        if active:
            titles = {x.id: x.title for x in ctx.scenario.faults}
            why.append("the root cause was still active: " + ", ".join(titles[x] for x in active))
        detail = f"resolved at {at} after the first alert while {' and '.join(why)}"
        return result(cid, "failed", detail, cites, limit=window)
    waited = f.resolved_at - healthy_since
    ok = waited >= window - EPS
    detail = (
        f"resolved {span(waited)} after recovery (at {ctx.since_start(healthy_since)} after the first "
        f"alert); {window_text}"
    )
    return result(cid, "passed" if ok else "failed", detail, cites, measured=waited, limit=window)
