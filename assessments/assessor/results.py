"""What grading produces: the ``Assessment`` and its parts, and their JSON form.

Plain frozen data (criterion results, rejected actions, harmful and wasted mitigations,
anti-patterns) with the criteria's ids and titles in the order they are reported. This module
must not grade anything or read events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from assessments.policy import CriterionId

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
"""How the plain-text table and the screens mark each status (always next to the word, never
alone)."""


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
    waiting: tuple[str, ...] = ()
    """Live, pending: who is still to be notified, paged or escalated to, and by when."""

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
            "waiting": list(self.waiting),
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
    """A mitigation the scenario says does harm: it carries a consequence, or started faults."""

    t: float
    """Sim time it was applied (a consequence) or completed (faults started)."""
    id: str
    """Mitigation id."""
    started: tuple[str, ...]
    """What it started: the faults' titles (ids in brackets)."""
    consequence: str | None = None
    """``critical`` or ``major`` where the scenario says so; ``None``: it started faults with
    no consequence declared."""
    says: str = ""
    """The scenario's sentence for the debrief."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "t": self.t,
            "id": self.id,
            "started": list(self.started),
            "consequence": self.consequence,
            "says": self.says,
        }


@dataclass(frozen=True, slots=True)
class CriticalFailure:
    """A failure the policy says fails the exercise whatever the score."""

    id: str
    """``never_acknowledged``, ``impact_not_ended``, ``resolved_while_active`` or
    ``scenario_must_not``."""
    t: float
    """Sim time it happened (or was judged)."""
    detail: str
    """What happened, for the trainee."""
    says: str
    """The policy line, in the seed's words."""
    source: str
    """Where that line is."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "id": self.id,
            "t": self.t,
            "detail": self.detail,
            "says": self.says,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Penalty:
    """A ``major`` consequence the scenario attaches to something done: a named deduction."""

    t: float
    """Sim time."""
    what: str
    """What was done."""
    says: str
    """The scenario's sentence for the debrief."""
    penalty: float
    """The share of the score it cost."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"t": self.t, "what": self.what, "says": self.says, "penalty": self.penalty}


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
    """Weighted share of the applicable criteria passed, less the penalties, as a whole
    percentage rounded down (``whole_percent``), 0..1."""
    passed: bool
    """No critical failure and ``score >= pass_score``."""
    criteria: list[CriterionResult]
    """Every criterion, in DESIGN.md order."""
    incident_start: float
    """Sim time the incident started for the trainee, which every measured time runs from: the
    first alert of the incident that fired (alerts the scenario calls unrelated aside), else
    the first inject, else 0 (``Facts.incident_start``)."""
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
    critical_failures: list[CriticalFailure] = field(default_factory=list)
    """Failures that fail the exercise whatever the score, in time order."""
    penalties: list[Penalty] = field(default_factory=list)
    """Named deductions (``major`` consequences), in time order."""
    share: float = 0.0
    """Weighted share of the applicable criteria passed, before penalties and rounding."""
    markers: dict[str, Any] = field(default_factory=dict)
    """Behavioural markers from the journal (``assessor.markers``); not scored."""

    @property
    def decided_by(self) -> CriticalFailure | None:
        """The critical failure that decided the result (the first), if any."""
        return self.critical_failures[0] if self.critical_failures else None

    @property
    def verdict(self) -> str:
        """Why the exercise passed or not, in one line: a critical failure first."""
        mark = f"{percent(self.pass_score)}"
        if self.critical_failures:
            c = self.critical_failures[0]
            return f"not passed: critical failure ({c.id.replace('_', ' ')}): {c.detail}"
        if self.passed:
            return f"passed: {percent(self.score)} >= the {mark} pass mark"
        return f"not passed: {percent(self.score)} < the {mark} pass mark"

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
            "critical_failures": [c.to_dict() for c in self.critical_failures],
            "decided_by": self.decided_by.id if self.decided_by else None,
            "verdict": self.verdict,
            "penalties": [p.to_dict() for p in self.penalties],
            "share": round(self.share, 4),
            "markers": dict(self.markers),
        }


def whole_percent(fraction: float) -> float:
    """The one rounding rule of the score: a whole percentage, rounded down (79.9% is 79%, never
    the 80% pass mark), as a fraction (0.79). Results, debrief, record and cohort all show it."""
    return math.floor(max(0.0, fraction) * 100 + 1e-9) / 100


def percent(fraction: float) -> str:
    """A score (already a whole percentage) as text: ``81%``."""
    return f"{math.floor(fraction * 100 + 1e-9)}%"


def _json_seconds(value: float | None) -> float | None:
    """Seconds for JSON: rounded to the millisecond; ``None`` for never or no limit."""
    if value is None or math.isinf(value):
        return None
    return round(value, 3)
