"""Immutable views of a running exercise: what the console's widgets are given to show.

The bridge builds a ``ConsoleView`` from the engine's snapshot (``Engine.snapshot()``, the
read model) after every slice and posts it to the screen; widgets only ever see these frozen
values (never the engine, never SimPy objects).
The look-up tables the dialogs need (alerts, responders, diagnostics, mitigations) are built
here too, as plain tuples.

Pure data: this module must not import Textual, nor read or change the engine itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assessments.policy import Policy
from simulator import commands as cmd
from simulator.durations import format_clock, format_duration
from simulator.model import Scenario
from simulator.snapshot import Snapshot, Status
from tui.headless.rules import first_actions

ALERT_ICONS: dict[str, str] = {
    "inactive": "○",
    "pending": "◔",
    "firing": "▲",
    "acknowledged": "◉",
    "resolved": "✓",
}
"""One icon per alert state; always shown with the state's word, never colour alone."""

ALERT_WORDS: dict[str, str] = {
    "inactive": "ok",
    "pending": "pending",
    "firing": "FIRING",
    "acknowledged": "acknowledged",
    "resolved": "resolved",
}


@dataclass(frozen=True)
class AlertView:
    """One alert rule and where it stands."""

    id: str
    state: str
    """``inactive``, ``pending``, ``firing``, ``acknowledged`` or ``resolved``."""
    severity: str
    """The rule's label: ``critical``, ``warning`` or ``info``."""
    rule: str
    """``api.error_rate > 5 for 1m``."""
    value: float | None
    """The metric's current value."""

    @property
    def icon(self) -> str:
        """The state's icon."""
        return ALERT_ICONS.get(self.state, "?")

    @property
    def word(self) -> str:
        """The state's word."""
        return ALERT_WORDS.get(self.state, self.state)


@dataclass(frozen=True)
class ChecklistItem:
    """One of the Quick Reference Card's first actions."""

    id: str
    label: str
    done_at: float | None
    """Sim time it was done, or ``None``."""


@dataclass(frozen=True)
class ResponderView:
    """A simulated person as the IC sees them."""

    id: str
    name: str
    role: str
    skills: tuple[str, ...]
    rotation: str | None
    joined: bool
    paged: bool
    busy_with: str
    """What they are doing, or ``""`` when free."""
    busy_until: float

    @property
    def state(self) -> str:
        """``busy``, ``free``, ``paged`` or ``away``."""
        if self.joined:
            return "busy" if self.busy_with else "free"
        return "paged" if self.paged else "away"


@dataclass(frozen=True)
class ConsoleView:
    """Everything the console shows that is not a stream (timeline, samples)."""

    t: float = field(compare=False)
    """Sim seconds from scenario start (not compared: the clock's second is)."""
    clock: str
    """``T+mm:ss``."""
    world: str
    """In-world time, ``HH:MM:SS``."""
    severity: str | None
    severity_class: str | None
    """The policy's class of the chosen level (``critical`` …), for the badge's colour."""
    status: Status
    speed: float
    paused: bool
    ended: str | None
    channel: str | None
    roles: tuple[tuple[str, str], ...]
    """(role, person) pairs; ``me`` is the trainee."""
    alerts: tuple[AlertView, ...]
    checklist: tuple[ChecklistItem, ...]
    responders: tuple[ResponderView, ...]
    ic_busy_with: str
    """The diagnostic the IC is running personally, or ``""``."""
    ic_busy_until: float
    mitigations_running: tuple[tuple[str, float], ...]
    """(label, done at) of mitigations being applied."""
    mitigations_applied: tuple[str, ...]
    """Labels of completed mitigations."""
    last_update: float | None
    """Sim time of the last incident-channel update."""


def alert_rule_text(metric: str, op: str, threshold: float, for_: float) -> str:
    """``api.error_rate > 5 for 1m``."""
    text = f"{metric} {op} {threshold:g}"
    return text + (f" for {format_duration(for_)}" if for_ else "")


def checklist(snapshot: Snapshot, policy: Policy) -> tuple[ChecklistItem, ...]:
    """The first actions (labelled with the levels where ``policy`` asks for them) and when
    each was done; the channel is ticked only once it has a name the convention accepts (a
    rename counts from its time)."""
    actions = first_actions(policy)
    done: dict[str, float | None] = dict.fromkeys((k for k, _ in actions), None)
    for t, command in snapshot.actions:
        key = _first_action(command)
        if key == "channel" and not policy.rules.channel.matches(getattr(command, "name", "")):
            continue
        if key is not None and done[key] is None:
            done[key] = t
    return tuple(ChecklistItem(key, label, done[key]) for key, label in actions)


def _first_action(command: cmd.Command) -> str | None:
    if isinstance(command, cmd.Acknowledge):
        return "acknowledge"
    if isinstance(command, cmd.Classify):
        return "severity"
    if isinstance(command, cmd.CreateChannel | cmd.RenameChannel):
        return "channel"
    if isinstance(command, cmd.AssignRole) and command.role == "ic":
        return "ic"
    if isinstance(command, cmd.PostUpdate) and command.audience == "status_page":
        return "status_page"
    return None


def alerts(snapshot: Snapshot, scenario: Scenario) -> tuple[AlertView, ...]:
    """Every alert rule with its state and its metric's current value."""
    states = {a.id: a.state for a in snapshot.alerts}
    return tuple(
        AlertView(
            rule.id,
            states[rule.id],
            rule.severity,
            alert_rule_text(rule.metric, rule.op, rule.threshold, rule.for_),
            snapshot.metric(rule.metric),
        )
        for rule in scenario.alerts
    )


def responders(snapshot: Snapshot) -> tuple[ResponderView, ...]:
    """Every simulated person and what they are doing."""
    return tuple(
        ResponderView(
            r.id,
            r.name,
            r.role,
            r.skills,
            r.rotation,
            r.joined,
            r.paged,
            r.busy_with,
            r.busy_until,
        )
        for r in snapshot.responders
    )


def build_view(
    snapshot: Snapshot,
    scenario: Scenario,
    *,
    speed: float,
    paused: bool,
    severity_class: str | None,
    policy: Policy,
) -> ConsoleView:
    """The console's view of the exercise in ``snapshot`` under ``policy``."""
    labels = {m.id: m.label for m in scenario.mitigations}
    return ConsoleView(
        t=snapshot.t,
        clock=format_clock(snapshot.t),
        world=snapshot.world,
        severity=snapshot.severity,
        severity_class=severity_class,
        status=snapshot.status,
        speed=speed,
        paused=paused,
        ended=snapshot.ended,
        channel=snapshot.channel,
        roles=tuple(sorted(snapshot.roles)),
        alerts=alerts(snapshot, scenario),
        checklist=checklist(snapshot, policy),
        responders=responders(snapshot),
        ic_busy_with=snapshot.ic_busy_with,
        ic_busy_until=snapshot.ic_busy_until,
        mitigations_running=tuple(
            (labels.get(m, m), t) for m, t in sorted(snapshot.mitigations_running)
        ),
        mitigations_applied=tuple(labels.get(m, m) for m, _ in snapshot.mitigations_applied),
        last_update=snapshot.last_incident_update,
    )


@dataclass(frozen=True)
class MetricSpec:
    """A metric the console charts."""

    id: str
    name: str
    unit: str
    threshold: str
    """``> 5`` from the first alert on the metric, or ``""``."""
    op: str
    limit: float | None


def key_metrics(scenario: Scenario, limit: int = 8) -> tuple[MetricSpec, ...]:
    """The metrics worth a chart: those alerts watch, then those faults move, then the rest.

    Block height only ever grows, so it is left out.
    """
    names = scenario.metric_ids()
    order: list[str] = []
    rules: dict[str, tuple[str, float]] = {}
    for rule in scenario.alerts:
        rules.setdefault(rule.metric, (rule.op, rule.threshold))
        if rule.metric not in order:
            order.append(rule.metric)
    for fault in scenario.faults:
        for effect in fault.effects:
            metric = getattr(effect, "metric", None)
            if isinstance(metric, str) and metric in names and metric not in order:
                order.append(metric)
    order += [m for m in names if m not in order]
    order = [m for m in order if m in names and m != "chain.height"]
    out: list[MetricSpec] = []
    for metric in order[:limit]:
        name, unit = names[metric]
        found = rules.get(metric)
        if found is None:
            out.append(MetricSpec(metric, name, unit, "", "", None))
        else:
            op, value = found
            out.append(MetricSpec(metric, name, unit, f"{op} {value:g}", op, value))
    return tuple(out)


def breaches(spec: MetricSpec, value: float) -> bool:
    """Whether ``value`` is on the alerting side of the metric's threshold."""
    if spec.limit is None:
        return False
    return {
        ">": value > spec.limit,
        ">=": value >= spec.limit,
        "<": value < spec.limit,
        "<=": value <= spec.limit,
        "==": value == spec.limit,
        "!=": value != spec.limit,
    }.get(spec.op, False)


def format_value(value: float, unit: str) -> str:
    """``45.3 %``, ``2300 ms``, ``3``."""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if value else "0"
    if not unit or unit == "%" or unit.startswith("/"):
        return f"{text}{unit}"
    return f"{text} {unit}"


BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], width: int) -> str:
    """``values`` as ``width`` bar characters (the newest on the right), scaled min to max.

    Fewer values than columns are drawn right-aligned rather than stretched; more are
    bucketed, each bucket showing its maximum. Two values are needed to draw a line.
    """
    if width <= 0:
        return ""
    if len(values) < 2:
        return " " * width
    if len(values) > width:
        step = len(values) / width
        values = [
            max(values[int(i * step) : max(int((i + 1) * step), int(i * step) + 1)])
            for i in range(width)
        ]
    low, high = min(values), max(values)
    extent = (high - low) or 1.0
    bars = "".join(BARS[min(7, int((v - low) / extent * 7.999))] for v in values)
    return bars.rjust(width)
