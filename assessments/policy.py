"""An organisation's incident-response policy as data: its severity scale and what it requires.

A policy file (``assessments/policies/*.yaml``) holds one organisation's rules, each threshold
with the line of the runbook or training module it comes from: response and resolution times,
who must be paged, whom to notify and by when, status-page deadlines, update cadences, the
channel naming convention, escalation triggers, the stability window before resolution, the
postmortem deadline, and the certification rules (quiz categories, pass mark, practical
credits, validity, recertification).

This module loads and checks policies and answers questions about them (which level a
scenario's severity class is, what an expert does at that level: ``Policy.playbook``). It must
not grade anything (that is the assessor's job), run the simulation, or import the TUI.

Seed wording that is vague ("immediately", "real-time") is interpreted in the policy file
itself, in a ``note`` beside the value, never here in code.

Why one module of about 900 lines: it is the policy file's format (a model per section, each
rule with its citation) and the questions asked of it; the sections refer to one another (a
level names its pages, notifications and updates), so the models belong together as the
scenario's do in ``simulator.model``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
)

from simulator import modelcache
from simulator.durations import Duration, Period, format_duration
from simulator.journal import JournalError, JournalEvents
from simulator.playbook import Escalation, Notification, Playbook
from simulator.strict import Strict

Loc = tuple[str | int, ...]
"""Where a problem is: the field path inside the policy file."""

SeverityClass = Literal["critical", "high", "medium", "low", "info"]
"""The organisation-neutral severity classes scenarios are written against."""
CLASS_ORDER: tuple[SeverityClass, ...] = ("critical", "high", "medium", "low", "info")
"""Severity classes, most severe first."""

Rotation = Literal["primary", "secondary", "ic_rotation", "management", "security"]
"""PagerDuty rotations the ``page`` action accepts."""
Stakeholder = Literal["cto", "ceo", "eng_lead", "team_lead", "support"]
"""Stakeholders the ``notify`` action accepts."""
EscalationTarget = Literal[
    "primary",
    "secondary",
    "ic_rotation",
    "management",
    "security",
    "eng_lead",
    "team_lead",
    "vp_engineering",
    "cto",
    "ceo",
]
"""Whom the ``escalate`` action can reach: a rotation or a named role."""
Role = Literal["scribe", "comms_lead", "tech_lead"]
"""Incident roles the IC assigns besides IC."""
IcRequired = Literal["yes", "optional", "no"]
"""Whether a level needs an Incident Commander."""
QuizCategory = Literal["severity", "escalation", "ic", "communication", "tools"]
"""Knowledge-assessment categories of the training module's written assessment."""
CreditKind = Literal[
    "shadow-shift",
    "mock-incident",
    "ic-exercise",
    "real-incident",
    "gameday",
    "refresher-quiz",
    "procedure-review",
]
"""Kinds of practical credit a trainee's record can hold."""

PACKAGED = ("default", "agentos", "nexus")
"""The policies shipped with warroom, by name."""

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
Citation = Annotated[str, Field(min_length=3, max_length=400)]


class _Cited(Strict):
    says: Text
    """The seed's own words for this rule, e.g. ``Immediately`` or ``< 15 minutes``."""
    source: Citation
    """The policy line it comes from: seed document and section, e.g.
    ``training module §Session 2, SEV-1 Response Requirements``."""
    note: Text | None = None
    """How vague or conflicting seed wording was interpreted, quoting the line it rests on."""


# --------------------------------------------------------------------------- rules


class Source(Strict):
    """A seed document the policy is written from."""

    name: Annotated[str, Field(min_length=2, max_length=60)]
    """How citations name it, e.g. ``training module``; every ``source`` starts with a name."""
    title: Text
    """The document's title."""
    document: Text
    """Where it is, e.g. ``seeds/000_742908f4b747e081.txt``."""
    version: Annotated[str, Field(max_length=40)] = ""
    """The document's version and date, as it states them."""


class Deadline(_Cited):
    """Something that must happen within a time of the first firing alert."""

    within: Duration | None
    """How long after the first firing alert; ``null`` when the seed sets no deadline here
    (what that means is said by the field that holds the deadline)."""


class Cadence(_Cited):
    """How often updates are due while the incident is open."""

    every: Duration | None
    """Interval between updates; ``null`` when updates are only at milestones, at resolution
    or as needed."""


class Notify(_Cited):
    """One stakeholder to notify at a level, and by when."""

    stakeholder: Stakeholder
    """``cto``, ``ceo``, ``eng_lead``, ``team_lead`` or ``support``."""
    within: Duration | None
    """Deadline from the first firing alert; ``null`` when not required during the incident
    (``N/A``, ``As needed``, ``Daily summary``)."""


class Page(_Cited):
    """Whom to page when the incident is declared at a level."""

    targets: tuple[Rotation, ...] = ()
    """PagerDuty rotations to page at once (empty: nobody is paged)."""


class Ic(_Cited):
    """Whether a level needs an Incident Commander, who, and by when."""

    required: IcRequired
    """``yes``, ``optional`` or ``no``."""
    who: Text | None = None
    """Who acts as IC at this level, e.g. ``Senior SRE or Engineering Lead``."""
    within: Duration | None = None
    """Level-specific deadline for establishing incident command; the stricter of this and
    ``rules.assign_ic`` applies; ``null`` when the level sets none."""


class EscalationStep(_Cited):
    """One row of the escalation matrix for a level."""

    at: Duration
    """Time elapsed from the first firing alert when this step falls due, if the incident is
    still open."""
    to: Text
    """Whom, in the seed's words, e.g. ``IC + All SMEs``."""
    target: EscalationTarget | None = None
    """The ``escalate`` target the simulator uses; ``null`` when no simulated role fits."""
    contact: Annotated[str, Field(max_length=80)] | None = None
    """How they are reached, e.g. ``PagerDuty`` or ``Phone``."""


class Declare(_Cited):
    """Whether a level is declared as an incident at all."""

    incident: bool
    """``true``: declare and run the incident process; ``false``: a ticket in the backlog."""


class Postmortem(_Cited):
    """When the postmortem is scheduled (and, where the seed says, completed)."""

    schedule_within: Period | None
    """Deadline for scheduling the postmortem, from resolution; ``null`` when not required."""
    complete_within: Period | None = None
    """Deadline for completing it, where the seed sets one."""


class Level(Strict):
    """One level of the severity scale and everything it requires."""

    name: Annotated[str, Field(min_length=1, max_length=20)]
    """The level as trainees classify it, e.g. ``SEV-1`` or ``P0``."""
    class_: SeverityClass = Field(alias="class")
    """The severity class this level is (``class`` in YAML): ``critical``, ``high``,
    ``medium``, ``low`` or ``info``. A class with no level maps to the nearest less severe
    level that exists."""
    title: Annotated[str, Field(min_length=1, max_length=80)]
    """Short title, e.g. ``Critical``."""
    definition: Text
    """The seed's definition."""
    source: Citation
    """Where the level is defined."""
    criteria: tuple[Text, ...] = ()
    """Classification criteria as the seed lists them."""
    examples: tuple[Text, ...] = ()
    """Examples from the seed."""
    response_time: Deadline
    """Response time (SLA); ``within: null`` when the seed gives no number (``Next sprint``)."""
    resolution_target: Deadline
    """Resolution target; ``within: null`` when the seed gives none."""
    declare: Declare
    """Whether the level is declared as an incident."""
    ic: Ic
    """Incident Commander requirement."""
    page: Page
    """Whom to page at once."""
    escalation: tuple[EscalationStep, ...] = ()
    """The escalation matrix rows for this level, in time order."""
    notify: tuple[Notify, ...] = ()
    """Stakeholder notifications (a stakeholder not listed is not notified at this level)."""
    status_page: Deadline
    """First status-page update; ``within: null`` when optional or not required."""
    updates: Cadence | None = None
    """Incident-channel update cadence; omitted: ``rules.updates`` applies."""
    stakeholder_updates: Cadence
    """Stakeholder update cadence."""
    postmortem: Postmortem
    """Postmortem deadlines; ``schedule_within: null``: ``rules.postmortem`` applies if the
    level is declared, otherwise none is needed."""
    note: Text | None = None
    """Anything else about the level."""


class ChannelAnnounce(Strict):
    """A standing channel where incidents of some levels are announced."""

    channel: Annotated[str, Field(pattern=r"^#[a-z0-9][a-z0-9_-]{0,79}$")]
    """Channel name, e.g. ``#incident-critical``."""
    levels: tuple[str, ...] = Field(min_length=1)
    """Levels announced there."""
    source: Citation
    """The policy line it comes from."""


class ChannelRule(_Cited):
    """The incident channel: deadline and naming convention."""

    within: Duration | None
    """Deadline for creating the channel; ``null``: the level's response time applies."""
    convention: Annotated[str, Field(min_length=2, max_length=80)]
    """The convention as the seed writes it, e.g. ``#incident-YYYY-MM-DD-HHMM``."""
    strftime: Annotated[str, Field(pattern=r"^#[a-z0-9%][A-Za-z0-9%_-]{0,79}$")]
    """``strftime`` pattern of a channel name from the in-world start time,
    e.g. ``#incident-%Y-%m-%d-%H%M``."""
    pattern: Annotated[str, Field(min_length=2, max_length=200)]
    """Regular expression every acceptable channel name matches."""
    announce: tuple[ChannelAnnounce, ...] = ()
    """Standing channels where incidents are announced, by level."""

    def matches(self, name: str) -> bool:
        """Whether ``name`` follows the naming convention."""
        return re.fullmatch(self.pattern, name) is not None

    def name_for(self, start: datetime) -> str:
        """The channel name for an incident starting at ``start``."""
        return start.strftime(self.strftime)


TriggerCondition = Literal["root_cause_not_found", "not_resolved", "impact_ongoing"]
"""What a timed escalation trigger tests at its time (none is due once the incident was
declared resolved): no root cause known, neither revealed by a diagnostic nor cleared by a
mitigation (``root_cause_not_found``); the incident unresolved (``not_resolved``) or its impact
still on (``impact_ongoing``), both read as the incident's impact not ended (a root cause active
or an impact alert firing), not as the declaration, which the stability window holds back
(``assessments.assessor.paging`` cites the lines)."""


class EscalationTrigger(_Cited):
    """A condition that calls for escalation whatever the level."""

    id: Identifier
    """Stable id, e.g. ``no_root_cause``."""
    after: Duration | None = None
    """The time the seed attaches to the condition (e.g. 15 min without a root cause)."""
    condition: TriggerCondition | None = None
    """What is tested at ``after`` (a trigger with a time and a condition is graded: an
    escalation to ``target`` is due within ``rules.reaction`` of it becoming true);
    ``null``: the trigger is not graded on its own (a scenario's ``escalate_to`` may ask for
    it)."""
    to: Text | None = None
    """Whom, in the seed's words; ``null`` when the seed does not say."""
    target: EscalationTarget | None = None
    """The ``escalate`` target the simulator uses."""


class Reaction(_Cited):
    """How soon after an escalation rule falls due the escalation must be made."""

    within: Duration
    """The reaction window: a rule that becomes true at time T is met by an escalation at or
    before T + ``within`` (escalating earlier always counts)."""


class Stability(_Cited):
    """How long recovery must hold before the incident may be declared resolved."""

    min: Duration
    """Shortest stability window."""
    max: Duration
    """Longest stability window the seed names."""


class Roles(_Cited):
    """Roles the IC assigns at incident start."""

    assign: tuple[Role, ...]
    """``scribe``, ``comms_lead``, ``tech_lead``."""


class Rules(Strict):
    """Rules that hold whatever the level."""

    acknowledge: Deadline
    """Acknowledge the first firing alert; ``within: null``: the level's response time."""
    channel: ChannelRule
    """Incident channel deadline and naming convention."""
    assign_ic: Deadline
    """Assign the IC; ``within: null``: the level's own IC deadline or response time."""
    escalation_triggers: tuple[EscalationTrigger, ...] = ()
    """When to escalate whatever the level."""
    reaction: Reaction | None = None
    """The reaction window of every timed escalation rule (matrix rows and triggers);
    omitted: none (an escalation is due at the very moment its rule falls due)."""
    stability: Stability
    """Stability window before resolution."""
    updates: Cadence | None = None
    """Default incident-channel cadence for levels that set none."""
    postmortem: Postmortem
    """Default postmortem deadline for declared levels that set none."""
    roles: Roles
    """Roles assigned at incident start."""


@dataclasses.dataclass(frozen=True)
class TimedEscalation:
    """A timed escalation rule of a level: a matrix row or a trigger with a time."""

    after: float
    """Seconds from the first firing alert when it falls due."""
    target: EscalationTarget
    """Whom to escalate to."""
    condition: TriggerCondition
    """What must hold at ``after`` for the escalation to be due."""
    says: str
    """The policy line."""
    source: str
    """Where it is."""


# --------------------------------------------------------------------------- grading

CriterionId = Literal[
    "ack_alert",
    "create_channel",
    "assign_ic",
    "update_cadence",
    "severity_correct",
    "status_page",
    "notify_stakeholders",
    "page_escalation",
    "mitigation",
    "resolution_declared",
    "postmortem_scheduled",
]
"""The stable ids of the exercise criteria (DESIGN.md); reports, records and tests use them."""


class CriterionWeight(_Cited):
    """A criterion that weighs more or less than the others in the exercise score."""

    criterion: CriterionId
    """The criterion, e.g. ``update_cadence``."""
    weight: float = Field(gt=0, le=100)
    """Its weight; criteria not listed weigh 1."""


CriticalId = Literal[
    "never_acknowledged", "impact_not_ended", "resolved_while_active", "scenario_must_not"
]
"""The critical failures a policy can name: the first firing alert never acknowledged; a root
cause still active when the exercise ended; ``resolve`` while a root cause was active; an action
the scenario marks with a ``critical`` consequence."""


class CriticalRule(_Cited):
    """A failure that fails the exercise whatever the score."""

    id: CriticalId
    """Which failure."""


class Grading(_Cited):
    """How an exercise is scored: criterion weights and the pass score."""

    pass_score: float | None = Field(default=None, gt=0, le=1)
    """Weighted share of the applicable criteria a trainee must pass, e.g. ``0.8``; ``null``:
    the certification quiz's pass mark applies."""
    weights: tuple[CriterionWeight, ...] = ()
    """Criteria weighted other than 1 (empty: every criterion weighs the same)."""
    critical: tuple[CriticalRule, ...] = ()
    """Failures that fail the exercise whatever the score, each with its seed line."""


# --------------------------------------------------------------------------- certification


class QuizCategorySpec(Strict):
    """One category of the written assessment."""

    id: QuizCategory
    """``severity``, ``escalation``, ``ic``, ``communication`` or ``tools``."""
    name: Annotated[str, Field(min_length=1, max_length=80)]
    """As the seed names it, e.g. ``Severity classification``."""
    questions: int = Field(ge=1, le=100)
    """How many questions of this category a quiz draws."""


class QuizRules(_Cited):
    """The written knowledge assessment."""

    categories: tuple[QuizCategorySpec, ...] = Field(min_length=1)
    """Categories and question counts, in the order they are asked."""
    pass_mark: float = Field(gt=0, le=1)
    """Fraction of questions to answer correctly, e.g. ``0.8``."""

    @property
    def total(self) -> int:
        """Questions per quiz."""
        return sum(c.questions for c in self.categories)


class Credit(_Cited):
    """A practical credit the certification or recertification requires."""

    kind: CreditKind
    """The kind of credit a trainee's record holds, e.g. ``shadow-shift``."""
    count: int = Field(ge=1, le=100)
    """How many."""
    per: Literal["year", "quarter"] | None = None
    """For recertification: how many per year or per quarter; ``null`` for the initial one."""


class Validity(_Cited):
    """How long a certification lasts."""

    period: Period
    """From the date of certification, e.g. ``365d``."""


class Certification(_Cited):
    """The certification rules."""

    quiz: QuizRules
    """The written assessment."""
    practical: tuple[Credit, ...] = ()
    """Practical assessment credits needed to certify."""
    validity: Validity
    """How long a certification is valid."""
    recertification: tuple[Credit, ...] = ()
    """What keeps a certification current (annual requirements)."""


class DecisionTree(_Cited):
    """The severity decision tree (or triage questions) the classification dialog shows."""

    text: Annotated[str, Field(min_length=1, max_length=4000)]
    """The tree as the seed draws it (redrawn in plain text, same branches and levels)."""


class InheritCertification(Strict):
    """Certification rules taken from another packaged policy."""

    inherit: Identifier
    """The packaged policy whose certification rules apply, e.g. ``default``."""
    note: Text
    """Why: e.g. the runbook has no certification section of its own."""


def _certification_tag(value: Any) -> str:
    if isinstance(value, dict):
        return "inherit" if "inherit" in value else "rules"
    return "inherit" if isinstance(value, InheritCertification) else "rules"


# --------------------------------------------------------------------------- policy


class Policy(Strict):
    """One organisation's incident-response policy."""

    id: Identifier
    """Policy id, e.g. ``default``; what ``--policy`` and scenario overrides name."""
    name: Annotated[str, Field(min_length=1, max_length=120)]
    """Human-readable name."""
    summary: Text
    """What the policy is and where it comes from."""
    sources: tuple[Source, ...] = Field(min_length=1)
    """Seed documents the policy is written from."""
    levels: tuple[Level, ...] = Field(min_length=1)
    """The severity scale, most severe first."""
    rules: Rules
    """Rules that hold whatever the level."""
    certification: Annotated[
        Annotated[Certification, Tag("rules")] | Annotated[InheritCertification, Tag("inherit")],
        Discriminator(_certification_tag),
    ]
    """Certification rules, or ``{inherit: default, note: ...}`` to take another policy's."""
    note: Text | None = None
    """How the seeds were read, in general."""
    grading: Grading | None = None
    """How exercises are scored; omitted: equal weights and the certification quiz's pass mark."""
    decision_tree: DecisionTree | None = None
    """The severity decision tree the classification dialog shows; omitted: the dialog shows
    each level's definition and criteria only."""

    _inherited: Certification | None = PrivateAttr(default=None)

    # -- look-ups ----------------------------------------------------------------------

    @property
    def level_names(self) -> tuple[str, ...]:
        """Every level's name, most severe first."""
        return tuple(level.name for level in self.levels)

    def level(self, name: str) -> Level:
        """The level called ``name``.

        Raises:
            KeyError: when the policy has no such level.
        """
        for level in self.levels:
            if level.name == name:
                return level
        raise KeyError(f"policy {self.id!r} has no level {name!r} (levels: {self._names()})")

    def level_for(self, cls: str, overrides: Mapping[str, str] | None = None) -> Level:
        """The level a scenario's expected severity class is under this policy.

        A class with no level of its own maps to the nearest less severe level that exists
        (``info`` is SEV-4 under the default policy); a class less severe than every level
        maps to the least severe level.

        Args:
            cls: ``critical``, ``high``, ``medium``, ``low`` or ``info``.
            overrides: policy id → level name, e.g. ``{"agentos": "P1"}``; an entry for this
                policy wins over the class mapping.

        Raises:
            KeyError: when an override names a level the policy does not have.
            ValueError: when ``cls`` is not a severity class.
        """
        if overrides and self.id in overrides:
            return self.level(overrides[self.id])
        if cls not in CLASS_ORDER:
            raise ValueError(f"unknown severity class {cls!r} (classes: {', '.join(CLASS_ORDER)})")
        rank = CLASS_ORDER.index(cls)
        for level in self.levels:
            if CLASS_ORDER.index(level.class_) >= rank:
                return level
        return self.levels[-1]

    @property
    def certification_rules(self) -> Certification:
        """The certification rules in force, inherited ones resolved.

        Raises:
            LookupError: for a policy built in code whose inherited rules were never resolved.
        """
        if isinstance(self.certification, Certification):
            return self.certification
        if self._inherited is None:
            raise LookupError(
                f"policy {self.id!r} inherits certification from {self.certification.inherit!r}"
                " but it was not resolved; load policies with load_policy()"
            )
        return self._inherited

    @property
    def certification_inherited_from(self) -> str | None:
        """The policy the certification rules come from, when not this one."""
        cert = self.certification
        return cert.inherit if isinstance(cert, InheritCertification) else None

    def updates_for(self, level: Level) -> Cadence | None:
        """The incident-channel cadence at ``level`` (its own, else the policy default)."""
        return level.updates if level.updates is not None else self.rules.updates

    def playbook(self, level_name: str) -> Playbook:
        """What an expert IC does at ``level_name`` under this policy.

        Deadlines the policy leaves open fall back as the policy file documents: the global
        acknowledge/channel deadlines to the level's response time; the IC deadline is the
        stricter of the global and the level's; a level with no numeric deadline at all gets
        ``math.inf`` (no deadline). The escalation deadline is the ``no_root_cause`` trigger
        when the policy has one with a time, else the level's first escalation step; a level
        that never escalates gets ``math.inf`` and an empty ``escalate_to``.

        Raises:
            KeyError: when the policy has no such level.
        """
        level = self.level(level_name)
        rules = self.rules
        response = level.response_time.within
        cadence = self.updates_for(level)
        escalate_after, escalate_to = self._escalation(level)
        postmortem = level.postmortem.schedule_within
        if postmortem is None:
            postmortem = rules.postmortem.schedule_within
        return Playbook(
            policy=self.id,
            level=level.name,
            levels=self.level_names,
            acknowledge_within_s=_first(rules.acknowledge.within, response),
            channel_within_s=_first(rules.channel.within, response),
            channel_format=rules.channel.strftime,
            ic_required=level.ic.required == "yes",
            ic_within_s=_ic_deadline(rules.assign_ic.within, level.ic.within, response),
            page=level.page.targets,
            notify=tuple(
                Notification(stakeholder=n.stakeholder, within_s=n.within)
                for n in sorted(level.notify, key=lambda n: n.within or 0.0)
                if n.within is not None
            ),
            status_page_within_s=level.status_page.within,
            update_cadence_s=cadence.every if cadence is not None else None,
            stakeholder_cadence_s=level.stakeholder_updates.every,
            escalate_after_s=escalate_after,
            escalate_to=escalate_to,
            stability_window_s=rules.stability.min,
            postmortem_within_s=postmortem if postmortem is not None else math.inf,
            declare=level.declare.incident,
            roles=rules.roles.assign,
            escalations=tuple(
                Escalation(r.after, r.target, r.condition, self.reaction_window)
                for r in self.escalation_rules(level)
            ),
        )

    def escalation_rules(self, level: Level) -> list[TimedEscalation]:
        """Every timed escalation rule at ``level``, in time order.

        The level's escalation matrix rows after the initial page (a time above zero and a
        target; due if the incident is still unresolved then: ``not_resolved``) and
        every trigger with a time, a condition and a target. Each is met by an escalation to
        its target within ``rules.reaction`` of falling due.
        """
        rules: list[TimedEscalation] = []
        for step in level.escalation:
            if step.at > 0 and step.target is not None:
                rules.append(
                    TimedEscalation(step.at, step.target, "not_resolved", step.says, step.source)
                )
        for trig in self.rules.escalation_triggers:
            if trig.after is not None and trig.condition is not None and trig.target is not None:
                rules.append(
                    TimedEscalation(trig.after, trig.target, trig.condition, trig.says, trig.source)
                )
        return sorted(rules, key=lambda r: (r.after, r.target))

    @property
    def reaction_window(self) -> float:
        """The reaction window of timed escalation rules, in seconds (0 when none is stated)."""
        return self.rules.reaction.within if self.rules.reaction is not None else 0.0

    def trigger(self, trigger_id: str) -> EscalationTrigger | None:
        """The escalation trigger with ``trigger_id``, if the policy has one."""
        for trigger in self.rules.escalation_triggers:
            if trigger.id == trigger_id:
                return trigger
        return None

    def _escalation(self, level: Level) -> tuple[float, str]:
        trigger = self.trigger("no_root_cause")
        if trigger is not None and trigger.after is not None:
            to = trigger.target or next((s.target for s in level.escalation if s.target), None)
            return trigger.after, to or ""
        for step in level.escalation:
            if step.at > 0 and step.target is not None:
                return step.at, step.target
        return math.inf, ""

    def _names(self) -> str:
        return ", ".join(self.level_names)


def _first(*values: float | None) -> float:
    for value in values:
        if value is not None:
            return value
    return math.inf


def _ic_deadline(global_: float | None, level: float | None, response: float | None) -> float:
    given = [v for v in (global_, level) if v is not None]
    return min(given) if given else _first(response)


# --------------------------------------------------------------------------- checks


def check_policy(policy: Policy) -> Iterator[tuple[Loc, str]]:
    """Semantic problems of a policy, each with the location of the offending value.

    Checks what field validation cannot: unique level names, classes in order of severity,
    positive deadlines, less severe levels never stricter than more severe ones, citations
    naming a declared source, channel patterns that accept the names they generate, and
    certification categories that are unique.
    """
    yield from _check_sources(policy)
    yield from _check_levels(policy)
    yield from _check_rules(policy)
    yield from _check_grading(policy)
    if isinstance(policy.certification, Certification):
        yield from _check_certification(policy.certification)
    else:
        yield from _check_inheritance(policy, policy.certification)


def _check_sources(policy: Policy) -> Iterator[tuple[Loc, str]]:
    names = [s.name for s in policy.sources]
    for i, name in enumerate(names):
        if name in names[:i]:
            yield ("sources", i, "name"), f"duplicate source name {name!r}"
    for loc, citation in _citations(policy):
        for part in citation.split(";"):
            part = part.strip()
            if not any(part.startswith(name) for name in names):
                known = ", ".join(repr(n) for n in names)
                yield loc, f"citation {part!r} does not start with a source name ({known})"
                break


def _citations(model: BaseModel, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        key = "class" if name == "class_" else name
        if name == "source" and isinstance(value, str):
            yield (*loc, key), value
        elif isinstance(value, BaseModel):
            yield from _citations(value, (*loc, key))
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _citations(item, (*loc, key, i))


def _check_levels(policy: Policy) -> Iterator[tuple[Loc, str]]:
    seen: dict[str, int] = {}
    previous: tuple[int, SeverityClass] | None = None
    previous_response: tuple[str, float] | None = None
    for i, level in enumerate(policy.levels):
        here: Loc = ("levels", i)
        if level.name in seen:
            msg = f"duplicate level name {level.name!r} (also levels[{seen[level.name]}])"
            yield (*here, "name"), msg
        seen.setdefault(level.name, i)
        rank = CLASS_ORDER.index(level.class_)
        if previous is not None and rank <= previous[0]:
            msg = (
                f"class {level.class_!r} must be less severe than the level before "
                f"({previous[1]!r}): list levels most severe first, one class each"
            )
            yield (*here, "class"), msg
        previous = (rank, level.class_)
        yield from _check_positive(level, here)
        response = level.response_time.within
        if response is not None:
            if previous_response is not None and response < previous_response[1]:
                msg = (
                    f"{level.name} responds faster ({format_duration(response)}) than the more "
                    f"severe {previous_response[0]} ({format_duration(previous_response[1])})"
                )
                yield (*here, "response_time", "within"), msg
            previous_response = (level.name, response)
        stakeholders = [n.stakeholder for n in level.notify]
        for j, who in enumerate(stakeholders):
            if who in stakeholders[:j]:
                yield (*here, "notify", j, "stakeholder"), f"{who!r} is listed twice"
        steps = level.escalation
        for j in range(1, len(steps)):
            if steps[j].at < steps[j - 1].at:
                yield (*here, "escalation", j, "at"), "escalation steps must be in time order"
        no_deadline = level.ic.within is None and policy.rules.assign_ic.within is None
        if level.ic.required == "yes" and no_deadline and response is None:
            yield (*here, "ic", "within"), "an IC is required but no deadline applies"
        if level.ic.required == "no" and level.ic.within is not None:
            yield (*here, "ic", "within"), "no IC is required, so there is no IC deadline"
        if not level.declare.incident and level.ic.required == "yes":
            yield (*here, "ic", "required"), "a level that is not declared cannot require an IC"
        post = level.postmortem
        if (
            post.schedule_within is not None
            and post.complete_within is not None
            and post.complete_within < post.schedule_within
        ):
            yield (*here, "postmortem", "complete_within"), "completion is due before scheduling"


_POSITIVE = frozenset({"within", "every", "after", "min", "max", "period"})


def _check_positive(model: BaseModel, loc: Loc) -> Iterator[tuple[Loc, str]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        key = "class" if name == "class_" else name
        if name in _POSITIVE or name.endswith("_within"):
            if isinstance(value, float) and value <= 0:
                yield (*loc, key), f"{key} must be more than zero"
        elif isinstance(value, BaseModel):
            yield from _check_positive(value, (*loc, key))
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _check_positive(item, (*loc, key, i))


def _check_rules(policy: Policy) -> Iterator[tuple[Loc, str]]:
    rules = policy.rules
    yield from _check_positive(rules, ("rules",))
    if rules.stability.min > rules.stability.max:
        yield ("rules", "stability", "max"), "max must be at least min"
    channel = rules.channel
    try:
        compiled = re.compile(channel.pattern)
    except re.error as exc:
        yield ("rules", "channel", "pattern"), f"not a regular expression: {exc}"
    else:
        sample = channel.name_for(datetime(2026, 1, 30, 14, 23))
        if compiled.fullmatch(sample) is None:
            msg = f"the pattern rejects {sample!r}, the name strftime makes"
            yield ("rules", "channel", "pattern"), msg
    names = set(policy.level_names)
    for i, announce in enumerate(channel.announce):
        for j, name in enumerate(announce.levels):
            if name not in names:
                msg = f"unknown level {name!r} (levels: {policy._names()})"
                yield ("rules", "channel", "announce", i, "levels", j), msg
    ids = [t.id for t in rules.escalation_triggers]
    for i, trigger_id in enumerate(ids):
        if trigger_id in ids[:i]:
            yield ("rules", "escalation_triggers", i, "id"), f"duplicate trigger id {trigger_id!r}"
    roles = rules.roles.assign
    for i, role in enumerate(roles):
        if role in roles[:i]:
            yield ("rules", "roles", "assign", i), f"role {role!r} is listed twice"


def _check_grading(policy: Policy) -> Iterator[tuple[Loc, str]]:
    if policy.grading is None:
        return
    ids = [w.criterion for w in policy.grading.weights]
    for i, criterion in enumerate(ids):
        if criterion in ids[:i]:
            yield ("grading", "weights", i, "criterion"), f"{criterion!r} is weighted twice"


def _check_certification(cert: Certification) -> Iterator[tuple[Loc, str]]:
    here: Loc = ("certification",)
    yield from _check_positive(cert, here)
    ids = [c.id for c in cert.quiz.categories]
    for i, category in enumerate(ids):
        if category in ids[:i]:
            yield (*here, "quiz", "categories", i, "id"), f"duplicate category {category!r}"
    for field in ("practical", "recertification"):
        kinds = [c.kind for c in getattr(cert, field)]
        for i, kind in enumerate(kinds):
            if kind in kinds[:i]:
                yield (*here, field, i, "kind"), f"credit {kind!r} is listed twice"
    for i, credit in enumerate(cert.practical):
        if credit.per is not None:
            yield (*here, "practical", i, "per"), "initial practical credits are not periodic"
    for i, credit in enumerate(cert.recertification):
        if credit.per is None:
            yield (*here, "recertification", i, "per"), "say how often: per year or per quarter"


def _check_inheritance(policy: Policy, ref: InheritCertification) -> Iterator[tuple[Loc, str]]:
    here: Loc = ("certification", "inherit")
    if ref.inherit == policy.id:
        yield here, "a policy cannot inherit its own certification rules"
        return
    if ref.inherit not in list_policies():
        yield here, f"no packaged policy {ref.inherit!r} (policies: {', '.join(list_policies())})"
        return
    from simulator import yamlio

    try:
        parent = yamlio.load(policy_path(ref.inherit), Policy)
    except yamlio.LoadError:
        yield here, f"policy {ref.inherit!r} does not load; run warroom validate on it"
        return
    if not isinstance(parent.certification, Certification):
        msg = f"policy {ref.inherit!r} inherits its certification too; name one that does not"
        yield here, msg


# --------------------------------------------------------------------------- loading


def list_policies() -> list[str]:
    """The names of the packaged policies, ``default`` first."""
    folder = resources.files("assessments").joinpath("policies")
    found = {p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml")}
    return [n for n in PACKAGED if n in found] + sorted(found - set(PACKAGED))


def policy_path(name_or_path: str) -> Path:
    """The file a policy name or path refers to (a bare packaged name → the packaged file)."""
    if re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name_or_path) and not Path(name_or_path).exists():
        packaged = resources.files("assessments").joinpath("policies", f"{name_or_path}.yaml")
        if not packaged.is_file():
            raise FileNotFoundError(
                f"no policy {name_or_path!r}: give a path or one of {', '.join(list_policies())}"
            )
        return Path(str(packaged))
    return Path(name_or_path)


def load_policy(name_or_path: str) -> Policy:
    """Load, check and resolve a policy.

    Packaged policies are loaded once per process and shared (they are immutable).

    Args:
        name_or_path: a packaged policy name (``default``, ``agentos``, ``nexus``) or a path to
            a policy YAML file.

    Raises:
        FileNotFoundError: when there is no such policy.
        simulator.yamlio.LoadError: when the file is invalid; its problems print as
            ``PATH:LINE:COL: error: MESSAGE``.
    """
    if name_or_path in PACKAGED and not Path(name_or_path).exists():
        return _load_packaged(name_or_path)
    return _load(policy_path(name_or_path))


def journal_policy(journal: JournalEvents) -> Policy:
    """The packaged policy a journal's header names; a path in a journal is never followed.

    Raises:
        JournalError: ``JOURNAL:1: error: …`` when the header names no packaged policy (the
            message says to pass ``--policy``).
    """
    name = journal.header.policy
    if name in list_policies():
        return _load_packaged(name)
    raise JournalError(
        f"policy {name!r} is not one of the packaged policies ({', '.join(list_policies())}); "
        "pass --policy to grade under a policy file",
        path=str(journal.path),
        line=1,
    )


@functools.cache
def _load_packaged(name: str) -> Policy:
    return _load(policy_path(name))


def _load(path: Path) -> Policy:
    policy, _ = modelcache.load(path, Policy, checks=check_policy)
    cert = policy.certification
    if isinstance(cert, InheritCertification):
        parent = load_policy(cert.inherit)
        policy._inherited = parent.certification_rules
    return policy
