"""Linting a scenario file: load it, run every check, apply ``# lint-ignore``, sort.

``lint_file`` turns a file that does not load or validate into ``invalid`` findings; for one
that does, it runs the static checks, then the plays and what they show, then the difficulty
measures, and returns the file's report (errors first, then in file order). This module must
not print or read the command line (``tui.cli.lint`` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assessments.lint.difficulty import difficulty_finding, difficulty_measures
from assessments.lint.dynamic import PlayChecks
from assessments.lint.findings import FileReport, Finding, ignored
from assessments.lint.plays import DEFAULT_SEEDS, lint_plays
from assessments.lint.static import StaticChecks
from assessments.policy import Policy
from simulator.library import library_paths, resolve
from simulator.model import Scenario
from simulator.yamlio import Document, LoadError, read_yaml, validate

__all__ = ["lint_file", "lint_targets"]


def lint_targets(specs: Sequence[str]) -> list[str]:
    """The files to lint: each SPEC is a library id or a path; none means the whole library."""
    if not specs:
        return [_shown(p) for p in library_paths()]
    return list(specs)


def lint_file(spec: str, policy: Policy, *, seeds: Sequence[int] = DEFAULT_SEEDS) -> FileReport:
    """Lint one scenario (library id or path) under ``policy``."""
    try:
        path = resolve(spec)
    except LoadError as exc:
        report = FileReport(spec)
        report.findings = [_from_problem(p, "invalid") for p in exc.problems]
        return report
    name = spec if not _is_id(spec, path) else _shown(path)
    report = FileReport(name)
    try:
        doc = read_yaml(path)
        doc.path = name
        scenario = validate(doc, Scenario)
    except LoadError as exc:
        report.findings = [_from_problem(p, _invalid_check(p.message)) for p in exc.problems]
        return report
    refs = scenario.check_references()
    if refs:
        report.findings = [
            _from_problem(doc.problem(loc, message), "invalid") for loc, message in refs
        ]
        return report
    report.scenario = scenario.id
    try:
        raw_lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        raw_lines = []
    found, report.measures = _check(scenario, doc, policy, raw_lines, tuple(seeds))
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for f in found:
        (suppressed if ignored(f, raw_lines) else kept).append(f)
    order = {"error": 0, "warning": 1}
    report.findings = sorted(kept, key=lambda f: (order[f.level], f.line, f.col, f.check))
    report.suppressed = sorted(suppressed, key=lambda f: (f.line, f.col))
    return report


def _shown(path: Path) -> str:
    """A library file as a path relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _is_id(spec: str, path: Path) -> bool:
    return path.stem == spec and not spec.endswith((".yaml", ".yml")) and "/" not in spec


def _check(
    scenario: Scenario, doc: Document, policy: Policy, lines: Sequence[str], seeds: tuple[int, ...]
) -> tuple[list[Finding], dict[str, Any]]:
    """Every finding, static checks first, then what the plays show, then difficulty; and the
    difficulty measures."""
    static = StaticChecks(scenario, doc, lines)
    found = list(static.run())
    plays = lint_plays(scenario, policy, seeds)
    found += PlayChecks(
        scenario,
        doc,
        policy,
        plays,
        seeds,
        never_fire=static.never_fire,
        undeliverable=static.undeliverable,
    ).run()
    idle = next((p for p in plays if p.profile == "idle"), None)
    if idle is None:
        return found, {}
    measures = difficulty_measures(scenario, idle.events)
    mismatch = difficulty_finding(scenario, doc, measures)
    if mismatch is not None:
        found.append(mismatch)
    return found, measures


def _invalid_check(message: str) -> str:
    return "no-learning-objective" if message.startswith("objectives") else "invalid"


def _from_problem(p: Any, check: str) -> Finding:
    return Finding(p.path, p.line, p.col, "error", check, p.message)
