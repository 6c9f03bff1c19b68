"""Injects aimed at one role: journalled with their audience, delivered whole to that role's
seats only (the others get the same event with its text withheld), replayed exactly; and what
the host's facilitator sees of the seats."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from simulator import commands as cmd
from simulator import protocol as p
from simulator.durations import parse_moment
from simulator.engine import Engine
from simulator.events import (
    ActionAccepted,
    ActionRejected,
    Event,
    InjectDelivered,
    event_from_dict,
)
from simulator.journal import read_journal
from simulator.library import load_scenario
from simulator.runner import verify
from simulator.transcript import describe
from tests.test_team import session_header
from tui.headless.facilitation import action_rows, inject_rows
from tui.headless.seating import Refusal, seat_rows
from tui.headless.session import new_session
from tui.headless.team import TeamHost
from tui.link.host import TeamServer
from tui.link.remote import RemoteSeat
from tui.link.seats import SeatTable

LEVELS = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
SECRET = "Legal says: do not name the customer [b]anywhere[/b]."


def test_an_aimed_inject_is_journalled_with_its_audience_and_an_unaimed_one_reads_as_before() -> (
    None
):
    engine = Engine(load_scenario("api-outage").scenario, seed=1, severity_levels=LEVELS)
    events: list[Event] = []
    engine.subscribe(events.append)
    engine.run_until(60)
    assert engine.submit(cmd.FireInject(inject="ml-network-policy", to="comms")).accepted
    assert engine.submit(cmd.AdHocInject(sender="Legal", text=SECRET, to="comms")).accepted
    assert engine.submit(cmd.AdHocInject(sender="VP Sales", text="ETA?")).accepted
    delivered = [e for e in events if isinstance(e, InjectDelivered)]
    assert [(e.inject, e.to) for e in delivered[-3:]] == [
        ("ml-network-policy", "comms"),
        (None, "comms"),
        (None, None),
    ]
    assert delivered[-3].to_dict()["to"] == "comms"
    assert "to" not in delivered[-1].to_dict()  # a journal without aimed injects is unchanged
    assert event_from_dict(delivered[-2].to_dict()) == delivered[-2]
    fired = [e for e in events if isinstance(e, ActionAccepted)]
    assert fired[0].command == {"do": "fire_inject", "inject": "ml-network-policy", "to": "comms"}
    shown = describe(delivered[-2])
    assert shown is not None and "(facilitator, to comms only)" in shown[1]
    shown = describe(fired[0])
    assert shown is not None and shown[1] == "fire inject ml-network-policy to comms only"
    assert cmd.FireInject(inject="x", to="ic").describe() == "fire inject x to ic only"
    assert cmd.Escalate(to="cto").describe() == "escalate cto"  # its "to" is not an audience
    with pytest.raises(ValueError):
        cmd.FireInject.model_validate({"inject": "x", "to": "facilitator"})


def test_the_facilitator_timeline_says_whom_an_inject_went_to() -> None:
    scenario = load_scenario("api-outage").scenario
    engine = Engine(scenario, seed=1, severity_levels=LEVELS)
    events: list[Event] = []
    engine.subscribe(events.append)
    engine.run_until(60)
    engine.submit(cmd.FireInject(inject="ml-network-policy", to="comms"))
    engine.submit(cmd.AdHocInject(sender="Legal", text=SECRET, to="tech"))
    rows = {r.id: r for r in inject_rows(scenario, events, engine.now)}
    assert rows["ml-network-policy"].to == "comms"
    assert rows["ml-network-policy"].audience == "the comms seat only"
    assert rows[None].to == "tech"
    assert rows["support-tickets"].audience == "everyone"
    actions = action_rows(events)
    assert [a.what for a in actions] == [
        "fire inject ml-network-policy to comms only",
        f"adhoc inject Legal incident to tech only\n{SECRET}",
    ]


def test_other_roles_get_the_event_in_its_place_with_the_text_withheld() -> None:
    aimed = InjectDelivered(61.0, None, "Legal", "dm", SECRET, "facilitator", "comms")
    assert p.for_role(aimed, "comms") is None
    hidden = p.for_role(aimed, "ic")
    assert isinstance(hidden, InjectDelivered)
    assert hidden.text == "(for the comms seat only: not shown to you)"
    assert (hidden.t, hidden.sender, hidden.to) == (61.0, "Legal", "comms")
    command = {"do": "adhoc_inject", "sender": "Legal", "text": SECRET, "to": "comms"}
    for kind in (
        ActionAccepted(61.0, "facilitator", command),
        ActionRejected(61.0, "x", command, "no"),
    ):
        seen = p.for_role(kind, "observer")
        assert seen is not None and SECRET not in str(seen.to_dict())
        assert p.for_role(kind, "comms") is None
    everyone = InjectDelivered(61.0, None, "Legal", "dm", SECRET, "facilitator")
    assert p.for_role(everyone, "ic") is None
    escalate = ActionAccepted(61.0, "trainee", {"do": "escalate", "to": "cto", "reason": "x"})
    assert p.for_role(escalate, "comms") is None


def test_the_host_delivers_an_aimed_inject_to_that_roles_seats_only_and_replay_reproduces_it(
    tmp_path: Path,
) -> None:
    async def scenario() -> tuple[dict[str, list[dict[str, object]]], Path]:
        session = new_session(
            "api-outage", trainee="team", speed=60, journal_dir=tmp_path, paused=True
        )
        table = SeatTable(["ic", "comms", "observer"])
        server = TeamServer(
            session_header(session),
            table,
            lambda c, s: (False, ""),
            tls=None,
            plaintext_for_tests=True,
        )
        host = TeamHost(session, server)
        await server.start()
        seats = {
            ident: RemoteSeat(
                "127.0.0.1",
                server.port,
                table.seats[ident].code,
                known_hosts=None,
                plaintext_for_tests=True,
            )
            for ident in ("comms", "observer")
        }
        got: dict[str, list[dict[str, object]]] = {ident: [] for ident in seats}

        async def follow(ident: str) -> None:
            async for message in seats[ident].messages():
                if isinstance(message, p.EventMessage):
                    got[ident].append(message.event)

        followers = [asyncio.create_task(follow(i)) for i in seats]
        for seat in seats.values():
            await seat.connect()
        session.pacer.start(0.0)
        for k in range(1, 9):
            session.tick(k * 0.25)
        assert host.facilitate(cmd.AdHocInject(sender="Legal", text=SECRET, to="comms")).accepted
        refused = host.facilitate(cmd.FireInject(inject="ml-network-policy", to="tech"))
        assert (
            not refused.accepted and refused.reason == "this exercise has no tech seat to aim it at"
        )
        seats["observer"].reconnect()  # a seat that catches up gets the withheld line too
        for k in range(9, 17):
            session.tick(k * 0.25)
        session.engine.submit(cmd.EndExercise())
        async with asyncio.timeout(10):
            await asyncio.gather(*followers)
        for seat in seats.values():
            await seat.close()
        await server.close()
        session.close()
        assert session.journal_path is not None
        return got, session.journal_path

    got, path = asyncio.run(scenario())
    journal = read_journal(path)
    assert len(got["comms"]) == len(got["observer"]) == len(journal.events)
    assert [e["kind"] for e in got["comms"]] == [e["kind"] for e in got["observer"]]
    comms_text = [e for e in got["comms"] if e["kind"] == "inject" and e.get("to") == "comms"]
    observer_text = [e for e in got["observer"] if e["kind"] == "inject" and e.get("to")]
    assert comms_text[0]["text"] == SECRET
    assert observer_text[0]["text"] == "(for the comms seat only: not shown to you)"
    assert SECRET not in str(got["observer"])
    aimed = [e for e in journal.events if isinstance(e, InjectDelivered) and e.to == "comms"]
    assert aimed[0].text == SECRET  # the journal keeps it whole
    h = journal.header
    engine = Engine(
        load_scenario(h.scenario_path).scenario,
        seed=h.seed,
        severity_levels=h.severity_levels,
        trainee=h.trainee,
    )
    result = verify(journal, engine)
    assert result.identical, (result.first_difference, result.expected, result.got)


def test_each_seat_shows_its_person_state_last_action_and_what_it_has_done() -> None:
    table = SeatTable(["ic", "comms", "scribe", "observer"])
    ic, comms, scribe = list(table.seats.values())[:3]
    table.redeem(ic.code, "Ada [/]", "10.0.0.1", 0.0)
    table.redeem(comms.code, "Grace", "10.0.0.2", 0.0)
    table.redeem(scribe.code, None, "10.0.0.3", 0.0)
    table.revoke("scribe")
    events = [
        ActionAccepted(10.0, "trainee", {"do": "acknowledge", "alert": "A"}, "Ada [/]", "ic"),
        ActionAccepted(20.0, "trainee", {"do": "page", "target": "primary"}, "Ada [/]", "ic"),
        ActionAccepted(25.0, "trainee", {"do": "page", "target": "dana"}, "Ada [/]", "ic"),
        ActionRejected(30.0, "trainee", {"do": "resolve"}, "nothing declared", "Ada [/]", "ic"),
        ActionAccepted(
            40.0,
            "trainee",
            {"do": "post_update", "audience": "incident", "status": "investigating", "text": "x"},
            "Grace",
            "comms",
        ),
    ]
    refusals = [Refusal(50.0, "comms", {"do": "resolve"}, "a comms seat may send …")]
    rows = {r.seat: r for r in seat_rows(table.seats.values(), {"ic"}, events, refusals)}
    assert [r.state for r in rows.values()] == [
        "connected",
        "disconnected",
        "revoked",
        "not joined",
    ]
    assert rows["ic"].person == "Ada [/]" and rows["observer"].person is None
    assert (rows["ic"].done, rows["ic"].refused) == (3, 1)
    assert rows["ic"].kinds == (("page", 2), ("acknowledge", 1))
    assert rows["ic"].last is not None and rows["ic"].last.refused
    assert (rows["ic"].last.t, rows["ic"].last.what) == (30.0, "resolve")
    assert rows["comms"].last is not None and rows["comms"].last.refused
    assert rows["comms"].last.reason == "a comms seat may send …"
    assert (rows["comms"].done, rows["comms"].refused) == (1, 1)
    assert rows["observer"].last is None and rows["observer"].icon == "◌"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("12m", 720.0), ("T+12m", 720.0), ("T+12:00", 720.0), ("t+1:02:03", 3723.0), ("90", 90.0)],
)
def test_a_moment_reads_as_people_write_it(text: str, seconds: float) -> None:
    assert parse_moment(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "T+12:75", "-5m"])
def test_a_moment_that_is_not_one_says_how_to_write_it(text: str) -> None:
    with pytest.raises(ValueError, match="write it like 12m, T\\+12m or T\\+12:00"):
        parse_moment(text)
