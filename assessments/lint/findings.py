"""What lint reports: the check ids, a ``Finding`` at a line of the file, a file's report.

Also how a finding is placed (``finding_at``: the YAML node's line and column) and how one is
acknowledged in the file (``# lint-ignore: CHECK-ID why``). This module must not check
anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from simulator.yamlio import Document, Loc

FindingLevel = Literal["error", "warning"]
"""How bad a finding is: an error fails ``warroom lint``, a warning does not."""

IGNORE = re.compile(r"#\s*lint-ignore:\s*([a-z0-9,\s-]+)")
"""``# lint-ignore: check-id[, check-id] reason`` on a finding's line or the line above."""

CHECKS: dict[str, str] = {
    "invalid": "the file does not load or validate",
    "no-learning-objective": "the scenario states no learning objective",
    "no-debrief-notes": "the debrief has no teaching notes",
    "no-red-herring": "no diagnostic is marked red_herring: true",
    "no-wrong-mitigation": "no mitigation has a consequence (starts a fault)",
    "inject-undeliverable": "an inject's condition can never hold",
    "inject-not-delivered": "an inject was not delivered in any lint play",
    "fault-never-starts": "a fault's condition can never hold",
    "alert-never-fires": "an alert's rule can never hold",
    "alert-not-fired": "an alert did not fire in any lint play",
    "alert-flaps": "an alert fires and resolves over and over",
    "fault-not-cleared": "no mitigation clears a fault that does not clear by itself",
    "mitigation-clears-nothing": "a mitigation clears only faults that never start",
    "mitigation-no-effect": "a mitigation neither clears nor starts any fault",
    "diagnostic-unrunnable": "nobody can run a diagnostic, or its finding can never show",
    "severity-contradicts-policy": "the expected severity is below what the policy's thresholds say",
    "expert-fails": "the expert autopilot fails the scenario",
    "novice-passes": "the novice autopilot passes the scenario",
    "difficulty-mismatch": "the declared difficulty does not match the measurable counts",
    "cut-by-comment": "an unquoted value (such as from:) is cut at ' #' by YAML",
    "ramp-outlasts-fault": "a metric effect's ramp is longer than its fault lasts",
    "precondition-unmeetable": "no responder can meet a mitigation's or diagnostic's precondition",
    "diagnostic-no-fallback": "a diagnostic's last output has a condition, so it shows when none holds",
    "mitigation-never-offered": "a mitigation whose offered condition can never hold",
    "precondition-always-met": "a precondition's responder (or skill) is in the incident from the start",
    "consequence-untriggerable": "a mitigation's conditional consequence can never apply",
}
"""Every check id with what it finds (README, ``--json`` and tests use the ids)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing lint found, at a line and column of the scenario file."""

    path: str
    """The file as the user named it."""
    line: int
    """1-based line."""
    col: int
    """1-based column."""
    level: FindingLevel
    """``error`` (exit 1) or ``warning``."""
    check: str
    """The check id, e.g. ``alert-never-fires``."""
    message: str
    """One line."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.level}: [{self.check}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "level": self.level,
            "check": self.check,
            "message": self.message,
        }


@dataclass
class FileReport:
    """The findings for one scenario file."""

    path: str
    """The file as the user named it."""
    scenario: str | None = None
    """Scenario id, when the file validates."""
    findings: list[Finding] = field(default_factory=list)
    """What is wrong, errors first, then in file order."""
    suppressed: list[Finding] = field(default_factory=list)
    """Findings acknowledged with ``# lint-ignore``."""
    measures: dict[str, Any] = field(default_factory=dict)
    """The difficulty measures (see ``difficulty_measures``)."""

    @property
    def errors(self) -> list[Finding]:
        """Findings at error level."""
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings at warning level."""
        return [f for f in self.findings if f.level == "warning"]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "path": self.path,
            "scenario": self.scenario,
            "errors": [f.to_dict() for f in self.errors],
            "warnings": [f.to_dict() for f in self.warnings],
            "suppressed": [f.to_dict() for f in self.suppressed],
            "measures": self.measures,
        }


def finding_at(doc: Document, loc: Loc, level: FindingLevel, check: str, message: str) -> Finding:
    """A finding at ``loc``: the item's line, or the key's line for a whole section."""
    line, col, _ = doc.position(loc, key=len(loc) == 1)
    return Finding(doc.path, line, col, level, check, message)


def ignored(f: Finding, lines: Sequence[str]) -> bool:
    """Whether ``f`` is acknowledged with ``# lint-ignore: CHECK-ID`` on its line or the one above."""
    for index in (f.line - 1, f.line - 2):
        if 0 <= index < len(lines):
            match = IGNORE.search(lines[index])
            if match and f.check in {c.strip() for c in re.split(r"[,\s]+", match.group(1))}:
                return True
    return False
