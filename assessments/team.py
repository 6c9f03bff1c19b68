"""Per-person results of a team game day, beside the assessor (which grades the team).

Each journalled action of a team seat names its person and seat (``simulator.events``). A
person's result is the existing criteria (``assessments.assessor.grade``, unchanged) run on the
exercise's events with the other members' actions of the same kinds left out, reported for
the criteria their role owns (``ROLE_CRITERIA``, one table): the comms lead on cadence, status page and stakeholders;
the IC on command. Pure: reads events and the policy; must not run the engine or write files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assessments.assessor import CriterionResult, grade
from assessments.policy import Policy
from simulator import events as ev
from simulator.model import Scenario
from simulator.protocol import ROLE_COMMANDS

ROLE_CRITERIA: dict[str, tuple[str, ...]] = {
    "ic": (
        "ack_alert",
        "severity_correct",
        "create_channel",
        "assign_ic",
        "page_escalation",
        "resolution_declared",
        "postmortem_scheduled",
    ),
    "comms": ("update_cadence", "status_page", "notify_stakeholders"),
    "tech": ("mitigation",),
    "scribe": (),
    "observer": (),
}
"""The criteria each team role owns (DESIGN.md's criteria ids)."""


@dataclass(frozen=True)
class PersonResult:
    """What one person did and how the criteria their role owns came out."""

    person: str
    seat: str
    role: str
    actions: list[ev.ActionAccepted]
    """Their accepted actions, in order."""
    refused: list[ev.ActionRejected]
    """Their actions the engine refused."""
    criteria: list[CriterionResult]
    """The criteria their role owns, graded on their actions alone."""


def role_of(seat: str) -> str:
    """The role of a seat id (``observer-2`` → ``observer``)."""
    return seat.split("-", 1)[0]


def people(events: Sequence[ev.Event]) -> list[tuple[str, str]]:
    """``(person, seat)`` of everyone who acted, in the order they first acted."""
    seen: dict[tuple[str, str], None] = {}
    for e in events:
        if isinstance(e, ev.ActionAccepted | ev.ActionRejected) and e.person is not None:
            seen.setdefault((e.person, e.seat or ""), None)
    return list(seen)


def only_their_actions(events: Sequence[ev.Event], person: str, seat: str) -> list[ev.Event]:
    """The events with the team's other actions of the kinds this person's role may send left
    out: what the role did is theirs alone, in the context the rest of the team set (the comms
    lead's updates are measured against the incident the IC declared)."""
    kinds = ROLE_COMMANDS.get(role_of(seat), frozenset())  # type: ignore[call-overload]
    out: list[ev.Event] = []
    for e in events:
        if (
            isinstance(e, ev.ActionAccepted | ev.ActionRejected)
            and e.person is not None
            and (e.person, e.seat or "") != (person, seat)
            and e.command.get("do") in kinds
        ):
            continue
        out.append(e)
    return out


def grade_people(
    events: Sequence[ev.Event], *, scenario: Scenario, policy: Policy, seed: int
) -> list[PersonResult]:
    """Each person's result (see the module's docstring)."""
    results: list[PersonResult] = []
    for person, seat in people(events):
        role = role_of(seat)
        mine = only_their_actions(events, person, seat)
        owned = ROLE_CRITERIA.get(role, ())
        assessment = grade(mine, scenario=scenario, policy=policy, trainee=person, seed=seed)
        results.append(
            PersonResult(
                person,
                seat,
                role,
                [e for e in mine if isinstance(e, ev.ActionAccepted) and e.person == person],
                [e for e in mine if isinstance(e, ev.ActionRejected) and e.person == person],
                [c for c in assessment.criteria if c.id in owned],
            )
        )
    return results
