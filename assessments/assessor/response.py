"""The first minutes: ``ack_alert``, ``create_channel``, ``assign_ic``.

Limits come from the expected level under the policy in force; "in time" means <=.

``ack_alert``: the incident's first alert (the first to fire of those the scenario does not call
unrelated) acknowledged within ``rules.acknowledge`` (else the level's response time);
acknowledging another alert does not count.
``create_channel``: a channel within ``rules.channel.within`` (else the response time), named
per ``ChannelRule.matches``; a name that carries a date and time (the shape of
``rules.channel.strftime``) must carry detection's, give or take the channel deadline.
``assign_ic``: ``assign_role ic`` within the stricter of ``rules.assign_ic`` and the level's
``ic.within`` where ``ic.required`` is ``yes``; optional: not applicable unless assigned.

This module grades its criteria from a ``Context``; it must not read events or compute the score.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime

from assessments.assessor.context import EPS, Cites, Context, result, span
from assessments.assessor.results import CriterionResult


def ack_alert(ctx: Context) -> CriterionResult:
    """The incident's first alert acknowledged in time."""
    f, rules = ctx.facts, ctx.policy.rules
    cites: Cites = [(rules.acknowledge.source, rules.acknowledge.says)]
    limit = rules.acknowledge.within
    if limit is None:
        limit = ctx.level.response_time.within
        cites.append((ctx.level.response_time.source, ctx.level.response_time.says))
    cid = "ack_alert"
    limit_text = f"the limit is {span(limit)}" if limit is not None else "there is no limit"
    # Live, a pending detail names no alert and no time: which alert is the incident's first,
    # and which are noise the scenario calls unrelated, is part of the answer.
    waiting = f"not acknowledged yet; {limit_text}"
    if f.first_alert is None or f.first_alert_t is None:
        if ctx.live:
            return result(cid, "pending", waiting, cites, limit=limit)
        detail = "no alert of the incident fired in this exercise"
        return result(cid, "not_applicable", detail, cites)
    alert, fired = f.first_alert, f.first_alert_t
    ack = next((t for t in f.acks.get(alert, []) if t >= fired - EPS), None)
    if ack is not None:
        took = ack - fired
        ok = limit is None or took <= limit + EPS
        detail = f"acknowledged {alert} {span(took)} after it fired; {limit_text}"
        return result(cid, "passed" if ok else "failed", detail, cites, measured=took, limit=limit)
    if ctx.ahead(None if limit is None else fired + limit):
        return result(cid, "pending", waiting, cites, limit=limit)
    others = sorted(a for a in f.acks if a != alert)
    also = f" (acknowledging {', '.join(others)} does not count for it)" if others else ""
    detail = (
        f"{alert}, the incident's first alert to fire, was never acknowledged{also}; {limit_text}"
    )
    return result(cid, "failed", detail, cites, limit=limit)


def create_channel(ctx: Context) -> CriterionResult:
    """An incident channel created in time and named by the convention."""
    f, rule = ctx.facts, ctx.policy.rules.channel
    cid = "create_channel"
    cites: Cites = [(rule.source, rule.says)]
    limit = rule.within
    if limit is None:
        limit = ctx.level.response_time.within
        cites.append((ctx.level.response_time.source, ctx.level.response_time.says))
    if not ctx.incident:
        return result(cid, "not_applicable", f"{ctx.not_declared()}: no channel needed", cites)
    limit_text = f"the limit is {span(limit)}" if limit is not None else "there is no limit"
    if f.channel is None:
        if ctx.ahead(None if limit is None else ctx.start + limit):
            return result(cid, "pending", f"no channel yet; {limit_text}", cites, limit=limit)
        detail = f"no incident channel was created; {limit_text}"
        return result(cid, "failed", detail, cites, limit=limit)
    _created, first_name = f.channel
    conforming = next(
        (
            (t, n)
            for t, n in f.channel_names
            if rule.matches(n) and not _name_time_problem(ctx, n, limit)
        ),
        None,
    )
    renamed = ""
    if conforming is not None and conforming[1] != first_name:
        renamed = f" (created as {first_name}, renamed)"
    t, name = conforming if conforming is not None else f.channel_names[-1]
    took = ctx.rel(t)
    problems: list[str] = []
    if limit is not None and took > limit + EPS:
        what = "named by the convention" if renamed else "created"
        problems.append(f"channel {what} at {span(took)} after the first alert; {limit_text}")
    if conforming is None:
        if not rule.matches(name):
            problems.append(f"named {name}; the convention is {rule.convention}")
        else:
            wrong = _name_time_problem(ctx, name, limit)
            if wrong:
                problems.append(wrong)
        if ctx.live and ctx.ahead(None if limit is None else ctx.start + limit):
            detail = "; ".join(problems) + " (rename it)"
            return result(cid, "pending", detail, cites, measured=took, limit=limit)
    if problems:
        return result(cid, "failed", "; ".join(problems), cites, measured=took, limit=limit)
    detail = f"{name}{renamed} at {span(took)} after the first alert; {limit_text}"
    if not renamed:
        detail = f"created {detail}"
    return result(cid, "passed", detail, cites, measured=took, limit=limit)


_DIRECTIVE_DIGITS = {"Y": 4, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2, "y": 2, "j": 3}


@functools.cache
def _stamp_shape(strftime: str) -> re.Pattern[str]:
    """A regex for names shaped like ``strftime``'s output (digits where the date goes)."""
    out: list[str] = []
    i = 0
    while i < len(strftime):
        if strftime[i] == "%" and i + 1 < len(strftime):
            digits = _DIRECTIVE_DIGITS.get(strftime[i + 1])
            out.append(rf"\d{{{digits}}}" if digits else ".+?")
            i += 2
        else:
            out.append(re.escape(strftime[i]))
            i += 1
    return re.compile("".join(out), re.IGNORECASE)


def _name_time_problem(ctx: Context, name: str, tolerance: float | None) -> str | None:
    """What is wrong with the date and time a channel name states, if it states one."""
    rule = ctx.policy.rules.channel
    if not _stamp_shape(rule.strftime).fullmatch(name):
        return None
    detected = ctx.wall(ctx.start).replace(second=0, microsecond=0)
    right = rule.name_for(detected).lower()
    try:
        stamped = datetime.strptime(name, rule.strftime)
    except ValueError:
        return f"{name} is not a real date and time; for this incident it is {right}"
    if "%H" not in rule.strftime and "%M" not in rule.strftime:
        stamped = stamped.replace(hour=detected.hour, minute=detected.minute)
    off = abs((stamped - detected).total_seconds())
    if tolerance is not None and off <= tolerance + EPS:
        return None
    if tolerance is None and stamped.date() == detected.date():
        return None
    when = detected.strftime("%Y-%m-%d %H:%M")
    if stamped.date() != detected.date():
        return (
            f"the date in {name} is {stamped:%Y-%m-%d}, but the incident was detected at "
            f"{when} UTC: name it {right}"
        )
    return (
        f"the time in {name} is {stamped:%H:%M}, {span(off)} away from detection at {when} UTC: "
        f"name it {right}"
    )


def assign_ic(ctx: Context) -> CriterionResult:
    """An Incident Commander assigned in time where the level requires one."""
    f, level, rule = ctx.facts, ctx.level, ctx.policy.rules.assign_ic
    cid = "assign_ic"
    cites: Cites = [(rule.source, rule.says), (level.ic.source, level.ic.says)]
    if not ctx.incident:
        return result(cid, "not_applicable", f"{ctx.not_declared()}: no IC needed", cites)
    assigned = f.roles.get("ic")
    who = ""
    if assigned is not None:
        who = "you" if assigned[1].lower() in ("me", "self", "myself") else assigned[1]
    if level.ic.required != "yes":
        if assigned is not None and level.ic.required == "optional":
            took = ctx.rel(assigned[0])
            detail = (
                f"IC assigned ({who}) at {span(took)} after the first alert; "
                f"an IC is optional at {level.name}"
            )
            return result(cid, "passed", detail, cites, measured=took)
        word = "optional" if level.ic.required == "optional" else "not needed"
        detail = f"an IC is {word} at {level.name} and none was assigned"
        if level.ic.required == "no":
            detail = f"an IC is not needed at {level.name}"
        return result(cid, "not_applicable", detail, cites)
    given = [v for v in (rule.within, level.ic.within) if v is not None]
    limit: float | None = min(given) if given else level.response_time.within
    if not given:
        cites.append((level.response_time.source, level.response_time.says))
    why = ""
    if rule.within is not None and level.ic.within is not None and rule.within != level.ic.within:
        why = f" (the stricter of {span(rule.within)} and {level.name}'s {span(level.ic.within)})"
    limit_text = (
        f"the limit at {level.name} is {span(limit)}{why}" if limit is not None else "no limit"
    )
    if assigned is None:
        if ctx.ahead(None if limit is None else ctx.start + limit):
            return result(cid, "pending", f"no IC yet; {limit_text}", cites, limit=limit)
        detail = f"no IC was assigned; an IC is required at {level.name}; {limit_text}"
        return result(cid, "failed", detail, cites, limit=limit)
    took = ctx.rel(assigned[0])
    ok = limit is None or took <= limit + EPS
    detail = f"IC assigned ({who}) at {span(took)} after the first alert; {limit_text}"
    return result(cid, "passed" if ok else "failed", detail, cites, measured=took, limit=limit)
