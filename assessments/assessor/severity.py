"""``severity_correct``: the classification in force at resolution (or the end) is the level
the scenario calls for under the policy. For a scenario that is not an incident, declaring,
paging anyone out or opening an incident channel is the mistake, graded here once with the
scenario's lesson (``expected.lesson``, else its rationale); the incident criteria do not
apply. Live, it stays pending until resolution, and a pending detail never gives away the
right level.

This module grades its criteria from a ``Context``; it must not read events or compute the score.
"""

from __future__ import annotations

import re

from assessments.assessor.context import EPS, Cites, Context, one_line, result
from assessments.assessor.results import CriterionResult


def severity_correct(ctx: Context) -> CriterionResult:
    """The classification in force at resolution is the level the scenario calls for."""
    f, level, s = ctx.facts, ctx.level, ctx.scenario
    cid = "severity_correct"
    cites: Cites = [(level.source, f"{level.name}: {level.definition}")]
    if not ctx.incident_expected:
        cites.append((level.declare.source, level.declare.says))
    cutoff = f.resolved_at if f.resolved_at is not None else ctx.horizon
    history = [(t, lvl) for t, lvl in f.classified if t <= cutoff + EPS]
    told = ", then ".join(f"{lvl} at {ctx.since_start(t)}" for t, lvl in history)
    why = _rationale(ctx)
    in_force = history[-1] if history else None
    measured = ctx.rel(in_force[0]) if in_force else None
    settled = not (ctx.live and f.resolved_at is None)
    if not ctx.incident_expected:
        machinery = _incident_machinery(ctx)
        if machinery:
            lesson = one_line(s.expected.lesson or s.expected.rationale)
            t0 = machinery[0][0]
            done = ", ".join(f"{what} at {ctx.since_start(t)}" for t, what in machinery)
            detail = (
                f"started the incident machinery ({done} after the first alert); this is "
                f"{level.name} and not an incident: {lesson}"
            )
            return result(cid, "failed", detail, cites, measured=ctx.rel(t0))
    if not settled:
        detail = (
            f"classified {told}; judged at resolution (or the end)"
            if history
            else "not classified yet; judged at resolution (or the end)"
        )
        return result(cid, "pending", detail, cites, measured=measured)
    if in_force and in_force[1] == level.name:
        if not ctx.incident_expected:
            detail = (
                f"classified {told} after the first alert and did not declare an incident: "
                f"right, this is {level.name} and not an incident"
            )
        else:
            detail = f"classified {told} after the first alert; {level.name} is right"
        return result(cid, "passed", detail, cites, measured=measured)
    if not history:
        detail = f"never classified; this is {level.name}: {why}"
        return result(cid, "failed", detail, cites)
    return result(
        cid, "failed", f"classified {told}; this is {level.name}: {why}", cites, measured=measured
    )


def _incident_machinery(ctx: Context) -> list[tuple[float, str]]:
    """(time, what) of the declaration, the first page and the channel, in time order."""
    f = ctx.facts
    out: list[tuple[float, str]] = []
    if f.declared_at is not None:
        out.append((f.declared_at, "declared"))
    if f.pages:
        t, target = f.pages[0]
        out.append((t, f"paged {target}"))
    if f.channel is not None:
        out.append((f.channel[0], f"opened {f.channel[1]}"))
    return sorted(out)


_LEVEL_NAME = re.compile(r"\b(?:SEV-\d|P\d)\b")


def _rationale(ctx: Context) -> str:
    """Why the scenario is this level: its rationale, unless the rationale names levels of
    another scale (it was written for another policy); then the level's own definition."""
    text = one_line(ctx.scenario.expected.rationale)
    names = set(ctx.policy.level_names)
    foreign = [n for n in _LEVEL_NAME.findall(text) if n not in names]
    if not foreign:
        return text
    level = ctx.level
    return (
        f"under policy {ctx.policy.id} this scenario is {level.name} ({level.title}: "
        f"{level.definition}; {level.source})"
    )
