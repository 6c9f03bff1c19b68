"""What the facilitator console shows, computed from the scenario and the event stream alone.

The facilitator console works in two places: beside the trainee's console in one process
(local), and in another terminal attached over the session's link (remote). Both have the
scenario and the events, and nothing else, so everything here is a pure function of those two:
the inject list with each inject's state, the trainee's actions, the pace, the live score.

Pure data: no Textual, no engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from assessments.assessor import Assessment, grade
from assessments.policy import Policy
from simulator import events as ev
from simulator import model
from simulator.durations import format_clock, format_duration
from simulator.transcript import describe

InjectStateName = Literal["scheduled", "conditional", "manual", "delivered", "expired"]

INJECT_ICONS: dict[str, str] = {
    "scheduled": "◷",
    "conditional": "◇",
    "manual": "✋",
    "delivered": "✓",
    "expired": "✗",
}
"""One icon per inject state, always shown beside the state's word."""


@dataclass(frozen=True)
class InjectRow:
    """One inject of the scenario (or an ad-hoc one) and where it stands."""

    id: str | None
    """Inject id; ``None`` for an ad-hoc inject the facilitator wrote."""
    sender: str
    channel: str
    text: str
    trigger: str
    """How it is delivered: ``at T+05:00``, ``when …``, ``manual``, ``ad hoc``."""
    state: InjectStateName
    delivered_at: float | None
    note: str = ""
    """The author's note to the facilitator."""
    to: str | None = None
    """The one team role it went to (an aimed inject); ``None``: everyone."""

    @property
    def icon(self) -> str:
        """The state's icon."""
        return INJECT_ICONS[self.state]

    @property
    def audience(self) -> str:
        """Who got it, in words: ``everyone`` or ``the comms seat only``."""
        return f"the {self.to} seat only" if self.to else "everyone"

    @property
    def can_fire(self) -> bool:
        """Whether "fire now" can deliver it (scenario injects not yet delivered)."""
        return self.id is not None and self.state != "delivered"


def condition_text(c: model.Condition) -> str:
    """A short reading of a condition, for the inject list."""
    if isinstance(c, model.MetricIs):
        held = f" for {format_duration(c.for_)}" if c.for_ else ""
        return f"{c.metric} {c.op} {c.value:g}{held}"
    if isinstance(c, model.AlertIs):
        return f"{c.alert} {c.state}"
    if isinstance(c, model.ActionTaken):
        fields = "".join(f" {k}={v}" for k, v in c.with_.items())
        by = f" by {format_clock(c.by)}" if c.by is not None else ""
        return f"{'' if c.taken else 'no '}{c.action}{fields}{by}"
    if isinstance(c, model.InjectDelivered):
        return f"{'' if c.delivered else 'not '}after {c.inject}"
    if isinstance(c, model.FaultIs):
        return f"{c.fault} {'active' if c.active else 'cleared'}"
    if isinstance(c, model.After):
        return f"after {format_clock(c.after)}"
    if isinstance(c, model.FindingIs):
        return f"{c.finding} {'found' if c.revealed else 'not found'}"
    if isinstance(c, model.ResponderIs):
        return f"{c.responder} {'present' if c.present else 'absent'}"
    if isinstance(c, model.Since):
        return f"{format_duration(c.after)} after {c.since}"
    if isinstance(c, model.ClockIs):
        return f"from {c.clock}"
    if isinstance(c, model.AllOf):
        return " and ".join(_grouped(x) for x in c.all)
    if isinstance(c, model.AnyOf):
        return " or ".join(_grouped(x) for x in c.any)
    return f"not ({condition_text(c.not_)})"


def _grouped(c: model.Condition) -> str:
    text = condition_text(c)
    return f"({text})" if isinstance(c, model.AllOf | model.AnyOf) else text


def trigger_text(inject: model.Inject) -> str:
    """How an inject is delivered."""
    parts: list[str] = ["manual"] if inject.manual else []
    if inject.manual and (inject.at is not None or inject.when is not None):
        parts.append("or")
    if inject.at is not None:
        parts.append(f"at {format_clock(inject.at)}")
    if inject.when is not None:
        parts.append(f"when {condition_text(inject.when)}")
    if inject.delay:
        parts.append(f"+{format_duration(inject.delay)}")
    if inject.until is not None:
        parts.append(f"until {format_clock(inject.until)}")
    return " ".join(parts) or "at start"


def inject_rows(
    scenario: model.Scenario, events: Iterable[ev.Event], now: float
) -> list[InjectRow]:
    """Every scenario inject with its state, then the ad-hoc injects, in delivery order."""
    delivered: dict[str, float] = {}
    aimed: dict[str, str | None] = {}
    adhoc: list[InjectRow] = []
    for e in events:
        if not isinstance(e, ev.InjectDelivered):
            continue
        if e.inject is None:
            adhoc.append(
                InjectRow(None, e.sender, e.channel, e.text, "ad hoc", "delivered", e.t, to=e.to)
            )
        else:
            delivered.setdefault(e.inject, e.t)
            aimed.setdefault(e.inject, e.to)
    rows: list[InjectRow] = []
    for inj in scenario.injects:
        at = delivered.get(inj.id)
        state: InjectStateName
        if at is not None:
            state = "delivered"
        elif inj.until is not None and now > inj.until:
            state = "expired"
        elif inj.manual:
            state = "manual"
        elif inj.when is not None:
            state = "conditional"
        else:
            state = "scheduled"
        rows.append(
            InjectRow(
                inj.id,
                inj.from_,
                inj.channel,
                inj.text.strip(),
                trigger_text(inj),
                state,
                at,
                inj.note,
                aimed.get(inj.id),
            )
        )
    return rows + adhoc


@dataclass(frozen=True)
class ActionRow:
    """One command the engine accepted or refused, as the facilitator sees it."""

    t: float
    by: str
    """``trainee`` or ``facilitator``."""
    what: str
    accepted: bool
    reason: str = ""
    rationale: str = ""
    seat: str | None = None
    """The team seat it came from (``None``: a single trainee, or the facilitator)."""
    person: str | None = None
    """Who sent it from that seat."""


def action_rows(events: Iterable[ev.Event]) -> list[ActionRow]:
    """Every command taken or refused, in order (pace changes left out)."""
    rows: list[ActionRow] = []
    for e in events:
        if isinstance(e, ev.ActionAccepted | ev.ActionRejected):
            if e.command.get("do") in ("set_pace", "jump_ahead"):
                continue  # pacing, whoever pressed it: the status line shows it
            bare = {k: v for k, v in e.command.items() if k != "rationale"}
            # described as taken: the rationale and the refusal's reason are shown apart
            shown = describe(ev.ActionAccepted(e.t, e.by, bare, e.person, e.seat))
            what = shown[1] if shown is not None else str(e.command.get("do"))
            rationale = str(e.command.get("rationale") or "")
            if isinstance(e, ev.ActionAccepted):
                rows.append(ActionRow(e.t, e.by, what, True, "", rationale, e.seat, e.person))
            else:
                rows.append(
                    ActionRow(e.t, e.by, what, False, e.reason, rationale, e.seat, e.person)
                )
    return rows


@dataclass(frozen=True)
class Pace:
    """The exercise clock as the journal records it."""

    paused: bool
    speed: float


def pace_of(events: Sequence[ev.Event], default: Pace) -> Pace:
    """The latest ``set_pace`` in ``events``, else ``default``."""
    for e in reversed(events):
        if isinstance(e, ev.ActionAccepted) and e.command.get("do") == "set_pace":
            return Pace(bool(e.command.get("paused")), float(e.command.get("speed", 1.0)))
    return default


def ended_reason(events: Sequence[ev.Event]) -> str | None:
    """How the exercise ended, if it did."""
    for e in reversed(events):
        if isinstance(e, ev.ScenarioEnded):
            return e.reason
    return None


def live_assessment(
    scenario: model.Scenario,
    policy: Policy,
    events: Sequence[ev.Event],
    *,
    trainee: str,
    seed: int,
    now: float,
    ended: bool,
) -> Assessment:
    """The score so far (criteria whose deadline is ahead are pending until the end)."""
    return grade(
        events,
        scenario=scenario,
        policy=policy,
        trainee=trainee,
        seed=seed,
        now=None if ended else now,
    )
