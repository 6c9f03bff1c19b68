"""Cohort reports: many graded sessions summed up for a programme owner.

``collect`` reads and grades journals (folders are searched for ``*.jsonl``), ``aggregate``
turns the graded sessions into plain data: pass rates per scenario, each criterion's miss
rate and median measured time, and the trainees who need attention. The output depends only
on the journals' content (sessions are ordered by path), so a cohort report diffs cleanly.

Who needs attention: a trainee whose latest session failed, or who passed fewer than half of
their sessions. The reasons shown also name the criteria they missed in two sessions or more.
Sessions that never reached their end (left early, or killed and never resumed) are counted
apart, as abandoned: they are not failures, and no pass rate, miss rate or reason uses them.

This module reads journals and computes; it must not render, print, or import the screen.
"""

from __future__ import annotations

import os
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessments.assessor import CRITERIA, TITLES, grade_journal, percent
from assessments.policy import Policy, journal_policy
from simulator.durations import format_duration
from simulator.events import ScenarioStarted
from simulator.journal import JournalError, read_journal
from simulator.yamlio import LoadError

__all__ = [
    "CohortSession",
    "Skipped",
    "aggregate",
    "collect",
    "find_journals",
]

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called after each journal."""

MARKER_KEYS = (
    "delegated",
    "ran_personally",
    "heads_down_s",
    "finding_to_mitigation_s",
    "update_gap_mean_s",
)
"""The behavioural markers the cohort report summarises (medians across sessions)."""

MARKER_TITLES = {
    "delegated": "Diagnostics delegated",
    "ran_personally": "Diagnostics run yourself",
    "heads_down_s": "Time heads-down",
    "finding_to_mitigation_s": "From finding the root cause to mitigating",
    "update_gap_mean_s": "Mean gap between incident-channel updates",
}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class CohortSession:
    """What a cohort report needs of one graded session."""

    path: str
    """The journal's path as given."""
    trainee: str
    """Trainee name."""
    scenario: str
    """Scenario id."""
    title: str
    """Scenario title."""
    policy: str
    """Policy graded under."""
    started_at: str
    """The journal header's wall-clock start (orders a trainee's sessions)."""
    passed: bool
    """Whether the session passed."""
    score: float
    """Score 0..1."""
    criteria: tuple[tuple[str, str, float | None, float | None], ...]
    """``(id, status, measured_s, limit_s)`` per criterion."""
    completed: bool = True
    """Whether the exercise reached its end; an abandoned one is reported apart, not graded."""
    critical: tuple[str, ...] = ()
    """The critical failures that decided it (ids, first first)."""
    markers: tuple[tuple[str, float | None], ...] = ()
    """Behavioural markers (``assessor.markers``): delegated, ran_personally, heads_down_s,
    finding_to_mitigation_s, update_gap_mean_s. Not scored."""


@dataclass(frozen=True)
class Skipped:
    """A journal that could not be read or graded."""

    path: str
    """The journal."""
    error: str
    """Why, as a ``PATH: error: …`` line."""


def find_journals(inputs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Journals named, and ``*.jsonl`` files under folders named (recursively), sorted, unique."""
    found: set[Path] = set()
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found.update(x for x in p.rglob("*.jsonl") if x.is_file())
        else:
            found.add(p)
    return sorted(found)


def collect(
    paths: Sequence[Path], *, policy: Policy | None = None, progress: Progress | None = None
) -> tuple[list[CohortSession], list[Skipped]]:
    """Read and grade each journal; the unreadable ones are returned as ``Skipped``."""
    sessions: list[CohortSession] = []
    skipped: list[Skipped] = []
    policies: dict[str, Policy] = {}
    for i, path in enumerate(paths, start=1):
        try:
            journal = read_journal(path)
            in_force = policy
            if in_force is None:
                name = journal.header.policy
                if name not in policies:
                    policies[name] = journal_policy(journal)
                in_force = policies[name]
            a = grade_journal(journal, policy=in_force)
            first = journal.events[0] if journal.events else None
            title = first.title if isinstance(first, ScenarioStarted) else a.scenario
            sessions.append(
                CohortSession(
                    path=str(path),
                    trainee=a.trainee,
                    scenario=a.scenario,
                    title=str(title),
                    policy=a.policy,
                    started_at=journal.header.started_at,
                    passed=a.passed,
                    score=a.score,
                    criteria=tuple((c.id, c.status, c.measured_s, c.limit_s) for c in a.criteria),
                    completed=journal.ended,
                    critical=tuple(c.id for c in a.critical_failures),
                    markers=tuple((key, _number(a.markers.get(key))) for key in MARKER_KEYS),
                )
            )
        except JournalError as exc:
            skipped.append(Skipped(str(path), str(exc)))
        except LoadError as exc:
            skipped.append(Skipped(str(path), "; ".join(str(x) for x in exc.problems)))
        except (KeyError, FileNotFoundError) as exc:
            skipped.append(Skipped(str(path), f"{path}: error: {str(exc).strip(chr(39))}"))
        if progress is not None:
            progress(i, len(paths))
    return sessions, skipped


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def aggregate(sessions: Sequence[CohortSession], skipped: Sequence[Skipped] = ()) -> dict[str, Any]:
    """The cohort report's data (abandoned sessions are listed apart and graded nowhere)."""
    everything = sorted(sessions, key=lambda s: s.path)
    ordered = [s for s in everything if s.completed]
    abandoned = [s for s in everything if not s.completed]
    scenarios: dict[str, list[CohortSession]] = {}
    for s in ordered:
        scenarios.setdefault(s.scenario, []).append(s)
    scenario_rows = [
        {
            "id": sid,
            "title": group[0].title,
            "sessions": len(group),
            "trainees": len({s.trainee for s in group}),
            "passed": sum(s.passed for s in group),
            "pass_rate": _rate(sum(s.passed for s in group), len(group)),
            "median_score": statistics.median(s.score for s in group),
        }
        for sid, group in sorted(scenarios.items())
    ]
    criterion_rows: list[dict[str, Any]] = []
    for cid in CRITERIA:
        statuses = [(st, m, lim) for s in ordered for (i, st, m, lim) in s.criteria if i == cid]
        applicable = [x for x in statuses if x[0] in ("passed", "failed")]
        missed = sum(1 for x in applicable if x[0] == "failed")
        measured = [m for st, m, _ in applicable if m is not None]
        limits = Counter(lim for _, _, lim in applicable if lim is not None)
        median = _median(measured)
        limit = limits.most_common(1)[0][0] if limits else None
        criterion_rows.append(
            {
                "id": cid,
                "title": TITLES.get(cid, cid),
                "applicable": len(applicable),
                "missed": missed,
                "miss_rate": _rate(missed, len(applicable)),
                "median": format_duration(median) if median is not None else "–",
                "median_s": median,
                "measured": len(measured),
                "limit": format_duration(limit) if limit is not None else "–",
            }
        )
    criterion_rows.sort(key=lambda r: (-r["miss_rate"], CRITERIA.index(r["id"])))
    by_trainee: dict[str, list[CohortSession]] = {}
    for s in ordered:
        by_trainee.setdefault(s.trainee, []).append(s)
    trainee_rows: list[dict[str, Any]] = []
    for name, group in sorted(by_trainee.items(), key=lambda kv: kv[0].casefold()):
        group = sorted(group, key=lambda s: (s.started_at, s.path))
        latest = group[-1]
        passed = sum(s.passed for s in group)
        misses = Counter(i for s in group for (i, st, _, _) in s.criteria if st == "failed")
        repeated = [cid for cid, n in misses.most_common() if n >= 2]
        reasons: list[str] = []
        if not latest.passed:
            why = (
                f"critical failure: {latest.critical[0].replace('_', ' ')}"
                if latest.critical
                else percent(latest.score)
            )
            reasons.append(f"latest session failed ({latest.scenario}, {why})")
        if len(group) >= 2 and passed * 2 < len(group):
            reasons.append(f"passed {passed} of {len(group)} sessions")
        if reasons and repeated:
            top = ", ".join(f"{cid} ({misses[cid]}x)" for cid in repeated[:3])
            reasons.append(f"keeps missing {top}")
        trainee_rows.append(
            {
                "name": name,
                "sessions": len(group),
                "passed": passed,
                "pass_rate": _rate(passed, len(group)),
                "latest_scenario": latest.scenario,
                "latest_score": latest.score,
                "latest_passed": latest.passed,
                "most_missed": [cid for cid, _ in misses.most_common(3)],
                "attention": bool(reasons),
                "reasons": reasons,
            }
        )
    attention = sorted(
        (t for t in trainee_rows if t["attention"]),
        key=lambda t: (t["latest_score"], t["pass_rate"], t["name"].casefold()),
    )
    total_passed = sum(s.passed for s in ordered)
    critical = Counter(c for s in ordered for c in s.critical[:1])
    marker_rows = []
    for key in MARKER_KEYS:
        values = [v for s in ordered for k, v in s.markers if k == key and v is not None]
        median = _median(values)
        seconds = key.endswith("_s")
        shown = "–"
        if median is not None:
            shown = format_duration(round(median)) if seconds else f"{median:g}"
        marker_rows.append(
            {"id": key, "title": MARKER_TITLES[key], "sessions": len(values), "median": shown}
        )
    return {
        "format": 1,
        "sessions": len(ordered),
        "abandoned": [
            {
                "path": s.path,
                "trainee": s.trainee,
                "scenario": s.scenario,
                "started_at": s.started_at,
            }
            for s in abandoned
        ],
        "trainees": len(by_trainee),
        "passed": total_passed,
        "pass_rate": _rate(total_passed, len(ordered)),
        "scenarios": scenario_rows,
        "criteria": criterion_rows,
        "people": trainee_rows,
        "critical_failures": [
            {"id": cid, "title": cid.replace("_", " "), "sessions": n}
            for cid, n in critical.most_common()
        ],
        "markers": marker_rows,
        "attention": attention,
        "skipped": [{"path": x.path, "error": x.error} for x in skipped],
    }
