"""Grading a journal read back from disk, with what makes that grade less certain.

The scenario is the one the header names, loaded through the one scenario cache; the policy is
the header's unless another is given. Warnings say when the scenario changed since the run,
the policy differs from the one played under, or the journal was edited, cut off or stopped
early. This module must not write files or render anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assessments.assessor.grade import grade
from assessments.assessor.results import Assessment
from assessments.policy import Policy, load_policy
from assessments.scenario_cache import cached_scenario
from simulator.durations import format_clock

if TYPE_CHECKING:
    from simulator.journal import Journal


def grade_journal(journal: Journal, *, policy: Policy | None = None) -> Assessment:
    """Grade a journal read back from disk.

    The scenario is loaded from the header's ``scenario_path`` (a library id or a path); the
    policy is the header's unless ``policy`` is given (``--policy`` overrides).

    Raises:
        simulator.yamlio.LoadError: when the scenario no longer loads.
        FileNotFoundError: when the header's policy cannot be found.
    """
    h = journal.header
    loaded = cached_scenario(h.scenario_path)
    in_force = policy if policy is not None else load_policy(h.policy)
    result = grade(
        journal.events, scenario=loaded.scenario, policy=in_force, trainee=h.trainee, seed=h.seed
    )
    warnings: list[str] = []
    if loaded.sha256 != h.scenario_sha256:
        warnings.append(
            f"scenario {h.scenario_path} changed since the journal was recorded (sha256 "
            f"{loaded.sha256[:12]}… vs {h.scenario_sha256[:12]}…): graded against the current file"
        )
    if tuple(h.severity_levels) != in_force.level_names:
        warnings.append(
            f"played under policy {h.policy} ({', '.join(h.severity_levels)}), graded against "
            f"{in_force.id} ({', '.join(in_force.level_names)})"
        )
    if journal.edited_line is not None:
        warnings.append(f"journal line {journal.edited_line} was edited by hand")
    if journal.truncated:
        warnings.append("the journal's last line was cut off and skipped")
    if not journal.ended:
        last = journal.events[-1].t if journal.events else 0.0
        warnings.append(
            f"the journal stops at {format_clock(last)} before the exercise ended: graded as "
            "if it ended there"
        )
    if not warnings:
        return result
    return Assessment(
        **{**_fields(result), "warnings": [*warnings, *result.warnings]},
    )


def _fields(a: Assessment) -> dict[str, Any]:
    """An assessment's fields by name (to copy it with some changed)."""
    return {name: getattr(a, name) for name in Assessment.__dataclass_fields__}
