"""The facts grading needs, gathered from an exercise's events in one pass.

``gather`` reads the trainee's accepted and rejected actions and what the simulation did
(alerts, faults, diagnostics, mitigations, injects, the end) into a ``Facts``: first times,
who was paged and who was already engaged, the updates posted, when the incident's own impact
ended (its root causes cleared or ended by a mitigation the scenario counts, and every alert
the scenario does not call unrelated resolved) and what held it open last, the consequences
the scenario attaches to what the trainee did, and where the incident started. Rejected
actions never count for anything but the list of rejected actions; pace presses (``set_pace``,
``jump_ahead``) are never decisions. This module must not judge anything against the policy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assessments.assessor.results import RejectedAction
from simulator import events as ev
from simulator.durations import parse_duration
from simulator.model import Consequence, MustNot, Scenario
from simulator.people import find_responder, person_key
from simulator.roles import seat_role
from simulator.snapshot import incident_start


@dataclass(frozen=True)
class Triggered:
    """A consequence the scenario attaches to something that happened."""

    t: float
    """When."""
    what: str
    """What was done, e.g. ``apply mitigation failover-replica``."""
    consequence: Consequence
    """What it costs."""
    mitigation: str | None = None
    """The mitigation it came from, if any."""


@dataclass
class Facts:
    """Everything grading needs, gathered in one pass over the events."""

    first_alert: str | None = None
    """The incident's first alert to fire: the first that fired of those the scenario does not
    call unrelated (an unrelated alert that fires earlier is noise, not the incident's start)."""
    first_alert_t: float | None = None
    """When it fired."""
    first_inject_t: float | None = None
    """When the first inject was delivered."""
    last_t: float = 0.0
    """The time of the last event (metric samples aside)."""
    ended_at: float | None = None
    """When the scenario ended; ``None`` for a record that stops early."""
    acks: dict[str, list[float]] = field(default_factory=dict)
    """Acknowledgement times per alert."""
    classified: list[tuple[float, str]] = field(default_factory=list)
    """(time, level) of every classification."""
    declared_at: float | None = None
    """When the incident was first declared."""
    channel: tuple[float, str] | None = None
    """(time, name) of the first channel created."""
    channel_names: list[tuple[float, str]] = field(default_factory=list)
    """(time, name) of the channel's creation and every rename, in order."""
    roles: dict[str, tuple[float, str]] = field(default_factory=dict)
    """Each role's first assignment: (time, person)."""
    pages: list[tuple[float, str]] = field(default_factory=list)
    """(time, target) of every page, targets as ``target_key`` gives them."""
    escalations: list[tuple[float, str]] = field(default_factory=list)
    """(time, target) of every escalation."""
    notified: dict[str, float] = field(default_factory=dict)
    """When each stakeholder was first notified."""
    updates: list[tuple[float, str, str]] = field(default_factory=list)
    """(time, audience, status) of every update posted."""
    resolved_at: float | None = None
    """When ``resolve`` was first accepted."""
    postmortem: tuple[float, float] | None = None
    """(time, within seconds) of the first postmortem scheduled (unreadable ``within``: inf)."""
    notes: int = 0
    """Timeline notes taken."""
    ic_diagnostics: list[tuple[float, str]] = field(default_factory=list)
    """(time, diagnostic) of every diagnostic the IC ran personally."""
    mitigations_started: list[tuple[float, str]] = field(default_factory=list)
    """(time, mitigation) of every mitigation started."""
    finished: list[ev.MitigationFinished] = field(default_factory=list)
    """Every mitigation that completed, with what it cleared and started."""
    root_found_at: float | None = None
    """When a diagnostic first revealed a root-cause fault."""
    root_mitigated_at: float | None = None
    """When a mitigation first cleared a root-cause fault, or ended one the scenario counts it
    as ending (``Mitigation.ends``)."""
    healthy_since: float | None = 0.0
    """Since when the incident's impact has been over (no root cause active, no impact alert
    firing); ``None`` while it is on."""
    impact_changes: list[tuple[float, bool]] = field(default_factory=list)
    """(time, impact on) at every change of the impact's state, in order."""
    last_to_clear: str | None = None
    """What ended the impact last (an alert name or a fault title): what held recovery open."""
    unrelated_firing: dict[str, None] = field(default_factory=dict)
    """Alerts the scenario calls unrelated that are firing now."""
    ended_roots: dict[str, float] = field(default_factory=dict)
    """Root-cause faults a mitigation counts as ended (``Mitigation.ends``), and when."""
    cleared_roots: dict[str, float] = field(default_factory=dict)
    """Root-cause faults cleared, and when (last clearance)."""
    engaged: dict[str, float] = field(default_factory=dict)
    """Responders in the incident (id → since when): available from the start, or joined."""
    triggered: list[Triggered] = field(default_factory=list)
    """Consequences the scenario attaches to what was done, in time order."""
    actions: list[tuple[float, str]] = field(default_factory=list)
    """(time, do) of every accepted trainee action (pace presses aside)."""
    findings: list[tuple[float, str, tuple[str, ...]]] = field(default_factory=list)
    """(time, diagnostic, faults revealed) of every diagnostic result."""
    happened: dict[tuple[str, str], float] = field(default_factory=dict)
    """When each inject was first delivered, fault first started and alert first fired:
    ``("inject" | "fault" | "alert", id)`` → sim time."""
    heads_down: list[tuple[float, float]] = field(default_factory=list)
    """(start, end) of every diagnostic the IC ran personally."""
    team_diagnostics: list[tuple[float, float, str, str | None]] = field(default_factory=list)
    """(start, end, diagnostic, person) of every diagnostic another member of a team ran
    themselves (the technical lead's): not the IC's heads-down time."""
    decisions: list[tuple[float, str]] = field(default_factory=list)
    """(time, description) of the trainee's decisions: classify, declare, page, escalate, apply
    a mitigation, resolve."""
    delegated: list[tuple[float, str]] = field(default_factory=list)
    """(time, diagnostic) of every diagnostic delegated to a responder."""
    ever_broken: bool = False
    """Whether anything was ever broken."""
    firing: dict[str, None] = field(default_factory=dict)
    """Alerts firing now (insertion-ordered set)."""
    active_root: dict[str, None] = field(default_factory=dict)
    """Root-cause faults active now (insertion-ordered set)."""
    at_resolve: tuple[float | None, tuple[str, ...], tuple[str, ...]] | None = None
    """(impact over since, impact alerts firing, root-cause faults active) when ``resolve`` was
    accepted."""
    last_to_clear_at_resolve: str | None = None
    """What ended the impact last, as of the resolution."""
    rejected: list[RejectedAction] = field(default_factory=list)
    """The trainee's actions the simulator refused."""
    levels_seen: set[str] = field(default_factory=set)
    """Every level the trainee classified with."""

    def impact_on(self, t: float) -> bool:
        """Whether the incident's impact was on at sim time ``t``."""
        on = False
        for when, state in self.impact_changes:
            if when > t:
                break
            on = state
        return on

    @property
    def root_known_at(self) -> float | None:
        """When a root cause was first known: a diagnostic revealed it, or a mitigation cleared
        or ended it (whoever fixed the cause had identified it)."""
        known = [t for t in (self.root_found_at, self.root_mitigated_at) if t is not None]
        return min(known, default=None)

    @property
    def started(self) -> bool:
        """Whether the incident has started: an alert of the incident (not one the scenario
        calls unrelated) fired, or an inject arrived."""
        return self.first_alert_t is not None or self.first_inject_t is not None

    @property
    def incident_start(self) -> float:
        """When the incident started for the trainee: its first alert that fired (alerts the
        scenario calls unrelated aside), else the first inject delivered, else 0 (the start of
        the exercise)."""
        start = incident_start(self.first_alert_t, self.first_inject_t)
        return 0.0 if start is None else start


def gather(events: Iterable[ev.Event], scenario: Scenario) -> Facts:
    """The facts of an event list, in one pass (metric samples are skipped).

    Args:
        events: The exercise's events in order.
        scenario: The scenario played: its root causes, unrelated alerts, responders and the
            consequences it attaches to actions, mitigations and faults.
    """
    f = Facts()
    root = frozenset(x.id for x in scenario.faults if x.root_cause)
    unrelated = frozenset(a.id for a in scenario.alerts if a.unrelated)
    titles = {x.id: x.title for x in scenario.faults}
    harms = {x.id: x.harm for x in scenario.faults if x.harm is not None}
    mitigations = {m.id: m for m in scenario.mitigations}
    for r in scenario.responders:
        if r.available:
            f.engaged[r.id] = 0.0

    def health(t: float, cause: str) -> None:
        broken = bool(f.firing or f.active_root)
        if broken:
            if f.healthy_since is not None:
                f.impact_changes.append((t, True))
            f.healthy_since = None
            f.ever_broken = True
        elif f.healthy_since is None:
            f.healthy_since = t
            f.last_to_clear = cause
            f.impact_changes.append((t, False))

    applied_at: dict[str, float] = {}
    # the sim time each mitigation was last applied by the trainee
    for e in events:
        kind = e.kind
        if kind == "metrics":
            continue
        f.last_t = e.t
        if kind == "action":
            assert isinstance(e, ev.ActionAccepted)
            if e.by == "trainee" and e.command.get("do") not in PACE:
                _action(f, e.t, e.command)
                _consequences(f, e.t, e.command, scenario.expected.must_not, scenario)
                mit = mitigations.get(str(e.command.get("mitigation")))
                if e.command.get("do") == "apply_mitigation" and mit:
                    applied_at[mit.id] = e.t
                if e.command.get("do") == "apply_mitigation" and mit and mit.consequence:
                    what = f"applied {mit.label} [{mit.id}]"
                    f.triggered.append(Triggered(e.t, what, mit.consequence, mit.id))
                if e.command.get("do") == "resolve" and f.at_resolve is None:
                    f.at_resolve = (f.healthy_since, tuple(f.firing), tuple(f.active_root))
                    f.last_to_clear_at_resolve = f.last_to_clear
        elif kind == "alert_firing":
            assert isinstance(e, ev.AlertFiring)
            f.happened.setdefault(("alert", e.alert), e.t)
            if e.alert in unrelated:
                f.unrelated_firing[e.alert] = None
            else:
                if f.first_alert is None:
                    f.first_alert, f.first_alert_t = e.alert, e.t
                f.firing[e.alert] = None
                health(e.t, e.alert)
        elif kind == "alert_resolved":
            assert isinstance(e, ev.AlertResolved)
            f.unrelated_firing.pop(e.alert, None)
            if e.alert in f.firing:
                f.firing.pop(e.alert, None)
                health(e.t, e.alert)
        elif kind == "fault_started":
            assert isinstance(e, ev.FaultStarted)
            f.happened.setdefault(("fault", e.fault), e.t)
            if e.fault in root:
                f.active_root[e.fault] = None
                f.ended_roots.pop(e.fault, None)
                health(e.t, titles.get(e.fault, e.fault))
            harm = harms.get(e.fault)
            if harm is not None and e.cause.startswith("mitigation:"):
                mid = e.cause.removeprefix("mitigation:")
                label = mitigations[mid].label if mid in mitigations else mid
                what = f"applied {label} [{mid}], which started {titles.get(e.fault, e.fault)}"
                if not any(x.mitigation == mid and x.t <= e.t for x in f.triggered):
                    # the decision's time (the harm follows when the mitigation finishes)
                    f.triggered.append(Triggered(applied_at.get(mid, e.t), what, harm, mid))
        elif kind == "fault_cleared":
            assert isinstance(e, ev.FaultCleared)
            if e.fault in root:
                f.cleared_roots[e.fault] = e.t
                if e.fault in f.active_root:
                    if f.root_mitigated_at is None and e.cause.startswith("mitigation:"):
                        f.root_mitigated_at = e.t
                    f.active_root.pop(e.fault, None)
                    health(e.t, titles.get(e.fault, e.fault))
        elif kind == "diagnostic_result":
            assert isinstance(e, ev.DiagnosticResult)
            f.findings.append((e.t, e.diagnostic, tuple(e.reveals)))
            if f.root_found_at is None and any(x in root for x in e.reveals):
                f.root_found_at = e.t
        elif kind == "diagnostic_started":
            assert isinstance(e, ev.DiagnosticStarted)
            if e.by == "ic" and e.seat is not None and seat_role(e.seat) != "ic":
                f.team_diagnostics.append((e.t, e.eta, e.diagnostic, e.person))
            elif e.by == "ic":
                f.ic_diagnostics.append((e.t, e.diagnostic))
                f.heads_down.append((e.t, e.eta))
            else:
                f.delegated.append((e.t, e.diagnostic))
        elif kind == "mitigation_started":
            assert isinstance(e, ev.MitigationStarted)
            f.mitigations_started.append((e.t, e.mitigation))
        elif kind == "mitigation_finished":
            assert isinstance(e, ev.MitigationFinished)
            f.finished.append(e)
            mit = mitigations.get(e.mitigation)
            for fault in mit.ends if mit is not None else ():
                if fault in f.active_root:
                    f.ended_roots[fault] = e.t
                    if f.root_mitigated_at is None:
                        f.root_mitigated_at = e.t
                    f.active_root.pop(fault, None)
                    health(e.t, titles.get(fault, fault))
        elif kind == "responder_joined":
            assert isinstance(e, ev.ResponderJoined)
            f.engaged.setdefault(e.responder, e.t)
        elif kind == "inject":
            assert isinstance(e, ev.InjectDelivered)
            if f.first_inject_t is None:
                f.first_inject_t = e.t
            if e.inject is not None:
                f.happened.setdefault(("inject", e.inject), e.t)
        elif kind == "rejected":
            assert isinstance(e, ev.ActionRejected)
            if e.by == "trainee" and e.command.get("do") not in PACE:
                f.rejected.append(RejectedAction(e.t, _describe(e.command), e.reason))
        elif kind == "scenario_ended":
            f.ended_at = e.t
    f.triggered.sort(key=lambda x: x.t)
    return f


DECISIONS = frozenset(
    {"classify", "declare", "page", "escalate", "apply_mitigation", "resolve", "handoff_ic"}
)
"""The actions the behavioural markers call decisions."""

PACE = frozenset({"set_pace", "jump_ahead"})
"""Pace presses: journalled with who pressed them, never decisions."""


def changed_nothing(scenario: Scenario, f: Facts) -> list[ev.MitigationFinished]:
    """The mitigations that completed and changed nothing: they cleared and started no fault,
    set off no consequence, and no mitigation applied after them waits on them (a snapshot
    taken so that a restore is safe is a step of the fix, not a wasted move)."""
    consequences = {t.mitigation for t in f.triggered if t.mitigation is not None}
    waits = {m.id: m.waits_on() for m in scenario.mitigations}
    return [
        m
        for m in f.finished
        if not m.cleared
        and not m.started
        and m.mitigation not in consequences
        and not any(
            t >= m.t and m.mitigation in waits.get(later, ()) for t, later in f.mitigations_started
        )
    ]


def _consequences(
    f: Facts, t: float, command: Mapping[str, Any], rules: list[MustNot], scenario: Scenario
) -> None:
    """Record the scenario's ``must_not`` rules this accepted action matches."""
    do = command.get("do")
    for rule in rules:
        if rule.action != do:
            continue
        if all(_same(command.get(k), v, scenario) for k, v in rule.with_.items()):
            f.triggered.append(Triggered(t, _describe(command), rule.consequence))


def _same(given: object, wanted: str, scenario: Scenario) -> bool:
    """Whether an action's field is the value a rule names (without case; people by id or name)."""
    if given is None:
        return False
    a, b = person_key(str(given)), person_key(wanted)
    if a == b:
        return True
    x, y = find_responder(a, scenario.responders), find_responder(b, scenario.responders)
    return x is not None and x is y


def _action(f: Facts, t: float, command: Mapping[str, Any]) -> None:
    do = command.get("do")
    f.actions.append((t, str(do)))
    if do in DECISIONS:
        f.decisions.append((t, _describe(command)))
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
            f.channel_names.append(f.channel)
    elif do == "rename_channel":
        if f.channel is not None:
            f.channel_names.append((t, str(command.get("name"))))
    elif do == "assign_role":
        role = str(command.get("role"))
        if role not in f.roles:
            f.roles[role] = (t, str(command.get("person")))
    elif do == "page":
        f.pages.append((t, target_key(command.get("target"))))
    elif do == "escalate":
        f.escalations.append((t, target_key(command.get("to"))))
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


def target_key(value: object) -> str:
    """A page or escalation target as compared (``simulator.people.person_key``)."""
    return person_key(str(value or ""))


def _describe(command: Mapping[str, Any]) -> str:
    do = str(command.get("do", "?")).replace("_", " ")
    values = [str(v) for k, v in command.items() if k not in ("do", "rationale", "text", "reason")]
    return " ".join([do, *values])
