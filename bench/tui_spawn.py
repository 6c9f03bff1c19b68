"""First frame from spawn in a real pseudo-terminal: ``warroom`` (the lobby) and ``warroom play
api-outage`` (the console) beside bare Textual apps with the same widgets, in the same run.

    python bench/tui_spawn.py [REPEATS]

Each command is spawned on a fresh pseudo-terminal of 120x36 (``TIOCSWINSZ`` before the spawn,
``TERM=xterm-256color``), and timed from just before the spawn until everything it wrote, with
the escape sequences taken out, holds texts that are only on its finished first screen (the
lobby: the first scenario's details, filled in when the screen is mounted, a button and the
footer; the console: the last metric panel, the live score's criteria (nothing classified yet) and
the footer; the bare apps: the text their last widget is given and the table's first row or the
footer).
The process is then killed. The runs are interleaved (warroom lobby, bare lobby, warroom
console, bare console, REPEATS times) after one untimed warm-up of each, so that the file cache,
the bytecode caches (``PYTHONDONTWRITEBYTECODE`` is dropped for the children) and warroom's
catalogue cache are warm, as they are for every run but the first after an install. Everything the commands write (catalogue cache, journals, records) goes to a temporary
directory. Prints best and median and the ratio of medians (warroom / bare); the target is
1.5x.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.tui_bare import CONSOLE_DONE, LOBBY_DONE  # noqa: E402

SIZE = (120, 36)
TARGET = 1.5
"""The ratio (warroom / bare, medians) both screens should stay within."""

TIMEOUT = 30.0
"""Seconds a command may take to show its first frame before the run is abandoned."""

ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]"
)
"""CSI, OSC, DCS/SOS/PM/APC and two-byte escape sequences."""


@dataclass(frozen=True)
class Command:
    """One thing to spawn and the texts its finished first screen shows."""

    label: str
    argv: list[str]
    done: tuple[str, ...]


def warroom() -> list[str]:
    """How to run ``warroom``: its console script beside this interpreter, else the module."""
    script = Path(sys.executable).with_name("warroom")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a running process has used (Linux ``/proc``; else NaN)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_frame(
    argv: Sequence[str], done: Sequence[str], env: dict[str, str]
) -> tuple[float, float]:
    """Seconds from spawning ``argv`` on a 120x36 pseudo-terminal until its output holds every
    text in ``done``, and the CPU seconds the process used by then; it is killed then."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    wanted = [d.encode() for d in done]
    start = time.perf_counter()
    child = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        cwd=env["BENCH_CWD"],
    )
    os.close(slave)
    seen = b""
    try:
        while True:
            left = start + TIMEOUT - time.perf_counter()
            if left <= 0:
                text = ESCAPES.sub(b"", seen).decode(errors="replace")
                raise TimeoutError(f"{argv}: no first frame after {TIMEOUT:g}s:\n{text[-2000:]}")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                text = ESCAPES.sub(b"", seen).decode(errors="replace")
                raise RuntimeError(f"{argv} ended before its first frame:\n{text[-2000:]}")
            seen += chunk
            plain = ESCAPES.sub(b"", seen)
            if all(w in plain for w in wanted):
                return time.perf_counter() - start, cpu_seconds(child.pid)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        os.close(master)


def commands(rows_file: Path) -> list[Command]:
    """The four commands, in the order they are run."""
    from tui.headless.catalogue import catalogue

    entries = catalogue().entries
    rows_file.write_text(
        json.dumps([[e.id, e.title, e.difficulty, e.severity, str(e.duration)] for e in entries])
    )
    bare = [sys.executable, str(ROOT / "bench" / "tui_bare.py")]
    return [
        Command("lobby", warroom(), ("under default", "My record (^r)", "Quit")),
        Command(
            "bare lobby", [*bare, "lobby", str(rows_file)], (LOBBY_DONE, entries[0].id, "Start")
        ),
        Command(
            "console",
            [*warroom(), "play", "api-outage", "--trainee", "Bench", "--speed", "60"],
            ("Query latency p95", "not classified yet", "Quit"),
        ),
        Command("bare console", [*bare, "console"], (CONSOLE_DONE, "metric 6", "Pause")),
    ]


def row(name: str, ours: list[float], bare: list[float]) -> str:
    """One line of the table (milliseconds)."""
    m1, m2 = statistics.median(ours), statistics.median(bare)
    return (
        f"| {name:<34} | {min(ours) * 1000:8.1f} | {m1 * 1000:8.1f} | {min(bare) * 1000:8.1f} "
        f"| {m2 * 1000:8.1f} | {m1 / m2:5.2f}x |"
    )


def measure(repeats: int) -> dict[str, tuple[list[float], list[float]]]:
    """``{"lobby first frame from spawn": (warroom, bare), "console …": …}`` in seconds, wall
    time, then the same as CPU time (``… CPU``: what the process used until its first frame)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLUMNS": str(SIZE[0]),
            "LINES": str(SIZE[1]),
            "WARROOM_CACHE": str(folder / "cache"),
            "XDG_CACHE_HOME": str(folder / "cache"),
            "XDG_DATA_HOME": str(folder / "data"),
            "WARROOM_DB": str(folder / "records.sqlite"),
            "BENCH_CWD": str(folder),
        }
        for name in ("NO_COLOR", "TEXTUAL", "TEXTUAL_DRIVER", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        runs = commands(folder / "rows.json")
        walls: dict[str, list[float]] = {c.label: [] for c in runs}
        cpus: dict[str, list[float]] = {c.label: [] for c in runs}
        for c in runs:  # warm-up: the file cache, the bytecode, warroom's catalogue cache
            first_frame(c.argv, c.done, env)
        for _ in range(repeats):
            for c in runs:
                wall, cpu = first_frame(c.argv, c.done, env)
                walls[c.label].append(wall)
                cpus[c.label].append(cpu)
    return {
        "lobby first frame from spawn": (walls["lobby"], walls["bare lobby"]),
        "console first frame from spawn": (walls["console"], walls["bare console"]),
        "lobby first frame, CPU": (cpus["lobby"], cpus["bare lobby"]),
        "console first frame, CPU": (cpus["console"], cpus["bare console"]),
    }


def verdicts(results: dict[str, tuple[list[float], list[float]]]) -> None:
    """Print whether each ratio of medians is within ``TARGET``."""
    for name, (ours, bare) in results.items():
        ratio = statistics.median(ours) / statistics.median(bare)
        verdict = "met" if ratio <= TARGET else "NOT met"
        print(f"{name}: {ratio:.2f}x the bare app (target: within {TARGET:g}x) -> {verdict}")


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    results = measure(repeats)
    print(f"TUI first frame from spawn, {repeats} repeats, pty {SIZE[0]}x{SIZE[1]}, times in ms")
    print()
    print(
        f"| {'measure':<34} | {'best':>8} | {'median':>8} | {'bare best':>8} | {'bare med':>8} | ratio |"
    )
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 10}|{'-' * 11}|{'-' * 10}|-------|")
    for name, (ours, bare) in results.items():
        print(row(name, ours, bare))
    print()
    verdicts(results)


if __name__ == "__main__":
    main()
