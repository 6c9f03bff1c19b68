"""The ``warroom`` command line: the contract in DESIGN.md, one module per group of commands.

``parser`` builds the parser and holds ``main``; each command group adds its own sub-commands
and handlers: ``scenarios`` (list, validate, schema, run, grade, replay), ``programme`` (quiz,
roster, trainee, credit, certify, verify, revoke), ``lint``, ``reports`` (report) and ``play``
(the lobby, play, facilitate, resume: the commands that open the TUI). ``common`` holds what
they all share (exit codes, argument types, the usage error, tables, error printing) and
``listing`` the rows of ``warroom list`` (from ``tui.headless.catalogue``). Dependencies point one way: ``parser`` → the
groups → ``listing`` → ``common`` (checked by ``lint-imports``).

Importing this package must stay cheap and must not import Textual: ``warroom --help`` builds
the parser only, and every command imports the engine, the models or the screens it uses when it
runs. The services the commands call live below the UI (``assessments.programme`` and the rest).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``warroom`` with ``argv`` (default: the process's arguments); the exit code."""
    from tui.cli.parser import main as run

    return run(argv)


__all__ = ["main"]
