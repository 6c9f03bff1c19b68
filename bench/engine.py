"""Engine throughput beside bare SimPy, measured in the same run.

Plays N timed injects through the warroom engine (delivery, typed events to a subscriber)
and the same N through bare SimPy (one process per inject with a small handler, the baseline
DESIGN.md quotes at ~126k injects/s), and prints events/s of both and the ratio. Set-up (the
scenario, the processes) is outside the timing, and the heap is frozen for both, as in play.
The target is the engine within 3x of bare SimPy per event.

Run: python bench/engine.py [N] [REPEATS]
"""

from __future__ import annotations

import gc
import platform
import statistics
import sys
import time
from typing import Any

import simpy

from simulator.engine import Engine
from simulator.model import Scenario

RANDOM_SEED = 42


def scenario(n: int) -> Scenario:
    """A scenario with ``n`` timed injects spread over an hour and almost nothing else."""
    return Scenario.model_validate(
        {
            "id": "bench",
            "title": "Benchmark",
            "summary": "Many injects.",
            "difficulty": "beginner",
            "objectives": ["measure"],
            "start": "2026-01-30T15:00:00Z",
            "duration": "2h",
            "sample_every": "60s",
            "expected": {"severity": "high", "rationale": "bench"},
            "services": [
                {"id": "api", "name": "API", "metrics": [{"id": "x", "name": "x", "baseline": 1}]}
            ],
            "faults": [
                {
                    "id": "f",
                    "title": "f",
                    "root_cause": True,
                    "at": "1s",
                    "effects": [{"metric": "api.x", "to": 2}],
                }
            ],
            "injects": [
                {"id": f"i{i}", "from": "Bench", "at": 1 + (i * 3600.0 / n), "text": "message"}
                for i in range(n)
            ],
            "debrief": {"root_cause": "bench", "resolution": "bench"},
        }
    )


def run_engine(s: Scenario) -> tuple[float, int]:
    engine = Engine(s, seed=RANDOM_SEED, severity_levels=("SEV-1", "SEV-2"))
    count = 0

    def on_event(event: Any) -> None:
        nonlocal count
        if event.kind == "inject":
            count += 1

    engine.subscribe(on_event)
    engine.start()
    with frozen_heap():
        t0 = time.perf_counter()
        engine.run_to_end()
        return time.perf_counter() - t0, count


def run_bare(times: list[float]) -> tuple[float, int]:
    env = simpy.Environment()
    delivered: list[tuple[float, str]] = []

    def inject(at: float, text: str) -> Any:
        yield env.timeout(at)
        delivered.append((env.now, text))

    for at in times:
        env.process(inject(at, "message"))
    with frozen_heap():
        t0 = time.perf_counter()
        env.run(until=7200)
        return time.perf_counter() - t0, len(delivered)


class frozen_heap:
    """Keep the garbage collector out of the timing, for both sides alike.

    Set-up allocations are frozen and collection is off while timing, as ``timeit`` does:
    with tens of thousands of live generators a full collection costs tens of milliseconds and
    lands wherever it lands, which measures the collector rather than the code (live play
    freezes the heap after start-up, DESIGN.md).
    """

    def __enter__(self) -> None:
        gc.collect()
        gc.freeze()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        gc.enable()
        gc.unfreeze()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    s = scenario(n)
    times = [x.at for x in s.injects if x.at is not None]
    engine_runs, bare_runs = [], []
    for _ in range(repeats):
        secs, count = run_bare(times)
        assert count == n
        bare_runs.append(secs)
        secs, count = run_engine(s)
        assert count == n, count
        engine_runs.append(secs)
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {n} injects, {repeats} interleaved runs"
    )
    print(f"{'':<24}{'best s':>9}{'events/s':>12}{'median s':>10}{'ratio (best)':>14}")
    best_bare = min(bare_runs)
    for label, runs in (("bare SimPy (baseline)", bare_runs), ("warroom engine", engine_runs)):
        best = min(runs)
        print(
            f"{label:<24}{best:>9.3f}{n / best:>12,.0f}{statistics.median(runs):>10.3f}"
            f"{best / best_bare:>14.2f}"
        )
    ratio = min(engine_runs) / best_bare
    print(
        f"target: engine within 3x of bare SimPy -> {'met' if ratio <= 3 else 'NOT met'} ({ratio:.2f}x)"
    )
    print("(best of the runs: on a shared machine the median mostly measures the neighbours)")


if __name__ == "__main__":
    main()
