"""``warroom import`` and ``warroom export``: journals into the records, records out to other tools.

    warroom import DIR_OR_JOURNAL... [--practice] [--jobs N] [--db PATH]
    warroom export --csv|--xapi [--out FILE] [--policy P] [--db PATH]

``import`` grades each journal once into the records (``assessments.intake``: a process pool,
once each by the journal's SHA-256), with a progress bar on stderr when it is a terminal outside
CI, then one summary line. Journals of live sessions that this programme did not seal are
refused for credit (one ``PATH: …`` line each) unless ``--practice`` records them as practice
only; exit 0 when every journal was imported or already held, 1 when any was refused or
unreadable. ``export`` writes CSV (roster and attempts) or xAPI statements (JSON lines) to
``--out`` or stdout (``assessments.exports``); an ``--out`` that cannot be a file (a folder, a
FIFO, a device) is a usage error before the records are read.

This module only parses arguments and prints; it must not import Textual or Rich, nor build
SQL, and imports what a command uses when it runs.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from tui.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    Handler,
    add_policy_option,
    error,
    guarded,
    load_policy,
    output_file,
    plural,
    progress_bar,
    write_text,
)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number of processes, not {text!r}") from None
    if not 1 <= value <= 256:
        raise argparse.ArgumentTypeError("between 1 and 256 processes")
    return value


def add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``import`` and ``export`` to ``warroom``'s subcommands."""
    i = sub.add_parser(
        "import",
        help="read and grade journals into the records, once each (in parallel)",
        description="Read, seal-check and grade each journal once into the records, so cohort "
        "reports never read it again (warroom report --cohort). Journals of live sessions "
        "count for credit only when this programme sealed them.",
    )
    i.add_argument("paths", nargs="+", metavar="DIR_OR_JOURNAL", help="journals and folders")
    i.add_argument(
        "--practice",
        action="store_true",
        help="record unsealed or foreign journals as practice only instead of refusing them",
    )
    i.add_argument(
        "--jobs", type=_jobs, default=None, metavar="N", help="processes (default: one per core)"
    )
    _db_option(i)

    e = sub.add_parser(
        "export",
        help="the records as CSV (roster and attempts) or xAPI statements (JSON lines)",
    )
    kind = e.add_mutually_exclusive_group(required=True)
    kind.add_argument("--csv", action="store_true", help="roster and attempts as CSV")
    kind.add_argument("--xapi", action="store_true", help="xAPI statements, one JSON per line")
    e.add_argument("--out", metavar="FILE", default=None, help="where to write (default stdout)")
    add_policy_option(e)
    _db_option(e)


def _db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="PATH",
        default=None,
        help="the records database (default $WARROOM_DB or user data dir)",
    )


@guarded
def cmd_import(args: argparse.Namespace) -> int:
    """Import journals; see the module docstring."""
    from assessments.intake import find_journals, import_journals
    from assessments.records import resolve_db_path

    location = resolve_db_path(args.db)
    missing = [p for p in args.paths if not Path(p).exists()]
    for p in missing:
        print(f"{p}: error: no such file or folder", file=sys.stderr)
    paths = find_journals(p for p in args.paths if Path(p).exists())
    if not paths:
        error("no journal to import (*.jsonl files, or folders holding them)")
        return EXIT_INVALID
    report = import_journals(
        location,
        paths,
        practice=args.practice,
        workers=args.jobs,
        progress=progress_bar(sys.stderr, label="importing journals"),
    )
    for outcome in report.outcomes:
        if outcome.status in ("refused", "unreadable"):
            print(outcome.message, file=sys.stderr)
    n = len(report.outcomes)
    refused, unreadable = report.count("refused"), report.count("unreadable")
    print(
        f"{n} journal{plural(n)}: {report.count('imported')} imported, "
        f"{report.count('practice')} as practice only, {report.count('already')} already in "
        f"the records, {refused} refused, {unreadable} unreadable ({location})"
    )
    return EXIT_INVALID if refused or unreadable or missing else EXIT_OK


@guarded
def cmd_export(args: argparse.Namespace) -> int:
    """Export the records as CSV or xAPI statements."""
    from assessments.certification import roster
    from assessments.exports import roster_csv, xapi_statements
    from assessments.records import Records, RecordsError, resolve_db_path

    if args.out is not None:
        output_file("--out", args.out)
    location = resolve_db_path(args.db)
    if not location.exists():
        raise RecordsError(f"{location}: no records yet")
    policy = load_policy(args.policy)
    with Records(location) as records:
        everyone = records.all_records()
        if args.csv:
            text = roster_csv(everyone, roster(records, policy, date.today()))
        else:
            text = "".join(line + "\n" for line in xapi_statements(everyone))
        for bad in records.bad_rows:
            print(f"warroom: warning: {records.path}: {bad} (left out)", file=sys.stderr)
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_OK
    write_text(args.out, text)  # FileError (exit 1) when it fails
    print(Path(args.out).resolve())
    return EXIT_OK


HANDLERS: dict[str, Handler] = {"import": cmd_import, "export": cmd_export}
"""Command name → handler, for ``tui.cli.parser.main``."""
