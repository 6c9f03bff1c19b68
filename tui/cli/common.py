"""What every group of ``warroom`` commands shares, written once.

Exit codes (0 success, 1 invalid input or failed verification, 2 usage error), the usage error a
handler raises after parsing, the argument types and options several groups take, the plain-text
table, JSON output, and how errors are printed: ``warroom: error: MESSAGE`` for the user's
mistakes, ``PATH:LINE:COL: error: MESSAGE`` for bad files, never a traceback.

This module must stay cheap to import (``warroom --help`` imports it): the standard library only
at the top, anything else inside the function that needs it. It must not import Textual or Rich,
nor any other module of ``tui.cli``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from assessments.policy import Policy
    from simulator.files import FileError
    from simulator.yamlio import LoadError

EXIT_OK = 0
"""Success."""
EXIT_INVALID = 1
"""Invalid input, unmet rules or a failed verification."""
EXIT_USAGE = 2
"""A usage error: the command line itself is wrong."""
EXIT_UNCHECKED = 3
"""``verify``: the signature is good but revocation could not be checked (no records)."""

Handler = Callable[[argparse.Namespace], int]
"""A command: the parsed arguments in, the exit code out."""


class UsageError(Exception):
    """A usage problem found after argument parsing (exit 2)."""


# --------------------------------------------------------------------------- arguments


def seed(text: str) -> int:
    """The ``--seed`` argument type: a whole number from 0 to 2^63-1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a seed is a whole number, not {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError("a seed is between 0 and 2^63-1")
    return value


def add_policy_option(p: argparse.ArgumentParser, default: str | None = "default") -> None:
    """Add ``--policy P`` (a packaged policy name or a path)."""
    p.add_argument(
        "--policy",
        default=default,
        metavar="P",
        help="policy name (default, agentos, nexus) or path",
    )


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Add what every command that plays a scenario takes: ``--seed``, ``--policy``, ``--trainee``."""
    p.add_argument("--seed", type=seed, default=1, metavar="N", help="random seed (default 1)")
    add_policy_option(p)
    p.add_argument("--trainee", type=trainee, default=None, metavar="NAME", help="trainee name")


def trainee(text: str) -> str:
    """A ``--trainee`` name: the records' rule (length, no control characters)."""
    from simulator.text import check_name

    try:
        return check_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# --------------------------------------------------------------------------- loading


def load_policy(name: str) -> Policy:
    """The policy ``name`` (packaged name or path); an unknown one is a usage error.

    Raises:
        UsageError: no such packaged policy or file.
        simulator.yamlio.LoadError: the policy file is invalid.
    """
    from assessments.policy import load_policy as load

    try:
        return load(name)
    except (KeyError, FileNotFoundError) as exc:
        raise UsageError(str(exc).strip("'\"")) from None


# --------------------------------------------------------------------------- output


def error(message: str) -> None:
    """Print ``warroom: error: MESSAGE`` on stderr."""
    print(f"warroom: error: {message}", file=sys.stderr)


def print_problems(exc: LoadError, out: TextIO) -> None:
    """Print a bad file's problems, one ``PATH:LINE:COL: error: MESSAGE`` line each."""
    for problem in exc.problems:
        print(problem, file=out)


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON (non-ASCII kept; control characters escaped)."""
    from simulator.text import visible_json

    print(visible_json(json.dumps(data, indent=2, ensure_ascii=False)))


def table(rows: Sequence[Sequence[str]], out: TextIO, *, fit: int | None = None) -> None:
    """Print ``rows`` (the first is the heading) as left-aligned columns two spaces apart.

    ``fit``: a terminal width to fit into: the widest column is cut (ending in ``…``) as far
    as it must, never below its heading's width.
    """
    from simulator.text import visible

    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    if fit is not None:
        over = sum(widths) + 2 * (len(widths) - 1) - fit
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if over > 0:
            cut = max(len(rows[0][widest]), widths[widest] - over)
            widths[widest] = cut
            rows = [
                [c if i != widest or len(c) <= cut else c[: cut - 1] + "…" for i, c in enumerate(r)]
                for r in rows
            ]
    for row in rows:
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        print(visible(line, multiline=False), file=out)


def plural(n: int) -> str:
    """``"s"`` unless ``n`` is 1."""
    return "" if n == 1 else "s"


def output_file(option: str, path: str) -> None:
    """Refuse, before any work, a FILE option's path that cannot be an output file
    (``simulator.files.check_output_file``: a folder, a FIFO, a device, a file on the way).

    Raises:
        UsageError: ``OPTION PATH: cannot write: …``.
    """
    from simulator.files import FileError, check_output_file

    try:
        check_output_file(path)
    except FileError as exc:
        raise UsageError(_refused(option, exc)) from None


def output_folder(option: str, path: str) -> None:
    """Refuse, before any work, a DIR option's path that cannot be an output folder
    (``simulator.files.check_output_folder``: a file, a FIFO, a device, a file on the way).

    Raises:
        UsageError: ``OPTION PATH: cannot write: …``.
    """
    from simulator.files import FileError, check_output_folder

    try:
        check_output_folder(path)
    except FileError as exc:
        raise UsageError(_refused(option, exc)) from None


def _refused(option: str, exc: FileError) -> str:
    from simulator.text import visible

    return f"{option} {visible(exc.path, multiline=False)}: {exc.reason}"


def write_text(path: str, text: str) -> None:
    """Write ``text`` to the output file ``path`` (UTF-8), making its folder
    (``simulator.files.write_text``: a regular file only, opened without blocking).

    Raises:
        simulator.files.FileError: when it cannot be written (``PATH: error: cannot write: …``).
    """
    from simulator.files import write_text as write

    write(path, text)


# --------------------------------------------------------------------------- progress


def progress_bar(
    out: TextIO, *, minimum: int = 10, label: str = "grading journals"
) -> Callable[[int, int], None] | None:
    """A plain-text progress bar on ``out`` when it is a terminal outside CI, else ``None``."""
    if os.environ.get("CI") or not out.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total < minimum:
            return
        width = 30
        filled = width * done // total
        out.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            out.write("\n")
        out.flush()

    return show


# --------------------------------------------------------------------------- running a handler


def guarded(handler: Handler) -> Handler:
    """``handler`` reporting its own usage errors (exit 2), bad files and unusable records (1).

    A handler wrapped so behaves the same under ``warroom``'s ``main`` and when called alone.
    The loader and the records are imported only once something went wrong: their errors cannot
    exist before their modules are loaded, and ``--help`` must not pay for them.
    """

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except UsageError as exc:
            error(str(exc))
            return EXIT_USAGE
        except Exception as exc:
            from assessments.records import RecordsError
            from simulator.files import InputError
            from simulator.yamlio import LoadError

            if isinstance(exc, LoadError):
                print_problems(exc, sys.stderr)
                return EXIT_INVALID
            if isinstance(exc, InputError):
                print(exc, file=sys.stderr)  # already PATH[:LINE]: error: …
                return EXIT_INVALID
            if isinstance(exc, RecordsError):
                error(str(exc))
                return EXIT_INVALID
            raise

    return run


class Version(argparse.Action):
    """``--version``: the installed package's version (read only when asked, so ``--help`` and
    every other command do not pay for ``importlib.metadata``)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.pop("nargs", None)
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("warroom")
        except PackageNotFoundError:
            number = "unknown (not installed)"
        print(f"warroom {number}")
        parser.exit(EXIT_OK)
