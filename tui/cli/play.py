"""The commands that open the TUI: ``warroom`` (the lobby), ``play``, ``facilitate``, ``resume``.

``add_commands`` adds them to the ``warroom`` parser and ``HANDLERS`` maps each to its handler.
``run_tui`` turns the parsed command line into ``tui.app.make_app``'s typed arguments and runs
the app. Bad options are usage errors (exit 2); scenario problems (``LoadError``) are left to
``tui.cli.parser.main``'s ``PATH:LINE:COL`` reporting. Textual, the engine and the screens are
imported inside the handlers, when they run, so the other commands and ``--help`` stay fast;
this module must not import them at the top.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Literal

from tui.cli.common import (
    EXIT_INVALID,
    Handler,
    UsageError,
    add_run_options,
    error,
    output_folder,
)

Mode = Literal["lobby", "play", "facilitate", "resume"]
"""What the TUI opens: the lobby, a scenario's console, a game day, or a stopped session."""


def add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``play``, ``facilitate`` and ``resume`` to ``warroom``'s subcommands."""
    for name, text in (
        ("play", "play a scenario as Incident Commander (TUI)"),
        ("facilitate", "run a scenario as facilitator, or attach to a trainee's session (TUI)"),
    ):
        t = sub.add_parser(name, help=text)
        if name == "facilitate":
            t.add_argument("scenario", metavar="SCENARIO", nargs="?", help="library id or path")
            t.add_argument(
                "--attach",
                metavar="SESSION",
                nargs="?",
                const="",
                default=None,
                help="attach to a session played in another terminal (its directory; "
                "no value: choose among the live ones)",
            )
        else:
            t.add_argument("scenario", metavar="SCENARIO", help="library id or path")
        add_run_options(t)
        t.add_argument(
            "--speed", type=float, default=1.0, metavar="X", help="sim seconds per second"
        )
        t.add_argument("--sessions", metavar="DIR", default=None, help=argparse.SUPPRESS)
    r = sub.add_parser("resume", help="continue a session from its journal (TUI)")
    r.add_argument("journal", metavar="JOURNAL", help="the session's journal or directory")
    r.add_argument(
        "--speed",
        type=float,
        default=None,
        metavar="X",
        help="sim seconds per second (default: the speed it was playing at)",
    )
    r.add_argument("--scenario", metavar="PATH", help="the scenario file, when not in the library")
    r.add_argument("--policy", metavar="P", help="the policy file, when not a packaged policy")
    r.add_argument("--sessions", metavar="DIR", default=None, help=argparse.SUPPRESS)


def run_tui(args: argparse.Namespace, mode: Mode) -> int:
    """Run the TUI for a parsed command line; the exit code.

    Args:
        args: What ``warroom``'s parser made of the command line (for ``lobby``: no options).
        mode: What to open.

    Raises:
        UsageError: a speed out of range, or no such packaged policy or policy file.
        simulator.yamlio.LoadError: the scenario or the policy file is invalid.
    """
    try:
        return _run(args, mode)
    except (KeyError, FileNotFoundError) as exc:
        raise UsageError(str(exc).strip("'\"")) from None
    except Exception as exc:
        # Imported once something went wrong: the lobby's first frame must not wait on the
        # journal's and the session's modules (the models, the engine) to be loaded.
        from simulator.journal import JournalError
        from tui.headless.session import ResumeError

        if isinstance(exc, JournalError):
            print(exc, file=sys.stderr)  # already PATH:LINE: error: …
            return EXIT_INVALID
        if isinstance(exc, ResumeError):
            error(str(exc))
            return EXIT_INVALID
        raise


def _run(args: argparse.Namespace, mode: Mode) -> int:
    import gc

    # No garbage collection until the first frame is on screen (the app turns it back on after
    # it, with what start-up built frozen): what the start builds (Textual, the models, the
    # screens) all stays alive, and walking it again and again costs the first frame about a
    # tenth. Attaching to another terminal's session keeps collection on.
    gc.disable()
    try:
        return _run_app(args, mode)
    finally:
        gc.enable()


def _run_app(args: argparse.Namespace, mode: Mode) -> int:
    import gc

    from simulator.pacer import MAX_SPEED
    from tui.app import make_app

    sessions: Path | None = None
    if mode != "lobby":
        if args.speed is not None and not 0 < args.speed <= MAX_SPEED:
            raise UsageError(f"--speed must be above 0 and at most {MAX_SPEED:g}")
        sessions = Path(args.sessions) if args.sessions is not None else None
        if sessions is not None and not (mode == "facilitate" and args.attach is not None):
            output_folder("--sessions", args.sessions)  # where the session's journal goes
        if mode == "facilitate" and args.attach is not None:
            gc.enable()
            return _attach(args.attach, sessions)
    if mode == "lobby":
        app = make_app()
    elif mode == "resume":
        app = make_app(
            args.scenario,
            resume=args.journal,
            speed=args.speed,
            policy=args.policy,
            journal_dir=sessions,
        )
    else:
        app = make_app(
            args.scenario,
            trainee=args.trainee,
            seed=args.seed,
            speed=args.speed,
            policy=args.policy,
            journal_dir=sessions,
            facilitating=mode == "facilitate",
        )
    result = app.run()
    return result if isinstance(result, int) else app.return_code or 0


def _attach(attach: str, sessions_dir: Path | None) -> int:
    """``facilitate --attach [SESSION]``: the session named, else the one playing, else a choice."""
    from tui.headless.session import journal_dir_default
    from tui.link.common import LiveSession, live_sessions

    target: Path | None = None
    sessions: list[LiveSession] = []
    if attach:
        target = Path(attach)
        if not target.is_dir():
            error(f"{target}: not a session directory")
            return EXIT_INVALID
    else:
        folder = sessions_dir if sessions_dir is not None else journal_dir_default()
        sessions = live_sessions(folder)
        if not sessions:
            error(
                f"no session is playing on this machine (looked in {folder}); "
                "start one with `warroom play SCENARIO`"
            )
            return EXIT_INVALID
        if len(sessions) == 1:
            target = sessions[0].directory
    from tui.screens.remote import run_attached

    return run_attached(target, sessions)


def cmd_play(args: argparse.Namespace) -> int:
    """``warroom play SCENARIO``: the Incident Commander console for one scenario."""
    return run_tui(args, "play")


def cmd_facilitate(args: argparse.Namespace) -> int:
    """``warroom facilitate SCENARIO`` or ``--attach``: the facilitator console."""
    if args.scenario is None and args.attach is None:
        raise UsageError("facilitate needs a SCENARIO or --attach")
    if args.scenario is not None and args.attach is not None:
        raise UsageError("facilitate takes a SCENARIO or --attach, not both")
    return run_tui(args, "facilitate")


def cmd_resume(args: argparse.Namespace) -> int:
    """``warroom resume JOURNAL``: continue a session where it stopped."""
    return run_tui(args, "resume")


def cmd_lobby(args: argparse.Namespace) -> int:
    """``warroom`` with no command: the lobby (scenario, trainee, policy, speed)."""
    return run_tui(args, "lobby")


HANDLERS: dict[str, Handler] = {
    "play": cmd_play,
    "facilitate": cmd_facilitate,
    "resume": cmd_resume,
    "lobby": cmd_lobby,
}
"""Command name → handler, for ``tui.cli.parser.main`` (``lobby``: no command)."""
