"""Roles in a team game day: the IC hands a role to a participant and takes it back, every seat
sees who holds what, and the technical lead's diagnostics and mitigations wait for the IC's
approval (approved: journalled as the tech lead's with the approver; denied: the reason, and
nothing journalled)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator import commands as cmd
from simulator import protocol as p
from simulator.engine import Engine
from simulator.events import ActionAccepted, ActionRejected, Event
from simulator.journal import read_journal
from simulator.library import load_scenario
from simulator.runner import verify
from tui.headless.session import new_session
from tui.headless.team import TeamHost
from tui.link.host import TeamServer
from tui.link.remote import RemoteSeat
from tui.link.seats import SeatTable, parse_roles

NAMES = {"ic": "Ada", "comms": "Grace", "tech": "Linus", "observer": "Alan [/]"}


def test_the_roles_table_is_data_the_tech_lead_waits_for_approval() -> None:
    tech = p.ROLE_TABLE["tech"]
    assert tech.approval == {"run_diagnostic", "delegate", "apply_mitigation"}
    assert tech.approval <= tech.sends and "note" not in tech.approval
    assert [r for r, row in p.ROLE_TABLE.items() if row.approves] == ["ic"]
    assert p.HANDED_AS == {"scribe": "scribe", "comms_lead": "comms", "tech_lead": "tech"}
    restart = {"do": "apply_mitigation", "mitigation": "restart-ml-inference"}
    assert p.authorize_held(["tech"], restart)[1] is True
    assert p.authorize_held(["ic", "tech"], restart)[1] is False  # the IC acts on their own
    assert p.authorize_held(["observer", "comms"], {"do": "notify", "stakeholder": "cto"})[1] is (
        False
    )
    with pytest.raises(p.Refused, match="holding observer, comms, this seat may send note"):
        p.authorize_held(["observer", "comms"], {"do": "resolve"})
    with pytest.raises(p.Refused, match="an observer seat may not send commands"):
        p.authorize_held(["observer"], {"do": "note", "text": "x"})


def test_the_network_only_messages_are_refused_in_version_1() -> None:
    with pytest.raises(p.ProtocolError, match="not in protocol version 1"):
        p.decode_client(b'{"v":1,"type":"decision","id":1,"request":1,"approve":true}')
    line = p.encode(p.Outcome(v=2, id=3, accepted=False, reason="wait", pending=1))
    assert b'"pending":1' in line
    assert b"pending" not in p.encode(p.Outcome(id=1, accepted=True))


async def _seated(tmp_path: Path) -> tuple[TeamHost, dict[str, RemoteSeat]]:
    session = new_session(
        "api-outage", trainee="blue team", speed=60, journal_dir=tmp_path / "s", paused=True
    )
    table = SeatTable(parse_roles("ic,comms,tech,observer"))
    if session.header is None:
        session.open(0.0)
    assert session.header is not None
    server = TeamServer(
        session.header,
        table,
        lambda c, s: (False, "unused"),
        tls=None,
        plaintext_for_tests=True,
    )
    host = TeamHost(session, server)
    await server.start()
    seats: dict[str, RemoteSeat] = {}
    for ident, name in NAMES.items():
        seat = RemoteSeat(
            "127.0.0.1",
            server.port,
            table.seats[ident].code,
            name=name,
            known_hosts=None,
            plaintext_for_tests=True,
        )
        await seat.connect()
        seats[ident] = seat
    return host, seats


async def _until(check: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not check():
            await asyncio.sleep(0.01)


def _by(events: list[Event], person: str) -> list[ActionAccepted | ActionRejected]:
    return [
        e for e in events if isinstance(e, ActionAccepted | ActionRejected) and e.person == person
    ]


def _drain(seats: dict[str, RemoteSeat]) -> list[asyncio.Task[None]]:
    async def follow(seat: RemoteSeat) -> None:
        async for _ in seat.messages():
            pass

    return [asyncio.create_task(follow(s)) for s in seats.values()]


async def _close(
    host: TeamHost, seats: dict[str, RemoteSeat], tasks: list[asyncio.Task[None]]
) -> None:
    for seat in seats.values():
        await seat.close()
    for task in tasks:
        task.cancel()
    await host.server.close()
    host.session.close()


def _verify(path: Path) -> None:
    journal = read_journal(path)
    h = journal.header
    engine = Engine(
        load_scenario(h.scenario_path).scenario,
        seed=h.seed,
        severity_levels=h.severity_levels,
        trainee=h.trainee,
    )
    result = verify(journal, engine)
    assert result.identical, (result.first_difference, result.expected, result.got)


def test_the_ic_hands_a_role_to_a_participant_and_takes_it_back(tmp_path: Path) -> None:
    async def scenario() -> Path:
        host, seats = await _seated(tmp_path)
        tasks = _drain(seats)
        alan, ada, grace = seats["observer"], seats["ic"], seats["comms"]
        await _until(
            lambda: all(len(s.holdings) == 4 and s.holdings[3].person for s in seats.values())
        )
        assert alan.held_roles == ["observer"]
        update = cmd.Notify(stakeholder="support")
        refused = await alan.send(update)
        assert not refused.accepted and refused.reason == "an observer seat may not send commands"

        handed = await ada.send(cmd.AssignRole(role="comms_lead", person="alan [/]"))
        assert handed.accepted
        await _until(lambda: alan.held_roles == ["observer", "comms"])
        await _until(lambda: ["observer", "comms"] in [h.roles for h in grace.holdings])
        assert grace.held_roles == ["comms"]  # the seat's own role stays with its seat
        assert (await alan.send(update)).accepted

        back = await ada.send(cmd.AssignRole(role="comms_lead", person="me"))
        assert back.accepted
        await _until(lambda: alan.held_roles == ["observer"])
        assert ada.held_roles == ["ic", "comms"]
        again = await alan.send(update)
        assert not again.accepted and "may not send" in (again.reason or "")
        # a role handed to a responder (not a participant) changes no seat
        assert (await ada.send(cmd.AssignRole(role="scribe", person="carol"))).accepted
        path = host.session.journal_path
        assert path is not None
        await _close(host, seats, tasks)
        return path

    path = asyncio.run(scenario())
    events = read_journal(path).events
    records = [
        dict(e.command)
        for e in events
        if isinstance(e, ActionAccepted) and e.command["do"] == "seat_roles"
    ]
    joined = [{"do": "seat_roles", "seat": s, "person": n, "roles": [s]} for s, n in NAMES.items()]
    assert records == [
        *joined,
        {
            "do": "seat_roles",
            "seat": "observer",
            "person": "Alan [/]",
            "roles": ["observer", "comms"],
        },
        {"do": "seat_roles", "seat": "ic", "person": "Ada", "roles": ["ic", "comms"]},
        {"do": "seat_roles", "seat": "observer", "person": "Alan [/]", "roles": ["observer"]},
    ]
    alan = _by(events, "Alan [/]")
    assert [(e.kind, e.command["do"]) for e in alan] == [("action", "notify")]
    _verify(path)


def test_the_tech_leads_commands_wait_for_the_ics_approval(tmp_path: Path) -> None:
    async def scenario() -> Path:
        host, seats = await _seated(tmp_path)
        tasks = _drain(seats)
        ada, linus, grace = seats["ic"], seats["tech"], seats["comms"]
        logs = cmd.RunDiagnostic(diagnostic="check-api-logs")
        held = await linus.send(logs)
        assert not held.accepted and held.pending == 1
        assert held.reason == "waiting for the IC's approval (request 1)"
        await _until(lambda: len(ada.pending_requests) == 1)
        request = ada.pending_requests[0]
        assert request.text == "Linus (tech) asks to run diagnostic check-api-logs"
        assert request.command == {"do": "run_diagnostic", "diagnostic": "check-api-logs"}
        assert not grace.requests  # only the seats that approve, and the requester, are asked
        assert _by(host.session.events, "Linus") == []  # nothing journalled while it waits

        not_ic = await grace.decide(1, True)
        assert not not_ic.accepted and not_ic.reason == "a comms seat does not approve requests"
        approved = await ada.decide(1, True)
        assert approved.accepted
        await _until(lambda: linus.requests[1].state == "approved")
        assert linus.requests[1].decided_by == "Ada"
        twice = await ada.decide(1, True)
        assert not twice.accepted and "already approved" in (twice.reason or "")

        restart = cmd.ApplyMitigation(mitigation="restart-ml-inference")
        assert (await linus.send(restart)).pending == 2
        await _until(lambda: 2 in ada.requests)
        denied = await ada.decide(2, False, "not until the logs are back [/]")
        assert denied.accepted
        await _until(lambda: linus.requests[2].state == "denied")
        assert linus.requests[2].reason == "not until the logs are back [/]"
        # the tech lead's note needs no approval
        assert (await linus.send(cmd.Note(text="logs requested"))).accepted
        path = host.session.journal_path
        assert path is not None
        await _close(host, seats, tasks)
        return path

    path = asyncio.run(scenario())
    events = read_journal(path).events
    linus = _by(events, "Linus")
    assert [(e.kind, e.command["do"], e.seat, e.approved_by) for e in linus] == [
        ("action", "run_diagnostic", "tech", "Ada"),
        ("action", "note", "tech", None),
    ]
    assert not any(e.kind == "rejected" for e in events)
    _verify(path)


def test_a_game_day_without_an_ic_seat_refuses_what_needs_approval(tmp_path: Path) -> None:
    async def scenario() -> None:
        session = new_session("api-outage", trainee="t", journal_dir=tmp_path / "s", paused=True)
        session.open(0.0)
        assert session.header is not None
        table = SeatTable(parse_roles("tech"))
        server = TeamServer(
            session.header,
            table,
            lambda c, s: (False, "unused"),
            tls=None,
            plaintext_for_tests=True,
        )
        host = TeamHost(session, server)
        await server.start()
        seat = RemoteSeat(
            "127.0.0.1",
            server.port,
            table.seats["tech"].code,
            known_hosts=None,
            plaintext_for_tests=True,
        )
        outcome = await seat.send(cmd.ApplyMitigation(mitigation="restart-ml-inference"))
        assert not outcome.accepted and outcome.pending is None
        assert outcome.reason == (
            "apply mitigation restart-ml-inference needs the IC's approval, and no seat of this "
            "exercise approves"
        )
        await _close(host, {"tech": seat}, [])

    asyncio.run(scenario())


# --------------------------------------------------------------------------- scripted seats


def _split_expert() -> dict[str, cmd.ActionScript]:
    from simulator.library import load_script

    expert = load_script(Path(__file__).resolve().parent.parent / EXPERT)
    comms = {"post_update", "notify"}
    tech = {"delegate", "run_diagnostic", "apply_mitigation"}
    return {
        "ic": cmd.ActionScript(
            actions=[a for a in expert.actions if a.action.do not in comms | tech]
        ),
        "comms": cmd.ActionScript(actions=[a for a in expert.actions if a.action.do in comms]),
        "tech": cmd.ActionScript(actions=[a for a in expert.actions if a.action.do in tech]),
    }


EXPERT = Path("scenarios") / "scripts" / "api-outage.expert.yaml"


async def _scripted_day(tmp_path: Path, *, approve: bool) -> tuple[Path, list[str]]:
    from tui.headless.team import play_seat

    session = new_session(
        "api-outage", trainee="blue team", seed=1, speed=600, journal_dir=tmp_path / "s"
    )
    session.open(0.0)
    assert session.header is not None
    table = SeatTable(parse_roles("ic,comms,tech"))
    server = TeamServer(
        session.header, table, lambda c, s: (False, "unused"), tls=None, plaintext_for_tests=True
    )
    host = TeamHost(session, server)
    scripts = _split_expert()
    said: list[str] = []
    started = asyncio.Event()

    async def seat(ident: str) -> None:
        await started.wait()
        remote = RemoteSeat(
            "127.0.0.1",
            server.port,
            table.seats[ident].code,
            name=ident.title(),
            known_hosts=None,
            plaintext_for_tests=True,
        )
        try:
            await play_seat(
                remote,
                scripts[ident],
                approve=approve,
                on_request=lambda r, o: said.append(f"{r.request} {r.text} {o.accepted}"),
            )
        finally:
            await remote.close()

    tasks = [asyncio.create_task(seat(i)) for i in scripts]
    journal = await host.run(started=lambda h: started.set())
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    return journal, said


def test_a_scripted_ic_seat_approves_so_a_game_day_plays_to_the_end(tmp_path: Path) -> None:
    path, said = asyncio.run(_scripted_day(tmp_path, approve=True))
    journal = read_journal(path)
    assert journal.ended and journal.events[-1].to_dict()["reason"] == "completed"
    assert said == [
        "1 Tech (tech) asks to delegate check-api-logs bob True",
        "2 Tech (tech) asks to apply mitigation restart-ml-inference True",
    ]
    tech = _by(journal.events, "Tech")
    assert [(e.command["do"], e.approved_by) for e in tech] == [
        ("delegate", "Ic"),
        ("apply_mitigation", "Ic"),
    ]
    _verify(path)


def test_a_scripted_ic_seat_with_approve_none_denies_and_nothing_is_journalled(
    tmp_path: Path,
) -> None:
    path, said = asyncio.run(_scripted_day(tmp_path, approve=False))
    journal = read_journal(path)
    assert len(said) == 2 and all(line.endswith("True") for line in said)
    assert _by(journal.events, "Tech") == []  # denied: never the tech lead's action
    from assessments.assessor import grade_journal

    graded = grade_journal(journal)  # never mitigated: the IC resolved with the cause active
    assert not graded.passed and "resolved_while_active" in {c.id for c in graded.critical_failures}


def test_a_seat_types_approve_or_deny_and_reads_requests_as_text() -> None:
    from tui.headless.team import parse_decision, team_words

    assert parse_decision("approve 3") == (3, True, None)
    assert parse_decision("deny 2 wait for the logs [/]") == (2, False, "wait for the logs [/]")
    assert parse_decision("{do: note, text: approve}") is None
    with pytest.raises(ValueError, match="the request's number"):
        parse_decision("approve it")
    request = p.Request(
        v=2,
        request=4,
        seat="tech",
        person="Eve\x1b[2J",
        command={"do": "apply_mitigation", "mitigation": "m"},
        text="Eve\x1b[2J (tech) asks to apply mitigation m",
    )
    asked = team_words(request, approver=True)
    assert "\x1b" not in asked and asked.endswith("(approve 4 | deny 4 REASON)")
    assert "approve 4" not in team_words(request, approver=False)
    denied = request.model_copy(update={"state": "denied", "decided_by": "Ada", "reason": "no"})
    assert team_words(denied, approver=False).startswith("request 4 denied by Ada: no (")
    roles = p.Roles(
        v=2, seats=[p.SeatHolding(seat="observer", person="Alan", roles=["observer", "comms"])]
    )
    assert team_words(roles, approver=False) == "who holds what: observer Alan: observer, comms"


def test_holdings_hand_take_back_and_restore_from_a_branch() -> None:
    from simulator.events import ActionAccepted
    from tui.link.roles import Holdings

    table = SeatTable(parse_roles("ic,comms,observer"))
    for ident, name in (("ic", "Ada"), ("comms", "Grace"), ("observer", "Alan")):
        table.seats[ident].person = name
    held = Holdings(table)
    ic, comms, alan = (table.seats[i] for i in ("ic", "comms", "observer"))
    assert held.hand(cmd.AssignRole(role="ic", person="Alan"), ic) == []  # the IC stays put
    assert held.hand(cmd.AssignRole(role="tech_lead", person="ALAN"), ic) == [alan]
    assert held.roles_of(alan) == ["observer", "tech"]
    assert held.hand(cmd.AssignRole(role="tech_lead", person="alan"), ic) == []  # already
    assert held.hand(cmd.AssignRole(role="tech_lead", person="dana"), ic) == [alan]  # back
    assert held.roles_of(alan) == ["observer"]
    assert held.hand(cmd.AssignRole(role="comms_lead", person="Grace"), ic) == []  # her own
    assert held.hand(cmd.AssignRole(role="scribe", person="Grace"), ic) == [comms]
    assert held.hand(cmd.AssignRole(role="scribe", person="me"), ic) == [ic, comms]
    assert held.roles_of(ic) == ["ic", "scribe"] and held.roles_of(comms) == ["comms"]
    assert held.record(ic) == cmd.SeatRoles(seat="ic", person="Ada", roles=("ic", "scribe"))
    branch = [
        ActionAccepted(0.0, "facilitator", held.record(alan).to_dict()),
        ActionAccepted(
            9.0,
            "facilitator",
            {
                "do": "seat_roles",
                "seat": "observer",
                "person": "Alan",
                "roles": ["observer", "comms"],
            },
        ),
    ]
    held.restore(branch)  # the branch's moment: before the scribe went to the IC
    assert held.roles_of(ic) == ["ic"] and held.roles_of(alan) == ["observer", "comms"]
    assert [h.roles for h in held.message().seats] == [["ic"], ["comms"], ["observer", "comms"]]


def test_a_rewind_restores_who_held_what_at_that_moment_and_withdraws_requests(
    tmp_path: Path,
) -> None:
    async def scenario() -> Path:
        host, seats = await _seated(tmp_path)
        tasks = _drain(seats)
        ada, alan, linus = seats["ic"], seats["observer"], seats["tech"]
        host.session.pacer.start(0.0)
        for k in range(1, 12):
            host.session.tick(k * 0.25)  # 60x: to T+2m45
        assert (await ada.send(cmd.AssignRole(role="comms_lead", person="Alan [/]"))).accepted
        await _until(lambda: alan.held_roles == ["observer", "comms"])
        held = await linus.send(cmd.RunDiagnostic(diagnostic="check-api-logs"))
        assert held.pending == 1
        host.rewind(60.0)  # before the IC handed the role
        await _until(lambda: alan.held_roles == ["observer"] and alan.branches == 1)
        await _until(lambda: linus.requests[1].state == "withdrawn")
        assert linus.requests[1].reason == "the facilitator rewound the exercise"
        path = host.session.journal_path
        assert path is not None
        await _close(host, seats, tasks)
        return path

    path = asyncio.run(scenario())
    records = [
        e.command["seat"]
        for e in read_journal(path).events
        if isinstance(e, ActionAccepted) and e.command["do"] == "seat_roles"
    ]
    assert records == ["ic", "comms", "tech", "observer"]  # the branch: as at T+1m


def test_the_facilitator_sees_who_holds_what_and_the_requests_waiting_for_the_ic(
    tmp_path: Path,
) -> None:
    from tui.cli.console import seats_table

    async def scenario() -> None:
        host, seats = await _seated(tmp_path)
        tasks = _drain(seats)
        ada, linus = seats["ic"], seats["tech"]
        assert (await ada.send(cmd.AssignRole(role="scribe", person="Grace"))).accepted
        held = await linus.send(cmd.ApplyMitigation(mitigation="restart-ml-inference"))
        assert held.pending == 1
        rows = {r.seat: r for r in host.seat_rows()}
        assert rows["comms"].holds == ("comms", "scribe") and rows["comms"].handed == ("scribe",)
        assert rows["ic"].holds == ("ic",) and rows["ic"].handed == ()
        assert [(w.request, w.what) for w in rows["tech"].waiting] == [
            (1, "apply mitigation restart-ml-inference")
        ]
        text = seats_table(host)
        assert "comms holds comms, scribe (handed by the IC)" in text
        assert "request 1 from tech waits for the IC: apply mitigation restart-ml-inference" in text

        # revoking the tech seat withdraws its request; revoking the comms seat tells every
        # other seat who holds what now
        host.server.revoke("tech")
        await _until(lambda: ada.requests[1].state == "withdrawn")
        assert ada.requests[1].reason == "the facilitator revoked the seat"
        assert not host.server.requests.pending()
        assert "waits for the IC" not in seats_table(host)
        host.server.revoke("comms")
        await _until(lambda: all(h.seat != "comms" for h in ada.holdings))
        assert [h.seat for h in ada.holdings] == ["ic", "observer"]
        await _close(host, seats, tasks)

    asyncio.run(scenario())


def test_revoking_the_only_seat_that_approves_withdraws_every_waiting_request(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        host, seats = await _seated(tmp_path)
        tasks = _drain(seats)
        linus = seats["tech"]
        assert (await linus.send(cmd.RunDiagnostic(diagnostic="check-api-logs"))).pending == 1
        host.server.revoke("ic")
        await _until(lambda: 1 in linus.requests and linus.requests[1].state == "withdrawn")
        assert linus.requests[1].reason == "the facilitator revoked the seat that approves"
        await _close(host, seats, tasks)

    asyncio.run(scenario())
