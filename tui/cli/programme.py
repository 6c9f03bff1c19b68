"""The training programme's commands: quiz, roster, trainee, credit, certify, verify, key, revoke.

``add_commands`` adds them to the ``warroom`` parser and ``HANDLERS`` maps each to its handler.
Every command that touches records takes ``--db PATH`` (else ``$WARROOM_DB``, else the user data
directory). Handlers report their own errors, so they behave the same under any ``main``: exit 0
success, 1 invalid input, unmet rules or a certificate that does not verify, 2 usage error, 3
(``verify`` only) a good signature whose revocation could not be checked; bad
files are reported as ``PATH:LINE:COL: error: MESSAGE``, never a traceback.

The commands use today's date and the current time; the services, rules and records below them
(``assessments.programme``, ``assessments.certification``, ``assessments.records``) take dates as
arguments. This module only parses, calls those and prints. It must not import Textual or Rich
(``warroom roster`` stays fast), must not build SQL, and imports what a command uses when the
command runs (``warroom --help`` stays fast).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNCHECKED,
    Handler,
    UsageError,
    add_policy_option,
    error,
    guarded,
    load_policy,
    output_file,
    plural,
    print_json,
    seed,
    table,
)

if TYPE_CHECKING:
    from assessments.certification import CertificationStatus
    from assessments.policy import Policy
    from assessments.quiz import QuestionBank, Quiz
    from assessments.records import Location, Records, TraineeRecord


def _today() -> date:
    return date.today()


def _now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- argument types


def _name(text: str) -> str:
    from assessments.records import normalise_name

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
    from assessments.records import MAX_NOTE

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
        type=seed,
        default=None,
        metavar="N",
        help="which quiz (default 1, or the answer file's seed)",
    )
    add_policy_option(q, default=None)
    q.add_argument("--trainee", type=_name, default=None, metavar="NAME", help="who answers")
    q.add_argument("--json", action="store_true", help="print the graded result as JSON")
    q.add_argument("--record", action="store_true", help="store the graded attempt")
    _db_option(q)

    r = sub.add_parser(
        "roster", help="who is certified, expiring, due for recertification, missing what"
    )
    add_policy_option(r)
    _db_option(r)
    r.add_argument("--json", action="store_true", help="print the roster as JSON")

    t = sub.add_parser("trainee", help="one trainee's attempts, credits, certificates, status")
    t.add_argument("name", type=_name, metavar="NAME")
    add_policy_option(t)
    _db_option(t)
    t.add_argument("--json", action="store_true", help="print the record as JSON")

    c = sub.add_parser("credit", help="record a practical credit (shadow shift, real incident …)")
    c.add_argument("name", type=_name, metavar="NAME")
    from assessments.credits import CREDIT_KINDS

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
    add_policy_option(ce)
    _db_option(ce)
    ce.add_argument(
        "--out", metavar="FILE", help="where to write it (default ./certificate-NAME-DATE.json)"
    )

    v = sub.add_parser(
        "verify",
        help="check a certificate: exit 0 valid, 1 altered, expired or revoked, 3 signature "
        "good but revocation not checked (no records database)",
    )
    v.add_argument("certificate", metavar="CERT")
    _db_option(v, "the records that issued it (their key is beside them)")

    k = sub.add_parser(
        "key",
        help="the programme's key: list its ids, rotate it, or replace a lost one",
        description="The key beside the records signs certificates and seals journals. "
        "rotate: a new current key; earlier ones keep verifying what they signed. "
        "replace-lost: a new key when the old one is lost for good and there is no backup "
        "(what it signed no longer verifies). Back up records.key and records.keys/ after each.",
    )
    k.add_argument(
        "action",
        choices=("list", "rotate", "replace-lost"),
        metavar="ACTION",
        help="list | rotate | replace-lost",
    )
    _db_option(k)

    rv = sub.add_parser("revoke", help="revoke a trainee's valid certificates")
    rv.add_argument("name", type=_name, metavar="NAME")
    rv.add_argument("--reason", type=_note, default=None, metavar="TEXT", help="why")
    add_policy_option(rv)
    _db_option(rv)


def _db_option(p: argparse.ArgumentParser, text: str = "the records database") -> None:
    p.add_argument(
        "--db", metavar="PATH", default=None, help=f"{text} (default $WARROOM_DB or user data dir)"
    )


# --------------------------------------------------------------------------- shared helpers


def _db(args: argparse.Namespace) -> Location:
    from assessments.records import resolve_db_path

    return resolve_db_path(args.db)


def _warn_bad_rows(records: Records) -> None:
    """Rows the records left out (a bad row is reported, never a traceback)."""
    for bad in records.bad_rows:
        print(f"warroom: warning: {records.path}: {bad} (left out)", file=sys.stderr)


def _open_existing(args: argparse.Namespace) -> Records:
    from assessments.records import Records, RecordsError

    path = _db(args)
    if not path.exists():
        raise RecordsError(
            f"{path}: no records yet (record some with warroom credit or warroom quiz --record)"
        )
    return Records(path)


# --------------------------------------------------------------------------- quiz


@guarded
def cmd_quiz(args: argparse.Namespace) -> int:
    """Print a quiz, an answer template, or grade an answer file."""
    from assessments.programme import record_quiz
    from assessments.quiz import (
        grade_quiz,
        load_answers,
        load_bank,
        render_answer_template,
        render_quiz,
        render_result,
    )
    from assessments.records import normalise_name

    if args.answers is None:
        for flag, given in (("--json", args.json), ("--record", args.record)):
            if given:
                raise UsageError(f"{flag} goes with --answers FILE")
        policy = load_policy(args.policy or "default")
        quiz = _draw(load_bank(), policy, 1 if args.seed is None else args.seed)
        if args.template:
            sys.stdout.write(render_answer_template(quiz, trainee=args.trainee))
        else:
            sys.stdout.write(render_quiz(quiz))
        return EXIT_OK

    answers = load_answers(args.answers)
    quiz_seed = args.seed if args.seed is not None else answers.seed
    if quiz_seed is None:
        raise UsageError(f"which quiz? {args.answers} has no seed: line, so give --seed N")
    if answers.seed is not None and quiz_seed != answers.seed:
        error(f"{args.answers} answers the quiz of seed {answers.seed}, not seed {quiz_seed}")
        return EXIT_INVALID
    policy = load_policy(args.policy or answers.policy or "default")
    if answers.policy is not None and answers.policy != policy.id:
        error(f"{args.answers} answers a quiz under policy {answers.policy}, not {policy.id}")
        return EXIT_INVALID
    trainee = args.trainee
    if trainee is None and answers.trainee is not None:
        try:
            trainee = normalise_name(answers.trainee)
        except ValueError as exc:
            error(f"{args.answers}: trainee: {exc}")
            return EXIT_INVALID
    if args.record and trainee is None:
        raise UsageError(
            f"--record needs a trainee: give --trainee NAME or trainee: in {args.answers}"
        )
    quiz = _draw(load_bank(), policy, quiz_seed)
    result = grade_quiz(quiz, answers.answers, trainee=trainee)
    note = None
    if args.record and trainee is not None:
        note = record_quiz(_db(args), trainee, policy, result, today=_today(), now=_now())
    if args.json:
        print_json(result.to_dict())
        if note:
            print(note, file=sys.stderr)
    else:
        sys.stdout.write(render_result(result))
        if note:
            print(f"\n{note}")
    return EXIT_OK


def _draw(bank: QuestionBank, policy: Policy, quiz_seed: int) -> Quiz:
    from assessments.quiz import draw_quiz
    from assessments.records import RecordsError

    try:
        return draw_quiz(bank, policy, quiz_seed)
    except ValueError as exc:
        raise RecordsError(f"cannot draw a quiz: {exc}") from None


# --------------------------------------------------------------------------- roster, trainee


@guarded
def cmd_roster(args: argparse.Namespace) -> int:
    """Print the roster: status, expiry and what is missing, per trainee."""
    from assessments.certification import roster
    from assessments.records import Records

    policy = load_policy(args.policy)
    path = _db(args)
    statuses: list[CertificationStatus] = []
    if path.exists():
        with Records(path) as records:
            statuses = roster(records, policy, _today())
            _warn_bad_rows(records)
    if args.json:
        print_json([s.to_dict() for s in statuses])
        return EXIT_OK
    if not statuses:
        print(f"no trainees yet in {path}: record one with warroom credit NAME KIND")
        return EXIT_OK
    rows = [("TRAINEE", "STATUS", "EXPIRES", "MISSING")]
    for s in statuses:
        expires = s.certificate.expires.isoformat() if s.certificate else "-"
        rows.append((s.trainee, s.label, expires, _missing_cell(s)))
    table(rows, sys.stdout)
    counts = {
        state: sum(1 for s in statuses if s.state == state)
        for state in ("certified", "expiring", "expired", "not-certified")
    }
    ready = sum(1 for s in statuses if s.ready)
    print(
        f"\n{len(statuses)} trainee{plural(len(statuses))} under policy {policy.id}: "
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


@guarded
def cmd_trainee(args: argparse.Namespace) -> int:
    """Print one trainee's record and certification status."""
    from assessments.certification import status_of
    from assessments.programme import record_lines

    policy = load_policy(args.policy)
    with _open_existing(args) as records:
        record = records.record(args.name)
        _warn_bad_rows(records)
    st = status_of(record, policy, _today())
    if args.json:
        print_json({"status": st.to_dict(), "record": _record_dict(record)})
        return EXIT_OK
    print("\n".join(record_lines(record, st)))
    return EXIT_OK


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


@guarded
def cmd_credit(args: argparse.Namespace) -> int:
    """Record a practical credit."""
    from assessments.programme import new_trainee_note
    from assessments.records import Records

    today = _today()
    on = args.date or today
    if on > today:
        raise UsageError(f"--date {on.isoformat()} is in the future; record credits once earned")
    path = _db(args)
    with Records(path) as records:
        new = new_trainee_note(records, args.name)
        credit = records.add_credit(
            args.name, args.kind, on=on, note=args.note or None, recorded_at=_now()
        )
    if new:
        print(new)
    print(f"recorded: {credit.kind} on {credit.on.isoformat()} for {credit.trainee}")
    return EXIT_OK


# --------------------------------------------------------------------------- certify, verify


@guarded
def cmd_certify(args: argparse.Namespace) -> int:
    """Issue a certificate, or say exactly what is missing (exit 1)."""
    from assessments.certificates import certify
    from assessments.certification import status
    from assessments.keys import programme_key
    from simulator.files import FileError, write_text

    policy = load_policy(args.policy)
    today = _today()
    with _open_existing(args) as records:
        name = records.require_trainee(args.name).name
        before = status(records, name, policy, today)
        if not before.ready:
            print(f"{name} cannot be certified under policy {policy.id}: {before.summary()}")
            return EXIT_INVALID
        out = Path(args.out) if args.out else Path(f"certificate-{_slug(name)}-{today}.json")
        if os.path.lexists(out):
            error(f"{out} exists; choose another --out")
            return EXIT_INVALID
        output_file("--out", str(out))
        keys = programme_key(records.path, signed=records.signed_count())
        result = certify(records, name, policy, today=today, key=keys)
    cert = result.certificate
    if cert is None:
        print(f"{name} cannot be certified under policy {policy.id}: {result.status.summary()}")
        return EXIT_INVALID
    try:
        write_text(out, cert.to_json(), exclusive=True)
    except FileError as exc:
        error(
            f"the certificate was issued and recorded, but {out} could not be "
            f"written ({exc.reason}); here it is:"
        )
        sys.stdout.write(cert.to_json())
        return EXIT_INVALID
    print(f"certified: {name} under policy {policy.id}, valid until {cert.expires.isoformat()}")
    print(f"certificate: {out.resolve()}")
    print(f"code: {cert.code}")
    return EXIT_OK


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:60].strip("-") or "trainee"


@guarded
def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a certificate file: exit 0 valid, 1 otherwise, with the reason."""
    from assessments.certificates import verify
    from assessments.keys import load_keys
    from assessments.records import Records

    path = _db(args)
    keys = load_keys(path)
    if path.exists():
        with Records(path) as records:
            result = verify(args.certificate, keys, today=_today(), records=records)
    else:
        result = verify(args.certificate, keys, today=_today())
    if result.ok and not result.revocation_checked:
        print(
            f"{args.certificate}: signature good, {result.message}; but revocation cannot be "
            f"checked: no records database at {path} (give the one that issued it with --db)"
        )
        return EXIT_UNCHECKED
    print(f"{args.certificate}: {result.message}")
    if result.unknown_key is not None:
        print(
            f"it names key {result.unknown_key}, which {path}'s programme does not hold; if "
            "that key was lost, restore records.key or records.keys/ from the backup "
            "(docs/records.md)"
        )
    return EXIT_OK if result.ok else EXIT_INVALID


@guarded
def cmd_key(args: argparse.Namespace) -> int:
    """Show, rotate or replace the programme's key."""
    from assessments.keys import key_path, keys_folder, load_keys, replace_lost_key, rotate

    path = _db(args)
    if args.action == "rotate":
        old, new = rotate(path)
        print(f"rotated: the current key is now {new}; {old} is kept in {keys_folder(path)}")
        print("back up the key files again (docs/records.md)")
    elif args.action == "replace-lost":
        new = replace_lost_key(path)
        print(f"new key {new} in {key_path(path)}")
        print(
            "certificates and journals signed with the lost key no longer verify: issue them "
            "again (warroom certify) and back up the new key (docs/records.md)"
        )
    else:
        keys = load_keys(path)
        for kid in sorted(keys.by_id):
            print(f"{kid}  {'current' if kid == keys.current_id else 'earlier (verifies only)'}")
    return EXIT_OK


@guarded
def cmd_revoke(args: argparse.Namespace) -> int:
    """Revoke the trainee's certificates that are still valid."""
    from assessments.certification import same_programme

    policy = load_policy(args.policy)
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


# --------------------------------------------------------------------------- glue


HANDLERS: dict[str, Handler] = {
    "quiz": cmd_quiz,
    "roster": cmd_roster,
    "trainee": cmd_trainee,
    "credit": cmd_credit,
    "certify": cmd_certify,
    "verify": cmd_verify,
    "key": cmd_key,
    "revoke": cmd_revoke,
}
"""Command name → handler, for ``tui.cli.parser.main``."""
