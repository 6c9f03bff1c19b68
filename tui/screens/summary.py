"""The results screen: how the exercise ended, the assessment, what to work on, and where the
journal, the debrief and the postmortem draft were written.

``summarize`` gathers it all as plain data (no Textual) so it can be tested without a screen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from assessments.assessor import SYMBOLS, Assessment
from simulator.commands import is_facilitator
from simulator.durations import format_clock
from tui.headless.session import Session

ENDINGS = {
    "completed": "Resolved, and the postmortem is scheduled.",
    "time": "Time is up: the exercise reached its end.",
    "facilitator": "The facilitator ended the exercise.",
    "left": "You left the exercise.",
}


@dataclass(frozen=True)
class Summary:
    """What the summary screen shows."""

    title: str
    trainee: str
    policy: str
    reason: str
    """``completed``, ``time``, ``facilitator`` or ``left``."""
    at: float
    """Sim time it ended."""
    facts: tuple[tuple[str, str], ...]
    accepted: int
    rejected: int
    journal: Path | None
    level: str = ""
    """The level the run was graded at (the one the scenario calls for)."""
    score: float | None = None
    passed: bool | None = None
    criteria: tuple[tuple[str, str, str], ...] = ()
    """(title, status, detail) of each criterion."""
    work_on: tuple[str, ...] = ()
    """What to practise next, from the failed criteria and the anti-patterns seen."""
    files: tuple[tuple[str, Path], ...] = ()
    """(what, path) of every file written: journal, debrief, postmortem draft …"""
    notes: tuple[str, ...] = ()
    """Where the attempt was recorded, or why not; how to resume a session left early."""
    critical: str = ""
    """The critical failure that decided the result, in words (empty: none)."""


def summarize(session: Session, reason: str) -> Summary:
    """The summary of ``session``, ended for ``reason``."""
    st = session.snapshot()
    names = {r.id: r.name for r in st.responders}
    labels = {m.id: m.label for m in session.scenario.mitigations}

    def when(t: float | None) -> str:
        return format_clock(t) if t is not None else "—"

    ic = st.role("ic")
    facts = (
        ("Severity", f"{st.severity or '—'} (the scenario expects {session.expected_level.name})"),
        ("Declared", when(st.declared_at)),
        ("Channel", st.channel or "—"),
        ("IC", "you" if ic == "me" else names.get(ic or "", ic or "—")),
        (
            "Mitigations",
            ", ".join(f"{labels.get(m, m)} {when(t)}" for m, t in st.mitigations_applied) or "—",
        ),
        ("Resolved", when(st.resolved_at)),
        ("Postmortem", "scheduled" if st.postmortem_at is not None else "—"),
    )
    trainee_actions = [a for a in st.actions if not is_facilitator(a[1])]
    summary = Summary(
        title=session.scenario.title,
        trainee=session.trainee,
        policy=session.policy.name,
        reason=reason,
        at=st.t,
        facts=facts,
        accepted=len(trainee_actions),
        rejected=session.rejected,
        journal=session.journal_path,
    )
    assessment = session.assessment(final=True)
    return replace(
        summary,
        level=assessment.level,
        score=assessment.score,
        passed=assessment.passed,
        criteria=tuple((c.title, c.status, c.detail) for c in assessment.criteria),
        work_on=work_on(assessment),
        critical=(
            f"critical failure ({assessment.decided_by.id.replace('_', ' ')}): "
            f"{assessment.decided_by.detail}"
            if assessment.decided_by is not None
            else ""
        ),
    )


def work_on(assessment: Assessment) -> tuple[str, ...]:
    """What to practise next: the debrief's list (failed criteria with the training module's
    advice, harmful and wasted mitigations, anti-patterns, refused actions)."""
    from reports.views import to_improve

    out = []
    for item in to_improve(assessment, None):
        line = f"{item['title']}: {item['detail']}"
        if item.get("practise"):
            line += f" — {item['practise']}"
        out.append(line)
    return tuple(out)


class SummaryScreen(Screen[None]):
    """How the exercise went, in brief."""

    CSS_PATH = "summary.tcss"
    BINDINGS: ClassVar[list[Any]] = [
        Binding("enter,escape,q", "close", "Close"),
    ]

    def __init__(self, summary: Summary) -> None:
        """Show ``summary``."""
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        s = self.summary
        with Vertical(id="summary"):
            yield Label(f"Exercise over · {s.title}", id="summary-title", markup=False)
            yield Label(
                f"{ENDINGS.get(s.reason, s.reason)} ({format_clock(s.at)})",
                id="ending",
                classes=f"-{s.reason}",
            )
            with VerticalScroll(id="summary-body"):
                yield Static(self._facts(), id="facts")
                if s.score is not None:
                    yield Static(self._score(), id="score-table")
                if s.work_on:
                    yield Static(self._work_on(), id="work-on")
                elif s.passed:
                    yield Static(
                        Text("Nothing to work on: every criterion passed.", style="bold"),
                        id="work-on",
                    )
                yield Static(self._files(), id="files")
        yield Footer(show_command_palette=False)

    def _facts(self) -> Table:
        s = self.summary
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row("Trainee", s.trainee)
        grid.add_row("Policy", s.policy)
        for key, value in s.facts:
            grid.add_row(key, value)
        grid.add_row("Actions", f"{s.accepted} accepted, {s.rejected} rejected")
        return grid

    def _score(self) -> Table:
        s = self.summary
        verdict = "PASSED" if s.passed else "NOT PASSED"
        if s.critical:
            verdict += f": {s.critical}"
        table = Table(
            title=Text(f"Assessment at {s.level}: {s.score or 0:.0%} · {verdict}", style="bold"),
            title_justify="left",
            expand=True,
        )
        # The criterion wraps before the detail shrinks below a readable width (80 columns).
        table.add_column("Criterion")
        table.add_column("Result", no_wrap=True)
        table.add_column("Detail", ratio=1, min_width=28)
        for cid, status, detail in s.criteria:
            table.add_row(cid, f"{SYMBOLS.get(status, '?')} {status.replace('_', ' ')}", detail)
        return table

    def _work_on(self) -> Text:
        out = Text()
        out.append("What to work on\n", style="bold underline")
        for line in self.summary.work_on:
            out.append(f"→ {line}\n")
        return out

    def _files(self) -> Text:
        s = self.summary
        out = Text()
        files = list(s.files)
        if s.journal is not None and not any(p == s.journal for _, p in files):
            files.insert(0, ("Journal", s.journal))
        for what, path in files:
            out.append(f"{what}: ", style="bold")
            out.append(f"{path}\n")
        for note in s.notes:
            out.append(f"{note}\n", style="dim")
        return out

    def action_close(self) -> None:
        """Back to the lobby (or out of the app when there is none)."""
        self.dismiss(None)
