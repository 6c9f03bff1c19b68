"""The one Jinja2 environment and ``render_report``: every report format goes through here.

Templates live in ``reports/templates/`` (package data). HTML templates are autoescaped and
every template runs with ``StrictUndefined``, so a name missing from the view model is an
error, never an empty string. Markdown templates are not autoescaped: they escape trainee text
with the ``md`` and ``md_cell`` filters, which turn ``<`` into ``&lt;`` (a wiki that renders
Markdown to HTML shows it as text) and keep table cells on one line. Every value a template
prints goes through ``simulator.text.visible`` (the environment's ``finalize``), and JSON
through ``visible_json``: no control character or escape sequence reaches a report.

This module renders plain data; it must not read journals, grade, or import the screen.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from assessments.assessor.results import percent
from simulator.durations import format_clock, format_duration
from simulator.text import visible, visible_json

__all__ = ["environment", "md", "md_cell", "render_report", "to_json"]


def md(value: object) -> str:
    """Trainee text made safe for Markdown prose: ``<`` becomes ``&lt;``, so no tag survives
    a wiki's Markdown-to-HTML step (``>`` and ``&`` alone cannot open one)."""
    return str(value).replace("<", "&lt;")


def md_cell(value: object) -> str:
    """``md`` for a Markdown table cell: pipes escaped, line breaks as ``<br>``."""
    text = md(value).replace("|", "\\|").replace("\r", "")
    return "<br>".join(line.strip() for line in text.split("\n")).strip()


def _seconds(value: float | None) -> str:
    return "–" if value is None else format_duration(value)


def _clock(value: float | None) -> str:
    return "–" if value is None else format_clock(value)


def _percent(value: float) -> str:
    """The one rounding rule (``assessments.assessor.percent``): whole percent, rounded down."""
    return percent(value)


def _nl2br(value: object) -> Markup:
    escaped = Markup.escape(str(value))
    return Markup("<br>").join(escaped.split("\n"))


def _visible(value: Any) -> Any:
    """Every ``{{ … }}`` of every template: control characters shown as ``\\x1b`` …, never
    written raw into a report (markup a filter made stays markup)."""
    if isinstance(value, Markup):
        return Markup(visible(value))
    if isinstance(value, str):
        return visible(value)
    return value


@functools.cache
def environment() -> jinja2.Environment:
    """The shared environment (built once): package loader, autoescape for HTML, strict."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "svg"), default_for_string=True, default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_visible,
    )
    env.filters.update(
        md=md,
        md_cell=md_cell,
        seconds=_seconds,
        clock=_clock,
        percent=_percent,
        nl2br=_nl2br,
    )
    return env


def render_report(template: str, data: Mapping[str, Any]) -> str:
    """Render one template (e.g. ``debrief.html``) with a view model's plain data."""
    return environment().get_template(template).render(**data)


def to_json(data: Any) -> str:
    """The JSON form of a view model: indented, key order kept, UTF-8 kept, newline-terminated."""
    return visible_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"
