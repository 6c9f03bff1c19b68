"""The console's widgets: status bar, alerts, metric charts, timeline, checklist, incident, team.

Each widget is given plain data by its screen (attributes down) and reports clicks with a
message (messages up); none of them touches the engine. Reusable defaults live in
``DEFAULT_CSS``; the console's layout and state colours are in ``console.tcss``. State is
always written out as a word or an icon beside any colour, so the screen reads the same with
``NO_COLOR=1``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label, RichLog, Static

from assessments.assessor import SYMBOLS
from simulator import events as ev
from simulator.durations import format_clock
from simulator.text import visible
from simulator.transcript import PACE, describe
from tui.headless.views import (
    AlertView,
    ChecklistItem,
    ConsoleView,
    MetricSpec,
    breaches,
    format_value,
    sparkline,
)
from tui.headless.words import ROLE_SHORT, Words
from tui.screens.messages import AlertPicked, ChecklistPicked

NARROW = 100
"""Below this many columns the console hides its right-hand column and the dialogs stack
their help pane under the form."""

STATUS_WORDS = {
    "detecting": "DETECTING",
    "declared": "DECLARED",
    "mitigating": "MITIGATING",
    "resolved": "RESOLVED",
}


def speed_text(speed: float) -> str:
    """``60x``, ``0.5x``."""
    return f"{speed:g}x"


class StatusBar(Horizontal):
    """The console's top line: scenario, clocks, severity badge, status, speed, pause."""

    DEFAULT_CSS = """
    StatusBar { height: 1; }
    StatusBar > Label { padding: 0 1; height: 1; }
    StatusBar > #title { width: 1fr; text-overflow: ellipsis; text-wrap: nowrap; }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        """Show ``title`` on the left."""
        super().__init__(id=id)
        self._title = title
        self._last: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Label(visible(self._title, multiline=False), id="title", markup=False)
        yield Label("", id="clock")
        yield Label("", id="severity", markup=False)
        yield Label("", id="status")
        yield Label("", id="speed")
        yield Label("", id="paused")

    def show(self, view: ConsoleView) -> None:
        """Show the view's clock, severity, status, speed and pause state."""
        self.query_one("#clock", Label).update(f"{view.clock}  {view.world} UTC")
        key = (view.severity, view.severity_class, view.status, view.speed, view.paused, view.ended)
        if key == self._last:
            return
        self._last = key
        severity = self.query_one("#severity", Label)
        severity.update(
            f"■ {view.severity} · {view.severity_class}"
            if view.severity and view.severity_class
            else f"■ {view.severity}"
            if view.severity
            else "□ severity unset"
        )
        for cls in ("critical", "high", "medium", "low", "info", "unset"):
            severity.set_class(cls == (view.severity_class or "unset"), f"-{cls}")
        status = self.query_one("#status", Label)
        status.update(STATUS_WORDS[view.status])
        for word in STATUS_WORDS:
            status.set_class(word == view.status, f"-{word}")
        self.query_one("#speed", Label).update(speed_text(view.speed))
        paused = self.query_one("#paused", Label)
        if view.ended:
            paused.update("■ ENDED")
        else:
            paused.update("⏸ PAUSED" if view.paused else "▶ LIVE")
        paused.set_class(view.paused or bool(view.ended), "-paused")


class AlertRow(Static):
    """One alert: icon, state word, name; click to acknowledge."""

    def __init__(self, alert: AlertView) -> None:
        """Show ``alert``."""
        super().__init__(classes="alert-row")
        self.alert = alert
        self.show(alert)

    def show(self, alert: AlertView) -> None:
        """Show the alert's current state."""
        self.alert = alert
        line = Text()
        line.append(f"{alert.icon} {alert.word:<8} ", style="bold")
        line.append(alert.id)
        self.update(line)
        self.tooltip = f"{alert.rule} ({alert.severity})"
        for state in ("inactive", "pending", "firing", "acknowledged", "resolved"):
            self.set_class(state == alert.state, f"-{state}")

    def on_click(self, event: events.Click) -> None:
        self.post_message(AlertPicked(self.alert.id))


class AlertsPanel(Vertical):
    """Every alert rule with its state."""

    DEFAULT_CSS = """
    AlertsPanel { height: auto; }
    AlertsPanel > AlertRow { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, alerts: Sequence[AlertView], *, id: str | None = None) -> None:
        """Show ``alerts`` (one row each, in scenario order)."""
        super().__init__(id=id)
        self._alerts = tuple(alerts)
        self.border_title = "Alerts"

    def compose(self) -> ComposeResult:
        for alert in self._alerts:
            yield AlertRow(alert)

    def show(self, alerts: Iterable[AlertView]) -> None:
        """Update every row."""
        rows = {row.alert.id: row for row in self.query(AlertRow)}
        for alert in alerts:
            row = rows.get(alert.id)
            if row is not None and row.alert != alert:
                row.show(alert)


class MetricPanel(Widget):
    """One metric in two lines: name and current value; a sparkline and the alert threshold.

    A single widget that renders its own text (the console has a dozen of these, and a
    screen resumes faster with fewer widgets to lay out).
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"metric--value", "metric--bars", "metric--threshold"}
    DEFAULT_CSS = """
    MetricPanel { height: 2; }
    MetricPanel > .metric--value { text-style: bold; }
    MetricPanel > .metric--bars { color: $primary; }
    MetricPanel > .metric--threshold { color: $text-muted; }
    """

    HISTORY = 72
    """Samples kept (6 minutes at the usual 5-second interval)."""

    def __init__(self, spec: MetricSpec) -> None:
        """Chart the metric ``spec`` describes."""
        super().__init__(classes="metric")
        self.spec = spec
        self._samples: deque[float] = deque(maxlen=self.HISTORY)

    @property
    def latest(self) -> float | None:
        """The newest sample."""
        return self._samples[-1] if self._samples else None

    def add_samples(self, values: Iterable[float]) -> None:
        """Append new samples and show the latest."""
        new = list(values)
        if not new:
            return
        self._samples.extend(new)  # a full history keeps its length: count what came, not len
        latest = self.latest
        self.set_class(latest is not None and breaches(self.spec, latest), "-breach")
        self.refresh()

    def render(self) -> RenderableType:
        width = self.size.width
        spec = self.spec
        latest = self.latest
        value = "—" if latest is None else format_value(latest, spec.unit)
        breach = latest is not None and breaches(spec, latest)
        threshold = ""
        if spec.threshold:
            threshold = f" ▲ alert {spec.threshold}" if breach else f" alert {spec.threshold}"
        name_width = max(1, width - len(value) - 1)
        name = spec.name if len(spec.name) <= name_width else spec.name[: name_width - 1] + "…"
        text = Text(no_wrap=True, overflow="crop")
        text.append(name.ljust(name_width) + " ")
        text.append(value, style=self.get_component_rich_style("metric--value"))
        text.append("\n")
        bars = sparkline(list(self._samples), max(0, width - len(threshold)))
        text.append(bars, style=self.get_component_rich_style("metric--bars"))
        text.append(threshold, style=self.get_component_rich_style("metric--threshold"))
        return text


class Timeline(RichLog):
    """The incident timeline: injects, messages, pages, diagnostics, the IC's own actions.

    Rejected actions are shown with the engine's reason. Metric samples, facilitator pacing
    and fault internals are not shown (a trainee cannot see the root cause directly).
    """

    DEFAULT_CSS = """
    Timeline { background: $surface; scrollbar-size-vertical: 1; }
    """

    HIDDEN: ClassVar[frozenset[str]] = frozenset({"metrics", "fault_started", "fault_cleared"})

    CATEGORY_STYLES: ClassVar[dict[str, str]] = {
        "ALERT": "bold red",
        "CHANNEL": "bold cyan",
        "DM": "bold cyan",
        "SRE-TEAM": "bold cyan",
        "PAGER": "bold magenta",
        "SUPPORT": "bold yellow",
        "STATUS": "bold blue",
        "IC": "bold green",
        "IC ✗": "bold red reverse",
        "TEAM": "bold cyan",
        "DIAG": "bold bright_blue",
        "MITIGATE": "bold yellow",
        "CHAIN": "bold red",
        "START": "bold",
        "END": "bold reverse",
    }
    MONO_STYLES: ClassVar[dict[str, str]] = {
        "ALERT": "bold reverse",
        "CHAIN": "bold reverse",
        "IC ✗": "bold reverse",
        "END": "bold reverse",
        "IC": "bold underline",
    }
    """With ``NO_COLOR``: greys make red unreadable, so weight and reverse carry the emphasis."""

    def __init__(self, words: Words | None = None, *, id: str | None = None) -> None:
        """An empty timeline; ``words`` names the scenario's people, roles and values."""
        super().__init__(id=id, wrap=True, min_width=20, auto_scroll=True)
        self.words = words
        self._entries: list[RenderableType] = []
        self.plain: list[str] = []
        """Each shown entry as plain text: ``T+01:05 ALERT APIErrorRateHigh FIRING …``."""
        self._width = 0
        self.border_title = "Timeline"

    def add_events(self, events: Iterable[ev.Event]) -> None:
        """Append every shown event."""
        mono = self.app.no_color
        for event in events:
            entry = self.entry(event, mono=mono, words=self.words)
            if entry is not None:
                said = self.words.event(event) if self.words else describe(event)
                category, text = said or ("", "")
                self.plain.append(f"{format_clock(event.t)} {category} {text}")
                self._entries.append(entry)
                self.write(entry)

    @classmethod
    def entry(
        cls, event: ev.Event, *, mono: bool = False, words: Words | None = None
    ) -> RenderableType | None:
        """How one event reads in the timeline, or ``None`` when it is not shown.

        Args:
            event: The event.
            mono: Style for ``NO_COLOR`` (no colours, only weight and reverse).
            words: The scenario's names (people, roles, units); without, the transcript's ids.
        """
        if event.kind in cls.HIDDEN:
            return None
        if isinstance(event, ev.ActionAccepted | ev.ActionRejected) and (
            event.by != "trainee" or event.command.get("do") in PACE
        ):
            return None  # the facilitator's, or a pace press: the status line shows the pace
        described = words.event(event) if words else describe(event)
        if described is None:
            return None
        category, text = visible(described[0], multiline=False), visible(described[1])
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column(no_wrap=True, width=8)
        grid.add_column(ratio=1, overflow="fold")
        body = Text(text)
        if isinstance(event, ev.ActionRejected):
            body.highlight_words(["rejected:"], style="bold red")
        styles = cls.MONO_STYLES if mono else cls.CATEGORY_STYLES
        grid.add_row(
            format_clock(event.t), Text(category, style=styles.get(category, "bold")), body
        )
        return grid

    def on_resize(self, event: events.Resize) -> None:
        width = event.size.width
        if self._width and width != self._width:
            self.rewrite()
        self._width = width

    def rewrite(self) -> None:
        """Lay every entry out again at the current width (after a resize, or after being
        hidden: what was written meanwhile was wrapped at the minimum width)."""
        self.clear()
        for entry in self._entries:
            self.write(entry)


class ChecklistRow(Static):
    """One first action: tick box, number, label, when it was done."""

    def __init__(self, number: int, item: ChecklistItem) -> None:
        """Show ``item`` as first action ``number``."""
        super().__init__(classes="check-row")
        self.number = number
        self.item = item
        self.show(item)

    def show(self, item: ChecklistItem) -> None:
        """Show whether (and when) it was done."""
        self.item = item
        done = item.done_at is not None
        line = Text()
        line.append("✔ " if done else "☐ ", style="bold")
        line.append(f"{self.number}. {item.label}")
        self.update(line)
        self.tooltip = f"done at {format_clock(item.done_at)}" if item.done_at is not None else None
        self.set_class(done, "-done")

    def on_click(self, event: events.Click) -> None:
        self.post_message(ChecklistPicked(self.item.id))


class Checklist(Vertical):
    """The Quick Reference Card's first actions, ticking as they happen."""

    DEFAULT_CSS = """
    Checklist { height: auto; }
    Checklist > ChecklistRow { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, items: Sequence[ChecklistItem], *, id: str | None = None) -> None:
        """Show ``items`` in order."""
        super().__init__(id=id)
        self._items = tuple(items)
        self.border_title = "First actions"

    def compose(self) -> ComposeResult:
        for number, item in enumerate(self._items, start=1):
            yield ChecklistRow(number, item)

    def show(self, items: Iterable[ChecklistItem]) -> None:
        """Tick what has been done."""
        for row, item in zip(self.query(ChecklistRow), items, strict=False):
            if row.item != item:
                row.show(item)


class IncidentPanel(Static):
    """The incident's facts: channel, roles, the IC's own task, mitigations, team."""

    def __init__(self, trainee: str, *, id: str | None = None) -> None:
        """Facts about ``trainee``'s incident."""
        super().__init__(id=id)
        self._trainee = trainee
        self._last: tuple[object, ...] | None = None
        self.border_title = "Incident"

    def show(self, view: ConsoleView) -> None:
        """Show the view's channel, roles, IC task, mitigations and responders."""
        key = (
            view.channel,
            view.roles,
            view.ic_busy_with,
            view.mitigations_running,
            view.mitigations_applied,
            view.responders,
        )
        if key == self._last:
            return
        self._last = key
        self.update(self.render_view(view))
        self.set_class(bool(view.ic_busy_with), "-heads-down")

    def render_view(self, view: ConsoleView) -> Text:
        """The panel's content for ``view`` (names from data with controls shown visibly)."""
        names = {r.id: r.name for r in view.responders}
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(
            f"{one(view.channel)}\n" if view.channel else "No incident channel yet\n", style="bold"
        )
        roles = dict(view.roles)
        rows: list[tuple[str, str]] = []
        for role, label in ROLE_SHORT.items():
            person = roles.get(role)
            shown = f"you ({self._trainee})" if person == "me" else names.get(person or "", person)
            rows.append((label, shown or "—"))
        for label, value in rows:
            out.append(f"{label:<10}", style="bold")
            out.append(f"{one(value)}\n")
        if view.ic_busy_with:
            out.append(
                f"⚠ You are heads-down: {one(view.ic_busy_with)} until "
                f"{format_clock(view.ic_busy_until)}\n",
                style="bold",
            )
        for label, eta in view.mitigations_running:
            out.append(f"⟳ {one(label)} (done {format_clock(eta)})\n")
        for label in view.mitigations_applied:
            out.append(f"✓ {one(label)}\n")
        out.append("Team\n", style="bold underline")
        for r in view.responders:
            icon = {"free": "●", "busy": "◐", "paged": "◌", "away": "○"}[r.state]
            out.append(f"{icon} {one(r.name)} ", style="bold")
            out.append(f"busy: {one(r.busy_with)}" if r.busy_with else r.state)
            out.append(f" · {one(r.role)}\n", style="dim")
        out.rstrip()
        return out


def one(text: str) -> str:
    """Text from data on one line, its control characters written out visibly."""
    return visible(text, multiline=False)


class ScorePanel(Static):
    """The live assessor's criteria as they stand."""

    def __init__(self, *, id: str | None = None) -> None:
        """An empty score panel."""
        super().__init__(id=id)
        self.border_title = "Live score"

    def show(
        self,
        score: float,
        passed: bool,
        criteria: Iterable[tuple[str, str, str]],
        waiting: Iterable[str] = (),
        *,
        level: str | None = None,
    ) -> None:
        """Show the score, each criterion (``(title, status, detail)``), and who is still to be
        notified or paged.

        A failed criterion says why in the assessor's words (``named #ops; the convention
        is …``), so a channel opened on time but misnamed does not read as late. ``level``:
        the trainee's own classification the score is judged by (their console's view), said
        in the title.
        """
        self.border_title = "Live score" if level is None else f"Live score · as {one(level)}"
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(f"{score:.0%} · {'passing' if passed else 'not passing yet'}", style="bold")
        for title, status, detail in criteria:
            out.append(f"\n{SYMBOLS.get(status, '?')} {title}")
            if status == "failed":
                out.append(f": {detail}", style="bold")
            elif status == "not_applicable":
                out.append(" (not applicable)", style="dim")
        due = list(waiting)
        if due:
            out.append("\nstill due:", style="bold")
        for who in due:
            out.append(f"\n→ {who}")
        self.update(out)

    def unclassified(self, titles: Iterable[str]) -> None:
        """The trainee's view before they classify: what will be judged, and that the rules it
        is judged by follow the level they choose."""
        self.border_title = "Live score"
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append("severity not classified yet", style="bold")
        out.append("\nscored at the level you pick")
        for title in titles:
            out.append(f"\n{SYMBOLS['pending']} {title}")
        self.update(out)
