"""Ending the incident: ``mitigation`` and ``resolution_declared``, judged on the outcome.

``mitigation``: every root-cause fault that started is cleared (or ended by a mitigation the
scenario counts, ``Mitigation.ends``) by the end, within the resolution target when the level
has one, and no mitigation did harm (a ``consequence``, or faults started). The detail names
the root causes left; a pending detail never names the effective mitigation. Rejected actions
never count (only mitigations that ran are in the facts).
``resolution_declared``: ``resolve`` once the incident's own impact is over (every root cause
cleared or ended, and every alert the scenario does not call ``unrelated`` resolved), at least
``rules.stability.min`` after it ended; the detail names what ended the impact last, which held
the window open.

Neither applies to a scenario that is not an incident: there is nothing to mitigate or resolve,
and the mistake of declaring is graded once by ``severity_correct``.

This module grades its criteria from a ``Context``; it must not read events or compute the score.
"""

from __future__ import annotations

from assessments.assessor.context import EPS, Cites, Context, result, span
from assessments.assessor.facts import changed_nothing
from assessments.assessor.results import CriterionResult


def remaining_roots(ctx: Context) -> list[str]:
    """The root-cause faults still active where the record stops (ids, in start order)."""
    return list(ctx.facts.active_root)


def mitigation(ctx: Context) -> CriterionResult:
    """Every root cause cleared or ended (within the resolution target), and no harm done."""
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
    harmful_ids = {t.mitigation for t in f.triggered if t.mitigation is not None}
    harmful = [m.mitigation for m in f.finished if m.started]
    harmful += [m for m in sorted(harmful_ids) if m not in harmful]
    wasted = changed_nothing(s, f)
    limit = target.within
    extras: list[str] = []
    if harmful:
        parts = []
        for mid in harmful:
            done = next((m for m in f.finished if m.mitigation == mid and m.started), None)
            what = labels.get(mid, mid)
            if done is not None:
                what += " started " + ", ".join(titles.get(x, x) for x in done.started)
            cons = next((t.consequence for t in f.triggered if t.mitigation == mid), None)
            if cons is not None:
                what += f" ({cons.level}: {cons.says})"
            parts.append(what)
        extras.append("made it worse: " + "; ".join(parts))
    if wasted:
        extras.append(
            "changed nothing: " + ", ".join(labels.get(m.mitigation, m.mitigation) for m in wasted)
        )
    tail = ("; " + "; ".join(extras)) if extras else ""
    limit_text = (
        f"the resolution target at {level.name} is {span(limit)}" if limit is not None else ""
    )
    left = remaining_roots(ctx)
    done_roots = {**f.cleared_roots, **f.ended_roots}
    fixed = [x for x in root if x in done_roots and x not in left]
    ending = {m.id for m in s.mitigations if set(m.ends) & root}
    by_mitigation = [m for m in f.finished if set(m.cleared) & root or m.mitigation in ending]
    if left:
        if ctx.ahead(None if limit is None else ctx.start + limit) and not harmful:
            detail = f"{len(left)} of {len(root)} root causes still active{tail}"
            if not fixed:
                detail = f"no mitigation has cleared the root cause yet{tail}"
            return result(cid, "pending", detail, cites, limit=limit)
        still = ", ".join(titles.get(x, x) for x in left)
        cleared_text = ""
        if fixed:
            cleared_text = "cleared " + ", ".join(titles.get(x, x) for x in fixed) + "; "
        noun = "root cause" if len(left) == 1 else "root causes"
        verb = "was" if len(left) == 1 else "were"
        detail = f"{cleared_text}the {noun} {still} {verb} still active at the end{tail}"
        if not fixed and not by_mitigation:
            detail = f"no mitigation cleared the root cause: {still} {verb} still active{tail}"
        return result(cid, "failed", detail, cites, limit=limit)
    if not fixed:
        return result(cid, "not_applicable", "no root cause ever became active", cites)
    last = max(done_roots[x] for x in fixed)
    took = ctx.rel(last)
    names = sorted({labels.get(m.mitigation, m.mitigation) for m in by_mitigation})
    what = "every root cause" if len(fixed) > 1 else "the root cause"
    if names:
        detail = f"{' and '.join(names)} cleared {what} by {span(took)} after the first alert"
    else:
        detail = f"{what} cleared on its own by {span(took)} after the first alert"
    if limit_text:
        detail += f"; {limit_text}"
    ok = not harmful and (limit is None or took <= limit + EPS)
    return result(
        cid, "passed" if ok else "failed", detail + tail, cites, measured=took, limit=limit
    )


def resolution_declared(ctx: Context) -> CriterionResult:
    """Resolved once the incident's impact was over, after the stability window."""
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
            f"the impact ended at {ctx.since_start(recovered)} after the first alert"
            + (f" ({f.last_to_clear} last)" if f.last_to_clear else "")
            if recovered is not None and f.ever_broken
            else "the impact has not ended"
        )
        if ctx.ahead(None):
            return result(
                cid, "pending", f"not resolved yet; {state}; {window_text}", cites, limit=window
            )
        state = state.replace("has not ended", "had not ended by the end")
        return result(cid, "failed", f"never resolved; {state}", cites, limit=window)
    healthy_since, firing, active = f.at_resolve
    at = ctx.since_start(f.resolved_at)
    if healthy_since is None:
        why = []
        if firing:
            why.append(f"{', '.join(firing)} {'was' if len(firing) == 1 else 'were'} still firing")
        if active:
            titles = {x.id: x.title for x in ctx.scenario.faults}
            noun = "root cause was" if len(active) == 1 else "root causes were"
            why.append(f"the {noun} still active: " + ", ".join(titles[x] for x in active))
        detail = f"resolved at {at} after the first alert while {' and '.join(why)}"
        return result(cid, "failed", detail, cites, limit=window)
    waited = f.resolved_at - healthy_since
    ok = waited >= window - EPS
    last = f.last_to_clear_at_resolve
    ended = f"the impact ended at {ctx.since_start(healthy_since)} after the first alert"
    if last:
        ended += f", when {last} cleared"
    detail = f"resolved at {at} after the first alert, {span(waited)} after {ended}; {window_text}"
    if not ok and last:
        detail += f"; {last} cleared last and held the window open"
    return result(cid, "passed" if ok else "failed", detail, cites, measured=waited, limit=window)
