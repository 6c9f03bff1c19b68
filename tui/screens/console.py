"""The Incident Commander console: the screen a trainee plays an exercise on.

Layout: a status bar (clocks, severity, status, speed, pause), alerts, the Quick Reference
first actions and metric charts on the left, the incident timeline in the middle, and the
incident's facts, team and the live score on the right; the Footer lists
every binding. Under ``NARROW`` columns the right-hand column gives way, and ``v`` switches
the space beside the left column between the timeline, the team and score, and the metrics. A 10 Hz timer drives the pacer through the bridge; the bridge's one message,
``SimUpdated``, is the only way engine news reaches the widgets. Every action opens a modal
form; the command it returns is submitted through the bridge, and a rejection is shown with
the engine's reason. When the exercise ends (or the trainee leaves), the journal is closed
and the summary is shown.
"""

from __future__ import annotations

import functools
import gc
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.timer import Timer

from assessments.assessor.results import CRITERIA, TITLES
from simulator import events as ev
from simulator.commands import Command
from simulator.text import visible
from tui.headless.session import JUMP, Session
from tui.headless.views import ConsoleView, key_metrics
from tui.headless.words import Words
from tui.screens.bridge import Bridge
from tui.screens.dialogs.base import ActionDialog, CommandT
from tui.screens.dialogs.confirm import ConfirmQuit
from tui.screens.footer import KeyFooter
from tui.screens.messages import AlertPicked, ChecklistPicked, ExerciseClosed, SimUpdated
from tui.screens.painting import PaintedOnce
from tui.screens.palette import IC_ACTIONS, ICActionsProvider
from tui.screens.widgets import (
    NARROW,
    AlertsPanel,
    Checklist,
    IncidentPanel,
    MetricPanel,
    ScorePanel,
    StatusBar,
    Timeline,
)

if TYPE_CHECKING:
    from assessments.policy import Policy
    from tui.link.server import LinkServer
    from tui.screens.forms import Forms
    from tui.screens.summary import Summary

TICK = 0.1
"""Seconds between pacer ticks (10 Hz)."""


NARROW_VIEWS = ("timeline", "team", "metrics")
"""What a narrow terminal (under ``NARROW`` columns) shows in turn on ``v``: the timeline
beside alerts, first actions and metrics; the incident, team and live score; every metric."""


class ConsoleScreen(PaintedOnce[None]):
    """Play one session as Incident Commander."""

    CSS_PATH = "console.tcss"
    AUTO_FOCUS = "#timeline"
    COMMANDS: ClassVar[set[Any]] = {ICActionsProvider}
    BINDINGS: ClassVar[list[Any]] = [
        *(Binding(a.key, a.action, a.short) for a in IC_ACTIONS),
        Binding("space", "pause", "Pause"),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+"),
        Binding("minus", "slower", "Slower", key_display="-"),
        Binding("j", "jump", f"+{JUMP:.0f}s"),
        Binding("v", "next_view", "View"),
        Binding("f2", "facilitator", "Facilitator"),
        Binding("q", "quit_exercise", "Quit"),
    ]

    def __init__(self, session: Session, *, facilitating: bool = False) -> None:
        """Play ``session``; nothing starts until the screen is mounted.

        ``facilitating``: open the facilitator console on top at once (``warroom facilitate``).
        """
        super().__init__(classes="-view-timeline")  # styled once, not again after mounting
        self.session = session
        self.facilitating = facilitating
        self.bridge = Bridge(session, self)
        self.metrics = key_metrics(session.scenario)
        self.view: ConsoleView = session.view()
        self.summary: Summary | None = None
        self._timer: Timer | None = None
        self.link: LinkServer | None = None
        """The session's link for a facilitator in another terminal, once served."""
        self.view_index = 0
        """Which of ``NARROW_VIEWS`` a narrow terminal shows beside the left column."""

    @functools.cached_property
    def forms(self) -> Forms:
        """The IC's dialogs, built from the session when a key asks for one (their modules are
        imported then, not before the first frame)."""
        from tui.screens.forms import Forms

        return Forms(self.session)

    def compose(self) -> ComposeResult:
        scenario = self.session.scenario
        yield StatusBar(f"warroom · {scenario.title}", id="status-bar")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield AlertsPanel(self.view.alerts, id="alerts")
                yield Checklist(self.view.checklist, id="checklist")
                with VerticalScroll(id="metrics") as metrics:
                    metrics.border_title = "Metrics"
                    for spec in self.metrics:
                        yield MetricPanel(spec)
            yield Timeline(Words(scenario, self.session.trainee), id="timeline")
            with VerticalScroll(id="right"):
                yield IncidentPanel(self.session.trainee, id="incident")
                score = ScorePanel(id="score")
                self._show_score(score)  # in the first frame, not a frame after it
                yield score
        yield KeyFooter(narrow_rows=4)

    def on_mount(self) -> None:
        self.bridge.open(time.monotonic())
        self._timer = self.set_interval(TICK, self._tick)
        gc.freeze()
        if self.facilitating:
            self.call_after_refresh(self.action_facilitator)
        self.call_after_refresh(self._serve_link)  # the link's modules wait for the first frame

    @work(exclusive=True, group="link")
    async def _serve_link(self) -> None:
        """Serve the session on ``<session dir>/link.sock`` for a facilitator in another terminal."""
        from tui.link.common import LinkError, socket_path_for
        from tui.link.server import LinkServer
        from tui.screens.facilitator import apply_facilitator_command

        session = self.session
        if session.directory is None or session.header is None or self.link is not None:
            return

        def on_command(command: Command) -> tuple[bool, str | None]:
            if self.summary is not None:
                return False, "the exercise has ended"
            return apply_facilitator_command(session, self.bridge, command)

        server = LinkServer(socket_path_for(session.directory), session.header, on_command)
        for event in session.events:
            server.publish(event)
        session.engine.subscribe(server.publish)
        self.link = server
        try:
            await server.start()
        except (LinkError, OSError) as exc:
            self.notify(f"No facilitator link: {exc}", severity="warning", timeout=8, markup=False)

    async def _close_link(self) -> None:
        if self.link is not None:
            await self.link.close()

    async def on_unmount(self) -> None:
        self.session.close()
        await self._close_link()
        gc.unfreeze()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")
        self.refresh_bindings()

    def action_next_view(self) -> None:
        """On a narrow terminal, show the next panel set: timeline, team and score, metrics."""
        self.view_index = (self.view_index + 1) % len(NARROW_VIEWS)
        for i, name in enumerate(NARROW_VIEWS):
            self.set_class(i == self.view_index, f"-view-{name}")
        if NARROW_VIEWS[self.view_index] == "timeline":
            self.call_after_refresh(self.query_one(Timeline).rewrite)

    def _tick(self) -> None:
        if self.summary is None:
            self.bridge.tick(time.monotonic())

    # ------------------------------------------------------------------ the bridge's news

    def on_sim_updated(self, message: SimUpdated) -> None:
        view = message.view
        self.view = view
        # The pacing timer runs only while the sim does: a paused or ended exercise costs no
        # wake-ups (a pause, resume or facilitator command reports itself through here).
        if self._timer is not None:
            if view.paused or view.ended:
                self._timer.pause()
            else:
                self._timer.resume()
        self.query_one(Timeline).add_events(message.events)
        for e in message.events:
            if isinstance(e, ev.MetricHistory):
                for panel in self.query(MetricPanel):
                    panel.add_samples(v for _, v in e.series.get(panel.spec.id, ()))
        samples = [e.values for e in message.events if isinstance(e, ev.MetricsSampled)]
        if samples:
            for panel in self.query(MetricPanel):
                panel.add_samples(s[panel.spec.id] for s in samples if panel.spec.id in s)
        self.query_one(StatusBar).show(view)
        self.query_one(AlertsPanel).show(view.alerts)
        self.query_one(Checklist).show(view.checklist)
        self.query_one(IncidentPanel).show(view)
        if isinstance(self.app.screen, ActionDialog):
            self.app.screen.situation_changed(view)
        if message.events:
            self._show_score()
        if view.ended and self.summary is None:
            self._finish(view.ended)

    def _show_score(self, panel: ScorePanel | None = None) -> None:
        # the trainee's own view: by the level they classified, never the scenario's answers
        # (the facilitator's console and the results show the grade itself)
        assessment = self.session.own_assessment()
        panel = panel or self.query_one(ScorePanel)
        if assessment is None:
            panel.unclassified(TITLES[c] for c in CRITERIA)
            return
        panel.show(
            assessment.score,
            assessment.passed,
            [(c.title, c.status, c.detail) for c in assessment.criteria],
            [w for c in assessment.criteria for w in c.waiting],
            level=assessment.level,
        )

    def _finish(self, reason: str) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.session.close()
        from tui.screens.summary import SummaryScreen, summarize  # the results, when it ends

        summary = summarize(self.session, reason)
        files, notes = self._file_away(reason)
        self.summary = replace(summary, files=files, notes=notes)
        self.app.push_screen(SummaryScreen(self.summary), self._summary_read)

    def _file_away(self, reason: str) -> tuple[tuple[tuple[str, Path], ...], tuple[str, ...]]:
        """Record the attempt and write the reports (an ended exercise), or say how to resume."""
        session = self.session
        journal = session.journal_path
        if journal is None:
            return (), ()
        files: list[tuple[str, Path]] = [("Journal", journal)]
        if reason == "left":
            return tuple(files), (f"Continue it later: warroom resume {journal.parent}",)
        notes: list[str] = []
        assessment = session.assessment(final=True)
        db: Path | None = getattr(self.app, "db_path", None)
        try:
            from assessments.programme import record_attempt

            attempt = record_attempt(db, assessment, journal)
            notes.append(f"Recorded in the records of {attempt.trainee} (warroom trainee).")
        except Exception as exc:  # the results are shown even when the records fail
            notes.append(f"Not recorded: {exc}")
        loaded = session.loaded
        files += write_reports(journal, notes, db, scenario=str(loaded.path), policy=session.policy)
        return tuple(files), tuple(notes)

    def _summary_read(self, _: None) -> None:
        self.post_message(ExerciseClosed())

    # ------------------------------------------------------------------ pacing keys

    def action_pause(self) -> None:
        """Pause or resume the sim clock."""
        self.bridge.toggle_pause(time.monotonic())

    def action_faster(self) -> None:
        """One step up the speed ladder."""
        self.bridge.step_speed(+1, time.monotonic())

    def action_slower(self) -> None:
        """One step down the speed ladder."""
        self.bridge.step_speed(-1, time.monotonic())

    def action_jump(self) -> None:
        """Jump sim time ahead."""
        if self.summary is None:
            self.bridge.jump(JUMP)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The trainee's seat never offers the facilitator's console (hidden, and F2 does nothing).

        Only a game day run by a facilitator (``warroom facilitate``, or the lobby's "start as
        facilitator") toggles between the two consoles on one screen.
        """
        if action == "facilitator":
            return self.facilitating
        if action == "next_view":
            return self.has_class("-narrow")
        return True

    def action_facilitator(self) -> None:
        """Show the facilitator console over this one (F2 toggles back); facilitators only."""
        from tui.screens.facilitator import FacilitatorScreen, LocalFeed

        if self.summary is not None or not self.facilitating:
            return
        screen = FacilitatorScreen(LocalFeed(self.session, self.bridge))
        self.bridge.add_target(screen)
        self.app.push_screen(screen, lambda _: self.bridge.remove_target(screen))

    def action_quit_exercise(self) -> None:
        """Leave the exercise (after confirming)."""
        if self.summary is not None:
            return

        def answered(leave: bool | None) -> None:
            if leave and self.summary is None:
                self._finish("left")

        self.app.push_screen(ConfirmQuit(), answered)

    # ------------------------------------------------------------------ clicks

    def on_alert_picked(self, message: AlertPicked) -> None:
        self.action_acknowledge(message.alert)

    def on_checklist_picked(self, message: ChecklistPicked) -> None:
        item = message.item
        if item == "acknowledge":
            self.action_acknowledge()
        elif item == "severity":
            self.action_severity()
        elif item == "channel":
            self.action_channel()
        elif item == "ic":
            self.action_role()
        elif item == "status_page":
            self._open(self.forms.update("status_page"))

    # ------------------------------------------------------------------ IC actions

    def _open(self, dialog: ActionDialog[CommandT]) -> None:
        if self.summary is None:
            self.app.push_screen(dialog, self._submit)

    def _submit(self, command: Command | None) -> None:
        if command is None or self.summary is not None:
            return
        outcome = self.bridge.submit(command)
        if not outcome.accepted:
            self.notify(
                visible(outcome.reason),
                title=visible(f"Rejected: {command.describe()}", multiline=False),
                severity="error",
                timeout=8,
                markup=False,
            )

    def action_acknowledge(self, alert: str | None = None) -> None:
        """Acknowledge a firing alert."""
        self._open(self.forms.acknowledge(alert))

    def action_severity(self) -> None:
        """Classify the severity."""
        self._open(self.forms.severity())

    def action_declare(self) -> None:
        """Declare the incident."""
        self._open(self.forms.declare())

    def action_channel(self) -> None:
        """Create the incident channel."""
        self._open(self.forms.channel())

    def action_role(self) -> None:
        """Assign a role."""
        self._open(self.forms.role())

    def action_handoff(self) -> None:
        """Hand off incident command."""
        self._open(self.forms.handoff())

    def action_page(self) -> None:
        """Page a rotation or a person."""
        self._open(self.forms.page())

    def action_escalate(self) -> None:
        """Escalate."""
        self._open(self.forms.escalate())

    def action_notify_stakeholder(self) -> None:
        """Notify a stakeholder."""
        self._open(self.forms.notify())

    def action_update(self) -> None:
        """Post an update."""
        self._open(self.forms.update("incident"))

    def action_diagnose(self) -> None:
        """Run or delegate a diagnostic."""
        self._open(self.forms.diagnose())

    def action_mitigate(self) -> None:
        """Apply a mitigation."""
        self._open(self.forms.mitigate())

    def action_resolve(self) -> None:
        """Declare the incident resolved."""
        self._open(self.forms.resolve())

    def action_postmortem(self) -> None:
        """Schedule the postmortem."""
        self._open(self.forms.postmortem())

    def action_note(self) -> None:
        """Add a note to the timeline."""
        self._open(self.forms.note())


def write_reports(
    journal: Path,
    notes: list[str],
    db: Path | None = None,
    *,
    scenario: str | None = None,
    policy: Policy | None = None,
) -> list[tuple[str, Path]]:
    """Write the debrief and postmortem draft beside the journal; problems go to ``notes``.

    ``scenario`` and ``policy`` are the ones the session played (a journal's header path is
    never followed, so a scenario file outside the library is named here)."""
    from reports.writer import write_reports as write

    labels = {
        "debrief.html": "Debrief (open in a browser)",
        "debrief.md": "Debrief (Markdown)",
        "debrief.json": "Debrief (JSON)",
        "postmortem.md": "Postmortem draft",
        "certificate.html": "Certificate",
    }
    try:
        written = write(journal, journal.parent, db=db, scenario=scenario, policy=policy)
    except Exception as exc:  # the results are shown even when a report cannot be written
        notes.append(f"Reports not written: {exc}")
        return []
    return [(labels.get(path.name, path.name), path) for path in written]
