"""Behavioural markers an experienced IC looks at, computed from the journal; not scored.

Delegation (diagnostics delegated vs run personally), time heads-down (running diagnostics
yourself), time from the first finding of a root cause to the first mitigation after it,
regularity of incident-channel updates, and which findings the IC had seen before each
decision. The debrief and the cohort report show them; no policy weights them today, so they
never change the score. This module must not read events or change a result.
"""

from __future__ import annotations

import itertools
import statistics
from typing import Any

from assessments.assessor.communication import incident_updates
from assessments.assessor.context import Context


def markers(ctx: Context) -> dict[str, Any]:
    """The markers of one exercise (JSON-ready; seconds as numbers, ``None`` when not seen)."""
    f = ctx.facts
    heads_down = sum(max(0.0, min(end, ctx.horizon) - start) for start, end in f.heads_down)
    finding_to_mitigation: float | None = None
    if f.root_found_at is not None:
        after = [t for t, _ in f.mitigations_started if t >= f.root_found_at]
        if after:
            finding_to_mitigation = round(after[0] - f.root_found_at, 3)
    gaps: list[float] = []
    if ctx.incident and f.channel is not None:
        begin, _end, times = incident_updates(ctx)
        marks = [begin, *times]
        gaps = [b - a for a, b in itertools.pairwise(marks)]
    seen: list[dict[str, Any]] = []
    titles = {d.id: d.title for d in ctx.scenario.diagnostics}
    for t, what in f.decisions:
        before = sorted({titles.get(d, d) for when, d, _ in f.findings if when <= t})
        seen.append({"t": t, "decision": what, "findings_seen": before})
    return {
        "delegated": len(f.delegated),
        "ran_personally": len(f.ic_diagnostics),
        "heads_down_s": round(heads_down, 3),
        "finding_to_mitigation_s": finding_to_mitigation,
        "updates": len(gaps),
        "update_gap_mean_s": round(statistics.fmean(gaps), 3) if gaps else None,
        "update_gap_max_s": round(max(gaps), 3) if gaps else None,
        "update_gap_stdev_s": round(statistics.pstdev(gaps), 3) if len(gaps) > 1 else None,
        "decisions": seen,
    }
