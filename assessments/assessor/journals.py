"""Grading a journal read back from disk, with what makes that grade less certain.

The scenario is the library's with the header's id and sha256 (``simulator.library.
journal_scenario``, parsed once per content), or the file the user names; the policy is the
header's packaged one unless another is given. Warnings say when the scenario changed since the run,
the policy differs from the one played under, or the journal was edited, cut off or stopped
early. This module must not write files or render anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assessments.assessor.grade import grade
from assessments.assessor.results import Assessment
from assessments.policy import Policy, journal_policy
from simulator.durations import format_clock
from simulator.library import journal_scenario

if TYPE_CHECKING:
    from simulator.journal import JournalEvents
    from simulator.library import LoadedScenario


def grade_journal(
    journal: JournalEvents,
    *,
    policy: Policy | None = None,
    scenario: str | None = None,
    loaded: LoadedScenario | None = None,
) -> Assessment:
    """Grade a journal read back from disk.

    The scenario is the library's with the header's id and sha256 unless ``scenario`` (a path
    or id the user gave) is given; the policy is the header's packaged policy unless
    ``policy`` is given (``--policy`` overrides). A path in the header is never followed.
    ``loaded`` is the scenario ``journal_scenario`` already found for this journal (``warroom
    import`` finds it once per scenario, not once per journal).

    Raises:
        simulator.yamlio.LoadError: when the scenario no longer loads.
        simulator.journal.JournalError: the header's scenario or policy is not packaged.
    """
    h = journal.header
    if loaded is None:
        loaded = journal_scenario(journal, scenario)
    in_force = policy if policy is not None else journal_policy(journal)
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
