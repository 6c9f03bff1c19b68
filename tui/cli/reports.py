"""``warroom report``: a session's debrief set, a certificate page, or a cohort report.

    warroom report JOURNAL [--out DIR] [--format html,md,json,postmortem] [--policy P]
                   (default: beside the journal)
                   [--quiz RESULT.json] [--db PATH] [--certificate CERT.json]
    warroom report --cohort DIR_OR_JOURNAL... --out DIR [--format html,md,json] [--policy P]
    warroom report --cohort --out DIR [--db PATH] [--policy P]     (from the records)
    warroom report --certificate CERT.json --out DIR

Exit codes: 0 written, 1 invalid input or a report that cannot be written (``PATH:LINE: error:
…`` or ``PATH: error: …``, never a traceback; a cohort report is still written when some
journals are unreadable, and they are listed), 2 usage (an ``--out`` that cannot be a folder:
a file, a FIFO, a device). The cohort's progress bar goes to stderr, only when stderr is a terminal and
``CI`` is not set. The rendering is ``reports``', imported when the command runs; this module
only wires the command line. It must not import Textual or Rich.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    Handler,
    UsageError,
    error,
    load_policy,
    output_folder,
    print_problems,
    progress_bar,
)

if TYPE_CHECKING:
    from assessments.policy import Policy

__all__ = ["HANDLERS", "add_commands", "cmd_report"]


def add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``report`` to the ``warroom`` subcommands."""
    r = sub.add_parser(
        "report",
        help="write the debrief, postmortem draft and certificate; or a cohort report",
        description="Write a session's debrief (HTML, Markdown, JSON) and postmortem draft, "
        "a certificate's printable page, or a cohort report over many journals.",
    )
    r.add_argument("journal", nargs="?", metavar="JOURNAL", help="the session's journal")
    r.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help="folder to write into (default: the journal's own folder; required with --cohort "
        "or a certificate alone)",
    )
    r.add_argument(
        "--cohort",
        nargs="*",
        metavar="PATH",
        help="a cohort report over these journals and folders of journals (*.jsonl); with no "
        "PATH, over the attempts already graded into the records (--db; warroom import)",
    )
    r.add_argument(
        "--format",
        default=None,
        metavar="LIST",
        help="comma-separated: html,md,json,postmortem (default all; cohort: html,md,json)",
    )
    r.add_argument("--policy", default=None, metavar="P", help="grade under another policy")
    r.add_argument(
        "--quiz",
        default=None,
        metavar="FILE",
        help="a quiz result (warroom quiz --answers F --json) for the debrief's quiz section",
    )
    r.add_argument(
        "--db",
        default=None,
        metavar="PATH",
        help="records database: the trainee's latest quiz and certificate go into the report",
    )
    r.add_argument(
        "--certificate",
        default=None,
        metavar="FILE",
        help="a certificate (JSON from warroom certify): also write certificate.html",
    )
    r.add_argument("--scenario", metavar="PATH", help="the scenario file, when not in the library")


def _formats(text: str | None, allowed: tuple[str, ...], default: tuple[str, ...]) -> list[str]:
    if text is None:
        return list(default)
    chosen = [x.strip() for x in text.split(",") if x.strip()]
    bad = [x for x in chosen if x not in allowed]
    if bad or not chosen:
        raise UsageError(
            f"--format: {', '.join(bad) or 'nothing chosen'} (choose from {', '.join(allowed)})"
        )
    return chosen


def cmd_report(args: argparse.Namespace) -> int:
    """Write the reports; see the module docstring."""
    try:
        return _report(args)
    except UsageError as exc:
        print(f"warroom report: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _report(args: argparse.Namespace) -> int:
    from reports import FORMATS, ReportError, cohort_data, write_certificate, write_cohort
    from reports.writer import read_json_file

    cohort = args.cohort is not None
    if args.journal and cohort:
        raise UsageError("give a JOURNAL or --cohort, not both")
    if not args.journal and not cohort and not args.certificate:
        raise UsageError("give a JOURNAL, --cohort [PATH...] or --certificate FILE")
    if cohort and (args.quiz or args.certificate):
        raise UsageError("--quiz and --certificate go with one JOURNAL, not --cohort")
    if args.out is None:
        if not args.journal:
            raise UsageError("--out DIR: where to write (a cohort or a certificate alone)")
        args.out = os.path.dirname(os.path.abspath(args.journal))
    output_folder("--out", args.out)
    policy = load_policy(args.policy) if args.policy else None
    try:
        if cohort and not args.cohort:
            formats = _formats(args.format, ("html", "md", "json"), ("html", "md", "json"))
            return _records_cohort(args, formats, policy)
        if cohort:
            formats = _formats(args.format, ("html", "md", "json"), ("html", "md", "json"))
            return _cohort(args, formats, policy, cohort_data, write_cohort)
        if not args.journal:
            if args.format:
                raise UsageError("--format applies to a JOURNAL's reports")
            document = read_json_file(args.certificate, "certificate")
            path = write_certificate(document, os.path.join(args.out, "certificate.html"))
            print(path)
            return EXIT_OK
        formats = _formats(args.format, FORMATS, FORMATS)
        return _session(args, formats, policy)
    except ReportError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        where = getattr(exc, "filename", None) or args.out
        print(f"{where}: error: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID


def _session(args: argparse.Namespace, formats: list[str], policy: Policy | None) -> int:
    from reports import write_reports
    from simulator.journal import JournalError
    from simulator.yamlio import LoadError

    try:
        written = write_reports(
            args.journal,
            args.out,
            formats=formats,
            policy=policy,
            quiz=args.quiz,
            certificate=args.certificate,
            db=args.db,
            scenario=args.scenario,
        )
    except JournalError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except LoadError as exc:
        print_problems(exc, sys.stderr)
        return EXIT_INVALID
    except (KeyError, FileNotFoundError) as exc:
        print(f"{args.journal}: error: {str(exc).strip(chr(39))}", file=sys.stderr)
        return EXIT_INVALID
    for path in written:
        print(path)
    return EXIT_OK


def _cohort(
    args: argparse.Namespace,
    formats: list[str],
    policy: Policy | None,
    cohort_data: Callable[..., dict[str, Any]],
    write_cohort: Callable[..., list[Any]],
) -> int:
    missing = [p for p in args.cohort if not os.path.exists(p)]
    for p in missing:
        print(f"{p}: error: no such file or folder", file=sys.stderr)
    present = [p for p in args.cohort if os.path.exists(p)]
    data = cohort_data(present, policy=policy, progress=progress_bar(sys.stderr))
    for skipped in data["skipped"]:
        print(skipped["error"], file=sys.stderr)
    if not data["sessions"]:
        error("no journal could be read: no cohort report written")
        return EXIT_INVALID
    for path in write_cohort(data, args.out, formats=formats):
        print(path)
    print(
        f"{data['sessions']} sessions, {data['trainees']} trainees, {data['pass_rate']:.0%} passed",
        file=sys.stderr,
    )
    return EXIT_INVALID if missing or data["skipped"] else EXIT_OK


def _records_cohort(args: argparse.Namespace, formats: list[str], policy: Policy | None) -> int:
    """A cohort report over the attempts already graded into the records."""
    from assessments.records import RecordsError, resolve_db_path
    from reports import cohort_data_from_records, write_cohort

    location = resolve_db_path(args.db)
    if not location.exists():
        error(f"{location}: no records yet (warroom import JOURNALS... first)")
        return EXIT_INVALID
    try:
        data = cohort_data_from_records(location, policy=policy.id if policy else None)
    except RecordsError as exc:
        error(str(exc))
        return EXIT_INVALID
    for skipped in data["skipped"]:
        print(f"warroom: warning: {skipped['error']} (left out)", file=sys.stderr)
    if not data["sessions"] and not data["abandoned"]:
        error(f"{location}: no graded exercise attempts: no cohort report written")
        return EXIT_INVALID
    for path in write_cohort(data, args.out, formats=formats):
        print(path)
    print(
        f"{data['sessions']} sessions, {data['trainees']} trainees, {data['pass_rate']:.0%} passed",
        file=sys.stderr,
    )
    return EXIT_OK


HANDLERS: dict[str, Handler] = {"report": cmd_report}
"""Command name → handler, for ``tui.cli.parser.main``."""
