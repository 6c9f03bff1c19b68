"""Benchmark: rendering reports, beside a bare Jinja2 render of the same table in the same run.

1. **Debrief of a 2-hour journal**: ``validator-dropout`` played by the novice autopilot (it
   never resolves, so the exercise runs its full 2 hours). Timed: the whole HTML debrief from
   the journal file (read, grade, view model, SVG chart, render); the HTML debrief from an
   already graded session (view model, chart, render); and a bare ``jinja2`` render (autoescape
   on, no view model, no chart, no criteria) of the same timeline table rows.
2. **Cohort of 1,000 journals**: three real sessions (``api-outage`` expert and novice,
   ``slow-blocks`` novice) re-sealed under 100 trainee names to make 1,000 valid
   journals. Timed: the whole cohort report (read, grade and aggregate 1,000 journals, write
   HTML, Markdown and JSON); aggregating and rendering the HTML from already graded sessions;
   and a bare ``jinja2`` render of the same per-trainee table. The whole report is timed once.

Cases are timed call by call, interleaved, and the table shows medians, the fastest run and
each case's ratio to the bare Jinja2 render. The target: a debrief under 100 ms.
Run: ``python bench/reports.py`` (about a minute on two cores).
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]  # this file is named reports.py: let ``import reports`` find the package

import jinja2

from assessments.intake import find_journals
from assessments.policy import load_policy
from reports import cohort_data, render_debrief, write_cohort
from reports.cohort import aggregate, collect
from reports.render import render_report
from reports.views import load_session, timeline_rows
from simulator.autopilot import Autopilot
from simulator.engine import Engine
from simulator.journal import Header, JournalWriter, chain
from simulator.library import load_scenario
from simulator.runner import run

SEED = 1
DEBRIEF_ROUNDS = 11
COHORT_ROUNDS = 3
"""Rounds of the cohort cases (the whole report is timed once, without a warm-up)."""
COHORT_SIZE = 1000

BARE_TIMELINE = jinja2.Environment(autoescape=True).from_string(
    "<table>{% for r in rows %}<tr><td>{{ r.n if r.n is not none else '' }}</td>"
    "<td>{{ r.sim }}</td><td>{{ r.clock }}</td><td>{{ r.who }}</td><td>{{ r.what }}</td>"
    "<td>{{ r.rationale }}</td></tr>{% endfor %}</table>"
)
BARE_PEOPLE = jinja2.Environment(autoescape=True).from_string(
    "<table>{% for t in rows %}<tr><td>{{ t.name }}</td><td>{{ t.sessions }}</td>"
    "<td>{{ t.passed }}</td><td>{{ t.latest_scenario }}</td><td>{{ t.latest_score }}</td>"
    "<td>{{ t.most_missed | join(', ') }}</td></tr>{% endfor %}</table>"
)


def play(folder: Path, scenario_id: str, profile: str, trainee: str) -> Path:
    """Play a library scenario with an autopilot and write its journal."""
    loaded = load_scenario(scenario_id)
    policy = load_policy("default")
    s = loaded.scenario
    level = policy.level_for(s.expected.severity, s.expected.overrides)
    engine = Engine(s, seed=SEED, severity_levels=policy.level_names, trainee=trainee)
    path = folder / f"{scenario_id}.{profile}.jsonl"
    header = Header(
        s.id,
        loaded.sha256,
        scenario_id,
        SEED,
        "default",
        policy.level_names,
        trainee,
        f"autopilot:{profile}",
        "2026-11-22T10:00:00+00:00",
    )
    with JournalWriter(path, header) as writer:
        engine.subscribe(writer)
        run(engine, Autopilot(profile, s, policy.playbook(level.name), seed=SEED))
    return path


def reseal(source: Path, dest: Path, trainee: str, started_at: str) -> None:
    """The same session as a valid journal under another trainee's name (digests re-chained)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header.update(trainee=trainee, started_at=started_at)
    first = json.dumps(header, separators=(",", ":"), ensure_ascii=False)
    digest = chain("", first)
    out = [first]
    for line in lines[1:]:
        body = line[: line.rindex(',"h":"')] + "}"
        digest = chain(digest, body)
        out.append(body[:-1] + f',"h":"{digest}"}}')
    dest.write_text("\n".join(out) + "\n", encoding="utf-8")


def measure(cases: dict[str, Callable[[], object]], rounds: int) -> dict[str, tuple[float, float]]:
    """Median and fastest seconds per call, the cases interleaved call by call."""
    for fn in cases.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: (statistics.median(t), min(t)) for name, t in samples.items()}


def table(title: str, results: dict[str, tuple[float, float]], base: str) -> None:
    """Print one block of the table, ratios against ``base``."""
    print(f"\n{title}")
    print(f"  {'case':58} {'median ms':>10} {'best ms':>9} {'vs bare':>8}")
    reference = results[base][0]
    for name, (median, best) in results.items():
        print(f"  {name:58} {median * 1e3:10.1f} {best * 1e3:9.1f} {median / reference:7.1f}x")


def main() -> int:
    """Build the journals, time the cases, print the tables."""
    print(
        f"Python {platform.python_version()} on {platform.machine()}, jinja2 {jinja2.__version__}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        long = play(base, "validator-dropout", "novice", "bench")
        session = load_session(long)
        rows = timeline_rows(session)
        print(
            f"2-hour journal: {len(session.journal.events)} events, "
            f"{long.stat().st_size / 1024:.0f} KiB, {len(rows)} timeline rows; "
            f"debrief HTML {len(render_debrief(session, 'html')) / 1024:.0f} KiB"
        )
        debrief = measure(
            {
                "bare jinja2: the timeline table alone": lambda: BARE_TIMELINE.render(rows=rows),
                "debrief HTML from a graded session (view, chart, render)": lambda: render_debrief(
                    session, "html"
                ),
                "debrief HTML from the journal file (read, grade, all)": lambda: render_debrief(
                    load_session(long), "html"
                ),
                "debrief Markdown from a graded session": lambda: render_debrief(session, "md"),
            },
            DEBRIEF_ROUNDS,
        )
        table("Debrief of a 2-hour journal", debrief, "bare jinja2: the timeline table alone")

        sources = [
            play(base, "api-outage", "expert", "x"),
            play(base, "api-outage", "novice", "x"),
            play(base, "slow-blocks", "novice", "x"),
        ]
        folder = base / "cohort"
        folder.mkdir()
        for i in range(COHORT_SIZE):
            who = f"trainee-{i % 100:03d}"
            day = f"2026-{1 + i // 100 % 12:02d}-{1 + i % 28:02d}T10:00:00+00:00"
            reseal(sources[(i * 7) % 3], folder / f"{i:04d}.jsonl", who, day)
        sessions, skipped = collect(find_journals([folder]))
        data = aggregate(sessions, skipped)
        people = data["people"]
        out = base / "out"
        print(
            f"\ncohort: {data['sessions']} journals, {data['trainees']} trainees, "
            f"{len(data['attention'])} need attention"
        )
        cohort = measure(
            {
                "bare jinja2: the per-trainee table alone": lambda: BARE_PEOPLE.render(rows=people),
                "aggregate + render HTML (sessions already graded)": lambda: render_report(
                    "cohort.html", aggregate(sessions, skipped)
                ),
            },
            COHORT_ROUNDS,
        )
        start = time.perf_counter()
        write_cohort(cohort_data([folder]), out)
        whole = time.perf_counter() - start
        cohort["whole report: read + grade 1,000 journals, write 3 files"] = (whole, whole)
        table(
            "Cohort report over 1,000 journals", cohort, "bare jinja2: the per-trainee table alone"
        )
    median = debrief["debrief HTML from the journal file (read, grade, all)"][0]
    verdict = "met" if median < 0.1 else "NOT met"
    print(f"\ntarget: a debrief from its journal under 100 ms -> {verdict} ({median * 1e3:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
