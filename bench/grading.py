"""Benchmark: what grading a journal costs on top of reading it.

Plays ``validator-dropout`` with the novice autopilot (it never resolves, so the exercise runs
its full 2 hours), writes the journal to a temporary directory, then times, as medians of
several runs of N repetitions each:

1. parsing only (``read_journal``);
2. parsing and ``grade_journal`` with the scenario cache warm (a cohort report grading many
   journals of the same scenario);
3. the same with the scenario cache cleared every time (the first journal of a scenario);
4. ``grade`` alone on the parsed events (the assessor's own cost);
5. one live regrade (``LiveAssessor.assessment``) over the first hour of events, the cost the
   TUI pays per refresh.

The five cases are timed call by call, interleaved, 40 rounds; the table shows the median
and the fastest time per call, calls per second at the median, and the ratio of each median to
parsing's. Run:
``python bench/grading.py`` (about 15 s). Prints the Python version and a table.
"""

from __future__ import annotations

import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from assessments.assessor import LiveAssessor, grade, grade_journal
from assessments.policy import load_policy
from simulator.autopilot import Autopilot
from simulator.engine import Engine
from simulator.journal import Header, JournalWriter, read_journal
from simulator.library import clear_cache, load_scenario
from simulator.runner import run

SCENARIO = "validator-dropout"
SEED = 1
ROUNDS = 40
"""Timed calls per case; the table shows the median (and the fastest)."""


def make_journal(folder: Path) -> Path:
    """Play the scenario with the novice autopilot and write its journal."""
    loaded = load_scenario(SCENARIO)
    policy = load_policy("default")
    level = policy.level_for(loaded.scenario.expected.severity, loaded.scenario.expected.overrides)
    engine = Engine(loaded.scenario, seed=SEED, severity_levels=policy.level_names)
    path = folder / "journal.jsonl"
    header = Header(
        scenario=loaded.scenario.id,
        scenario_sha256=loaded.sha256,
        scenario_path=SCENARIO,
        seed=SEED,
        policy="default",
        severity_levels=policy.level_names,
        trainee="bench",
        driver="autopilot:novice",
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    with JournalWriter(path, header) as writer:
        engine.subscribe(writer)
        run(engine, Autopilot("novice", loaded.scenario, policy.playbook(level.name), seed=SEED))
    return path


def measure(cases: dict[str, Callable[[], object]]) -> dict[str, tuple[float, float, float]]:
    """Time each case ``ROUNDS`` times, the cases interleaved call by call.

    Returns, per case, the median and the fastest seconds per call and the ratio of its median
    to the first case's. Interleaving means a busy moment on a shared machine hits every case
    alike, and the median ignores the spikes.
    """
    for fn in cases.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(ROUNDS):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    base = statistics.median(next(iter(samples.values())))
    return {
        name: (statistics.median(times), min(times), statistics.median(times) / base)
        for name, times in samples.items()
    }


def main() -> int:
    """Build the journal, time the four cases and print the table."""
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}) on {sys.platform}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = make_journal(Path(tmp))
        journal = read_journal(path)
        size = path.stat().st_size
        last = journal.events[-1]
        print(
            f"journal: {SCENARIO}, novice autopilot, {len(journal.events)} events, "
            f"{size / 1024:.0f} KiB, ends at sim {last.t / 3600:.1f} h ({last.kind})"
        )
        assessment = grade_journal(journal)
        print(f"grade: score {assessment.score:.0%}, failed {', '.join(assessment.failed())}")

        def parse() -> object:
            return read_journal(path)

        def parse_and_grade() -> object:
            return grade_journal(read_journal(path))

        def parse_and_grade_cold() -> object:
            clear_cache()
            return grade_journal(read_journal(path))

        policy = load_policy("default")
        loaded = load_scenario(SCENARIO)
        live = LiveAssessor(scenario=loaded.scenario, policy=policy, trainee="bench", seed=SEED)
        for event in journal.events:
            if event.t > 3600:
                break
            live(event)
        tick = iter(range(10**9))

        def regrade() -> object:
            return live.assessment(3600 + next(tick) * 1e-3)  # a new ``now``: no cache hit

        scenario = loaded.scenario

        def grade_only() -> object:
            return grade(
                journal.events, scenario=scenario, policy=policy, trainee="bench", seed=SEED
            )

        results = measure(
            {
                "parse only (read_journal)": parse,
                "parse + grade_journal (scenario cached)": parse_and_grade,
                "parse + grade_journal (scenario cold)": parse_and_grade_cold,
                "grade only (events already parsed)": grade_only,
                f"live regrade, first hour ({len(live.events)} events kept)": regrade,
            }
        )
    print()
    print(f"{'case':48} {'median ms':>10} {'per s':>8} {'best ms':>9} {'vs parse':>9}")
    for name, (median, best, ratio) in results.items():
        print(f"{name:48} {median * 1e3:10.3f} {1 / median:8.1f} {best * 1e3:9.3f} {ratio:8.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
