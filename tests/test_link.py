"""The link: a facilitator attached to a playing session sees its events exactly once, even
across dropped connections, and its commands go through what its seat may send."""

from __future__ import annotations

import asyncio
import functools
import json
import math
import os
import socket
import stat
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from assessments.policy import Policy, load_policy
from simulator import commands as c
from simulator import protocol as p
from simulator.autopilot import Autopilot
from simulator.engine import Engine
from simulator.events import ActionAccepted, Event, InjectDelivered, Message, dumps
from simulator.journal import Header
from simulator.library import LoadedScenario, load_scenario
from simulator.runner import Driver
from tui.link.client import LinkClient
from tui.link.common import (
    LINK_FILE,
    LinkError,
    LinkLost,
    find_live_sessions,
    resolve_socket,
    socket_path_for,
)
from tui.link.server import LinkServer

T = TypeVar("T")


def arun(coro: Awaitable[T], timeout: float = 60.0) -> T:
    """Run a coroutine to completion in a fresh event loop, with a safety timeout."""

    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


@functools.cache
def library(scenario: str) -> tuple[LoadedScenario, Policy]:
    """A library scenario and the default policy, parsed once for the whole module."""
    return load_scenario(scenario), load_policy("default")


class Session:
    """A real engine playing a library scenario, as the TUI's session would."""

    def __init__(self, scenario: str, *, autopilot: bool = True, seed: int = 1) -> None:
        loaded, policy = library(scenario)
        level = policy.level_for(
            loaded.scenario.expected.severity, loaded.scenario.expected.overrides
        )
        self.engine = Engine(
            loaded.scenario, seed=seed, severity_levels=policy.level_names, trainee="Ada"
        )
        self.driver: Driver | None = (
            Autopilot("expert", loaded.scenario, policy.playbook(level.name), seed=seed)
            if autopilot
            else None
        )
        if self.driver is not None:
            self.driver.attach(self.engine)
        self.events: list[Event] = []
        self.engine.subscribe(self.events.append)
        self.header = Header(
            scenario=loaded.scenario.id,
            scenario_sha256=loaded.sha256,
            scenario_path=scenario,
            seed=seed,
            policy="default",
            severity_levels=policy.level_names,
            trainee="Ada",
            driver="tui",
            started_at="2026-11-22T18:00:00+00:00",
        )
        self.commands: list[c.Command] = []

    def on_command(self, command: c.Command) -> tuple[bool, str | None]:
        """A command from the facilitator's seat (the only seat allowed to send), as the TUI's
        ``apply_facilitator_command`` applies it: journalled as the facilitator's."""
        self.commands.append(command)
        outcome = self.engine.submit(command, by="facilitator")
        return outcome.accepted, outcome.reason or None

    async def play(self, until: float = math.inf) -> None:
        """``simulator.runner.run``, yielding to the loop between slices like a paced TUI."""
        engine, driver = self.engine, self.driver
        assert driver is not None
        engine.start()
        while not engine.ended and engine.now < until:
            due = driver.next_time()
            target = min(engine.end_time if due is None else due, engine.now + driver.max_step)
            target = min(target, until)
            if target > engine.now:
                engine.run_until(target)
            if engine.ended:
                break
            driver.act(engine)
            await asyncio.sleep(0)


def lines(events: list[Event]) -> list[str]:
    return [dumps(e) for e in events]


async def collect(
    client: LinkClient, on_event: Callable[[int], None] | None = None
) -> tuple[list[Event], list[p.Message]]:
    """Every event a seat yields, and every other message, until ``ended``."""
    got: list[Event] = []
    others: list[p.Message] = []
    async for message in client.messages():
        if isinstance(message, p.EventMessage):
            got.append(message.to_event())
            if on_event is not None:
                on_event(len(got))
        else:
            others.append(message)
    return got, others


async def raw(path: Path) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_unix_connection(path, limit=p.MAX_SERVER_LINE_BYTES + 1)


async def read_message(reader: asyncio.StreamReader) -> p.Message:
    return p.decode_server(await asyncio.wait_for(reader.readuntil(b"\n"), 2))


async def read_until_closed(reader: asyncio.StreamReader) -> list[p.Message]:
    out: list[p.Message] = []
    while True:
        try:
            line = await asyncio.wait_for(reader.readuntil(b"\n"), 2)
        except (asyncio.IncompleteReadError, ConnectionError):
            return out
        out.append(p.decode_server(line))


@pytest.fixture(autouse=True)
def runtime_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private short runtime directory, where sockets with too long a path go."""
    with tempfile.TemporaryDirectory(prefix="wr-") as folder:
        monkeypatch.setenv("XDG_RUNTIME_DIR", folder)
        yield Path(folder)


@pytest.fixture
def short() -> Iterator[Path]:
    """A folder with a short path (pytest's own are too long for some socket paths)."""
    with tempfile.TemporaryDirectory(prefix="wr-") as folder:
        yield Path(folder)


@pytest.fixture
def session_dir(short: Path) -> Path:
    return short / "sessions" / "api-outage-20261122-180000-ada"


@pytest.fixture
def sock(session_dir: Path) -> Path:
    return socket_path_for(session_dir)


# --------------------------------------------------------------------------- the stream


def test_a_facilitator_attaching_mid_exercise_receives_every_event_exactly_once(
    sock: Path,
) -> None:
    session = Session("api-outage")

    async def main() -> tuple[list[Event], list[p.Message]]:
        async with LinkServer(sock, session.header, session.on_command) as server:
            session.engine.subscribe(server.publish)
            await session.play(until=10 * 60)
            client = LinkClient(sock, "facilitator")
            reading = asyncio.create_task(collect(client))
            await session.play()
            result = await reading
            await client.close()
            return result

    got, others = arun(main())
    assert session.engine.ended == "completed"
    assert len(session.events) > 300
    assert got == session.events
    assert lines(got) == lines(session.events)
    welcome, ended = others
    assert isinstance(welcome, p.Welcome) and welcome.header() == session.header
    assert 0 < welcome.events_total < len(session.events)  # attached mid-way
    assert ended == p.Ended(reason="completed")


def test_a_seat_dropped_by_the_server_mid_stream_reconnects_and_misses_nothing(
    sock: Path,
) -> None:
    session = Session("api-outage")

    async def main() -> tuple[list[Event], int]:
        async with LinkServer(sock, session.header, session.on_command) as server:
            session.engine.subscribe(server.publish)
            client = LinkClient(sock, "observer")
            await client.connect()

            def drop(count: int) -> None:
                if count in (100, 250):
                    server.drop_clients()

            reading = asyncio.create_task(collect(client, drop))
            await session.play()
            got, _ = await reading
            return got, client.reconnects

    got, reconnects = arun(main())
    assert reconnects == 2
    assert lines(got) == lines(session.events)


def test_a_seat_whose_own_connection_dies_reconnects_and_misses_nothing(sock: Path) -> None:
    session = Session("api-outage")

    async def main() -> tuple[list[Event], list[p.Message], int]:
        async with LinkServer(sock, session.header, session.on_command) as server:
            session.engine.subscribe(server.publish)
            client = LinkClient(sock, "facilitator")
            await client.connect()
            reading = asyncio.create_task(
                collect(client, lambda n: client.reconnect() if n == 200 else None)
            )
            await session.play()
            got, others = await reading
            return got, others, client.reconnects

    got, others, reconnects = arun(main())
    assert reconnects == 1
    assert lines(got) == lines(session.events)
    assert [m.type for m in others] == ["welcome", "welcome", "ended"]


def test_a_restarted_console_resumes_after_the_events_it_kept(sock: Path) -> None:
    session = Session("api-outage")

    async def main() -> tuple[list[Event], list[Event]]:
        async with LinkServer(sock, session.header, session.on_command) as server:
            session.engine.subscribe(server.publish)
            first = LinkClient(sock, "facilitator")
            kept: list[Event] = []
            killed = asyncio.Event()

            async def console() -> None:
                async for message in first.messages():
                    if isinstance(message, p.EventMessage):
                        kept.append(message.to_event())
                        if len(kept) == 123:
                            killed.set()
                            await asyncio.sleep(3600)

            task = asyncio.create_task(console())
            await session.play(until=10 * 60)
            await killed.wait()
            task.cancel()  # the console dies
            await first.close()
            second = LinkClient(sock, "facilitator", since=len(kept))
            reading = asyncio.create_task(collect(second))
            await session.play()
            rest, _ = await reading
            return kept, rest

    kept, rest = arun(main())
    assert lines(kept + rest) == lines(session.events)


def test_events_published_while_a_long_backlog_is_caught_up_arrive_once_in_order(
    sock: Path,
) -> None:
    header = Session("api-outage", autopilot=False).header

    def event(i: int) -> Event:
        return Message(float(i), "bob", "incident", f"line {i} " + "x" * 200)

    async def main() -> list[Event]:
        async with LinkServer(sock, header, lambda command: (False, "no")) as server:
            for i in range(1500):
                server.publish(event(i))
            client = LinkClient(sock, "observer")
            got: list[Event] = []

            async def read() -> None:
                async for message in client.messages():
                    if isinstance(message, p.EventMessage):
                        got.append(message.to_event())
                        if len(got) == 2500:
                            return

            reading = asyncio.create_task(read())
            await client.connect()
            for i in range(1500, 2500):
                server.publish(event(i))
                if i % 7 == 0:
                    await asyncio.sleep(0)
            await reading
            await client.close()
            return got

    assert arun(main()) == [event(i) for i in range(2500)]


def test_a_seat_that_stops_reading_is_dropped_without_holding_up_the_engine(
    tmp_path: Path,
) -> None:
    path = socket_path_for(tmp_path / "s")
    header = Session("api-outage", autopilot=False).header

    def event(i: int) -> Event:
        return Message(float(i), "bob", "incident", "x" * 300)

    async def main() -> tuple[int, int, list[Event]]:
        async with LinkServer(
            path, header, lambda command: (False, "no"), client_buffer=64 * 1024
        ) as server:
            reader, writer = await raw(path)
            writer.write(p.encode(p.Hello(role="observer")))
            await read_message(reader)  # welcome; then it stops reading
            await asyncio.sleep(0.05)
            seats_before = server.seats
            for i in range(2500):  # ~0.9 MB: more than the socket and the buffer hold
                server.publish(event(i))
            await asyncio.sleep(0.05)
            seats_after = server.seats
            held = [m for m in await read_until_closed(reader) if isinstance(m, p.EventMessage)]
            assert [m.seq for m in held] == list(range(len(held)))
            client = LinkClient(path, "observer", since=len(held))
            await client.connect()
            rest: list[Event] = []
            async for message in client.messages():
                if isinstance(message, p.EventMessage):
                    rest.append(message.to_event())
                    if len(held) + len(rest) == 2500:
                        break
            await client.close()
            writer.close()
            return seats_before, seats_after, [m.to_event() for m in held] + rest

    seats_before, seats_after, got = arun(main())
    assert (seats_before, seats_after) == (1, 0)
    assert got == [event(i) for i in range(2500)]


def test_a_seat_attaching_after_the_end_gets_the_whole_exercise_then_ended(sock: Path) -> None:
    session = Session("api-outage")

    async def main() -> tuple[list[Event], list[p.Message]]:
        async with LinkServer(sock, session.header, session.on_command) as server:
            session.engine.subscribe(server.publish)
            await session.play()
            return await collect(LinkClient(sock, "observer"))

    got, others = arun(main())
    assert lines(got) == lines(session.events)
    assert others[-1] == p.Ended(reason="completed")


def test_closing_a_session_before_the_end_tells_every_seat_it_is_over(sock: Path) -> None:
    session = Session("api-outage")

    async def main() -> list[p.Message]:
        server = LinkServer(sock, session.header, session.on_command)
        await server.start()
        session.engine.subscribe(server.publish)
        await session.play(until=60)
        client = LinkClient(sock, "observer")
        await client.connect()
        reading = asyncio.create_task(collect(client))
        await server.close()
        _, others = await reading
        return others

    others = arun(main())
    assert others[-1] == p.Ended(reason="closed")
    assert not sock.exists()


def test_a_seat_gives_up_when_the_session_does_not_come_back(tmp_path: Path) -> None:
    path = tmp_path / "fake.sock"
    header = Session("api-outage", autopilot=False).header

    async def main() -> tuple[float, str, list[str]]:
        async def crash_after_welcome(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter
        ) -> None:
            await reader.readuntil(b"\n")
            writer.write(
                p.encode(p.Welcome(session=header.to_dict(), events_total=0, role="observer"))
            )
            writer.write(p.encode_event(0, Message(0.0, "bob", "incident", "hi")))
            await writer.drain()
            server.close()
            path.unlink()
            writer.transport.abort()  # the playing session died without a goodbye

        server = await asyncio.start_unix_server(crash_after_welcome, path)
        client = LinkClient(path, "observer", reconnect_within=0.3)
        seen: list[str] = []
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(LinkLost) as caught:
            async for message in client.messages():
                seen.append(message.type)
        return loop.time() - start, str(caught.value), seen

    waited, why, seen = arun(main())
    assert seen == ["welcome", "event"]
    assert 0.3 <= waited < 5
    assert "did not come back within 0.3s" in why


def test_a_seat_with_nobody_to_talk_to_is_told_so(tmp_path: Path) -> None:
    async def main() -> None:
        with pytest.raises(LinkError, match="no session answers"):
            await LinkClient(tmp_path / "nobody.sock").connect()

    arun(main())


# --------------------------------------------------------------------------- commands


def test_a_facilitator_fires_a_manual_inject_and_sets_the_pace_and_sees_the_outcomes(
    tmp_path: Path,
) -> None:
    session = Session("slow-blocks", autopilot=False)
    path = socket_path_for(tmp_path / "slow-blocks")

    async def main() -> tuple[list[p.Outcome], list[Event]]:
        async with LinkServer(path, session.header, session.on_command) as server:
            session.engine.subscribe(server.publish)
            session.engine.run_until(120)
            client = LinkClient(path, "facilitator")
            await client.connect()
            outcomes = [
                await client.send(c.FireInject(inject="major-validator-offline")),
                await client.send(c.FireInject(inject="major-validator-offline")),
                await client.send(c.SetPace(paused=True, speed=10)),
            ]
            session.engine.submit(c.EndExercise())
            got, others = await collect(client)
            assert [m.type for m in others if m.type == "outcome"] == ["outcome"] * 3
            await client.close()
            return outcomes, got

    outcomes, got = arun(main())
    fired, again, pace = outcomes
    assert fired == p.Outcome(id=fired.id, accepted=True)
    assert not again.accepted and again.reason and "already delivered" in again.reason
    assert pace.accepted
    assert [x.do for x in session.commands] == ["fire_inject", "fire_inject", "set_pace"]
    delivered = [e for e in got if isinstance(e, InjectDelivered) and e.source == "facilitator"]
    assert [e.inject for e in delivered] == ["major-validator-offline"]
    paced = [e for e in got if isinstance(e, ActionAccepted) and e.command["do"] == "set_pace"]
    assert [e.by for e in paced] == ["facilitator"]
    assert lines(got) == lines(session.events)


def test_an_observer_cannot_command_and_a_facilitator_cannot_act_for_the_trainee(
    sock: Path,
) -> None:
    session = Session("api-outage", autopilot=False)

    async def main() -> tuple[p.Outcome, p.Outcome]:
        async with LinkServer(sock, session.header, session.on_command) as server:
            session.engine.subscribe(server.publish)
            session.engine.run_until(120)
            async with LinkClient(sock, "observer") as observer, LinkClient(sock) as facilitator:
                refused = await observer.send(c.SetPace(paused=True, speed=1))
                acting = await facilitator.send(c.Acknowledge(alert="APIErrorRateHigh"))
            return refused, acting

    refused, acting = arun(main())
    assert not refused.accepted and refused.reason == "an observer seat may not send commands"
    assert not acting.accepted and acting.reason is not None
    assert "trainee actions come from the trainee's seat" in acting.reason
    assert session.commands == []
    assert session.engine.state.severity is None
    assert not any(e.kind in ("action", "rejected") for e in session.events)


def test_a_session_that_fails_to_apply_a_command_answers_and_keeps_serving(sock: Path) -> None:
    header = Session("api-outage", autopilot=False).header

    def broken(command: c.Command) -> tuple[bool, str | None]:
        raise RuntimeError("the engine is on fire")

    async def main() -> tuple[p.Outcome, p.Outcome]:
        async with LinkServer(sock, header, broken), LinkClient(sock) as client:
            first = await client.send(c.EndExercise())
            second = await client.send(c.EndExercise())
            return first, second

    first, second = arun(main())
    assert not first.accepted and "the engine is on fire" in (first.reason or "")
    assert not second.accepted


# --------------------------------------------------------------------------- bad seats


@pytest.mark.parametrize(
    ("sent", "answer", "closes"),
    [
        (b"this is not json\n", "not JSON", True),
        (b'{"v": 1, "type": "shout"}\n', "unknown message type 'shout'", False),
        (b'{"v": 2, "type": "hello", "role": "observer"}\n', "protocol version 2", True),
        (b'{"v": 1, "type": "ping", "pad": "' + b"x" * 70_000 + b'"}\n', "byte limit", True),
        (
            b'{"v": 1, "type": "command", "id": 1, "command": {"do": "end_exercise"}}\n',
            "say hello first",
            False,
        ),
        (b'{"v": 1, "type": "hello", "role": "observer", "since": 99}\n', "another session", True),
    ],
)
def test_a_bad_line_gets_an_error_and_the_server_keeps_serving_the_others(
    sock: Path, sent: bytes, answer: str, closes: bool
) -> None:
    session = Session("api-outage", autopilot=False)

    async def main() -> tuple[list[p.Message], list[p.Message], p.Outcome, int]:
        async with LinkServer(sock, session.header, session.on_command) as server:
            session.engine.subscribe(server.publish)
            session.engine.run_until(30)
            good = LinkClient(sock, "facilitator")
            await good.connect()
            reader, writer = await raw(sock)
            writer.write(sent)
            first = [await read_message(reader)]
            if not closes:
                writer.write(p.encode(p.Ping()))
                first.append(await read_message(reader))
                writer.write_eof()
            rest = await read_until_closed(reader)
            writer.close()
            session.engine.run_until(60)
            outcome = await good.send(c.SetPace(paused=False, speed=2))
            await good.close()
            return first, rest, outcome, good.events_received

    first, rest, outcome, received = arun(main())
    error = first[0]
    assert isinstance(error, p.Error) and answer in error.message
    assert error.fatal is closes
    if not closes:
        assert first[1] == p.Pong()
    assert rest == []
    assert outcome.accepted
    assert received == len(session.events)


# --------------------------------------------------------------------------- the socket


def test_the_socket_is_the_owners_only_even_in_a_directory_made_by_someone_careless(
    tmp_path: Path,
) -> None:
    session_dir = tmp_path / "sessions" / "api-outage-20261122-180000-ada"
    session_dir.mkdir(parents=True, mode=0o755)
    os.chmod(session_dir, 0o755)
    header = Session("api-outage", autopilot=False).header

    async def main() -> tuple[int, int, bool]:
        async with LinkServer(socket_path_for(session_dir), header, lambda x: (True, None)) as s:
            mode = stat.S_IMODE(os.stat(s.path).st_mode)
            is_socket = stat.S_ISSOCK(os.stat(s.path).st_mode)
            return mode, stat.S_IMODE(os.stat(session_dir).st_mode), is_socket

    socket_mode, dir_mode, is_socket = arun(main())
    assert is_socket
    assert socket_mode == 0o600
    assert dir_mode == 0o700


def test_a_missing_session_directory_is_created_owner_only(sock: Path) -> None:
    header = Session("api-outage", autopilot=False).header

    async def main() -> int:
        async with LinkServer(sock, header, lambda x: (True, None)):
            return stat.S_IMODE(os.stat(sock.parent).st_mode)

    assert arun(main()) == 0o700
    assert not sock.exists()


def test_a_second_server_on_a_live_socket_refuses_and_the_first_keeps_serving(
    sock: Path,
) -> None:
    header = Session("api-outage", autopilot=False).header

    async def main() -> p.Outcome:
        async with LinkServer(sock, header, lambda x: (True, None)):
            with pytest.raises(LinkError, match="a live session already serves"):
                await LinkServer(sock, header, lambda x: (True, None)).start()
            async with LinkClient(sock) as client:
                return await client.send(c.EndExercise())

    assert arun(main()).accepted


def test_a_stale_socket_left_by_a_killed_session_is_replaced(sock: Path) -> None:
    sock.parent.mkdir(parents=True)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(sock))
    dead.close()  # the file stays, nobody listens
    header = Session("api-outage", autopilot=False).header

    async def main() -> p.Welcome:
        async with LinkServer(sock, header, lambda x: (True, None)), LinkClient(sock) as client:
            return await client.connect()

    assert arun(main()).header() == header


def test_a_file_that_is_not_a_socket_is_never_removed(sock: Path) -> None:
    sock.parent.mkdir(parents=True)
    sock.write_text("my notes")
    header = Session("api-outage", autopilot=False).header

    async def main() -> None:
        with pytest.raises(LinkError, match="is not a socket"):
            await LinkServer(sock, header, lambda x: (True, None)).start()

    arun(main())
    assert sock.read_text() == "my notes"


def test_a_socket_path_too_long_for_af_unix_moves_to_a_short_private_dir_and_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    sessions = tmp_path / ("very-long-folder-name-" * 4) / "sessions"
    session_dir = sessions / "api-outage-20261122-180000-ada-lovelace-the-first-trainee"
    requested = socket_path_for(session_dir)
    assert len(os.fsencode(requested)) > 108
    header = Session("api-outage", autopilot=False).header

    async def main() -> tuple[Path, str, list[Path], int]:
        async with LinkServer(requested, header, lambda x: (True, None)) as server:
            found = await find_live_sessions(sessions)
            link = (session_dir / LINK_FILE).read_text().strip()
            async with LinkClient(resolve_socket(session_dir)) as client:
                assert (await client.connect()).header() == header
            mode = stat.S_IMODE(os.stat(server.path.parent).st_mode)
            return server.path, link, [f.socket for f in found], mode

    path, link, found, mode = arun(main())
    assert path.parent == runtime / "warroom"
    assert len(os.fsencode(path)) <= 103
    assert link == str(path)
    assert found == [path]
    assert mode == 0o700
    assert not path.exists()
    assert not (session_dir / LINK_FILE).exists()


def test_the_finder_lists_only_sessions_whose_server_answers(short: Path) -> None:
    sessions = short / "sessions"
    live = sessions / "api-outage-20261122-180000-ada"
    stale = sessions / "slow-blocks-20261122-170000-bob"
    finished = sessions / "api-outage-20261121-090000-cy"
    for d in (live, stale, finished):
        d.mkdir(parents=True)
    (finished / "journal.jsonl").write_text("{}\n")
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(socket_path_for(stale)))
    dead.close()
    (sessions / "stray.txt").write_text("not a session")
    header = Session("api-outage", autopilot=False).header

    async def main() -> list[tuple[Path, str, str, str, int]]:
        async with LinkServer(socket_path_for(live), header, lambda x: (True, None)) as server:
            server.publish(Message(1.0, "bob", "incident", "hi"))
            found = await find_live_sessions(sessions, timeout=2)
            return [
                (f.directory, f.scenario, f.trainee, f.started_at, f.events_total) for f in found
            ]

    assert arun(main()) == [(live, "api-outage", "Ada", "2026-11-22T18:00:00+00:00", 1)]


def test_the_finder_of_a_missing_folder_finds_nothing(tmp_path: Path) -> None:
    assert arun(find_live_sessions(tmp_path / "nowhere")) == []


def test_a_probe_is_answered_with_a_welcome_and_nothing_else(sock: Path) -> None:
    header = Session("api-outage", autopilot=False).header

    async def main() -> list[dict[str, Any]]:
        async with LinkServer(sock, header, lambda x: (True, None)) as server:
            for i in range(10):
                server.publish(Message(float(i), "bob", "incident", "hi"))
            reader, writer = await raw(sock)
            writer.write(p.encode(p.Hello(role="observer", follow=False)))
            lines_ = [json.loads(line) for line in (await reader.read()).splitlines()]
            writer.close()
            return lines_

    (welcome,) = arun(main())
    assert welcome["type"] == "welcome" and welcome["events_total"] == 10
