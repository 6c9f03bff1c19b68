"""Per-person results of a team game day, beside the assessor (which grades the team).

Each journalled action of a team seat names its person and seat (``simulator.events``), and the
host journals who sits in each seat and which roles they hold (``seat_roles``: when a person
takes a seat and whenever the IC hands them a role or takes one back). The participants are
everyone the journal seats or who acted; a person's roles are every role they held in the
exercise (a journal without ``seat_roles`` records: the seat's own). A person's result is the
existing criteria (``assessments.assessor.grade``, unchanged) run on the exercise's events with
the other members' actions of the kinds their roles may send left out, reported for the criteria
their roles own (``ROLE_CRITERIA``, one table): the comms lead on cadence, status page and
stakeholders; the IC on command; the technical lead on the mitigation. A diagnostic someone
ran themselves is their own heads-down time (``heads_down``); the team's markers count only
the IC's (``assessments.assessor.facts``).

Their score and verdict follow the policy's formula (``assessments.assessor.grade``) over the
criteria they own: the weighted share passed less the penalties, as a whole percentage;
passed = no critical failure and at least the pass score. A role that owns no criterion (the
scribe, an observer) shares the team's score and verdict. Pure: reads events and the policy;
must not run the engine or write files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assessments.assessor import Assessment, CriterionResult, grade
from assessments.assessor.context import EPS
from assessments.assessor.results import CRITERIA, whole_percent
from assessments.policy import Policy
from simulator import events as ev
from simulator.model import Scenario
from simulator.roles import ROLE_COMMANDS, seat_role

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
    """What one person did and how the criteria their roles own came out."""

    person: str
    seat: str
    role: str
    """Their seat's own role."""
    actions: list[ev.ActionAccepted]
    """Their accepted actions, in order."""
    refused: list[ev.ActionRejected]
    """Their actions the engine refused."""
    criteria: list[CriterionResult]
    """The criteria their roles own, graded on their actions alone."""
    roles: tuple[str, ...] = ()
    """Every role they held in the exercise: the seat's own first, then those the IC handed
    them."""
    score: float = 0.0
    """The policy's formula over the criteria they own (the team's when they own none)."""
    passed: bool = False
    """No critical failure and ``score`` at least the pass score (the team's verdict when
    they own no criterion)."""
    assessment: Assessment | None = None
    """The grade their criteria come from (critical failures, penalties, pass score)."""
    ran_personally: int = 0
    """Diagnostics they ran themselves (the IC's count in the markers too; a technical
    lead's are theirs alone, never the IC's heads-down time)."""
    heads_down_s: float = 0.0
    """Seconds they spent running those diagnostics, up to the end of the record."""

    @property
    def owns(self) -> tuple[str, ...]:
        """The criterion ids their roles own, in DESIGN.md order."""
        return owned_criteria(self.roles or (self.role,))


def role_of(seat: str) -> str:
    """The role of a seat id (``observer-2`` → ``observer``)."""
    return seat_role(seat)


def owned_criteria(roles: Sequence[str]) -> tuple[str, ...]:
    """The criterion ids the roles own together, in the order the assessor reports them."""
    owned = {c for r in roles for c in ROLE_CRITERIA.get(r, ())}
    return tuple(c for c in CRITERIA if c in owned)


def people(events: Sequence[ev.Event]) -> list[tuple[str, str]]:
    """``(person, seat)`` of everyone the journal seats or who acted, in the order they first
    appear."""
    seen: dict[tuple[str, str], None] = {}
    for e in events:
        seated = _seated(e)
        if seated is not None:
            seen.setdefault((seated[1], seated[0]), None)
        elif isinstance(e, ev.ActionAccepted | ev.ActionRejected) and e.person is not None:
            seen.setdefault((e.person, e.seat or ""), None)
    return list(seen)


def roles_held(events: Sequence[ev.Event], person: str, seat: str) -> tuple[str, ...]:
    """Every role ``person`` held in ``seat`` during the exercise, the seat's own first."""
    held: dict[str, None] = {role_of(seat): None}
    for e in events:
        seated = _seated(e)
        if seated is not None and seated[:2] == (seat, person):
            for role in seated[2]:
                held.setdefault(role, None)
    return tuple(held)


def _seated(e: ev.Event) -> tuple[str, str, tuple[str, ...]] | None:
    """``(seat, person, roles)`` of a host's ``seat_roles`` record."""
    if not isinstance(e, ev.ActionAccepted) or e.command.get("do") != "seat_roles":
        return None
    roles = e.command.get("roles", ())
    return (
        str(e.command.get("seat")),
        str(e.command.get("person")),
        tuple(str(r) for r in roles) if isinstance(roles, list | tuple) else (),
    )


def only_their_actions(
    events: Sequence[ev.Event], person: str, seat: str, roles: Sequence[str] | None = None
) -> list[ev.Event]:
    """The events with the team's other actions of the kinds this person's roles may send left
    out: what the roles did is theirs alone, in the context the rest of the team set (the comms
    lead's updates are measured against the incident the IC declared)."""
    held = roles if roles is not None else (role_of(seat),)
    sends: dict[str, frozenset[str]] = {str(r): sent for r, sent in ROLE_COMMANDS.items()}
    kinds = frozenset[str]().union(*(sends.get(r, frozenset()) for r in held))
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


def heads_down(events: Sequence[ev.Event], person: str, seat: str) -> tuple[int, float]:
    """How many diagnostics ``person`` ran themselves from ``seat`` and their seconds
    heads-down on them (each from its start to its result, or to the end of the record)."""
    horizon = events[-1].t if events else 0.0
    runs = [
        e
        for e in events
        if isinstance(e, ev.DiagnosticStarted)
        and e.by == "ic"
        and e.person == person
        and (e.seat or "") == seat
    ]
    return len(runs), round(sum(max(0.0, min(e.eta, horizon) - e.t) for e in runs), 3)


def person_score(criteria: Sequence[CriterionResult], assessment: Assessment) -> tuple[float, bool]:
    """The policy's score and verdict over ``criteria`` (see the module's docstring)."""
    total = sum(c.weight for c in criteria if c.applicable)
    earned = sum(c.weight for c in criteria if c.passed)
    share = earned / total if total else 0.0
    score = whole_percent(share - sum(x.penalty for x in assessment.penalties))
    return score, not assessment.critical_failures and score >= assessment.pass_score - EPS


def grade_people(
    events: Sequence[ev.Event], *, scenario: Scenario, policy: Policy, seed: int
) -> list[PersonResult]:
    """Each person's result (see the module's docstring)."""
    results: list[PersonResult] = []
    team: Assessment | None = None
    for person, seat in people(events):
        roles = roles_held(events, person, seat)
        mine = only_their_actions(events, person, seat, roles)
        owned = owned_criteria(roles)
        assessment = grade(mine, scenario=scenario, policy=policy, trainee=person, seed=seed)
        criteria = [c for c in assessment.criteria if c.id in owned]
        if criteria:
            score, passed = person_score(criteria, assessment)
        else:
            if team is None:
                team = grade(events, scenario=scenario, policy=policy, trainee=person, seed=seed)
            score, passed = team.score, team.passed
        ran, down = heads_down(events, person, seat)
        results.append(
            PersonResult(
                person,
                seat,
                role_of(seat),
                [e for e in mine if isinstance(e, ev.ActionAccepted) and e.person == person],
                [e for e in mine if isinstance(e, ev.ActionRejected) and e.person == person],
                criteria,
                roles=roles,
                score=score,
                passed=passed,
                assessment=assessment,
                ran_personally=ran,
                heads_down_s=down,
            )
        )
    return results
