"""Quality checks for scenarios beyond schema validity: ``warroom lint``.

A scenario can validate and still be a poor exercise: an inject whose condition can never hold,
an alert that never fires, a root cause nothing clears, a diagnostic nobody is skilled to run,
an expected severity the policy's own thresholds contradict, an expert autopilot that fails or
a novice that passes. ``lint`` finds these in two ways:

* statically, from the model: value ranges every metric can reach given the faults' effects,
  the earliest time a condition can hold, which faults can ever start, who can run what;
* dynamically, from headless plays under the policy in force: the expert and novice autopilots
  on a few seeds, an idle run in which nobody acts (it shows what the scenario does by
  itself: which alerts fire, which injects arrive, how soon it gets worse), and one run per
  wrong mitigation that starts a fault (what its consequences set off).

A finding the static analysis proves is an error; one that only the plays show ("not delivered
in any lint play") is a warning, since a real trainee or the facilitator may still get there.
Every finding points at the line of the item it concerns (``PATH:LINE:COL``), using the YAML
document's node positions. A finding can be acknowledged in the file with a comment on its line
or the line above: ``# lint-ignore: CHECK-ID why``; it is then counted as suppressed.

This module may use the simulator and the assessor; it must not print, read the command line or
import the screen (``tui.cli.lint`` does that).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assessments.assessor import Assessment, grade
from assessments.policy import CLASS_ORDER, Level, Policy
from simulator import commands as cmd
from simulator import events as ev
from simulator.autopilot import Autopilot, Profile
from simulator.durations import format_duration
from simulator.engine import HALT_THRESHOLD, Engine
from simulator.library import library_paths, resolve
from simulator.model import (
    ActionTaken,
    After,
    AlertIs,
    AllOf,
    AnyOf,
    Condition,
    Fault,
    FaultIs,
    InjectDelivered,
    MetricEffect,
    MetricIs,
    Scenario,
    ValidatorEffect,
)
from simulator.runner import Step, StepDriver, run
from simulator.yamlio import Document, LoadError, Loc, read_yaml, validate

Level_ = Literal["error", "warning"]

DEFAULT_SEEDS: tuple[int, ...] = (1, 2, 3)
"""Seeds of the autopilot plays."""

NOISE_SIGMAS = 5.0
"""How far noise can push a metric, in standard deviations, for the static range analysis."""

FLAP_FIRINGS = 4
"""An alert that starts firing this many times in one play flaps."""

IGNORE = re.compile(r"#\s*lint-ignore:\s*([a-z0-9,\s-]+)")
"""``# lint-ignore: check-id[, check-id] reason`` on a finding's line or the line above."""

CHECKS: dict[str, str] = {
    "invalid": "the file does not load or validate",
    "no-learning-objective": "the scenario states no learning objective",
    "no-debrief-notes": "the debrief has no teaching notes",
    "no-red-herring": "no diagnostic is marked red_herring: true",
    "no-wrong-mitigation": "no mitigation has a consequence (starts a fault)",
    "inject-undeliverable": "an inject's condition can never hold",
    "inject-not-delivered": "an inject was not delivered in any lint play",
    "fault-never-starts": "a fault's condition can never hold",
    "alert-never-fires": "an alert's rule can never hold",
    "alert-not-fired": "an alert did not fire in any lint play",
    "alert-flaps": "an alert fires and resolves over and over",
    "fault-not-cleared": "no mitigation clears a fault that does not clear by itself",
    "mitigation-clears-nothing": "a mitigation clears only faults that never start",
    "mitigation-no-effect": "a mitigation neither clears nor starts any fault",
    "diagnostic-unrunnable": "nobody can run a diagnostic, or its finding can never show",
    "severity-contradicts-policy": "the expected severity is below what the policy's thresholds say",
    "expert-fails": "the expert autopilot fails the scenario",
    "novice-passes": "the novice autopilot passes the scenario",
    "difficulty-mismatch": "the declared difficulty does not match the measurable counts",
    "cut-by-comment": "an unquoted value (such as from:) is cut at ' #' by YAML",
}
"""Every check id with what it finds (README, ``--json`` and tests use the ids)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing lint found, at a line and column of the scenario file."""

    path: str
    """The file as the user named it."""
    line: int
    """1-based line."""
    col: int
    """1-based column."""
    level: Level_
    """``error`` (exit 1) or ``warning``."""
    check: str
    """The check id, e.g. ``alert-never-fires``."""
    message: str
    """One line."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.level}: [{self.check}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "level": self.level,
            "check": self.check,
            "message": self.message,
        }


@dataclass
class FileReport:
    """The findings for one scenario file."""

    path: str
    """The file as the user named it."""
    scenario: str | None = None
    """Scenario id, when the file validates."""
    findings: list[Finding] = field(default_factory=list)
    """What is wrong, errors first, then in file order."""
    suppressed: list[Finding] = field(default_factory=list)
    """Findings acknowledged with ``# lint-ignore``."""
    measures: dict[str, Any] = field(default_factory=dict)
    """The difficulty measures (see ``difficulty_measures``)."""

    @property
    def errors(self) -> list[Finding]:
        """Findings at error level."""
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings at warning level."""
        return [f for f in self.findings if f.level == "warning"]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "path": self.path,
            "scenario": self.scenario,
            "errors": [f.to_dict() for f in self.errors],
            "warnings": [f.to_dict() for f in self.warnings],
            "suppressed": [f.to_dict() for f in self.suppressed],
            "measures": self.measures,
        }


# --------------------------------------------------------------------------- entry points


def lint_targets(specs: Sequence[str]) -> list[str]:
    """The files to lint: each SPEC is a library id or a path; none means the whole library."""
    if not specs:
        return [_shown(p) for p in library_paths()]
    return list(specs)


def lint_file(spec: str, policy: Policy, *, seeds: Sequence[int] = DEFAULT_SEEDS) -> FileReport:
    """Lint one scenario (library id or path) under ``policy``."""
    try:
        path = resolve(spec)
    except LoadError as exc:
        report = FileReport(spec)
        report.findings = [_from_problem(p, "invalid") for p in exc.problems]
        return report
    name = spec if not _is_id(spec, path) else _shown(path)
    report = FileReport(name)
    try:
        doc = read_yaml(path)
        doc.path = name
        scenario = validate(doc, Scenario)
    except LoadError as exc:
        report.findings = [_from_problem(p, _invalid_check(p.message)) for p in exc.problems]
        return report
    refs = scenario.check_references()
    if refs:
        report.findings = [
            _from_problem(doc.problem(loc, message), "invalid") for loc, message in refs
        ]
        return report
    report.scenario = scenario.id
    try:
        raw_lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        raw_lines = []
    linter = _Linter(scenario, doc, policy, raw_lines, tuple(seeds))
    found = list(linter.run())
    report.measures = linter.measures
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for f in found:
        (suppressed if _ignored(f, raw_lines) else kept).append(f)
    order = {"error": 0, "warning": 1}
    report.findings = sorted(kept, key=lambda f: (order[f.level], f.line, f.col, f.check))
    report.suppressed = sorted(suppressed, key=lambda f: (f.line, f.col))
    return report


def _shown(path: Path) -> str:
    """A library file as a path relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _is_id(spec: str, path: Path) -> bool:
    return path.stem == spec and not spec.endswith((".yaml", ".yml")) and "/" not in spec


def _invalid_check(message: str) -> str:
    return "no-learning-objective" if message.startswith("objectives") else "invalid"


def _from_problem(p: Any, check: str) -> Finding:
    return Finding(p.path, p.line, p.col, "error", check, p.message)


def _ignored(f: Finding, lines: Sequence[str]) -> bool:
    for index in (f.line - 1, f.line - 2):
        if 0 <= index < len(lines):
            match = IGNORE.search(lines[index])
            if match and f.check in {c.strip() for c in re.split(r"[,\s]+", match.group(1))}:
                return True
    return False


# --------------------------------------------------------------------------- plays


class _Idle:
    """A trainee who does nothing: what the scenario does by itself."""

    max_step = math.inf

    def attach(self, engine: Engine) -> None:
        return None

    def next_time(self) -> float | None:
        return None

    def act(self, engine: Engine) -> None:
        return None


@dataclass
class Play:
    """What one headless lint play showed."""

    name: str
    """``expert seed 1``, ``novice seed 2``, ``idle``, ``restart-api trap``."""
    profile: str
    """``expert``, ``novice``, ``idle`` or ``trap`` (one wrong mitigation applied)."""
    seed: int
    events: list[ev.Event]
    assessment: Assessment | None = None

    def delivered(self) -> set[str]:
        return {e.inject for e in self.events if isinstance(e, ev.InjectDelivered) and e.inject}

    def firings(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.events:
            if isinstance(e, ev.AlertFiring):
                out[e.alert] = out.get(e.alert, 0) + 1
        return out


def play(scenario: Scenario, policy: Policy, profile: str, seed: int) -> Play:
    """Play a scenario headless with an autopilot profile (or ``idle``) and grade it."""
    level = policy.level_for(scenario.expected.severity, scenario.expected.overrides)
    engine = Engine(
        scenario, seed=seed, severity_levels=policy.level_names, trainee=f"lint-{profile}"
    )
    events: list[ev.Event] = []
    engine.subscribe(events.append)
    if profile == "idle":
        run(engine, _Idle())
        return Play("idle", profile, seed, events)
    prof: Profile = "expert" if profile == "expert" else "novice"
    run(engine, Autopilot(prof, scenario, policy.playbook(level.name), seed=seed))
    assessment = grade(
        events, scenario=scenario, policy=policy, trainee=f"lint-{profile}", seed=seed
    )
    return Play(f"{profile} seed {seed}", profile, seed, events, assessment)


def play_trap(scenario: Scenario, policy: Policy, mitigation: str, at: float, seed: int) -> Play:
    """Play with a trainee who only applies one mitigation, at ``at``: what a wrong call starts."""
    engine = Engine(scenario, seed=seed, severity_levels=policy.level_names, trainee="lint-trap")
    events: list[ev.Event] = []
    engine.subscribe(events.append)
    run(engine, StepDriver([Step(at, cmd.ApplyMitigation(mitigation=mitigation))]))
    return Play(f"{mitigation} trap", "trap", seed, events)


# --------------------------------------------------------------------------- ranges


@dataclass(frozen=True)
class _Range:
    lo: float
    hi: float

    def hull(self, other: _Range) -> _Range:
        return _Range(min(self.lo, other.lo), max(self.hi, other.hi))

    def allows(self, op: str, value: float) -> bool:
        if op == ">":
            return self.hi > value
        if op == ">=":
            return self.hi >= value
        if op == "<":
            return self.lo < value
        if op == "<=":
            return self.lo <= value
        if op == "==":
            return self.lo <= value <= self.hi
        return not (self.lo == self.hi == value)

    def show(self) -> str:
        def num(x: float) -> str:
            if math.isinf(x):
                return "∞" if x > 0 else "-∞"
            return f"{x:g}"

        return f"{num(self.lo)}..{num(self.hi)}"


def _effects_on(scenario: Scenario, metric: str) -> list[MetricEffect]:
    return [
        e
        for f in scenario.faults
        for e in f.effects
        if isinstance(e, MetricEffect) and e.metric == metric
    ]


def _apply_range(r: _Range, effects: Sequence[MetricEffect]) -> _Range:
    """Every value the effects can give, starting from ``r``: each effect applies once, at any
    strength, in the order written or the reverse (faults stack in the order they start)."""

    def one_pass(start: _Range, order: Iterable[MetricEffect]) -> _Range:
        out = start
        for e in order:
            if e.to is not None:
                out = out.hull(_Range(e.to, e.to))
            elif e.by is not None:
                out = out.hull(_Range(out.lo + min(0.0, e.by), out.hi + max(0.0, e.by)))
            elif e.times is not None:
                ends = (out.lo * e.times, out.hi * e.times)
                out = out.hull(_Range(min(ends), max(ends)))
        return out

    return one_pass(r, effects).hull(one_pass(r, reversed(effects)))


def metric_range(scenario: Scenario, metric: str) -> _Range:
    """The values a metric can ever take in the scenario (an over-approximation)."""
    effects = _effects_on(scenario, metric)
    for service in scenario.services:
        for m in service.metrics:
            if f"{service.id}.{m.id}" != metric:
                continue
            r = _apply_range(_Range(m.baseline, m.baseline), effects)
            spread = NOISE_SIGMAS * m.noise * max(abs(r.lo), abs(r.hi))
            r = _Range(r.lo - spread, r.hi + spread)
            if m.down is not None:
                r = r.hull(_Range(m.down, m.down))
            lo = r.lo if m.min is None else max(m.min, r.lo)
            hi = r.hi if m.max is None else min(m.max, r.hi)
            return _Range(min(lo, hi), max(lo, hi))
    for q in scenario.queues:
        if metric == f"{q.id}.depth":
            return _Range(0.0, math.inf)
        for key, base, noise in (
            ("arrival_rate", q.arrival_rate, q.noise),
            ("service_rate", q.service_rate, 0.0),
        ):
            if metric == f"{q.id}.{key}":
                r = _apply_range(_Range(base, base), effects)
                spread = NOISE_SIGMAS * noise * max(abs(r.lo), abs(r.hi))
                return _Range(max(0.0, r.lo - spread), r.hi + spread)
    chain = scenario.chain
    if chain is not None and metric.startswith("chain."):
        validators = chain.validator_set()
        total = sum(v.power for v in validators) or 1.0
        off = {
            name
            for f in scenario.faults
            for e in f.effects
            if isinstance(e, ValidatorEffect)
            for name in e.validators
        }
        online_min = sum(v.power for v in validators if v.name not in off) / total
        key = metric.removeprefix("chain.")
        if key == "online_power":
            return _Range(round(online_min * 100, 2), 100.0)
        if key == "validators_online":
            return _Range(float(len(validators) - len(off)), float(len(validators)))
        if key == "height":
            return _Range(float(chain.height), math.inf)
        can_halt = online_min < HALT_THRESHOLD
        top = math.inf if can_halt else max_block_time(scenario)
        if key == "since_last_block":
            return _Range(0.0, top)
        if key == "block_time":
            return _Range(0.5, top)
    return _Range(-math.inf, math.inf)


def max_block_time(scenario: Scenario) -> float:
    """The slowest block time while the chain still produces blocks (an estimate).

    Validator outages are combined as far as they leave 2/3 of the power online (all of them
    together, else the worst single fault that does); every block-time effect applies in full.
    """
    chain = scenario.chain
    if chain is None:
        return 0.0
    validators = chain.validator_set()
    total = sum(v.power for v in validators) or 1.0

    def power_without(names: set[str]) -> float:
        return sum(v.power for v in validators if v.name not in names) / total

    sets = [
        {n for e in f.effects if isinstance(e, ValidatorEffect) for n in e.validators}
        for f in scenario.faults
    ]
    union = set().union(*sets) if sets else set()
    candidates = [power_without(union)] + [power_without(s) for s in sets] + [1.0]
    producing = [p for p in candidates if p >= HALT_THRESHOLD - 1e-12]
    power = min(producing) if producing else 1.0
    deficit = (1.0 - power) / (1.0 - HALT_THRESHOLD)
    base = chain.block_time * (1.0 + chain.slowdown * deficit)
    return _apply_range(_Range(base, base), _effects_on(scenario, "chain.block_time")).hi


# --------------------------------------------------------------------------- the linter


class _Linter:
    def __init__(
        self,
        scenario: Scenario,
        doc: Document,
        policy: Policy,
        lines: Sequence[str],
        seeds: tuple[int, ...],
    ) -> None:
        self.s = scenario
        self.doc = doc
        self.policy = policy
        self.lines = lines
        self.seeds = seeds
        self.plays: list[Play] = []
        self.measures: dict[str, Any] = {}
        self._faults = {f.id: f for f in scenario.faults}
        self._injects = {x.id: x for x in scenario.injects}
        self._alerts = {a.id: a for a in scenario.alerts}
        self._started_by_mitigation = {fid for m in scenario.mitigations for fid in m.starts}
        self._never_fire: set[str] = set()
        self._undeliverable: set[str] = set()

    def at(self, loc: Loc, level: Level_, check: str, message: str) -> Finding:
        """A finding at ``loc``: the item's line, or the key's line for a whole section."""
        line, col, _ = self.doc.position(loc, key=len(loc) == 1)
        return Finding(self.doc.path, line, col, level, check, message)

    def run(self) -> Iterator[Finding]:
        yield from self.content()
        yield from self.cut_by_comment()
        yield from self.static_alerts()
        yield from self.static_injects()
        yield from self.faults_and_mitigations()
        yield from self.diagnostics()
        first = self.seeds[0] if self.seeds else 1
        idle = play(self.s, self.policy, "idle", first)
        self.plays = [idle]
        for profile in ("expert", "novice"):
            for seed in self.seeds:
                self.plays.append(play(self.s, self.policy, profile, seed))
        t0 = next((e.t for e in idle.events if isinstance(e, ev.AlertFiring)), 0.0)
        for m in self.s.mitigations:
            if m.starts:
                self.plays.append(play_trap(self.s, self.policy, m.id, t0 + 60.0, first))
        yield from self.dynamic_alerts_and_injects()
        yield from self.autopilots()
        yield from self.severity()
        yield from self.difficulty()

    # -- content ---------------------------------------------------------------------

    def content(self) -> Iterator[Finding]:
        s = self.s
        if not s.debrief.notes:
            yield self.at(
                ("debrief",),
                "warning",
                "no-debrief-notes",
                "the debrief has no notes: say what the exercise teaches (debrief.notes)",
            )
        if not any(d.red_herring for d in s.diagnostics):
            yield self.at(
                ("diagnostics",) if s.diagnostics else ("id",),
                "error",
                "no-red-herring",
                "no diagnostic is a red herring (red_herring: true): give the trainee a plausible "
                "wrong lead to rule out",
            )
        if s.expected.declare and not any(m.starts for m in s.mitigations):
            yield self.at(
                ("mitigations",) if s.mitigations else ("id",),
                "warning",
                "no-wrong-mitigation",
                "no mitigation starts a fault: a wrong call costs nothing here (add a dormant "
                "fault and list it under the wrong mitigation's starts)",
            )

    def cut_by_comment(self) -> Iterator[Finding]:
        """Plain (unquoted) values that YAML cut at `` #``: the rest of the line became a comment.

        ``from: Tessellate (Discord #validators)`` reads as ``Tessellate (Discord``. Flagged as an
        error when the ``#`` is glued to a word (``#validators``, ``#812``: part of the value, not
        a comment); a ``from:`` followed by ``# comment`` is a warning (senders rarely carry one).
        """
        for loc, value in _strings(self.doc.data, ()):
            line, col, _ = self.doc.position(loc)
            if not 0 < line <= len(self.lines):
                continue
            rest = self.lines[line - 1][col - 1 :]
            if rest[:1] in ("'", '"', "|", ">") or not rest.startswith(value):
                continue
            tail = rest[len(value) :]
            match = re.match(r"[ \t]+#(\S?)", tail)
            if match is None:
                continue
            glued = bool(match.group(1)) and match.group(1) != "#"
            is_from = loc[-1] == "from"
            if not glued and not is_from:
                continue
            field = str(loc[-1])
            yield self.at(
                loc,
                "error" if glued else "warning",
                "cut-by-comment",
                f"{field}: is read as {value!r}: YAML treats '{tail.strip()}' as a comment; "
                "quote the value",
            )

    # -- alerts and injects, statically ------------------------------------------------

    def static_alerts(self) -> Iterator[Finding]:
        s = self.s
        for i, a in enumerate(s.alerts):
            r = metric_range(s, a.metric)
            if a.for_ >= s.duration or not r.allows(a.op, a.threshold):
                self._never_fire.add(a.id)
            if a.for_ >= s.duration:
                yield self.at(
                    ("alerts", i),
                    "error",
                    "alert-never-fires",
                    f"{a.id} waits {format_duration(a.for_)} but the scenario lasts "
                    f"{format_duration(s.duration)}",
                )
            elif not r.allows(a.op, a.threshold):
                yield self.at(
                    ("alerts", i),
                    "error",
                    "alert-never-fires",
                    f"{a.id} can never fire: {a.metric} {a.op} {a.threshold:g} never holds "
                    f"({a.metric} stays within {r.show()} given its baseline, noise, bounds "
                    "and every fault's effects)",
                )
            if a.metric == "chain.since_last_block" and a.op in (">", ">="):
                yield from self._flaps(i, a.id, a.threshold, a.for_)

    def _flaps(self, i: int, alert: str, threshold: float, wait: float) -> Iterator[Finding]:
        chain = self.s.chain
        assert chain is not None
        normal = chain.block_time
        slowest = max_block_time(self.s)
        trips = threshold + wait
        if trips < normal:
            yield self.at(
                ("alerts", i),
                "error",
                "alert-flaps",
                f"{alert} trips after {trips:g}s without a block but the chain's normal block "
                f"time is {normal:g}s: it fires and resolves on every block",
            )
        elif trips < slowest:
            yield self.at(
                ("alerts", i),
                "warning",
                "alert-flaps",
                f"{alert} trips after {trips:g}s without a block but blocks can come "
                f"{slowest:.0f}s apart while the chain still produces them: it would fire and "
                "resolve on every slow block; raise the threshold (or for) above the slowest "
                "block time",
            )

    def _earliest(self, cond: Condition, seen: frozenset[str] = frozenset()) -> float:
        if isinstance(cond, After):
            return cond.after
        if isinstance(cond, MetricIs):
            return cond.for_
        if isinstance(cond, AlertIs):
            rule = self._alerts.get(cond.alert)
            return rule.for_ if rule is not None and cond.state != "pending" else 0.0
        if isinstance(cond, ActionTaken):
            return cond.by if not cond.taken and cond.by is not None else 0.0
        if isinstance(cond, InjectDelivered):
            x = self._injects.get(cond.inject)
            if not cond.delivered or x is None or x.id in seen or x.manual:
                return 0.0
            if x.at is not None:
                return x.at
            assert x.when is not None
            return self._earliest(x.when, seen | {x.id}) + x.delay
        if isinstance(cond, FaultIs):
            f = self._faults.get(cond.fault)
            if not cond.active or f is None or f.id in seen:
                return 0.0
            if f.at is not None:
                return f.at
            if f.when is not None:
                return self._earliest(f.when, seen | {f.id})
            return 0.0
        if isinstance(cond, AllOf):
            return max(self._earliest(c, seen) for c in cond.all)
        if isinstance(cond, AnyOf):
            return min(self._earliest(c, seen) for c in cond.any)
        return 0.0

    def _never(
        self, cond: Condition, loc: Loc, limit: float, seen: frozenset[str] = frozenset()
    ) -> tuple[Loc, str] | None:
        """Why ``cond`` can never hold before ``limit`` (with where), or ``None``."""
        s = self.s
        if isinstance(cond, After):
            if cond.after > limit:
                return (*loc, "after"), (
                    f"after {format_duration(cond.after)} is past {format_duration(limit)}"
                )
            return None
        if isinstance(cond, MetricIs):
            r = metric_range(s, cond.metric)
            if not r.allows(cond.op, cond.value):
                return (*loc, "metric"), (
                    f"{cond.metric} {cond.op} {cond.value:g} never holds ({cond.metric} stays "
                    f"within {r.show()})"
                )
            if cond.for_ > limit:
                return (*loc, "for"), f"for {format_duration(cond.for_)} outlasts the scenario"
            return None
        if isinstance(cond, AlertIs):
            rule = self._alerts.get(cond.alert)
            if rule is None:
                return None
            if cond.state == "pending" and rule.for_ <= 0:
                return (*loc, "state"), (
                    f"{rule.id} has no 'for', so it goes straight to firing and is never seen "
                    "pending"
                )
            r = metric_range(s, rule.metric)
            if not r.allows(rule.op, rule.threshold) or rule.for_ > limit:
                return (*loc, "alert"), f"alert {rule.id} can never fire"
            return None
        if isinstance(cond, ActionTaken):
            if not cond.taken and cond.by is not None and cond.by > limit:
                return (*loc, "by"), (
                    f"the deadline by {format_duration(cond.by)} is past "
                    f"{format_duration(limit)}, so 'not taken by then' is never known"
                )
            return None
        if isinstance(cond, InjectDelivered):
            x = self._injects.get(cond.inject)
            if not cond.delivered or x is None or x.id in seen or x.manual:
                return None
            if x.at is not None:
                return None
            assert x.when is not None
            why = self._never(x.when, loc, min(limit, x.until or math.inf), seen | {x.id})
            if why is not None:
                return (*loc, "inject"), f"inject {x.id} is never delivered ({why[1]})"
            return None
        if isinstance(cond, FaultIs):
            f = self._faults.get(cond.fault)
            if not cond.active or f is None or f.id in seen:
                return None
            reason = self._fault_never(f, limit, seen | {f.id})
            if reason is not None:
                return (*loc, "fault"), f"fault {f.id} never starts ({reason})"
            return None
        if isinstance(cond, AllOf):
            for k, c in enumerate(cond.all):
                why = self._never(c, (*loc, "all", k), limit, seen)
                if why is not None:
                    return why
            need = self._earliest(cond, seen)
            if need > limit:
                return loc, (
                    f"all of these hold at {format_duration(need)} at the earliest, past "
                    f"{format_duration(limit)}"
                )
            return None
        if isinstance(cond, AnyOf):
            reasons = [
                self._never(c, (*loc, "any", k), limit, seen) for k, c in enumerate(cond.any)
            ]
            if all(r is not None for r in reasons):
                first = reasons[0]
                assert first is not None
                return loc, "none of these can hold: " + first[1]
            return None
        return None

    def _fault_never(self, f: Fault, limit: float, seen: frozenset[str]) -> str | None:
        if f.when is None:
            return None
        why = self._never(f.when, ("faults",), limit, seen)
        return why[1] if why is not None else None

    def static_injects(self) -> Iterator[Finding]:
        s = self.s
        for i, x in enumerate(s.injects):
            if x.when is None:
                continue
            limit = min(s.duration, x.until if x.until is not None else math.inf)
            why = self._never(x.when, ("injects", i, "when"), limit - x.delay, frozenset({x.id}))
            if why is None:
                continue
            self._undeliverable.add(x.id)
            how = (
                "only the facilitator can fire it (manual)"
                if x.manual
                else "it can never be delivered"
            )
            yield self.at(
                ("injects", i),
                "warning" if x.manual else "error",
                "inject-undeliverable",
                f"inject {x.id}: {why[1]}; {how}",
            )
        for i, f in enumerate(s.faults):
            if f.when is None:
                continue
            why = self._never(f.when, ("faults", i, "when"), s.duration, frozenset({f.id}))
            if why is not None:
                yield self.at(
                    ("faults", i),
                    "error",
                    "fault-never-starts",
                    f"fault {f.id}: {why[1]}; it never starts",
                )

    # -- faults, mitigations, diagnostics ------------------------------------------------

    def _can_start(self, f: Fault) -> bool:
        if f.at is not None:
            return True
        if f.when is not None:
            return self._never(f.when, ("faults",), self.s.duration, frozenset({f.id})) is None
        return f.id in self._started_by_mitigation

    def faults_and_mitigations(self) -> Iterator[Finding]:
        s = self.s
        cleared_by: dict[str, list[str]] = {}
        for m in s.mitigations:
            for fid in m.clears:
                cleared_by.setdefault(fid, []).append(m.id)
        for i, f in enumerate(s.faults):
            if f.duration is not None or cleared_by.get(f.id) or not self._can_start(f):
                continue
            if f.root_cause:
                yield self.at(
                    ("faults", i),
                    "error",
                    "fault-not-cleared",
                    f"root-cause fault {f.id} never clears: no mitigation lists it under clears "
                    "and it has no duration",
                )
            else:
                yield self.at(
                    ("faults", i),
                    "warning",
                    "fault-not-cleared",
                    f"fault {f.id} never clears once started: no mitigation clears it and it has "
                    "no duration",
                )
        for i, m in enumerate(s.mitigations):
            if not m.clears and not m.starts:
                yield self.at(
                    ("mitigations", i),
                    "warning",
                    "mitigation-no-effect",
                    f"mitigation {m.id} clears no fault and starts none: choosing it changes "
                    "nothing (give the wrong call a consequence, or say why it has none)",
                )
                continue
            if m.clears and not any(self._can_start(self._faults[fid]) for fid in m.clears):
                yield self.at(
                    ("mitigations", i, "clears"),
                    "error",
                    "mitigation-clears-nothing",
                    f"mitigation {m.id} clears only faults that never start "
                    f"({', '.join(m.clears)})",
                )

    def diagnostics(self) -> Iterator[Finding]:
        s = self.s
        skills = {k for r in s.responders for k in r.skills}
        for i, d in enumerate(s.diagnostics):
            if d.skill is not None and d.skill not in skills:
                yield self.at(
                    ("diagnostics", i, "skill"),
                    "error",
                    "diagnostic-unrunnable",
                    f"no responder has skill {d.skill!r} for {d.id}: only the IC can run it "
                    "(heads-down) or an unskilled responder at half speed",
                )
            for k, out in enumerate(d.outputs):
                if out.when is None or not out.reveals:
                    continue
                why = self._never(out.when, ("diagnostics", i, "outputs", k, "when"), s.duration)
                if why is not None:
                    yield self.at(
                        ("diagnostics", i, "outputs", k),
                        "error",
                        "diagnostic-unrunnable",
                        f"{d.id} can never show the output that reveals "
                        f"{', '.join(out.reveals)}: {why[1]}",
                    )
        revealed = {fid for d in s.diagnostics for o in d.outputs for fid in o.reveals}
        for i, f in enumerate(s.faults):
            if f.root_cause and f.id not in revealed and s.expected.declare:
                yield self.at(
                    ("faults", i),
                    "error",
                    "diagnostic-unrunnable",
                    f"no diagnostic reveals root-cause fault {f.id}: nobody can find the cause",
                )

    # -- what the plays show -----------------------------------------------------------

    def _play_names(self) -> str:
        seeds = ", ".join(str(x) for x in self.seeds)
        traps = sum(1 for p in self.plays if p.profile == "trap")
        return f"expert and novice autopilots (seeds {seeds}), an idle run" + (
            f" and {traps} wrong-mitigation run{'s' if traps != 1 else ''}" if traps else ""
        )

    def dynamic_alerts_and_injects(self) -> Iterator[Finding]:
        s = self.s
        delivered: set[str] = set()
        fired: dict[str, int] = {}
        flapping: dict[str, tuple[int, str]] = {}
        for p in self.plays:
            delivered |= p.delivered()
            for alert, n in p.firings().items():
                fired[alert] = max(fired.get(alert, 0), n)
                if n >= FLAP_FIRINGS and n > flapping.get(alert, (0, ""))[0]:
                    flapping[alert] = (n, p.name)
        for i, a in enumerate(s.alerts):
            if a.id not in fired and a.id not in self._never_fire:
                yield self.at(
                    ("alerts", i),
                    "warning",
                    "alert-not-fired",
                    f"{a.id} did not fire in any lint play ({self._play_names()})",
                )
            if a.id in flapping:
                n, name = flapping[a.id]
                yield self.at(
                    ("alerts", i),
                    "warning",
                    "alert-flaps",
                    f"{a.id} started firing {n} times in the {name} play: it flaps",
                )
        for i, x in enumerate(s.injects):
            if x.manual or x.id in delivered or x.id in self._undeliverable:
                continue
            yield self.at(
                ("injects", i),
                "warning",
                "inject-not-delivered",
                f"inject {x.id} was not delivered in any lint play ({self._play_names()})",
            )

    def autopilots(self) -> Iterator[Finding]:
        experts = [p for p in self.plays if p.profile == "expert" and p.assessment]
        novices = [p for p in self.plays if p.profile == "novice" and p.assessment]
        failed = [p for p in experts if p.assessment and not p.assessment.passed]
        if failed:
            a = failed[0].assessment
            assert a is not None
            seeds = ", ".join(str(p.seed) for p in failed)
            yield self.at(
                ("expected",),
                "error",
                "expert-fails",
                f"the expert autopilot fails under policy {self.policy.id} (seed {seeds}; score "
                f"{a.score:.2f}, failed: {', '.join(a.failed()) or 'none'})",
            )
        passed = [p for p in novices if p.assessment and p.assessment.passed]
        if passed:
            a = passed[0].assessment
            assert a is not None
            seeds = ", ".join(str(p.seed) for p in passed)
            yield self.at(
                ("expected",),
                "error",
                "novice-passes",
                f"the novice autopilot passes under policy {self.policy.id} (seed {seeds}; "
                f"score {a.score:.2f}): the scenario does not discriminate",
            )

    # -- severity against the policy's thresholds ------------------------------------

    def severity(self) -> Iterator[Finding]:
        s = self.s
        expert = next((p for p in self.plays if p.profile == "expert"), None)
        if expert is None:
            return
        at, values = _state_at_classification(expert.events)
        if values is None:
            return
        expected = self.policy.level_for(s.expected.severity, s.expected.overrides)
        for level, reason in _levels_called_for(self.policy, s, values):
            if _rank(self.policy, level) < _rank(self.policy, expected):
                yield self.at(
                    ("expected", "severity"),
                    "error",
                    "severity-contradicts-policy",
                    f"expects {expected.name} ({s.expected.severity}) but at classification "
                    f"(T+{format_duration(at)} in the expert play) {reason}: policy "
                    f"{self.policy.id} calls that {level.name}",
                )
                return

    # -- difficulty ------------------------------------------------------------------

    def difficulty(self) -> Iterator[Finding]:
        idle = next((p for p in self.plays if p.profile == "idle"), None)
        if idle is None:
            return
        m = difficulty_measures(self.s, idle.events)
        self.measures = m
        if m["level"] != self.s.difficulty:
            yield self.at(
                ("difficulty",),
                "warning",
                "difficulty-mismatch",
                f"declared {self.s.difficulty} but measures as {m['level']} (points "
                f"{m['points']}: {m['concurrent_faults']} concurrent faults, "
                f"{m['red_herrings']} red herrings, worse after "
                f"{_minutes(m['worse_after_s'])}, {m['facilitator_injects']} facilitator "
                "injects; see the README's difficulty table)",
            )


def _strings(data: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Every string value of the document with its location."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*loc, i))
    elif isinstance(data, str) and data:
        yield loc, data


def _minutes(seconds: float | None) -> str:
    return "never" if seconds is None else format_duration(seconds)


def _rank(policy: Policy, level: Level) -> int:
    return policy.level_names.index(level.name)


def _state_at_classification(
    events: Sequence[ev.Event],
) -> tuple[float, dict[str, float] | None]:
    """The metrics at the first classification (the last sample at or before it)."""
    values: dict[str, float] | None = None
    for e in events:
        if isinstance(e, ev.MetricsSampled):
            values = dict(e.values)
        elif isinstance(e, ev.ActionAccepted) and e.command.get("do") == "classify":
            return e.t, values
    return 0.0, None


_USERS = re.compile(
    r"user impact:\s*(?P<op>[<>]=?)?\s*(?P<pct>\d+(?:\.\d+)?)\s*%\s*of users", re.IGNORECASE
)
_HALT = re.compile(r"chain (status: )?(is )?halt", re.IGNORECASE)
_SHARE = re.compile(r"error|fail", re.IGNORECASE)
_USER_SHARE = re.compile(r"\busers?\b", re.IGNORECASE)


def impact_metrics(scenario: Scenario) -> list[str]:
    """Metrics that measure the share of users affected.

    A ``%`` metric about users (``users_affected``, "users with a job failed") measures it
    directly, and when a scenario has one it alone counts: its failure rates may count retried
    attempts rather than people. Otherwise the ``%`` error and failure rates stand in for it.
    """
    direct, rates = [], []
    for service in scenario.services:
        for m in service.metrics:
            if m.unit != "%":
                continue
            if _USER_SHARE.search(m.id.replace("_", " ")) or _USER_SHARE.search(m.name):
                direct.append(f"{service.id}.{m.id}")
            elif _SHARE.search(m.id) or _SHARE.search(m.name):
                rates.append(f"{service.id}.{m.id}")
    return direct or rates


def _levels_called_for(
    policy: Policy, scenario: Scenario, values: dict[str, float]
) -> Iterator[tuple[Level, str]]:
    """Levels whose own criteria the state meets, most severe first, with what met them.

    Reads the criteria a policy states in numbers or facts a simulation can observe: "User
    Impact: > 10% of users affected" (a share-of-users metric, or else the worst error or
    failure rate, see ``impact_metrics``) and "Chain Status: Chain halted".
    """
    shares = [(values[m], m) for m in impact_metrics(scenario) if m in values]
    worst = max(shares) if shares else None
    power = values.get("chain.online_power")
    halted = power is not None and power < HALT_THRESHOLD * 100 - 1e-9
    for level in policy.levels:
        for criterion in level.criteria:
            if halted and _HALT.search(criterion):
                yield level, f'the chain is halted (online power {power:.1f}%) - "{criterion}"'
            match = _USERS.search(criterion)
            if match and worst is not None and match.group("op") in (None, ">", ">="):
                pct = float(match.group("pct"))
                op = match.group("op") or ">="
                if (worst[0] > pct) if op == ">" else (worst[0] >= pct):
                    yield level, (f'{worst[1]} is {worst[0]:g}% - "{criterion}"')


# --------------------------------------------------------------------------- difficulty

DIFFICULTY_POINTS: dict[str, tuple[tuple[float, int], ...]] = {
    "concurrent_faults": ((3, 2), (2, 1)),
    "red_herrings": ((3, 2), (2, 1)),
    "facilitator_injects": ((3, 2), (2, 1)),
}
"""Points per measure: the first (at least, points) pair that applies."""

WORSE_POINTS: tuple[tuple[float, int], ...] = ((10 * 60, 2), (20 * 60, 1))
"""Points for how soon things get worse on their own: (within seconds, points)."""

LEVEL_POINTS: tuple[tuple[int, str], ...] = ((5, "advanced"), (2, "intermediate"), (0, "beginner"))
"""Total points from which a level applies."""


def difficulty_measures(scenario: Scenario, idle_events: Iterable[ev.Event]) -> dict[str, Any]:
    """The measurable difficulty of a scenario and the level it adds up to.

    Args:
        scenario: The scenario.
        idle_events: The events of a play in which nobody acts (what the scenario does alone).

    Returns:
        ``concurrent_faults`` (most faults active at once when nobody acts), ``red_herrings``
        (diagnostics marked ``red_herring``), ``worse_after_s`` (from the first firing alert to
        the first fault that starts on its own after it; ``None`` for never),
        ``facilitator_injects`` (manual injects), ``points`` and ``level``.
    """
    active: set[str] = set()
    most = 0
    first_alert: float | None = None
    worse: float | None = None
    for e in idle_events:
        if isinstance(e, ev.AlertFiring) and first_alert is None:
            first_alert = e.t
        elif isinstance(e, ev.FaultStarted):
            active.add(e.fault)
            most = max(most, len(active))
            if first_alert is not None and worse is None and e.t > first_alert:
                worse = e.t - first_alert
        elif isinstance(e, ev.FaultCleared):
            active.discard(e.fault)
    measures: dict[str, Any] = {
        "concurrent_faults": most,
        "red_herrings": sum(1 for d in scenario.diagnostics if d.red_herring),
        "worse_after_s": worse,
        "facilitator_injects": sum(1 for x in scenario.injects if x.manual),
    }
    points = 0
    for key, table in DIFFICULTY_POINTS.items():
        points += next((p for least, p in table if measures[key] >= least), 0)
    if worse is not None:
        points += next((p for within, p in WORSE_POINTS if worse <= within), 0)
    measures["points"] = points
    measures["level"] = next(name for least, name in LEVEL_POINTS if points >= least)
    return measures


__all__ = [
    "CHECKS",
    "CLASS_ORDER",
    "DEFAULT_SEEDS",
    "FileReport",
    "Finding",
    "Play",
    "difficulty_measures",
    "impact_metrics",
    "lint_file",
    "lint_targets",
    "max_block_time",
    "metric_range",
    "play",
]
