"""Typed domain commands: every trainee action and facilitator command.

The TUI, action scripts, the autopilot and the facilitator console all build these and submit
them to the engine, which validates them against the state of the exercise and applies them.
This module only defines their shape (and the action-script file format); it must not apply
them (see ``engine``) and must not know about the screen.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter, model_validator

from simulator.durations import Duration
from simulator.strict import Strict

Name = Annotated[str, Field(min_length=1, max_length=80)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]

Role = Literal["ic", "scribe", "comms_lead", "tech_lead"]
Stakeholder = Literal["cto", "ceo", "eng_lead", "team_lead", "support"]
Audience = Literal["incident", "stakeholders", "status_page"]
ScenarioId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
"""A stakeholder or channel the scenario adds (the engine checks that it does)."""
Status = Literal["investigating", "identified", "monitoring", "resolved"]
ROTATIONS = ("primary", "secondary", "ic_rotation", "management", "security")
TeamRole = Literal["ic", "scribe", "comms", "tech", "observer"]
"""A team game day's seat role (``simulator.protocol.Role`` but the facilitator): what a seat
holds, and whom an aimed inject goes to."""


class BaseCommand(Strict):
    """What every command has: strict, frozen fields (``Strict``) and an optional rationale."""

    rationale: str | None = Field(default=None, max_length=2000)
    """Why: the decision log entry that goes with the action."""

    AIMABLE: ClassVar[bool] = False
    """Whether the command may go to one team role only (its ``to`` field)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form with ``do`` first: ``{"do": "page", "target": "security"}``."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return {"do": data.pop("do"), **data}

    def fields(self) -> dict[str, Any]:
        """The command's own fields (no ``do``, no empty rationale), for display and matching."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        data.pop("do", None)
        return data

    def describe(self) -> str:
        """A one-line description, e.g. ``page security``."""
        data = self.to_dict()
        do = str(data.pop("do"))
        to = data.pop("to", None) if self.AIMABLE else None
        values = [str(v) for k, v in data.items() if k not in ("rationale", "text")]
        aimed = f" to {to} only" if to is not None else ""
        return " ".join([do.replace("_", " "), *values]) + aimed


class Acknowledge(BaseCommand):
    """Acknowledge a firing alert."""

    do: Literal["acknowledge"] = "acknowledge"
    alert: Name
    """Alert name, e.g. ``APIErrorRateHigh``."""


class Classify(BaseCommand):
    """Classify the incident's severity."""

    do: Literal["classify"] = "classify"
    severity: Name
    """A level of the policy in force, e.g. ``SEV-1``."""


class Declare(BaseCommand):
    """Declare an incident."""

    do: Literal["declare"] = "declare"
    title: str | None = Field(default=None, max_length=200)
    """Incident title."""


class CreateChannel(BaseCommand):
    """Create the incident channel."""

    do: Literal["create_channel"] = "create_channel"
    name: Annotated[str, Field(pattern=r"^#[a-z0-9][a-z0-9_-]{0,79}$")]
    """Channel name, e.g. ``#incident-2026-01-30-1515``."""


class RenameChannel(BaseCommand):
    """Rename the incident channel (a misnamed channel can be fixed)."""

    do: Literal["rename_channel"] = "rename_channel"
    name: Annotated[str, Field(pattern=r"^#[a-z0-9][a-z0-9_-]{0,79}$")]
    """The new name, e.g. ``#incident-2026-01-30-1515``."""


class AssignRole(BaseCommand):
    """Assign an incident role to a person (``me`` is the trainee)."""

    do: Literal["assign_role"] = "assign_role"
    role: Role
    """``ic``, ``scribe``, ``comms_lead`` or ``tech_lead``."""
    person: Name
    """A responder id or name, or ``me``."""


class Page(BaseCommand):
    """Page a rotation or a person."""

    do: Literal["page"] = "page"
    target: Name
    """``primary``, ``secondary``, ``ic_rotation``, ``management``, ``security`` or a responder."""


class Escalate(BaseCommand):
    """Escalate to someone with more expertise or authority."""

    do: Literal["escalate"] = "escalate"
    to: Name
    """Whom: a rotation, a responder, ``eng_lead``, ``vp_engineering``, ``cto`` …"""
    reason: str | None = Field(default=None, max_length=2000)
    """Why escalation is needed."""


class Notify(BaseCommand):
    """Notify a stakeholder."""

    do: Literal["notify"] = "notify"
    stakeholder: Stakeholder | ScenarioId
    """``cto``, ``ceo``, ``eng_lead``, ``team_lead`` or ``support``, or one the scenario adds."""


class PostUpdate(BaseCommand):
    """Post a status update."""

    do: Literal["post_update"] = "post_update"
    audience: Audience | ScenarioId
    """``incident`` channel, ``stakeholders`` or ``status_page``, or a channel the scenario adds."""
    status: Status
    """``investigating``, ``identified``, ``monitoring`` or ``resolved``."""
    text: Text
    """The update."""


class RunDiagnostic(BaseCommand):
    """Run a diagnostic yourself (the IC goes heads-down while it runs)."""

    do: Literal["run_diagnostic"] = "run_diagnostic"
    diagnostic: Name
    """Diagnostic id."""
    choice: Name | None = None
    """For a diagnostic with ``choices`` (e.g. a zone): which one."""


class Delegate(BaseCommand):
    """Delegate a diagnostic to a responder."""

    do: Literal["delegate"] = "delegate"
    diagnostic: Name
    """Diagnostic id."""
    responder: Name
    """Responder id."""
    choice: Name | None = None
    """For a diagnostic with ``choices`` (e.g. a zone): which one."""


class ApplyMitigation(BaseCommand):
    """Apply a mitigation."""

    do: Literal["apply_mitigation"] = "apply_mitigation"
    mitigation: Name
    """Mitigation id."""


class HandoffIC(BaseCommand):
    """Hand the IC role to someone else."""

    do: Literal["handoff_ic"] = "handoff_ic"
    to: Name
    """The new IC."""


class Resolve(BaseCommand):
    """Declare the incident resolved."""

    do: Literal["resolve"] = "resolve"


class SchedulePostmortem(BaseCommand):
    """Schedule the postmortem meeting."""

    do: Literal["schedule_postmortem"] = "schedule_postmortem"
    within: Duration = 48 * 3600.0
    """When the meeting is, from now (default 48h)."""


class Note(BaseCommand):
    """A scribe's timeline entry."""

    do: Literal["note"] = "note"
    text: Text
    """The entry."""


Action = Annotated[
    Annotated[Acknowledge, Tag("acknowledge")]
    | Annotated[Classify, Tag("classify")]
    | Annotated[Declare, Tag("declare")]
    | Annotated[CreateChannel, Tag("create_channel")]
    | Annotated[RenameChannel, Tag("rename_channel")]
    | Annotated[AssignRole, Tag("assign_role")]
    | Annotated[Page, Tag("page")]
    | Annotated[Escalate, Tag("escalate")]
    | Annotated[Notify, Tag("notify")]
    | Annotated[PostUpdate, Tag("post_update")]
    | Annotated[RunDiagnostic, Tag("run_diagnostic")]
    | Annotated[Delegate, Tag("delegate")]
    | Annotated[ApplyMitigation, Tag("apply_mitigation")]
    | Annotated[HandoffIC, Tag("handoff_ic")]
    | Annotated[Resolve, Tag("resolve")]
    | Annotated[SchedulePostmortem, Tag("schedule_postmortem")]
    | Annotated[Note, Tag("note")],
    Discriminator("do"),
]
"""Any trainee action."""

ACTION_TYPES: dict[str, type[BaseCommand]] = {
    "acknowledge": Acknowledge,
    "classify": Classify,
    "declare": Declare,
    "create_channel": CreateChannel,
    "rename_channel": RenameChannel,
    "assign_role": AssignRole,
    "page": Page,
    "escalate": Escalate,
    "notify": Notify,
    "post_update": PostUpdate,
    "run_diagnostic": RunDiagnostic,
    "delegate": Delegate,
    "apply_mitigation": ApplyMitigation,
    "handoff_ic": HandoffIC,
    "resolve": Resolve,
    "schedule_postmortem": SchedulePostmortem,
    "note": Note,
}


# --------------------------------------------------------------------------- facilitator


class FireInject(BaseCommand):
    """Deliver a scenario inject now."""

    do: Literal["fire_inject"] = "fire_inject"
    AIMABLE: ClassVar[bool] = True
    inject: Name
    """Inject id."""
    to: TeamRole | None = None
    """In a team game day: the one role whose seats get it (the others never see its text);
    ``None``: everyone."""


class AdHocInject(BaseCommand):
    """Deliver a message the facilitator writes on the spot."""

    do: Literal["adhoc_inject"] = "adhoc_inject"
    AIMABLE: ClassVar[bool] = True
    sender: Name
    """Who it is from, as shown."""
    channel: Literal["incident", "pager", "support", "dm", "status_page", "sre_team"] = "incident"
    """Where it appears."""
    text: Text
    """The message."""
    to: TeamRole | None = None
    """In a team game day: the one role whose seats get it (the others never see its text);
    ``None``: everyone."""


class StartFault(BaseCommand):
    """Start a scenario fault now (e.g. a dormant complication)."""

    do: Literal["start_fault"] = "start_fault"
    fault: Name
    """Fault id."""


class SetPace(BaseCommand):
    """Pause, resume or change speed. Recorded in the journal; changes nothing in the sim."""

    do: Literal["set_pace"] = "set_pace"
    paused: bool
    """Whether the exercise is paused."""
    speed: float = Field(gt=0, le=3600)
    """Sim seconds per wall-clock second."""


class JumpAhead(BaseCommand):
    """Move sim time ahead at once (recorded; in virtual time it changes nothing)."""

    do: Literal["jump_ahead"] = "jump_ahead"
    seconds: float = Field(gt=0, le=24 * 3600)
    """How far to jump, in sim seconds."""


class SeatRoles(BaseCommand):
    """The host's record of who sits in a team seat and which roles they hold: journalled when a
    person takes a seat and whenever the IC hands them a role or takes one back. Changes nothing
    in the sim; the per-person grades and debriefs read it."""

    do: Literal["seat_roles"] = "seat_roles"
    seat: Annotated[str, Field(pattern=r"^[a-z]+(-[0-9]+)?$", max_length=40)]
    """The seat's id (``comms``, ``observer-2`` …)."""
    person: Name
    """The person in the seat."""
    roles: tuple[TeamRole, ...] = Field(max_length=8)
    """The roles they hold now: the seat's own first, then those the IC handed them."""


class EndExercise(BaseCommand):
    """End the exercise now."""

    do: Literal["end_exercise"] = "end_exercise"


FacilitatorCommand = Annotated[
    Annotated[FireInject, Tag("fire_inject")]
    | Annotated[AdHocInject, Tag("adhoc_inject")]
    | Annotated[StartFault, Tag("start_fault")]
    | Annotated[SetPace, Tag("set_pace")]
    | Annotated[JumpAhead, Tag("jump_ahead")]
    | Annotated[SeatRoles, Tag("seat_roles")]
    | Annotated[EndExercise, Tag("end_exercise")],
    Discriminator("do"),
]
"""Any facilitator command (``seat_roles`` is the team host's own, never a seat's)."""

ScriptCommand = Annotated[
    Action
    | Annotated[FireInject, Tag("fire_inject")]
    | Annotated[AdHocInject, Tag("adhoc_inject")]
    | Annotated[StartFault, Tag("start_fault")]
    | Annotated[EndExercise, Tag("end_exercise")],
    Field(discriminator="do"),
]
"""A step of an action script: a trainee action, or a facilitator command for a rehearsal."""

Command = Action | FacilitatorCommand
"""Any command the engine applies: a trainee action or a facilitator command."""

FACILITATOR_TYPES: dict[str, type[BaseCommand]] = {
    "fire_inject": FireInject,
    "adhoc_inject": AdHocInject,
    "start_fault": StartFault,
    "set_pace": SetPace,
    "jump_ahead": JumpAhead,
    "seat_roles": SeatRoles,
    "end_exercise": EndExercise,
}

COMMAND_TYPES: dict[str, type[BaseCommand]] = {**ACTION_TYPES, **FACILITATOR_TYPES}
"""Every command class by its ``do``."""

AIMED: frozenset[str] = frozenset(do for do, c in COMMAND_TYPES.items() if c.AIMABLE)
"""The ``do`` names of the commands that may go to one team role only (``to``)."""

_FACILITATOR_CLASSES = tuple(FACILITATOR_TYPES.values())

_DEFERRED = ConfigDict(defer_build=True)
"""Build the adapters' validators when they first validate, not when this module is imported."""
ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action, config=_DEFERRED)
FACILITATOR_ADAPTER: TypeAdapter[FacilitatorCommand] = TypeAdapter(
    FacilitatorCommand, config=_DEFERRED
)


def parse_command(data: dict[str, Any]) -> Command:
    """Build a command from its JSON form (``{"do": "page", "target": "security"}``)."""
    if data.get("do") in ACTION_TYPES:
        return ACTION_ADAPTER.validate_python(data)
    return FACILITATOR_ADAPTER.validate_python(data)


def command_fields(action: str) -> set[str]:
    """The field names of an action, without ``do`` and ``rationale``."""
    cls = ACTION_TYPES[action]
    return {
        (info.alias or name)
        for name, info in cls.model_fields.items()
        if name not in ("do", "rationale")
    }


def is_facilitator(command: object) -> bool:
    """Whether a command is a facilitator command rather than a trainee action."""
    return isinstance(command, _FACILITATOR_CLASSES)


# --------------------------------------------------------------------------- action scripts


class TimedAction(BaseModel):
    """One step of an action script: ``at`` a sim time, ``do`` an action, with its fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, allow_inf_nan=False)

    at: Duration
    """Sim time: ``90s``, ``1m30s``, ``2h`` or seconds."""
    action: ScriptCommand
    """The action (written flat in YAML: ``do`` and its fields beside ``at``); facilitator
    commands (``fire_inject``, ``adhoc_inject``, ``start_fault``, ``end_exercise``) are played
    as the facilitator."""

    @model_validator(mode="before")
    @classmethod
    def _flat(cls, data: Any) -> Any:
        if isinstance(data, dict) and "action" not in data and "do" in data:
            when = {"at": data["at"]} if "at" in data else {}  # a missing one is "required"
            return {**when, "action": {k: v for k, v in data.items() if k != "at"}}
        return data

    def to_flat(self) -> dict[str, Any]:
        """The flat YAML form of this step."""
        return {"at": self.at, **self.action.model_dump(mode="json", exclude_none=True)}


class ActionScript(BaseModel):
    """A scripted trainee: ``trainee:`` and ``actions:``, each ``at`` + ``do`` + fields.

    A script may also carry facilitator commands, so a game day can be rehearsed with its
    complications (``{at: 12m, do: fire_inject, inject: major-validator-offline}``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, allow_inf_nan=False)

    trainee: str | None = Field(default=None, max_length=80)
    """The trainee's name."""
    scenario: str | None = Field(default=None, max_length=400)
    """The scenario it plays: a library id, or a path relative to the script. ``warroom
    validate`` checks every reference of the script against it."""
    actions: list[TimedAction] = Field(max_length=10000)
    """The steps, in any order; run in time order (stable for equal times)."""
