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
as text and sends commands typed one per line. ``host --web [ADDR:]PORT`` also serves browser
seats (``tui.screens.web``): each page asks for a join code and opens that seat's screen. Textual
is imported only when a seat's screen opens or browser seats are served.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    Handler,
    UsageError,
    add_policy_option,
    error,
    output_folder,
    seed,
)

if TYPE_CHECKING:
    from tui.screens.web import SeatWebServer

DEFAULT_PORT = 7433
"""The port ``warroom host`` listens on unless ``--listen`` says otherwise."""

PLAINTEXT_FLAG = "--plaintext-for-tests"
"""Turns TLS off, for tests on the loopback interface only."""


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
    h.add_argument(
        "--web",
        metavar="[ADDR:]PORT",
        default=None,
        help="also serve browser seats on PORT (the --listen address) or ADDR:PORT (HTTPS)",
    )
    h.add_argument(
        "--db",
        default=None,
        metavar="PATH",
        help="the programme's records (a path or postgresql://…; default $WARROOM_DB, else the "
        "user data directory): their key seals the journal",
    )
    h.add_argument(
        "--record",
        action="store_true",
        help="at the end, record the team's attempt and one per participant in the records",
    )
    h.add_argument(
        "--report",
        metavar="DIR",
        default=None,
        help="where the team's and each participant's debriefs go (default: beside the journal)",
    )
    h.add_argument(PLAINTEXT_FLAG, action="store_true", help="no TLS: tests on loopback only")
    j = sub.add_parser("join", help="join a team game day as the seat a code opens")
    j.add_argument("address", metavar="HOST:PORT", help="the host's address")
    opens = j.add_mutually_exclusive_group(required=True)
    opens.add_argument("--code", metavar="CODE", help="the seat's join code")
    opens.add_argument(
        "--token",
        metavar="TOKEN",
        help="your seat's rejoin code (shown when you joined): take your seat again",
    )
    j.add_argument("--name", default=None, metavar="NAME", help="your name")
    j.add_argument(
        "--actions", default=None, metavar="FILE", help="play the seat from an action script"
    )
    j.add_argument(
        "--approve",
        choices=("all", "none"),
        default="all",
        help="with --actions, in a seat that approves (the IC's): approve every request the "
        "technical lead sends (all, the default) or deny them (none)",
    )
    j.add_argument(PLAINTEXT_FLAG, action="store_true", help="no TLS: tests on loopback only")


# --------------------------------------------------------------------------- host


def _listen(text: str) -> tuple[str, int]:
    from tui.link.remote import parse_address

    try:
        return parse_address(text, any_port=True)
    except ValueError as exc:
        raise UsageError(f"--listen: {exc}") from None


def _web(text: str, listen_host: str) -> tuple[str, int]:
    from tui.link.web import web_address

    try:
        return web_address(text, listen_host)
    except ValueError as exc:
        raise UsageError(f"--web: {exc}") from None


def _shown(host: str) -> str:
    """How the seat lines name a listening address (a wildcard as the machine's name)."""
    import socket

    return host if host not in ("0.0.0.0", "::") else (socket.gethostname() or "localhost")


def _data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("warroom"))


def cmd_host(args: argparse.Namespace) -> int:
    """``warroom host SCENARIO …``."""
    import asyncio

    from simulator import protocol as p
    from simulator.text import check_name
    from tui.headless.session import new_session
    from tui.headless.team import TeamHost
    from tui.link.common import LinkError
    from tui.link.host import TeamServer, is_loopback
    from tui.link.seats import SeatError, SeatTable, parse_roles
    from tui.link.tls import host_identity, server_context

    host, port = _listen(args.listen)
    for option, folder in (("--sessions", args.sessions), ("--report", args.report)):
        if folder is not None:
            output_folder(option, folder)
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
    web_at = _web(args.web, host) if args.web is not None else None
    if web_at is not None and args.plaintext_for_tests and not is_loopback(web_at[0]):
        raise UsageError(f"{PLAINTEXT_FLAG} is only for the loopback interface, not {web_at[0]}")
    seal = host_seal(args.db, required=args.record)
    if seal is None and args.record:
        return EXIT_INVALID
    session = new_session(
        args.scenario,
        trainee=team,
        seed=args.seed,
        speed=args.speed,
        policy=args.policy,
        journal_dir=args.sessions,
        driver="team",
        paused=True,
        seal=seal,
    )
    tls = None
    fingerprint = "none (plaintext, for tests)"
    pin = None
    if not args.plaintext_for_tests:
        identity = host_identity(_data_dir() / "host")
        tls = server_context(identity)
        fingerprint = pin = identity.fingerprint
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
            scenario_start=session.scenario.start,
        )
    except LinkError as exc:
        error(str(exc))
        return EXIT_INVALID
    team_host = TeamHost(session, server)
    shown = _shown(host)
    flag = f" {PLAINTEXT_FLAG}" if args.plaintext_for_tests else ""
    web: SeatWebServer | None = None
    if web_at is not None:
        from tui.screens.web import SeatWebServer, page_cap

        web = SeatWebServer(*web_at, tls=tls, max_pages=page_cap(len(table.seats)))

    def open_browser_seats(h: TeamHost) -> str | None:
        """Open the browser seats once the seats' port is known; the line that says where."""
        if web is None:
            return None
        from tui.link.web import SeatTarget, dial_host

        web.open_seats(SeatTarget(dial_host(host), h.server.port, pin))
        return f"open {web.url(_shown(web.host))} and type the seat's code"

    def started(h: TeamHost) -> None:
        print(f"warroom host: {session.scenario.id} ({session.scenario.title})")
        print(f"certificate fingerprint: {fingerprint}")
        for seat in table.seats.values():
            title = p.ROLE_TABLE[seat.role].title
            print(
                f"  {seat.id:<11} {title:<22} warroom join {shown}:{h.server.port} "
                f"--code {seat.code}{flag}"
            )
        browser = open_browser_seats(h)
        if browser is not None:
            print(f"  browser     {'any seat':<22} {browser}")
        print("the clock starts when every seat has joined")
        sys.stdout.flush()

    async def serving(play: Callable[[], Awaitable[Path]]) -> Path:
        """Play with the browser seats served beside the exercise (when ``--web``)."""
        if web is not None:
            try:
                await web.start()
            except OSError as exc:
                raise LinkError(
                    f"cannot serve browser seats on {web.host}:{web.port}: {exc.strerror or exc}"
                ) from None
        try:
            return await play()
        finally:
            if web is not None:
                await web.close()

    try:
        if args.headless:
            journal = asyncio.run(
                serving(lambda: team_host.run(started=started, end_on_signals=True))
            )
        elif sys.stdin.isatty() and sys.stdout.isatty():
            from tui.screens.host import run_host

            journal = run_host(
                team_host,
                lambda seat, port: f"warroom join {shown}:{port} --code {seat.code}{flag}",
                fingerprint,
                serving=serving,
                started=open_browser_seats,
            )
        else:
            from tui.cli.console import host_console

            journal = asyncio.run(serving(lambda: host_console(team_host, started)))
    except LinkError as exc:
        error(str(exc))
        return EXIT_INVALID
    print(person_debrief(journal))
    verdict = after_the_exercise(journal, args)
    print(f"journal: {journal}")
    return verdict


def host_seal(db: str | None, *, required: bool) -> tuple[str, bytes] | None:
    """The programme's key (from the records at ``db``) the host seals the journal with; a
    seat never holds it. ``None`` when the records cannot be used: the journal is then
    unsealed (earns no credit), said on stderr, or an error when ``required`` (``--record``).
    """
    from assessments.programme import sealing_key
    from assessments.records import RecordsError

    try:
        return sealing_key(db)
    except RecordsError as exc:
        if required:
            error(f"--record: {exc}")
        else:
            print(
                f"warroom host: the journal is not sealed (it earns no credit): {exc}",
                file=sys.stderr,
            )
        return None


def after_the_exercise(journal: Path, args: argparse.Namespace) -> int:
    """Write the team's and each participant's debriefs and, with ``--record``, record the
    team's attempt and one per participant; the exit code."""
    from assessments.assessor import grade_journal
    from assessments.programme import record_attempt
    from assessments.records import RecordsError, resolve_db_path
    from reports import write_reports
    from simulator.files import FileError
    from simulator.journal import JournalError, read_journal
    from simulator.yamlio import LoadError

    out = Path(args.report) if args.report else journal.parent / f"{journal.stem}-debrief"
    try:
        written = write_reports(journal, out, formats=("html", "md", "json"))
    except (JournalError, LoadError, FileError, OSError) as exc:
        error(f"the debriefs were not written: {exc}")
        return EXIT_INVALID
    people = sum(1 for f in written if f.name.startswith("debrief-") and f.suffix == ".html")
    print(f"debriefs: {out} (the team's and {people} participants')")
    if not args.record:
        return EXIT_OK
    try:
        assessment = grade_journal(read_journal(journal))
        attempt = record_attempt(args.db, assessment, journal)
    except (RecordsError, JournalError, LoadError) as exc:
        error(str(exc))
        return EXIT_INVALID
    print(
        f"recorded: {attempt.trainee}'s attempt and each participant's in "
        f"{resolve_db_path(args.db)}"
    )
    return EXIT_OK


def person_debrief(journal_path: Path) -> str:
    """Each participant's debrief: what they did, and the criteria their role owns."""
    from assessments.assessor.results import percent
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
        verdict = "passed" if r.passed else "not passed"
        lines.append(
            f"  {visible(r.person, multiline=False)} ({r.seat}): {len(r.actions)} actions, "
            f"{len(r.refused)} refused; holding {', '.join(r.roles)}: {percent(r.score)} "
            f"{verdict}"
        )
        if r.ran_personally:
            lines.append(
                f"    ran {r.ran_personally} diagnostics themselves: "
                f"{format_clock(r.heads_down_s)} heads-down"
            )
        for c in r.criteria:
            lines.append(f"    {c.status:<14} {c.id}: {visible(c.detail, multiline=False)}")
        for a in r.actions:
            what = " ".join(str(v) for k, v in a.command.items() if k not in ("text", "rationale"))
            lines.append(f"    {format_clock(a.t):>8}  {visible(what, multiline=False)}")
    if not results:
        lines.append("  nobody acted")
    return "\n".join(lines)


def outcome_words(outcome: Any) -> str:
    """``accepted``, ``waiting for the IC's approval (request N)`` or ``refused: REASON``."""
    from simulator.text import visible

    if outcome.accepted:
        return "accepted"
    if outcome.pending is not None:
        return visible(str(outcome.reason), multiline=False)
    return "refused: " + visible(str(outcome.reason), multiline=False)


def request_words(request: Any, outcome: Any, approve: bool) -> str:
    """``request N: TEXT: approved`` (or ``denied``, or ``not decided: REASON``)."""
    from simulator.text import visible

    verdict = ("approved" if approve else "denied") if outcome.accepted else None
    said = verdict or "not decided: " + visible(str(outcome.reason), multiline=False)
    return f"request {request.request}: {visible(request.text, multiline=False)}: {said}"


def _placeholder_header(session: Any) -> Any:
    """The session's header; the session is opened (journal written) by ``TeamHost``."""
    import time

    if session.header is None:
        session.open(time.monotonic())
    return session.header


# --------------------------------------------------------------------------- join


def cmd_join(args: argparse.Namespace) -> int:
    """``warroom join HOST:PORT (--code CODE [--name NAME] | --token TOKEN) [--actions FILE]``."""
    import asyncio

    from simulator.library import load_script, validate_file
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
            if script.scenario is not None:  # its references, as `warroom validate` checks them
                validate_file(args.actions)
        except LoadError as exc:
            print_problems(exc, sys.stderr)
            return EXIT_INVALID
    token = args.token.strip().upper() if args.token is not None else None
    if token is not None and name is not None:
        raise UsageError("--name goes with --code: a rejoin code reopens the seat of its person")
    seat = RemoteSeat(
        host,
        port,
        args.code or "",
        token=token,
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
                on_outcome=lambda c, o: print(f"{c.describe()}: {outcome_words(o)}"),
                approve=args.approve == "all",
                on_request=lambda r, o: print(request_words(r, o, args.approve == "all")),
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
