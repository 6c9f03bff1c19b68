"""Two facilitators' machines recording into one records database at once.

Two processes each record N graded exercises (one transaction each, as ``warroom run --record``
or the TUI does), started together, into one PostgreSQL database and then into one SQLite file;
prints the wall time and attempts/s of each and checks that all 2 x N rows are there. Without
``--url`` the PostgreSQL side is a throwaway local cluster with its durable defaults (fsync on,
unlike the test fixture), started and deleted by the script (``tests/postgres.py``), so run it
from the repository's root.

Run: python bench/records.py [N] [--url postgresql://…]
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.synchronize
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from assessments.records import Records

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def facilitator(
    location: str, machine: int, n: int, start: multiprocessing.synchronize.Event
) -> None:
    """Record ``n`` exercises as machine ``machine``."""
    start.wait(60)
    with Records(location) as r:
        for i in range(n):
            r.add_exercise(
                f"Trainee {i % 50}",
                scenario="api-outage",
                policy="default",
                score=0.75,
                passed=True,
                criteria=[{"id": "ack_alert", "passed": True, "measured_s": 61.0}],
                recorded_at=NOW,
                journal_sha256=f"{machine:02d}{i:062d}",
                driver="facilitator",
            )


def measure(location: str, n: int) -> float:
    """Seconds for two processes to record ``n`` attempts each into ``location``."""
    Records(location).close()
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=facilitator, args=(location, m, n, start)) for m in (1, 2)]
    for p in workers:
        p.start()
    time.sleep(1.0)
    began = time.perf_counter()
    start.set()
    for p in workers:
        p.join()
    took = time.perf_counter() - began
    if [p.exitcode for p in workers] != [0, 0]:
        raise SystemExit(f"a facilitator failed: exit codes {[p.exitcode for p in workers]}")
    with Records(location) as r:
        count = sum(len(rec.exercises) for rec in r.all_records())
    if count != 2 * n:
        raise SystemExit(f"lost attempts: {count} of {2 * n} recorded")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1000, help="attempts per machine")
    parser.add_argument("--url", help="a PostgreSQL database to measure (default: throwaway)")
    args = parser.parse_args()
    print(f"{platform.python_version()} on {platform.machine()}, 2 x {args.n} attempts")
    cluster = None
    url = args.url
    if url is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' helper
        from tests.postgres import start_cluster

        cluster = start_cluster(durable=True)
        url = cluster.url()
    try:
        took = measure(url, args.n)
        print(f"PostgreSQL: {took:6.2f} s  {2 * args.n / took:7.0f} attempts/s  nothing lost")
    finally:
        if cluster is not None:
            cluster.stop()
    with tempfile.TemporaryDirectory() as folder:
        took = measure(str(Path(folder) / "records.db"), args.n)
        print(f"SQLite:     {took:6.2f} s  {2 * args.n / took:7.0f} attempts/s  nothing lost")


if __name__ == "__main__":
    main()
