"""The training programme's services: record what a trainee did, and read a trainee's record.

``record_attempt`` stores a graded exercise (``warroom run``/``grade --record`` and the console
when an exercise ends), ``record_quiz`` a graded quiz (``warroom quiz --record`` and the quiz
screen), and ``record_lines`` gives a trainee's record and certification status as lines of
text (``warroom trainee`` and the record screen). The command line and the screens call these;
they hold no rule of their own about what is recorded.

They take dates and times as arguments (default: the clock, UTC). This module must not import
the TUI, Textual or Rich, nor build SQL (``assessments.records`` owns every query).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assessments.certification import exercise_credits, percent, status_of
from assessments.records import (
    ExerciseAttempt,
    Location,
    Records,
    RecordsError,
    TraineeRecord,
    resolve_db_path,
)
from simulator.journal import JournalError, read_journal

if TYPE_CHECKING:
    from assessments.assessor import Assessment
    from assessments.certification import CertificationStatus
    from assessments.policy import Policy
    from assessments.quiz import QuizResult


def record_attempt(
    db_path: str | os.PathLike[str] | Location | None,
    assessment: Assessment,
    journal_path: str | Path | None,
    *,
    now: datetime | None = None,
) -> ExerciseAttempt:
    """Store a graded exercise in the records.

    The journal's header says who acted (its driver decides what the attempt counts for: see
    ``assessments.certification``); recording the same journal twice under the same policy
    stores it once.

    Args:
        db_path: The database (``None``: ``$WARROOM_DB``, else the user data directory).
        assessment: The exercise's grade.
        journal_path: The exercise's journal, when one was written.
        now: When it is recorded (default: the current time, UTC).

    Returns:
        The stored attempt.

    Raises:
        assessments.records.RecordsError: when the journal cannot be read or was edited by
            hand, or the database cannot be used.
    """
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
        sha = read.sha256
        journal = str(Path(journal_path).resolve())
    with Records(resolve_db_path(db_path)) as records:
        return records.add_exercise(
            assessment.trainee,
            scenario=assessment.scenario,
            policy=assessment.policy,
            score=assessment.score,
            passed=assessment.passed,
            criteria=[c.to_dict() for c in assessment.criteria],
            recorded_at=now or datetime.now(UTC),
            seed=assessment.seed,
            journal_path=journal,
            journal_sha256=sha,
            driver=driver,
        )


def record_quiz(
    db_path: str | os.PathLike[str] | Location | None,
    trainee: str,
    policy: Policy,
    result: QuizResult,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> str:
    """Store a graded quiz in the records; what to tell the user (a new trainee, where).

    A trainee in the recertification stage takes the refresher quiz.

    Args:
        db_path: The database (``None``: ``$WARROOM_DB``, else the user data directory).
        trainee: Who took it (a normalised name).
        policy: The policy the quiz was drawn and graded under.
        result: The graded quiz.
        today: The day the trainee's certification stage is judged on (default: today).
        now: When it was taken (default: the current time, UTC).

    Raises:
        assessments.records.RecordsError: when the database cannot be used.
    """
    path = resolve_db_path(db_path)
    with Records(path) as records:
        new = new_trainee_note(records, trainee)
        with records.transaction():
            refresher = False
            if records.trainee(trainee) is not None:
                st = status_of(records.record(trainee), policy, today or date.today())
                refresher = st.stage == "recertification"
            attempt = records.add_quiz(
                trainee,
                policy=policy.id,
                seed=result.seed,
                correct=result.correct,
                total=result.total,
                passed=result.passed,
                categories=result.to_dict()["categories"],
                taken_at=now or datetime.now(UTC),
                refresher=refresher,
            )
    kind = "refresher quiz" if attempt.refresher else "quiz"
    lines = [new] if new else []
    lines.append(f"recorded: {kind} attempt for {attempt.trainee} in {path}")
    return "\n".join(lines)


def new_trainee_note(records: Records, name: str) -> str | None:
    """``new trainee: NAME`` (with the names it might be) before a first record, else ``None``."""
    if records.trainee(name) is not None:
        return None
    close = records.suggest(name)
    hint = f" (did you mean {', '.join(repr(n) for n in close)}?)" if close else ""
    return f"new trainee: {name}{hint}"


def record_lines(record: TraineeRecord, st: CertificationStatus) -> list[str]:
    """A trainee's record and certification status as lines of text (CLI and TUI)."""
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
            f"{percent(e.score)} {'passed' if e.passed else 'not passed'}  {e.driver}  "
            f"(counts as: {counts})"
        )
    out += ["", f"Quizzes ({len(record.quizzes)})"]
    for q in record.quizzes:
        out.append(
            f"  {q.taken_at.date().isoformat()}  policy {q.policy}  seed {q.seed}  "
            f"{percent(q.score)} ({q.correct}/{q.total}) {'passed' if q.passed else 'not passed'}"
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


def _quote(name: str) -> str:
    return f'"{name}"' if re.search(r"[^\w.-]", name) else name
