"""A facilitator in another terminal: the remote feed over a real link to a playing session."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from simulator import commands as cmd
from simulator import events as ev
from simulator import protocol as p
from tui.headless.facilitation import inject_rows
from tui.headless.session import new_session
from tui.link.client import LinkClient
from tui.link.common import socket_path_for
from tui.link.server import LinkServer
from tui.screens.bridge import Bridge
from tui.screens.facilitator import apply_facilitator_command
from tui.screens.remote import RemoteFeed


class Sink:
    """Stands in for the console screen the bridge reports to."""

    def post_message(self, message: object) -> bool:
        return True


async def attach_and_fire(journal_dir: Path) -> None:
    session = new_session(
        "api-outage", trainee="Ada", journal_dir=journal_dir, paused=True, speed=10
    )
    bridge = Bridge(session, Sink())  # type: ignore[arg-type]
    bridge.open(time.monotonic())
    assert session.directory is not None and session.header is not None
    server = LinkServer(
        socket_path_for(session.directory),
        session.header,
        lambda command: apply_facilitator_command(session, bridge, command),
    )
    for event in session.events:
        server.publish(event)
    session.engine.subscribe(server.publish)
    await server.start()
    bridge.jump(120)

    client = LinkClient(session.directory, "facilitator")
    feed = RemoteFeed(client, session.scenario, session.policy, "Ada", 1, speed=10)
    assert feed.pace.speed == 10

    async def follow() -> None:
        async for message in client.messages():
            if isinstance(message, p.EventMessage):
                feed.receive(ev.event_from_dict(message.event))

    reader = asyncio.create_task(follow())
    for _ in range(200):
        if len(feed.events) == len(session.events):
            break
        await asyncio.sleep(0.01)
    assert feed.events == session.events
    assert feed.now == session.engine.now == 120

    accepted, reason = await feed.send(cmd.FireInject(inject="ml-network-policy"))
    assert accepted, reason
    refused, why = await feed.send(cmd.FireInject(inject="no-such-inject"))
    assert not refused and why and "no-such-inject" in why
    accepted, _ = await feed.send(cmd.SetPace(paused=False, speed=30))
    assert accepted and not session.paused and session.pacer.speed == 30
    for _ in range(200):
        if len(feed.events) == len(session.events):
            break
        await asyncio.sleep(0.01)
    assert feed.events == session.events
    assert feed.pace == type(feed.pace)(False, 30)
    rows = {r.id: r for r in inject_rows(feed.scenario, feed.events, feed.now)}
    assert rows["ml-network-policy"].state == "delivered"

    await client.close()
    reader.cancel()
    await server.close()
    session.close()


def test_a_remote_facilitator_sees_every_event_and_fires_an_inject(tmp_path: Path) -> None:
    asyncio.run(attach_and_fire(tmp_path / "sessions"))
