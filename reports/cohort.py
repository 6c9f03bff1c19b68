"""Cohort reports: many graded sessions summed up for a programme owner.

``collect`` reads and grades journals (folders are searched for ``*.jsonl``), ``from_records``
takes the attempts ``warroom import`` and ``--record`` already graded into the records (no
journal read again), ``aggregate``
turns the graded sessions into plain data: pass rates per scenario, each criterion's miss
rate and median measured time, and the trainees who need attention. The output depends only
on the journals' content (sessions are ordered by path), so a cohort report diffs cleanly.

Who needs attention: a trainee whose latest session failed, or who passed fewer than half of
their sessions. The reasons shown also name the criteria they missed in two sessions or more.
Sessions that never reached their end (left early, or killed and never resumed) are counted
apart, as abandoned: they are not failures, and no pass rate, miss rate or reason uses them.

A team game day counts once per participant (their attempt: the criteria their roles own),
never as the team's own attempt too; the team's result is listed under ``teams`` with its
members' results beside it (per-person attempts that roll up to the team).

This module reads journals and records and computes; it must not render, print, or import the
screen.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from assessments.assessor import CRITERIA, TITLES, grade_journal, percent
from assessments.policy import Policy, journal_policy
from assessments.records import Records
from simulator.durations import format_duration
from simulator.events import ScenarioStarted
from simulator.journal import JournalError, read_journal
from simulator.yamlio import LoadError

__all__ = [
    "CohortSession",
    "Skipped",
    "aggregate",
    "collect",
    "from_records",
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
    team: str | None = None
    """The team's name, for a team game day's attempts (the team's own or a participant's)."""
    seat: str = ""
    """A participant's seat; empty for the team's own attempt and one trainee's exercise."""
    roles: tuple[str, ...] = ()
    """The roles a participant held."""

    @property
    def rollup(self) -> bool:
        """Whether this is a team's own attempt (its members are counted, not it)."""
        return self.team is not None and not self.seat


@dataclass(frozen=True)
class Skipped:
    """A journal that could not be read or graded."""

    path: str
    """The journal."""
    error: str
    """Why, as a ``PATH: error: …`` line."""


class _Criterion(msgspec.Struct):
    """What a cohort report reads of a stored criterion (the other fields are skipped)."""

    id: str
    status: str
    measured_s: float | None = None
    limit_s: float | None = None


_CRITERIA = msgspec.json.Decoder(list[_Criterion])
_CRITICAL = msgspec.json.Decoder(list[str])
_OUTCOMES = msgspec.json.Decoder(list[tuple[str, str, float | None, float | None]])
_MARKERS = msgspec.json.Decoder(dict[str, Any])


def from_records(records: Records, policy: str | None = None) -> list[CohortSession]:
    """Every graded exercise attempt in ``records`` (``policy``'s only, when given), as
    sessions: no journal is read again. A row that breaks its promises is reported in
    ``records.bad_rows`` and left out."""
    sessions: list[CohortSession] = []
    for row in records.cohort_rows(policy):
        (rid, trainee, scenario, title, pol, started, recorded, passed, score, crit, done, jp) = (
            row[:12]
        )
        try:
            if crit.startswith("[["):  # the criteria in brief (``outcomes``)
                criteria = tuple(_OUTCOMES.decode(crit))
            else:  # an attempt recorded before they were kept: its full criteria
                criteria = tuple(
                    (c.id, c.status, c.measured_s, c.limit_s) for c in _CRITERIA.decode(crit)
                )
            critical = tuple(_CRITICAL.decode(row[12])) if row[12] is not None else ()
            markers = _MARKERS.decode(row[13]) if row[13] is not None else {}
            team, seat, roles = row[14:17] if len(row) >= 17 else (None, "", None)
            held = tuple(_CRITICAL.decode(roles)) if roles is not None else ()
        except (msgspec.DecodeError, TypeError, ValueError):
            records.report_bad_row("exercise_attempts", int(rid), "criteria is not JSON")
            continue
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
            records.report_bad_row("exercise_attempts", int(rid), f"score {score!r}")
            continue
        sessions.append(
            CohortSession(
                path=str(jp) if jp else f"records:{rid}",
                trainee=str(trainee),
                scenario=str(scenario),
                title=str(title) if title is not None else str(scenario),
                policy=str(pol),
                started_at=str(started) if started is not None else str(recorded),
                passed=passed in (1, True),
                score=float(score),
                criteria=criteria,
                completed=done is None or done in (1, True),
                critical=critical,
                markers=tuple((key, _number(markers.get(key))) for key in MARKER_KEYS),
                team=str(team) if team is not None else None,
                seat=str(seat or ""),
                roles=held,
            )
        )
    return sessions


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
            team = a.trainee if journal.header.driver.split(":", 1)[0] == "team" else None
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
                    team=team,
                )
            )
            if team is not None:
                sessions += _participants(journal, sessions[-1], in_force)
        except JournalError as exc:
            skipped.append(Skipped(str(path), str(exc)))
        except LoadError as exc:
            skipped.append(Skipped(str(path), "; ".join(str(x) for x in exc.problems)))
        except (KeyError, FileNotFoundError) as exc:
            skipped.append(Skipped(str(path), f"{path}: error: {str(exc).strip(chr(39))}"))
        if progress is not None:
            progress(i, len(paths))
    return sessions, skipped


def _participants(journal: Any, team: CohortSession, policy: Policy) -> list[CohortSession]:
    """Each participant of a team game day's journal as a session of their own."""
    from assessments.team import grade_people
    from simulator.library import journal_scenario

    scenario = journal_scenario(journal, None).scenario
    out: list[CohortSession] = []
    for r in grade_people(
        journal.events, scenario=scenario, policy=policy, seed=journal.header.seed
    ):
        graded = r.assessment
        out.append(
            CohortSession(
                path=team.path,
                trainee=r.person,
                scenario=team.scenario,
                title=team.title,
                policy=team.policy,
                started_at=team.started_at,
                passed=r.passed,
                score=r.score,
                criteria=tuple((c.id, c.status, c.measured_s, c.limit_s) for c in r.criteria),
                completed=team.completed,
                critical=tuple(c.id for c in graded.critical_failures) if graded else (),
                markers=tuple(
                    (key, _number(graded.markers.get(key)) if graded else None)
                    for key in MARKER_KEYS
                ),
                team=team.team,
                seat=r.seat,
                roles=r.roles,
            )
        )
    return out


def _teams(sessions: Sequence[CohortSession]) -> list[dict[str, Any]]:
    """Each team game day: the team's result and its members' (by journal)."""
    members: dict[tuple[str, str], list[CohortSession]] = {}
    for s in sessions:
        if s.team is not None and s.seat:
            members.setdefault((s.path, s.policy), []).append(s)
    rows: list[dict[str, Any]] = []
    for s in sessions:
        if not s.rollup:
            continue
        rows.append(
            {
                "team": s.team,
                "scenario": s.scenario,
                "title": s.title,
                "started_at": s.started_at,
                "completed": s.completed,
                "passed": s.passed,
                "score": s.score,
                "members": [
                    {
                        "name": m.trainee,
                        "seat": m.seat,
                        "roles": list(m.roles),
                        "passed": m.passed,
                        "score": m.score,
                    }
                    for m in sorted(members.get((s.path, s.policy), []), key=lambda m: m.seat)
                ],
            }
        )
    return rows


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def aggregate(sessions: Sequence[CohortSession], skipped: Sequence[Skipped] = ()) -> dict[str, Any]:
    """The cohort report's data (abandoned sessions are listed apart and graded nowhere)."""
    teams = _teams(sorted(sessions, key=lambda s: s.path))
    everything = sorted((s for s in sessions if not s.rollup), key=lambda s: s.path)
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
                "median": format_duration(round(median)) if median is not None else "–",
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
        "teams": teams,
        "skipped": [{"path": x.path, "error": x.error} for x in skipped],
    }
