"""The scenario commands: ``list``, ``validate``, ``migrate``, ``schema``, ``run``, ``grade``, ``replay``.

``add_commands`` adds them to the ``warroom`` parser and ``HANDLERS`` maps each to its handler.
Bad input is reported as ``PATH:LINE:COL: error: MESSAGE`` lines (by ``tui.cli.parser.main``),
never a traceback. Each handler imports the engine, the models and the assessor when it runs, so
``warroom --help`` and ``warroom list`` stay fast. This module only parses, calls the simulator
and the assessor, and prints; it must not import Textual or Rich.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.text import visible

if TYPE_CHECKING:
    from collections.abc import Sequence

    from simulator.events import Event
    from simulator.journal import Header, Journal

from tui.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    Handler,
    add_run_options,
    error,
    load_policy,
    output_file,
    output_folder,
    plural,
    print_json,
    print_problems,
    table,
    write_text,
)


def add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the scenario commands to ``warroom``'s subcommands."""
    sub.add_parser("list", help="the scenario library")

    v = sub.add_parser(
        "validate", help="check scenario files and action scripts; PATH:LINE:COL errors"
    )
    v.add_argument("paths", nargs="+", metavar="PATH")
    v.add_argument(
        "--scenario",
        metavar="ID_OR_PATH",
        help="check action scripts' references against this scenario (else their scenario: key)",
    )
    v.add_argument(
        "--policy",
        metavar="NAME_OR_PATH",
        help="check action scripts' severity levels against this policy (a script is a play "
        "under one policy)",
    )

    m = sub.add_parser("migrate", help="upgrade scenario files to the current format, in place")
    m.add_argument("paths", nargs="+", metavar="FILE")
    m.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a file needs upgrading"
    )

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
    add_run_options(r)
    r.add_argument("--journal", metavar="FILE", help="write the journal (JSONL) here")
    r.add_argument(
        "--junit",
        metavar="FILE",
        default=None,
        help="also write JUnit XML: one test case per criterion (for scenario CI)",
    )
    r.add_argument(
        "--report", metavar="DIR", help="write the journal, debrief and postmortem draft into DIR"
    )
    r.add_argument("--json", action="store_true", help="print the assessment as JSON")
    r.add_argument("--quiet", action="store_true", help="no transcript")
    r.add_argument(
        "--expect",
        choices=("pass", "fail"),
        default=None,
        help="exit 1 unless the exercise is passed (or failed): for scenario CI, e.g. the expert "
        "script must pass and the novice must fail",
    )

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
    rp.add_argument(
        "--db",
        default=None,
        metavar="PATH",
        help="the records whose programme key checks the journal's seal (with --verify)",
    )


# --------------------------------------------------------------------------- list, validate, schema


def cmd_list(args: argparse.Namespace) -> int:
    """Print the library: id, title, difficulty, expected severity, duration."""
    from tui.cli.listing import HEADING, library_rows

    rows, problems = library_rows()
    for exc in problems:
        print_problems(exc, sys.stderr)
    table([HEADING, *rows], sys.stdout, fit=_terminal_width())
    print(
        f"\n{len(rows)} scenarios. Play one: warroom play ID "
        "(or watch an expert headless: warroom run ID --autopilot expert)"
    )
    return EXIT_INVALID if problems else EXIT_OK


def _terminal_width() -> int | None:
    """The terminal's width when printing to one (a pipe gets every column whole)."""
    import shutil

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario files and action scripts; one ``PATH:LINE:COL: error:`` line per problem."""
    from simulator.library import resolve, validate_file
    from simulator.yamlio import LoadError

    levels = load_policy(args.policy).level_names if args.policy else None
    failed = 0
    kinds = {"scenario": 0, "script": 0}
    for path in args.paths:
        try:
            kind = validate_file(resolve(path), args.scenario)
            if kind == "script" and levels is not None:
                check_script_levels(resolve(path), levels, args.policy)
            kinds[kind] += 1
        except LoadError as exc:
            failed += 1
            print_problems(exc, sys.stdout)
    if failed:
        sys.stdout.flush()
        print(f"{failed} of {len(args.paths)} files invalid", file=sys.stderr)
        return EXIT_INVALID
    scenarios, scripts = kinds["scenario"], kinds["script"]
    parts = [f"{scenarios} scenario file{plural(scenarios)}"] if scenarios or not scripts else []
    if scripts:
        parts.append(f"{scripts} action script{plural(scripts)}")
    print(f"ok: {' and '.join(parts)} valid")
    return EXIT_OK


def check_script_levels(path: Path, levels: Sequence[str], policy: str) -> None:
    """Every ``classify`` of an action script names one of the policy's levels.

    Raises:
        simulator.yamlio.LoadError: ``PATH:LINE:COL: error: actions[N].severity: …``.
    """
    from simulator import commands as cmd
    from simulator.yamlio import LoadError, read_yaml, validate

    doc = read_yaml(path)
    script = validate(doc, cmd.ActionScript)
    problems = [
        doc.problem(
            ("actions", i, "severity"),
            f"{step.action.severity!r} is not a level of the {policy} policy "
            f"({', '.join(levels)}); a script is a play under one policy",
        )
        for i, step in enumerate(script.actions)
        if isinstance(step.action, cmd.Classify) and step.action.severity not in levels
    ]
    if problems:
        raise LoadError(problems)


def cmd_migrate(args: argparse.Namespace) -> int:
    """Upgrade scenario files to the current format in place, keeping comments and layout.

    A file is rewritten only when it loads (so its problems are fixed first) and its bytes are
    the ones that were validated.
    """
    import hashlib
    import os

    from simulator.files import FileError, write_bytes, write_error
    from simulator.library import load_scenario
    from simulator.migrate import MigrationError, declared_format, migrate_text
    from simulator.model import FORMAT_VERSION
    from simulator.yamlio import LoadError

    bad = pending = 0
    for path in args.paths:
        try:
            loaded = load_scenario(path)
        except LoadError as exc:
            bad += 1
            print_problems(exc, sys.stdout)
            continue
        raw = loaded.path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != loaded.sha256:
            bad += 1
            error(f"{path}: the file changed while it was read; run migrate again")
            continue
        text = raw.decode("utf-8")
        try:
            upgraded = migrate_text(text)
        except MigrationError as exc:
            bad += 1
            print(f"{path}:1:1: error: {exc}")
            continue
        if upgraded == text:
            print(f"{path}: already format {FORMAT_VERSION}")
            continue
        pending += 1
        old = declared_format(text)
        if args.check:
            print(f"{path}: format {old}, needs: warroom migrate {path}")
            continue
        tmp = loaded.path.with_name(f".{loaded.path.name}.migrate")
        try:
            write_bytes(tmp, upgraded.encode("utf-8"))  # never into a FIFO left at that name
            os.replace(tmp, loaded.path)
        except (FileError, OSError) as exc:
            bad += 1
            print(exc if isinstance(exc, FileError) else write_error(path, exc), file=sys.stderr)
            continue
        print(f"{path}: format {old} -> {FORMAT_VERSION}")
    if bad or (args.check and pending):
        return EXIT_INVALID
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the scenario format."""
    from simulator.library import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


# --------------------------------------------------------------------------- run


def cmd_run(args: argparse.Namespace) -> int:
    """Play a scenario headless with a script or an autopilot."""
    from assessments.assessor import grade
    from assessments.autoplay import autopilot, headless_engine, play_to_end
    from reports.text import render_table
    from simulator.durations import format_duration
    from simulator.files import make_folder
    from simulator.files import write_text as write_file
    from simulator.journal import new_header
    from simulator.library import load_scenario, load_script
    from simulator.runner import Driver, script_driver
    from simulator.transcript import printer

    journal_path = args.journal or (
        str(Path(args.report) / "journal.jsonl") if args.report else None
    )
    if args.report:
        output_folder("--report", args.report)
    if journal_path:
        output_file("--journal" if args.journal else "--report", journal_path)
    if args.junit:
        output_file("--junit", args.junit)
    loaded = load_scenario(args.scenario)
    scenario = loaded.scenario
    policy = load_policy(args.policy)
    script = None
    if args.actions:
        script = load_script(args.actions, loaded)  # refused where validate would refuse it
        check_script_levels(Path(args.actions), policy.level_names, policy.id)
    trainee = args.trainee or (script.trainee if script and script.trainee else None)
    trainee = trainee or (f"autopilot-{args.autopilot}" if args.autopilot else "trainee")
    engine = headless_engine(scenario, policy, seed=args.seed, trainee=trainee)
    driver: Driver
    if script is not None:
        driver = script_driver(script)
        driver_name = f"script:{args.actions}"
    else:
        driver = autopilot(args.autopilot, scenario, policy, seed=args.seed)
        driver_name = f"autopilot:{args.autopilot}"
    if args.report:
        make_folder(args.report)
    writer = None
    if journal_path:
        header = new_header(
            loaded,
            seed=args.seed,
            policy=args.policy,
            severity_levels=policy.level_names,
            trainee=trainee,
            driver=driver_name,
            started_at=datetime.now(UTC),
        )
        writer = _JournalOutput(journal_path, header)
        engine.subscribe(writer)
    if not args.quiet and not args.json:
        engine.subscribe(printer(scenario.start, print))
    try:
        events = play_to_end(engine, driver)
    finally:
        if writer is not None:
            writer.close()
    assessment = grade(events, scenario=scenario, policy=policy, trainee=trainee, seed=args.seed)
    if args.report:
        import json

        from reports import write_reports

        report_dir = Path(args.report)
        write_file(
            report_dir / "assessment.json",
            json.dumps(assessment.to_dict(), indent=2, ensure_ascii=False) + "\n",
        )
        write_reports(
            journal_path or report_dir / "journal.jsonl",
            report_dir,
            policy=policy,
            scenario=args.scenario,
        )
    if args.junit:
        from assessments.exports import assessment_suite, junit_xml

        write_text(args.junit, junit_xml([assessment_suite(assessment)], name="warroom run"))
    verdict = EXIT_OK
    if args.expect is not None and assessment.passed != (args.expect == "pass"):
        verdict = EXIT_INVALID
    if args.json:
        print_json(assessment.to_dict())
        return verdict
    if not args.quiet:
        print(f"\nexercise ended ({engine.ended}) at sim {format_duration(engine.now)}")
        if journal_path:
            print(f"journal: {journal_path}")
        print()
    print(visible(render_table(assessment)))
    if verdict != EXIT_OK:
        outcome = "passed" if assessment.passed else "did not pass"
        error(f"expected the exercise to {args.expect}, and it {outcome} (--expect {args.expect})")
    return verdict


class _JournalOutput:
    """A ``JournalWriter`` whose failures (a full disk, an I/O error) are ``FileError``s
    naming the journal, so the run ends with one ``PATH: error: cannot write: …`` line."""

    def __init__(self, path: str, header: Header) -> None:
        from simulator.files import write_error
        from simulator.journal import JournalWriter

        self.path = path
        try:
            self.writer = JournalWriter(path, header)
        except OSError as exc:
            raise write_error(path, exc) from None

    def __call__(self, event: Event) -> None:
        from simulator.files import write_error

        try:
            self.writer(event)
        except OSError as exc:
            raise write_error(self.path, exc) from None

    def close(self) -> None:
        from simulator.files import write_error

        try:
            self.writer.close()
        except OSError as exc:
            raise write_error(self.path, exc) from None


# --------------------------------------------------------------------------- grade, replay


def cmd_grade(args: argparse.Namespace) -> int:
    """Grade a journal; the table by default, JSON with ``--json``."""
    from assessments.assessor import grade_journal
    from reports.text import render_table
    from simulator.journal import JournalError, read_journal

    try:
        journal = read_journal(args.journal)
    except JournalError as exc:
        print(exc, file=sys.stderr)  # PATH:LINE: error: …
        return EXIT_INVALID
    policy = load_policy(args.policy) if args.policy else None
    if args.record:
        from assessments.programme import played_under

        problem = played_under(journal, scenario=args.scenario, policy=policy)
        if problem is not None:
            error(f"{args.journal}: not recorded: {problem}")
            return EXIT_INVALID
    assessment = grade_journal(journal, policy=policy, scenario=args.scenario)
    if args.record:
        from assessments.programme import record_attempt

        record_attempt(args.db, assessment, args.journal, policy=policy)  # refuses an unsealed one
    if args.json:
        print_json(assessment.to_dict())
    else:
        print(visible(render_table(assessment)))
    return EXIT_OK


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
        print(exc, file=sys.stderr)  # PATH:LINE: error: …
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
        return _seal_line(args, journal)
    print(f"{args.journal}: FAILED at line {result.first_difference}{note}")
    print(f"  journal: {visible(_clip(result.expected), multiline=False)}")
    print(f"  replay:  {visible(_clip(result.got), multiline=False)}")
    return EXIT_INVALID


def _seal_line(args: argparse.Namespace, journal: Journal) -> int:
    """Say whether this programme sealed the journal; exit 1 when a seal is broken."""
    from assessments.programme import seal_of
    from assessments.records import RecordsError, resolve_db_path

    try:
        seal = seal_of(journal, resolve_db_path(args.db))
    except RecordsError as exc:
        print(f"{args.journal}: seal not checked: {exc}")
        return EXIT_OK
    if seal.state == "broken":
        print(f"{args.journal}: FAILED: seal: {seal.message}")
        return EXIT_INVALID
    print(f"{args.journal}: seal: {seal.message}")
    return EXIT_OK


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


HANDLERS: dict[str, Handler] = {
    "list": cmd_list,
    "validate": cmd_validate,
    "migrate": cmd_migrate,
    "schema": cmd_schema,
    "run": cmd_run,
    "grade": cmd_grade,
    "replay": cmd_replay,
}
"""Command name → handler, for ``tui.cli.parser.main``."""
