"""The link protocol: every message survives encoding, bad lines are named, roles decide."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import commands as c
from simulator import events as ev
from simulator import protocol as p
from simulator.journal import Header

HEADER = Header(
    scenario="api-outage",
    scenario_sha256="0" * 64,
    scenario_path="api-outage",
    seed=7,
    policy="default",
    severity_levels=("SEV-1", "SEV-2", "SEV-3", "SEV-4"),
    trainee="Ada",
    driver="tui",
    started_at="2026-11-22T18:00:00+00:00",
)


def line(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode() + b"\n"


# --------------------------------------------------------------------------- strategies

text = st.text(max_size=60)
name = st.text(min_size=1, max_size=40)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
times = st.floats(min_value=0, max_value=1e7, allow_nan=False)

facilitator_commands = st.one_of(
    st.builds(c.FireInject, inject=name),
    st.builds(c.AdHocInject, sender=name, text=name, channel=st.sampled_from(["incident", "dm"])),
    st.builds(c.StartFault, fault=name),
    st.builds(c.SetPace, paused=st.booleans(), speed=st.floats(min_value=0.01, max_value=3600)),
    st.builds(c.EndExercise),
)

events = st.one_of(
    st.builds(ev.Message, times, text, st.sampled_from(["incident", "dm"]), text),
    st.builds(ev.MetricsSampled, times, st.dictionaries(name, finite, max_size=5)),
    st.builds(ev.AlertFiring, times, name, st.sampled_from(["critical", "warning"]), finite, text),
    st.builds(
        ev.ActionAccepted,
        times,
        st.sampled_from(["trainee", "facilitator"]),
        facilitator_commands.map(lambda x: x.to_dict()),
    ),
    st.builds(ev.DiagnosticResult, times, name, name, text, st.lists(name, max_size=3).map(tuple)),
    st.builds(ev.InjectDelivered, times, st.none() | name, name, name, text, name),
    st.builds(ev.ScenarioEnded, times, st.sampled_from(["completed", "time", "facilitator"])),
)

seats = st.sampled_from(p.SEATS)
ids = st.integers(min_value=0, max_value=2**53)

client_messages = st.one_of(
    st.builds(
        p.Hello, role=seats, since=st.integers(min_value=0, max_value=10**9), follow=st.booleans()
    ),
    st.builds(p.CommandMessage, id=ids, command=facilitator_commands.map(lambda x: x.to_dict())),
    st.builds(p.Ping),
)

server_messages = st.one_of(
    st.builds(
        p.Welcome,
        session=st.builds(lambda t: {**HEADER.to_dict(), "trainee": t}, name),
        events_total=st.integers(min_value=0, max_value=10**9),
        role=seats,
    ),
    st.builds(
        p.EventMessage,
        seq=st.integers(min_value=0, max_value=10**9),
        event=events.map(lambda e: json.loads(ev.dumps(e))),
    ),
    st.builds(p.Outcome, id=ids, accepted=st.booleans(), reason=st.none() | text),
    st.builds(p.Error, message=text, fatal=st.booleans()),
    st.builds(p.Pong),
    st.builds(p.Ended, reason=name),
)


# --------------------------------------------------------------------------- round trips


ROUND_TRIPS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@ROUND_TRIPS
@given(client_messages)
def test_every_client_message_survives_encoding_on_one_line(message: p.Message) -> None:
    data = p.encode(message)
    assert data.endswith(b"\n") and b"\n" not in data[:-1]
    assert p.decode_client(data) == message


@ROUND_TRIPS
@given(server_messages)
def test_every_server_message_survives_encoding_on_one_line(message: p.Message) -> None:
    data = p.encode(message)
    assert data.endswith(b"\n") and b"\n" not in data[:-1]
    assert p.decode_server(data) == message


@ROUND_TRIPS
@given(st.integers(min_value=0, max_value=10**9), events)
def test_the_fast_event_line_is_byte_for_byte_the_validated_one(seq: int, event: ev.Event) -> None:
    fast = p.encode_event(seq, event)
    assert fast == p.encode(p.EventMessage(seq=seq, event=event.to_dict()))
    decoded = p.decode_server(fast)
    assert isinstance(decoded, p.EventMessage)
    assert decoded.to_event() == event
    assert ev.dumps(decoded.to_event()) == ev.dumps(event)


def test_a_message_starts_with_its_version_and_type() -> None:
    encoded = p.encode(p.Outcome(id=3, accepted=False, reason="no"))
    assert encoded.startswith(b'{"v":1,"type":"outcome",')


def test_a_welcome_carries_the_journal_header() -> None:
    welcome = p.Welcome(session=HEADER.to_dict(), events_total=12, role="observer")
    decoded = p.decode_server(p.encode(welcome))
    assert isinstance(decoded, p.Welcome)
    assert decoded.header() == HEADER


# --------------------------------------------------------------------------- bad lines


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"hello\n", "not JSON"),
        (b"[1, 2]\n", "JSON object"),
        (b'"hello"\n', "JSON object"),
        (b'{"type": "ping"}\n', 'no protocol version "v"'),
        (b'{"v": 2, "type": "ping"}\n', "protocol version 2 is not supported"),
        (b'{"v": "1", "type": "ping"}\n', "protocol version '1' is not supported"),
        (b'{"v": true, "type": "ping"}\n', "protocol version True is not supported"),
        (b'{"v": 1, "type": "ping"\xff}\n', "not UTF-8"),
        (b"[" * 50_000 + b"]" * 50_000 + b"\n", "limit"),
        (b"[" * 30_000 + b"]" * 30_000 + b"\n", "nested too deeply"),
        (b'{"v": 1, "type": "ping", "pad": "' + b"x" * p.MAX_LINE_BYTES + b'"}\n', "byte limit"),
    ],
)
def test_a_line_that_is_not_a_message_of_this_version_is_fatal(raw: bytes, words: str) -> None:
    with pytest.raises(p.ProtocolError) as caught:
        p.decode_client(raw)
    assert caught.value.fatal
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"v": 1, "type": "shout"}, "unknown message type 'shout'"),
        ({"v": 1}, "unknown message type None"),
        ({"v": 1, "type": "welcome", "session": {}, "events_total": 0}, "unknown message type"),
        ({"v": 1, "type": "hello", "role": "ic"}, "role"),
        ({"v": 1, "type": "hello", "role": "observer", "since": -1}, "since"),
        ({"v": 1, "type": "hello", "role": "observer", "since": "3"}, "since"),
        ({"v": 1, "type": "hello", "role": "observer", "since": 1.0}, "since"),
        ({"v": 1, "type": "hello", "role": "observer", "token": "x"}, "token"),
        ({"v": 1, "type": "command", "id": 1, "command": {"inject": "x"}}, '"do"'),
        ({"v": 1, "type": "command", "id": 1, "command": "fire_inject"}, "command"),
        ({"v": 1, "type": "command", "command": {"do": "end_exercise"}}, "id"),
    ],
)
def test_a_well_framed_but_invalid_message_is_named_and_not_fatal(
    data: dict[str, Any], words: str
) -> None:
    with pytest.raises(p.ProtocolError) as caught:
        p.decode_client(line(data))
    assert not caught.value.fatal
    assert words in caught.value.message


def test_a_server_reads_event_lines_longer_than_a_seat_may_send() -> None:
    event = ev.Message(1.0, "bob", "incident", "x" * (p.MAX_LINE_BYTES + 10))
    decoded = p.decode_server(p.encode_event(0, event))
    assert isinstance(decoded, p.EventMessage) and decoded.to_event() == event


def test_an_event_that_is_not_an_event_is_refused_by_the_seat() -> None:
    with pytest.raises(p.ProtocolError) as caught:
        p.decode_server(line({"v": 1, "type": "event", "seq": 0, "event": {"kind": "party"}}))
    assert "unknown event kind 'party'" in caught.value.message


# --------------------------------------------------------------------------- roles


def test_a_facilitator_seat_may_fire_an_inject() -> None:
    command = p.authorize("facilitator", {"do": "fire_inject", "inject": "major-validator-offline"})
    assert command == c.FireInject(inject="major-validator-offline")


def test_a_facilitator_seat_may_not_act_for_the_trainee() -> None:
    with pytest.raises(p.Refused, match="trainee actions come from the trainee's seat"):
        p.authorize("facilitator", {"do": "acknowledge", "alert": "APIErrorRateHigh"})


def test_an_observer_seat_may_send_nothing() -> None:
    for do in [*p.FACILITATOR_COMMANDS, "acknowledge", "note"]:
        with pytest.raises(p.Refused, match="an observer seat may not send commands"):
            p.authorize("observer", {"do": do})


def test_a_command_with_bad_fields_is_refused_with_the_field_named() -> None:
    with pytest.raises(p.Refused, match=r"set_pace: speed: Input should be greater than 0"):
        p.authorize("facilitator", {"do": "set_pace", "paused": False, "speed": 0})
    with pytest.raises(p.Refused, match=r"not 'reboot'"):
        p.authorize("facilitator", {"do": "reboot"})


def test_the_seat_table_covers_every_seat_and_only_facilitator_commands() -> None:
    assert set(p.SEAT_COMMANDS) == set(p.SEATS)
    facilitator = ["adhoc_inject", "end_exercise", "fire_inject", "set_pace", "start_fault"]
    assert sorted(p.FACILITATOR_COMMANDS) == facilitator
    assert not p.FACILITATOR_COMMANDS & set(c.ACTION_TYPES)
