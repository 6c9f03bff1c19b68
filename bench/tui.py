"""TUI benchmark: time to first paint of the lobby and of the console, and the cost of a key
press round trip in the console while the sim runs at 60x, each beside a bare Textual app with
the same widgets, measured in the same run; the first frame from spawn in a real pseudo-terminal
(``bench/tui_spawn.py``); and how late the console's pacer ticks (which deliver every engine
event, injects included) during play at 1x and 60x.

    python bench/tui.py [REPEATS]

The first rows run headless (``App.run_test``) at 120x36, in this process, Textual and warroom
already imported. "First paint" is from creating the app to its first screen composed, mounted,
laid out and painted; the round trip is one press of the pause key (sent through the driver as a
terminal would) until every message it caused has been handled and the screen is painted again.
Both wait on the app's message queues, not on ``Pilot.pause``, whose idle heuristic sleeps up to
a second and would measure the machine's load rather than the app. The "from spawn" rows are
what a user waits for: ``warroom`` and ``warroom play api-outage`` spawned on a 120x36
pseudo-terminal until their first full frame is written, beside the bare apps of
``bench/tui_bare.py`` (Textual only), with the CPU time each process used by then (the figure
that moves least with the machine's load). Prints best and median of REPEATS runs and the ratio
of medians (warroom / bare); the target for the first frame from spawn is 1.5x. Tick lateness
is each 10 Hz tick's delay past its slot on the timer's grid, over DELIVERY seconds of play per
speed: events due in a slot reach the screen on its tick, so a late tick is a late inject (the
target: p99 within 25 ms; full garbage collections, 80-110 ms, are what ``gc.freeze()`` after
start-up keeps away). A frame is 1/60 s: the round trip's median should be within two frames
(33 ms).

Measured 2026-12-03, one run each, back to back, on the 2-core machine shared with other work
(load average 4-5: every time is about twice a quiet machine's; compare the ratios). Medians,
ms, warroom / bare:

    measure                          before (b7c9083)          after
    lobby first paint (headless)     1324.2 /  371.3  3.57x     875.1 / 331.1  2.64x
    console first paint (headless)   1361.1 /  522.7  2.60x     860.3 / 333.0  2.58x
    key round trip (console at 60x)    56.2 /   31.9  1.76x      35.7 /  47.2  0.76x
    lobby first frame from spawn     2224.6 /  775.1  2.87x     660.2 / 515.2  1.28x
    console first frame from spawn   2345.8 / 1093.8  2.14x    1152.3 / 646.0  1.78x
    lobby first frame, CPU           1140.0 /  380.0  3.00x     470.0 / 360.0  1.31x
    console first frame, CPU         1180.0 /  510.0  2.31x     900.0 / 410.0  2.20x

The lobby is within 1.5x. The console is not: before its first frame ``warroom play`` validates
the scenario and the policy, and building their pydantic models (pydantic ~45 ms, the scenario
models ~125-170, the policy models ~100, CPU time) is the difference; Textual's own import
(~150-200) is in both. See the README's benchmark section.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.pilot import Pilot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import tui_spawn
from bench.tui_bare import BareConsole, BareLobby
from tui.app import make_app
from tui.headless.catalogue import catalogue
from tui.screens import console as console_module
from tui.screens.console import TICK, ConsoleScreen

SIZE = (120, 36)

ROWS = [(s.id, s.title, s.difficulty, "SEV-2", "1h") for s in catalogue().entries]
"""The bare lobby's rows, read once outside the timings (it has no library to load)."""


async def painted(pilot: Pilot[Any]) -> None:
    """Until the app has handled what is queued and the current screen is painted."""
    for _ in range(2):
        await pilot._wait_for_screen()
        screen = pilot.app.screen
        await screen._mounted_event.wait()
        screen._on_timer_update()
        await asyncio.sleep(0)


async def first_paint(factory: Callable[[], App[Any]]) -> float:
    start = time.perf_counter()
    app = factory()
    async with app.run_test(size=SIZE) as pilot:
        await painted(pilot)
        return time.perf_counter() - start


async def round_trips(factory: Callable[[], App[Any]], presses: int) -> list[float]:
    app = factory()
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if isinstance(app.screen, ConsoleScreen):
            while app.screen.session.pacer.speed < 60:  # the app starts at 60x already
                app.screen.bridge.step_speed(+1, time.monotonic())
        await asyncio.sleep(0.3)
        assert app._driver is not None
        for _ in range(presses):
            start = time.perf_counter()
            key = events.Key("space", " ")
            key.set_sender(app)
            app._driver.send_message(key)
            await painted(pilot)
            times.append(time.perf_counter() - start)
            await asyncio.sleep(0.05)  # let the 60x sim run between presses
    return times


DELIVERY = 8.0
"""Seconds of play per speed for the tick lateness."""


async def tick_lateness(folder: Path, speed: float) -> list[float]:
    """How late each pacer tick ran, in seconds, over ``DELIVERY`` seconds of play.

    The timer keeps a fixed grid of 0.1 s slots from its start, which the screen does not
    see: each tick is put in its slot counted from the first one (the nearest), and lateness is
    its offset there less the smallest offset seen (the ticks that ran on time). A tick more
    than half a slot late would be counted in the next slot: the figures are a lower bound
    past 50 ms.
    """
    stamps: list[float] = []
    original = ConsoleScreen._tick

    def timed(self: ConsoleScreen) -> None:
        stamps.append(time.monotonic())
        original(self)

    console_module.ConsoleScreen._tick = timed  # type: ignore[method-assign]
    try:
        app = make_app("api-outage", trainee="Bench", journal_dir=folder, speed=speed)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await asyncio.sleep(DELIVERY)
    finally:
        console_module.ConsoleScreen._tick = original  # type: ignore[method-assign]
    stamps = stamps[2:]  # start-up
    offsets = [t - stamps[0] - round((t - stamps[0]) / TICK) * TICK for t in stamps]
    on_time = min(offsets)
    return [o - on_time for o in offsets]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(name: str, ours: list[float], bare: list[float]) -> str:
    m1, m2 = statistics.median(ours), statistics.median(bare)
    return (
        f"| {name:<34} | {min(ours) * 1000:8.1f} | {m1 * 1000:8.1f} | {min(bare) * 1000:8.1f} "
        f"| {m2 * 1000:8.1f} | {m1 / m2:5.2f}x |"
    )


async def main(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def lobby() -> App[Any]:
            return make_app(journal_dir=folder)

        def console() -> App[Any]:
            return make_app("api-outage", trainee="Bench", journal_dir=folder, speed=60)

        results: dict[str, tuple[list[float], list[float]]] = {
            "lobby first paint": ([], []),
            "console first paint": ([], []),
        }

        def bare_lobby() -> App[Any]:
            return BareLobby(ROWS)

        for _ in range(repeats):
            results["lobby first paint"][0].append(await first_paint(lobby))
            results["lobby first paint"][1].append(await first_paint(bare_lobby))
            results["console first paint"][0].append(await first_paint(console))
            results["console first paint"][1].append(await first_paint(BareConsole))
        ours = await round_trips(console, repeats * 4)
        bare = await round_trips(BareConsole, repeats * 4)
        results["key round trip (console at 60x)"] = (ours, bare)
        lateness = {speed: await tick_lateness(folder, speed) for speed in (1.0, 60.0)}
    spawned = tui_spawn.measure(repeats)
    results.update(spawned)
    print(
        f"TUI benchmark, {repeats} repeats, headless and in a pseudo-terminal, "
        f"{SIZE[0]}x{SIZE[1]}, times in ms"
    )
    print()
    print(
        f"| {'measure':<34} | {'best':>8} | {'median':>8} | {'bare best':>8} | {'bare med':>8} | ratio |"
    )
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 10}|{'-' * 11}|{'-' * 10}|-------|")
    for name, (a, b) in results.items():
        print(row(name, a, b))
    print()
    tui_spawn.verdicts(spawned)
    frames = statistics.median(results["key round trip (console at 60x)"][0]) / (1 / 60)
    print()
    print(f"key round trip at 60x: median {frames:.1f} frames (target: within 2)")
    for speed, late in lateness.items():
        print(
            f"pacer tick lateness at {speed:g}x over {DELIVERY:g}s ({len(late)} ticks): "
            f"median {statistics.median(late) * 1000:.1f} ms, "
            f"p99 {percentile(late, 0.99) * 1000:.1f} ms, max {max(late) * 1000:.1f} ms "
            "(target: p99 within 25 ms)"
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
