"""The team game day commands: ``warroom host`` (one engine, seats over the network) and
``warroom join`` (a seat on a participant's machine).

``host`` prints one line per seat with the command to run on the participant's machine and the
host certificate's fingerprint; with ``--headless`` it plays until the exercise ends and prints
the journal's path. The clock starts once every seat has joined (the facilitator's ``start``
starts it anyway). Without ``--headless``, in a terminal, the host's screen is the facilitator
console of the team exercise (``tui.screens.host``); in a pipe it is a line console: the seats
(who is connected, each person's last action) and the facilitator's commands (``seats``,
``revoke``, ``rewind``, ``end``). ``join --actions FILE`` plays a seat from an action script; in a terminal
``join`` opens the seat's screen (``tui.screens.seat``), and in a pipe it follows the exercise
as text and sends commands typed one per line. Textual is imported only when the seat's screen
opens.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from pathlib import Path
from typing import Any

from tui.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    Handler,
    UsageError,
    add_policy_option,
    error,
    seed,
)

DEFAULT_PORT = 7433
"""The port ``warroom host`` listens on unless ``--listen`` says otherwise."""

PLAINTEXT_FLAG = "--plaintext-for-tests"
"""Turns TLS off, for tests on the loopback interface only."""

ROLE_TITLES = {
    "ic": "Incident Commander",
    "comms": "communications lead",
    "scribe": "scribe",
    "tech": "technical lead",
    "observer": "observer",
}


def add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``host`` and ``join`` to ``warroom``'s subcommands."""
    h = sub.add_parser("host", help="host a team game day: seats join over the network (TLS)")
    h.add_argument("scenario", metavar="SCENARIO", help="library id or path")
    h.add_argument(
        "--listen",
        metavar="ADDR:PORT",
        default=f"0.0.0.0:{DEFAULT_PORT}",
        help=f"address to listen on (default 0.0.0.0:{DEFAULT_PORT})",
    )
    h.add_argument(
        "--roles",
        default="ic,comms,scribe,tech,observer",
        metavar="ROLES",
        help="one seat per role, comma-separated (default ic,comms,scribe,tech,observer)",
    )
    h.add_argument("--seed", type=seed, default=1, metavar="N", help="random seed (default 1)")
    h.add_argument("--speed", type=float, default=1.0, metavar="X", help="sim seconds per second")
    add_policy_option(h)
    h.add_argument("--team", default="team", metavar="NAME", help="the team's name (journal)")
    h.add_argument(
        "--headless", action="store_true", help="no console: play to the end, print the journal"
    )
    h.add_argument("--sessions", metavar="DIR", default=None, help="where journals go")
    h.add_argument(PLAINTEXT_FLAG, action="store_true", help="no TLS: tests on loopback only")
    j = sub.add_parser("join", help="join a team game day as the seat a code opens")
    j.add_argument("address", metavar="HOST:PORT", help="the host's address")
    j.add_argument("--code", required=True, metavar="CODE", help="the seat's join code")
    j.add_argument("--name", default=None, metavar="NAME", help="your name")
    j.add_argument(
        "--actions", default=None, metavar="FILE", help="play the seat from an action script"
    )
    j.add_argument(PLAINTEXT_FLAG, action="store_true", help="no TLS: tests on loopback only")


# --------------------------------------------------------------------------- host


def _listen(text: str) -> tuple[str, int]:
    from tui.link.remote import parse_address

    try:
        return parse_address(text, any_port=True)
    except ValueError as exc:
        raise UsageError(f"--listen: {exc}") from None


def _data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("warroom"))


def cmd_host(args: argparse.Namespace) -> int:
    """``warroom host SCENARIO …``."""
    from simulator.text import check_name
    from tui.headless.session import new_session
    from tui.headless.team import TeamHost
    from tui.link.common import LinkError
    from tui.link.host import TeamServer, is_loopback
    from tui.link.seats import SeatError, SeatTable, parse_roles
    from tui.link.tls import host_identity, server_context

    host, port = _listen(args.listen)
    try:
        roles = parse_roles(args.roles)
    except SeatError as exc:
        raise UsageError(f"--roles: {exc}") from None
    try:
        team = check_name(args.team)
    except ValueError as exc:
        raise UsageError(f"--team: {exc}") from None
    if args.plaintext_for_tests and not is_loopback(host):
        raise UsageError(f"{PLAINTEXT_FLAG} is only for the loopback interface, not {host}")
    session = new_session(
        args.scenario,
        trainee=team,
        seed=args.seed,
        speed=args.speed,
        policy=args.policy,
        journal_dir=args.sessions,
        driver="team",
        paused=True,
    )
    tls = None
    fingerprint = "none (plaintext, for tests)"
    if not args.plaintext_for_tests:
        identity = host_identity(_data_dir() / "host")
        tls = server_context(identity)
        fingerprint = identity.fingerprint
    table = SeatTable(roles)
    try:
        server = TeamServer(
            _placeholder_header(session),
            table,
            lambda command, seat: (False, "the host is starting"),
            host=host,
            port=port,
            tls=tls,
            plaintext_for_tests=args.plaintext_for_tests,
        )
    except LinkError as exc:
        error(str(exc))
        return EXIT_INVALID
    team_host = TeamHost(session, server)
    shown = host if host not in ("0.0.0.0", "::") else (socket.gethostname() or "localhost")
    flag = f" {PLAINTEXT_FLAG}" if args.plaintext_for_tests else ""

    def started(h: TeamHost) -> None:
        print(f"warroom host: {session.scenario.id} ({session.scenario.title})")
        print(f"certificate fingerprint: {fingerprint}")
        for seat in table.seats.values():
            title = ROLE_TITLES.get(seat.role, seat.role)
            print(
                f"  {seat.id:<11} {title:<22} warroom join {shown}:{h.server.port} "
                f"--code {seat.code}{flag}"
            )
        print("the clock starts when every seat has joined")
        sys.stdout.flush()

    try:
        if args.headless:
            journal = asyncio.run(team_host.run(started=started))
        elif sys.stdin.isatty() and sys.stdout.isatty():
            from tui.screens.host import run_host

            journal = run_host(
                team_host,
                lambda seat, port: f"warroom join {shown}:{port} --code {seat.code}{flag}",
                fingerprint,
            )
        else:
            from tui.cli.console import host_console

            journal = asyncio.run(host_console(team_host, started))
    except LinkError as exc:
        error(str(exc))
        return EXIT_INVALID
    print(person_debrief(journal))
    print(f"journal: {journal}")
    return EXIT_OK


def person_debrief(journal_path: Path) -> str:
    """Each participant's debrief: what they did, and the criteria their role owns."""
    from assessments.policy import journal_policy
    from assessments.team import grade_people
    from simulator.durations import format_clock
    from simulator.journal import read_journal
    from simulator.library import journal_scenario
    from simulator.text import visible

    journal = read_journal(journal_path)
    results = grade_people(
        journal.events,
        scenario=journal_scenario(journal, None).scenario,
        policy=journal_policy(journal),
        seed=journal.header.seed,
    )
    lines = ["debrief per participant:"]
    for r in results:
        lines.append(
            f"  {visible(r.person, multiline=False)} ({r.seat}): {len(r.actions)} actions, "
            f"{len(r.refused)} refused"
        )
        for c in r.criteria:
            lines.append(f"    {c.status:<14} {c.id}: {visible(c.detail, multiline=False)}")
        for a in r.actions:
            what = " ".join(str(v) for k, v in a.command.items() if k not in ("text", "rationale"))
            lines.append(f"    {format_clock(a.t):>8}  {visible(what, multiline=False)}")
    if not results:
        lines.append("  nobody acted")
    return "\n".join(lines)


def _placeholder_header(session: Any) -> Any:
    """The session's header; the session is opened (journal written) by ``TeamHost``."""
    import time

    if session.header is None:
        session.open(time.monotonic())
    return session.header


# --------------------------------------------------------------------------- join


def cmd_join(args: argparse.Namespace) -> int:
    """``warroom join HOST:PORT --code CODE [--name NAME] [--actions FILE]``."""
    from simulator.library import load_script
    from simulator.text import check_name
    from simulator.yamlio import LoadError
    from tui.cli.common import print_problems
    from tui.headless.team import play_seat
    from tui.link.common import LinkError
    from tui.link.host import is_loopback
    from tui.link.remote import RemoteSeat, parse_address

    try:
        host, port = parse_address(args.address)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.plaintext_for_tests and not is_loopback(host):
        raise UsageError(f"{PLAINTEXT_FLAG} is only for the loopback interface, not {host}")
    name = None
    if args.name is not None:
        try:
            name = check_name(args.name, "a name")
        except ValueError as exc:
            raise UsageError(f"--name: {exc}") from None
    script = None
    if args.actions is not None:
        try:
            script = load_script(args.actions)
        except LoadError as exc:
            print_problems(exc, sys.stderr)
            return EXIT_INVALID
    seat = RemoteSeat(
        host,
        port,
        args.code,
        name=name,
        known_hosts=None if args.plaintext_for_tests else _data_dir() / "known_hosts",
        plaintext_for_tests=args.plaintext_for_tests,
    )

    async def headless() -> int:
        try:
            from tui.cli.console import joined_line

            welcome = await seat.connect()
            print(joined_line(seat, welcome), flush=True)
            assert script is not None
            received = await play_seat(
                seat,
                script,
                on_outcome=lambda c, o: print(
                    f"{c.describe()}: {'accepted' if o.accepted else 'refused: ' + str(o.reason)}"
                ),
            )
        finally:
            await seat.close()
        print(f"the exercise ended; {received} events received")
        return EXIT_OK

    try:
        if script is not None:
            return asyncio.run(headless())
        if sys.stdin.isatty() and sys.stdout.isatty():
            from tui.screens.seat import run_seat

            return run_seat(seat)
        from tui.cli.console import seat_console

        return asyncio.run(seat_console(seat))
    except LinkError as exc:
        error(str(exc))
        return EXIT_INVALID


HANDLERS: dict[str, Handler] = {"host": cmd_host, "join": cmd_join}
