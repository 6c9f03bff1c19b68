"""Grade what a trainee did, and when, against the policy in force.

``grade`` is a pure function of an event list: a finished journal's events, or a running
session's events so far (``LiveAssessor`` keeps that list for a live engine). It checks the
eleven exercise criteria of DESIGN.md (ids are stable) and lists what else a facilitator
debriefs: rejected actions, harmful and wasted mitigations, and the training module's
anti-patterns. Every limit comes from the policy (each criterion carries the ``source`` and
``says`` of the rule it applies) and follows the level the scenario calls for under that
policy (``Policy.level_for``), never the level the trainee chose: a wrong classification
fails ``severity_correct`` and nothing else.

Times:
    Incident start for the trainee is the first ``alert_firing`` event (when no alert ever
    fires, the first inject). Measured times are seconds from that start unless a criterion
    says otherwise; ``measured_s`` is ``None`` when the thing was never done. A deadline is
    met when the time is less than or equal to it (an acknowledgement at exactly 2m00s
    passes).

Criteria (limits from the expected level under the policy in force; "in time" means <=):
    ``ack_alert``: the first firing alert acknowledged within ``rules.acknowledge`` (else the
    level's response time); acknowledging another alert does not count.
    ``create_channel``: a channel within ``rules.channel.within`` (else the response time),
    named per ``ChannelRule.matches``; a name that carries a date and time (the shape of
    ``rules.channel.strftime``) must carry detection's, give or take the channel deadline.
    ``assign_ic``: ``assign_role ic`` within the stricter of ``rules.assign_ic`` and the level's
    ``ic.within`` where ``ic.required`` is ``yes``; optional: not applicable unless assigned.
    ``update_cadence``: the longest stretch without a ``post_update audience: incident``, from
    the channel's creation to resolution (or the end), within the level's cadence; at least
    one update; a level with no cadence needs the resolution announced in the channel.
    ``severity_correct``: the classification in force at resolution (or the end) is the
    expected level; for a scenario that is not an incident, also not declared.
    ``status_page``: the first status-page update within the level's ``status_page.within``.
    ``notify_stakeholders``: every ``notify`` entry with a deadline notified in time.
    ``page_escalation``: the level's ``page.targets`` (or their on-call responder) and the
    scenario's ``expected.page`` paged within the response time, ``expected.escalate_to``
    reached, and an ``escalate`` by the ``no_root_cause`` trigger's time when no diagnostic
    had revealed a root-cause fault by then.
    ``mitigation``: a mitigation cleared a root-cause fault (within the resolution target
    when the level has one) and none started a fault.
    ``resolution_declared``: ``resolve`` with no alert firing and every root-cause fault
    cleared, at least ``rules.stability.min`` after that recovery began.
    ``postmortem_scheduled``: ``schedule_postmortem`` ``within`` the level's deadline (else
    ``rules.postmortem`` for a declared level).
    Incident criteria (all but the first and ``severity_correct``) do not apply when the level
    is not declared as an incident (or the scenario says not to declare) and the trainee did
    not declare.

Status:
    ``passed``, ``failed``, ``pending`` or ``not_applicable``. Grading a finished (or
    stopped) journal never gives ``pending``. With ``now`` (a live session), a criterion that
    is not met yet but still can be (its deadline is ahead, or it is judged at resolution) is
    ``pending``; a pending detail never gives away the answer (the right severity, the
    effective mitigation).

Score and pass (the rule the default policy's ``grading`` block states and cites):
    score = sum of the weights of the passed criteria / sum of the weights of the applicable
    criteria (pending ones count as applicable and not passed). Weights are 1 unless the
    policy's ``grading.weights`` say otherwise. ``passed`` = score >= the pass score:
    ``grading.pass_score`` when the policy sets it, else the certification quiz's pass mark
    (the training module's "Passing Score: 80%", inherited by the AgentOS and NEXUS
    policies).

This module reads events and policies; it must not run the engine, write files, or import
reports or the screen.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, get_args

from assessments.policy import CriterionId, Level, Policy, journal_policy
from simulator import events as ev
from simulator.durations import format_clock, format_duration, parse_duration
from simulator.library import journal_scenario
from simulator.model import Scenario

if TYPE_CHECKING:
    from simulator.engine import Engine
    from simulator.journal import Journal

Status = Literal["passed", "failed", "pending", "not_applicable"]

CRITERIA: tuple[CriterionId, ...] = get_args(CriterionId)
"""The criteria, in the order they are reported."""

TITLES: dict[str, str] = {
    "ack_alert": "First alert acknowledged",
    "create_channel": "Incident channel created and named",
    "assign_ic": "Incident Commander assigned",
    "update_cadence": "Incident-channel updates on cadence",
    "severity_correct": "Severity classified correctly",
    "status_page": "Status page updated",
    "notify_stakeholders": "Stakeholders notified",
    "page_escalation": "Right people paged, escalated when stuck",
    "mitigation": "Effective mitigation chosen",
    "resolution_declared": "Resolved after recovery and stability",
    "postmortem_scheduled": "Postmortem scheduled",
}

SYMBOLS: dict[str, str] = {"passed": "✓", "failed": "✗", "pending": "…", "not_applicable": "–"}
"""How ``render_table`` marks each status (always next to the word, never alone)."""

_EPS = 1e-6

_STAKEHOLDERS = {
    "cto": "the CTO",
    "ceo": "the CEO",
    "eng_lead": "the engineering lead",
    "team_lead": "the team lead",
    "support": "Customer Support",
}

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


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """How one criterion went."""

    id: str
    """Stable criterion id, e.g. ``ack_alert``."""
    title: str
    """What it checks, in a few words."""
    status: Status
    """``passed``, ``failed``, ``pending`` or ``not_applicable``."""
    measured_s: float | None
    """What was measured, in seconds (see each criterion); ``None`` when never done."""
    limit_s: float | None
    """The limit it is held to, in seconds; ``None`` when it has none."""
    detail: str
    """One line a trainee understands."""
    weight: float = 1.0
    """Its weight in the score."""
    source: str = ""
    """The policy lines it applies (their ``source`` citations)."""
    says: str = ""
    """What those lines say, in the seed's words."""

    @property
    def passed(self) -> bool:
        """Whether the criterion is met."""
        return self.status == "passed"

    @property
    def applicable(self) -> bool:
        """Whether it counts towards the score (pending ones do)."""
        return self.status != "not_applicable"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (DESIGN.md's ``{id, passed, measured_s, limit_s, detail}`` and more)."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "passed": self.passed,
            "applicable": self.applicable,
            "measured_s": _json_seconds(self.measured_s),
            "limit_s": _json_seconds(self.limit_s),
            "detail": self.detail,
            "weight": self.weight,
            "source": self.source,
            "says": self.says,
        }


@dataclass(frozen=True, slots=True)
class RejectedAction:
    """A trainee action the simulator refused."""

    t: float
    """Sim time."""
    command: str
    """The action, e.g. ``assign role ic me``."""
    reason: str
    """Why it was refused."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"t": self.t, "command": self.command, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class HarmfulMitigation:
    """A mitigation that started faults of its own."""

    t: float
    """Sim time it completed."""
    id: str
    """Mitigation id."""
    started: tuple[str, ...]
    """What it started: the faults' titles (ids in brackets)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"t": self.t, "id": self.id, "started": list(self.started)}


@dataclass(frozen=True, slots=True)
class WastedMitigation:
    """A mitigation that completed and changed nothing."""

    t: float
    """Sim time it completed."""
    id: str
    """Mitigation id."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"t": self.t, "id": self.id}


@dataclass(frozen=True, slots=True)
class AntiPattern:
    """Something the training module's anti-pattern tables warn against."""

    t: float
    """Sim time it happened (or was first seen)."""
    pattern: str
    """The table's name for it, e.g. ``Debugging code yourself``."""
    detail: str
    """What the trainee did."""
    says: str
    """The table row: anti-pattern | why it's bad | what to do instead."""
    source: str
    """The table."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "t": self.t,
            "pattern": self.pattern,
            "detail": self.detail,
            "says": self.says,
            "source": self.source,
        }


@dataclass(frozen=True)
class Assessment:
    """The grade of one exercise (or of a live one so far)."""

    scenario: str
    """Scenario id."""
    trainee: str
    """Trainee name."""
    policy: str
    """Policy id."""
    level: str
    """The level in force: the one the scenario calls for under the policy."""
    seed: int
    """The run's seed."""
    score: float
    """Weighted share of the applicable criteria passed, 0..1."""
    passed: bool
    """``score >= pass_score``."""
    criteria: list[CriterionResult]
    """Every criterion, in DESIGN.md order."""
    rejected_actions: list[RejectedAction] = field(default_factory=list)
    """Actions the simulator refused, in time order."""
    harmful_mitigations: list[HarmfulMitigation] = field(default_factory=list)
    """Mitigations that made things worse."""
    wasted_mitigations: list[WastedMitigation] = field(default_factory=list)
    """Mitigations that changed nothing."""
    anti_patterns: list[AntiPattern] = field(default_factory=list)
    """What the anti-pattern tables warn against, in time order."""
    warnings: list[str] = field(default_factory=list)
    """Anything that makes the grade less certain (changed scenario, truncated journal …)."""
    pass_score: float = 0.8
    """The score needed to pass."""
    pass_source: str = ""
    """Where the pass score comes from."""
    live: bool = False
    """Whether this is a running session's grade so far."""
    now: float | None = None
    """Sim time the grade is as of (live), or ``None``."""

    def criterion(self, criterion_id: str) -> CriterionResult:
        """The result for one criterion id.

        Raises:
            KeyError: for an unknown id.
        """
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def failed(self) -> list[str]:
        """The ids of the failed criteria."""
        return [c.id for c in self.criteria if c.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        """The assessment JSON (DESIGN.md): scenario, trainee, policy, score, passed, criteria …"""
        return {
            "scenario": self.scenario,
            "trainee": self.trainee,
            "policy": self.policy,
            "level": self.level,
            "seed": self.seed,
            "score": self.score,
            "passed": self.passed,
            "pass_score": self.pass_score,
            "pass_source": self.pass_source,
            "live": self.live,
            "now": self.now,
            "criteria": [c.to_dict() for c in self.criteria],
            "rejected_actions": [r.to_dict() for r in self.rejected_actions],
            "harmful_mitigations": [m.to_dict() for m in self.harmful_mitigations],
            "wasted_mitigations": [m.to_dict() for m in self.wasted_mitigations],
            "anti_patterns": [a.to_dict() for a in self.anti_patterns],
            "warnings": list(self.warnings),
        }


def _json_seconds(value: float | None) -> float | None:
    if value is None or math.isinf(value):
        return None
    return round(value, 3)


# --------------------------------------------------------------------------- facts


@dataclass
class _Facts:
    """Everything grading needs, gathered in one pass over the events."""

    first_alert: str | None = None
    first_alert_t: float | None = None
    first_inject_t: float | None = None
    last_t: float = 0.0
    ended_at: float | None = None
    acks: dict[str, list[float]] = field(default_factory=dict)
    classified: list[tuple[float, str]] = field(default_factory=list)
    declared_at: float | None = None
    channel: tuple[float, str] | None = None
    roles: dict[str, tuple[float, str]] = field(default_factory=dict)
    pages: list[tuple[float, str]] = field(default_factory=list)
    escalations: list[tuple[float, str]] = field(default_factory=list)
    notified: dict[str, float] = field(default_factory=dict)
    updates: list[tuple[float, str, str]] = field(default_factory=list)
    resolved_at: float | None = None
    postmortem: tuple[float, float] | None = None
    notes: int = 0
    ic_diagnostics: list[tuple[float, str]] = field(default_factory=list)
    mitigations_started: list[tuple[float, str]] = field(default_factory=list)
    finished: list[ev.MitigationFinished] = field(default_factory=list)
    root_found_at: float | None = None
    healthy_since: float | None = 0.0
    ever_broken: bool = False
    firing: dict[str, None] = field(default_factory=dict)
    active_root: dict[str, None] = field(default_factory=dict)
    at_resolve: tuple[float | None, tuple[str, ...], tuple[str, ...]] | None = None
    """(healthy since, alerts firing, root-cause faults active) when ``resolve`` was accepted."""
    rejected: list[RejectedAction] = field(default_factory=list)
    levels_seen: set[str] = field(default_factory=set)


def _gather(events: Iterable[ev.Event], root: frozenset[str]) -> _Facts:
    f = _Facts()

    def health(t: float) -> None:
        broken = bool(f.firing or f.active_root)
        if broken:
            f.healthy_since = None
            f.ever_broken = True
        elif f.healthy_since is None:
            f.healthy_since = t

    for e in events:
        kind = e.kind
        if kind == "metrics":
            continue
        f.last_t = e.t
        if kind == "action":
            assert isinstance(e, ev.ActionAccepted)
            if e.by == "trainee":
                _action(f, e.t, e.command)
                if e.command.get("do") == "resolve" and f.at_resolve is None:
                    f.at_resolve = (f.healthy_since, tuple(f.firing), tuple(f.active_root))
        elif kind == "alert_firing":
            assert isinstance(e, ev.AlertFiring)
            if f.first_alert is None:
                f.first_alert, f.first_alert_t = e.alert, e.t
            f.firing[e.alert] = None
            health(e.t)
        elif kind == "alert_resolved":
            assert isinstance(e, ev.AlertResolved)
            f.firing.pop(e.alert, None)
            health(e.t)
        elif kind == "fault_started":
            assert isinstance(e, ev.FaultStarted)
            if e.fault in root:
                f.active_root[e.fault] = None
                health(e.t)
        elif kind == "fault_cleared":
            assert isinstance(e, ev.FaultCleared)
            if e.fault in root:
                f.active_root.pop(e.fault, None)
                health(e.t)
        elif kind == "diagnostic_result":
            assert isinstance(e, ev.DiagnosticResult)
            if f.root_found_at is None and any(x in root for x in e.reveals):
                f.root_found_at = e.t
        elif kind == "diagnostic_started":
            assert isinstance(e, ev.DiagnosticStarted)
            if e.by == "ic":
                f.ic_diagnostics.append((e.t, e.diagnostic))
        elif kind == "mitigation_started":
            assert isinstance(e, ev.MitigationStarted)
            f.mitigations_started.append((e.t, e.mitigation))
        elif kind == "mitigation_finished":
            assert isinstance(e, ev.MitigationFinished)
            f.finished.append(e)
        elif kind == "inject":
            if f.first_inject_t is None:
                f.first_inject_t = e.t
        elif kind == "rejected":
            assert isinstance(e, ev.ActionRejected)
            if e.by == "trainee":
                f.rejected.append(RejectedAction(e.t, _describe(e.command), e.reason))
        elif kind == "scenario_ended":
            f.ended_at = e.t
    return f


def _action(f: _Facts, t: float, command: Mapping[str, Any]) -> None:
    do = command.get("do")
    if do == "acknowledge":
        f.acks.setdefault(str(command.get("alert")), []).append(t)
    elif do == "classify":
        level = str(command.get("severity"))
        f.classified.append((t, level))
        f.levels_seen.add(level)
    elif do == "declare":
        if f.declared_at is None:
            f.declared_at = t
    elif do == "create_channel":
        if f.channel is None:
            f.channel = (t, str(command.get("name")))
    elif do == "assign_role":
        role = str(command.get("role"))
        if role not in f.roles:
            f.roles[role] = (t, str(command.get("person")))
    elif do == "page":
        f.pages.append((t, _key(command.get("target"))))
    elif do == "escalate":
        f.escalations.append((t, _key(command.get("to"))))
    elif do == "notify":
        f.notified.setdefault(str(command.get("stakeholder")), t)
    elif do == "post_update":
        f.updates.append((t, str(command.get("audience")), str(command.get("status"))))
    elif do == "resolve":
        if f.resolved_at is None:
            f.resolved_at = t
    elif do == "schedule_postmortem":
        if f.postmortem is None:
            within = command.get("within", 48 * 3600.0)
            try:
                seconds = parse_duration(within)
            except ValueError:
                seconds = math.inf
            f.postmortem = (t, seconds)
    elif do == "note":
        f.notes += 1


def _key(value: object) -> str:
    return str(value or "").strip().lower().lstrip("@")


def _describe(command: Mapping[str, Any]) -> str:
    do = str(command.get("do", "?")).replace("_", " ")
    values = [str(v) for k, v in command.items() if k not in ("do", "rationale", "text", "reason")]
    return " ".join([do, *values])


# --------------------------------------------------------------------------- context


@dataclass
class _Ctx:
    """What every criterion looks at."""

    scenario: Scenario
    policy: Policy
    level: Level
    facts: _Facts
    start: float
    horizon: float
    """Where the record stops: the end of the exercise, ``now`` live, or the last event."""
    live: bool
    now: float | None
    incident_expected: bool
    """Whether the level is declared as an incident and the scenario says to declare."""
    started: bool = True
    """Whether the incident has started (an alert fired or an inject arrived)."""

    @property
    def incident(self) -> bool:
        """Whether incident criteria apply: an incident is expected, or the trainee declared."""
        return self.incident_expected or self.facts.declared_at is not None

    def rel(self, t: float) -> float:
        """Seconds from incident start (never negative)."""
        return max(0.0, t - self.start)

    def ahead(self, deadline_abs: float | None) -> bool:
        """Live, and the deadline (``None``: the end of the exercise) has not passed yet."""
        if not self.live:
            return False
        if not self.started or deadline_abs is None:
            return True
        return (self.now or 0.0) <= deadline_abs + _EPS

    def wall(self, t: float) -> datetime:
        """In-world time at sim time ``t``."""
        return self.scenario.start + timedelta(seconds=t)

    def clock(self, t: float) -> str:
        """In-world ``HH:MM`` at sim time ``t``."""
        return self.wall(t).strftime("%H:%M")


def _d(seconds: float) -> str:
    return format_duration(round(seconds, 1))


def _at(ctx: _Ctx, t: float) -> str:
    return _d(ctx.rel(t))


def _limit(value: float | None) -> float | None:
    return None if value is None or math.isinf(value) else value


def _one_line(text: str) -> str:
    return " ".join(text.split())


Cites = list[tuple[str, str]]


def _result(
    cid: str,
    status: Status,
    detail: str,
    cites: Cites,
    *,
    measured: float | None = None,
    limit: float | None = None,
) -> CriterionResult:
    sources: list[str] = []
    says: list[str] = []
    for source, said in cites:
        if source not in sources:
            sources.append(source)
        if said not in says:
            says.append(said)
    return CriterionResult(
        id=cid,
        title=TITLES[cid],
        status=status,
        measured_s=measured,
        limit_s=_limit(limit),
        detail=_one_line(detail),
        source="; ".join(sources),
        says=" / ".join(says),
    )


def _not_declared(ctx: _Ctx) -> str:
    why = (
        f"{ctx.level.name} is not declared as an incident"
        if not ctx.level.declare.incident
        else "this scenario is not an incident"
    )
    return f"{why} and you did not declare one"


# --------------------------------------------------------------------------- criteria


def _ack_alert(ctx: _Ctx) -> CriterionResult:
    f, rules = ctx.facts, ctx.policy.rules
    cites: Cites = [(rules.acknowledge.source, rules.acknowledge.says)]
    limit = rules.acknowledge.within
    if limit is None:
        limit = ctx.level.response_time.within
        cites.append((ctx.level.response_time.source, ctx.level.response_time.says))
    cid = "ack_alert"
    if f.first_alert is None or f.first_alert_t is None:
        if ctx.live:
            return _result(cid, "pending", "no alert has fired yet", cites, limit=limit)
        return _result(cid, "not_applicable", "no alert fired in this exercise", cites)
    alert, fired = f.first_alert, f.first_alert_t
    ack = next((t for t in f.acks.get(alert, []) if t >= fired - _EPS), None)
    limit_text = f"the limit is {_d(limit)}" if limit is not None else "there is no limit"
    if ack is not None:
        took = ack - fired
        ok = limit is None or took <= limit + _EPS
        detail = f"acknowledged {alert} {_d(took)} after it fired; {limit_text}"
        return _result(cid, "passed" if ok else "failed", detail, cites, measured=took, limit=limit)
    if ctx.ahead(None if limit is None else fired + limit):
        detail = f"{alert} has been firing for {_d((ctx.now or fired) - fired)}; {limit_text}"
        return _result(cid, "pending", detail, cites, limit=limit)
    others = sorted(a for a in f.acks if a != alert)
    also = f" (acknowledging {', '.join(others)} does not count for it)" if others else ""
    detail = f"{alert}, the first alert to fire, was never acknowledged{also}; {limit_text}"
    return _result(cid, "failed", detail, cites, limit=limit)


def _create_channel(ctx: _Ctx) -> CriterionResult:
    f, rule = ctx.facts, ctx.policy.rules.channel
    cid = "create_channel"
    cites: Cites = [(rule.source, rule.says)]
    limit = rule.within
    if limit is None:
        limit = ctx.level.response_time.within
        cites.append((ctx.level.response_time.source, ctx.level.response_time.says))
    if not ctx.incident:
        return _result(cid, "not_applicable", f"{_not_declared(ctx)}: no channel needed", cites)
    limit_text = f"the limit is {_d(limit)}" if limit is not None else "there is no limit"
    if f.channel is None:
        if ctx.ahead(None if limit is None else ctx.start + limit):
            return _result(cid, "pending", f"no channel yet; {limit_text}", cites, limit=limit)
        detail = f"no incident channel was created; {limit_text}"
        return _result(cid, "failed", detail, cites, limit=limit)
    t, name = f.channel
    took = ctx.rel(t)
    problems: list[str] = []
    if limit is not None and took > limit + _EPS:
        problems.append(f"channel created at {_d(took)} after the first alert; {limit_text}")
    if not rule.matches(name):
        problems.append(f"named {name}; the convention is {rule.convention}")
    else:
        wrong = _name_time_problem(ctx, name, limit)
        if wrong:
            problems.append(wrong)
    if problems:
        return _result(cid, "failed", "; ".join(problems), cites, measured=took, limit=limit)
    detail = f"created {name} at {_d(took)} after the first alert; {limit_text}"
    return _result(cid, "passed", detail, cites, measured=took, limit=limit)


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


def _name_time_problem(ctx: _Ctx, name: str, tolerance: float | None) -> str | None:
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
    if tolerance is not None and off <= tolerance + _EPS:
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
        f"the time in {name} is {stamped:%H:%M}, {_d(off)} away from detection at {when} UTC: "
        f"name it {right}"
    )


def _assign_ic(ctx: _Ctx) -> CriterionResult:
    f, level, rule = ctx.facts, ctx.level, ctx.policy.rules.assign_ic
    cid = "assign_ic"
    cites: Cites = [(rule.source, rule.says), (level.ic.source, level.ic.says)]
    if not ctx.incident:
        return _result(cid, "not_applicable", f"{_not_declared(ctx)}: no IC needed", cites)
    assigned = f.roles.get("ic")
    who = ""
    if assigned is not None:
        who = "you" if assigned[1].lower() in ("me", "self", "myself") else assigned[1]
    if level.ic.required != "yes":
        if assigned is not None and level.ic.required == "optional":
            took = ctx.rel(assigned[0])
            detail = (
                f"IC assigned ({who}) at {_d(took)} after the first alert; "
                f"an IC is optional at {level.name}"
            )
            return _result(cid, "passed", detail, cites, measured=took)
        word = "optional" if level.ic.required == "optional" else "not needed"
        detail = f"an IC is {word} at {level.name} and none was assigned"
        if level.ic.required == "no":
            detail = f"an IC is not needed at {level.name}"
        return _result(cid, "not_applicable", detail, cites)
    given = [v for v in (rule.within, level.ic.within) if v is not None]
    limit: float | None = min(given) if given else level.response_time.within
    if not given:
        cites.append((level.response_time.source, level.response_time.says))
    why = ""
    if rule.within is not None and level.ic.within is not None and rule.within != level.ic.within:
        why = f" (the stricter of {_d(rule.within)} and {level.name}'s {_d(level.ic.within)})"
    limit_text = (
        f"the limit at {level.name} is {_d(limit)}{why}" if limit is not None else "no limit"
    )
    if assigned is None:
        if ctx.ahead(None if limit is None else ctx.start + limit):
            return _result(cid, "pending", f"no IC yet; {limit_text}", cites, limit=limit)
        detail = f"no IC was assigned; an IC is required at {level.name}; {limit_text}"
        return _result(cid, "failed", detail, cites, limit=limit)
    took = ctx.rel(assigned[0])
    ok = limit is None or took <= limit + _EPS
    detail = f"IC assigned ({who}) at {_d(took)} after the first alert; {limit_text}"
    return _result(cid, "passed" if ok else "failed", detail, cites, measured=took, limit=limit)


def _incident_updates(ctx: _Ctx) -> tuple[float, float, list[float]]:
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


def _longest_gap(begin: float, end: float, times: list[float]) -> tuple[float, float, float]:
    """(gap, from, to): the longest stretch without an update, ends included."""
    marks = [begin, *times, end]
    best = (0.0, begin, begin)
    for a, b in itertools.pairwise(marks):
        if b - a > best[0]:
            best = (b - a, a, b)
    return best


def _update_cadence(ctx: _Ctx) -> CriterionResult:
    f, level = ctx.facts, ctx.level
    cid = "update_cadence"
    cadence = ctx.policy.updates_for(level)
    cites: Cites = [(cadence.source, cadence.says)] if cadence is not None else []
    every = cadence.every if cadence is not None else None
    if not ctx.incident:
        return _result(cid, "not_applicable", f"{_not_declared(ctx)}: no updates due", cites)
    if every is None:
        said = cadence.says if cadence is not None else "not stated"
        none = f"no regular cadence at {level.name} ({said})"
        announced = [t for t, a, st in f.updates if a == "incident" and st == "resolved"]
        if f.channel is not None and announced:
            detail = (
                f"{none}; the resolution was announced in the incident channel at "
                f"{_at(ctx, announced[0])} after the first alert"
            )
            return _result(cid, "passed", detail, cites, measured=ctx.rel(announced[0]))
        if ctx.ahead(None) and f.resolved_at is None:
            detail = f"{none}: announce the resolution in the incident channel"
            return _result(cid, "pending", detail, cites)
        detail = f"{none}, but no incident-channel update announced the resolution"
        return _result(cid, "failed", detail, cites)
    if ctx.live and not ctx.started:
        return _result(cid, "pending", "the incident has not started yet", cites, limit=every)
    begin, end, times = _incident_updates(ctx)
    gap, a, b = _longest_gap(begin, end, times)
    since = "the channel's creation" if f.channel is not None else "the incident's start"
    cadence_text = f"the cadence at {level.name} is every {_d(every)}"
    open_ = f.resolved_at is None and ctx.live
    if gap > every + _EPS:
        if not times:
            what = "no incident channel, so no updates" if f.channel is None else "no update"
            detail = f"{what} in the {_d(end - begin)} since {since}; {cadence_text}"
        else:
            detail = (
                f"no incident-channel update for {_d(gap)} (from {_at(ctx, a)} to "
                f"{_at(ctx, b)} after the first alert); {cadence_text}"
            )
        return _result(cid, "failed", detail, cites, measured=gap, limit=every)
    if open_:
        last = times[-1] if times else begin
        detail = (
            f"on cadence so far: longest gap {_d(gap)}; next update due by "
            f"{_at(ctx, last + every)} after the first alert; {cadence_text}"
        )
        return _result(cid, "pending", detail, cites, measured=gap, limit=every)
    if not times:
        detail = f"no update in the {_d(end - begin)} since {since}; {cadence_text}"
        return _result(cid, "failed", detail, cites, measured=gap, limit=every)
    until = "resolution" if f.resolved_at is not None else "the end"
    count = f"{len(times)} incident-channel update{'s' if len(times) != 1 else ''}"
    detail = f"{count} between {since} and {until}; longest gap {_d(gap)}; {cadence_text}"
    return _result(cid, "passed", detail, cites, measured=gap, limit=every)


def _severity_correct(ctx: _Ctx) -> CriterionResult:
    f, level, s = ctx.facts, ctx.level, ctx.scenario
    cid = "severity_correct"
    cites: Cites = [(level.source, f"{level.name}: {level.definition}")]
    if not ctx.incident_expected:
        cites.append((level.declare.source, level.declare.says))
    cutoff = f.resolved_at if f.resolved_at is not None else ctx.horizon
    history = [(t, lvl) for t, lvl in f.classified if t <= cutoff + _EPS]
    told = ", then ".join(f"{lvl} at {_at(ctx, t)}" for t, lvl in history)
    why = _one_line(s.expected.rationale)
    in_force = history[-1] if history else None
    measured = ctx.rel(in_force[0]) if in_force else None
    settled = not (ctx.live and f.resolved_at is None)
    if not ctx.incident_expected and f.declared_at is not None:
        detail = (
            f"declared an incident at {_at(ctx, f.declared_at)} after the first alert; "
            f"this is {level.name} and not an incident: {why}"
        )
        return _result(cid, "failed", detail, cites, measured=measured)
    if not settled:
        detail = (
            f"classified {told}; judged at resolution (or the end)"
            if history
            else "not classified yet; judged at resolution (or the end)"
        )
        return _result(cid, "pending", detail, cites, measured=measured)
    if in_force and in_force[1] == level.name:
        if not ctx.incident_expected:
            detail = (
                f"classified {told} after the first alert and did not declare an incident: "
                f"right, this is {level.name} and not an incident"
            )
        else:
            detail = f"classified {told} after the first alert; {level.name} is right"
        return _result(cid, "passed", detail, cites, measured=measured)
    if not history:
        detail = f"never classified; this is {level.name}: {why}"
        return _result(cid, "failed", detail, cites)
    return _result(
        cid, "failed", f"classified {told}; this is {level.name}: {why}", cites, measured=measured
    )


def _status_page(ctx: _Ctx) -> CriterionResult:
    f, level = ctx.facts, ctx.level
    cid = "status_page"
    sp = level.status_page
    cites: Cites = [(sp.source, sp.says)]
    if not ctx.incident:
        return _result(cid, "not_applicable", f"{_not_declared(ctx)}: no status page", cites)
    if sp.within is None:
        detail = f"no status-page deadline at {level.name} ({sp.says})"
        return _result(cid, "not_applicable", detail, cites)
    limit = sp.within
    first = next((t for t, a, _ in f.updates if a == "status_page"), None)
    limit_text = f"the limit at {level.name} is {_d(limit)}"
    if first is None:
        if ctx.ahead(ctx.start + limit):
            return _result(cid, "pending", f"not updated yet; {limit_text}", cites, limit=limit)
        detail = f"the status page was never updated; {limit_text}"
        return _result(cid, "failed", detail, cites, limit=limit)
    took = ctx.rel(first)
    ok = took <= limit + _EPS
    detail = f"status page first updated at {_d(took)} after the first alert; {limit_text}"
    return _result(cid, "passed" if ok else "failed", detail, cites, measured=took, limit=limit)


def _notify_stakeholders(ctx: _Ctx) -> CriterionResult:
    f, level = ctx.facts, ctx.level
    cid = "notify_stakeholders"
    due = [n for n in level.notify if n.within is not None]
    cites: Cites = [(n.source, n.says) for n in due]
    if not ctx.incident:
        detail = f"{_not_declared(ctx)}: nobody to notify"
        return _result(cid, "not_applicable", detail, cites)
    if not due:
        detail = f"no stakeholder has a notification deadline at {level.name}"
        return _result(cid, "not_applicable", detail, cites)
    late: list[str] = []
    missing: list[str] = []
    waiting: list[str] = []
    on_time: list[str] = []
    times: list[float] = []
    for n in due:
        assert n.within is not None
        who = _STAKEHOLDERS.get(n.stakeholder, n.stakeholder)
        t = f.notified.get(n.stakeholder)
        if t is None:
            if ctx.ahead(ctx.start + n.within):
                waiting.append(f"{who} (within {_d(n.within)})")
            else:
                missing.append(f"{who} (within {_d(n.within)})")
            continue
        took = ctx.rel(t)
        times.append(took)
        if took > n.within + _EPS:
            late.append(f"{who} at {_d(took)} (limit {_d(n.within)})")
        else:
            on_time.append(f"{who} at {_d(took)} (limit {_d(n.within)})")
    limit = max(n.within or 0.0 for n in due)
    measured = max(times) if times and not missing and not waiting else None
    if late or missing:
        parts = []
        if late:
            parts.append("late: " + ", ".join(late))
        if missing:
            parts.append("never notified: " + ", ".join(missing))
        return _result(cid, "failed", "; ".join(parts), cites, measured=measured, limit=limit)
    if waiting:
        done = f"notified {', '.join(on_time)}; " if on_time else ""
        detail = f"{done}still due: {', '.join(waiting)}"
        return _result(cid, "pending", detail, cites, limit=limit)
    detail = "notified in time: " + ", ".join(on_time)
    return _result(cid, "passed", detail, cites, measured=measured, limit=limit)


def _responder_names(s: Scenario) -> dict[str, str]:
    names: dict[str, str] = {}
    for r in s.responders:
        names[r.id] = r.id
        names[r.name.lower()] = r.id
    return names


def _page_escalation(ctx: _Ctx) -> CriterionResult:
    f, level, s = ctx.facts, ctx.level, ctx.scenario
    cid = "page_escalation"
    response = level.response_time.within
    cites: Cites = [(level.page.source, level.page.says)]
    if response is not None:
        cites.append((level.response_time.source, level.response_time.says))
    trigger = ctx.policy.trigger("no_root_cause")
    if not ctx.incident:
        return _result(cid, "not_applicable", f"{_not_declared(ctx)}: nobody to page", cites)
    names = _responder_names(s)
    responders = {r.id: r for r in s.responders}

    def first(pairs: list[tuple[float, str]], accept: Callable[[str], bool]) -> float | None:
        return next((t for t, key in pairs if accept(key)), None)

    def rotation_of(key: str) -> str | None:
        rid = names.get(key)
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
            return names.get(k) == rid or (rot is not None and k == rot)

        def named(k: str, rid: str = rid) -> bool:
            return names.get(k) == rid

        when = first(f.pages, reaches)
        esc = first(f.escalations, named)
        reached = min((x for x in (when, esc) if x is not None), default=None)
        needed.append((label, reached, response))
    for escalate_to in s.expected.escalate_to:

        def hit(k: str, key: str = _key(escalate_to)) -> bool:
            return k == key or (key in names and names.get(k) == names[key])

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
                limit_text = f" within {_d(deadline)}" if deadline is not None else ""
                problems.append(f"did not page {who}{limit_text}")
            continue
        took = ctx.rel(when)
        reached_at.append(took)
        if deadline is not None and took > deadline + _EPS:
            problems.append(f"paged {who} at {_d(took)}, after the {_d(deadline)} limit")
        else:
            done.append(f"{who} at {_d(took)}")
    escalation_note = ""
    state, when = _escalation_state(ctx)
    if trigger is not None and trigger.after is not None and state != "none":
        cites.append((trigger.source, trigger.says))
        rule = f'the rule: "{trigger.says}"'
        if state == "found" and when is not None:
            escalation_note = (
                f"root cause found at {_at(ctx, when)}, so no escalation was needed ({rule})"
            )
        elif state == "resolved":
            escalation_note = "resolved before an escalation was due"
        elif state == "escalated" and when is not None:
            escalation_note = f"escalated at {_at(ctx, when)} with no root cause found ({rule})"
            done.append("the escalation")
        elif state == "waiting":
            waiting.append(f"an escalation if no root cause by {_d(trigger.after)}")
        else:
            later = (
                f"was not found until {_at(ctx, when)}"
                if when is not None
                else "was never found by a diagnostic"
            )
            problems.append(
                f"no escalation by {_d(trigger.after)} although the root cause {later} ({rule})"
            )
    if not needed and not problems and not waiting and not done:
        detail = f"nobody has to be paged at {level.name}"
        if escalation_note:
            detail += f"; {escalation_note}"
        return _result(cid, "not_applicable", detail, cites)
    measured = max(reached_at) if reached_at and all(w is not None for _, w, _ in needed) else None
    if problems:
        return _result(cid, "failed", "; ".join(problems), cites, measured=measured, limit=response)
    if waiting:
        so_far = f"reached {', '.join(done)}; " if done else ""
        detail = f"{so_far}still due: {', '.join(waiting)}"
        return _result(cid, "pending", detail, cites, limit=response)
    detail = f"paged {', '.join(done)}" if done else "nothing to page"
    if escalation_note:
        detail += f"; {escalation_note}"
    return _result(cid, "passed", detail, cites, measured=measured, limit=response)


def _escalation_state(ctx: _Ctx) -> tuple[str, float | None]:
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
    if f.root_found_at is not None and f.root_found_at <= due + _EPS:
        return "found", f.root_found_at
    if f.resolved_at is not None and f.resolved_at <= due + _EPS:
        return "resolved", f.resolved_at
    escalated = next((t for t, _ in f.escalations if t <= due + _EPS), None)
    if escalated is not None:
        return "escalated", escalated
    if ctx.ahead(due):
        return "waiting", None
    return "missed", f.root_found_at


def _mitigation(ctx: _Ctx) -> CriterionResult:
    f, level, s = ctx.facts, ctx.level, ctx.scenario
    cid = "mitigation"
    target = level.resolution_target
    cites: Cites = [(target.source, target.says)]
    root = {x.id for x in s.faults if x.root_cause}
    if not ctx.incident:
        return _result(cid, "not_applicable", f"{_not_declared(ctx)}: nothing to mitigate", cites)
    if not root:
        return _result(cid, "not_applicable", "the scenario has no root cause to mitigate", cites)
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
        f"the resolution target at {level.name} is {_d(limit)}" if limit is not None else ""
    )
    if effective is None:
        if harmful:
            return _result(cid, "failed", f"no effective mitigation{tail}", cites, limit=limit)
        if ctx.ahead(None if limit is None else ctx.start + limit):
            detail = f"no mitigation has cleared the root cause yet{tail}"
            return _result(cid, "pending", detail, cites, limit=limit)
        detail = f"no mitigation cleared the root cause{tail}"
        return _result(cid, "failed", detail, cites, limit=limit)
    took = ctx.rel(effective.t)
    name = labels.get(effective.mitigation, effective.mitigation)
    detail = f"{name} cleared the root cause at {_d(took)} after the first alert"
    if limit_text:
        detail += f"; {limit_text}"
    ok = not harmful and (limit is None or took <= limit + _EPS)
    return _result(
        cid, "passed" if ok else "failed", detail + tail, cites, measured=took, limit=limit
    )


def _resolution_declared(ctx: _Ctx) -> CriterionResult:
    f = ctx.facts
    cid = "resolution_declared"
    stability = ctx.policy.rules.stability
    window = stability.min
    cites: Cites = [(stability.source, stability.says)]
    if not ctx.incident:
        return _result(cid, "not_applicable", f"{_not_declared(ctx)}: nothing to resolve", cites)
    window_text = f"the stability window is {_d(window)}"
    if f.resolved_at is None or f.at_resolve is None:
        recovered = f.healthy_since
        state = (
            f"the system recovered at {_at(ctx, recovered)} after the first alert"
            if recovered is not None and f.ever_broken
            else "the system has not recovered"
        )
        if ctx.ahead(None):
            return _result(
                cid, "pending", f"not resolved yet; {state}; {window_text}", cites, limit=window
            )
        state = state.replace("has not recovered", "had not recovered by the end")
        return _result(cid, "failed", f"never resolved; {state}", cites, limit=window)
    healthy_since, firing, active = f.at_resolve
    at = _at(ctx, f.resolved_at)
    if healthy_since is None:
        why = []
        if firing:
            why.append(f"{', '.join(firing)} {'was' if len(firing) == 1 else 'were'} still firing")
        if active:
            titles = {x.id: x.title for x in ctx.scenario.faults}
            why.append("the root cause was still active: " + ", ".join(titles[x] for x in active))
        detail = f"resolved at {at} after the first alert while {' and '.join(why)}"
        return _result(cid, "failed", detail, cites, limit=window)
    waited = f.resolved_at - healthy_since
    ok = waited >= window - _EPS
    detail = (
        f"resolved {_d(waited)} after recovery (at {_at(ctx, healthy_since)} after the first "
        f"alert); {window_text}"
    )
    return _result(cid, "passed" if ok else "failed", detail, cites, measured=waited, limit=window)


def _postmortem_scheduled(ctx: _Ctx) -> CriterionResult:
    f, level, rules = ctx.facts, ctx.level, ctx.policy.rules
    cid = "postmortem_scheduled"
    post = level.postmortem
    cites: Cites = [(post.source, post.says)]
    deadline = post.schedule_within
    if deadline is None and level.declare.incident:
        deadline = rules.postmortem.schedule_within
        cites.append((rules.postmortem.source, rules.postmortem.says))
    if not ctx.incident:
        detail = f"{_not_declared(ctx)}: no postmortem needed"
        return _result(cid, "not_applicable", detail, cites)
    if deadline is None:
        detail = f"no postmortem is needed at {level.name} ({post.says})"
        return _result(cid, "not_applicable", detail, cites)
    limit_text = f"the limit at {level.name} is {_d(deadline)}"
    if f.postmortem is None:
        if ctx.ahead(None):
            return _result(
                cid, "pending", f"not scheduled yet; {limit_text}", cites, limit=deadline
            )
        detail = f"no postmortem was scheduled; {limit_text}"
        return _result(cid, "failed", detail, cites, limit=deadline)
    _, within = f.postmortem
    ok = within <= deadline + _EPS
    detail = f"postmortem scheduled within {_d(within)}; {limit_text}"
    return _result(
        cid, "passed" if ok else "failed", detail, cites, measured=within, limit=deadline
    )


_CHECKS: dict[str, Callable[[_Ctx], CriterionResult]] = {
    "ack_alert": _ack_alert,
    "create_channel": _create_channel,
    "assign_ic": _assign_ic,
    "update_cadence": _update_cadence,
    "severity_correct": _severity_correct,
    "status_page": _status_page,
    "notify_stakeholders": _notify_stakeholders,
    "page_escalation": _page_escalation,
    "mitigation": _mitigation,
    "resolution_declared": _resolution_declared,
    "postmortem_scheduled": _postmortem_scheduled,
}


# --------------------------------------------------------------------------- anti-patterns


def _anti_patterns(ctx: _Ctx) -> list[AntiPattern]:
    f = ctx.facts
    out: list[AntiPattern] = []
    for t, diagnostic in f.ic_diagnostics:
        out.append(
            AntiPattern(
                t,
                "Debugging code yourself",
                f"ran {diagnostic} yourself at {_at(ctx, t)} after the first alert instead of "
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
                    f"applied {mitigation} at {_at(ctx, t)} after the first alert before any "
                    "diagnostic had found the cause",
                    _ALONE,
                    _IC_TABLE,
                )
            )
    if ctx.incident and ctx.started:
        state, _ = _escalation_state(ctx)
        trigger = ctx.policy.trigger("no_root_cause")
        if state == "missed" and trigger is not None and trigger.after is not None:
            out.append(
                AntiPattern(
                    ctx.start + trigger.after,
                    "Not escalating",
                    f"no escalation although the root cause was not found within "
                    f"{_d(trigger.after)}",
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
                    ctx.start,
                    "Not documenting",
                    "no scribe was assigned and no timeline notes were taken",
                    _NOT_DOCUMENTING,
                    _IC_TABLE,
                )
            )
        begin, end, times = _incident_updates(ctx)
        gap, a, _ = _longest_gap(begin, end, times)
        if gap >= _SILENCE_S:
            out.append(
                AntiPattern(
                    a,
                    "No updates for 30+ minutes",
                    f"no incident-channel update for {_d(gap)} from {_at(ctx, a)} after the "
                    "first alert",
                    _SILENCE,
                    _COMMS_TABLE,
                )
            )
    return sorted(out, key=lambda x: x.t)


# --------------------------------------------------------------------------- grading


def _pass_score(policy: Policy) -> tuple[float, str]:
    grading = policy.grading
    if grading is not None and grading.pass_score is not None:
        return grading.pass_score, f"{grading.source}: {grading.says}"
    quiz = policy.certification_rules.quiz
    return quiz.pass_mark, f"{quiz.source}: {quiz.says}"


def _weights(policy: Policy) -> dict[str, float]:
    if policy.grading is None:
        return {}
    return {w.criterion: w.weight for w in policy.grading.weights}


def grade(
    events: Sequence[ev.Event],
    *,
    scenario: Scenario,
    policy: Policy,
    trainee: str,
    seed: int,
    now: float | None = None,
) -> Assessment:
    """Grade a trainee's exercise from its events.

    Args:
        events: The exercise's events in order (a journal's, or a running session's so far).
        scenario: The scenario that was played.
        policy: The policy in force.
        trainee: The trainee's name.
        seed: The run's seed.
        now: Sim time of a live session: criteria whose deadline is still ahead are
            ``pending``. ``None``: the record is complete (a stopped journal is graded as if
            the exercise ended at its last event).
    """
    root = frozenset(x.id for x in scenario.faults if x.root_cause)
    facts = _gather(events, root)
    level = policy.level_for(scenario.expected.severity, scenario.expected.overrides)
    ended = facts.ended_at is not None
    live = now is not None and not ended
    warnings: list[str] = []
    if facts.first_alert_t is not None:
        start = facts.first_alert_t
    elif facts.first_inject_t is not None:
        start = facts.first_inject_t
        if not live:
            warnings.append("no alert fired: times are measured from the first inject")
    else:
        start = 0.0
        if not live and events:
            warnings.append(
                "no alert fired and no inject was delivered: times are measured from the "
                "start of the exercise"
            )
    if facts.ended_at is not None:
        horizon = facts.ended_at
    elif now is not None:
        horizon = max(now, facts.last_t)
    else:
        horizon = facts.last_t
    unknown = sorted(facts.levels_seen - set(policy.level_names))
    if unknown:
        warnings.append(
            f"classified with {', '.join(unknown)}, not levels of policy {policy.id} "
            f"({', '.join(policy.level_names)}): the exercise was played under another policy"
        )
    ctx = _Ctx(
        scenario=scenario,
        policy=policy,
        level=level,
        facts=facts,
        start=start,
        horizon=horizon,
        live=live,
        now=now if live else None,
        incident_expected=level.declare.incident and scenario.expected.declare,
        started=facts.first_alert_t is not None or facts.first_inject_t is not None,
    )
    weights = _weights(policy)
    results: list[CriterionResult] = []
    for cid in CRITERIA:
        r = _CHECKS[cid](ctx)
        weight = weights.get(cid, 1.0)
        if weight != r.weight:
            r = CriterionResult(
                r.id, r.title, r.status, r.measured_s, r.limit_s, r.detail, weight, r.source, r.says
            )
        results.append(r)
    total = sum(r.weight for r in results if r.applicable)
    earned = sum(r.weight for r in results if r.passed)
    score = round(earned / total, 4) if total else 0.0
    pass_score, pass_source = _pass_score(policy)
    titles = {x.id: x.title for x in scenario.faults}
    harmful = [
        HarmfulMitigation(m.t, m.mitigation, tuple(f"{titles.get(x, x)} [{x}]" for x in m.started))
        for m in facts.finished
        if m.started
    ]
    wasted = [
        WastedMitigation(m.t, m.mitigation)
        for m in facts.finished
        if not m.cleared and not m.started
    ]
    return Assessment(
        scenario=scenario.id,
        trainee=trainee,
        policy=policy.id,
        level=level.name,
        seed=seed,
        score=score,
        passed=score >= pass_score - _EPS,
        criteria=results,
        rejected_actions=list(facts.rejected),
        harmful_mitigations=harmful,
        wasted_mitigations=wasted,
        anti_patterns=_anti_patterns(ctx),
        warnings=warnings,
        pass_score=pass_score,
        pass_source=pass_source,
        live=live,
        now=now if live else None,
    )


# --------------------------------------------------------------------------- journals


def grade_journal(
    journal: Journal, *, policy: Policy | None = None, scenario: str | None = None
) -> Assessment:
    """Grade a journal read back from disk.

    The scenario is the library's with the header's id and sha256 unless ``scenario`` (a path
    or id the user gave) is given; the policy is the header's packaged policy unless
    ``policy`` is given (``--policy`` overrides). A path in the header is never followed.

    Raises:
        simulator.yamlio.LoadError: when the scenario no longer loads.
        simulator.journal.JournalError: the header's scenario or policy is not packaged.
    """
    h = journal.header
    loaded = journal_scenario(journal, scenario)
    in_force = policy if policy is not None else journal_policy(journal)
    result = grade(
        journal.events, scenario=loaded.scenario, policy=in_force, trainee=h.trainee, seed=h.seed
    )
    warnings: list[str] = []
    if loaded.sha256 != h.scenario_sha256:
        warnings.append(
            f"scenario {h.scenario_path} changed since the journal was recorded (sha256 "
            f"{loaded.sha256[:12]}… vs {h.scenario_sha256[:12]}…): graded against the current file"
        )
    if tuple(h.severity_levels) != in_force.level_names:
        warnings.append(
            f"played under policy {h.policy} ({', '.join(h.severity_levels)}), graded against "
            f"{in_force.id} ({', '.join(in_force.level_names)})"
        )
    if journal.edited_line is not None:
        warnings.append(f"journal line {journal.edited_line} was edited by hand")
    if journal.truncated:
        warnings.append("the journal's last line was cut off and skipped")
    if not journal.ended:
        last = journal.events[-1].t if journal.events else 0.0
        warnings.append(
            f"the journal stops at {format_clock(last)} before the exercise ended: graded as "
            "if it ended there"
        )
    if not warnings:
        return result
    return Assessment(
        **{**_fields(result), "warnings": [*warnings, *result.warnings]},
    )


def _fields(a: Assessment) -> dict[str, Any]:
    return {name: getattr(a, name) for name in Assessment.__dataclass_fields__}


# --------------------------------------------------------------------------- live


class LiveAssessor:
    """The grade of a running session. Subscribe it to an engine before the engine starts.

    ``engine.subscribe(live)`` (or ``LiveAssessor.attach(engine, policy)``), then call
    ``live.assessment(engine.now)`` whenever the screen wants the current grade. Metric
    samples are dropped on arrival (grading never reads them), so regrading an hour of play
    stays well under a millisecond; the last result is reused while nothing has changed.
    """

    def __init__(self, *, scenario: Scenario, policy: Policy, trainee: str, seed: int) -> None:
        """Prepare to grade one session.

        Args:
            scenario: The scenario being played.
            policy: The policy in force.
            trainee: The trainee's name.
            seed: The run's seed.
        """
        self.scenario = scenario
        self.policy = policy
        self.trainee = trainee
        self.seed = seed
        self._events: list[ev.Event] = []
        self._cache: tuple[int, float | None, Assessment] | None = None

    @classmethod
    def attach(cls, engine: Engine, policy: Policy) -> LiveAssessor:
        """A live assessor for ``engine``'s session, already subscribed to it."""
        live = cls(
            scenario=engine.scenario, policy=policy, trainee=engine.trainee, seed=engine.seed
        )
        engine.subscribe(live)
        return live

    def __call__(self, event: ev.Event) -> None:
        """Receive one engine event."""
        if event.kind != "metrics":
            self._events.append(event)

    @property
    def events(self) -> Sequence[ev.Event]:
        """The events kept so far (no metric samples)."""
        return self._events

    def assessment(self, now: float | None = None) -> Assessment:
        """The grade as of sim time ``now`` (``None``: as if the session ended now)."""
        key = (len(self._events), now)
        if self._cache is not None and self._cache[:2] == key:
            return self._cache[2]
        result = grade(
            self._events,
            scenario=self.scenario,
            policy=self.policy,
            trainee=self.trainee,
            seed=self.seed,
            now=now,
        )
        self._cache = (*key, result)
        return result


# --------------------------------------------------------------------------- the table


def render_table(assessment: Assessment, *, width: int = 100) -> str:
    """The plain-text table ``warroom grade`` prints.

    One row per criterion (symbol and word, measured, limit, detail), then the score and
    PASSED/FAILED, then rejected actions, harmful and wasted mitigations, anti-patterns and
    warnings.
    """
    a = assessment
    lines = [
        f"{a.scenario}: graded against policy {a.policy} at {a.level} "
        f"(trainee {a.trainee}, seed {a.seed})"
        + (f", live at {format_clock(a.now)}" if a.live and a.now is not None else ""),
        "",
    ]
    rows = [("", "CRITERION", "STATUS", "MEASURED", "LIMIT")]
    for c in a.criteria:
        rows.append(
            (
                SYMBOLS[c.status],
                c.id,
                c.status.replace("_", " "),
                _cell(c.measured_s),
                _cell(c.limit_s),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    head = "  ".join(x.ljust(w) for x, w in zip(rows[0], widths, strict=True)) + "  DETAIL"
    lines.append(head.rstrip())
    indent = sum(widths) + 2 * 5
    for row, c in zip(rows[1:], a.criteria, strict=True):
        left = "  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)) + "  "
        wrapped = textwrap.wrap(c.detail, max(30, width - indent)) or [""]
        lines.append(left + wrapped[0])
        lines.extend(" " * indent + more for more in wrapped[1:])
    applicable = [c for c in a.criteria if c.applicable]
    passed = [c for c in applicable if c.passed]
    pending = [c for c in applicable if c.status == "pending"]
    verdict = "PASSED" if a.passed else "FAILED"
    so_far = " so far" if a.live else ""
    lines += [
        "",
        f"Score{so_far}: {a.score:.0%} ({len(passed)} of {len(applicable)} applicable criteria "
        f"passed{', ' + str(len(pending)) + ' pending' if pending else ''}); "
        f"pass mark {a.pass_score:.0%}: {verdict}",
    ]
    sections: list[tuple[str, list[str]]] = [
        (
            "Rejected actions",
            [f"{format_clock(r.t)}  {r.command}: {r.reason}" for r in a.rejected_actions],
        ),
        (
            "Harmful mitigations",
            [
                f"{format_clock(m.t)}  {m.id} started {', '.join(m.started)}"
                for m in a.harmful_mitigations
            ],
        ),
        (
            "Wasted mitigations",
            [f"{format_clock(m.t)}  {m.id} changed nothing" for m in a.wasted_mitigations],
        ),
        (
            "Anti-patterns",
            [
                f'{format_clock(p.t)}  {p.pattern}: {p.detail} ({p.source}: "{p.says}")'
                for p in a.anti_patterns
            ],
        ),
        ("Warnings", list(a.warnings)),
    ]
    for title, items in sections:
        lines += ["", f"{title}: " + ("none" if not items else "")]
        for item in items:
            wrapped = textwrap.wrap(item, width - 4) or [""]
            lines.append("  " + wrapped[0])
            lines.extend("    " + more for more in wrapped[1:])
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _cell(seconds: float | None) -> str:
    if seconds is None or math.isinf(seconds):
        return "–"
    return _d(seconds)


__all__ = [
    "CRITERIA",
    "AntiPattern",
    "Assessment",
    "CriterionResult",
    "HarmfulMitigation",
    "LiveAssessor",
    "RejectedAction",
    "WastedMitigation",
    "grade",
    "grade_journal",
    "render_table",
]
