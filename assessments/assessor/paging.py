"""``page_escalation``: the right people paged, and an escalation when stuck.

The level's ``page.targets`` (or their on-call responder) and the scenario's ``expected.page``
paged within the response time, ``expected.escalate_to`` reached, and an ``escalate`` by the
``no_root_cause`` trigger's time when no diagnostic had revealed a root-cause fault by then
(``escalation_state``, shared with the anti-patterns' "Not escalating").

A page or escalation target names a responder by ``simulator.people``'s rule, the one the
engine applies to the same commands.
This module grades its criteria from a ``Context``; it must not read events or compute the score.
"""

from __future__ import annotations

from collections.abc import Callable

from assessments.assessor.context import EPS, Cites, Context, result, span
from assessments.assessor.facts import target_key
from assessments.assessor.results import CriterionResult
from simulator.model import Scenario
from simulator.people import find_responder


def _responder_id(key: str, s: Scenario) -> str | None:
    """The id of the responder a page or escalation target names (the engine's own rule)."""
    found = find_responder(key, s.responders)
    return found.id if found is not None else None


def page_escalation(ctx: Context) -> CriterionResult:
    """The right people paged in time, and an escalation when no root cause was found."""
    f, level, s = ctx.facts, ctx.level, ctx.scenario
    cid = "page_escalation"
    response = level.response_time.within
    cites: Cites = [(level.page.source, level.page.says)]
    if response is not None:
        cites.append((level.response_time.source, level.response_time.says))
    trigger = ctx.policy.trigger("no_root_cause")
    if not ctx.incident:
        return result(cid, "not_applicable", f"{ctx.not_declared()}: nobody to page", cites)
    responders = {r.id: r for r in s.responders}

    def first(pairs: list[tuple[float, str]], accept: Callable[[str], bool]) -> float | None:
        return next((t for t, key in pairs if accept(key)), None)

    def rotation_of(key: str) -> str | None:
        rid = _responder_id(key, s)
        return responders[rid].rotation if rid else None

    needed: list[tuple[str, float | None, float | None]] = []
    """(who, when reached, deadline from start)."""
    for target in level.page.targets:

        def paged(k: str, tg: str = target) -> bool:
            return k == tg or rotation_of(k) == tg

        when = first(f.pages, paged)
        needed.append((f"the {target.replace('_', ' ')} rotation", when, response))
    for rid in s.expected.page:
        r = responders.get(rid)
        label = f"{r.name} ({r.role})" if r else rid

        def reaches(k: str, rid: str = rid) -> bool:
            rot = responders[rid].rotation if rid in responders else None
            return _responder_id(k, s) == rid or (rot is not None and k == rot)

        def named(k: str, rid: str = rid) -> bool:
            return _responder_id(k, s) == rid

        when = first(f.pages, reaches)
        esc = first(f.escalations, named)
        reached = min((x for x in (when, esc) if x is not None), default=None)
        needed.append((label, reached, response))
    for escalate_to in s.expected.escalate_to:

        def hit(k: str, key: str = target_key(escalate_to)) -> bool:
            wanted = _responder_id(key, s)
            return k == key or (wanted is not None and _responder_id(k, s) == wanted)

        when = min(
            (x for x in (first(f.escalations, hit), first(f.pages, hit)) if x is not None),
            default=None,
        )
        needed.append((f"{escalate_to} (escalation)", when, None))
    problems: list[str] = []
    waiting: list[str] = []
    reached_at: list[float] = []
    done: list[str] = []
    for who, when, deadline in needed:
        if when is None:
            if ctx.ahead(None if deadline is None else ctx.start + deadline):
                waiting.append(who)
            else:
                limit_text = f" within {span(deadline)}" if deadline is not None else ""
                problems.append(f"did not page {who}{limit_text}")
            continue
        took = ctx.rel(when)
        reached_at.append(took)
        if deadline is not None and took > deadline + EPS:
            problems.append(f"paged {who} at {span(took)}, after the {span(deadline)} limit")
        else:
            done.append(f"{who} at {span(took)}")
    escalation_note = ""
    state, when = escalation_state(ctx)
    if trigger is not None and trigger.after is not None and state != "none":
        cites.append((trigger.source, trigger.says))
        rule = f'the rule: "{trigger.says}"'
        if state == "found" and when is not None:
            escalation_note = (
                f"root cause found at {ctx.since_start(when)}, so no escalation was needed ({rule})"
            )
        elif state == "resolved":
            escalation_note = "resolved before an escalation was due"
        elif state == "escalated" and when is not None:
            escalation_note = (
                f"escalated at {ctx.since_start(when)} with no root cause found ({rule})"
            )
            done.append("the escalation")
        elif state == "waiting":
            waiting.append(f"an escalation if no root cause by {span(trigger.after)}")
        else:
            later = (
                f"was not found until {ctx.since_start(when)}"
                if when is not None
                else "was never found by a diagnostic"
            )
            problems.append(
                f"no escalation by {span(trigger.after)} although the root cause {later} ({rule})"
            )
    if not needed and not problems and not waiting and not done:
        detail = f"nobody has to be paged at {level.name}"
        if escalation_note:
            detail += f"; {escalation_note}"
        return result(cid, "not_applicable", detail, cites)
    measured = max(reached_at) if reached_at and all(w is not None for _, w, _ in needed) else None
    if problems:
        return result(cid, "failed", "; ".join(problems), cites, measured=measured, limit=response)
    if waiting:
        so_far = f"reached {', '.join(done)}; " if done else ""
        detail = f"{so_far}still due: {', '.join(waiting)}"
        return result(cid, "pending", detail, cites, limit=response)
    detail = f"paged {', '.join(done)}" if done else "nothing to page"
    if escalation_note:
        detail += f"; {escalation_note}"
    return result(cid, "passed", detail, cites, measured=measured, limit=response)


def escalation_state(ctx: Context) -> tuple[str, float | None]:
    """Where the ``no_root_cause`` escalation trigger stands, and the time that says so.

    ``none`` (the policy has no such trigger with a time), ``found`` (root cause found in
    time; the time it was found), ``resolved`` (resolved before it fell due), ``escalated``
    (an ``escalate`` by the deadline; its time), ``waiting`` (live, not due yet) or ``missed``
    (the time the root cause was found later, or ``None``).
    """
    trigger = ctx.policy.trigger("no_root_cause")
    if trigger is None or trigger.after is None:
        return "none", None
    f = ctx.facts
    due = ctx.start + trigger.after
    if f.root_found_at is not None and f.root_found_at <= due + EPS:
        return "found", f.root_found_at
    if f.resolved_at is not None and f.resolved_at <= due + EPS:
        return "resolved", f.resolved_at
    escalated = next((t for t, _ in f.escalations if t <= due + EPS), None)
    if escalated is not None:
        return "escalated", escalated
    if ctx.ahead(due):
        return "waiting", None
    return "missed", f.root_found_at
