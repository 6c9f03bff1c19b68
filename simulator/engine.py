"""The SimPy engine that plays a scenario.

One ``simpy.Environment`` advanced in slices by the caller (``run_until``): as fast as possible
for headless runs and replay, or paced against the wall clock by ``Pacer`` for live play.
Commands (trainee actions and facilitator commands) are validated and applied at the current
sim time through ``submit``, which finds each command's handler in one table (``HANDLERS``,
filled by ``@handles``); everything that happens comes out as typed, frozen events to the
subscribers, in order. Readers take ``snapshot()``, a frozen copy (``simulator.snapshot``),
rather than the engine's mutable state.

Why one module of about 1,000 lines: the system model, the alert rules, the injects and the
command handlers share one clock, one random generator and one state, and the order in which
they draw from the generator is the determinism contract that the golden transcripts pin.
What does not share them lives elsewhere: the commands' shapes (``commands``), the read model
(``snapshot``), who a typed name means (``people``), the scenario's cross-checks
(``references``). The next seam is the system model (metrics, queues, the validator set).

Determinism is a rule here: one seeded ``random.Random`` drives every random draw, and the
engine never reads the wall clock. The same scenario, seed and timed commands give the same
event stream, byte for byte. This module must not import the assessor, reports or the screen.
"""

from __future__ import annotations

import difflib
import math
import random
import string
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, get_args

import simpy

from simulator import commands as cmd
from simulator import events as ev
from simulator.durations import format_clock, format_duration
from simulator.model import (
    ActionTaken,
    After,
    AlertIs,
    AllOf,
    AnyOf,
    Case,
    ClockIs,
    Condition,
    Diagnostic,
    DiagnosticChoice,
    Fault,
    FaultIs,
    FindingIs,
    Inject,
    InjectDelivered,
    MetricEffect,
    MetricIs,
    Mitigation,
    NotOf,
    Requirement,
    Responder,
    ResponderIs,
    Scenario,
    ServiceEffect,
    Since,
    ValidatorEffect,
)
from simulator.people import ESCALATION_LABELS, find_responder
from simulator.snapshot import AlertSnapshot, ResponderSnapshot, Snapshot

Subscriber = Callable[[ev.Event], None]

STAKEHOLDERS = get_args(cmd.Stakeholder)
"""The policies' stakeholders; a scenario may add more."""
AUDIENCES = get_args(cmd.Audience)
"""The built-in audiences of updates; a scenario may add channels."""

HALT_THRESHOLD = 2.0 / 3.0
"""Blocks stall when online voting power falls below two thirds (BFT consensus)."""

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


Handler = Callable[["Engine", Any], None]
"""An engine method that applies one kind of command (raises ``CommandRejected`` to refuse)."""

_CAUSE = {
    "apply_mitigation": "mitigation",
    "run_diagnostic": "diagnostic",
    "delegate": "diagnostic",
}
"""The cause a fault started by an unmet precondition is recorded with, by the action."""

HANDLERS: dict[type[cmd.BaseCommand], Handler] = {}
"""The engine's handler of each command class, filled once as ``Engine`` is defined."""

CommandT = TypeVar("CommandT", bound=cmd.BaseCommand)


def handles(
    kind: type[CommandT],
) -> Callable[[Callable[[Engine, CommandT], None]], Callable[[Engine, CommandT], None]]:
    """Register the decorated ``Engine`` method as the handler of commands of class ``kind``."""

    def register(
        method: Callable[[Engine, CommandT], None],
    ) -> Callable[[Engine, CommandT], None]:
        if kind in HANDLERS:
            raise TypeError(f"{kind.__name__} already has a handler")
        HANDLERS[kind] = method
        return method

    return register


class CommandRejected(Exception):
    """Raised inside the engine when a command cannot be applied; the reason is shown."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of submitting a command."""

    accepted: bool
    reason: str = ""


@dataclass
class AlertState:
    """Where one alert rule stands."""

    state: str = "inactive"
    """``inactive``, ``pending`` or ``firing``."""
    since: float = 0.0
    acknowledged: bool = False
    fired_at: float | None = None
    """When it first fired (stays set after it resolves)."""
    resolved_at: float | None = None


@dataclass
class FaultRun:
    """A fault that has started."""

    fault: Fault
    started_at: float
    cleared_at: float | None = None
    episode: int = 1
    """Which episode of a repeating fault this is."""
    stopped: bool = False
    """A mitigation cleared it: a repeating fault does not come back."""


@dataclass
class ResponderState:
    """A simulated person's availability."""

    responder: Responder
    joined: bool
    paged_at: float | None = None
    joined_at: float | None = None
    left: bool = False
    """Dropped out (an inject's ``leaves``): cannot be paged back."""
    busy_until: float = 0.0
    task: str = ""


@dataclass
class IncidentState:
    """What the trainee has established so far. Read it; only the engine changes it."""

    severity: str | None = None
    declared_at: float | None = None
    title: str | None = None
    channel: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    paged: dict[str, float] = field(default_factory=dict)
    escalations: list[tuple[float, str]] = field(default_factory=list)
    notified: dict[str, list[float]] = field(default_factory=dict)
    updates: list[tuple[float, str, str]] = field(default_factory=list)
    """(time, audience, status) of each update."""
    resolved_at: float | None = None
    postmortem_at: float | None = None
    ic_busy_until: float = 0.0
    ic_task: str = ""
    root_cause_found_at: float | None = None
    mitigations_applied: dict[str, float] = field(default_factory=dict)
    mitigations_running: dict[str, float] = field(default_factory=dict)
    """Mitigation id → time it completes."""


class Engine:
    """Plays one scenario. Advance it with ``run_until``; act on it with ``submit``."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int,
        severity_levels: Sequence[str],
        trainee: str = "trainee",
    ) -> None:
        """Prepare a run; nothing happens until ``start`` or the first ``run_until``.

        Args:
            scenario: The scenario to play.
            seed: Seeds the one random generator of the run.
            severity_levels: The levels of the policy in force, most severe first.
            trainee: The trainee's name, shown when they take a role.
        """
        self.scenario = scenario
        self.seed = seed
        self.severity_levels = tuple(severity_levels)
        self.trainee = trainee
        self.env = simpy.Environment()
        self.rng = random.Random(seed)
        self.state = IncidentState()
        self.end_time = scenario.duration
        self.ended: str | None = None
        self.values: dict[str, float] = {}
        self.alerts: dict[str, AlertState] = {a.id: AlertState() for a in scenario.alerts}
        self._unrelated = frozenset(a.id for a in scenario.alerts if a.unrelated)
        self.faults: dict[str, FaultRun] = {}
        self.delivered: dict[str, float] = {}
        self.actions: list[tuple[float, cmd.Command]] = []
        self._subscribers: list[Subscriber] = []
        self._held: list[ev.Event] | None = None
        self._started = False
        self._held_since: dict[int, float] = {}
        self._scheduled_injects: set[str] = set()
        self._chain_halted = False
        self._last_tick = 0.0
        self._sender: tuple[str, str | None] | None = None
        """The person (and seat) submitting the current command, in a team game day."""
        self.heads_down: dict[str, tuple[float, str]] = {}
        """In a team game day: each person running a diagnostic themselves, until when and
        what (a single trainee's is ``state.ic_busy_until`` and ``state.ic_task``)."""

        self._inject = {x.id: x for x in scenario.injects}
        self._fault = {f.id: f for f in scenario.faults}
        self._diagnostic = {d.id: d for d in scenario.diagnostics}
        self._mitigation = {m.id: m for m in scenario.mitigations}
        self._alert_rule = {a.id: a for a in scenario.alerts}
        self.responders: dict[str, ResponderState] = {
            r.id: ResponderState(r, joined=r.available, joined_at=0.0 if r.available else None)
            for r in scenario.responders
        }
        self.findings: dict[str, float] = {}
        """Finding (or revealed fault) id → when a diagnostic result first revealed it."""
        self._cases: dict[str, Case | None] = {}
        """Mitigation id → the case chosen when it was applied."""
        self._metric_specs = [
            (f"{s.id}.{m.id}", s.id, m) for s in scenario.services for m in s.metrics
        ]
        self._queues = {q.id: float(q.initial) for q in scenario.queues}
        self._queue_rates: dict[str, tuple[float, float]] = {}
        self._validators = scenario.chain.validator_set() if scenario.chain else []
        self._total_power = sum(v.power for v in self._validators) or 1.0
        self._chain_progress = 0.0
        self._since_block = 0.0
        self._watch_injects = [x for x in scenario.injects if x.when is not None]
        self._watch_faults = [f for f in scenario.faults if f.when is not None]

    # ------------------------------------------------------------------ public API

    @property
    def now(self) -> float:
        """Current sim time, seconds from scenario start."""
        return float(self.env.now)

    def subscribe(self, callback: Subscriber) -> None:
        """Receive every event from now on, in order."""
        self._subscribers.append(callback)

    def start(self) -> None:
        """Begin the exercise at sim time 0 (idempotent)."""
        if self._started:
            return
        self._started = True
        s = self.scenario
        self._emit(ev.ScenarioStarted(0.0, s.id, s.title, s.start.isoformat() + "Z"))
        history = {
            f"{sv.id}.{m.id}": [[-p.ago, p.value] for p in sorted(m.history, key=lambda p: -p.ago)]
            for sv in s.services
            for m in sv.metrics
            if m.history
        }
        if history:
            self._emit(ev.MetricHistory(0.0, history))
        for f in s.faults:
            if f.at is not None:
                if f.at == 0:
                    self._start_fault(f, "scheduled")
                else:
                    self.env.process(self._timed_fault(f))
        for x in s.injects:
            if x.at is not None:
                self.env.process(self._timed_inject(x))
        self.env.process(self._ticker())

    def run_until(self, t: float) -> None:
        """Advance sim time to ``t`` (or the end of the scenario, whichever is first).

        Everything due at ``t`` itself has happened when this returns, so a command submitted
        next lands after it (an alert firing at 65 s can be acknowledged "at 65 s").
        """
        self.start()
        if self.ended:
            return
        target = min(t, self.end_time)
        if target > self.env.now:
            self.env.run(until=target)
        # Inclusive: what is due at ``target`` itself has happened when this returns.
        while self.env.peek() <= target and not self.ended:
            self.env.step()
        if self.env.now >= self.end_time and not self.ended:
            self._end("time")

    def run_to_end(self) -> None:
        """Advance to the end of the scenario with no further commands."""
        self.run_until(self.end_time)

    def submit(
        self,
        command: cmd.Command,
        *,
        by: str = "trainee",
        person: str | None = None,
        seat: str | None = None,
        approved_by: str | None = None,
    ) -> Outcome:
        """Validate and apply a command at the current sim time.

        Args:
            command: A trainee action or facilitator command from ``simulator.commands``.
            by: ``trainee`` or ``facilitator`` (facilitator commands are always the facilitator's,
                except pace presses, ``set_pace`` and ``jump_ahead``, which are whoever pressed).
            person: Who sent it from a team seat (journalled with the action when given).
            seat: The team seat it came from (journalled with the action when given).
            approved_by: Who approved it, when the roles table held it for approval
                (journalled with the action when given).
        """
        self.start()
        if cmd.is_facilitator(command) and not isinstance(command, cmd.SetPace | cmd.JumpAhead):
            by = "facilitator"
        data = command.to_dict()
        self._held = []
        self._sender = (person, seat) if person is not None else None
        try:
            if self.ended:
                raise CommandRejected("the exercise has ended")
            HANDLERS[type(command)](self, command)
        except CommandRejected as exc:
            self._held = None
            self._sender = None
            self._emit(ev.ActionRejected(self._t(), by, data, str(exc), person, seat, approved_by))
            return Outcome(False, str(exc))
        consequences, self._held = self._held, None
        self._sender = None
        self.actions.append((self.now, command))
        self._emit(ev.ActionAccepted(self._t(), by, data, person, seat, approved_by))
        for event in consequences:
            self._emit(event)
        self._after_command(command)
        return Outcome(True)

    def clock(self, t: float | None = None) -> str:
        """In-world wall time at sim time ``t``, e.g. ``15:17:30``."""
        moment = self.scenario.start.timestamp() + (self.now if t is None else t)
        from datetime import UTC, datetime

        return datetime.fromtimestamp(moment, UTC).strftime("%H:%M:%S")

    def alert_state(self, alert: str) -> str:
        """``inactive``, ``pending``, ``firing``, ``acknowledged`` or ``resolved``."""
        a = self.alerts[alert]
        if a.state == "firing":
            return "acknowledged" if a.acknowledged else "firing"
        if a.state == "inactive" and a.fired_at is not None:
            return "resolved"
        return a.state

    def active_faults(self) -> list[str]:
        """Ids of faults that have started and not cleared."""
        return [fid for fid, run in self.faults.items() if run.cleared_at is None]

    def pending_injects(self) -> list[Inject]:
        """Injects not delivered yet (scheduled, conditional or manual)."""
        return [x for x in self.scenario.injects if x.id not in self.delivered]

    def snapshot(self) -> Snapshot:
        """A frozen copy of what can be shown of the exercise now (the read model)."""
        now = self.now
        st = self.state
        return Snapshot(
            t=now,
            world=self.clock(),
            ended=self.ended,
            severity=st.severity,
            title=st.title,
            declared_at=st.declared_at,
            channel=st.channel,
            roles=tuple(st.roles.items()),
            paged=tuple(st.paged.items()),
            escalations=tuple(st.escalations),
            notified=tuple((k, tuple(v)) for k, v in st.notified.items()),
            updates=tuple(st.updates),
            resolved_at=st.resolved_at,
            postmortem_at=st.postmortem_at,
            ic_task=st.ic_task,
            ic_busy_until=st.ic_busy_until,
            root_cause_found_at=st.root_cause_found_at,
            mitigations_applied=tuple(st.mitigations_applied.items()),
            mitigations_running=tuple(st.mitigations_running.items()),
            alerts=tuple(
                AlertSnapshot(
                    rule_id,
                    self.alert_state(rule_id),
                    a.fired_at,
                    a.resolved_at,
                    rule_id in self._unrelated,
                )
                for rule_id, a in self.alerts.items()
            ),
            responders=tuple(
                ResponderSnapshot(
                    r.responder.id,
                    r.responder.name,
                    r.responder.role,
                    tuple(r.responder.skills),
                    r.responder.rotation,
                    r.joined,
                    r.responder.id in st.paged or r.paged_at is not None,
                    r.task if now < r.busy_until else "",
                    r.busy_until,
                )
                for r in self.responders.values()
            ),
            metrics=tuple(self.values.items()),
            active_faults=tuple(self.active_faults()),
            delivered=tuple(self.delivered.items()),
            actions=tuple(self.actions),
        )

    # ------------------------------------------------------------------ processes

    def _timed_fault(self, fault: Fault) -> Generator[simpy.Event, Any, None]:
        assert fault.at is not None
        yield self.env.timeout(fault.at)
        if fault.id not in self.faults:
            self._start_fault(fault, "scheduled")

    def _timed_inject(self, inject: Inject) -> Generator[simpy.Event, Any, None]:
        assert inject.at is not None
        yield self.env.timeout(inject.at)
        self._deliver(inject, "scheduled")

    def _delayed_inject(self, inject: Inject, delay: float) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(delay)
        self._deliver(inject, "condition")

    def _ticker(self) -> Generator[simpy.Event, Any, None]:
        every = self.scenario.sample_every
        while True:
            self._sample()
            self._evaluate_alerts()
            self._watch()
            yield self.env.timeout(every)

    def _later(self, delay: float, fn: Callable[[], object]) -> None:
        def proc() -> Generator[simpy.Event, Any, None]:
            yield self.env.timeout(delay)
            if not self.ended:
                fn()

        self.env.process(proc())

    # ------------------------------------------------------------------ system model

    def _strength(self, run: FaultRun, ramp: float, now: float) -> float:
        s = 1.0 if ramp <= 0 else min(1.0, (now - run.started_at) / ramp)
        if run.cleared_at is not None:
            rec = run.fault.recovery
            s *= 0.0 if rec <= 0 else max(0.0, 1.0 - (now - run.cleared_at) / rec)
        return s

    def _live_runs(self, now: float) -> Iterable[FaultRun]:
        for run in self.faults.values():
            if run.cleared_at is None or now - run.cleared_at < run.fault.recovery:
                yield run

    def _apply_effects(
        self, metric: str, value: float, runs: Sequence[FaultRun], now: float
    ) -> float:
        for run in runs:
            for e in run.fault.effects:
                if isinstance(e, MetricEffect) and e.metric == metric:
                    s = self._strength(run, e.ramp, now)
                    if s <= 0:
                        continue
                    if e.to is not None:
                        value += (e.to - value) * s
                    elif e.by is not None:
                        value += e.by * s
                    elif e.times is not None:
                        value *= 1.0 + (e.times - 1.0) * s
        return value

    def _down_services(self) -> set[str]:
        down: set[str] = set()
        for run in self.faults.values():
            if run.cleared_at is None:
                down.update(e.service for e in run.fault.effects if isinstance(e, ServiceEffect))
        return down

    def _offline_validators(self) -> set[str]:
        off: set[str] = set()
        for run in self.faults.values():
            if run.cleared_at is None:
                for e in run.fault.effects:
                    if isinstance(e, ValidatorEffect):
                        off.update(e.validators)
        return off

    def _noisy(self, value: float, noise: float) -> float:
        if noise <= 0 or value == 0:
            return value
        return value + self.rng.gauss(0.0, abs(value) * noise)

    def _sample(self) -> None:
        now = self.now
        dt = now - self._last_tick
        self._last_tick = now
        runs = list(self._live_runs(now))
        down = self._down_services()
        values: dict[str, float] = {}
        for full, service, m in self._metric_specs:
            if service in down and m.down is not None:
                v = m.down
            else:
                v = self._noisy(self._apply_effects(full, m.baseline, runs, now), m.noise)
            if m.min is not None:
                v = max(m.min, v)
            if m.max is not None:
                v = min(m.max, v)
            values[full] = round(v, m.decimals)
        for q in self.scenario.queues:
            arrival = max(
                0.0,
                self._noisy(
                    self._apply_effects(f"{q.id}.arrival_rate", q.arrival_rate, runs, now), q.noise
                ),
            )
            served = max(
                0.0, self._apply_effects(f"{q.id}.service_rate", q.service_rate, runs, now)
            )
            # Left integration: the interval just ended ran at the rates sampled at its start.
            prev_arrival, prev_served = self._queue_rates.get(q.id, (arrival, served))
            depth = max(0.0, self._queues[q.id] + (prev_arrival - prev_served) * dt)
            self._queues[q.id] = depth
            self._queue_rates[q.id] = (arrival, served)
            values[f"{q.id}.depth"] = round(
                self._apply_effects(f"{q.id}.depth", depth, runs, now), 1
            )
            values[f"{q.id}.arrival_rate"] = round(arrival, 2)
            values[f"{q.id}.service_rate"] = round(served, 2)
        if self.scenario.chain is not None:
            values.update(self._chain_sample(dt, runs, now))
        self.values = values
        self._emit(ev.MetricsSampled(self._t(), values))

    def _chain_sample(self, dt: float, runs: Sequence[FaultRun], now: float) -> dict[str, float]:
        chain = self.scenario.chain
        assert chain is not None
        off = self._offline_validators()
        online = [v for v in self._validators if v.name not in off]
        power = sum(v.power for v in online) / self._total_power
        halted = power < HALT_THRESHOLD - 1e-12
        if halted:
            self._since_block += dt
            block_time = self._since_block
        else:
            deficit = (1.0 - power) / (1.0 - HALT_THRESHOLD)
            block_time = chain.block_time * (1.0 + chain.slowdown * deficit)
            block_time = max(0.5, self._apply_effects("chain.block_time", block_time, runs, now))
            self._chain_progress += dt / block_time
            frac = self._chain_progress - math.floor(self._chain_progress)
            self._since_block = frac * block_time
        if halted != self._chain_halted:
            self._chain_halted = halted
            cls = ev.ChainHalted if halted else ev.ChainResumed
            self._emit(cls(self._t(), round(power * 100, 2)))
        return {
            "chain.block_time": round(max(block_time, self._since_block), 2),
            "chain.since_last_block": round(self._since_block, 1),
            "chain.online_power": round(power * 100, 2),
            "chain.validators_online": float(len(online)),
            "chain.height": float(chain.height + math.floor(self._chain_progress)),
        }

    def _evaluate_alerts(self) -> None:
        now = self.now
        for rule in self.scenario.alerts:
            a = self.alerts[rule.id]
            value = self.values.get(rule.metric)
            holds = value is not None and _OPS[rule.op](value, rule.threshold)
            if holds:
                assert value is not None
                if a.state == "inactive":
                    a.state, a.since = "pending", now
                    if rule.for_ > 0:
                        self._emit(ev.AlertPending(self._t(), rule.id, value))
                if a.state == "pending" and now - a.since >= rule.for_:
                    a.state = "firing"
                    if a.fired_at is None:
                        a.fired_at = now
                    summary = _render(
                        rule.summary, {**self.values, "value": value, "threshold": rule.threshold}
                    )
                    self._emit(ev.AlertFiring(self._t(), rule.id, rule.severity, value, summary))
            elif a.state != "inactive":
                fired = a.state == "firing"
                a.state, a.acknowledged = "inactive", False
                if fired:
                    a.resolved_at = now
                self._emit(
                    ev.AlertResolved(self._t(), rule.id, value if value is not None else 0.0, fired)
                )

    # ------------------------------------------------------------------ faults, injects

    def _start_fault(self, fault: Fault, cause: str) -> None:
        existing = self.faults.get(fault.id)
        if existing is not None and existing.cleared_at is None:
            return
        run = FaultRun(fault, self.now)
        self.faults[fault.id] = run
        self._emit(ev.FaultStarted(self._t(), fault.id, fault.title, cause))
        if fault.duration is not None:
            self._later(fault.duration, lambda: self._clear_fault(fault.id, "expired"))
        if fault.repeat is not None:
            run.episode = (existing.episode + 1) if existing is not None else 1
            every = fault.repeat.every
            if every is not None and run.episode < fault.repeat.times:
                self._later(every, lambda: self._recur(fault))

    def _recur(self, fault: Fault) -> None:
        run = self.faults.get(fault.id)
        if run is not None and run.stopped:
            return
        self._start_fault(fault, "recurring")

    def _clear_fault(self, fault_id: str, cause: str) -> bool:
        run = self.faults.get(fault_id)
        if run is None or run.cleared_at is not None:
            return False
        run.cleared_at = self.now
        run.stopped = cause != "expired" and run.fault.at is not None
        self._emit(ev.FaultCleared(self._t(), fault_id, cause))
        return True

    def _deliver(self, inject: Inject, source: str, to: str | None = None) -> None:
        if inject.id in self.delivered or self.ended:
            return
        if source != "facilitator" and inject.until is not None and self.now > inject.until:
            return
        self.delivered[inject.id] = self.now
        text = _render(inject.text, self.values)
        self._emit(
            ev.InjectDelivered(self._t(), inject.id, inject.from_, inject.channel, text, source, to)
        )
        for rid in inject.leaves:
            self._leave(self.responders[rid])

    def _leave(self, r: ResponderState) -> None:
        if r.left:
            return
        r.joined, r.left = False, True
        roles = tuple(role for role, person in self.state.roles.items() if person == r.responder.id)
        for role in roles:
            del self.state.roles[role]
        self._emit(ev.ResponderLeft(self._t(), r.responder.id, r.responder.name, roles))

    def _watch(self) -> None:
        """Deliver conditional injects and start conditional faults whose condition now holds."""
        for f in self._watch_faults:
            run = self.faults.get(f.id)
            again = (
                run is not None
                and f.repeat is not None
                and run.cleared_at is not None
                and run.episode < f.repeat.times
            )
            if (run is None or again) and f.when is not None and self._holds(f.when):
                self._start_fault(f, "condition")
        for x in self._watch_injects:
            if x.id in self.delivered or x.id in self._scheduled_injects or x.when is None:
                continue
            if x.until is not None and self.now > x.until:
                continue
            if self._holds(x.when):
                if x.delay > 0:
                    self._scheduled_injects.add(x.id)
                    self.env.process(self._delayed_inject(x, x.delay))
                else:
                    self._deliver(x, "condition")

    def _holds(self, cond: Condition) -> bool:
        now = self.now
        if isinstance(cond, MetricIs):
            value = self.values.get(cond.metric)
            ok = value is not None and _OPS[cond.op](value, cond.value)
            key = id(cond)
            if not ok:
                self._held_since.pop(key, None)
                return False
            since = self._held_since.setdefault(key, now)
            return now - since >= cond.for_
        if isinstance(cond, AlertIs):
            st = self.alert_state(cond.alert)
            if cond.state == "firing":
                return st in ("firing", "acknowledged")
            return st == cond.state
        if isinstance(cond, ActionTaken):
            return self._action_holds(cond)
        if isinstance(cond, InjectDelivered):
            return (cond.inject in self.delivered) == cond.delivered
        if isinstance(cond, FaultIs):
            run = self.faults.get(cond.fault)
            active = run is not None and run.cleared_at is None
            return active == cond.active
        if isinstance(cond, After):
            return now >= cond.after
        if isinstance(cond, FindingIs):
            return (cond.finding in self.findings) == cond.revealed
        if isinstance(cond, ResponderIs):
            r = self.responders.get(cond.responder)
            return (r is not None and r.joined) == cond.present
        if isinstance(cond, Since):
            moment = self.moment(cond.since)
            return moment is not None and now >= moment + cond.after
        if isinstance(cond, ClockIs):
            return now >= self._clock_offset(cond.clock)
        if isinstance(cond, AllOf):
            results = [self._holds(c) for c in cond.all]
            return all(results)
        if isinstance(cond, AnyOf):
            results = [self._holds(c) for c in cond.any]
            return any(results)
        if isinstance(cond, NotOf):
            return not self._holds(cond.not_)
        raise TypeError(f"unknown condition {cond!r}")

    def holds(self, cond: Condition) -> bool:
        """Whether a scenario condition holds now (for drivers that plan around one)."""
        return self._holds(cond)

    def moment(self, anchor: str) -> float | None:
        """When an anchor of a ``since`` predicate happened (``None``: not yet)."""
        kind, _, name = anchor.partition(":")
        if kind == "start":
            return 0.0
        if kind == "incident":
            return min((run.started_at for run in self.faults.values()), default=None)
        if kind == "declared":
            return self.state.declared_at
        if kind == "first_alert":
            return min(
                (a.fired_at for a in self.alerts.values() if a.fired_at is not None), default=None
            )
        if kind == "fault":
            run = self.faults.get(name)
            return run.started_at if run is not None else None
        if kind == "inject":
            return self.delivered.get(name)
        if kind == "alert":
            alert = self.alerts.get(name)
            return alert.fired_at if alert is not None else None
        if kind == "mitigation":
            return self.state.mitigations_applied.get(name)
        if kind == "finding":
            return self.findings.get(name)
        if kind == "joined":
            r = self.responders.get(name)
            return r.joined_at if r is not None else None
        return None

    def _clock_offset(self, clock: str) -> float:
        """Sim seconds from the start to the first in-world ``HH:MM[:SS]`` at or after it."""
        parts = [int(p) for p in clock.split(":")]
        target = parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)
        start = self.scenario.start
        start_of_day = start.hour * 3600 + start.minute * 60 + start.second
        return float((target - start_of_day) % 86400)

    def unmet(self, req: Requirement | None, doer: ResponderState | None = None) -> list[str]:
        """Each part of a precondition that does not hold now, in words (empty: all met).

        Args:
            req: The precondition.
            doer: The responder who would carry it out (a delegated diagnostic), when named;
                otherwise anyone present counts.
        """
        if req is None:
            return []
        out: list[str] = []
        present = [r for r in self.responders.values() if r.joined]
        if req.skill is not None:
            pool = [doer] if doer is not None else present
            if not any(req.skill in r.responder.skills for r in pool if r.joined):
                holders = [r for r in self.responders.values() if req.skill in r.responder.skills]
                who = (
                    f"{doer.responder.name} does not have it"
                    if doer is not None
                    else "; ".join(self._whereabouts(r) for r in holders) or "nobody has it"
                )
                out.append(f"needs someone in the incident with the {req.skill} skill ({who})")
        if req.responder is not None:
            r = self.responders.get(req.responder)
            if r is not None and (not r.joined or (doer is not None and doer is not r)):
                out.append(f"needs {r.responder.name} to carry it out ({self._whereabouts(r)})")
        missing = [k for k in req.known if k not in self.findings]
        if missing:
            out.append(
                f"needs the finding {', '.join(missing)} first: no diagnostic result has shown it"
            )
        if req.when is not None and not self._holds(req.when):
            out.append("the situation it needs does not hold yet")
        return out

    def _log_lines(self, service: str) -> str:
        """The service's log lines that hold now (noise always), as a diagnostic shows them."""
        sv = next((x for x in self.scenario.services if x.id == service), None)
        lines = [
            f"{line.level.upper():<5} {_render(line.text, self.values)}"
            for line in (sv.logs if sv is not None else [])
            if line.when is None or self._holds(line.when)
        ]
        return f"--- {service} logs ---\n" + ("\n".join(lines) or "(no lines)")

    def _whereabouts(self, r: ResponderState) -> str:
        name = r.responder.name
        if r.joined:
            return f"{name} is in the incident"
        if r.responder.id in self.state.paged or r.paged_at is not None:
            return f"{name} was paged but has not joined yet"
        return f"{name} has not been paged"

    def _check_requirement(
        self,
        action: str,
        target: str,
        label: str,
        req: Requirement | None,
        doer: ResponderState | None = None,
    ) -> None:
        """Refuse (``unmet: reject``) or announce the consequence (``unmet: proceed``)."""
        unmet = self.unmet(req, doer)
        if req is None or not unmet:
            return
        if req.unmet == "reject":
            why = f" ({req.consequence})" if req.consequence else ""
            raise CommandRejected(f"{label} cannot go ahead: {'; '.join(unmet)}{why}")
        started = [f for f in req.starts if f not in self.active_faults()]
        self._emit(
            ev.PreconditionUnmet(
                self._t(), action, target, tuple(unmet), req.consequence, tuple(started)
            )
        )
        for fid in started:
            self._start_fault(self._fault[fid], f"{_CAUSE[action]}:{target}")

    def _action_holds(self, cond: ActionTaken) -> bool:
        deadline = cond.by
        taken = False
        for t, command in self.actions:
            if command.do != cond.action:
                continue
            if deadline is not None and t > deadline:
                continue
            fields = command.fields()
            if all(str(fields.get(k, "")).lower() == v.lower() for k, v in cond.with_.items()):
                taken = True
                break
        if cond.taken:
            return taken
        if deadline is not None and self.now < deadline:
            return False
        return not taken

    # ------------------------------------------------------------------ commands

    def _after_command(self, command: cmd.Command) -> None:
        if isinstance(command, cmd.EndExercise):
            self._end("facilitator")
            return
        self._watch()
        if self.state.resolved_at is not None and self.state.postmortem_at is not None:
            self._end("completed")

    def _end(self, reason: str) -> None:
        if self.ended:
            return
        self.ended = reason
        self._emit(ev.ScenarioEnded(self._t(), reason))

    def _require_not_busy(self, what: str) -> None:
        if self._sender is not None:  # a team: the person who sent it, not the IC
            until, task = self.heads_down.get(self._sender[0], (0.0, ""))
            if self.now < until:
                raise CommandRejected(
                    f"you are heads-down on {task} until {format_clock(until)}; {what} has to wait"
                )
            return
        if self.now < self.state.ic_busy_until:
            raise CommandRejected(
                f"you are heads-down on {self.state.ic_task} until "
                f"{format_clock(self.state.ic_busy_until)}: an IC who debugs stops coordinating "
                f"(delegate diagnostics instead); {what} has to wait"
            )

    @handles(cmd.Acknowledge)
    def _do_acknowledge(self, c: cmd.Acknowledge) -> None:
        self._require_not_busy("acknowledging")
        a = self.alerts.get(c.alert)
        if a is None:
            raise CommandRejected(
                f"no alert named {c.alert!r}{_did_you_mean(c.alert, self.alerts)}"
            )
        if a.state != "firing":
            raise CommandRejected(f"{c.alert} is not firing")
        if a.acknowledged:
            raise CommandRejected(f"{c.alert} is already acknowledged")
        a.acknowledged = True

    @handles(cmd.Classify)
    def _do_classify(self, c: cmd.Classify) -> None:
        if c.severity not in self.severity_levels:
            raise CommandRejected(
                f"{c.severity!r} is not a level of the policy in force "
                f"({', '.join(self.severity_levels)})"
            )
        if c.severity == self.state.severity:
            raise CommandRejected(f"severity is already {c.severity}")
        self.state.severity = c.severity

    @handles(cmd.Declare)
    def _do_declare(self, c: cmd.Declare) -> None:
        self._require_not_busy("declaring")
        if self.state.declared_at is not None:
            raise CommandRejected("the incident is already declared")
        self.state.declared_at = self.now
        self.state.title = c.title or self.scenario.title

    @handles(cmd.CreateChannel)
    def _do_create_channel(self, c: cmd.CreateChannel) -> None:
        self._require_not_busy("creating the channel")
        if self.state.channel is not None:
            raise CommandRejected(
                f"the incident channel {self.state.channel} already exists: rename it instead"
            )
        self.state.channel = c.name

    @handles(cmd.RenameChannel)
    def _do_rename_channel(self, c: cmd.RenameChannel) -> None:
        self._require_not_busy("renaming the channel")
        if self.state.channel is None:
            raise CommandRejected("there is no incident channel yet: create it first")
        if c.name == self.state.channel:
            raise CommandRejected(f"the incident channel is already called {c.name}")
        self.state.channel = c.name

    def _person(self, name: str) -> str:
        if name.lower() in ("me", "self", "myself", self.trainee.lower()):
            return "me"
        r = self._find_responder(name)
        return r.responder.id if r else name

    def _find_responder(self, name: str) -> ResponderState | None:
        found = find_responder(name, self.scenario.responders)
        return self.responders[found.id] if found is not None else None

    @handles(cmd.AssignRole)
    def _do_assign_role(self, c: cmd.AssignRole) -> None:
        self._require_not_busy("assigning roles")
        person = self._person(c.person)
        if self.state.roles.get(c.role) == person:
            raise CommandRejected(f"{c.person} already has the {c.role} role")
        r = self.responders.get(person)
        if r is not None and r.left:
            raise CommandRejected(f"{r.responder.name} has left the incident")
        if r is not None and not r.joined:
            raise CommandRejected(f"{r.responder.name} is not in the incident yet: page them first")
        self.state.roles[c.role] = person

    @handles(cmd.Page)
    def _do_page(self, c: cmd.Page) -> None:
        self._require_not_busy("paging")
        target = c.target.lower().lstrip("@")
        responder = self._find_responder(target)
        if target not in cmd.ROTATIONS and responder is None:
            known = [*cmd.ROTATIONS, *self.responders]
            raise CommandRejected(
                f"no rotation or responder {c.target!r}{_did_you_mean(target, known)}"
            )
        key = responder.responder.id if responder else target
        if responder is not None and responder.left:
            raise CommandRejected(
                f"{responder.responder.name} has left the incident and cannot come back"
            )
        if key in self.state.paged:
            raise CommandRejected(
                f"{c.target} was already paged at {format_clock(self.state.paged[key])}"
            )
        self.state.paged[key] = self.now
        if responder is None:
            responder = next(
                (r for r in self.responders.values() if r.responder.rotation == target), None
            )
        ack = round(self.rng.uniform(20.0, 75.0), 1)
        if responder is None:
            label = target.replace("_", " ")
            self._later(
                ack,
                lambda: self._message(
                    "PagerDuty", "pager", f"{label} on-call acknowledged the page"
                ),
            )
            return
        r = responder
        r.paged_at = self.now
        if r.joined:
            self._later(
                ack, lambda: self._message(r.responder.name, "incident", "Here. What do you need?")
            )
            return
        self._later(
            ack,
            lambda: self._message(
                "PagerDuty",
                "pager",
                f"{r.responder.name} ({r.responder.role}) acknowledged the page",
            ),
        )
        self._later(max(ack + 1.0, r.responder.join_delay), lambda: self._join(r))

    def _join(self, r: ResponderState) -> None:
        if r.joined or r.left:
            return
        r.joined = True
        r.joined_at = self.now
        self._emit(ev.ResponderJoined(self._t(), r.responder.id, r.responder.name))
        self._message(
            r.responder.name,
            "incident",
            f"{r.responder.name} here ({r.responder.role}). Catching up on the channel.",
        )

    @handles(cmd.Escalate)
    def _do_escalate(self, c: cmd.Escalate) -> None:
        self._require_not_busy("escalating")
        self.state.escalations.append((self.now, c.to.lower()))
        target = c.to.lower().lstrip("@")
        responder = self._find_responder(target) or next(
            (r for r in self.responders.values() if r.responder.rotation == target), None
        )
        if (
            responder is not None
            and not responder.joined
            and responder.responder.id not in self.state.paged
        ):
            self.state.paged[responder.responder.id] = self.now
            self._later(max(1.0, responder.responder.join_delay), lambda: self._join(responder))
        delay = round(self.rng.uniform(30.0, 90.0), 1)
        named = {x.id: x.name for x in self.scenario.stakeholders}
        sender = (
            responder.responder.name
            if responder
            else named.get(target) or ESCALATION_LABELS.get(target) or c.to.strip().lstrip("@")
        )
        self._later(
            delay,
            lambda: self._message(
                sender, "dm", "Escalation received. I'm looking; keep me posted in the channel."
            ),
        )

    @handles(cmd.Notify)
    def _do_notify(self, c: cmd.Notify) -> None:
        self._require_not_busy("notifying")
        extra = {x.id for x in self.scenario.stakeholders}
        if c.stakeholder not in STAKEHOLDERS and c.stakeholder not in extra:
            raise CommandRejected(
                f"no stakeholder {c.stakeholder!r}"
                f"{_did_you_mean(c.stakeholder, [*STAKEHOLDERS, *extra])}"
            )
        self.state.notified.setdefault(c.stakeholder, []).append(self.now)

    @handles(cmd.PostUpdate)
    def _do_post_update(self, c: cmd.PostUpdate) -> None:
        self._require_not_busy("posting updates")
        if c.audience == "incident" and self.state.channel is None:
            raise CommandRejected("there is no incident channel yet: create it first")
        extra = {x.id for x in self.scenario.channels}
        if c.audience not in AUDIENCES and c.audience not in extra:
            raise CommandRejected(
                f"no audience {c.audience!r}{_did_you_mean(c.audience, [*AUDIENCES, *extra])}"
            )
        self.state.updates.append((self.now, c.audience, c.status))

    def _diagnostic_of(self, name: str) -> Diagnostic:
        d = self._diagnostic.get(name)
        if d is None:
            raise CommandRejected(f"no diagnostic {name!r}{_did_you_mean(name, self._diagnostic)}")
        return d

    def _choice_of(self, d: Diagnostic, choice: str | None) -> DiagnosticChoice | None:
        if not d.choices:
            if choice is not None:
                raise CommandRejected(f"{d.title} takes no choice")
            return None
        ids = [x.id for x in d.choices]
        if choice is None:
            raise CommandRejected(f"{d.title}: say which one (choice: {', '.join(ids)})")
        found = next((x for x in d.choices if x.id == choice), None)
        if found is None:
            raise CommandRejected(
                f"{d.title} has no choice {choice!r}{_did_you_mean(choice, ids)} ({', '.join(ids)})"
            )
        return found

    @handles(cmd.RunDiagnostic)
    def _do_run_diagnostic(self, c: cmd.RunDiagnostic) -> None:
        d = self._diagnostic_of(c.diagnostic)
        choice = self._choice_of(d, c.choice)
        self._require_not_busy(f"running {d.id}")
        if d.requires is not None and (d.requires.skill or d.requires.responder):
            raise CommandRejected(
                f"{d.title} needs a responder: delegate it ({'; '.join(self.unmet(d.requires))})"
            )
        self._check_requirement("run_diagnostic", d.id, d.title, d.requires)
        took = round(d.duration * self.rng.uniform(0.9, 1.1), 1)
        person, seat = self._sender if self._sender is not None else (None, None)
        if person is not None:
            self.heads_down[person] = (self.now + took, d.title)
        else:
            self.state.ic_busy_until = self.now + took
            self.state.ic_task = d.title
        eta = self._t(self.now + took)
        self._emit(ev.DiagnosticStarted(self._t(), d.id, "ic", eta, person, seat))
        self._later(took, lambda: self._diagnostic_done(d, "ic", choice, person))

    @handles(cmd.Delegate)
    def _do_delegate(self, c: cmd.Delegate) -> None:
        self._require_not_busy("delegating")
        d = self._diagnostic_of(c.diagnostic)
        choice = self._choice_of(d, c.choice)
        r = self._find_responder(c.responder)
        if r is None:
            raise CommandRejected(
                f"no responder {c.responder!r}{_did_you_mean(c.responder, self.responders)}"
            )
        if r.left:
            raise CommandRejected(f"{r.responder.name} has left the incident")
        if not r.joined:
            raise CommandRejected(f"{r.responder.name} is not in the incident yet: page them first")
        if self.now < r.busy_until:
            raise CommandRejected(
                f"{r.responder.name} is busy with {r.task} until {format_clock(r.busy_until)}"
            )
        self._check_requirement("delegate", d.id, d.title, d.requires, r)
        skilled = d.skill is None or d.skill in r.responder.skills
        factor = (1.0 if skilled else 2.0) / r.responder.speed
        took = round(d.duration * factor * self.rng.uniform(0.85, 1.15), 1)
        r.busy_until = self.now + took
        r.task = d.title
        self._emit(ev.DiagnosticStarted(self._t(), d.id, r.responder.id, self._t(self.now + took)))
        reply = (
            "On it."
            if skilled
            else f"Not really my area ({d.skill}), but I'll take a look. It will take me a while."
        )
        self._message(r.responder.name, "incident", f"{reply} {d.title}.")
        self._later(took, lambda: self._diagnostic_done(d, r.responder.id, choice))

    def _diagnostic_done(
        self,
        d: Diagnostic,
        by: str,
        choice: DiagnosticChoice | None = None,
        person: str | None = None,
    ) -> None:
        if person is not None:
            self.heads_down.pop(person, None)
        elif by == "ic":
            self.state.ic_task = ""
        outputs = choice.outputs if choice is not None else d.outputs
        output = next((o for o in outputs if o.when is None or self._holds(o.when)), outputs[-1])
        text = _render(output.text, self.values)
        if d.logs is not None:
            text = text.rstrip("\n") + "\n" + self._log_lines(d.logs)
        reveals = tuple(output.reveals)
        if (
            any(self._fault[f].root_cause for f in reveals)
            and self.state.root_cause_found_at is None
        ):
            self.state.root_cause_found_at = self.now
        self._emit(ev.DiagnosticResult(self._t(), d.id, by, text, reveals))
        for name in reveals:
            self.findings.setdefault(name, self.now)
        for name in output.finds:
            if name not in self.findings:
                self.findings[name] = self.now
                self._emit(ev.FindingRevealed(self._t(), name, d.id, by))
        self._watch()

    @handles(cmd.ApplyMitigation)
    def _do_apply_mitigation(self, c: cmd.ApplyMitigation) -> None:
        self._require_not_busy("applying a mitigation")
        m = self._mitigation.get(c.mitigation)
        if m is None:
            raise CommandRejected(
                f"no mitigation {c.mitigation!r}{_did_you_mean(c.mitigation, self._mitigation)}"
            )
        if m.id in self.state.mitigations_running:
            raise CommandRejected(f"{m.label} is already in progress")
        if m.id in self.state.mitigations_applied:
            raise CommandRejected(
                f"{m.label} was already applied at {format_clock(self.state.mitigations_applied[m.id])}"
            )
        if m.offered is not None and not self._holds(m.offered):
            raise CommandRejected(f"{m.label} is not on offer in the current situation")
        self._check_requirement("apply_mitigation", m.id, m.label, m.requires)
        if m.cases:
            self._cases[m.id] = next((k for k in m.cases if self._holds(k.when)), None)
        self.state.mitigations_running[m.id] = self.now + m.duration
        self._emit(ev.MitigationStarted(self._t(), m.id, self._t(self.now + m.duration)))
        self._later(m.duration, lambda: self._mitigation_done(m))

    def _mitigation_done(self, m: Mitigation) -> None:
        self.state.mitigations_running.pop(m.id, None)
        self.state.mitigations_applied[m.id] = self.now
        case = self._cases.get(m.id)
        clears = [*m.clears, *(case.clears if case else ())]
        cleared = tuple(f for f in clears if self._clear_fault(f, f"mitigation:{m.id}"))
        started: list[str] = []
        for fid in [*m.starts, *(case.starts if case else ())]:
            if fid not in self.active_faults():
                self._start_fault(self._fault[fid], f"mitigation:{m.id}")
                started.append(fid)
        said = case.outcome if case is not None and case.outcome else m.outcome
        outcome = (
            _render(said, self.values)
            if said
            else (f"{m.label} completed." + ("" if cleared else " No improvement seen yet."))
        )
        self._emit(ev.MitigationFinished(self._t(), m.id, cleared, tuple(started), outcome))
        self._watch()

    @handles(cmd.HandoffIC)
    def _do_handoff_ic(self, c: cmd.HandoffIC) -> None:
        if "ic" not in self.state.roles:
            raise CommandRejected("no IC is assigned yet: assign the IC role first")
        person = self._person(c.to)
        if self.state.roles["ic"] == person:
            raise CommandRejected(f"{c.to} is already the IC")
        self.state.roles["ic"] = person

    @handles(cmd.Resolve)
    def _do_resolve(self, c: cmd.Resolve) -> None:
        self._require_not_busy("resolving")
        if self.state.declared_at is None:
            raise CommandRejected("no incident has been declared, so there is nothing to resolve")
        if self.state.resolved_at is not None:
            raise CommandRejected("the incident is already resolved")
        self.state.resolved_at = self.now

    @handles(cmd.SchedulePostmortem)
    def _do_schedule_postmortem(self, c: cmd.SchedulePostmortem) -> None:
        if self.state.postmortem_at is not None:
            raise CommandRejected("the postmortem is already scheduled")
        if self.state.declared_at is None:
            raise CommandRejected("no incident has been declared")
        self.state.postmortem_at = self.now + c.within

    @handles(cmd.Note)
    def _do_note(self, c: cmd.Note) -> None:
        return None

    @handles(cmd.FireInject)
    def _do_fire_inject(self, c: cmd.FireInject) -> None:
        x = self._inject.get(c.inject)
        if x is None:
            raise CommandRejected(f"no inject {c.inject!r}{_did_you_mean(c.inject, self._inject)}")
        if x.id in self.delivered:
            raise CommandRejected(
                f"inject {x.id} was already delivered at {format_clock(self.delivered[x.id])}"
            )
        self._deliver(x, "facilitator", c.to)

    @handles(cmd.AdHocInject)
    def _do_adhoc_inject(self, c: cmd.AdHocInject) -> None:
        self._emit(
            ev.InjectDelivered(self._t(), None, c.sender, c.channel, c.text, "facilitator", c.to)
        )

    @handles(cmd.StartFault)
    def _do_start_fault(self, c: cmd.StartFault) -> None:
        f = self._fault.get(c.fault)
        if f is None:
            raise CommandRejected(f"no fault {c.fault!r}{_did_you_mean(c.fault, self._fault)}")
        if f.id in self.active_faults():
            raise CommandRejected(f"fault {f.id} is already active")
        self._start_fault(f, "facilitator")

    @handles(cmd.SetPace)
    def _do_set_pace(self, c: cmd.SetPace) -> None:
        return None

    @handles(cmd.JumpAhead)
    def _do_jump_ahead(self, c: cmd.JumpAhead) -> None:
        return None  # the pacer moves the clock; the command only records the jump

    @handles(cmd.SeatRoles)
    def _do_seat_roles(self, c: cmd.SeatRoles) -> None:
        return None  # the team host's record of who holds what; nothing changes in the sim

    @handles(cmd.EndExercise)
    def _do_end_exercise(self, c: cmd.EndExercise) -> None:
        return None

    # ------------------------------------------------------------------ plumbing

    def _message(self, sender: str, channel: str, text: str) -> None:
        self._emit(ev.Message(self._t(), sender, channel, text))

    def _t(self, t: float | None = None) -> float:
        return round(self.now if t is None else t, 3)

    def _emit(self, event: ev.Event) -> None:
        if self._held is not None:
            self._held.append(event)
            return
        for callback in self._subscribers:
            callback(event)


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _SafeFormatter(string.Formatter):
    """``{metric.id}`` and ``{metric.id:.1f}`` only: dotted names are whole keys, not attributes."""

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Any) -> tuple[Any, str]:
        return kwargs.get(field_name, "?"), field_name


_FORMATTER = _SafeFormatter()


def _render(text: str, values: dict[str, Any]) -> str:
    if "{" not in text:
        return text
    try:
        return _FORMATTER.vformat(text, (), values)
    except (ValueError, TypeError, IndexError, KeyError):
        return text


__all__ = ["Engine", "IncidentState", "Outcome", "format_duration"]
