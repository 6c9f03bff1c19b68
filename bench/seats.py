"""Team seats' fan-out beside a bare asyncio fan-out of the same messages, measured in one run.

A host plays api-outage at 60x for a few wall seconds and serves it (TLS on loopback) to 30
headless seats in another process; every event's publish time (the engine's emission, on the
host) and every seat's receipt time are read from the same monotonic clock. Then a bare
asyncio server (no protocol, no TLS, no catch-up) writes the same lines at the same moments to
30 plain connections. Prints receipt latency p50/p99 for both (target p99 <= 50 ms for the
seats) and the host's CPU per seat for both.

Run from the repository root: python -m bench.seats [SEATS] [WALL_SECONDS] [--plaintext]
(``bench/tui.py`` would shadow the ``tui`` package if this file were run by its path.)
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import statistics
import sys
import tempfile
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


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seats = int(args[0]) if args else 30
    wall = float(args[1]) if len(args) > 1 else 10.0
    plaintext = "--plaintext" in sys.argv
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


if __name__ == "__main__":
    main()
