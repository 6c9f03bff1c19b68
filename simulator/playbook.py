"""What an expert Incident Commander knows of the policy in force, for one severity level.

The organisation's policy lives in ``assessments`` (which may import this package, never the
other way round). The policy builds a ``Playbook`` for the level a scenario calls for, and the
autopilot plays from it, so the simulator never needs to know how policies are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Notification:
    """One stakeholder to notify and the deadline from incident start."""

    stakeholder: str
    """A stakeholder of the action vocabulary: ``cto``, ``ceo``, ``eng_lead``, ``team_lead``, ``support``."""
    within_s: float
    """Seconds from the first firing alert."""


@dataclass(frozen=True)
class Escalation:
    """One timed escalation rule: at ``after_s``, if ``condition`` holds, escalate to ``target``."""

    after_s: float
    """Seconds from the first firing alert when the rule falls due."""
    target: str
    """The ``escalate`` target, e.g. ``vp_engineering``."""
    condition: str
    """``root_cause_not_found``, ``not_resolved`` or ``impact_ongoing``."""
    within_s: float = 0.0
    """The reaction window: the escalation is due at most this long after ``after_s``."""


@dataclass(frozen=True)
class Playbook:
    """The rules an expert follows for one severity level of one policy."""

    policy: str
    """The policy id, e.g. ``default``."""
    level: str
    """The level the incident calls for under this policy, e.g. ``SEV-1``."""
    levels: tuple[str, ...]
    """Every level of the policy, most severe first."""
    acknowledge_within_s: float
    """Deadline for acknowledging the first firing alert."""
    channel_within_s: float
    """Deadline for creating the incident channel."""
    channel_format: str
    """``strftime`` pattern of the channel name, e.g. ``#incident-%Y-%m-%d-%H%M``."""
    ic_required: bool
    """Whether this level needs an Incident Commander."""
    ic_within_s: float
    """Deadline for assigning the IC."""
    page: tuple[str, ...]
    """Whom to page at this level (``primary``, ``secondary``, ``ic_rotation``, ``management``, ``security``)."""
    notify: tuple[Notification, ...]
    """Stakeholders to notify and by when."""
    status_page_within_s: float | None
    """Deadline for the first status-page update; ``None`` when not required."""
    update_cadence_s: float | None
    """Incident-channel update cadence; ``None`` when updates are only at milestones."""
    stakeholder_cadence_s: float | None
    """Stakeholder update cadence; ``None`` when only at resolution."""
    escalate_after_s: float
    """Escalate when no root cause is found within this long."""
    escalate_to: str
    """Whom to escalate to when that happens."""
    stability_window_s: float
    """How long metrics must stay healthy before declaring resolution."""
    postmortem_within_s: float
    """Deadline for scheduling the postmortem, from resolution."""
    declare: bool = True
    """Whether this level is declared as an incident at all."""
    roles: tuple[str, ...] = field(default=("scribe", "comms_lead"))
    """Roles besides IC that the IC assigns at incident start."""
    escalations: tuple[Escalation, ...] = ()
    """Every timed escalation rule at this level (matrix rows and triggers), in time order."""
