"""Reports: debriefs (HTML, Markdown, JSON), postmortem drafts, certificates, cohort reports.

``write_reports(journal_path, out_dir, ...)`` writes a session's report set; ``cohort_data``
and ``write_cohort`` make a cohort report; ``render_report`` is the one Jinja2 entry point.
This package never imports Textual or Rich, and never the TUI.
"""

from __future__ import annotations

from reports.render import render_report
from reports.writer import (
    FORMATS,
    ReportError,
    cohort_data,
    render_debrief,
    write_certificate,
    write_cohort,
    write_reports,
)

__all__ = [
    "FORMATS",
    "ReportError",
    "cohort_data",
    "render_debrief",
    "render_report",
    "write_certificate",
    "write_cohort",
    "write_reports",
]
