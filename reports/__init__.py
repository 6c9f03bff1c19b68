"""Reports: debriefs (HTML, Markdown, JSON), postmortem drafts, certificates, cohort reports.

``write_reports(journal_path, out_dir, ...)`` writes a session's report set; ``cohort_data``
(journals) or ``cohort_data_from_records`` (the graded attempts in the records) and
``write_cohort`` make a cohort report; ``render_report`` is the one Jinja2 entry point;
``reports.text`` renders the plain-text assessment table the command line prints. The names
below load their modules (and Jinja2) on first use, so importing ``reports.text`` stays cheap.
This package never imports Textual or Rich, and never the TUI.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reports.render import render_report
    from reports.writer import (
        FORMATS,
        ReportError,
        cohort_data,
        cohort_data_from_records,
        render_debrief,
        write_certificate,
        write_cohort,
        write_reports,
    )

__all__ = [
    "FORMATS",
    "ReportError",
    "cohort_data",
    "cohort_data_from_records",
    "render_debrief",
    "render_report",
    "write_certificate",
    "write_cohort",
    "write_reports",
]

_HOME = {name: "reports.writer" for name in __all__} | {"render_report": "reports.render"}
"""The module each public name lives in."""


def __getattr__(name: str) -> Any:
    """Load a public name's module when the name is first used."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'reports' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
