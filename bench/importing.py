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

3. **Stages.** Where an import's CPU goes, per journal, in this process (best of 3 passes over up
   to 200 of the journals): reading, SHA-256, the seal check and decoding (``read_sealed``),
   grading (scenario and policy found already), recording (``Records.add_exercises``).

Besides wall time it prints the CPU time per journal (this process and its workers), which a
busy shared machine inflates less, the rate that gives when the cores are free, and the load
average before and after.

Figures (2026-12-03, the 2-core machine quiet, load average 0.5-1.1): import 430-594
journals/s in six runs (median 517/s), 3.15-4.30 ms of CPU per journal over all processes;
``json.loads`` alone 69 journals/s in one process, 14.4 ms per journal; the stages 2.8 ms per
journal (read 0.38, SHA-256 0.33, seal check and decoding 1.25, grading 0.57, recording 0.23);
the cohort's data over 10,000 attempts 0.53-0.66 s. ``docs/records.md`` has the output.

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

import hashlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

from assessments.assessor import grade_journal  # noqa: E402
from assessments.intake import import_journals  # noqa: E402
from assessments.keys import load_keys  # noqa: E402
from assessments.policy import journal_policy  # noqa: E402
from assessments.programme import sealing_key  # noqa: E402
from assessments.records import Records  # noqa: E402
from reports import cohort_data_from_records  # noqa: E402
from simulator.files import read_bytes  # noqa: E402
from simulator.journal import (  # noqa: E402
    MAX_JOURNAL_BYTES,
    JournalWriter,
    read_journal,
    read_sealed,
)
from simulator.library import journal_scenario  # noqa: E402

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


def best_cpu(work: Callable[[], object], rounds: int = 3) -> float:
    """The least CPU seconds of this process ``work`` took in ``rounds`` runs."""
    least = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        work()
        least = min(least, time.process_time() - began)
    return least


def stages(paths: list[Path], db: Path, attempts: list[dict[str, Any]]) -> dict[str, float]:
    """CPU ms per journal of each stage of an import, in this process, best of 3 passes.

    The stages are what a worker does to each journal (read it; hash it; check its seal and
    decode the lines grading reads; grade it, scenario and policy found already) and what the
    parent does with the attempt (record it, in batches: ``attempts`` are rows as the import
    records them, written to a new database each pass).
    """
    keys = load_keys(db).by_id
    data = [read_bytes(p, limit=MAX_JOURNAL_BYTES) for p in paths]
    digests = [hashlib.sha256(d).hexdigest() for d in data]
    read = [
        read_sealed(p, keys, data=d, sha256=h)[0]
        for p, d, h in zip(paths, data, digests, strict=True)
    ]
    loaded, policy = journal_scenario(read[0]), journal_policy(read[0])
    n = len(paths)

    def record() -> None:
        with tempfile.TemporaryDirectory() as tmp, Records(Path(tmp) / "r.db") as records:
            began = time.process_time()
            records.add_exercises(attempts[:n], recorded_at=datetime.now(UTC))
            spent.append(time.process_time() - began)

    def read_each() -> None:
        for p in paths:  # one at a time, as a worker does (not kept)
            read_bytes(p, limit=MAX_JOURNAL_BYTES)

    spent: list[float] = []
    for _ in range(3):
        record()
    costs = {
        "read": best_cpu(read_each),
        "SHA-256": best_cpu(lambda: [hashlib.sha256(d).hexdigest() for d in data]),
        "seal check and decoding": best_cpu(
            lambda: [
                read_sealed(p, keys, data=d, sha256=h)
                for p, d, h in zip(paths, data, digests, strict=True)
            ]
        ),
        "grading": best_cpu(lambda: [grade_journal(j, policy=policy, loaded=loaded) for j in read]),
        "recording": min(spent),
    }
    return {name: seconds / n * 1000 for name, seconds in costs.items()}


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
    print(f"load average before: {os.getloadavg()[0]:.2f}")
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
            done = records.exercises()
            sample = records.cohort_rows()[0]
        critical = json.loads(sample[12])
        markers = json.loads(sample[13])
        outcomes = json.loads(sample[9])
        rows = [
            {
                "trainee": a.trainee,
                "scenario": a.scenario,
                "policy": a.policy,
                "score": a.score,
                "passed": a.passed,
                "criteria": a.criteria,
                "seed": a.seed,
                "journal_path": a.journal_path,
                "journal_sha256": a.journal_sha256,
                "driver": a.driver,
                "title": a.title,
                "started_at": a.started_at,
                "completed": a.completed,
                "sealed_by": a.sealed_by,
                "critical": critical,
                "markers": markers,
                "outcomes": outcomes,
            }
            for a in done
        ]
        costs = stages(paths[: min(n, 200)], db, rows)
        total = sum(costs.values())
        print(
            f"where an import's CPU goes, per journal, in one process (best of 3 over "
            f"{min(n, 200)} journals): "
            + ", ".join(f"{name} {ms:.2f} ms" for name, ms in costs.items())
            + f"; {total:.2f} ms in all: {cores / total * 1000:,.0f} journals/s when {cores} "
            "cores are free"
        )

        attempt = done[0]
        with Records(db) as records, records.transaction():
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
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
