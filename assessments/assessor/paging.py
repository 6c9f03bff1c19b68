"""``page_escalation``: the right people paged, and every escalation the policy writes down.

Pages: the level's ``page.targets`` (a rotation, or a responder on it) and the scenario's
``expected.page`` reached within the response time; a responder already engaged in the
incident (in it from the start, or joined) counts as paged from that moment. The scenario's
``expected.escalate_to`` must be reached (an ``escalate`` or a ``page``).

Escalations (``escalation_rules``): every row of the level's escalation matrix after the
initial page (``Level.escalation`` with a time and a target: ``not_resolved``), every timed
trigger with a condition (``rules.escalation_triggers``: ``root_cause_not_found``,
``not_resolved``, ``impact_ongoing``) and every untimed trigger the scenario says became true at
a moment (``expected.triggers``: an inject delivered, a fault started, an alert fired, a time).
No rule is due once the incident was declared resolved. ``root_cause_not_found`` holds while
no root cause is known (``Facts.root_known_at``: revealed by a diagnostic, or cleared or ended
by a mitigation: whoever fixed the cause had found it). ``not_resolved`` and
``impact_ongoing`` hold while the incident's impact is on (``Facts.impact_on``: a root cause
active or an alert the scenario does not call unrelated firing): the seeds' resolution is the
service restored ("Confirm service is fully restored and stable", training module §Session 1,
Phase 4; NEXUS "P0 not resolved in 30 min"; AgentOS "Escalate if no progress within 1
hour"), not the declaration, which the stability window holds back 15 to 30 minutes after it
(read as the declaration, NEXUS's "P0 not resolved in 30 min" would fall due in every P0,
since its window is 30 minutes).
A rule whose condition holds at its time T is met by an ``escalate`` (or, for a rotation, a
``page``) to its target at or before T + the policy's reaction window (``rules.reaction``, an
interpretation of "immediately" that the policy file cites); escalating earlier always counts,
escalating to someone else never does. A target of ``ic_rotation`` is also met by an IC
assigned. A rule whose time came after the exercise ended is not due.

A page or escalation target names a responder by ``simulator.people``'s rule, the one the
engine applies to the same commands.
This module grades its criteria from a ``Context``; it must not read events or compute the score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assessments.assessor.context import EPS, Cites, Context, result, span
from assessments.assessor.facts import target_key
from assessments.assessor.results import CriterionResult
from simulator.model import Scenario
from simulator.people import find_responder

_WHO = {
    "primary": "the primary on-call",
    "secondary": "the secondary on-call",
    "ic_rotation": "the IC rotation",
    "management": "management",
    "security": "security",
    "eng_lead": "the engineering lead",
    "team_lead": "the team lead",
    "vp_engineering": "the VP Engineering",
    "cto": "the CTO",
    "ceo": "the CEO",
}


def who(target: str) -> str:
    """A page or escalation target as a trainee reads it: ``the secondary on-call``."""
    return _WHO.get(target, target.replace("_", " "))


def _responder_id(key: str, s: Scenario) -> str | None:
    """The id of the responder a page or escalation target names (the engine's own rule)."""
    found = find_responder(key, s.responders)
    return found.id if found is not None else None


def reaches(ctx: Context, key: str, target: str) -> bool:
    """Whether a page or escalation to ``key`` reaches ``target`` (a rotation, role or person)."""
    s = ctx.scenario
    if key == target:
        return True
    rid = _responder_id(key, s)
    if rid is None:
        return False
    r = next(x for x in s.responders if x.id == rid)
    return r.rotation == target or _responder_id(target, s) == rid


@dataclass(frozen=True)
class Rule:
    """One timed escalation rule of the policy in force, as judged for this exercise."""

    says: str
    """The policy line."""
    source: str
    """Where it is."""
    target: str
    """Whom to escalate to."""
    due: float
    """Sim time the rule falls due."""
    deadline: float
    """Sim time by which the escalation must be made (``due`` + reaction)."""
    condition: str
    """``root_cause_not_found``, ``not_resolved`` or ``impact_ongoing``."""
    after: float
    """Seconds after the incident's start."""


def escalation_rules(ctx: Context) -> list[Rule]:
    """Every timed escalation rule at the level in force (``Policy.escalation_rules``), and
    every untimed trigger the scenario says became true at a moment (``expected.triggers``)."""
    window = ctx.policy.reaction_window
    rules = [
        Rule(
            r.says,
            r.source,
            r.target,
            ctx.start + r.after,
            ctx.start + r.after + window,
            r.condition,
            r.after,
        )
        for r in ctx.policy.escalation_rules(ctx.level)
    ]
    for moment in ctx.scenario.expected.triggers:
        trigger = ctx.policy.trigger(moment.trigger)
        if trigger is None or trigger.target is None:
            continue
        if moment.at is not None:
            when: float | None = moment.at if moment.at <= ctx.horizon else None
        else:
            kind = "inject" if moment.inject else "fault" if moment.fault else "alert"
            key = moment.inject or moment.fault or moment.alert or ""
            when = ctx.facts.happened.get((kind, key))
        if when is None:
            continue
        rules.append(
            Rule(
                trigger.says,
                trigger.source,
                trigger.target,
                when,
                when + window,
                "happened",
                ctx.rel(when),
            )
        )
    return sorted(rules, key=lambda r: (r.due, r.target))


def _by(t: float | None, due: float) -> bool:
    return t is not None and t <= due + EPS


def _false_already(ctx: Context, rule: Rule) -> bool:
    """Whether the rule's condition was settled false before its time (declared resolved, or a
    root cause known, by then)."""
    f = ctx.facts
    if _by(f.resolved_at, rule.due):
        return True
    return rule.condition == "root_cause_not_found" and _by(f.root_known_at, rule.due)


def _holds(ctx: Context, rule: Rule) -> bool:
    """Whether the rule's condition held at its time (the module docstring says how each
    condition is read)."""
    f = ctx.facts
    if _by(f.resolved_at, rule.due):
        return False
    if rule.condition == "root_cause_not_found":
        return not _by(f.root_known_at, rule.due)
    if rule.condition == "happened":
        return True
    return f.impact_on(rule.due)


def escalated_at(ctx: Context, target: str) -> list[tuple[float, str]]:
    """(time, typed target) of every escalation or page that reaches ``target``."""
    f = ctx.facts
    hits = [(t, k) for t, k in [*f.escalations, *f.pages] if reaches(ctx, k, target)]
    if target == "ic_rotation" and "ic" in f.roles:
        hits.append((f.roles["ic"][0], "an IC assigned"))
    return sorted(hits)


def judge_rule(ctx: Context, rule: Rule) -> tuple[str, str]:
    """(state, detail) of one rule: ``met``, ``not_needed``, ``not_due`` (its time came after the
    end), ``ahead`` (live, its time has not come: it does not hold the criterion pending),
    ``waiting`` (live, due and inside the reaction window), ``missed`` or ``late``."""
    label = f'"{rule.says}"'
    hits = escalated_at(ctx, rule.target)
    in_time = [(t, k) for t, k in hits if t <= rule.deadline + EPS]

    def met(t: float, key: str) -> str:
        if key == "an IC assigned":
            return f"an IC assigned at {ctx.since_start(t)} ({label})"
        return f"escalated to {who(rule.target)} at {ctx.since_start(t)} ({label})"

    if _false_already(ctx, rule):
        return "not_needed", ""
    if ctx.live and (ctx.now or 0.0) < rule.due - EPS:
        if in_time:
            return "met", met(*in_time[0])
        return "ahead", f"{who(rule.target)} at {span(rule.after)} if still {_cond(rule)}"
    if ctx.not_due(rule.due):
        return "not_due", f"{who(rule.target)} ({span(rule.after)})"
    if not _holds(ctx, rule):
        return "not_needed", ""
    window = span(rule.deadline - rule.due)
    if in_time:
        return "met", met(*in_time[0])
    if ctx.live and (ctx.now or 0.0) <= rule.deadline + EPS:
        return "waiting", f"{who(rule.target)} by {ctx.since_start(rule.deadline)} ({label})"
    wrong = [
        (t, k)
        for t, k in ctx.facts.escalations
        if rule.due - EPS <= t <= rule.deadline + EPS and not reaches(ctx, k, rule.target)
    ]
    also = ""
    if wrong:
        also = "; escalating to " + ", ".join(who(k) for _, k in wrong) + " does not count"
    if hits:
        late = hits[0][0] if hits[0][0] > rule.deadline else hits[-1][0]
        return (
            "late",
            f"escalated to {who(rule.target)} at {ctx.since_start(late)}, after "
            f"{ctx.since_start(rule.deadline)} ({span(rule.after)} {_cond(rule)} + the {window} "
            f"reaction window; {label}){also}",
        )
    return (
        "missed",
        f"no escalation to {who(rule.target)} by {ctx.since_start(rule.deadline)} although "
        f"{_condition_text(rule)} at {span(rule.after)} ({label}; {window} reaction window){also}",
    )


def _cond(rule: Rule) -> str:
    return {
        "not_resolved": "unresolved",
        "root_cause_not_found": "without a root cause",
        "impact_ongoing": "with customer impact",
        "happened": "once it held",
    }[rule.condition]


def _condition_text(rule: Rule) -> str:
    return {
        "not_resolved": "the incident was still unresolved (its impact not ended)",
        "root_cause_not_found": "no root cause had been found",
        "impact_ongoing": "the impact was still on",
        "happened": "the trigger held",
    }[rule.condition]


def page_escalation(ctx: Context) -> CriterionResult:
    """The right people paged in time, and every escalation the policy writes down made."""
    f, level, s = ctx.facts, ctx.level, ctx.scenario
    cid = "page_escalation"
    response = level.response_time.within
    cites: Cites = [(level.page.source, level.page.says)]
    if response is not None:
        cites.append((level.response_time.source, level.response_time.says))
    if not ctx.incident:
        return result(cid, "not_applicable", f"{ctx.not_declared()}: nobody to page", cites)
    responders = {r.id: r for r in s.responders}

    def first(pairs: list[tuple[float, str]], accept: Callable[[str], bool]) -> float | None:
        return next((t for t, key in pairs if accept(key)), None)

    def first_to(pairs: list[tuple[float, str]], target: str) -> float | None:
        return next((t for t, key in pairs if reaches(ctx, key, target)), None)

    def engaged_on(rotation: str) -> float | None:
        times = [
            t
            for rid, t in f.engaged.items()
            if rid in responders and responders[rid].rotation == rotation
        ]
        return min(times) if times else None

    needed: list[tuple[str, float | None, float | None]] = []
    """(who, when reached, deadline from start)."""
    for target in level.page.targets:
        when = first_to(f.pages, target)
        already = engaged_on(target)
        name = who(target)
        if already is not None and (when is None or already <= when):
            name += " (already in the incident)"
        reached = min((x for x in (when, already) if x is not None), default=None)
        needed.append((name, reached, response))
    for rid in s.expected.page:
        r = responders.get(rid)
        label = f"{r.name} ({r.role})" if r else rid

        def hit(k: str, rid: str = rid) -> bool:
            rot = responders[rid].rotation if rid in responders else None
            return _responder_id(k, s) == rid or (rot is not None and k == rot)

        when = first(f.pages, hit)
        esc = first_to(f.escalations, rid)
        joined = f.engaged.get(rid)
        if joined is not None and joined <= 0.0 and when is None and esc is None:
            label += " (already in the incident)"
        reached = min((x for x in (when, esc, joined) if x is not None), default=None)
        needed.append((label, reached, response))
    for escalate_to in s.expected.escalate_to:
        key = target_key(escalate_to)
        when = first_to(sorted([*f.escalations, *f.pages]), key)
        needed.append((f"{who(key)} (an escalation this incident calls for)", when, None))
    problems: list[str] = []
    waiting: list[str] = []
    reached_at: list[float] = []
    done: list[str] = []
    for name, when, deadline in needed:
        if when is None:
            if ctx.ahead(None if deadline is None else ctx.start + deadline):
                waiting.append(name)
            else:
                limit_text = f" within {span(deadline)}" if deadline is not None else ""
                problems.append(f"did not page {name}{limit_text}")
            continue
        took = ctx.rel(when)
        reached_at.append(took)
        if deadline is not None and took > deadline + EPS:
            problems.append(f"paged {name} at {span(took)}, after the {span(deadline)} limit")
        else:
            done.append(f"{name} at {span(took)}")
    notes: list[str] = []
    escalation_miss: tuple[float | None, float] | None = None
    """(escalated at, deadline) of the first escalation missed when no page was."""
    later: list[str] = []
    upcoming: list[str] = []
    escalated: list[str] = []
    for rule in escalation_rules(ctx):
        state, detail = judge_rule(ctx, rule)
        if state == "not_needed":
            continue
        cites.append((rule.source, rule.says))
        if state in ("missed", "late"):
            if not problems and escalation_miss is None:
                late = [t for t, _ in escalated_at(ctx, rule.target) if t > rule.deadline + EPS]
                escalation_miss = (
                    ctx.rel(late[0]) if state == "late" and late else None,
                    rule.deadline - ctx.start,
                )
            problems.append(detail)
        elif state == "waiting":
            waiting.append(f"an escalation to {detail}")
        elif state == "met":
            escalated.append(detail)
        elif state == "not_due":
            later.append(detail)
        elif state == "ahead":
            upcoming.append(detail)
    if later:
        notes.append("escalations not due when the exercise ended: " + ", ".join(later))
    if upcoming:
        notes.append("escalations ahead: " + ", ".join(upcoming))
    reaction = ctx.policy.rules.reaction
    if reaction is not None and (escalated or problems or waiting):
        cites.append((reaction.source, reaction.says))
    if not needed and not problems and not waiting and not escalated:
        detail = f"nobody has to be paged at {level.name}"
        if notes:
            detail += "; " + "; ".join(notes)
        return result(cid, "not_applicable", detail, cites)
    measured = max(reached_at) if reached_at and all(w is not None for _, w, _ in needed) else None
    tail = "".join(f"; {x}" for x in [*escalated, *notes])
    if problems:
        so_far = f"; paged {', '.join(done)}" if done else ""
        detail = "; ".join(problems) + so_far + tail
        if escalation_miss is not None:
            # Measured and limit describe the escalation that failed, not an earlier page.
            measured_esc, deadline = escalation_miss
            return result(cid, "failed", detail, cites, measured=measured_esc, limit=deadline)
        return result(cid, "failed", detail, cites, measured=measured, limit=response)
    if waiting:
        so_far = f"paged {', '.join(done)}; " if done else ""
        detail = f"{so_far}still due: {', '.join(waiting)}{tail}"
        return result(cid, "pending", detail, cites, limit=response, waiting=tuple(waiting))
    detail = f"paged {', '.join(done)}" if done else "nobody had to be paged"
    return result(cid, "passed", detail + tail, cites, measured=measured, limit=response)


def escalation_state(ctx: Context) -> tuple[str, float | None]:
    """Where the ``no_root_cause`` escalation trigger stands, and the time that says so.

    ``none`` (the policy has no such trigger with a time), ``found`` (a root cause known in
    time, ``Facts.root_known_at``; the time it was known), ``resolved`` (resolved before it
    fell due), ``escalated`` (an escalation to its target within the reaction window; its
    time), ``waiting`` (live, not due yet) or ``missed`` (the time a root cause was known
    later, or ``None``).
    """
    trigger = ctx.policy.trigger("no_root_cause")
    if trigger is None or trigger.after is None:
        return "none", None
    f = ctx.facts
    due = ctx.start + trigger.after
    reaction = ctx.policy.rules.reaction
    deadline = due + (reaction.within if reaction is not None else 0.0)
    if _by(f.root_known_at, due):
        return "found", f.root_known_at
    if _by(f.resolved_at, due):
        return "resolved", f.resolved_at
    target = trigger.target
    hits = [t for t, k in f.escalations if target is None or reaches(ctx, k, target)]
    escalated = next((t for t in hits if t <= deadline + EPS), None)
    if escalated is not None:
        return "escalated", escalated
    if ctx.ahead(deadline):
        return "waiting", None
    return "missed", f.root_known_at
