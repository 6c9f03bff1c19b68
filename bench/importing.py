"""Benchmark: ``warroom import`` of two-hour journals, and a cohort report from the records.

1. **Import.** Plays ``validator-dropout`` with the novice autopilot (it never resolves, so the
   exercise runs its full 2 hours: about 1,500 lines, 0.5 MB), then writes N copies as live
   sessions of N different trainees, each sealed with the programme's key as the TUI seals it
   (so they count for credit and are all distinct by SHA-256). Times ``import_journals`` into
   a new SQLite records database with a process pool of one worker per core (what ``warroom
   import`` does), and, beside it, reading the same journals with ``json.loads`` on every line
   alone (no checks, no grading, no records) in one process and in the same pool.
2. **Cohort.** Records M attempts (default 10,000) graded from those journals (the rows
   ``warroom import`` writes, trainees cycling through 500 names), then times
   ``cohort_data_from_records`` (the data of ``warroom report --cohort --db``), median of 5,
   beside reading M of the journals with ``json.loads`` alone (measured on the N journals on
   disk and scaled to M, since M two-hour journals are 5 GB).

Besides wall time it prints the CPU time per journal (this process and its workers), which a
busy shared machine does not inflate, and the rate that gives when the cores are free.

Run from the repository's root: ``python bench/importing.py [N] [M]`` (defaults 1000 and 10000;
about a minute and 500 MB of temporary files). Prints the Python version, the core count and
the figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE in sys.path:  # bench/reports.py would shadow the reports package
    sys.path.remove(_HERE)

import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

from assessments.intake import import_journals  # noqa: E402
from assessments.programme import sealing_key  # noqa: E402
from assessments.records import Records  # noqa: E402
from reports import cohort_data_from_records  # noqa: E402
from simulator.journal import JournalWriter, read_journal  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_grading", Path(_HERE) / "grading.py")
assert _spec is not None and _spec.loader is not None
_grading = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_grading)
make_journal = _grading.make_journal


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def json_only(path: str) -> int:
    """Read a journal with ``json.loads`` on every line and nothing else."""
    with open(path, encoding="utf-8") as f:
        return len([json.loads(line) for line in f])


def write_journals(folder: Path, db: Path, n: int) -> list[Path]:
    """N sealed live-session journals of N trainees, from one two-hour play."""
    source = read_journal(make_journal(folder))
    seal = sealing_key(db)
    paths: list[Path] = []
    for i in range(n):
        header = replace(
            source.header,
            trainee=f"Trainee {i:05d}",
            driver="tui",
            started_at=(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=i)).isoformat(),
        )
        path = folder / "journals" / f"{i:05d}.jsonl"
        with JournalWriter(path, header, seal=seal) as writer:
            for event in source.events:
                writer(event)
        paths.append(path)
    return paths


def main() -> int:
    """Build the journals, import them, make the cohort data; print the figures."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    cores = os.cpu_count() or 1
    print(f"Python {platform.python_version()} on {sys.platform}, {cores} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "records.db"
        paths = write_journals(folder, db, n)
        size = sum(p.stat().st_size for p in paths) / n
        lines = sum(1 for _ in paths[0].open())
        print(f"{n} journals of {lines} lines, {size / 1e6:.2f} MB each")

        names = [str(p) for p in paths]
        began, cpu0 = time.perf_counter(), _cpu()
        report = import_journals(db, paths)
        imported, cpu = time.perf_counter() - began, _cpu() - cpu0
        assert report.count("imported") == n, [o for o in report.outcomes if o.message][:3]
        began, cpu0 = time.perf_counter(), _cpu()
        for name in names:
            json_only(name)
        one, json_cpu = time.perf_counter() - began, _cpu() - cpu0
        began = time.perf_counter()
        with ProcessPoolExecutor(cores) as pool:
            list(pool.map(json_only, names, chunksize=16))
        pooled = time.perf_counter() - began
        print(
            f"import (read, seal check, grade, record; {cores} processes): "
            f"{n / imported:,.0f} journals/s ({imported:.2f} s)"
        )
        print(
            f"  CPU {cpu / n * 1000:.2f} ms per journal (all processes): "
            f"{cores * n / cpu:,.0f} journals/s when {cores} cores are free"
        )
        print(f"json.loads of every line alone, 1 process: {n / one:,.0f} journals/s")
        print(
            f"  CPU {json_cpu / n * 1000:.2f} ms per journal: "
            f"{cores * n / json_cpu:,.0f} journals/s when {cores} cores are free"
        )
        print(f"json.loads of every line alone, {cores} processes: {n / pooled:,.0f} journals/s")

        with Records(db) as records:
            (attempt,) = records.exercises()[:1] or [None]
            assert attempt is not None
            sample = records.cohort_rows()[0]
            critical = json.loads(sample[12])
            markers = json.loads(sample[13])
            outcomes = json.loads(sample[9])
            with records.transaction():
                for i in range(n, m):
                    records.add_exercise(
                        f"Trainee {i % 500:05d}",
                        scenario=attempt.scenario,
                        policy=attempt.policy,
                        score=attempt.score,
                        passed=i % 3 != 0,
                        criteria=attempt.criteria,
                        recorded_at=attempt.recorded_at,
                        seed=attempt.seed,
                        journal_sha256=f"{i:064x}",
                        driver="tui",
                        title=attempt.title,
                        started_at=attempt.started_at,
                        completed=True,
                        sealed_by=attempt.sealed_by,
                        critical=critical,
                        markers=markers,
                        outcomes=outcomes,
                    )
        times = []
        for _ in range(5):
            began = time.perf_counter()
            data = cohort_data_from_records(db)
            times.append(time.perf_counter() - began)
        assert data["sessions"] == m, data["sessions"]
        cohort = statistics.median(times)
        print(
            f"cohort data from the records, {m:,} attempts: {cohort:.3f} s "
            f"(median of 5; fastest {min(times):.3f} s)"
        )
        print(
            f"json.loads alone of {m:,} journals: {one / n * m:.1f} s in 1 process, "
            f"{pooled / n * m:.1f} s in {cores} (scaled from the {n} above)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
