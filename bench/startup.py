"""Start-up of the command line beside a bare interpreter, measured in the same run.

Runs ``python -c pass``, ``warroom --help`` and ``warroom list`` as subprocesses, interleaved,
REPEATS times each, and prints the best and median wall time in milliseconds and each command's
ratio to ``python -c pass``. The target is ``warroom --help`` and ``warroom list`` under 120 ms.

``warroom`` is the console script installed beside this interpreter (else ``python -m
tui.cli``). ``warroom list`` keeps its rows in the user cache directory; here that directory is
a temporary one (``XDG_CACHE_HOME``), warmed by one untimed run, so the figures are those of
every run after the first; the first run after the library or warroom changed (a cold cache,
every scenario loaded and validated) is timed once and shown below the table.

Run: python bench/startup.py [REPEATS]
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 120.0
"""What ``warroom --help`` and ``warroom list`` should stay under."""


def warroom() -> list[str]:
    """How to run ``warroom``: its console script, else the module."""
    script = Path(sys.executable).with_name("warroom")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]


def timed(argv: list[str], env: dict[str, str]) -> float:
    """Milliseconds from start to exit of ``argv`` (it must exit 0)."""
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache, "WARROOM_CACHE": cache}
        commands: dict[str, list[str]] = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "warroom --help": [*warroom(), "--help"],
            "warroom list": [*warroom(), "list"],
        }
        cold = timed(commands["warroom list"], env)
        for argv in commands.values():
            timed(argv, env)  # warm the file cache and the list cache
        runs: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(repeats):
            for label, argv in commands.items():
                runs[label].append(timed(argv, env))
    base_best = min(runs["python -c pass"])
    base_median = statistics.median(runs["python -c pass"])
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{repeats} interleaved runs each (ms)"
    )
    print("| command          |  best | median | ratio (best) | ratio (median) |")
    print("|------------------|-------|--------|--------------|----------------|")
    for label, times in runs.items():
        best, median = min(times), statistics.median(times)
        print(
            f"| {label:<16} | {best:5.0f} | {median:6.0f} | {best / base_best:11.1f}x "
            f"| {median / base_median:13.1f}x |"
        )
    worst = max(statistics.median(runs[k]) for k in ("warroom --help", "warroom list"))
    verdict = "met" if worst < TARGET_MS else "NOT met"
    print(
        f"target: --help and list under {TARGET_MS:.0f} ms (median) -> {verdict} ({worst:.0f} ms)"
    )
    print(f"warroom list with a cold cache (once, before the runs): {cold:.0f} ms")


if __name__ == "__main__":
    main()
