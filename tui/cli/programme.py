"""The training programme's commands: quiz, roster, trainee, credit, certify, verify, revoke.

``add_commands`` adds them to the ``warroom`` parser and ``HANDLERS`` maps each to its handler;
``record_attempt`` stores a graded exercise for ``warroom run``/``grade`` and the TUI. Every
command that touches records takes ``--db PATH`` (else ``$WARROOM_DB``, else the user data
directory). Handlers report their own errors, so they behave the same under any ``main``: exit 0
success, 1 invalid input, unmet rules or a certificate that does not verify, 2 usage error; bad
files are reported as ``PATH:LINE:COL: error: MESSAGE``, never a traceback.

The commands use today's date and the current time; the rules and records below them take dates
as arguments. This module must not import Textual or Rich (``warroom roster`` stays fast), nor
build SQL (``assessments.records`` owns every query).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from assessments.records import (
    CREDIT_KINDS,
    MAX_NOTE,
    ExerciseAttempt,
    Records,
    RecordsError,
    TraineeRecord,
    normalise_name,
    resolve_db_path,
)
from simulator.yamlio import LoadError

if TYPE_CHECKING:
    from assessments.certification import CertificationStatus
    from assessments.policy import Policy

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


class _Usage(Exception):
    """A usage problem found after parsing (exit 2)."""


def _today() -> date:
    return date.today()


def _now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- argument types


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a seed is a whole number, not {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError("a seed is between 0 and 2^63-1")
    return value


def _name(text: str) -> str:
    try:
        return normalise_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _day(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise argparse.ArgumentTypeError(f"a date is YYYY-MM-DD, not {text!r}")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: {exc}") from None


def _note(text: str) -> str:
    clean = " ".join(text.split())
    if len(clean) > MAX_NOTE:
        raise argparse.ArgumentTypeError(f"a note is at most {MAX_NOTE} characters")
    return clean


# --------------------------------------------------------------------------- the parser


def add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the programme's commands to ``warroom``'s subcommands."""
    q = sub.add_parser(
        "quiz",
        help="print, template or grade the certification quiz",
        description="The certification quiz: the same seed draws the same quiz. Grading exits 0 "
        "whether or not the quiz is passed (see --json for the verdict).",
    )
    mode = q.add_mutually_exclusive_group()
    mode.add_argument(
        "--print", dest="print_quiz", action="store_true", help="print the quiz (the default)"
    )
    mode.add_argument("--template", action="store_true", help="print an answer file to fill in")
    mode.add_argument("--answers", metavar="FILE", help="grade an answer file (YAML)")
    q.add_argument(
        "--seed",
        type=_seed,
        default=None,
        metavar="N",
        help="which quiz (default 1, or the answer file's seed)",
    )
    _policy_option(q, default=None)
    q.add_argument("--trainee", type=_name, default=None, metavar="NAME", help="who answers")
    q.add_argument("--json", action="store_true", help="print the graded result as JSON")
    q.add_argument("--record", action="store_true", help="store the graded attempt")
    _db_option(q)

    r = sub.add_parser(
        "roster", help="who is certified, expiring, due for recertification, missing what"
    )
    _policy_option(r)
    _db_option(r)
    r.add_argument("--json", action="store_true", help="print the roster as JSON")

    t = sub.add_parser("trainee", help="one trainee's attempts, credits, certificates, status")
    t.add_argument("name", type=_name, metavar="NAME")
    _policy_option(t)
    _db_option(t)
    t.add_argument("--json", action="store_true", help="print the record as JSON")

    c = sub.add_parser("credit", help="record a practical credit (shadow shift, real incident …)")
    c.add_argument("name", type=_name, metavar="NAME")
    c.add_argument("kind", choices=CREDIT_KINDS, metavar="KIND", help=" | ".join(CREDIT_KINDS))
    c.add_argument("--note", type=_note, default=None, metavar="TEXT", help="what, with whom")
    c.add_argument(
        "--date", type=_day, default=None, metavar="YYYY-MM-DD", help="when (default today)"
    )
    _db_option(c)

    ce = sub.add_parser(
        "certify",
        help="issue a certificate when the rules are met; else say what is missing (exit 1)",
    )
    ce.add_argument("name", type=_name, metavar="NAME")
    _policy_option(ce)
    _db_option(ce)
    ce.add_argument(
        "--out", metavar="FILE", help="where to write it (default ./certificate-NAME-DATE.json)"
    )

    v = sub.add_parser(
        "verify", help="check a certificate: exit 0 valid, 1 altered, expired or revoked"
    )
    v.add_argument("certificate", metavar="CERT")
    _db_option(v, "the records that issued it (their key is beside them)")

    rv = sub.add_parser("revoke", help="revoke a trainee's valid certificates")
    rv.add_argument("name", type=_name, metavar="NAME")
    rv.add_argument("--reason", type=_note, default=None, metavar="TEXT", help="why")
    _policy_option(rv)
    _db_option(rv)


def _policy_option(p: argparse.ArgumentParser, default: str | None = "default") -> None:
    p.add_argument(
        "--policy",
        default=default,
        metavar="P",
        help="policy name (default, agentos, nexus) or path",
    )


def _db_option(p: argparse.ArgumentParser, text: str = "the records database") -> None:
    p.add_argument(
        "--db", metavar="PATH", default=None, help=f"{text} (default $WARROOM_DB or user data dir)"
    )


def _guarded(handler: Handler) -> Handler:
    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except LoadError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return EXIT_INVALID
        except _Usage as exc:
            print(f"warroom: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except RecordsError as exc:
            print(f"warroom: error: {exc}", file=sys.stderr)
            return EXIT_INVALID

    return run


# --------------------------------------------------------------------------- shared helpers


def _policy(name: str) -> Policy:
    from assessments.policy import load_policy

    try:
        return load_policy(name)
    except (KeyError, FileNotFoundError) as exc:
        raise _Usage(str(exc).strip("'\"")) from None


def _db(args: argparse.Namespace) -> Path:
    return resolve_db_path(args.db)


def _open_existing(args: argparse.Namespace) -> Records:
    path = _db(args)
    if not path.exists():
        raise RecordsError(
            f"{path}: no records yet (record some with warroom credit or warroom quiz --record)"
        )
    return Records(path)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(), file=out)


def _new_trainee_note(records: Records, name: str) -> str | None:
    if records.trainee(name) is not None:
        return None
    close = records.suggest(name)
    hint = f" (did you mean {', '.join(repr(n) for n in close)}?)" if close else ""
    return f"new trainee: {name}{hint}"


# --------------------------------------------------------------------------- quiz


@_guarded
def cmd_quiz(args: argparse.Namespace) -> int:
    """Print a quiz, an answer template, or grade an answer file."""
    from assessments.quiz import (
        draw_quiz,
        grade_quiz,
        load_answers,
        load_bank,
        render_answer_template,
        render_quiz,
        render_result,
    )

    if args.answers is None:
        for flag, given in (("--json", args.json), ("--record", args.record)):
            if given:
                raise _Usage(f"{flag} goes with --answers FILE")
        policy = _policy(args.policy or "default")
        quiz = _draw(draw_quiz, load_bank(), policy, 1 if args.seed is None else args.seed)
        if args.template:
            sys.stdout.write(render_answer_template(quiz, trainee=args.trainee))
        else:
            sys.stdout.write(render_quiz(quiz))
        return EXIT_OK

    answers = load_answers(args.answers)
    seed = args.seed if args.seed is not None else answers.seed
    if seed is None:
        raise _Usage(f"which quiz? {args.answers} has no seed: line, so give --seed N")
    if answers.seed is not None and seed != answers.seed:
        print(
            f"warroom: error: {args.answers} answers the quiz of seed {answers.seed}, "
            f"not seed {seed}",
            file=sys.stderr,
        )
        return EXIT_INVALID
    policy = _policy(args.policy or answers.policy or "default")
    if answers.policy is not None and answers.policy != policy.id:
        print(
            f"warroom: error: {args.answers} answers a quiz under policy {answers.policy}, "
            f"not {policy.id}",
            file=sys.stderr,
        )
        return EXIT_INVALID
    trainee = args.trainee
    if trainee is None and answers.trainee is not None:
        try:
            trainee = normalise_name(answers.trainee)
        except ValueError as exc:
            print(f"warroom: error: {args.answers}: trainee: {exc}", file=sys.stderr)
            return EXIT_INVALID
    if args.record and trainee is None:
        raise _Usage(f"--record needs a trainee: give --trainee NAME or trainee: in {args.answers}")
    quiz = _draw(draw_quiz, load_bank(), policy, seed)
    result = grade_quiz(quiz, answers.answers, trainee=trainee)
    note = None
    if args.record and trainee is not None:
        note = _record_quiz(args, trainee, policy, result)
    if args.json:
        _print_json(result.to_dict())
        if note:
            print(note, file=sys.stderr)
    else:
        sys.stdout.write(render_result(result))
        if note:
            print(f"\n{note}")
    return EXIT_OK


def _draw(draw: Callable[..., Any], bank: Any, policy: Policy, seed: int) -> Any:
    try:
        return draw(bank, policy, seed)
    except ValueError as exc:
        raise RecordsError(f"cannot draw a quiz: {exc}") from None


def _record_quiz(args: argparse.Namespace, trainee: str, policy: Policy, result: Any) -> str:
    return record_quiz(_db(args), trainee, policy, result)


def record_quiz(
    db_path: str | Path | None,
    trainee: str,
    policy: Policy,
    result: Any,
    *,
    now: datetime | None = None,
) -> str:
    """Store a graded quiz in the records (the CLI's ``--record`` and the TUI's quiz).

    A trainee in the recertification stage takes the refresher quiz. Returns what to tell the
    user (a new trainee, where it was recorded).

    Raises:
        assessments.records.RecordsError: when the database cannot be used.
    """
    from assessments.certification import status_of

    path = resolve_db_path(db_path)
    with Records(path) as records:
        new = _new_trainee_note(records, trainee)
        with records.transaction():
            refresher = False
            if records.trainee(trainee) is not None:
                st = status_of(records.record(trainee), policy, _today())
                refresher = st.stage == "recertification"
            attempt = records.add_quiz(
                trainee,
                policy=policy.id,
                seed=result.seed,
                correct=result.correct,
                total=result.total,
                passed=result.passed,
                categories=result.to_dict()["categories"],
                taken_at=now or _now(),
                refresher=refresher,
            )
    kind = "refresher quiz" if attempt.refresher else "quiz"
    lines = [new] if new else []
    lines.append(f"recorded: {kind} attempt for {attempt.trainee} in {path}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- roster, trainee


@_guarded
def cmd_roster(args: argparse.Namespace) -> int:
    """Print the roster: status, expiry and what is missing, per trainee."""
    from assessments.certification import roster

    policy = _policy(args.policy)
    path = _db(args)
    statuses: list[CertificationStatus] = []
    if path.exists():
        with Records(path) as records:
            statuses = roster(records, policy, _today())
    if args.json:
        _print_json([s.to_dict() for s in statuses])
        return EXIT_OK
    if not statuses:
        print(f"no trainees yet in {path}: record one with warroom credit NAME KIND")
        return EXIT_OK
    rows = [("TRAINEE", "STATUS", "EXPIRES", "MISSING")]
    for s in statuses:
        expires = s.certificate.expires.isoformat() if s.certificate else "-"
        rows.append((s.trainee, s.label, expires, _missing_cell(s)))
    _table(rows, sys.stdout)
    counts = {
        state: sum(1 for s in statuses if s.state == state)
        for state in ("certified", "expiring", "expired", "not-certified")
    }
    ready = sum(1 for s in statuses if s.ready)
    print(
        f"\n{len(statuses)} trainee{_s(len(statuses))} under policy {policy.id}: "
        f"{counts['certified']} certified, {counts['expiring']} expiring within 30 days, "
        f"{counts['expired']} expired, {counts['not-certified']} not certified; "
        f"{counts['expiring'] + counts['expired']} need recertification; "
        f"{ready} ready to certify"
    )
    return EXIT_OK


def _missing_cell(s: CertificationStatus) -> str:
    if s.ready:
        return "ready to certify"
    return "; ".join(s.gaps) or "-"


@_guarded
def cmd_trainee(args: argparse.Namespace) -> int:
    """Print one trainee's record and certification status."""
    from assessments.certification import status_of

    policy = _policy(args.policy)
    with _open_existing(args) as records:
        record = records.record(args.name)
    st = status_of(record, policy, _today())
    if args.json:
        _print_json({"status": st.to_dict(), "record": _record_dict(record)})
        return EXIT_OK
    print("\n".join(record_lines(record, st)))
    return EXIT_OK


def record_lines(record: TraineeRecord, st: CertificationStatus) -> list[str]:
    """A trainee's record and certification status as lines of text (CLI and TUI)."""
    from assessments.certification import exercise_credits

    out: list[str] = [f"{st.trainee} — {_headline(st)}"]
    for x in st.revoked:
        when = x.revoked_at.date().isoformat() if x.revoked_at else "?"
        why = f" ({x.revoked_reason})" if x.revoked_reason else ""
        out.append(f"Certificate of {x.issued.isoformat()} revoked on {when}{why}")
    if st.missing:
        out.append("Missing: " + st.summary())
    elif st.ready:
        out.append(f"Ready: warroom certify {_quote(st.trainee)}")
    stage = "initial certification" if st.stage == "initial" else "recertification"
    if st.year is not None:
        stage += f", the year from {st.year[0].isoformat()}"
    out += ["", f"Requirements ({stage})"]
    width = max(len(r.id) for r in st.requirements)
    for r in st.requirements:
        mark = "x" if r.met else " "
        line = f"  [{mark}] {r.id.ljust(width)}  {r.progress}"
        out.append(line + (f" — {r.missing}" if r.missing else ""))
    out += ["", f"Exercises ({len(record.exercises)})"]
    for e in record.exercises:
        counts = ", ".join(exercise_credits(e)) or "practice only"
        seed = f"seed {e.seed}" if e.seed is not None else "seed ?"
        out.append(
            f"  {e.recorded_at.date().isoformat()}  {e.scenario}  policy {e.policy}  {seed}  "
            f"{_percent(e.score)} {'passed' if e.passed else 'not passed'}  {e.driver}  "
            f"(counts as: {counts})"
        )
    out += ["", f"Quizzes ({len(record.quizzes)})"]
    for q in record.quizzes:
        out.append(
            f"  {q.taken_at.date().isoformat()}  policy {q.policy}  seed {q.seed}  "
            f"{_percent(q.score)} ({q.correct}/{q.total}) {'passed' if q.passed else 'not passed'}"
            + ("  refresher" if q.refresher else "")
        )
    out += ["", f"Credits ({len(record.credits)})"]
    for c in record.credits:
        out.append(f"  {c.on.isoformat()}  {c.kind}" + (f"  {c.note}" if c.note else ""))
    out += ["", f"Certificates ({len(record.certificates)})"]
    for x in record.certificates:
        if x.revoked:
            when = x.revoked_at.date().isoformat() if x.revoked_at else "?"
            state = f"revoked {when}" + (f" ({x.revoked_reason})" if x.revoked_reason else "")
        else:
            state = "expired" if x.expires <= st.today else "valid"
        out.append(
            f"  {x.issued.isoformat()} to {x.expires.isoformat()}  policy {x.policy}  {state}  "
            f"code {x.code[:16]}…"
        )
    return out


def _headline(st: CertificationStatus) -> str:
    cert = st.certificate
    if st.state == "certified" and cert is not None:
        return f"certified until {cert.expires.isoformat()} (policy {st.policy})"
    if st.state == "expiring" and cert is not None:
        return f"{st.label}, on {cert.expires.isoformat()} (policy {st.policy})"
    if st.state == "expired" and cert is not None:
        return f"expired on {cert.expires.isoformat()} (policy {st.policy})"
    return f"not certified (policy {st.policy})"


def _record_dict(record: TraineeRecord) -> dict[str, Any]:
    return {
        "trainee": record.trainee.name,
        "exercises": [
            {
                "scenario": e.scenario,
                "policy": e.policy,
                "seed": e.seed,
                "score": e.score,
                "passed": e.passed,
                "driver": e.driver,
                "journal": e.journal_path,
                "recorded_at": e.recorded_at.isoformat(),
                "criteria": e.criteria,
            }
            for e in record.exercises
        ],
        "quizzes": [
            {
                "policy": q.policy,
                "seed": q.seed,
                "score": q.score,
                "correct": q.correct,
                "total": q.total,
                "passed": q.passed,
                "refresher": q.refresher,
                "categories": q.categories,
                "taken_at": q.taken_at.isoformat(),
            }
            for q in record.quizzes
        ],
        "credits": [
            {"kind": c.kind, "date": c.on.isoformat(), "note": c.note} for c in record.credits
        ],
        "certificates": [
            {
                "policy": x.policy,
                "issued": x.issued.isoformat(),
                "expires": x.expires.isoformat(),
                "code": x.code,
                "revoked": x.revoked,
                "revoked_at": x.revoked_at.isoformat() if x.revoked_at else None,
                "revoked_reason": x.revoked_reason,
            }
            for x in record.certificates
        ],
    }


# --------------------------------------------------------------------------- credit


@_guarded
def cmd_credit(args: argparse.Namespace) -> int:
    """Record a practical credit."""
    today = _today()
    on = args.date or today
    if on > today:
        raise _Usage(f"--date {on.isoformat()} is in the future; record credits once earned")
    path = _db(args)
    with Records(path) as records:
        new = _new_trainee_note(records, args.name)
        credit = records.add_credit(
            args.name, args.kind, on=on, note=args.note or None, recorded_at=_now()
        )
    if new:
        print(new)
    print(f"recorded: {credit.kind} on {credit.on.isoformat()} for {credit.trainee}")
    return EXIT_OK


# --------------------------------------------------------------------------- certify, verify


@_guarded
def cmd_certify(args: argparse.Namespace) -> int:
    """Issue a certificate, or say exactly what is missing (exit 1)."""
    from assessments.certification import certify, load_key, status

    policy = _policy(args.policy)
    today = _today()
    with _open_existing(args) as records:
        name = records.require_trainee(args.name).name
        before = status(records, name, policy, today)
        if not before.ready:
            print(f"{name} cannot be certified under policy {policy.id}: {before.summary()}")
            return EXIT_INVALID
        out = Path(args.out) if args.out else Path(f"certificate-{_slug(name)}-{today}.json")
        if out.exists():
            print(f"warroom: error: {out} exists; choose another --out", file=sys.stderr)
            return EXIT_INVALID
        if not out.parent.is_dir():
            print(f"warroom: error: {out.parent} is not a folder", file=sys.stderr)
            return EXIT_INVALID
        key = load_key(records.path, create=True)
        result = certify(records, name, policy, today=today, key=key)
    cert = result.certificate
    if cert is None:
        print(f"{name} cannot be certified under policy {policy.id}: {result.status.summary()}")
        return EXIT_INVALID
    try:
        with out.open("x", encoding="utf-8") as f:
            f.write(cert.to_json())
    except OSError as exc:
        print(
            f"warroom: error: the certificate was issued and recorded, but {out} could not be "
            f"written ({exc.strerror or exc}); here it is:",
            file=sys.stderr,
        )
        sys.stdout.write(cert.to_json())
        return EXIT_INVALID
    print(f"certified: {name} under policy {policy.id}, valid until {cert.expires.isoformat()}")
    print(f"certificate: {out}")
    print(f"code: {cert.code}")
    return EXIT_OK


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:60].strip("-") or "trainee"


@_guarded
def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a certificate file: exit 0 valid, 1 otherwise, with the reason."""
    from assessments.certification import load_key, verify

    path = _db(args)
    key = load_key(path)
    if path.exists():
        with Records(path) as records:
            result = verify(args.certificate, key, today=_today(), records=records)
    else:
        result = verify(args.certificate, key, today=_today())
    print(f"{args.certificate}: {result.message}")
    return EXIT_OK if result.ok else EXIT_INVALID


@_guarded
def cmd_revoke(args: argparse.Namespace) -> int:
    """Revoke the trainee's certificates that are still valid."""
    from assessments.certification import same_programme

    policy = _policy(args.policy)
    today = _today()
    with _open_existing(args) as records:
        record = records.record(args.name)
        codes = [
            c.code
            for c in record.certificates
            if not c.revoked and c.issued <= today < c.expires and same_programme(c.policy, policy)
        ]
        if not codes:
            print(f"{record.trainee.name} holds no valid certificate under policy {policy.id}")
            return EXIT_INVALID
        now = _now()
        with records.transaction():
            done = [records.revoke_certificate(c, at=now, reason=args.reason) for c in codes]
    for x in done:
        print(
            f"revoked: certificate of {x.trainee} issued {x.issued.isoformat()} "
            f"(code {x.code[:16]}…)"
        )
    return EXIT_OK


# --------------------------------------------------------------------------- record_attempt


_ASSESSMENT_KEYS = ("scenario", "trainee", "policy", "score", "passed", "criteria")


def record_attempt(
    db_path: str | Path | None,
    assessment_dict: Mapping[str, Any],
    journal_path: str | Path | None,
    *,
    now: datetime | None = None,
) -> ExerciseAttempt:
    """Store a graded exercise in the records; what ``warroom run``/``grade`` and the TUI call.

    The journal's header gives the seed and who acted (its driver decides what the attempt
    counts for: see ``assessments.certification``); recording the same journal twice under the
    same policy stores it once.

    Args:
        db_path: The database (``None``: ``$WARROOM_DB``, else the user data directory).
        assessment_dict: ``Assessment.to_dict()``: at least ``scenario``, ``trainee``,
            ``policy``, ``score`` (0..1), ``passed`` and ``criteria``.
        journal_path: The exercise's journal, when one was written.
        now: When it is recorded (default: the current time, UTC).

    Returns:
        The stored attempt.

    Raises:
        ValueError: when the assessment lacks a key or a value has the wrong type.
        assessments.records.RecordsError: when the journal cannot be read or was edited by
            hand, or the database cannot be used.
    """
    from simulator.journal import JournalError, read_journal

    missing = [k for k in _ASSESSMENT_KEYS if k not in assessment_dict]
    if missing:
        raise ValueError(f"the assessment has no {', '.join(missing)}")
    data = assessment_dict
    score = data["score"]
    if isinstance(score, bool) or not isinstance(score, int | float):
        raise ValueError(f"the assessment's score is a number from 0 to 1, not {score!r}")
    if not isinstance(data["passed"], bool):
        raise ValueError("the assessment's passed is true or false")
    if not isinstance(data["criteria"], list):
        raise ValueError("the assessment's criteria is a list")
    seed = data.get("seed")
    driver, sha, journal = "unknown", None, None
    if journal_path is not None:
        try:
            read = read_journal(journal_path)
        except JournalError as exc:
            raise RecordsError(f"cannot record the attempt: {exc}") from None
        if read.edited_line is not None:
            raise RecordsError(
                f"{journal_path}:{read.edited_line}: the journal was edited by hand; "
                "attempts from edited journals are not recorded"
            )
        driver = read.header.driver
        seed = read.header.seed if seed is None else seed
        sha = read.sha256
        journal = str(Path(journal_path).resolve())
    with Records(resolve_db_path(db_path)) as records:
        return records.add_exercise(
            str(data["trainee"]),
            scenario=str(data["scenario"]),
            policy=str(data["policy"]),
            score=float(score),
            passed=data["passed"],
            criteria=data["criteria"],
            recorded_at=now or _now(),
            seed=int(seed) if seed is not None else None,
            journal_path=journal,
            journal_sha256=sha,
            driver=driver,
        )


# --------------------------------------------------------------------------- glue


HANDLERS: dict[str, Handler] = {
    "quiz": cmd_quiz,
    "roster": cmd_roster,
    "trainee": cmd_trainee,
    "credit": cmd_credit,
    "certify": cmd_certify,
    "verify": cmd_verify,
    "revoke": cmd_revoke,
}
"""Command name → handler, for ``tui.cli.main``."""


def _percent(fraction: float) -> str:
    from assessments.certification import percent

    return percent(fraction)


def _quote(name: str) -> str:
    return f'"{name}"' if re.search(r"[^\w.-]", name) else name


def _s(n: int) -> str:
    return "" if n == 1 else "s"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """A parser with only the programme's commands (for ``python -m tui.cli.programme``)."""
    parser = _Parser(prog="warroom", description="The training programme's commands.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one programme command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = HANDLERS.get(args.command or "")
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return handler(args)
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
