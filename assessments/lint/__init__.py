"""Quality checks for scenarios beyond schema validity: ``warroom lint``.

A scenario can validate and still be a poor exercise: an inject whose condition can never hold,
an alert that never fires, a root cause nothing clears, a diagnostic nobody is skilled to run,
an expected severity the policy's own thresholds contradict, an expert autopilot that fails or
a novice that passes. ``lint`` finds these in two ways:

* statically, from the model: value ranges every metric can reach given the faults' effects,
  the earliest time a condition can hold, which faults can ever start, who can run what;
* dynamically, from headless plays under the policy in force: the expert and novice autopilots
  on a few seeds, an idle run in which nobody acts (it shows what the scenario does by
  itself: which alerts fire, which injects arrive, how soon it gets worse), and one run per
  wrong mitigation that starts a fault (what its consequences set off).

A finding the static analysis proves is an error; one that only the plays show ("not delivered
in any lint play") is a warning, since a real trainee or the facilitator may still get there.
Every finding points at the line of the item it concerns (``PATH:LINE:COL``), using the YAML
document's node positions. A finding can be acknowledged in the file with a comment on its line
or the line above: ``# lint-ignore: CHECK-ID why``; it is then counted as suppressed.

The package, along its seams: ``findings`` (check ids, findings, reports, ``# lint-ignore``),
``ranges`` and ``reach`` (what the model proves), ``static`` (the static checks), ``plays`` (the
headless plays, with ``warroom run``'s helpers) and ``dynamic`` (what they show),
``difficulty`` (the measures) and ``linter`` (a file, end to end). It may use the simulator and
the assessor; it must not print, read the command line or import the screen (``tui.cli.lint``
does that).
"""

from __future__ import annotations

from assessments.lint.difficulty import difficulty_measures
from assessments.lint.dynamic import impact_metrics
from assessments.lint.findings import CHECKS, FileReport, Finding
from assessments.lint.linter import lint_file, lint_targets
from assessments.lint.plays import DEFAULT_SEEDS, Play, play
from assessments.lint.ranges import max_block_time, metric_range

__all__ = [
    "CHECKS",
    "DEFAULT_SEEDS",
    "FileReport",
    "Finding",
    "Play",
    "difficulty_measures",
    "impact_metrics",
    "lint_file",
    "lint_targets",
    "max_block_time",
    "metric_range",
    "play",
]
