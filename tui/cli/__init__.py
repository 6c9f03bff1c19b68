"""The ``warroom`` command line: the contract in DESIGN.md, one module per group of commands.

``parser`` builds the parser and holds ``main``; each command group (``programme``, ``reports``,
``lint``, ``play``) adds its own sub-commands and handlers. Importing this package must stay
cheap and must not import Textual: only the commands that open a screen import it, when they
run.
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``warroom`` with ``argv`` (default: the process's arguments); the exit code."""
    from tui.cli.parser import main as run

    return run(argv)


__all__ = ["main"]
