"""The ``warroom`` command line: the contract in DESIGN.md.

Exit codes: 0 success, 1 invalid input or failed verification, 2 usage error. Bad input is
reported as ``PATH:LINE:COL: error: MESSAGE`` lines, never a traceback. Only the commands that
open the TUI import Textual (its import alone costs ~150 ms), so ``--help``, ``validate``,
``run`` and the rest stay fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

from simulator.durations import format_duration
from simulator.files import InputError
from simulator.text import check_name, visible, visible_json
from simulator.yamlio import LoadError
from tui.cli import lint as lint_commands
from tui.cli.play import HANDLERS as TUI_HANDLERS
from tui.cli.play import add_commands as add_tui_commands
from tui.cli.programme import HANDLERS as PROGRAMME_HANDLERS
from tui.cli.programme import add_commands as add_programme_commands
from tui.cli.reports import add_parsers as add_report_parsers
from tui.cli.reports import cmd_report

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A usage problem found after argument parsing (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a seed is a whole number, not {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError("a seed is between 0 and 2^63-1")
    return value


def _trainee(text: str) -> str:
    try:
        return check_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (shared by ``main`` and the docs)."""
    p = _Parser(
        prog="warroom",
        description="Incident-response training in the terminal: play incidents as Incident "
        "Commander, graded against your organisation's policy.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    sub.add_parser("list", help="the scenario library")

    v = sub.add_parser("validate", help="check scenario files; PATH:LINE:COL errors")
    v.add_argument("paths", nargs="+", metavar="PATH")

    sub.add_parser("schema", help="JSON Schema of the scenario format")

    r = sub.add_parser("run", help="play a scenario headless, in virtual time")
    r.add_argument("scenario", metavar="SCENARIO", help="library id or path")
    who = r.add_mutually_exclusive_group(required=True)
    who.add_argument("--actions", metavar="FILE", help="action script (YAML)")
    who.add_argument(
        "--autopilot",
        metavar="PROFILE",
        choices=("expert", "novice"),
        help="built-in trainee: expert or novice",
    )
    _common(r)
    r.add_argument("--journal", metavar="FILE", help="write the journal (JSONL) here")
    r.add_argument(
        "--report", metavar="DIR", help="write the journal, debrief and postmortem draft into DIR"
    )
    r.add_argument("--json", action="store_true", help="print the assessment as JSON")
    r.add_argument("--quiet", action="store_true", help="no transcript")

    g = sub.add_parser("grade", help="grade a journal against the policy in force")
    g.add_argument("journal", metavar="JOURNAL")
    g.add_argument("--policy", default=None, metavar="P", help="grade under another policy")
    g.add_argument("--json", action="store_true", help="print the assessment as JSON")
    g.add_argument("--record", action="store_true", help="store the attempt in the records")
    g.add_argument("--db", default=None, metavar="PATH", help="records database (with --record)")
    g.add_argument("--scenario", metavar="PATH", help="the scenario file, when not in the library")

    rp = sub.add_parser("replay", help="re-run a journal; --verify checks it byte for byte")
    rp.add_argument("journal", metavar="JOURNAL")
    rp.add_argument("--verify", action="store_true", help="exit 1 unless the replay is identical")
    rp.add_argument("--scenario", metavar="PATH", help="the scenario file, when not in the library")

    add_programme_commands(sub)
    lint_commands.add_parsers(sub)
    add_report_parsers(sub)

    add_tui_commands(sub, _common)
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=_seed, default=1, metavar="N", help="random seed (default 1)")
    p.add_argument(
        "--policy",
        default="default",
        metavar="P",
        help="policy name (default, agentos, nexus) or path",
    )
    p.add_argument("--trainee", type=_trainee, default=None, metavar="NAME", help="trainee name")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers: dict[str | None, Callable[[argparse.Namespace], int]] = {
        "list": cmd_list,
        "validate": cmd_validate,
        "schema": cmd_schema,
        "run": cmd_run,
        "replay": cmd_replay,
        "grade": cmd_grade,
        "report": cmd_report,
    }
    handlers.update(PROGRAMME_HANDLERS)
    handlers.update(TUI_HANDLERS)
    handlers["lint"] = lint_commands.cmd_lint
    if args.command is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            parser.print_help()  # no terminal to draw the lobby on
            return EXIT_OK
        handler = TUI_HANDLERS["lobby"]
    else:
        handler = handlers[args.command]
    try:
        return handler(args)
    except LoadError as exc:
        _problems(exc, sys.stderr)
        return EXIT_INVALID
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except UsageError as exc:
        print(f"warroom: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


def _problems(exc: LoadError, out: TextIO) -> None:
    for problem in exc.problems:
        print(problem, file=out)


# --------------------------------------------------------------------------- list, validate, schema


def cmd_list(args: argparse.Namespace) -> int:
    """Print the library: id, title, difficulty, expected severity, duration."""
    from assessments.policy import load_policy
    from simulator.library import library

    policy = load_policy("default")
    rows = [("ID", "TITLE", "DIFFICULTY", "SEVERITY", "DURATION")]
    for item in library():
        s = item.scenario
        level = policy.level_for(s.expected.severity, s.expected.overrides).name
        sev = (
            f"{level} ({s.expected.severity})"
            if s.expected.declare
            else f"not an incident ({level})"
        )
        rows.append((s.id, s.title, s.difficulty, sev, format_duration(s.duration)))
    _table(rows, sys.stdout)
    print(f"\n{len(rows) - 1} scenarios. Play one: warroom run ID --autopilot expert")
    return EXIT_OK


def _table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        print(visible(line, multiline=False), file=out)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario files; one ``PATH:LINE:COL: error:`` line per problem."""
    from simulator.library import load_scenario

    failed = 0
    for path in args.paths:
        try:
            load_scenario(path)
        except LoadError as exc:
            failed += 1
            _problems(exc, sys.stdout)
    ok = len(args.paths) - failed
    if failed:
        sys.stdout.flush()
        print(f"{failed} of {len(args.paths)} files invalid", file=sys.stderr)
        return EXIT_INVALID
    print(f"ok: {ok} scenario file{'s' if ok != 1 else ''} valid")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the scenario format."""
    from simulator.library import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


# --------------------------------------------------------------------------- run, replay


def _policy(name: str) -> Any:
    from assessments.policy import load_policy

    try:
        return load_policy(name)
    except LoadError:
        raise
    except (KeyError, FileNotFoundError) as exc:
        raise UsageError(str(exc).strip("'\"")) from None


def cmd_run(args: argparse.Namespace) -> int:
    """Play a scenario headless with a script or an autopilot."""
    from assessments.assessor import grade, render_table
    from simulator.autopilot import Autopilot
    from simulator.engine import Engine
    from simulator.events import Event
    from simulator.journal import Header, JournalWriter
    from simulator.library import load_scenario, load_script
    from simulator.runner import Driver, run, script_driver
    from simulator.transcript import printer

    loaded = load_scenario(args.scenario)
    scenario = loaded.scenario
    policy = _policy(args.policy)
    script = load_script(args.actions) if args.actions else None
    trainee = args.trainee or (script.trainee if script and script.trainee else None)
    trainee = trainee or (f"autopilot-{args.autopilot}" if args.autopilot else "trainee")
    level = policy.level_for(scenario.expected.severity, scenario.expected.overrides)
    engine = Engine(scenario, seed=args.seed, severity_levels=policy.level_names, trainee=trainee)
    driver: Driver
    if script is not None:
        driver = script_driver(script)
        driver_name = f"script:{args.actions}"
    else:
        driver = Autopilot(args.autopilot, scenario, policy.playbook(level.name), seed=args.seed)
        driver_name = f"autopilot:{args.autopilot}"
    journal_path = args.journal or (
        str(Path(args.report) / "journal.jsonl") if args.report else None
    )
    writer = None
    if journal_path:
        header = Header(
            scenario=scenario.id,
            scenario_sha256=loaded.sha256,
            scenario_path=str(loaded.path) if not _is_library(loaded.path) else scenario.id,
            seed=args.seed,
            policy=args.policy,
            severity_levels=policy.level_names,
            trainee=trainee,
            driver=driver_name,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        writer = JournalWriter(journal_path, header)
        engine.subscribe(writer)
    if not args.quiet and not args.json:
        engine.subscribe(printer(scenario.start, print))
    events: list[Event] = []
    engine.subscribe(events.append)
    try:
        run(engine, driver)
    finally:
        if writer is not None:
            writer.close()
    assessment = grade(events, scenario=scenario, policy=policy, trainee=trainee, seed=args.seed)
    if args.report:
        report_dir = Path(args.report)
        (report_dir / "assessment.json").write_text(
            json.dumps(assessment.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        from reports import write_reports

        write_reports(
            journal_path or report_dir / "journal.jsonl",
            report_dir,
            policy=policy,
            scenario=args.scenario,
        )
    if args.json:
        _dump_json(assessment.to_dict())
        return EXIT_OK
    if not args.quiet:
        print(f"\nexercise ended ({engine.ended}) at sim {format_duration(engine.now)}")
        if journal_path:
            print(f"journal: {journal_path}")
        print()
    print(visible(render_table(assessment)))
    return EXIT_OK


def _is_library(path: Path) -> bool:
    from simulator.library import library_dir

    try:
        return path.resolve().parent == library_dir().resolve()
    except OSError:
        return False


def cmd_replay(args: argparse.Namespace) -> int:
    """Re-run a journal; with ``--verify`` exit 1 unless the event stream is identical."""
    from simulator.engine import Engine
    from simulator.journal import JournalError, read_journal
    from simulator.library import journal_scenario
    from simulator.runner import verify
    from simulator.transcript import transcript

    try:
        journal = read_journal(args.journal)
    except JournalError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    h = journal.header
    loaded = journal_scenario(journal, args.scenario)
    if not args.verify:
        sys.stdout.write(transcript(journal.events, loaded.scenario.start))
        return EXIT_OK
    if loaded.sha256 != h.scenario_sha256:
        print(
            f"{args.journal}: FAILED: scenario {visible(h.scenario_path)} changed since the journal was "
            f"recorded (sha256 {loaded.sha256[:12]}… vs {h.scenario_sha256[:12]}…)"
        )
        return EXIT_INVALID
    engine = Engine(
        loaded.scenario, seed=h.seed, severity_levels=h.severity_levels, trainee=h.trainee
    )
    result = verify(journal, engine)
    note = " (journal stops early: compared up to its last line)" if not journal.ended else ""
    if result.identical:
        print(f"{args.journal}: verified: {result.recorded} events identical{note}")
        return EXIT_OK
    print(f"{args.journal}: FAILED at line {result.first_difference}{note}")
    print(f"  journal: {visible(_clip(result.expected), multiline=False)}")
    print(f"  replay:  {visible(_clip(result.got), multiline=False)}")
    return EXIT_INVALID


def cmd_grade(args: argparse.Namespace) -> int:
    """Grade a journal; the table by default, JSON with ``--json``."""
    from assessments.assessor import grade_journal, render_table
    from simulator.journal import JournalError, read_journal

    try:
        journal = read_journal(args.journal)
    except JournalError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    policy = _policy(args.policy) if args.policy else None
    assessment = grade_journal(journal, policy=policy, scenario=args.scenario)
    if args.record:
        from assessments.records import RecordsError
        from tui.cli.programme import record_attempt

        try:
            record_attempt(args.db, assessment.to_dict(), args.journal)
        except (RecordsError, ValueError) as exc:
            print(f"warroom: error: {exc}", file=sys.stderr)
            return EXIT_INVALID
    if args.json:
        _dump_json(assessment.to_dict())
    else:
        print(visible(render_table(assessment)))
    return EXIT_OK


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _dump_json(data: Any) -> None:
    print(visible_json(json.dumps(data, indent=2, ensure_ascii=False)))


if __name__ == "__main__":
    raise SystemExit(main())
