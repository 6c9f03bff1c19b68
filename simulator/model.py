"""The scenario format: strict pydantic models for one incident exercise written in YAML.

A scenario describes the system (services and their metrics, a validator set, queues), the
faults that break it, the alert rules that notice, the injects that reach the trainee, the
simulated responders, the diagnostics they can run and the mitigations on offer, plus what the
assessor expects. Conditions are structured data (``all``/``any``/``not`` of typed
predicates); nothing here is ever evaluated as code.

This module only describes and cross-checks scenarios; it must not run them (see ``engine``)
and must not know about policies, the assessor or the screen.

Why one module of about 750 lines: it is the scenario format, one model per YAML section with a
docstring per field (the JSON Schema and editors show them); the cross-reference checks already
live apart in ``simulator.references``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from simulator.durations import Duration, format_duration
from simulator.strict import Strict

Loc = tuple[str | int, ...]

FORMAT_VERSION = 2
"""The scenario format version this code writes; it also reads format 1 (a subset of 2)."""

Identifier = Annotated[
    str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="lowercase id: a-z, 0-9, - and _")
]
AlertName = Annotated[
    str, Field(pattern=r"^[A-Z][A-Za-z0-9]{0,79}$", description="alert name, e.g. APIErrorRateHigh")
]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=8000)]
Note = Annotated[str, Field(max_length=2000)]
"""A teaching note or contributing factor."""
Name = Annotated[str, Field(max_length=80)]
"""A person, rotation or escalation target named in ``expected``."""
MetricId = Annotated[str, Field(max_length=130, description="full metric id, e.g. api.error_rate")]

MAX_DURATION = 3 * 24 * 3600.0
"""The longest a scenario may last: 3 days (the library's longest is 2h)."""
MAX_SAMPLES = 50_000
"""The most metric samples a run may take (``duration / sample_every``): 3 days at one sample
every 6 s, or almost 14 hours at one a second. Every sample is a journal line."""
MAX_FORMAT_WIDTH = 40
"""The widest a placeholder may be formatted (``{api.error_rate:>40.1f}``)."""
MAX_FORMAT_PRECISION = 10
"""The most decimals a placeholder may be formatted with (``{api.error_rate:.10f}``)."""
MAX_ITEMS = 200
"""The most entries in one list of a scenario (faults, alerts, diagnostics …)."""

Op = Literal[">", ">=", "<", "<=", "==", "!="]
SeverityClass = Literal["critical", "high", "medium", "low", "info"]
Strategy = Literal[
    "rollback",
    "config_change",
    "traffic_reduction",
    "failover",
    "scale_up",
    "hotfix",
    "restart",
]
Channel = Literal["incident", "pager", "support", "dm", "status_page", "sre_team"]
Rotation = Literal["primary", "secondary", "ic_rotation", "management", "security"]
ActionName = Literal[
    "acknowledge",
    "classify",
    "declare",
    "create_channel",
    "rename_channel",
    "assign_role",
    "page",
    "escalate",
    "notify",
    "post_update",
    "run_diagnostic",
    "delegate",
    "apply_mitigation",
    "handoff_ic",
    "resolve",
    "schedule_postmortem",
    "note",
]

CHAIN_METRICS = {
    "block_time": ("Block time", "s"),
    "since_last_block": ("Time since last block", "s"),
    "online_power": ("Online voting power", "%"),
    "validators_online": ("Validators online", ""),
    "height": ("Block height", ""),
}
QUEUE_METRICS = {
    "depth": "depth",
    "arrival_rate": "arrival rate",
    "service_rate": "service rate",
}


# --------------------------------------------------------------------------- conditions


class MetricIs(Strict):
    """True while a metric compares to a value (for at least ``for``)."""

    metric: MetricId
    """Full metric id, e.g. ``api.error_rate`` or ``chain.block_time``."""
    op: Op
    """Comparison operator."""
    value: float
    """Value compared against."""
    for_: Duration = Field(default=0.0, alias="for")
    """How long the comparison must hold before the predicate is true."""


class AlertIs(Strict):
    """True while an alert is in a state."""

    alert: AlertName
    """Alert name."""
    state: Literal["pending", "firing", "resolved", "acknowledged"] = "firing"
    """``firing`` also holds once acknowledged; ``resolved`` after it stopped firing."""


class ActionTaken(Strict):
    """An action taken (or not taken) by the trainee, optionally by a time."""

    action: ActionName
    """The action name, as in action scripts."""
    with_: dict[str, Name] = Field(default_factory=dict, alias="with", max_length=20)
    """Fields the action must have, e.g. ``{target: security}``."""
    taken: bool = True
    """``false``: true when the action has NOT been taken (by ``by``, if given)."""
    by: Duration | None = None
    """Deadline. With ``taken: false`` the predicate becomes true at ``by`` if not taken."""


class InjectDelivered(Strict):
    """True once another inject has been delivered."""

    inject: Identifier
    """Inject id."""
    delivered: bool = True
    """``false``: true until it is delivered."""


class FaultIs(Strict):
    """True while a fault is active (or, with ``active: false``, not active)."""

    fault: Identifier
    """Fault id."""
    active: bool = True
    """Whether the fault must be active."""


class After(Strict):
    """True from a sim time on."""

    after: Duration
    """Sim time from scenario start."""


class FindingIs(Strict):
    """True once a diagnostic's result has revealed a finding (not merely once it started)."""

    finding: Identifier
    """A finding id from a diagnostic output's ``finds``, or a fault id from its ``reveals``."""
    revealed: bool = True
    """``false``: true until it is revealed."""


class ResponderIs(Strict):
    """True while a responder is present in the incident (joined, not only paged)."""

    responder: Identifier
    """Responder id."""
    present: bool = True
    """``false``: true while they are not (yet, or no longer) in the incident."""


Anchor = Annotated[
    str,
    Field(
        pattern=(
            r"^(start|incident|declared|first_alert|"
            r"(fault|inject|alert|mitigation|finding|joined):[a-zA-Z0-9][a-zA-Z0-9_-]{0,79})$"
        ),
        description=(
            "start, incident (the first fault started), declared, first_alert, or "
            "fault:ID, inject:ID, alert:ID, mitigation:ID, finding:ID, joined:ID"
        ),
    ),
]


class Since(Strict):
    """True once ``after`` has passed since a moment of the exercise (false before it happens)."""

    since: Anchor
    """The moment counted from: ``start`` (the scenario's), ``incident`` (the first fault
    started), ``declared``, ``first_alert``, or ``fault:ID`` (started), ``inject:ID``
    (delivered), ``alert:ID`` (first fired), ``mitigation:ID`` (completed), ``finding:ID``
    (revealed), ``joined:ID`` (a responder joined)."""
    after: Duration = 0.0
    """How long after that moment the predicate becomes true."""


class ClockIs(Strict):
    """True from an in-world time of day on (the first such time at or after the start)."""

    clock: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")]
    """In-world UTC time ``HH:MM`` or ``HH:MM:SS``, e.g. ``"02:15"`` (quote it in YAML)."""


class AllOf(Strict):
    """True when every condition is true."""

    all: list[Condition] = Field(min_length=1, max_length=MAX_ITEMS)
    """Conditions that must all hold."""


class AnyOf(Strict):
    """True when at least one condition is true."""

    any: list[Condition] = Field(min_length=1, max_length=MAX_ITEMS)
    """Conditions of which one must hold."""


class NotOf(Strict):
    """True when the condition is false."""

    not_: Condition = Field(alias="not")
    """The condition to negate."""


def mitigations_named(cond: Condition) -> set[str]:
    """The mitigation ids a condition looks at: ``since: mitigation:ID`` anchors and
    ``apply_mitigation`` actions, anywhere inside ``all``, ``any`` and ``not``."""
    if isinstance(cond, Since) and cond.since.startswith("mitigation:"):
        return {cond.since.partition(":")[2]}
    if isinstance(cond, ActionTaken) and cond.action == "apply_mitigation":
        named = cond.with_.get("mitigation")
        return {named} if named is not None else set()
    if isinstance(cond, AllOf):
        return {m for c in cond.all for m in mitigations_named(c)}
    if isinstance(cond, AnyOf):
        return {m for c in cond.any for m in mitigations_named(c)}
    if isinstance(cond, NotOf):
        return mitigations_named(cond.not_)
    return set()


_CONDITION_TAGS = (
    "metric",
    "alert",
    "action",
    "inject",
    "fault",
    "finding",
    "responder",
    "since",
    "clock",
    "after",
    "all",
    "any",
    "not",
)


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for tag in _CONDITION_TAGS:
            if tag in value:
                return tag
        return None
    for tag, cls in _CONDITION_CLASSES.items():
        if isinstance(value, cls):
            return tag
    return None


Condition = Annotated[
    Annotated[MetricIs, Tag("metric")]
    | Annotated[AlertIs, Tag("alert")]
    | Annotated[ActionTaken, Tag("action")]
    | Annotated[InjectDelivered, Tag("inject")]
    | Annotated[FaultIs, Tag("fault")]
    | Annotated[FindingIs, Tag("finding")]
    | Annotated[ResponderIs, Tag("responder")]
    | Annotated[Since, Tag("since")]
    | Annotated[ClockIs, Tag("clock")]
    | Annotated[After, Tag("after")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="invalid_condition",
        custom_error_message=(
            "a condition needs one of the keys: metric, alert, action, inject, fault, finding, "
            "responder, since, clock, after, all, any, not"
        ),
    ),
]
"""A structured condition: a typed predicate or an all/any/not of conditions."""

_CONDITION_CLASSES: dict[str, type[BaseModel]] = {
    "metric": MetricIs,
    "alert": AlertIs,
    "action": ActionTaken,
    "inject": InjectDelivered,
    "fault": FaultIs,
    "finding": FindingIs,
    "responder": ResponderIs,
    "since": Since,
    "clock": ClockIs,
    "after": After,
    "all": AllOf,
    "any": AnyOf,
    "not": NotOf,
}


def walk_condition(cond: Condition, loc: Loc) -> Iterator[tuple[Loc, Condition]]:
    """Yield every predicate of a condition tree with its location."""
    yield loc, cond
    if isinstance(cond, AllOf):
        for i, c in enumerate(cond.all):
            yield from walk_condition(c, (*loc, "all", i))
    elif isinstance(cond, AnyOf):
        for i, c in enumerate(cond.any):
            yield from walk_condition(c, (*loc, "any", i))
    elif isinstance(cond, NotOf):
        yield from walk_condition(cond.not_, (*loc, "not"))


# --------------------------------------------------------------------------- the system


class HistoryPoint(Strict):
    """A metric's value some time before the exercise starts (format 2)."""

    ago: Duration
    """How long before T+0, e.g. ``30m`` or ``4w`` is written ``672h``."""
    value: float
    """The value then; the run-up is drawn through the points to the baseline at T+0."""


class Metric(Strict):
    """One time series of a service, sampled every ``sample_every``."""

    id: Identifier
    """Id within the service; the full id is ``SERVICE.METRIC`` (``api.error_rate``)."""
    name: ShortText
    """What a dashboard calls it, e.g. ``API error rate``."""
    unit: str = Field(default="", max_length=16)
    """Unit shown after the value: ``%``, ``ms``, ``req/s``."""
    baseline: float
    """Healthy value."""
    noise: float = Field(default=0.0, ge=0)
    """Relative standard deviation of the noise on every sample: 0.05 is ±5% of the current value."""
    min: float | None = 0.0
    """Lowest value the metric can take (``null`` for none)."""
    max: float | None = None
    """Highest value the metric can take, e.g. 100 for a percentage."""
    down: float | None = None
    """Value while the service is down (``null``: unaffected by the service state)."""
    decimals: int = Field(default=2, ge=0, le=6)
    """Decimals kept in samples."""
    history: list[HistoryPoint] = Field(default_factory=list, max_length=MAX_ITEMS)
    """What the metric did before T+0 (format 2), for sparklines and the debrief chart."""

    @model_validator(mode="after")
    def _bounds(self) -> Metric:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self


class LogLine(Strict):
    """A log line of a service (format 2): scripted (with ``when``) or background noise."""

    text: Annotated[str, Field(min_length=1, max_length=1000)]
    """The line. ``{metric.id}`` inserts a current value."""
    level: Literal["debug", "info", "warn", "error"] = "info"
    """Log level, shown before the line."""
    when: Condition | None = None
    """Shown while this holds; omit for background noise, always shown."""


class Service(Strict):
    """A service of the system under incident."""

    id: Identifier
    """Service id, the prefix of its metric ids."""
    name: ShortText
    """Display name, e.g. ``VirtEngine API``."""
    description: str = Field(default="", max_length=2000)
    """What the service does, shown in the system panel."""
    metrics: list[Metric] = Field(default_factory=list, max_length=MAX_ITEMS)
    """The service's metrics."""
    logs: list[LogLine] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Its log lines (format 2): a diagnostic with ``logs: SERVICE`` shows those that hold."""


class Validator(Strict):
    """One validator of the chain."""

    name: Identifier
    """Validator name, e.g. ``val-07``."""
    power: float = Field(default=1.0, gt=0)
    """Voting power (any unit; only shares matter)."""
    operator: str = Field(default="", max_length=200)
    """Who runs it (for injects and diagnostics)."""


class Chain(Strict):
    """A proof-of-stake chain: blocks stall when online power falls below 2/3."""

    block_time: Duration = 6.0
    """Normal time between blocks with every validator online."""
    validators: list[Validator] = Field(default_factory=list, max_length=1000)
    """Named validators with voting power."""
    validator_count: int | None = Field(default=None, ge=1, le=1000)
    """Instead of ``validators``: this many equal validators named ``val-01``…"""
    slowdown: float = Field(default=1.0, ge=0)
    """How much block time grows as online power falls from 100% to the 2/3 threshold."""
    height: int = Field(default=4_200_000, ge=0)
    """Block height at the start of the scenario."""

    @model_validator(mode="after")
    def _one_set(self) -> Chain:
        if self.validators and self.validator_count is not None:
            raise ValueError("give either validators or validator_count, not both")
        if not self.validators and self.validator_count is None:
            raise ValueError("a chain needs validators or validator_count")
        return self

    def validator_set(self) -> list[Validator]:
        """The validators, generating names when only a count is given."""
        if self.validators:
            return list(self.validators)
        count = self.validator_count or 0
        width = max(2, len(str(count)))
        return [Validator(name=f"val-{i:0{width}d}") for i in range(1, count + 1)]


class Queue(Strict):
    """A queue or backlog: depth grows when arrivals outpace service."""

    id: Identifier
    """Queue id, the prefix of its metrics (``.depth``, ``.arrival_rate``, ``.service_rate``)."""
    name: ShortText
    """Display name, e.g. ``VEID scoring queue``."""
    unit: str = Field(default="items", max_length=16)
    """What is queued."""
    arrival_rate: float = Field(ge=0)
    """Items arriving per second."""
    service_rate: float = Field(ge=0)
    """Items served per second at full capacity."""
    initial: float = Field(default=0.0, ge=0)
    """Depth at the start."""
    noise: float = Field(default=0.0, ge=0)
    """Relative standard deviation of the arrival rate: 0.1 is ±10%."""


# --------------------------------------------------------------------------- consequences


class Consequence(Strict):
    """What a wrong call costs: the exercise (``critical``) or a named penalty (``major``)."""

    level: Literal["critical", "major"]
    """``critical``: the exercise fails whatever the score; ``major``: the score loses
    ``penalty`` and the debrief names it."""
    says: LongText
    """The sentence the debrief shows, e.g. ``Failing over to the stale replica loses every
    order since the last sync and charges customers twice.``"""
    penalty: float = Field(default=0.1, gt=0, le=0.5)
    """For ``major``: the share of the score it costs (0 < penalty <= 0.5); ignored for
    ``critical``."""
    source: str = Field(default="", max_length=400)
    """The runbook line that says why it is wrong, where there is one."""


# --------------------------------------------------------------------------- faults


class MetricEffect(Strict):
    """Change a metric while a fault is active: ``to`` a value, ``by`` an amount, or ``times`` a factor."""

    metric: MetricId
    """Full metric id (``api.error_rate``, ``chain.block_time``, ``orders.service_rate``)."""
    to: float | None = None
    """Set the metric to this value."""
    by: float | None = None
    """Add this amount."""
    times: float | None = None
    """Multiply by this factor."""
    ramp: Duration = 0.0
    """Reach the full effect over this long (0: a step)."""

    @model_validator(mode="after")
    def _exactly_one(self) -> MetricEffect:
        given = [k for k in ("to", "by", "times") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a metric effect needs exactly one of 'to', 'by' or 'times'")
        return self


class ServiceEffect(Strict):
    """Take a service down while the fault is active."""

    service: Identifier
    """Service id."""
    state: Literal["down"] = "down"
    """The state the service is put in."""


class ValidatorEffect(Strict):
    """Take validators offline while the fault is active."""

    validators: list[Identifier] = Field(min_length=1, max_length=1000)
    """Validator names."""
    state: Literal["offline"] = "offline"
    """The state the validators are put in."""


def _effect_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        keys: Iterable[str] = value
    elif isinstance(value, BaseModel):
        keys = type(value).model_fields
    else:
        return None
    for tag in ("metric", "service", "validators"):
        if tag in keys:
            return tag
    return None


Effect = Annotated[
    Annotated[MetricEffect, Tag("metric")]
    | Annotated[ServiceEffect, Tag("service")]
    | Annotated[ValidatorEffect, Tag("validators")],
    Discriminator(
        _effect_tag,
        custom_error_type="invalid_effect",
        custom_error_message="an effect needs one of the keys: metric, service, validators",
    ),
]


class Repeat(Strict):
    """A fault that recurs (a memory-leak sawtooth): a count, and a period for a timed fault."""

    times: int = Field(ge=2, le=1000)
    """How many episodes in all, the first included."""
    every: Duration | None = None
    """A fault that starts ``at`` a time: from one start to the next (at least its
    ``duration``); a mitigation that clears it stops the rest. A fault that starts ``when`` a
    condition holds has no period: it starts again whenever the condition holds after the
    previous episode ended."""


class Fault(Strict):
    """Something broken: starts at a time, on a condition, or when a mitigation or facilitator starts it."""

    id: Identifier
    """Fault id."""
    title: ShortText
    """What is broken, in the words of the postmortem."""
    description: str = Field(default="", max_length=4000)
    """More detail for the debrief."""
    root_cause: bool = False
    """Whether this fault is (part of) the incident's root cause."""
    at: Duration | None = None
    """Start at this sim time."""
    when: Condition | None = None
    """Start when this condition first holds."""
    duration: Duration | None = None
    """Clear by itself after this long."""
    recovery: Duration = 0.0
    """After clearing, effects fade out over this long."""
    effects: list[Effect] = Field(min_length=1, max_length=MAX_ITEMS)
    """What the fault does to the system."""
    repeat: Repeat | None = None
    """Comes back: starts again every ``every`` after each start, ``times`` times in all
    (format 2). Each episode lasts ``duration``; a mitigation that clears it stops the rest."""
    harm: Consequence | None = None
    """The harm this fault does when a wrong call (a mitigation's ``starts``) starts it; a
    mitigation that starts it carries this consequence."""

    @model_validator(mode="after")
    def _one_trigger(self) -> Fault:
        if self.at is not None and self.when is not None:
            raise ValueError("a fault starts 'at' a time or 'when' a condition holds, not both")
        if self.repeat is not None:
            every = self.repeat.every
            if self.when is not None and every is not None:
                raise ValueError("a fault that starts 'when' repeats whenever it holds: no 'every'")
            if self.at is not None and every is None:
                raise ValueError("a fault that starts 'at' a time repeats 'every' a period")
            if self.when is None and self.at is None:
                raise ValueError("a repeating fault starts 'at' a time or 'when' a condition holds")
            if every is not None and (self.duration is None or self.duration > every):
                raise ValueError("a repeating fault needs a duration no longer than repeat.every")
        return self

    @property
    def dormant(self) -> bool:
        """True when only a mitigation or the facilitator can start it."""
        return self.at is None and self.when is None


# --------------------------------------------------------------------------- alerts, injects


class AlertRule(Strict):
    """``metric op threshold for duration``: pending, then firing, then resolved, like Prometheus."""

    id: AlertName
    """Alert name, e.g. ``APIErrorRateHigh``."""
    metric: MetricId
    """Full metric id."""
    op: Op
    """Comparison operator."""
    threshold: float
    """Threshold compared against."""
    for_: Duration = Field(default=0.0, alias="for")
    """How long the comparison must hold before pending becomes firing."""
    severity: Literal["critical", "warning", "info"] = "critical"
    """Alert severity label (critical alerts page)."""
    summary: ShortText
    """One line shown when it fires; ``{value}`` or ``{value:.1f}`` insert the metric value (a
    placeholder is at most 40 wide with at most 10 decimals)."""
    runbook: str = Field(default="", max_length=200)
    """The runbook entry for this alert."""
    unrelated: bool = False
    """Noise that is not the incident's impact (e.g. a credential-stuffing alert during an
    outage): recovery and the stability window are never measured on it."""


class ChannelDef(Strict):
    """A channel the scenario adds to the built-in ones (format 2), e.g. ``#changes``."""

    id: Identifier
    """Id used in injects' ``channel`` and in ``post_update``'s ``audience``."""
    name: ShortText
    """As shown, e.g. ``#changes``."""
    about: str = Field(default="", max_length=400)
    """Who reads it and what it is for."""


class StakeholderDef(Strict):
    """A stakeholder the scenario adds to the policy's (format 2), e.g. Finance."""

    id: Identifier
    """Id used in ``notify``'s ``stakeholder`` and in injects' conditions."""
    name: ShortText
    """Who they are, e.g. ``Mei Tanaka``."""
    role: ShortText
    """Their role, e.g. ``VP Finance``."""
    why: str = Field(default="", max_length=400)
    """Why they need to hear about this incident."""


class Inject(Strict):
    """A message that reaches the trainee: at a time, on a condition, or when the facilitator fires it."""

    id: Identifier
    """Inject id."""
    from_: ShortText = Field(alias="from")
    """Sender as shown: ``Bob (SRE)``, ``PagerDuty``, ``Customer Support``."""
    channel: Channel | Identifier = "incident"
    """Where it appears: incident channel, pager, support ticket, DM, status page, #sre-team, or
    a channel of the scenario's ``channels``."""
    text: LongText
    """The message. ``{metric.id}`` or ``{metric.id:.0f}`` insert current metric values."""
    at: Duration | None = None
    """Deliver at this sim time."""
    when: Condition | None = None
    """Deliver when this condition first holds."""
    delay: Duration = 0.0
    """Deliver this long after ``when`` first holds."""
    until: Duration | None = None
    """Not delivered after this sim time (it has expired)."""
    manual: bool = False
    """Only the facilitator fires it (also allowed with ``at``/``when``: then it can fire early)."""
    note: str = Field(default="", max_length=2000)
    """For the facilitator: what the inject tests."""
    leaves: list[Identifier] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Responders who drop out of the incident when it is delivered (format 2): the key person
    who becomes unavailable. Their roles fall vacant; they cannot be paged back."""

    @model_validator(mode="after")
    def _trigger(self) -> Inject:
        if self.at is not None and self.when is not None:
            raise ValueError(
                "an inject is delivered 'at' a time or 'when' a condition holds, not both"
            )
        if self.at is None and self.when is None and not self.manual:
            raise ValueError("an inject needs 'at', 'when' or 'manual: true'")
        return self


# --------------------------------------------------------------------------- people and tools


class Responder(Strict):
    """A simulated person who can be paged and delegated diagnostics."""

    id: Identifier
    """Responder id, used in actions (``delegate … responder: alice``)."""
    name: ShortText
    """Display name."""
    role: ShortText
    """Their job, e.g. ``VEID expert``."""
    skills: list[Identifier] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Skills matched against diagnostics' ``skill``."""
    rotation: Rotation | None = None
    """The on-call rotation they answer pages for."""
    available: bool = True
    """In the incident from the start; otherwise joins when paged."""
    join_delay: Duration = 120.0
    """How long after a page they join."""
    speed: float = Field(default=1.0, gt=0, le=10)
    """Work speed: a diagnostic takes ``duration / speed``."""


class Requirement(Strict):
    """A precondition: who must carry something out and what must be known first.

    Every part given must hold when the IC submits the action. When one does not, the action is
    rejected with the reason (``unmet: reject``), or goes ahead with the stated ``consequence``
    and starts the ``starts`` faults (``unmet: proceed``). Either way the engine says which part
    was unmet, in an event the grader reads.
    """

    skill: Identifier | None = None
    """Someone present in the incident (joined, not only paged) must have this skill."""
    responder: Identifier | None = None
    """This responder must be present in the incident (joined, not only paged)."""
    known: list[Identifier] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Findings (``finds``) or faults (``reveals``) a diagnostic result must have revealed."""
    when: Condition | None = None
    """Any other state that must hold (a structured condition)."""
    unmet: Literal["reject", "proceed"] = "reject"
    """``reject``: refused with the reason; ``proceed``: applied anyway, with the consequence."""
    consequence: str = Field(default="", max_length=2000)
    """What going ahead unmet costs, in the debrief's words (required with ``unmet: proceed``)."""
    starts: list[Identifier] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Dormant faults started when it goes ahead unmet (``unmet: proceed`` only)."""

    def describe(self) -> list[str]:
        """The precondition in words, one line per part, then what happens when unmet."""
        lines: list[str] = []
        if self.responder is not None:
            lines.append(f"carried out by {self.responder}, present in the incident")
        if self.skill is not None:
            lines.append(f"someone with the {self.skill} skill present in the incident")
        if self.known:
            lines.append(f"known first: {', '.join(self.known)}")
        if self.when is not None:
            lines.append("a further condition of the situation")
        if self.unmet == "reject":
            lines.append(
                "if unmet: refused" + (f" ({self.consequence})" if self.consequence else "")
            )
        else:
            lines.append(f"if unmet: goes ahead, and {self.consequence}")
        return lines

    @model_validator(mode="after")
    def _something(self) -> Requirement:
        if self.skill is None and self.responder is None and not self.known and self.when is None:
            raise ValueError("a requirement needs at least one of skill, responder, known, when")
        if self.unmet == "proceed" and not self.consequence:
            raise ValueError("with 'unmet: proceed' say what it costs in 'consequence'")
        if self.unmet == "reject" and self.starts:
            raise ValueError("'starts' applies only with 'unmet: proceed'")
        return self


class Case(Strict):
    """A consequence that depends on the state at the moment the mitigation is applied."""

    when: Condition
    """Checked when the IC applies the mitigation (not when it completes)."""
    clears: list[Identifier] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Faults cleared on completion, in addition to the mitigation's own ``clears``."""
    starts: list[Identifier] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Dormant faults started on completion, in addition to the mitigation's own ``starts``."""
    outcome: str = Field(default="", max_length=2000)
    """What responders report on completion in this case (replaces the mitigation's)."""


class DiagnosticOutput(Strict):
    """One possible output of a diagnostic; the first whose ``when`` holds is shown."""

    when: Condition | None = None
    """When this output applies (omit on the last, default output)."""
    text: LongText
    """What the command prints. ``{metric.id}`` inserts a current value."""
    reveals: list[Identifier] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Faults this output identifies as the cause."""
    finds: list[Identifier] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Findings this output establishes (e.g. ``impaired-zone-b``): what ``requires.known`` and
    the ``finding`` predicate wait for. Each is announced once, when first revealed."""


class DiagnosticChoice(Strict):
    """One choice of a parameterised diagnostic (format 2), e.g. one zone."""

    id: Identifier
    """What ``choice:`` names, e.g. ``us-east-1b``."""
    label: ShortText
    """As offered, e.g. ``Zone us-east-1b``."""
    outputs: list[DiagnosticOutput] = Field(min_length=1, max_length=MAX_ITEMS)
    """This choice's outputs; the first whose ``when`` holds is shown."""


class Diagnostic(Strict):
    """A command from the runbooks that the IC can run or delegate."""

    id: Identifier
    """Diagnostic id."""
    title: ShortText
    """What it checks, e.g. ``Check ML inference logs``."""
    command: str = Field(default="", max_length=2000)
    """The command as in the runbook."""
    skill: Identifier | None = None
    """Skill a responder needs to run it at full speed."""
    duration: Duration = 60.0
    """How long it takes."""
    red_herring: bool = False
    """A plausible lead that does not find the cause."""
    outputs: list[DiagnosticOutput] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Possible outputs; the last should have no ``when``. Required unless the diagnostic has
    ``choices`` (each choice has its own)."""
    requires: Requirement | None = None
    """Precondition on running or delegating it (format 2)."""
    choices: list[DiagnosticChoice] = Field(default_factory=list, max_length=MAX_ITEMS)
    """A diagnostic that takes an argument (format 2): the command names one with ``choice``,
    and that choice's outputs are used instead of ``outputs``."""
    logs: Identifier | None = None
    """Also shows the log lines of this service that hold when it completes (format 2)."""

    @model_validator(mode="after")
    def _has_outputs(self) -> Diagnostic:
        if not self.outputs and not self.choices:
            raise ValueError("needs outputs (or choices, each with its own outputs)")
        return self

    def all_outputs(self) -> list[DiagnosticOutput]:
        """Its outputs and every choice's."""
        return [*self.outputs, *(o for c in self.choices for o in c.outputs)]


class Mitigation(Strict):
    """A mitigation the IC can choose."""

    id: Identifier
    """Mitigation id."""
    label: ShortText
    """What it is, e.g. ``Restart ML inference pods``."""
    strategy: Strategy
    """Strategy from the mitigation strategy table."""
    command: str = Field(default="", max_length=2000)
    """The command as in the runbook."""
    duration: Duration = 120.0
    """How long it takes to apply."""
    clears: list[Identifier] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Faults cleared when it completes."""
    starts: list[Identifier] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Dormant faults it starts (side effects of a wrong call)."""
    outcome: str = Field(default="", max_length=2000)
    """What responders report when it completes."""
    requires: Requirement | None = None
    """Precondition: who must carry it out and what must be known first (format 2)."""
    offered: Condition | None = None
    """Offered only while this holds, e.g. fail back only after a failover (format 2)."""
    cases: list[Case] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Consequences that depend on the state when it is applied; the first case whose ``when``
    holds adds its ``clears``/``starts`` (format 2)."""

    def possible_starts(self) -> list[str]:
        """Every fault it can start: its own, its cases' and its unmet precondition's."""
        out = [*self.starts, *(f for case in self.cases for f in case.starts)]
        if self.requires is not None:
            out.extend(self.requires.starts)
        return list(dict.fromkeys(out))

    def possible_clears(self) -> list[str]:
        """Every fault it can clear: its own and its cases'."""
        return list(dict.fromkeys([*self.clears, *(f for c in self.cases for f in c.clears)]))

    def waits_on(self) -> set[str]:
        """The mitigations whose completion its precondition or its cases look at (a snapshot
        that makes a restore safe), whichever way round."""
        conditions = [c.when for c in self.cases]
        if self.requires is not None and self.requires.when is not None:
            conditions.append(self.requires.when)
        return {m for c in conditions for m in mitigations_named(c)}

    ends: list[Identifier] = Field(default_factory=list)
    """Root-cause faults this mitigation counts as ended although it does not clear them (a
    workaround that stops the impact); grading treats them as cleared when it completes."""
    consequence: Consequence | None = None
    """What applying it costs when it is the wrong call (``critical`` or ``major``)."""


# --------------------------------------------------------------------------- scenario


class TriggerMoment(Strict):
    """When one of the policy's untimed escalation triggers becomes true in this scenario
    (``security``: "Security implications suspected"), so that it is graded: an escalation to
    the trigger's target is due within the policy's reaction window of that moment."""

    trigger: Identifier
    """The policy trigger's id, e.g. ``security`` or ``data_loss`` (ignored under a policy that
    has no such trigger, so one scenario can name the triggers of several policies)."""
    inject: Identifier | None = None
    """True when this inject is delivered."""
    fault: Identifier | None = None
    """True when this fault starts."""
    alert: AlertName | None = None
    """True when this alert fires."""
    at: Duration | None = None
    """True from this sim time."""

    @model_validator(mode="after")
    def _one(self) -> TriggerMoment:
        given = [k for k in ("inject", "fault", "alert", "at") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a trigger moment needs exactly one of inject, fault, alert or at")
        return self


class MustNot(Strict):
    """An action that must never be taken in this scenario, and what it costs."""

    action: ActionName
    """The action name, as in action scripts, e.g. ``page``."""
    with_: dict[str, str] = Field(default_factory=dict, alias="with")
    """Fields the action must have to match, e.g. ``{target: management}`` (compared without
    case; a person matches by id or display name)."""
    consequence: Consequence
    """What taking it costs."""


class Expected(Strict):
    """What the assessor expects of the trainee."""

    severity: SeverityClass
    """Severity class; each policy maps it onto its scale (``critical`` is SEV-1 and P0)."""
    rationale: LongText
    """Why, in the words of the severity framework."""
    overrides: dict[str, Name] = Field(default_factory=dict, max_length=20)
    """Pin the level under a policy where the class mapping is not right: ``{agentos: P1}``."""
    declare: bool = True
    """Whether this should be declared an incident at all."""
    page: list[Name] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Subject-matter experts (responder ids) an expert pages beyond the policy's rotations."""
    escalate_to: list[Name] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Escalation targets that must be reached, e.g. ``security``."""
    triggers: list[TriggerMoment] = Field(default_factory=list, max_length=20)
    """When the policy's untimed escalation triggers become true here (graded like timed
    ones: the trigger's target within the reaction window)."""
    must_not: list[MustNot] = Field(default_factory=list, max_length=50)
    """Actions that must never be taken, each with what it costs (any action; a wrong
    mitigation can carry its ``consequence`` on the mitigation instead)."""
    lesson: LongText | None = None
    """For a scenario that is not an incident (``declare: false``): the lesson the debrief gives
    a trainee who declared, paged out or opened a channel; omitted: ``rationale``."""


class Debrief(Strict):
    """What the debrief and postmortem draft say about the scenario."""

    root_cause: LongText
    """The root cause."""
    resolution: LongText
    """How it is resolved."""
    contributing_factors: list[Note] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Contributing factors."""
    notes: list[Note] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Teaching points for the debrief."""


class Scenario(Strict):
    """One incident exercise."""

    format: Literal[1, 2] = 2
    """Scenario format version: write 2. Format 1 still loads (it is a subset of 2) but cannot
    use format 2's fields; ``warroom migrate FILE`` upgrades it."""
    id: Identifier
    """Library id, e.g. ``api-outage``."""
    title: ShortText
    """Title shown in the library."""
    summary: LongText
    """What the trainee is told at the start."""
    difficulty: Literal["beginner", "intermediate", "advanced"]
    """Difficulty (see the README for what each level means)."""
    source: str = Field(default="", max_length=400)
    """The runbook entry or exercise it is built from."""
    objectives: list[ShortText] = Field(min_length=1, max_length=MAX_ITEMS)
    """Learning objectives."""
    tags: list[Identifier] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Free tags for the library."""
    start: datetime
    """In-world start time (UTC), e.g. ``2026-01-30T15:15:00Z``."""
    duration: Duration = Field(json_schema_extra={"maximum": MAX_DURATION})
    """How long the exercise lasts at most: up to 72h (3 days)."""
    sample_every: Duration = Field(default=5.0, json_schema_extra={"minimum": 1, "maximum": 60})
    """Interval between metric samples and alert evaluations, 1s to 1m; a run takes at most
    50,000 samples (``duration / sample_every``)."""
    expected: Expected
    """What the assessor expects."""
    services: list[Service] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Services and their metrics."""
    chain: Chain | None = None
    """The chain, when the scenario has one."""
    queues: list[Queue] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Queues and backlogs."""
    faults: list[Fault] = Field(min_length=1, max_length=MAX_ITEMS)
    """What breaks."""
    alerts: list[AlertRule] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Alert rules."""
    injects: list[Inject] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Messages to the trainee."""
    responders: list[Responder] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Simulated people."""
    diagnostics: list[Diagnostic] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Diagnostics that can be run or delegated."""
    mitigations: list[Mitigation] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Mitigations on offer."""
    channels: list[ChannelDef] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Channels beyond the built-in ones (format 2)."""
    stakeholders: list[StakeholderDef] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Stakeholders beyond the policy's (format 2): notified and updated like them, not graded
    by the policy's matrix."""
    debrief: Debrief
    """Root cause, resolution and teaching notes."""

    @field_validator("start")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.replace(tzinfo=None) - value.utcoffset()  # type: ignore[operator]
        return value

    @field_validator("duration")
    @classmethod
    def _not_too_long(cls, value: float) -> float:
        if value > MAX_DURATION:
            raise ValueError(
                f"a scenario lasts at most {format_duration(MAX_DURATION)}, "
                f"not {format_duration(value)}"
            )
        return value

    @field_validator("sample_every")
    @classmethod
    def _bounded_samples(cls, value: float, info: ValidationInfo) -> float:
        duration = info.data.get("duration")
        if isinstance(duration, float) and value > 0 and duration / value > MAX_SAMPLES:
            raise ValueError(
                f"{format_duration(duration)} sampled every {format_duration(value)} is "
                f"{duration / value:,.0f} samples; a run takes at most {MAX_SAMPLES:,} "
                "(sample less often or shorten the scenario)"
            )
        return value

    @model_validator(mode="after")
    def _timing(self) -> Scenario:
        if self.duration <= 0:
            raise ValueError("duration must be more than zero")
        if not 1 <= self.sample_every <= 60:
            raise ValueError("sample_every must be between 1s and 1m")
        return self

    # -- look-ups ----------------------------------------------------------------------

    def metric_ids(self) -> dict[str, tuple[str, str]]:
        """Every metric id with its display name and unit."""
        out: dict[str, tuple[str, str]] = {}
        for service in self.services:
            for m in service.metrics:
                out[f"{service.id}.{m.id}"] = (m.name, m.unit)
        if self.chain is not None:
            for key, (name, unit) in CHAIN_METRICS.items():
                out[f"chain.{key}"] = (name, unit)
        for q in self.queues:
            for key, label in QUEUE_METRICS.items():
                unit = q.unit if key == "depth" else f"{q.unit}/s"
                out[f"{q.id}.{key}"] = (f"{q.name} {label}", unit)
        return out

    def check_references(self) -> list[tuple[Loc, str]]:
        """Cross-reference errors, each with the location of the offending value.

        The checks live in ``simulator.references`` (imported here, when called, because
        they are written against these models).
        """
        from simulator.references import check_references

        return check_references(self)
