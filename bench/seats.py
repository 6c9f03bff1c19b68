"""Team seats' fan-out beside a bare asyncio fan-out of the same messages, measured in one run.

A host plays api-outage at 60x for a few wall seconds and serves it (TLS on loopback) to 30
headless seats in another process; every event's publish time (the engine's emission, on the
host) and every seat's receipt time are read from the same monotonic clock. Then a bare
asyncio server (no protocol, no TLS, no catch-up) writes the same lines at the same moments to
30 plain connections. Prints receipt latency p50/p99 for both (target p99 <= 50 ms for the
seats) and the host's CPU per seat for both.

Then, in the same run, a seat's first frame, terminal beside browser (``--frames=N`` runs of
each, interleaved, after one untimed run of each): a terminal seat is ``warroom join`` started
in a pseudo-terminal (120x36), timed from its start to the first frame holding its screen's
text; a browser seat is a page of ``warroom host --web``'s server (``tui.screens.web``) in
headless Chromium driven by Playwright, timed from the page's navigation to the websocket
delivering the first frame holding the join screen's text (page, script, websocket, the seat's
process started by textual-serve, its first frame). Both against the same host, TLS unless
``--plaintext``. Skipped without Chromium.

Run from the repository root: python -m bench.seats [SEATS] [WALL_SECONDS] [--plaintext]
[--frames=N]
(``bench/tui.py`` would shadow the ``tui`` package if this file were run by its path.)
"""

from __future__ import annotations

import asyncio
import fcntl
import multiprocessing as mp
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from multiprocessing.connection import Connection
from pathlib import Path

from simulator import protocol as p
from simulator.events import Event
from tui.headless.session import new_session
from tui.headless.team import TeamHost
from tui.link.host import TeamServer
from tui.link.remote import RemoteSeat
from tui.link.seats import SeatTable
from tui.link.tls import host_identity, server_context
from tui.link.web import SeatTarget


def _seats_process(
    mode: str, port: int, codes: list[str], plaintext: bool, pins: str, out: Connection
) -> None:
    async def one(code: str) -> list[float]:
        times: list[float] = []
        if mode == "bare":
            reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
            while line := await reader.readline():
                times.append(time.monotonic())
                del line
            writer.close()
            return times
        seat = RemoteSeat(
            "127.0.0.1", port, code, known_hosts=Path(pins), plaintext_for_tests=plaintext
        )
        async for message in seat.messages():
            if isinstance(message, p.EventMessage):
                times.append(time.monotonic())
        await seat.close()
        return times

    async def main() -> list[list[float]]:
        return list(await asyncio.gather(*(one(c) for c in codes)))

    out.send(asyncio.run(main()))


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50 * 1000, p99 * 1000


async def _warroom(
    seats: int, wall: float, plaintext: bool, root: Path
) -> tuple[list[float], list[bytes], list[list[float]], float]:
    session = new_session(
        "api-outage", trainee="bench", speed=60.0, journal_dir=root / "s", paused=True
    )
    published: list[float] = []
    lines: list[bytes] = []

    def stamp(event: Event) -> None:
        published.append(time.monotonic())
        lines.append(p.encode_event(len(lines), event, p.NETWORK_VERSION))

    session.engine.subscribe(stamp)
    session.open(time.monotonic())
    table = SeatTable(["observer"] * seats)
    tls = None if plaintext else server_context(host_identity(root / "host"))
    assert session.header is not None
    server = TeamServer(
        session.header, table, lambda c, s: (False, "bench"), tls=tls, plaintext_for_tests=plaintext
    )
    TeamHost(session, server)  # the engine now publishes to the seats
    await server.start()
    codes = [s.code for s in table.seats.values()]
    receiver, sender = mp.Pipe(duplex=False)
    proc = mp.get_context("spawn").Process(
        target=_seats_process,
        args=("warroom", server.port, codes, plaintext, str(root / "known_hosts"), sender),
    )
    proc.start()
    async with asyncio.timeout(30):
        while sum(server.connected().values()) < seats:
            await asyncio.sleep(0.05)
    first = len(published)
    cpu = time.process_time()
    session.pacer.start(time.monotonic())
    end = time.monotonic() + wall
    while time.monotonic() < end and not session.engine.ended:
        session.tick(time.monotonic())
        await asyncio.sleep(0.02)
    cpu = time.process_time() - cpu
    await server.close()
    session.close()
    received = await asyncio.get_running_loop().run_in_executor(None, receiver.recv)
    proc.join()
    return published[first:], lines[first:], [r[first:] for r in received], cpu


async def _bare(
    seats: int, published: list[float], lines: list[bytes]
) -> tuple[list[float], list[list[float]], float]:
    writers: list[asyncio.StreamWriter] = []
    connected = asyncio.Event()

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        if len(writers) == seats:
            connected.set()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    receiver, sender = mp.Pipe(duplex=False)
    proc = mp.get_context("spawn").Process(
        target=_seats_process, args=("bare", port, [""] * seats, True, "", sender)
    )
    proc.start()
    await asyncio.wait_for(connected.wait(), 30)
    base = time.monotonic() - published[0]
    sent: list[float] = []
    cpu = time.process_time()
    for at, line in zip(published, lines, strict=True):
        delay = at + base - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent.append(time.monotonic())
        for w in writers:
            w.write(line)
    cpu = time.process_time() - cpu
    for w in writers:
        w.close()
    server.close()
    received = await asyncio.get_running_loop().run_in_executor(None, receiver.recv)
    proc.join()
    return sent, received, cpu


TERMINAL_MARK = b"what I see"
"""Text of the terminal seat's first frame (its command line's placeholder)."""

FIRST_FRAME_JS = """
(() => {
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  let seen = "";
  const look = (bytes) => {
    seen += decoder.decode(bytes, {stream: true});
    if (window.__firstFrame === undefined && seen.includes("join code")) {
      window.__firstFrame = performance.now();
    }
  };
  function Watched(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    ws.addEventListener("message", (e) => {
      if (typeof e.data === "string") seen += e.data;
      else if (e.data instanceof ArrayBuffer) look(new Uint8Array(e.data));
      else if (e.data instanceof Blob) e.data.arrayBuffer().then((b) => look(new Uint8Array(b)));
    });
    return ws;
  }
  Watched.prototype = Native.prototype;
  Object.assign(Watched, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Watched;
})();
"""
"""Marks when the browser seat's websocket has delivered the join screen's text."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def terminal_first_frame(port: int, code: str, plaintext: bool, data: str) -> float:
    """Milliseconds from starting ``warroom join`` in a 120x36 pseudo-terminal to its first
    frame (the seat's screen) on that terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    argv = [sys.executable, "-m", "tui.cli", "join", f"127.0.0.1:{port}", "--code", code]
    env = {**os.environ, "TERM": "xterm-256color", "XDG_DATA_HOME": data}
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [*argv, *(["--plaintext-for-tests"] if plaintext else [])],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""
    try:
        while TERMINAL_MARK not in seen:
            ready, _, _ = select.select([master], [], [], 30)
            if not ready:
                raise RuntimeError("the terminal seat showed no frame within 30 s")
            seen += os.read(master, 1 << 16)
        return (time.monotonic() - t0) * 1000
    finally:
        proc.terminate()
        proc.wait(10)
        os.close(master)


async def _first_frames(
    repeats: int, plaintext: bool, root: Path, chromium: str | None
) -> tuple[list[float], list[float]]:
    from tui.screens.web import SeatWebServer

    session = new_session(
        "api-outage", trainee="bench", speed=60.0, journal_dir=root / "frames", paused=True
    )
    session.open(time.monotonic())
    assert session.header is not None
    identity = host_identity(root / "host")
    tls = None if plaintext else server_context(identity)
    table = SeatTable(["comms"] * (repeats + 1))
    server = TeamServer(
        session.header, table, lambda c, s: (False, "bench"), tls=tls, plaintext_for_tests=plaintext
    )
    TeamHost(session, server)
    await server.start()
    web = SeatWebServer("127.0.0.1", 0, tls=tls, max_pages=4)
    await web.start()
    web.open_seats(
        SeatTarget("127.0.0.1", server.port, None if plaintext else identity.fingerprint)
    )
    codes = [s.code for s in table.seats.values()]
    terminal: list[float] = []
    browser: list[float] = []
    try:
        if chromium is None:
            for code in codes:
                terminal.append(
                    await asyncio.to_thread(
                        terminal_first_frame, server.port, code, plaintext, str(root / "data")
                    )
                )
            return terminal[1:], browser
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            chrome = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = await chrome.new_context(
                ignore_https_errors=True, viewport={"width": 1100, "height": 700}
            )
            await context.add_init_script(FIRST_FRAME_JS)
            for code in codes:
                terminal.append(
                    await asyncio.to_thread(
                        terminal_first_frame, server.port, code, plaintext, str(root / "data")
                    )
                )
                page = await context.new_page()
                await page.goto(web.url("127.0.0.1"))
                await page.wait_for_function("window.__firstFrame !== undefined", timeout=60_000)
                browser.append(float(await page.evaluate("window.__firstFrame")))
                await page.close()
            await chrome.close()
    finally:
        await web.close()
        await server.close()
        session.close()
    return terminal[1:], browser[1:]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seats = int(args[0]) if args else 30
    wall = float(args[1]) if len(args) > 1 else 10.0
    plaintext = "--plaintext" in sys.argv
    frames = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--frames=")), 5)
    with tempfile.TemporaryDirectory() as tmp:
        published, lines, received, cpu = asyncio.run(_warroom(seats, wall, plaintext, Path(tmp)))
    late = [r - s for times in received for s, r in zip(published, times, strict=False)]
    complete = all(len(t) >= len(published) for t in received)
    sent, bare_received, bare_cpu = asyncio.run(_bare(seats, published, lines))
    bare_late = [r - s for times in bare_received for s, r in zip(sent, times, strict=False)]
    w50, w99 = _percentiles(late)
    b50, b99 = _percentiles(bare_late)
    transport = "plaintext" if plaintext else "TLS"
    print(f"{seats} seats, api-outage at 60x for {wall:g}s, {len(published)} events each")
    print(f"warroom seats ({transport}): p50 {w50:.2f} ms  p99 {w99:.2f} ms  (target p99 <= 50 ms)")
    print(f"bare asyncio fan-out:        p50 {b50:.2f} ms  p99 {b99:.2f} ms")
    print(
        f"host CPU per seat: warroom {cpu / seats * 1000:.2f} ms, "
        f"bare {bare_cpu / seats * 1000:.2f} ms over the run"
    )
    print(f"every seat got every event: {complete}")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as tmp:
        terminal, browser = asyncio.run(_first_frames(frames, plaintext, Path(tmp), chromium))
    t50 = statistics.median(terminal)
    print(f"first frame, median of {frames} ({transport}):")
    print(f"  terminal seat (warroom join in a pty): {t50:.0f} ms (best {min(terminal):.0f})")
    if browser:
        b50 = statistics.median(browser)
        print(
            f"  browser seat (Chromium, --web page):   {b50:.0f} ms (best {min(browser):.0f})"
            f"  ratio {b50 / t50:.2f}x the terminal seat"
        )
    else:
        print("  browser seat: skipped (no Chromium)")


if __name__ == "__main__":
    main()
