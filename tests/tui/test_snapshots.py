"""SVG snapshots of the lobby, the console, every IC dialog and the summary.

Deterministic by construction: seed 1, the clock paused from the start, sim time moved only
through the bridge to a fixed time, a fixed terminal size. Each guards the layout of one
screen against regressions (a wrapped Footer, a severity badge without its word, a dialog
that no longer fits at 80x24).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Static

from simulator import commands as cmd
from tests.tui.conftest import SIZE, DialogHost, advance_to, console, console_app, forms_at, pick
from tui.app import make_app
from tui.screens.dialogs.confirm import ConfirmQuit
from tui.screens.forms import Forms
from tui.screens.summary import Summary, SummaryScreen

Snap = Callable[..., bool]
NARROW = (80, 24)


def at(seconds: float, *commands: Any) -> Callable[..., Any]:
    """A ``run_before`` for the console: jump to ``seconds``, then submit ``commands``."""

    async def run(pilot: Pilot[Any]) -> None:
        await advance_to(pilot, seconds)
        bridge = console(pilot.app).bridge  # type: ignore[arg-type]
        for command in commands:
            assert bridge.submit(command).accepted
        await pilot.pause()

    return run


TAKEN_COMMAND = (
    cmd.Acknowledge(alert="APIErrorRateHigh"),
    cmd.Classify(severity="SEV-2"),
    cmd.Declare(title="API outage - 45% of requests failing"),
    cmd.CreateChannel(name="#incident-2026-01-30-1515"),
    cmd.AssignRole(role="ic", person="me"),
    cmd.Page(target="primary"),
    cmd.Page(target="dana"),
    cmd.Delegate(diagnostic="check-api-logs", responder="bob"),
)
"""The first two minutes of an expert's play (at T+02:00)."""


# --------------------------------------------------------------------------- lobby


def test_the_lobby(snap_compare: Snap, journal_dir: Path) -> None:
    assert snap_compare(make_app(journal_dir=journal_dir), terminal_size=SIZE)


def test_the_lobby_at_80x24_puts_details_under_the_table(
    snap_compare: Snap, journal_dir: Path
) -> None:
    assert snap_compare(make_app(journal_dir=journal_dir), terminal_size=NARROW)


# --------------------------------------------------------------------------- console


def test_the_console_when_the_first_alert_has_fired(snap_compare: Snap, journal_dir: Path) -> None:
    assert snap_compare(console_app(journal_dir), terminal_size=SIZE, run_before=at(120))


def test_the_console_after_the_first_actions_ticks_the_checklist(
    snap_compare: Snap, journal_dir: Path
) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await at(120, *TAKEN_COMMAND)(pilot)
        await advance_to(pilot, 300)

    assert snap_compare(console_app(journal_dir), terminal_size=SIZE, run_before=run)


def test_the_console_at_80x24_keeps_alerts_checklist_and_timeline(
    snap_compare: Snap, journal_dir: Path
) -> None:
    assert snap_compare(
        console_app(journal_dir), terminal_size=NARROW, run_before=at(120, *TAKEN_COMMAND[:3])
    )


# --------------------------------------------------------------------------- dialogs
# Each dialog is shown on a bare app, built by ``Forms`` from a session at a fixed sim time
# exactly as the console builds it; and over the console itself at 80x24, where the panel
# docks right of the console's left column (the clock, alerts and metrics stay in sight).

DIALOGS: list[tuple[str, float, tuple[Any, ...], Callable[[Forms], Any], tuple[Any, ...]]] = [
    ("acknowledge", 120, (), Forms.acknowledge, ()),
    ("severity", 120, (), Forms.severity, (("#severity", "SEV-2"),)),
    ("declare", 120, (cmd.Classify(severity="SEV-2"),), Forms.declare, ()),
    ("channel", 120, (), Forms.channel, ()),
    ("role", 120, (), Forms.role, ()),
    ("handoff", 120, (cmd.AssignRole(role="ic", person="me"),), Forms.handoff, ()),
    ("page", 120, (cmd.Classify(severity="SEV-2"), cmd.Page(target="primary")), Forms.page, ()),
    ("escalate", 120, (), Forms.escalate, ()),
    ("notify", 120, (cmd.Classify(severity="SEV-2"),), Forms.notify, ()),
    ("update", 120, TAKEN_COMMAND, Forms.update, ()),
    ("update-with-blanks", 120, TAKEN_COMMAND, Forms.update, ("ctrl+s",)),
    ("diagnostics", 120, (), Forms.diagnose, (("#diagnostic", "API error"),)),
    ("diagnostics-myself", 120, (), Forms.diagnose, (("#who", "myself"),)),
    ("mitigation", 300, (), Forms.mitigate, (("#mitigation", "Restart the ML"),)),
    ("resolve", 120, (), Forms.resolve, ()),
    ("postmortem", 120, (), Forms.postmortem, ()),
    ("note", 120, (), Forms.note, ()),
]


def steps(actions: tuple[Any, ...]) -> Callable[..., Any]:
    """A ``run_before`` that picks options (``(selector, label)``) and presses keys."""

    async def run(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        for action in actions:
            if isinstance(action, tuple):
                await pick(pilot, *action)
            else:
                await pilot.press(action)
        await pilot.pause()

    return run


@pytest.mark.parametrize(
    ("seconds", "commands", "build", "actions"),
    [d[1:] for d in DIALOGS],
    ids=[d[0] for d in DIALOGS],
)
def test_an_ic_dialog(
    snap_compare: Snap,
    journal_dir: Path,
    seconds: float,
    commands: tuple[Any, ...],
    build: Callable[[Forms], Any],
    actions: tuple[Any, ...],
) -> None:
    dialog = build(forms_at(journal_dir, seconds, *commands))
    assert snap_compare(DialogHost(dialog), terminal_size=SIZE, run_before=steps(actions))


@pytest.mark.parametrize(
    ("seconds", "commands", "build", "actions"),
    [d[1:] for d in DIALOGS],
    ids=[d[0] for d in DIALOGS],
)
def test_an_ic_dialog_over_the_console_at_80x24(
    snap_compare: Snap,
    journal_dir: Path,
    seconds: float,
    commands: tuple[Any, ...],
    build: Callable[[Forms], Any],
    actions: tuple[Any, ...],
) -> None:
    """Issue 14 items 3 and 5: the console stays visible; no choice wraps or spills out."""

    async def run(pilot: Pilot[Any]) -> None:
        await at(seconds, *commands)(pilot)
        pilot.app.push_screen(build(console(pilot.app).forms))  # type: ignore[arg-type]
        await steps(actions)(pilot)

    assert snap_compare(console_app(journal_dir), terminal_size=NARROW, run_before=run)


def test_the_quit_confirmation(snap_compare: Snap) -> None:
    assert snap_compare(DialogHost(ConfirmQuit()), terminal_size=SIZE)


# --------------------------------------------------------------------------- summary


class SummaryApp(App[None]):
    """The summary screen alone, with canned results (no journal path from the wall clock)."""

    def __init__(self, summary: Summary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        yield Static("")

    def on_mount(self) -> None:
        self.push_screen(SummaryScreen(self.summary))


def completed_summary() -> Summary:
    """Canned results of a completed exercise."""
    return Summary(
        title="API outage - 45% of requests failing",
        trainee="Ada",
        policy="VirtEngine incident response",
        reason="completed",
        at=27 * 60 + 40,
        facts=(
            ("Severity", "SEV-2 (the scenario expects SEV-2)"),
            ("Channel", "#incident-2026-01-30-1515"),
            ("Resolved", "T+27:30"),
        ),
        accepted=31,
        rejected=1,
        journal=Path("/home/ada/.local/share/warroom/sessions/api-outage.jsonl"),
        level="SEV-2",
        score=10 / 11,
        passed=True,
        criteria=(
            ("First alert acknowledged", "passed", "acknowledged 55s after it fired"),
            ("Incident-channel updates on cadence", "failed", "a 19-minute gap (limit 15m)"),
            ("Postmortem scheduled", "passed", "scheduled within 24h"),
        ),
        work_on=("Incident-channel updates on cadence: a 19-minute gap (limit 15m)",),
        files=(
            ("Journal", Path("/home/ada/.local/share/warroom/sessions/api-outage/journal.jsonl")),
            ("Debrief", Path("/home/ada/.local/share/warroom/sessions/api-outage/debrief.html")),
        ),
        notes=("Recorded in the records of Ada (warroom trainee).",),
    )


def test_the_summary_after_a_completed_exercise(snap_compare: Snap) -> None:
    assert snap_compare(SummaryApp(completed_summary()), terminal_size=SIZE)


def test_the_summary_at_80x24_keeps_the_detail_readable(snap_compare: Snap) -> None:
    """Issue 14 item 5: the results table left Detail about 12 columns at 80x24."""
    assert snap_compare(SummaryApp(completed_summary()), terminal_size=NARROW)


# --------------------------------------------------------------------------- facilitator


def test_the_facilitator_console_beside_a_running_exercise(
    snap_compare: Snap, journal_dir: Path
) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await at(130, *TAKEN_COMMAND[:3])(pilot)

    app = console_app(journal_dir, facilitating=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=run)


def test_the_ad_hoc_inject_dialog(snap_compare: Snap) -> None:
    from tui.screens.facilitator import AdHocInjectDialog

    assert snap_compare(DialogHost(AdHocInjectDialog()), terminal_size=SIZE)


# --------------------------------------------------------------------------- quiz, record


def quiz_app(tmp_path: Path) -> App[Any]:
    return make_app(trainee="Ada", journal_dir=tmp_path, quiz_seed=7, db_path=tmp_path / "r.db")


def test_a_quiz_question(snap_compare: Snap, tmp_path: Path) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        screen = pilot.app.screen
        screen.started = time.monotonic() + 10**6  # type: ignore[attr-defined]  # 00:00
        screen._tick()  # type: ignore[attr-defined]
        await pilot.pause()

    assert snap_compare(quiz_app(tmp_path), terminal_size=SIZE, run_before=run)


def test_the_quiz_results(snap_compare: Snap) -> None:
    from assessments.policy import load_policy
    from assessments.quiz import draw_quiz, grade_quiz, load_bank
    from tui.screens.quiz import QuizResultScreen

    quiz = draw_quiz(load_bank(), load_policy("default"), 7)
    answers = {item.question.id: item.question.answer for item in quiz.items[3:]}
    result = grade_quiz(quiz, answers, trainee="Ada")

    class ResultApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("")

        def on_mount(self) -> None:
            self.push_screen(
                QuizResultScreen(result, elapsed=17 * 60 + 5, note="recorded: quiz for Ada")
            )

    assert snap_compare(ResultApp(), terminal_size=SIZE)


def test_the_console_at_80x24_shows_the_team_and_score_on_v(
    snap_compare: Snap, journal_dir: Path
) -> None:
    """Issue 14 item 5: at 80x24 the Incident/Team panel and Live score were unreachable."""

    async def run(pilot: Pilot[Any]) -> None:
        await at(120, *TAKEN_COMMAND[:3])(pilot)
        await pilot.press("v")  # the incident, team and live score

    assert snap_compare(console_app(journal_dir), terminal_size=NARROW, run_before=run)


def test_the_console_at_80x24_shows_every_metric_on_v_v(
    snap_compare: Snap, journal_dir: Path
) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await at(120, *TAKEN_COMMAND[:3])(pilot)
        await pilot.press("v", "v")  # every metric at full width

    assert snap_compare(console_app(journal_dir), terminal_size=NARROW, run_before=run)
