"""The debrief's timeline chart: one inline SVG, no script, no network.

Over sim time, stacked lanes sharing one x axis:

- faults and mitigations as spans (what was broken, what was being done about it);
- one panel per alerted metric: its line, the alert threshold (dashed) and the stretches
  while the alert was firing;
- deadline bars for the criteria timed from the first alert (``views.DEADLINES``): the bar
  runs to the limit, a mark shows when the trainee did it, red when late or never;
- trainee actions as numbered markers (the numbers are the timeline table's ``#`` column) and
  injects as diamonds.

Colours come from CSS classes (``c-…``) that the page styles for light, dark and print, so the
SVG itself holds no colour. All text is escaped here.

This module draws; it must not read files or import the screen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from reports.views import ACTION_LABELS, DEADLINES, Session, incident_start
from simulator import events as ev
from simulator.durations import format_duration
from simulator.model import Scenario

__all__ = ["timeline_chart"]

WIDTH = 760
LEFT = 92
RIGHT = 14
PANEL = 74
LANE = 16
MAX_POINTS = 400
ROWS = 4
"""Rows the action numbers are staggered over."""


def _nice_step(span: float) -> float:
    for step in (60, 120, 300, 600, 900, 1800, 3600, 7200):
        if span / step <= 8:
            return float(step)
    return 14400.0


def _tick_label(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes >= 60:
        return f"{minutes // 60}h{minutes % 60:02d}"
    return f"{minutes}m"


def _downsample(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Keep the shape: the minimum and the maximum of each bucket, in time order."""
    if len(points) <= MAX_POINTS:
        return list(points)
    size = math.ceil(len(points) / (MAX_POINTS // 2))
    out: list[tuple[float, float]] = []
    for i in range(0, len(points), size):
        bucket = points[i : i + size]
        lo = min(bucket, key=lambda p: p[1])
        hi = max(bucket, key=lambda p: p[1])
        out.extend(sorted({lo, hi}))
    return out


class _Svg:
    def __init__(self, end: float, begin: float = 0.0) -> None:
        self.end = max(end, 60.0)
        self.begin = min(begin, 0.0)
        """Negative when the chart shows the run-up before T+0 (a scenario's metric history)."""
        self.parts: list[str] = []

    def x(self, t: float) -> float:
        if self.begin == 0.0:
            return round(LEFT + (WIDTH - LEFT - RIGHT) * min(max(t, 0.0), self.end) / self.end, 1)
        span = self.end - self.begin
        return round(
            LEFT + (WIDTH - LEFT - RIGHT) * (min(max(t, self.begin), self.end) - self.begin) / span,
            1,
        )

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def text(self, x: float, y: float, text: str, cls: str, anchor: str = "start") -> None:
        self.add(
            f'<text x="{x:g}" y="{y:g}" class="{cls}" text-anchor="{anchor}">{escape(text)}</text>'
        )

    def rect(self, x0: float, y: float, x1: float, h: float, cls: str, title: str = "") -> None:
        tip = f"<title>{escape(title)}</title>" if title else ""
        width = max(x1 - x0, 1.5)
        self.add(
            f'<rect x="{x0:g}" y="{y:g}" width="{width:g}" height="{h:g}" class="{cls}">{tip}</rect>'
        )


def _spans(events: Sequence[ev.Event], end: float) -> dict[str, list[tuple[float, float, str]]]:
    faults: dict[str, float] = {}
    fault_titles: dict[str, str] = {}
    mitigations: dict[str, float] = {}
    firing: dict[str, float] = {}
    out: dict[str, list[tuple[float, float, str]]] = {"fault": [], "mitigation": []}
    alerts: dict[str, list[tuple[float, float, str]]] = {}
    for e in events:
        if isinstance(e, ev.FaultStarted):
            faults[e.fault] = e.t
            fault_titles[e.fault] = e.title
        elif isinstance(e, ev.FaultCleared) and e.fault in faults:
            out["fault"].append((faults.pop(e.fault), e.t, fault_titles.get(e.fault, e.fault)))
        elif isinstance(e, ev.MitigationStarted):
            mitigations[e.mitigation] = e.t
        elif isinstance(e, ev.MitigationFinished) and e.mitigation in mitigations:
            out["mitigation"].append(
                (mitigations.pop(e.mitigation), e.t, f"{e.mitigation}: {e.outcome}")
            )
        elif isinstance(e, ev.AlertFiring):
            firing.setdefault(e.alert, e.t)
        elif isinstance(e, ev.AlertResolved) and e.alert in firing:
            alerts.setdefault(e.alert, []).append((firing.pop(e.alert), e.t, e.alert))
    for fault, t in faults.items():
        out["fault"].append((t, end, fault_titles.get(fault, fault)))
    for mitigation, t in mitigations.items():
        out["mitigation"].append((t, end, mitigation))
    for alert, t in firing.items():
        alerts.setdefault(alert, []).append((t, end, alert))
    for alert, spans in alerts.items():
        out[f"alert:{alert}"] = spans
    return out


Rule = tuple[str, str, float]
"""An alert rule on a metric panel: (alert id, operator, threshold)."""


def timeline_chart(session: Session, criteria: Sequence[Mapping[str, Any]]) -> Markup:
    """The chart's SVG markup for one exercise.

    Args:
        session: The graded exercise.
        criteria: The debrief's criterion rows (``id``, ``status``, ``measured_s``,
            ``limit_s``, ``title``).
    """
    events = session.journal.events
    end, busy, shown_end = _extent(events)
    metrics = _alerted_metrics(session.scenario)
    series = _series(events, [metric for metric, _ in metrics])
    earliest = min((p[0] for points in series.values() for p in points[:1]), default=0.0)
    svg = _Svg(shown_end * 1.03, max(earliest, -shown_end / 2))
    series = {m: [p for p in points if p[0] >= svg.begin] for m, points in series.items()}
    spans = _spans(events, svg.end)
    start = incident_start(session)
    names = session.scenario.metric_ids()

    y = _span_lanes(svg, spans, 6.0)
    for metric, rules in metrics:
        y = _metric_panel(svg, names.get(metric, (metric, "")), rules, series[metric], spans, y)
    y = _deadline_bars(svg, criteria, start, y)
    y = _action_markers(svg, events, y)
    y = _inject_markers(svg, events, y)
    y = _axis(svg, start, y)
    note = "sim time from the start of the exercise"
    if shown_end < end:
        note += f"; nothing happened after {format_duration(busy)}, the exercise ran to {format_duration(end)}"
    svg.text(WIDTH - RIGHT, y + 26, note, "c-small", "end")
    return _document(svg, height=y + 32)


def _extent(events: Sequence[ev.Event]) -> tuple[float, float, float]:
    """(end of the exercise, last time anything but a sample happened, end of the x axis).

    A long quiet tail is cut to 10% past the last happening plus two minutes.
    """
    end = events[-1].t if events else 60.0
    busy = max(
        (e.t for e in events if not isinstance(e, ev.MetricsSampled | ev.ScenarioEnded)),
        default=end,
    )
    return end, busy, min(end, busy * 1.1 + 120)


def _alerted_metrics(scenario: Scenario) -> list[tuple[str, list[Rule]]]:
    """Each metric an alert watches, in the order first alerted, with its alert rules."""
    metrics: list[tuple[str, list[Rule]]] = []
    for rule in scenario.alerts:
        for metric, rules in metrics:
            if metric == rule.metric:
                rules.append((rule.id, rule.op, rule.threshold))
                break
        else:
            metrics.append((rule.metric, [(rule.id, rule.op, rule.threshold)]))
    return metrics


def _series(
    events: Sequence[ev.Event], metrics: Sequence[str]
) -> dict[str, list[tuple[float, float]]]:
    """Each metric's samples as (time, value) points."""
    series: dict[str, list[tuple[float, float]]] = {m: [] for m in metrics}
    for e in events:
        if isinstance(e, ev.MetricHistory):
            for metric, points in series.items():
                points.extend((t, v) for t, v in e.series.get(metric, ()))
        elif isinstance(e, ev.MetricsSampled):
            for metric, points in series.items():
                value = e.values.get(metric)
                if value is not None:
                    points.append((e.t, value))
    return series


def _span_lanes(svg: _Svg, spans: Mapping[str, list[tuple[float, float, str]]], y: float) -> float:
    """The faults and mitigations lanes; returns the y below them."""
    for label, key, cls in (
        ("faults", "fault", "c-fault"),
        ("mitigations", "mitigation", "c-mitig"),
    ):
        svg.text(LEFT - 6, y + 11, label, "c-label", "end")
        for t0, t1, title in spans[key]:
            svg.rect(svg.x(t0), y + 2, svg.x(t1), LANE - 4, cls, title)
        y += LANE
    return y + 6


def _metric_panel(
    svg: _Svg,
    name_unit: tuple[str, str],
    rules: Sequence[Rule],
    points: Sequence[tuple[float, float]],
    spans: Mapping[str, list[tuple[float, float, str]]],
    top: float,
) -> float:
    """One metric's panel: firing stretches, label, scale, thresholds, the line; returns the y
    below it."""
    name, unit = name_unit
    values = [v for _, v in points] + [threshold for _, _, threshold in rules]
    hi = max(values) if values else 1.0
    lo = min(0.0, *values) if values else 0.0
    hi = hi * 1.1 if hi > 0 else 1.0
    span = hi - lo or 1.0

    def py(value: float) -> float:
        return round(top + PANEL - (value - lo) / span * PANEL, 1)

    svg.rect(LEFT, top, WIDTH - RIGHT, PANEL, "c-panel")
    for alert_id, _, _ in rules:
        for t0, t1, title in spans.get(f"alert:{alert_id}", []):
            svg.rect(svg.x(t0), top, svg.x(t1), PANEL, "c-firing", f"{title} firing")
    label = f"{name} ({unit})" if unit else name
    svg.text(LEFT + 5, top + 12, _clip(label, 60), "c-label c-inpanel")
    svg.text(LEFT - 6, top + 9, _number(hi), "c-small", "end")
    svg.text(LEFT - 6, top + PANEL, f"{lo:g}", "c-small", "end")
    for alert_id, op, threshold in rules:
        ty = py(threshold)
        svg.add(
            f'<line x1="{LEFT}" y1="{ty:g}" x2="{WIDTH - RIGHT}" y2="{ty:g}" '
            f'class="c-threshold"><title>{escape(f"{alert_id}: {op} {threshold:g}")}'
            "</title></line>"
        )
        svg.text(WIDTH - RIGHT - 2, ty - 3, f"{alert_id} {op} {threshold:g}", "c-small", "end")
    if points:
        path = " ".join(f"{svg.x(t):g},{py(v):g}" for t, v in _downsample(points))
        svg.add(f'<polyline points="{path}" class="c-line"/>')
    return top + PANEL + 6


def _deadline_bars(
    svg: _Svg, criteria: Sequence[Mapping[str, Any]], start: float, y: float
) -> float:
    """A bar to each timed criterion's limit and a mark when it was done (red: late or never);
    returns the y below them."""
    timed = [c for c in criteria if c["id"] in DEADLINES and c["limit_s"] is not None]
    if not timed:
        return y
    y += 2
    for c in timed:
        limit = float(c["limit_s"])
        svg.text(LEFT - 6, y + 11, _short(c["id"]), "c-label", "end")
        svg.rect(
            svg.x(start),
            y + 5,
            svg.x(start + limit),
            LANE - 10,
            "c-deadline",
            f"{c['title']}: limit {format_duration(limit)} after the first alert",
        )
        late = c["status"] == "failed"
        cls = "c-bad" if late else "c-ok"
        if c["measured_s"] is not None:
            at = svg.x(start + float(c["measured_s"]))
            tip = f"{c['title']}: {format_duration(float(c['measured_s']))} ({c['status']})"
            svg.add(
                f'<circle cx="{at:g}" cy="{y + LANE / 2:g}" r="4.5" class="{cls}">'
                f"<title>{escape(tip)}</title></circle>"
            )
        elif late:
            svg.text(
                min(svg.x(start + limit) + 4, WIDTH - RIGHT - 30),
                y + 11,
                "never",
                "c-bad-text",
            )
        y += LANE
    return y + 4


def _action_markers(svg: _Svg, events: Sequence[ev.Event], y: float) -> float:
    """The trainee's actions, numbered, labels staggered over ``ROWS`` rows; returns the y
    below them."""
    svg.text(LEFT - 6, y + 11, "your actions", "c-label", "end")
    number = 0
    row_end = [0.0] * ROWS
    for e in events:
        if isinstance(e, ev.ActionAccepted | ev.ActionRejected) and e.by == "trainee":
            number += 1
            x = svg.x(e.t)
            free = [i for i in range(ROWS) if row_end[i] <= x]
            row = free[0] if free else min(range(ROWS), key=lambda i: row_end[i])
            label_x = max(x + 1.5, row_end[row])
            row_end[row] = label_x + 6 * len(str(number)) + 3
            cls = "c-action" if isinstance(e, ev.ActionAccepted) else "c-rejected"
            do = str(e.command.get("do", "?"))
            tip = f"#{number} {format_duration(e.t)}: {ACTION_LABELS.get(do, do)}"
            svg.add(
                f'<line x1="{x:g}" y1="{y + 1:g}" x2="{x:g}" y2="{y + ROWS * 12 + 2:g}" '
                f'class="{cls}"><title>{escape(tip)}</title></line>'
            )
            svg.text(round(label_x, 1), y + 10 + row * 12, str(number), "c-num")
    return y + ROWS * 12 + 6


def _inject_markers(svg: _Svg, events: Sequence[ev.Event], y: float) -> float:
    """Injects as diamonds (the facilitator's in their own class); returns the y below."""
    svg.text(LEFT - 6, y + 11, "injects", "c-label", "end")
    for e in events:
        if isinstance(e, ev.InjectDelivered):
            x = svg.x(e.t)
            cy = y + LANE / 2
            tip = f"{format_duration(e.t)} {e.sender}: {_clip(e.text, 80)}"
            cls = "c-inject-f" if e.source == "facilitator" else "c-inject"
            svg.add(
                f'<path d="M{x:g} {cy - 5:g} L{x + 5:g} {cy:g} L{x:g} {cy + 5:g} L{x - 5:g} {cy:g} Z" '
                f'class="{cls}"><title>{escape(tip)}</title></path>'
            )
    return y + LANE + 4


def _axis(svg: _Svg, start: float, y: float) -> float:
    """Grid lines and tick labels down to ``y``, and the incident's start; returns ``y``."""
    step = _nice_step(svg.end)
    tick = 0.0
    while tick <= svg.end + 1e-6:
        x = svg.x(tick)
        svg.add(f'<line x1="{x:g}" y1="4" x2="{x:g}" y2="{y:g}" class="c-grid"/>')
        svg.text(x, y + 12, _tick_label(tick), "c-small", "middle")
        tick += step
    tick = -step
    while tick >= svg.begin - 1e-6:
        x = svg.x(tick)
        svg.add(f'<line x1="{x:g}" y1="4" x2="{x:g}" y2="{y:g}" class="c-grid"/>')
        svg.text(x, y + 12, "-" + _tick_label(-tick), "c-small", "middle")
        tick -= step
    if start > 0:
        x = svg.x(start)
        svg.add(f'<line x1="{x:g}" y1="4" x2="{x:g}" y2="{y:g}" class="c-start"/>')
    return y


def _document(svg: _Svg, *, height: float) -> Markup:
    """The drawn parts in one ``<svg>`` element."""
    body = "".join(svg.parts)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:g}" width="100%" role="img" '
        f'aria-label="Timeline chart of metrics, alerts, deadlines and actions" '
        f'xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(criterion: str) -> str:
    return {
        "ack_alert": "ack ≤",
        "create_channel": "channel ≤",
        "assign_ic": "IC ≤",
        "status_page": "status page ≤",
        "mitigation": "mitigated ≤",
    }.get(criterion, criterion)
