"""Keeping people informed: ``update_cadence``, ``status_page``, ``notify_stakeholders``.

``update_cadence``: the longest stretch without a ``post_update audience: incident``, from the
channel's creation to resolution (or the end), within the level's cadence; at least one
update; a level with no cadence needs the resolution announced in the channel.
``status_page``: the first status-page update within the level's ``status_page.within``.
``notify_stakeholders``: every ``notify`` entry with a deadline notified in time.

``incident_updates`` and ``longest_gap`` are shared with the anti-patterns ("No updates for
30+ minutes"). This module grades its criteria from a ``Context``; it must not read events or compute the score.
"""

from __future__ import annotations

import itertools

from assessments.assessor.context import EPS, Cites, Context, result, span
from assessments.assessor.results import CriterionResult

_STAKEHOLDERS = {
    "cto": "the CTO",
    "ceo": "the CEO",
    "eng_lead": "the engineering lead",
    "team_lead": "the team lead",
    "support": "Customer Support",
}


def incident_updates(ctx: Context) -> tuple[float, float, list[float]]:
    """(window start, window end, incident-channel update times inside it).

    The window runs from the channel's creation (no channel: the declaration, else the
    incident start) to resolution (or where the record stops); with no channel there can be
    no incident-channel updates.
    """
    f = ctx.facts
    if f.channel is not None:
        begin = f.channel[0]
    elif f.declared_at is not None:
        begin = f.declared_at
    else:
        begin = ctx.start
    end = f.resolved_at if f.resolved_at is not None else ctx.horizon
    if f.channel is None:
        return begin, end, []
    times = [t for t, audience, _ in f.updates if audience == "incident" and begin <= t <= end]
    return begin, end, times


def longest_gap(begin: float, end: float, times: list[float]) -> tuple[float, float, float]:
    """(gap, from, to): the longest stretch without an update, ends included."""
    marks = [begin, *times, end]
    best = (0.0, begin, begin)
    for a, b in itertools.pairwise(marks):
        if b - a > best[0]:
            best = (b - a, a, b)
    return best


def update_cadence(ctx: Context) -> CriterionResult:
    """Incident-channel updates at the level's cadence."""
    f, level = ctx.facts, ctx.level
    cid = "update_cadence"
    cadence = ctx.policy.updates_for(level)
    cites: Cites = [(cadence.source, cadence.says)] if cadence is not None else []
    every = cadence.every if cadence is not None else None
    if not ctx.incident:
        return result(cid, "not_applicable", f"{ctx.not_declared()}: no updates due", cites)
    if every is None:
        said = cadence.says if cadence is not None else "not stated"
        none = f"no regular cadence at {level.name} ({said})"
        announced = [t for t, a, st in f.updates if a == "incident" and st == "resolved"]
        if f.channel is not None and announced:
            detail = (
                f"{none}; the resolution was announced in the incident channel at "
                f"{ctx.since_start(announced[0])} after the first alert"
            )
            return result(cid, "passed", detail, cites, measured=ctx.rel(announced[0]))
        if ctx.ahead(None) and f.resolved_at is None:
            detail = f"{none}: announce the resolution in the incident channel"
            return result(cid, "pending", detail, cites)
        detail = f"{none}, but no incident-channel update announced the resolution"
        return result(cid, "failed", detail, cites)
    if ctx.live and not ctx.started:
        return result(cid, "pending", "the incident has not started yet", cites, limit=every)
    begin, end, times = incident_updates(ctx)
    gap, a, b = longest_gap(begin, end, times)
    since = "the channel's creation" if f.channel is not None else "the incident's start"
    cadence_text = f"the cadence at {level.name} is every {span(every)}"
    open_ = f.resolved_at is None and ctx.live
    if gap > every + EPS:
        if not times:
            what = "no incident channel, so no updates" if f.channel is None else "no update"
            detail = f"{what} in the {span(end - begin)} since {since}; {cadence_text}"
        else:
            detail = (
                f"no incident-channel update for {span(gap)} (from {ctx.since_start(a)} to "
                f"{ctx.since_start(b)} after the first alert); {cadence_text}"
            )
        return result(cid, "failed", detail, cites, measured=gap, limit=every)
    if open_:
        last = times[-1] if times else begin
        detail = (
            f"on cadence so far: longest gap {span(gap)}; next update due by "
            f"{ctx.since_start(last + every)} after the first alert; {cadence_text}"
        )
        return result(cid, "pending", detail, cites, measured=gap, limit=every)
    if not times:
        detail = f"no update in the {span(end - begin)} since {since}; {cadence_text}"
        return result(cid, "failed", detail, cites, measured=gap, limit=every)
    until = "resolution" if f.resolved_at is not None else "the end"
    count = f"{len(times)} incident-channel update{'s' if len(times) != 1 else ''}"
    detail = f"{count} between {since} and {until}; longest gap {span(gap)}; {cadence_text}"
    return result(cid, "passed", detail, cites, measured=gap, limit=every)


def status_page(ctx: Context) -> CriterionResult:
    """The status page updated within the level's deadline."""
    f, level = ctx.facts, ctx.level
    cid = "status_page"
    sp = level.status_page
    cites: Cites = [(sp.source, sp.says)]
    if not ctx.incident:
        return result(cid, "not_applicable", f"{ctx.not_declared()}: no status page", cites)
    if sp.within is None:
        detail = f"no status-page deadline at {level.name} ({sp.says})"
        return result(cid, "not_applicable", detail, cites)
    limit = sp.within
    first = next((t for t, a, _ in f.updates if a == "status_page"), None)
    limit_text = f"the limit at {level.name} is {span(limit)}"
    if first is None:
        if ctx.ahead(ctx.start + limit):
            return result(cid, "pending", f"not updated yet; {limit_text}", cites, limit=limit)
        if ctx.not_due(ctx.start + limit):
            detail = f"not due when the exercise ended; {limit_text}"
            return result(cid, "not_applicable", detail, cites, limit=limit)
        detail = f"the status page was never updated; {limit_text}"
        return result(cid, "failed", detail, cites, limit=limit)
    took = ctx.rel(first)
    ok = took <= limit + EPS
    detail = f"status page first updated at {span(took)} after the first alert; {limit_text}"
    return result(cid, "passed" if ok else "failed", detail, cites, measured=took, limit=limit)


def notify_stakeholders(ctx: Context) -> CriterionResult:
    """Every stakeholder with a deadline at the level notified in time."""
    f, level = ctx.facts, ctx.level
    cid = "notify_stakeholders"
    due = [n for n in level.notify if n.within is not None]
    cites: Cites = [(n.source, n.says) for n in due]
    if not ctx.incident:
        detail = f"{ctx.not_declared()}: nobody to notify"
        return result(cid, "not_applicable", detail, cites)
    if not due:
        detail = f"no stakeholder has a notification deadline at {level.name}"
        return result(cid, "not_applicable", detail, cites)
    late: list[str] = []
    missing: list[str] = []
    waiting: list[str] = []
    on_time: list[str] = []
    not_due: list[str] = []
    times: list[float] = []
    for n in due:
        assert n.within is not None
        who = _STAKEHOLDERS.get(n.stakeholder, n.stakeholder)
        t = f.notified.get(n.stakeholder)
        if t is None:
            if ctx.ahead(ctx.start + n.within):
                waiting.append(f"{who} (within {span(n.within)})")
            elif ctx.not_due(ctx.start + n.within):
                not_due.append(f"{who} (within {span(n.within)})")
            else:
                missing.append(f"{who} (within {span(n.within)})")
            continue
        took = ctx.rel(t)
        times.append(took)
        if took > n.within + EPS:
            late.append(f"{who} at {span(took)} (limit {span(n.within)})")
        else:
            on_time.append(f"{who} at {span(took)} (limit {span(n.within)})")
    limit = max(n.within or 0.0 for n in due)
    measured = max(times) if times and not missing and not waiting else None
    later = f"; not due when the exercise ended: {', '.join(not_due)}" if not_due else ""
    if late or missing:
        parts = []
        if late:
            parts.append("late: " + ", ".join(late))
        if missing:
            parts.append("never notified: " + ", ".join(missing))
        detail = "; ".join(parts) + later
        return result(cid, "failed", detail, cites, measured=measured, limit=limit)
    if waiting:
        done = f"notified {', '.join(on_time)}; " if on_time else ""
        detail = f"{done}still to notify: {', '.join(waiting)}"
        return result(cid, "pending", detail, cites, limit=limit, waiting=tuple(waiting))
    if not on_time:
        detail = f"nobody was due yet: {', '.join(not_due)} not due when the exercise ended"
        return result(cid, "not_applicable", detail, cites, limit=limit)
    detail = "notified in time: " + ", ".join(on_time) + later
    return result(cid, "passed", detail, cites, measured=measured, limit=limit)
