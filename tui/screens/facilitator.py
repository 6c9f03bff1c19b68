"""The facilitator console: the inject list, fire now, ad-hoc injects, pace, and the trainee.

The screen reads one ``Feed``: the scenario, the events so far, the clock, and a way to send
facilitator commands. ``LocalFeed`` is the session played in this process (the console's F2
toggle, or ``warroom facilitate SCENARIO``); ``tui.screens.remote.RemoteFeed`` is a session played in
another terminal, attached over its link. What the screen shows is computed by
``tui.headless.facilitation`` from the scenario and the events alone, so both look the same.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Input, RichLog, Select, Static, TextArea

from assessments.assessor import Assessment
from assessments.policy import Policy
from simulator import commands as cmd
from simulator import events as ev
from simulator.durations import format_clock
from simulator.engine import Outcome
from simulator.model import Scenario
from simulator.pacer import next_speed
from simulator.text import visible
from tui.headless.facilitation import (
    ActionRow,
    InjectRow,
    Pace,
    action_rows,
    ended_reason,
    inject_rows,
)
from tui.headless.session import JUMP, Session
from tui.screens.bridge import Bridge
from tui.screens.dialogs.base import ActionDialog, FormError
from tui.screens.dialogs.helpers import choices, field, picked, section
from tui.screens.footer import KeyFooter
from tui.screens.messages import FeedUpdated, SimUpdated
from tui.screens.widgets import NARROW, ScorePanel

CHANNELS: tuple[tuple[str, str], ...] = (
    ("incident channel", "incident"),
    ("pager", "pager"),
    ("support ticket", "support"),
    ("direct message", "dm"),
    ("status page", "status_page"),
    ("SRE team channel", "sre_team"),
)


class Feed(Protocol):
    """What the facilitator console reads and sends through."""

    scenario: Scenario
    policy: Policy
    trainee: str
    seed: int

    @property
    def events(self) -> Sequence[ev.Event]:
        """Every event so far."""
        ...

    @property
    def now(self) -> float:
        """Sim time now."""
        ...

    @property
    def pace(self) -> Pace:
        """Whether paused, and the speed."""
        ...

    @property
    def link_state(self) -> str:
        """``local``, ``attached`` or ``reconnecting …``."""
        ...

    def assessment(self, *, ended: bool) -> Assessment:
        """The score so far (``ended``: as final, no criterion pending)."""
        ...

    async def send(self, command: cmd.Command) -> tuple[bool, str | None]:
        """Submit a facilitator command; returns (accepted, reason)."""
        ...


class LocalFeed:
    """The session this process plays, driven through its bridge."""

    def __init__(self, session: Session, bridge: Bridge) -> None:
        """Read ``session``'s events; act through ``bridge`` so the console hears of it."""
        self.session = session
        self.bridge = bridge
        self.scenario = session.scenario
        self.policy = session.policy
        self.trainee = session.trainee
        self.seed = session.seed

    @property
    def events(self) -> Sequence[ev.Event]:
        """Every event so far."""
        return self.session.events

    @property
    def now(self) -> float:
        """Sim time now."""
        return self.session.engine.now

    @property
    def pace(self) -> Pace:
        """The pacer's state."""
        return Pace(self.session.paused, self.session.pacer.speed)

    @property
    def link_state(self) -> str:
        """Always local."""
        return "local"

    def assessment(self, *, ended: bool) -> Assessment:
        """The session's live assessor's grade (kept up to date as events happen)."""
        return self.session.assessment(final=ended)

    async def send(self, command: cmd.Command) -> tuple[bool, str | None]:
        """Pace commands go to the pacer, the rest to the engine."""
        return apply_facilitator_command(self.session, self.bridge, command)


class SessionDriver(Protocol):
    """What moves a live session for the facilitator: the console's ``Bridge``, or the team
    host's driver (``tui.screens.host``)."""

    def submit(self, command: cmd.Command) -> Outcome:
        """Submit a command to the engine."""
        ...

    def toggle_pause(self, wall: float, *, by: str = "trainee") -> bool:
        """Pause or resume; returns whether paused."""
        ...

    def jump(self, seconds: float, *, by: str = "trainee") -> None:
        """Fast-forward the sim."""
        ...

    def flush(self, *, force: bool = False) -> None:
        """Tell the screens what changed."""
        ...


def apply_facilitator_command(
    session: Session, bridge: SessionDriver, command: cmd.Command
) -> tuple[bool, str | None]:
    """Apply a facilitator command to a live session (from this console or over the link).

    Pace and jump move the pacer (which journals them); the rest go to the engine. Everything
    goes through the bridge so the consoles hear of it.
    """
    wall = time.monotonic()
    if isinstance(command, cmd.SetPace):
        if session.engine.ended:
            return False, "the exercise has ended"
        if command.speed != session.pacer.speed:
            session.pacer.set_speed(command.speed, wall, by="facilitator")
        if command.paused != session.paused:
            bridge.toggle_pause(wall, by="facilitator")
        else:
            bridge.flush()
        return True, None
    if isinstance(command, cmd.JumpAhead):
        if session.engine.ended:
            return False, "the exercise has ended"
        bridge.jump(command.seconds, by="facilitator")
        return True, None
    if not cmd.is_facilitator(command):
        return False, f"{command.do} is the trainee's action, not the facilitator's"
    outcome = bridge.submit(command)
    return outcome.accepted, outcome.reason or None


# --------------------------------------------------------------------------- dialogs


class AdHocInjectDialog(ActionDialog[cmd.AdHocInject]):
    """Write an inject the scenario does not have, delivered now."""

    HEADING = "Write an ad-hoc inject"
    SUBMIT = "Deliver now"
    RATIONALE = False

    def __init__(self, roles: Sequence[str] = ()) -> None:
        """``roles``: the team's seat roles, to aim the inject at one (none: no choice)."""
        super().__init__()
        self.roles = tuple(dict.fromkeys(roles))

    def compose_form(self) -> ComposeResult:
        yield field("From (who says it)")
        yield Input(id="sender", placeholder="e.g. Customer Support (Maya)", max_length=80)
        yield field("Where it arrives")
        yield Select(choices(CHANNELS), id="channel", value="incident", allow_blank=False)
        yield field("Text")
        yield TextArea(id="text", soft_wrap=True)
        if self.roles:
            yield field("Who gets it")
            audiences = [("every seat", ""), *((f"the {r} seat only", r) for r in self.roles)]
            yield Select(choices(audiences), id="to", value="", allow_blank=False)

    def help(self) -> RenderableType:
        return section(
            "Ad-hoc injects",
            Text(
                "Use them to add pressure or steer a stuck trainee: a customer complaint, an "
                "executive asking for an ETA, a rumour in the support queue. The trainee sees "
                "it at once, in the channel you pick; the journal records it as yours."
            ),
        )

    def build(self) -> cmd.AdHocInject:
        sender = self.query_one("#sender", Input).value.strip()
        if not sender:
            raise FormError("Say who the inject is from.", "sender")
        text = self.query_one("#text", TextArea).text.strip()
        if not text:
            raise FormError("Write what the inject says.", "text")
        channel = picked(self.query_one("#channel", Select)) or "incident"
        to = picked(self.query_one("#to", Select)) if self.roles else None
        return cmd.AdHocInject(sender=sender, channel=channel, text=text, to=to or None)


class StartFaultDialog(ActionDialog[cmd.StartFault]):
    """Start one of the scenario's faults now (a complication)."""

    HEADING = "Start a fault"
    SUBMIT = "Start now"
    RATIONALE = False

    def __init__(self, faults: Sequence[tuple[str, str, bool]]) -> None:
        """``faults``: (id, description, active) of every scenario fault."""
        super().__init__()
        self.faults = tuple(faults)

    def compose_form(self) -> ComposeResult:
        yield field("Fault")
        options = [(f"{fid} · {text}"[:70], fid) for fid, text, active in self.faults if not active]
        yield Select(choices(options), id="fault", prompt="pick a fault that is not active")

    def help(self) -> RenderableType:
        out = Text()
        for fid, text, active in self.faults:
            out.append(f"{'● active' if active else '○ idle  '} {fid}\n", style="bold")
            out.append(f"  {text}\n")
        return section("The scenario's faults", out)

    def build(self) -> cmd.StartFault:
        fault = picked(self.query_one("#fault", Select))
        if fault is None:
            raise FormError("Pick the fault to start.", "fault")
        return cmd.StartFault(fault=fault)


# --------------------------------------------------------------------------- the screen


class InjectTable(DataTable[Text]):
    """The scenario's injects with their state."""


class FacilitatorScreen(Screen[None]):
    """Run the exercise from the facilitator's chair."""

    CSS_PATH = "facilitator.tcss"
    AUTO_FOCUS = "#injects"
    BINDINGS: ClassVar[list[Any]] = [
        Binding("f", "fire", "Fire now"),
        Binding("w", "adhoc", "Write inject"),
        Binding("k", "start_fault", "Start fault"),
        Binding("space", "pause", "Pause"),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+"),
        Binding("minus", "slower", "Slower", key_display="-"),
        Binding("j", "jump", f"+{JUMP:.0f}s"),
        Binding("E", "end", "End exercise"),
        Binding("v", "next_view", "View"),
        Binding("f2", "leave", "IC console"),
        Binding("q", "detach", "Detach"),
    ]

    ACTIONS_TITLE: ClassVar[str] = "Trainee's actions"
    """The actions panel's title."""
    NARROW_VIEWS: ClassVar[tuple[str, ...]] = ("injects", "actions", "score")
    """What a narrow terminal (under ``NARROW`` columns) shows in turn on ``v``: the injects,
    the actions, the live score."""
    FOOTER_ROWS: ClassVar[tuple[int, int]] = (1, 2)
    """The footer's rows on a wide and on a narrow terminal."""

    def __init__(self, feed: Feed, *, standalone: bool = False) -> None:
        """Show ``feed``; ``standalone``: nothing beneath this screen (attached remotely)."""
        super().__init__()
        self.feed = feed
        self.standalone = standalone
        self._shown_actions = 0
        self._rows: list[InjectRow] = []
        self._graded_at = -1
        self.view_index = 0
        """Which of ``NARROW_VIEWS`` a narrow terminal shows."""

    def compose(self) -> ComposeResult:
        yield Static("", id="fac-status")
        with Horizontal(id="fac-body"):
            with Vertical(id="fac-left"):
                yield from self.compose_left()
            with Vertical(id="fac-right"):
                yield from self.compose_right()
        yield KeyFooter(rows=self.FOOTER_ROWS[0], narrow_rows=self.FOOTER_ROWS[1])

    def compose_left(self) -> ComposeResult:
        """The left column: the injects and the highlighted one."""
        table = InjectTable(id="injects", cursor_type="row", zebra_stripes=True)
        table.border_title = "Injects"
        yield table
        detail = Static("", id="inject-detail")
        detail.border_title = "Inject"
        yield detail

    def compose_right(self) -> ComposeResult:
        """The right column: what was done, and the live score."""
        # min_width: wrap at the panel's width (RichLog's default of 78 cut lines off)
        log = RichLog(id="actions", wrap=True, markup=False, min_width=20)
        log.border_title = self.ACTIONS_TITLE
        yield log
        yield ScorePanel(id="fac-score")

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.call_after_refresh(self.refresh_feed, False)
            self.call_after_refresh(self.rewrite_actions)
        self.refresh_bindings()

    def action_next_view(self) -> None:
        """On a narrow terminal, show the next of ``NARROW_VIEWS``."""
        self.view_index = (self.view_index + 1) % len(self.NARROW_VIEWS)
        self._show_view()

    def _show_view(self) -> None:
        for i, name in enumerate(self.NARROW_VIEWS):
            self.set_class(i == self.view_index, f"-view-{name}")
        if self.is_mounted:
            self.call_after_refresh(self.rewrite_actions)

    def rewrite_actions(self) -> None:
        """Write the actions panel again at its width (lines written while it was hidden, or
        before a rewind, are laid out anew)."""
        self.query_one("#actions", RichLog).clear()
        self._shown_actions = 0
        self._show_actions(action_rows(self.feed.events))

    def on_mount(self) -> None:
        table = self.query_one(InjectTable)
        table.add_column("State", key="state", width=13)
        table.add_column("Inject", key="id")
        table.add_column("Trigger", key="trigger")
        table.add_column("From → channel", key="from")
        self._show_view()
        self.refresh_feed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave":
            return not self.standalone  # F2 goes back to the IC console beneath
        if action == "detach":
            return self.standalone  # q leaves a session attached from another terminal
        if action == "next_view":
            return self.has_class("-narrow")
        return True

    # ------------------------------------------------------------------ updates

    @on(SimUpdated)
    def _sim_updated(self, message: SimUpdated) -> None:
        message.stop()
        self.refresh_feed(any(not isinstance(e, ev.MetricsSampled) for e in message.events))

    @on(FeedUpdated)
    def _feed_updated(self, message: FeedUpdated) -> None:
        message.stop()
        self.refresh_feed(message.news)

    def refresh_feed(self, news: bool = True) -> None:
        """Re-read the feed: status line always; injects, actions and score on news."""
        feed = self.feed
        events = feed.events
        now = feed.now
        ended = ended_reason(events)
        pace = feed.pace
        status = Text(no_wrap=True, overflow="ellipsis")
        narrow = self.has_class("-narrow")  # the clock, pace and link before the names
        status.append(" FACILITATOR ", style="bold reverse")
        if narrow:
            status.append(f" {feed.scenario.id}  ")
        else:
            status.append(
                visible(f" {feed.scenario.id} · trainee {feed.trainee}  ", multiline=False)
            )
        status.append(f"{format_clock(now)}", style="bold")
        if not narrow:
            status.append(f"  {_world(feed.scenario, now)}")
        status.append(f"  {pace.speed:g}x ")
        if ended:
            status.append(" ■ ENDED ", style="bold reverse")
        elif pace.paused:
            status.append(" ⏸ PAUSED ", style="bold reverse")
        else:
            status.append(" ▶ LIVE ")
        status.append(f" · {'' if narrow else 'link '}{feed.link_state}")
        self.query_one("#fac-status", Static).update(status)
        if not news and self._rows:
            return
        self._show_injects(inject_rows(feed.scenario, events, now))
        self._show_actions(action_rows(events))
        assessment = feed.assessment(ended=ended is not None)
        self.query_one(ScorePanel).show(
            assessment.score,
            assessment.passed,
            [(c.title, c.status, c.detail) for c in assessment.criteria],
            [w for c in assessment.criteria for w in c.waiting],
        )

    def _show_injects(self, rows: list[InjectRow]) -> None:
        table = self.query_one(InjectTable)
        cursor = table.cursor_row
        if [r.id for r in rows] != [r.id for r in self._rows] or len(rows) != table.row_count:
            table.clear()
            for i, row in enumerate(rows):
                table.add_row(*_cells(row), key=str(i))
        else:
            for i, (old, new) in enumerate(zip(self._rows, rows, strict=True)):
                if old != new:
                    for column, value in zip(
                        ("state", "id", "trigger", "from"), _cells(new), strict=True
                    ):
                        table.update_cell(str(i), column, value)
        self._rows = rows
        if rows:
            table.move_cursor(row=min(max(cursor, 0), len(rows) - 1))
        self._show_detail()

    def _show_actions(self, rows: list[ActionRow]) -> None:
        log = self.query_one("#actions", RichLog)
        for row in rows[self._shown_actions :]:
            line = Text()
            line.append(f"{format_clock(row.t)} ", style="bold")
            if row.seat is not None:
                line.append(visible(f"{row.seat} ", multiline=False))
            else:
                line.append("IC " if row.by == "trainee" else "FAC ")
            line.append("✓ " if row.accepted else "✗ ")
            line.append(visible(row.what))
            if row.reason:
                line.append(visible(f" — refused: {row.reason}"), style="italic")
            if row.rationale:
                line.append(visible(f"\n    why: {row.rationale}"), style="dim")
            log.write(line)
        self._shown_actions = len(rows)

    def _selected(self) -> InjectRow | None:
        table = self.query_one(InjectTable)
        if not self._rows or table.cursor_row < 0:
            return None
        return self._rows[min(table.cursor_row, len(self._rows) - 1)]

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self._selected()
        detail = self.query_one("#inject-detail", Static)
        if row is None:
            detail.update("The scenario has no injects: write one with w.")
            return
        out = Text()
        out.append(f"{row.icon} {row.state}", style="bold")
        if row.delivered_at is not None:
            out.append(f" at {format_clock(row.delivered_at)}")
        out.append(f" · {row.trigger}", style="dim")
        if row.delivered_at is not None:
            out.append(f" · to {row.audience}", style="bold" if row.to else "dim")
        out.append("\n")
        out.append(visible(f"{row.sender} → {row.channel}\n"), style="bold")
        out.append(visible(row.text))
        if row.note:
            out.append(visible(f"\n\nFacilitator note: {row.note}"), style="italic")
        detail.update(out)

    # ------------------------------------------------------------------ commands

    @work(exclusive=False, group="send")
    async def _send(self, command: cmd.Command) -> None:
        accepted, reason = await self.feed.send(command)
        if not accepted:  # what was accepted arrives as events, which refresh the screen
            self.notify(
                reason or "refused",
                title=f"Refused: {command.do}",
                severity="error",
                markup=False,
            )

    def action_fire(self) -> None:
        """Deliver the highlighted inject now."""
        row = self._selected()
        if row is None or row.id is None:
            self.notify("Pick a scenario inject first.", severity="warning")
            return
        if not row.can_fire:
            self.notify(f"{row.id} was already delivered.", severity="warning", markup=False)
            return
        self._send(cmd.FireInject(inject=row.id))

    def action_adhoc(self) -> None:
        """Write and deliver an ad-hoc inject."""
        self.app.push_screen(AdHocInjectDialog(), self._dialog_done)

    def action_start_fault(self) -> None:
        """Start one of the scenario's faults."""
        active = _active_faults(self.feed.events)
        faults = [(f.id, f.description, f.id in active) for f in self.feed.scenario.faults]
        self.app.push_screen(StartFaultDialog(faults), self._dialog_done)

    def _dialog_done(self, command: cmd.Command | None) -> None:
        if command is not None:
            self._send(command)

    def action_pause(self) -> None:
        """Pause or resume the exercise clock."""
        pace = self.feed.pace
        self._send(cmd.SetPace(paused=not pace.paused, speed=pace.speed))

    def action_faster(self) -> None:
        """One step up the speed ladder."""
        self._step(+1)

    def action_slower(self) -> None:
        """One step down the speed ladder."""
        self._step(-1)

    def _step(self, direction: int) -> None:
        pace = self.feed.pace
        speed = next_speed(pace.speed, direction)
        if speed != pace.speed:
            self._send(cmd.SetPace(paused=pace.paused, speed=speed))

    def action_jump(self) -> None:
        """Jump the sim ahead."""
        self._send(cmd.JumpAhead(seconds=JUMP))

    def action_end(self) -> None:
        """End the exercise for everyone (after confirming)."""
        from tui.screens.dialogs.confirm import ConfirmQuit

        def answered(end: bool | None) -> None:
            if end:
                self._send(cmd.EndExercise())

        self.app.push_screen(ConfirmQuit("End the exercise for the trainee now?"), answered)

    def action_leave(self) -> None:
        """Back to the IC console."""
        self.dismiss(None)

    def action_detach(self) -> None:
        """Leave a session attached from another terminal (it plays on)."""
        self.app.exit(0)


def _cells(row: InjectRow) -> tuple[Text, Text, Text, Text]:
    return (
        Text(f"{row.icon} {row.state}"),
        Text(row.id or "(ad hoc)"),
        Text(row.trigger, overflow="ellipsis", no_wrap=True),
        Text(
            visible(f"{row.sender} → {row.channel}" + (f" ({row.to} only)" if row.to else "")),
            overflow="ellipsis",
            no_wrap=True,
        ),
    )


def _world(scenario: Scenario, t: float) -> str:
    from datetime import timedelta

    return (scenario.start + timedelta(seconds=t)).strftime("%H:%M:%S UTC")


def _active_faults(events: Sequence[ev.Event]) -> set[str]:
    active: set[str] = set()
    for e in events:
        if isinstance(e, ev.FaultStarted):
            active.add(e.fault)
        elif isinstance(e, ev.FaultCleared):
            active.discard(e.fault)
    return active
