"""Team game days: roles, codes and tokens, TLS with a pinned certificate, four seats playing a
library scenario to the end over TLS on loopback, and a rewind to T+10m with another ending."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from simulator import commands as cmd
from simulator import protocol as p
from simulator.engine import Engine
from simulator.events import ActionAccepted, Message, event_from_dict
from simulator.journal import Header, read_journal
from simulator.library import load_scenario, load_script
from simulator.runner import verify
from tui.headless.session import Session, new_session
from tui.headless.team import TeamHost, actions_by_person, play_seat
from tui.link.common import LinkError
from tui.link.host import TeamServer
from tui.link.remote import RemoteSeat
from tui.link.seats import SeatError, SeatTable, parse_roles
from tui.link.tls import CertificateChanged, KnownHosts, host_identity, server_context

ROOT = Path(__file__).resolve().parent.parent
EXPERT = ROOT / "scenarios" / "scripts" / "api-outage.expert.yaml"
COMMS = {"post_update", "notify"}


# --------------------------------------------------------------------------- the roles table


def test_each_role_sends_only_its_row_of_the_table() -> None:
    assert set(p.ROLE_COMMANDS) == set(p.ROLES)
    assert p.ROLE_COMMANDS["ic"] == frozenset(cmd.ACTION_TYPES)
    p.authorize(
        "comms",
        {"do": "post_update", "audience": "incident", "status": "investigating", "text": "x"},
    )
    with pytest.raises(
        p.Refused, match="a comms seat may send note, notify, post_update, not 'resolve'"
    ):
        p.authorize("comms", {"do": "resolve"})
    with pytest.raises(p.Refused, match="an observer seat may not send commands"):
        p.authorize("observer", {"do": "note", "text": "hi"})
    with pytest.raises(p.Refused, match="a scribe seat"):
        p.authorize("scribe", {"do": "fire_inject", "inject": "x"})


def test_version_2_hello_carries_a_code_or_a_token_and_never_a_role() -> None:
    hello = p.decode_client(b'{"v":2,"type":"hello","code":"AB","name":"Ada [/]"}', 2)
    assert isinstance(hello, p.Hello) and hello.name == "Ada [/]"
    for bad in (
        b'{"v":2,"type":"hello","role":"ic","code":"AB"}',
        b'{"v":2,"type":"hello"}',
        b'{"v":2,"type":"hello","code":"AB","token":"T"}',
    ):
        with pytest.raises(p.ProtocolError):
            p.decode_client(bad, 2)
    with pytest.raises(p.ProtocolError, match="network seats join with warroom join"):
        p.decode_client(b'{"v":2,"type":"ping"}')
    with pytest.raises(p.ProtocolError, match="not supported here"):
        p.decode_client(b'{"v":1,"type":"ping"}', 2)


def test_a_v1_welcome_reads_as_before() -> None:
    line = p.encode(p.Outcome(id=1, accepted=True))
    assert line == b'{"v":1,"type":"outcome","id":1,"accepted":true,"reason":null}\n'
    hello = p.encode(p.Hello(role="observer"))
    assert hello == b'{"v":1,"type":"hello","role":"observer","since":0,"follow":true}\n'


def test_codes_are_spent_once_tokens_reopen_revoked_seats_stay_shut_wrong_codes_lock_out() -> None:
    table = SeatTable(parse_roles("ic,comms,observer,observer"), wrong_codes=3, lockout=30)
    assert list(table.seats) == ["ic", "comms", "observer", "observer-2"]
    codes = {s.code for s in table.seats.values()}
    assert len(codes) == 4
    ic = table.seats["ic"]
    seat = table.redeem(ic.code, "Ada", "10.0.0.1", 0.0)
    assert seat.person == "Ada" and seat.token
    with pytest.raises(SeatError, match="already used"):
        table.redeem(ic.code, "Eve", "10.0.0.2", 1.0)
    assert table.resume(seat.token, "10.0.0.1", 2.0) is seat
    table.revoke("ic")
    with pytest.raises(SeatError, match="revoked"):
        table.resume(seat.token, "10.0.0.1", 3.0)
    for i in range(3):
        with pytest.raises(SeatError, match="not one of"):
            table.redeem(f"WRONG-{i}", None, "10.0.0.9", 4.0)
    with pytest.raises(SeatError, match="too many wrong codes"):
        table.redeem(table.seats["comms"].code, None, "10.0.0.9", 5.0)
    assert table.redeem(table.seats["comms"].code, None, "10.0.0.9", 40.0).person == "comms"
    with pytest.raises(SeatError, match="facilitator sits at the host"):
        parse_roles("ic,facilitator")


def test_the_certificate_is_pinned_on_first_use_and_a_change_is_refused(tmp_path: Path) -> None:
    identity = host_identity(tmp_path / "host")
    assert identity.fingerprint.startswith("SHA256:")
    assert (identity.key.stat().st_mode & 0o777) == 0o600
    again = host_identity(tmp_path / "host")
    assert again.fingerprint == identity.fingerprint
    pins = KnownHosts(tmp_path / "known_hosts")
    assert pins.check("h:1", identity.fingerprint) is True
    assert pins.check("h:1", identity.fingerprint) is False
    with pytest.raises(CertificateChanged, match="another certificate"):
        pins.check("h:1", "SHA256:00")


def test_plaintext_is_only_for_loopback() -> None:
    table = SeatTable(["ic"])
    with pytest.raises(LinkError, match="loopback"):
        TeamServer(
            _header(),
            table,
            lambda c, s: (True, None),
            host="0.0.0.0",
            tls=None,
            plaintext_for_tests=True,
        )
    with pytest.raises(LinkError, match="need TLS"):
        TeamServer(_header(), table, lambda c, s: (True, None), tls=None)


def _header() -> Header:
    from datetime import UTC, datetime

    from simulator.journal import new_header

    return new_header(
        load_scenario("api-outage"),
        seed=1,
        policy="default",
        severity_levels=("SEV-1",),
        trainee="team",
        driver="team",
        started_at=datetime.now(UTC),
    )


# --------------------------------------------------------------------------- a game day


def _scripts() -> dict[str, cmd.ActionScript]:
    expert = load_script(EXPERT)
    ic = [a for a in expert.actions if a.action.do not in COMMS]
    comms = [a for a in expert.actions if a.action.do in COMMS]
    notes = [
        cmd.TimedAction.model_validate({"at": at, "do": "note", "text": text})
        for at, text in ((100, "alert acked by IC"), (400, "restart chosen [/] \x1b[31m"))
    ]
    return {
        "ic": cmd.ActionScript(actions=ic),
        "comms": cmd.ActionScript(actions=comms),
        "scribe": cmd.ActionScript(actions=notes),
    }


async def _game_day(
    tmp_path: Path, *, rewind_at: float | None = None, speed: float = 600.0
) -> tuple[TeamHost, Path, dict[str, int]]:
    identity = host_identity(tmp_path / "host")
    session = new_session(
        "api-outage",
        trainee="blue team",
        seed=1,
        speed=speed,
        journal_dir=tmp_path / "sessions",
        driver="team",
    )
    table = SeatTable(parse_roles("ic,comms,scribe,observer"))
    server = TeamServer(
        session_header(session),
        table,
        lambda c, s: (False, "not yet"),
        host="127.0.0.1",
        port=0,
        tls=server_context(identity),
    )
    host = TeamHost(session, server)
    scripts = _scripts()
    names = {"ic": "Ada [/]", "comms": "Grace", "scribe": "Linus", "observer": "Obs"}
    received: dict[str, int] = {}
    rewound = False

    def maybe_rewind(h: TeamHost) -> None:
        nonlocal rewound
        if rewind_at is not None and not rewound and h.session.engine.now >= rewind_at + 120:
            rewound = True
            h.rewind(rewind_at)

    async def seat(ident: str) -> None:
        await started.wait()
        remote = RemoteSeat(
            "127.0.0.1",
            server.port,
            table.seats[ident].code,
            name=names[ident],
            known_hosts=tmp_path / "known_hosts",
        )
        try:
            if ident in scripts:
                script = scripts[ident]
                if rewind_at is not None and ident == "ic":
                    # after the rewind the IC takes another path: no postmortem, so the
                    # exercise runs to its time limit
                    script = cmd.ActionScript(
                        actions=[a for a in script.actions if a.action.do != "schedule_postmortem"]
                    )
                received[ident] = await play_seat(remote, script)
            else:
                async for _ in remote.messages():
                    pass
                received[ident] = remote.events_received
        finally:
            await remote.close()

    started = asyncio.Event()
    tasks = [asyncio.create_task(seat(i)) for i in ("ic", "comms", "scribe", "observer")]
    journal = await host.run(started=lambda h: started.set(), on_tick=maybe_rewind)
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    return host, journal, received


def session_header(session: Session) -> Header:
    if session.header is None:
        session.open(0.0)
    assert session.header is not None
    return session.header


def _verify(path: Path) -> None:
    journal = read_journal(path)
    h = journal.header
    loaded = load_scenario(h.scenario_path)
    engine = Engine(
        loaded.scenario, seed=h.seed, severity_levels=h.severity_levels, trainee=h.trainee
    )
    result = verify(journal, engine)
    assert result.identical, (result.first_difference, result.expected, result.got)


def test_four_seats_play_a_library_scenario_to_the_end_over_tls(tmp_path: Path) -> None:
    _, path, received = asyncio.run(_game_day(tmp_path))
    journal = read_journal(path)
    assert journal.ended and journal.events[-1].to_dict()["reason"] == "completed"
    total = len(journal.events)
    assert received == {"ic": total, "comms": total, "scribe": total, "observer": total}
    people = {(x.person, x.seat): len(x.accepted) for x in actions_by_person(journal.events)}
    assert people[("Ada [/]", "ic")] > 10
    assert people[("Grace", "comms")] == len(_scripts()["comms"].actions)
    assert people[("Linus", "scribe")] == 2
    notes = [e for e in journal.events if isinstance(e, ActionAccepted) and e.seat == "scribe"]
    assert notes[1].command["text"] == "restart chosen [/] \x1b[31m"
    _verify(path)
    assert (tmp_path / "known_hosts").read_text().count("SHA256:") == 1


def test_a_rewind_to_t10m_plays_another_ending_and_both_journals_verify(tmp_path: Path) -> None:
    host, path, _ = asyncio.run(_game_day(tmp_path, rewind_at=600.0, speed=1200.0))
    assert len(host.branches) == 1 and path == host.branches[0]
    branch = read_journal(path)
    parent_info = branch.header.extra["parent"]
    assert parent_info["at"] == 600.0
    parent = tmp_path / "sessions" / parent_info["journal"]
    assert parent.is_file() and parent != path
    assert branch.ended and branch.events[-1].to_dict()["reason"] == "time"
    _verify(parent)
    _verify(path)
    first = read_journal(parent)
    before = [line for line, e in zip(first.lines, first.events, strict=True) if e.t <= 600.0]
    assert branch.lines[: len(before)] == before
    assert event_from_dict(branch.events[0].to_dict()) == branch.events[0]


# --------------------------------------------------------------------------- the command line


def test_warroom_host_and_join_play_a_game_day_from_the_command_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    import yaml

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}
    expert = yaml.safe_load(EXPERT.read_text(encoding="utf-8"))
    files: dict[str, Path] = {}
    for role, comms in (("ic", False), ("comms", True)):
        files[role] = tmp_path / f"{role}.yaml"
        actions = [a for a in expert["actions"] if (a["do"] in COMMS) == comms]
        files[role].write_text(yaml.safe_dump({"actions": actions}), encoding="utf-8")
    files["scribe"] = tmp_path / "scribe.yaml"
    files["scribe"].write_text("actions:\n  - {at: 2m, do: note, text: 'Ada [/] acked'}\n")
    warroom = [sys.executable, "-m", "tui.cli"]
    host = subprocess.Popen(
        [
            *warroom,
            "host",
            "api-outage",
            "--listen",
            "127.0.0.1:0",
            "--speed",
            "600",
            "--roles",
            "ic,comms,scribe,observer",
            "--headless",
            "--sessions",
            str(tmp_path / "s"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert host.stdout is not None
    commands: dict[str, list[str]] = {}
    fingerprint = ""
    while len(commands) < 4:
        line = host.stdout.readline()
        assert line, host.stderr.read() if host.stderr else ""
        if line.startswith("certificate fingerprint: SHA256:"):
            fingerprint = line.split(": ", 1)[1].strip()
        if "warroom join" in line:
            role = line.split()[0]
            commands[role] = line.split("warroom join", 1)[1].split()
    seats = []
    for role, argv in commands.items():
        extra = ["--name", role.title()]
        if role in files:
            extra += ["--actions", str(files[role])]
        seats.append(
            subprocess.Popen(
                [*warroom, "join", *argv, *extra],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=ROOT,
            )
        )
    outputs = [s.communicate(timeout=60) for s in seats]
    rest, err = host.communicate(timeout=60)
    assert host.returncode == 0, err
    assert all(s.returncode == 0 for s in seats), outputs
    assert all(fingerprint in out for out, _ in outputs)
    journal_path = Path(rest.strip().splitlines()[-1].removeprefix("journal: "))
    journal = read_journal(journal_path)
    assert journal.ended
    people = {x.person for x in actions_by_person(journal.events)}
    assert people == {"Ic", "Comms", "Scribe"}
    replayed = subprocess.run(
        [*warroom, "replay", str(journal_path), "--verify"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    observer_out = outputs[list(commands).index("observer")][0]
    assert "Ada [/] acked" in observer_out and "the exercise ended" in observer_out


# --------------------------------------------------------------------------- hardening


async def _served(tmp_path: Path, **kwargs: object) -> tuple[TeamHost, SeatTable]:
    session = new_session(
        "api-outage", trainee="team", speed=60, journal_dir=tmp_path / "s", paused=True
    )
    table = SeatTable(parse_roles("ic,comms,observer"), wrong_codes=3)
    server = TeamServer(
        session_header(session),
        table,
        lambda c, s: (False, "unused"),
        tls=None,
        plaintext_for_tests=True,
        **kwargs,  # type: ignore[arg-type]
    )
    host = TeamHost(session, server)
    await server.start()
    return host, table


async def _raw(port: int, *lines: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for line in lines:
        writer.write(line)
    writer.write_eof()
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


def test_nothing_is_answered_before_a_valid_code_and_bad_lines_never_stop_the_host(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        now = [0.0]
        host, table = await _served(tmp_path, clock=lambda: now[0])
        port = host.server.port
        assert await _raw(port, b'{"v":2,"type":"ping"}\n') == b""
        assert await _raw(port, b"not json\n") == b""
        assert await _raw(port, b"x" * 70_000 + b"\n") == b""
        wrong = await _raw(port, b'{"v":2,"type":"hello","code":"NOPE"}\n')
        assert b"not one of this exercise" in wrong and b"welcome" not in wrong
        old = await _raw(port, b'{"v":1,"type":"hello","role":"facilitator"}\n')
        assert b"network seats speak 2" in old
        for _ in range(3):
            await _raw(port, b'{"v":2,"type":"hello","code":"NOPE"}\n')
        locked = await _raw(
            port, b'{"v":2,"type":"hello","code":"%s"}\n' % table.seats["ic"].code.encode()
        )
        assert b"too many wrong codes" in locked
        now[0] = 100.0  # the lockout is over
        code = table.seats["comms"].code.encode()
        bad = await _raw(
            port, b'{"v":2,"type":"hello","code":"%s","name":"Eve\\u001b[2J"}\n' % code
        )
        assert b"cannot contain control" in bad  # the records' rule for names; the code is kept
        seat = RemoteSeat(
            "localhost",
            port,
            table.seats["comms"].code,
            name="Eve [/]",
            known_hosts=None,
            plaintext_for_tests=True,
        )
        welcome = await seat.connect()
        assert welcome.role == "comms" and welcome.person == "Eve [/]"
        refused = await seat.send(cmd.Resolve())
        assert not refused.accepted and "a comms seat may send" in (refused.reason or "")
        ok = await seat.send(cmd.Note(text="[b]bold[/b]"))
        assert ok.accepted
        seat.reconnect()  # the link drops; the seat comes back with its token
        async with asyncio.timeout(5):
            while seat.reconnects < 1:
                await asyncio.sleep(0.01)
        again = await seat.send(cmd.Note(text="after the drop"))
        assert again.accepted and seat.reconnects == 1
        host.server.revoke("comms")
        await asyncio.sleep(0.2)
        events = host.session.events
        seated = [e for e in events if isinstance(e, ActionAccepted) and e.person is None]
        assert [a.command for a in seated] == [
            {"do": "seat_roles", "seat": "comms", "person": "Eve [/]", "roles": ["comms"]}
        ]  # the host's record of who sits where, once, when Eve took the seat
        actions = [e for e in events if isinstance(e, ActionAccepted) and e.person is not None]
        assert [a.command["do"] for a in actions] == ["note", "note"]
        assert all(a.seat == "comms" and a.person == "Eve [/]" for a in actions)
        assert not any(e.kind == "rejected" for e in events)
        await seat.close()
        await host.server.close()
        host.session.close()

    asyncio.run(scenario())


def test_a_slow_reader_is_dropped_without_delaying_the_others_and_catches_up(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        host, table = await _served(tmp_path, client_buffer=4096)
        port = host.server.port
        slow_reader, slow_writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
        slow_writer.write(
            b'{"v":2,"type":"hello","code":"%s"}\n' % table.seats["observer"].code.encode()
        )
        await slow_reader.readline()  # welcome; then it stops reading
        fast = RemoteSeat(
            "127.0.0.1",
            port,
            table.seats["comms"].code,
            known_hosts=None,
            plaintext_for_tests=True,
        )
        await fast.connect()
        for k in range(3000):  # 15 MB: more than the kernel's socket buffers hold
            host.server.publish(Message(1.0, "bot", "incident", f"{k} " + "x" * 5000))
            if k % 50 == 0:
                await asyncio.sleep(0)
        async with asyncio.timeout(10):
            while fast.events_received < host.server.events_total:
                await asyncio.sleep(0.01)
        assert host.server.dropped_slow >= 1
        assert fast.events_received == host.server.events_total
        slow_writer.close()
        await fast.close()
        await host.server.close()
        host.session.close()

    asyncio.run(scenario())


def test_each_person_is_graded_on_the_criteria_their_role_owns(tmp_path: Path) -> None:
    from assessments.policy import load_policy
    from assessments.team import grade_people
    from tui.cli.team import person_debrief

    # graded on time: at 600x one 20 ms pacing slice is 12 s of sim time, and the IC's
    # acknowledgement (script T+1:30, target T+3:05) had eight slices of margin, which a loaded
    # machine's pause has eaten; 150x gives it thirty-two
    _, path, _ = asyncio.run(_game_day(tmp_path, speed=150.0))
    journal = read_journal(path)
    results = {
        r.seat: r
        for r in grade_people(
            journal.events,
            scenario=load_scenario("api-outage").scenario,
            policy=load_policy("default"),
            seed=1,
        )
    }
    # every seated person has a result, the observer who never acted too (the host journals
    # who sits where): a role owning no criterion shares the team's result
    assert set(results) == {"ic", "comms", "scribe", "observer"}
    assert results["observer"].criteria == [] and results["observer"].actions == []
    assert {c.id for c in results["comms"].criteria} == {
        "update_cadence",
        "status_page",
        "notify_stakeholders",
    }
    assert all(c.status == "passed" for c in results["comms"].criteria)
    ic = {c.id: c.status for c in results["ic"].criteria}
    assert ic["ack_alert"] == "passed" and ic["severity_correct"] == "passed"
    assert results["scribe"].criteria == [] and len(results["scribe"].actions) == 2
    text = person_debrief(path)
    assert "Grace (comms): 15 actions" in text or "Grace (comms):" in text


def test_a_seat_away_during_a_rewind_follows_the_branch_when_it_comes_back(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        host, table = await _served(tmp_path)
        seat = RemoteSeat(
            "127.0.0.1",
            host.server.port,
            table.seats["observer"].code,
            known_hosts=None,
            plaintext_for_tests=True,
        )
        seen: list[str] = []

        async def follow() -> None:
            async for message in seat.messages():
                seen.append(message.type)

        follower = asyncio.create_task(follow())
        await seat.connect()
        host.session.pacer.start(0.0)
        for k in range(1, 40):
            host.session.tick(k * 0.25)  # 60x: ten minutes
        async with asyncio.timeout(5):
            while seat.events_received < host.server.events_total:
                await asyncio.sleep(0.01)
        seat.reconnect()  # away …
        host.rewind(300.0)  # … while the facilitator rewinds
        async with asyncio.timeout(5):
            while "branch" not in seen or seat.events_received < host.server.events_total:
                await asyncio.sleep(0.01)
        assert seat.welcome is not None
        assert seat.welcome.session["extra"]["parent"]["at"] == 300.0
        await seat.close()
        follower.cancel()
        await host.server.close()
        host.session.close()

    asyncio.run(scenario())


def test_the_host_console_lists_the_seats_revokes_and_rewinds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli.console import run_host_command, seats_table

    async def scenario() -> None:
        host, table = await _served(tmp_path)
        seat = RemoteSeat(
            "127.0.0.1",
            host.server.port,
            table.seats["ic"].code,
            name="Ada [/]",
            known_hosts=None,
            plaintext_for_tests=True,
        )
        await seat.connect()
        host.session.pacer.start(0.0)
        for k in range(1, 12):
            host.session.tick(k * 0.25)
        assert (await seat.send(cmd.Acknowledge(alert="APIErrorRateHigh"))).accepted
        await seat.send(cmd.Note(text="hello"))
        text = seats_table(host)
        assert "Ada [/]" in text and "online" in text and "note" in text
        run_host_command(host, "revoke comms")
        run_host_command(host, "rewind 1m")
        run_host_command(host, "dance")
        assert "revoked" in seats_table(host)
        assert len(host.branches) == 1
        await seat.close()
        await host.server.close()
        host.session.close()

    asyncio.run(scenario())
    out = capsys.readouterr().out
    assert "seat comms revoked" in out and "restarted from T+01:00" in out
    assert "unknown command 'dance'" in out


def test_a_seat_takes_the_exercise_clock_from_the_host_and_never_reads_a_path_it_names(
    tmp_path: Path,
) -> None:
    """A host's header is data: a seat on another machine never opens the file it names."""
    import dataclasses
    from datetime import datetime

    from simulator.journal import JournalError
    from tui.link.remote import seat_begin

    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)  # opened, it would hang the seat
    hostile = dataclasses.replace(_header(), scenario="elsewhere", scenario_path=str(fifo))
    sent = p.Welcome(v=2, session=hostile.to_dict(), events_total=0, role="ic", seat="ic")
    with pytest.raises(JournalError, match=r"'elsewhere' .* is not in the library"):
        seat_begin(sent)
    start = "2026-01-30T15:15:00+00:00"
    told = sent.model_copy(update={"scenario_start": start})
    assert seat_begin(told) == datetime.fromisoformat(start)
    decoded = p.decode_server(p.encode(told), 2)
    assert isinstance(decoded, p.Welcome) and decoded.begin() == datetime.fromisoformat(start)
    library = p.Welcome(v=2, session=_header().to_dict(), events_total=0, role="ic", seat="ic")
    assert seat_begin(library) == load_scenario("api-outage").scenario.start
    with pytest.raises(p.ProtocolError):
        p.decode_server(p.encode(told).replace(start.encode(), b"tomorrow at noon"), 2)


def test_a_seat_takes_any_name_the_name_rule_takes() -> None:
    """``join --name`` checks names by ``simulator.text``'s rule (80 characters); ``hello`` used
    to stop at 60, so a 61 to 80 character name passed the check and then failed validation."""
    from simulator.text import MAX_NAME, check_name

    name = check_name("A" * MAX_NAME, "a name")
    hello = p.decode_client(p.encode(p.Hello(v=2, code="K7QX-M2PD-9TRA", name=name)), 2)
    assert isinstance(hello, p.Hello) and hello.name == name
    with pytest.raises(p.ProtocolError):
        p.decode_client(p.encode(hello).replace(name.encode(), b"A" * (MAX_NAME + 1)), 2)
