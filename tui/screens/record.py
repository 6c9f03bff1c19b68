"""The trainee's record: certification status, requirements, exercises, quizzes, credits.

The same lines ``warroom trainee NAME`` prints, read from the records database, then "What
counts": each requirement of the policy's certification rules in the policy's own words (what a
shadow shift or a mock incident is), with its source and how a credit is earned
(``assessments.certification.how_earned``). No rule text is written here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from assessments.policy import Policy
from simulator.text import visible
from tui.screens.footer import KeyFooter


def what_counts(policy: Policy) -> Text:
    """Each requirement of ``policy``'s certification rules: its words, source, how to earn it."""
    from assessments.certification import how_earned

    rules = policy.certification_rules
    out = Text()
    out.append("What counts\n", style="bold underline")
    quiz = rules.quiz
    out.append("quiz", style="bold")
    out.append(f": {quiz.says} — {quiz.total} questions; take it from the lobby (ctrl+t)\n")
    out.append(f"  {quiz.source}\n", style="dim")
    for title, credits in (("", rules.practical), ("Recertification", rules.recertification)):
        if title and credits:
            out.append(f"{title}\n", style="bold")
        for c in credits:
            per = f" per {c.per}" if c.per else ""
            out.append(c.kind, style="bold")
            out.append(f" ({c.count}{per}): {c.says}\n")
            out.append(f"  {how_earned(c.kind)}\n")
            out.append(f"  {c.source}\n", style="dim")
    out.rstrip()
    return out


def record_text(db_path: Path | str | None, trainee: str, policy: Policy) -> Text:
    """The trainee's record under ``policy``, or what to do when there is none yet."""
    from assessments.certification import status_of
    from assessments.programme import record_lines
    from assessments.records import Records, RecordsError, resolve_db_path

    path = resolve_db_path(db_path)
    if not path.exists():
        return Text(
            f"No records yet ({path}).\n\nPlay a scenario or take the quiz: each attempt is "
            "recorded here, with what it counts for towards certification."
        )
    try:
        with Records(path) as records:
            if records.trainee(trainee) is None:
                close = records.suggest(trainee)
                hint = f" Did you mean {', '.join(close)}?" if close else ""
                return Text(f"No record for {trainee} yet.{hint}")
            record = records.record(trainee)
    except RecordsError as exc:
        return Text(f"The records cannot be read: {exc}")
    status = status_of(record, policy, datetime.now(UTC).date())
    lines = record_lines(record, status)
    out = Text()
    out.append(visible(lines[0], multiline=False) + "\n", style="bold")
    out.append(visible("\n".join(lines[1:])))
    return out


class RecordScreen(Screen[None]):
    """One trainee's record."""

    BINDINGS: ClassVar[list[Any]] = [Binding("escape,q,enter", "close", "Back")]
    DEFAULT_CSS = """
    RecordScreen #record-title { width: 100%; background: $panel; text-style: bold; padding: 0 1; }
    RecordScreen #record-body { height: 1fr; padding: 1 2; }
    RecordScreen #record-rules { margin-top: 1; }
    """

    def __init__(self, trainee: str, policy: Policy, db_path: Path | str | None) -> None:
        """Show ``trainee``'s record under ``policy``."""
        super().__init__()
        self.trainee = trainee
        self.policy = policy
        self.db_path = db_path

    def compose(self) -> ComposeResult:
        yield Label(
            f"Record · {self.trainee} · policy {self.policy.id}", id="record-title", markup=False
        )
        with VerticalScroll(id="record-body"):
            yield Static(record_text(self.db_path, self.trainee, self.policy), id="record-text")
            yield Static(what_counts(self.policy), id="record-rules")
        yield KeyFooter(rows=1, narrow_rows=1)

    def action_close(self) -> None:
        """Back to the lobby."""
        self.dismiss(None)
