"""The ``warroom`` parser and ``main``: build the parser, dispatch to a command, map the outcome.

Each group of commands adds its own sub-commands and handlers (``scenarios``, ``programme``,
``lint``, ``reports``, ``play``, ``team``); this module only puts them together. Exit codes: 0 success,
1 invalid input or failed verification, 2 usage error. Bad input is reported as
``PATH:LINE:COL: error: MESSAGE`` lines, never a traceback.

Importing this module and building the parser must stay cheap (``warroom --help`` does only
that): the command modules import the engine, the models and Textual inside their handlers, when
they run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from tui.cli import exchange, lint, play, programme, reports, scenarios, team
from tui.cli.common import EXIT_OK, EXIT_USAGE, Handler, Version, guarded


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (shared by ``main`` and the docs)."""
    p = _Parser(
        prog="warroom",
        description="Incident-response training in the terminal: play incidents as Incident "
        "Commander, graded against your organisation's policy.",
    )
    p.add_argument("--version", action=Version, help="print warroom's version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    scenarios.add_commands(sub)
    programme.add_commands(sub)
    exchange.add_commands(sub)
    lint.add_commands(sub)
    reports.add_commands(sub)
    play.add_commands(sub)
    team.add_commands(sub)
    return p


HANDLERS: dict[str, Handler] = {
    **scenarios.HANDLERS,
    **programme.HANDLERS,
    **exchange.HANDLERS,
    **lint.HANDLERS,
    **reports.HANDLERS,
    **play.HANDLERS,
    **team.HANDLERS,
}
"""Command name → handler; ``lobby`` is ``warroom`` with no command."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            parser.print_help()  # no terminal to draw the lobby on
            return EXIT_OK
        handler = HANDLERS["lobby"]
    else:
        handler = HANDLERS[args.command]
    try:
        return guarded(handler)(args)
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
