"""``warroom host`` in a terminal: the facilitator console of a team game day.

The same ``FacilitatorScreen`` as ``warroom facilitate`` (injects with their conditions, fire
now, ad-hoc injects, faults, pace, end, the live score), fed by the host's engine, plus a
Seats panel: each seat's role, the person in it, connected / disconnected / not joined /
revoked, their last action (refused ones marked) and what they have done, updated live. The
facilitator starts the clock without the missing seats, revokes a seat (after confirming),
fires an inject to every seat or to one role's seats, and rewinds to a moment (every seat
follows the branch). What the Seats panel shows is computed by ``tui.headless.seating``; the
exercise runs in ``tui.headless.team.TeamHost`` on this app's event loop. Text from people and
the scenario is shown as text, never markup.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from assessments.assessor import Assessment
from simulator import commands as cmd
from simulator import events as ev
from simulator.durations import format_clock, parse_moment
from simulator.engine import Outcome
from simulator.text import visible
from tui.headless.facilitation import Pace, ended_reason
from tui.headless.seating import SeatRow
from tui.headless.team import TeamHost
from tui.link.seats import Seat
from tui.screens.dialogs.base import DIALOGS_CSS, ActionDialog, FormError
from tui.screens.dialogs.helpers import choices, field, picked, section
from tui.screens.facilitator import (
    AdHocInjectDialog,
    FacilitatorScreen,
    apply_facilitator_command,
)
from tui.screens.messages import FeedUpdated

JoinCommand = Callable[[Seat, int], str]
"""The command a participant runs to take a seat (the seat, the port the host listens on)."""

Serving = Callable[[Callable[[], Awaitable[Path]]], Awaitable[Path]]
"""Wraps the play of the exercise (the command line serves browser seats beside it)."""

CLOCK_EVERY = 0.25
"""Wall seconds between clock-only refreshes of the status line."""


class HostDriver:
    """Moves the host's current session for ``apply_facilitator_command`` (no bridge: the
    host's pacing loop reports what changed)."""

    def __init__(self, host: TeamHost) -> None:
        """Drive ``host``'s session (whichever branch is current)."""
        self.host = host

    def submit(self, command: cmd.Command) -> Outcome:
        """Submit through the host (aimed injects checked, on the next whole millisecond)."""
        return self.host.facilitate(command)

    def toggle_pause(self, wall: float, *, by: str = "trainee") -> bool:
        """Pause or resume the exercise clock."""
        return self.host.session.toggle_pause(wall, by=by)

    def jump(self, seconds: float, *, by: str = "trainee") -> None:
        """Fast-forward the sim."""
        self.host.session.jump(seconds, by=by)

    def flush(self, *, force: bool = False) -> None:
        """Nothing to do: the pacing loop notices every change."""


class HostFeed:
    """The host's exercise, as the facilitator console reads it (it follows rewinds)."""

    def __init__(self, host: TeamHost) -> None:
        """Read ``host``'s current session."""
        self.host = host
        session = host.session
        self.scenario = session.scenario
        self.policy = session.policy
        self.trainee = session.trainee
        self.seed = session.seed

    @property
    def events(self) -> Sequence[ev.Event]:
        """Every event of the current branch so far."""
        return self.host.session.events

    @property
    def now(self) -> float:
        """Sim time now."""
        return self.host.session.engine.now

    @property
    def pace(self) -> Pace:
        """The pacer's state."""
        return Pace(self.host.session.paused, self.host.session.pacer.speed)

    @property
    def link_state(self) -> str:
        """How many seats are connected, how many requests wait for the IC's approval, and
        whether the clock waits for the others."""
        seats = [s for s in self.host.server.seats.seats.values() if not s.revoked]
        online = self.host.server.connected()
        count = f"{sum(1 for s in seats if s.id in online)}/{len(seats)} seats"
        waiting = len(self.host.server.requests.pending())
        if waiting:
            count += f" · {waiting} waiting for the IC"
        if not self.host.clock_started:
            return f"{count} · clock waits"
        return count

    def assessment(self, *, ended: bool) -> Assessment:
        """The live assessor's grade of the current branch."""
        return self.host.session.assessment(final=ended)

    async def send(self, command: cmd.Command) -> tuple[bool, str | None]:
        """Pace to the pacer, the rest to the engine, after the host's checks."""
        reason = self.host.check_facilitator(command)
        if reason is not None:
            return False, reason
        return apply_facilitator_command(self.host.session, HostDriver(self.host), command)


# --------------------------------------------------------------------------- dialogs


class AimInjectDialog(ActionDialog[cmd.FireInject]):
    """Fire one of the scenario's injects to one role's seats only."""

    HEADING = "Fire an inject to one role"
    SUBMIT = "Fire now"
    RATIONALE = False

    def __init__(
        self,
        injects: Sequence[tuple[str, str, str]],
        roles: Sequence[str],
        *,
        inject: str | None = None,
    ) -> None:
        """Offer ``injects`` (id, from → channel, text) not yet delivered and the seats'
        ``roles``; ``inject``: the one highlighted in the console."""
        super().__init__()
        self.injects = tuple(injects)
        self.roles = tuple(dict.fromkeys(roles))
        self.inject = inject if any(i[0] == inject for i in injects) else None

    def compose_form(self) -> ComposeResult:
        yield field("Inject")
        options = [(f"{iid} · {where}"[:70], iid) for iid, where, _ in self.injects]
        yield Select(
            choices(options),
            id="inject",
            prompt="pick an inject not yet delivered",
            value=self.inject if self.inject is not None else Select.NULL,
        )
        yield field("Only these seats get it")
        yield Select(
            choices((f"the {r} seat", r) for r in self.roles),
            id="to",
            prompt="pick a role",
        )

    def help(self) -> RenderableType:
        chosen = picked(self.query_one("#inject", Select)) if self.is_mounted else self.inject
        text = next((t for iid, _, t in self.injects if iid == chosen), "")
        body = Text(
            "Only the seats of the role you pick read it; the others see that something "
            "arrived for that role, without its text. The journal records whom it went to.\n\n"
        )
        if text:
            body.append(visible(text))
        return section("Aimed injects", body)

    def build(self) -> cmd.FireInject:
        inject = picked(self.query_one("#inject", Select))
        if inject is None:
            raise FormError("Pick the inject to fire.", "inject")
        to = picked(self.query_one("#to", Select))
        if to is None:
            raise FormError("Pick the role whose seats get it.", "to")
        return cmd.FireInject(inject=inject, to=to)


class RewindDialog(ModalScreen[float | None]):
    """Ask for the moment to restart the exercise from (``12m``, ``T+12m``, ``T+12:00``)."""

    CSS_PATH = DIALOGS_CSS
    DEFAULT_CSS = """
    RewindDialog { align: center middle; background: transparent; }
    RewindDialog > #dialog {
        width: 60; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    RewindDialog #moment { margin: 1 0 0 0; }
    """
    BINDINGS: ClassVar[list[Any]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, now: float) -> None:
        """``now``: the sim time now (the latest moment to restart from)."""
        super().__init__()
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Rewind: restart from a moment", id="dialog-title", markup=False)
            yield Label(
                f"Now is {format_clock(self.now)}. The actions up to the moment are replayed "
                "into a branch journal that names this one; every seat follows the branch.",
                classes="hint",
                markup=False,
            )
            yield Input(placeholder="12m, T+12m or T+12:00", id="moment")
            yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Rewind (enter)", id="rewind", variant="error", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        if self.app.is_headless:
            self.query_one(Input).cursor_blink = False

    @on(Input.Submitted)
    @on(Button.Pressed, "#rewind")
    def _rewind(self) -> None:
        text = self.query_one("#moment", Input).value
        try:
            at = parse_moment(text)
        except ValueError as exc:
            self._error(str(exc))
            return
        if at > self.now:
            self._error(
                f"{format_clock(at)} has not happened yet (now is {format_clock(self.now)})"
            )
            return
        self.dismiss(at)

    def _error(self, message: str) -> None:
        error = self.query_one("#error", Static)
        error.update(Text(f"✘ {message}"))
        error.add_class("-shown")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without rewinding."""
        self.dismiss(None)


# --------------------------------------------------------------------------- the screen


class SeatsTable(DataTable[Text]):
    """The seats, one row each."""


class HostScreen(FacilitatorScreen):
    """The facilitator console of a team game day, on the host's screen."""

    CSS_PATH: ClassVar[Any] = ["facilitator.tcss", "host.tcss"]
    BINDINGS: ClassVar[list[Any]] = [
        Binding("s", "start_clock", "Start clock"),
        Binding("t", "aim", "Fire to role"),
        Binding("x", "revoke", "Revoke seat"),
        Binding("r", "rewind", "Rewind"),
        Binding("q", "quit_host", "Leave"),
    ]
    ACTIONS_TITLE = "Team's actions"
    NARROW_VIEWS = ("injects", "seats", "actions", "score")
    FOOTER_ROWS = (2, 4)

    def __init__(self, host: TeamHost, join_command: JoinCommand, fingerprint: str = "") -> None:
        """Show ``host``'s exercise; ``join_command`` says how a seat is joined, and
        ``fingerprint`` is the host certificate's (participants check it when they join)."""
        super().__init__(HostFeed(host), standalone=True)
        self.host = host
        self.join_command = join_command
        self.fingerprint = fingerprint
        self.seat_rows: list[SeatRow] = []
        self._session_shown: object = host.session

    def compose_left(self) -> ComposeResult:
        yield from super().compose_left()
        with Vertical(id="seats-panel"):
            table = SeatsTable(id="seats", cursor_type="row")
            table.border_title = "Seats"
            yield table
            yield Static("", id="seat-detail")

    def on_mount(self) -> None:
        table = self.query_one(SeatsTable)
        table.add_column("Seat", key="seat", width=9)
        table.add_column("Person", key="person", width=19)
        table.add_column("Link", key="link", width=14)
        table.add_column("Done", key="done", width=7)
        table.add_column("Last action", key="last")
        # FacilitatorScreen.on_mount runs next (Textual calls each class's handler), filling
        # the injects and, through refresh_feed, these seats.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        ended = self.host.session.engine.ended
        if action == "detach":
            return False  # q leaves the host (quit_host)
        if action == "start_clock":
            return not self.host.clock_started
        if action in ("rewind", "aim", "revoke"):
            return None if ended else True
        return super().check_action(action, parameters)

    # ------------------------------------------------------------------ updates

    def refresh_feed(self, news: bool = True) -> None:
        """Re-read the feed and the seats (a rewind starts the actions panel again)."""
        if self.host.session is not self._session_shown:
            self._session_shown = self.host.session
            self._rows = []
            self.rewrite_actions()
            news = True
        super().refresh_feed(news)
        if news:
            self._show_seats()
            self.refresh_bindings()

    def _show_seats(self) -> None:
        rows = self.host.seat_rows()
        table = self.query_one(SeatsTable)
        if [r.seat for r in rows] != [r.seat for r in self.seat_rows]:
            table.clear()
            for row in rows:
                table.add_row(*_seat_cells(row), key=row.seat)
        else:
            for old, new in zip(self.seat_rows, rows, strict=True):
                if old != new:
                    for column, value in zip(
                        ("seat", "person", "link", "done", "last"), _seat_cells(new), strict=True
                    ):
                        table.update_cell(new.seat, column, value, update_width=True)
        self.seat_rows = rows
        self._show_seat_detail()

    def _selected_seat(self) -> SeatRow | None:
        table = self.query_one(SeatsTable)
        if not self.seat_rows or table.cursor_row < 0:
            return None
        return self.seat_rows[min(table.cursor_row, len(self.seat_rows) - 1)]

    @on(DataTable.RowHighlighted, "#seats")
    def _seat_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_seat_detail()

    def _show_seat_detail(self) -> None:
        row = self._selected_seat()
        detail = self.query_one("#seat-detail", Static)
        if row is None:
            detail.update("")
            return
        out = Text(no_wrap=False)
        out.append(f"{row.seat} ({row.role})", style="bold")
        out.append(f" · {row.icon} {row.state}")
        if row.person is not None:
            out.append(" · ")
            out.append(visible(row.person, multiline=False))
        if row.state == "not joined":
            port = self.host.server.port
            out.append("\njoin: ")
            out.append(visible(self.join_command(self._seat(row.seat), port), multiline=False))
            if self.fingerprint:
                out.append(f"\nhost certificate: {self.fingerprint}", style="dim")
        if row.handed:
            out.append(
                f"\nholds: {', '.join(row.holds)} (handed by the IC: {', '.join(row.handed)})"
            )
        for waiting in row.waiting:
            out.append(f"\nwaiting for the IC: request {waiting.request} ", style="bold")
            out.append(visible(waiting.what, multiline=False))
        if row.last is not None:
            mark = "✗ refused" if row.last.refused else "✓"
            out.append(f"\nlast: {format_clock(row.last.t)} {mark} ")
            out.append(visible(row.last.what, multiline=False))
            if row.last.reason:
                out.append(visible(f" — {row.last.reason}", multiline=False), style="italic")
        if row.kinds or row.refused:
            done = ", ".join(f"{do.replace('_', ' ')} {n}" for do, n in row.kinds)
            out.append(f"\ndone: {done or 'nothing yet'}")
            if row.refused:
                out.append(f" · {row.refused} refused")
        detail.update(out)

    def _seat(self, ident: str) -> Seat:
        return self.host.server.seats.seats[ident]

    # ------------------------------------------------------------------ commands

    def action_start_clock(self) -> None:
        """Start the exercise clock without the seats still missing."""
        if self.host.clock_started:
            return
        self.host.start_now = True
        self.notify("The clock starts now; missing seats can still join.", markup=False)

    def action_adhoc(self) -> None:
        """Write an ad-hoc inject, to every seat or to one role's."""
        self.app.push_screen(AdHocInjectDialog(self._roles()), self._dialog_done)

    def action_aim(self) -> None:
        """Fire an inject to one role's seats only."""
        injects = [
            (r.id, f"{r.sender} → {r.channel}", r.text)
            for r in self._rows
            if r.id is not None and r.can_fire
        ]
        if not injects:
            self.notify("Every inject was already delivered.", severity="warning")
            return
        highlighted = self._selected()
        chosen = highlighted.id if highlighted is not None else None
        self.app.push_screen(
            AimInjectDialog(injects, self._roles(), inject=chosen), self._dialog_done
        )

    def _roles(self) -> list[str]:
        return [s.role for s in self.host.server.seats.seats.values() if not s.revoked]

    def action_revoke(self) -> None:
        """Revoke the seat highlighted in the Seats panel (after confirming)."""
        from tui.screens.dialogs.confirm import ConfirmQuit

        row = self._selected_seat()
        if row is None or row.state == "revoked":
            self.notify("Highlight a seat that is not revoked in the Seats panel.", markup=False)
            return
        who = f" ({visible(row.person, multiline=False)})" if row.person else ""

        def answered(yes: bool | None) -> None:
            if yes:
                self.host.server.revoke(row.seat)
                self.notify(f"Seat {row.seat} revoked.", markup=False)
                self.refresh_feed(True)

        self.app.push_screen(
            ConfirmQuit(
                f"Revoke the {row.seat} seat{who}?",
                "Its connection closes and its code and token open nothing any more.",
            ),
            answered,
        )

    def action_rewind(self) -> None:
        """Restart the exercise from a moment; every seat follows the branch."""
        if not self.host.clock_started:
            self.notify("The clock has not started yet.", severity="warning")
            return
        self.app.push_screen(RewindDialog(self.host.session.engine.now), self._rewind_to)

    def _rewind_to(self, at: float | None) -> None:
        from tui.headless.session import ResumeError

        if at is None:
            return
        try:
            branch = self.host.rewind(at)
        except (ResumeError, OSError, ValueError) as exc:
            self.notify(str(exc), title="Not rewound", severity="error", markup=False)
            return
        self.notify(
            f"Restarted from {format_clock(at)} in {branch.journal_path}; every seat follows.",
            markup=False,
            timeout=8,
        )
        self.refresh_feed(True)

    def action_quit_host(self) -> None:
        """Leave: at once when the exercise has ended, else after ending it for everyone."""
        from tui.screens.dialogs.confirm import ConfirmQuit

        if self.host.session.engine.ended:
            self.app.exit(self.host.session.journal_path)
            return

        def answered(leave: bool | None) -> None:
            if leave and isinstance(self.app, HostApp):
                self.app.leave_when_ended = True
                self.host.facilitate(cmd.EndExercise())

        self.app.push_screen(
            ConfirmQuit(
                "End the exercise for every seat and leave?",
                "The journal keeps everything; each participant's debrief is printed.",
            ),
            answered,
        )


def _seat_cells(row: SeatRow) -> tuple[Text, Text, Text, Text, Text]:
    person = visible(row.person, multiline=False) if row.person is not None else f"code {row.code}"
    done = f"{row.done} ✓" + (f" {row.refused} ✗" if row.refused else "")
    last = ""
    if row.waiting:
        first = row.waiting[0]
        more = f" (+{len(row.waiting) - 1})" if len(row.waiting) > 1 else ""
        last = f"waits for the IC: request {first.request}{more} {visible(first.what, multiline=False)}"
    elif row.last is not None:
        mark = "✗ " if row.last.refused else ""
        last = f"{format_clock(row.last.t)} {mark}{visible(row.last.what, multiline=False)}"
    if row.handed:
        person += f" +{','.join(row.handed)}"
    return (
        Text(row.seat),
        Text(person, overflow="ellipsis", no_wrap=True),
        Text(f"{row.icon} {row.state}"),
        Text(done),
        Text(last, overflow="ellipsis", no_wrap=True),
    )


# --------------------------------------------------------------------------- the app


class HostApp(App[Path | None]):
    """``warroom host`` in a terminal: the exercise runs here, the console shows it."""

    TITLE = "warroom · host"

    def __init__(
        self,
        host: TeamHost,
        join_command: JoinCommand,
        fingerprint: str = "",
        *,
        serving: Serving | None = None,
        started: Callable[[TeamHost], str | None] | None = None,
    ) -> None:
        """Run ``host``'s exercise (the server starts listening once mounted); ``join_command``
        and ``fingerprint`` are what participants need to join (shown for each empty seat).

        Args:
            host: The team exercise.
            join_command: The command a participant runs to take a seat.
            fingerprint: The host certificate's fingerprint.
            serving: Wraps the play (the command line serves browser seats beside it).
            started: Called once the seats' port listens; the line it returns (where browser
                seats open) is shown to the facilitator.
        """
        super().__init__()
        self.host = host
        self.join_command = join_command
        self.fingerprint = fingerprint
        self.serving = serving
        self.started = started
        self.journal: Path | None = None
        """The last branch's journal, once the exercise ended."""
        self.leave_when_ended = False
        """Set when the facilitator leaves a running exercise: the app exits once it ends."""
        self._seen: tuple[Any, ...] = ()
        self._clock_shown = 0.0

    def on_mount(self) -> None:
        self.console_screen = HostScreen(self.host, self.join_command, self.fingerprint)
        self.push_screen(self.console_screen)
        self._run()

    @work(exclusive=True, group="host")
    async def _run(self) -> None:
        from tui.link.common import LinkError

        def play() -> Awaitable[Path]:
            return self.host.run(on_tick=self._ticked, started=self._started)

        try:
            self.journal = await (self.serving(play) if self.serving is not None else play())
        except LinkError as exc:
            self.exit(None, message=f"warroom: error: {exc}")
            return
        if self.leave_when_ended:
            self.exit(self.journal)
            return
        reason = ended_reason(self.host.session.events) or "closed"
        self.console_screen.post_message(FeedUpdated(True))
        self.notify(
            f"The exercise ended ({reason}). Press q to leave and print each participant's "
            "debrief.",
            markup=False,
            timeout=30,
        )

    def _started(self, host: TeamHost) -> None:
        said = self.started(host) if self.started is not None else None
        if said is not None:
            self.notify(f"Browser seats: {said}", markup=False, timeout=60)

    def _ticked(self, host: TeamHost) -> None:
        """After each pacing slice: tell the console when anything it shows changed."""
        session = host.session
        events = session.events
        online = host.server.connected()
        seats = tuple(
            (s.id, s.person, s.revoked, s.id in online) for s in host.server.seats.seats.values()
        )
        seen = (
            id(session),
            len(events),
            seats,
            len(host.refusals),
            tuple((r.number, r.state) for r in host.server.requests.requests.values()),
            tuple(host.server.holdings.handed.items()),
            host.clock_started,
            session.paused,
            session.pacer.speed,
        )
        if seen != self._seen:
            old = self._seen
            self._seen = seen
            added = events[old[1] :] if old and old[0] == seen[0] else events
            news = (
                not old
                or old[0] != seen[0]
                or old[2:] != seen[2:]
                or any(not isinstance(e, ev.MetricsSampled) for e in added)
            )
            if news or time.monotonic() - self._clock_shown >= CLOCK_EVERY:
                self._clock_shown = time.monotonic()
                self.console_screen.post_message(FeedUpdated(news))
        elif time.monotonic() - self._clock_shown >= CLOCK_EVERY and not session.paused:
            self._clock_shown = time.monotonic()
            self.console_screen.post_message(FeedUpdated(False))


def run_host(
    host: TeamHost,
    join_command: JoinCommand,
    fingerprint: str,
    *,
    serving: Serving | None = None,
    started: Callable[[TeamHost], str | None] | None = None,
) -> Path:
    """Run the team game day with the facilitator console; returns the last journal (the
    options as for ``HostApp``)."""
    app = HostApp(host, join_command, fingerprint, serving=serving, started=started)
    app.run()
    if app.journal is not None:
        return app.journal
    host.session.close()
    assert host.session.journal_path is not None
    return host.session.journal_path
