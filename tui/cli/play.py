"""The command-line handlers that open the TUI: ``warroom``, ``play``, ``facilitate``, ``resume``.

``tui.cli.parser`` builds the argparse namespace and calls these; they turn bad options into usage
errors (exit 2) and leave scenario problems (``LoadError``) to the CLI's ``PATH:LINE:COL``
reporting. Textual is imported only inside the handlers, so the other commands stay fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from simulator.pacer import MAX_SPEED


def add_commands(
    sub: argparse._SubParsersAction[Any],
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Register ``play``, ``facilitate`` and ``resume``; ``common`` adds --seed/--policy/--trainee."""
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
        common(t)
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
    r.add_argument("--sessions", metavar="DIR", default=None, help=argparse.SUPPRESS)


def _check(args: argparse.Namespace) -> None:
    from tui.cli.parser import UsageError

    speed = getattr(args, "speed", None)
    if speed is not None and not 0 < speed <= MAX_SPEED:
        raise UsageError(f"--speed must be above 0 and at most {MAX_SPEED:g}")


def _run(args: argparse.Namespace, mode: str) -> int:
    from simulator.journal import JournalError
    from tui.app import run_tui
    from tui.cli.parser import UsageError
    from tui.headless.session import ResumeError

    _check(args)
    try:
        return run_tui(args, mode)
    except (JournalError, ResumeError) as exc:
        print(f"warroom: error: {exc}", file=sys.stderr)
        return 1
    except (KeyError, FileNotFoundError) as exc:
        raise UsageError(str(exc).strip("'\"")) from None


def cmd_play(args: argparse.Namespace) -> int:
    """``warroom play SCENARIO``: the Incident Commander console for one scenario."""
    return _run(args, "play")


def cmd_facilitate(args: argparse.Namespace) -> int:
    """``warroom facilitate SCENARIO`` or ``--attach``: the facilitator console."""
    from tui.cli.parser import UsageError

    if args.scenario is None and args.attach is None:
        raise UsageError("facilitate needs a SCENARIO or --attach")
    if args.scenario is not None and args.attach is not None:
        raise UsageError("facilitate takes a SCENARIO or --attach, not both")
    return _run(args, "facilitate")


def cmd_resume(args: argparse.Namespace) -> int:
    """``warroom resume JOURNAL``: continue a session where it stopped."""
    return _run(args, "resume")


def cmd_lobby(args: argparse.Namespace) -> int:
    """``warroom`` with no command: the lobby (scenario, trainee, policy, speed)."""
    return _run(argparse.Namespace(**{**vars(args), "scenario": None}), "lobby")


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "play": cmd_play,
    "facilitate": cmd_facilitate,
    "resume": cmd_resume,
    "lobby": cmd_lobby,
}
