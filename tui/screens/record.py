"""The trainee's record: certification status, requirements, exercises, quizzes, credits.

The same lines ``warroom trainee NAME`` prints, read from the records database.
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
from tui.screens.widgets import KeyFooter


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
    out.append(lines[0] + "\n", style="bold")
    out.append("\n".join(lines[1:]))
    return out


class RecordScreen(Screen[None]):
    """One trainee's record."""

    BINDINGS: ClassVar[list[Any]] = [Binding("escape,q,enter", "close", "Back")]
    DEFAULT_CSS = """
    RecordScreen #record-title { width: 100%; background: $panel; text-style: bold; padding: 0 1; }
    RecordScreen #record-body { height: 1fr; padding: 1 2; }
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
        yield KeyFooter(rows=1, narrow_rows=1)

    def action_close(self) -> None:
        """Back to the lobby."""
        self.dismiss(None)
