"""The training programme's services: record what a trainee did, and read a trainee's record.

``record_attempt`` stores a graded exercise (``warroom grade --record``, ``warroom host
--record`` and the console when an exercise ends) — for credit only from a journal the
programme sealed (``sealing_key`` is the key sessions seal with; ``driver_for`` says what an
unsealed one counts for); ``exercise_row`` and ``people_rows`` are the attempts it records of
a journal, which ``warroom import`` (``assessments.intake``) records too, so both record the
same rows; ``record_quiz`` a graded quiz (``warroom quiz --record`` and the quiz
screen), and ``record_lines`` gives a trainee's record and certification status as lines of
text (``warroom trainee`` and the record screen). The command line and the screens call these;
they hold no rule of their own about what is recorded.

They take dates and times as arguments (default: the clock, UTC). This module must not import
the TUI, Textual or Rich, nor build SQL (``assessments.records`` owns every query).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessments.certification import CREDITED, TEAM, exercise_credits, percent, status_of
from assessments.keys import MissingKey, load_keys, programme_key
from assessments.records import (
    ExerciseAttempt,
    Location,
    Records,
    RecordsError,
    TraineeRecord,
    resolve_db_path,
)
from simulator.events import ScenarioStarted
from simulator.journal import (
    Journal,
    JournalError,
    JournalEvents,
    SealCheck,
    check_seal,
    read_journal,
)
from simulator.text import normalise_name

if TYPE_CHECKING:
    from assessments.assessor import Assessment
    from assessments.certification import CertificationStatus
    from assessments.policy import Policy
    from assessments.quiz import QuizResult
    from simulator.model import Scenario


def played_under(
    journal: JournalEvents, *, scenario: str | None = None, policy: Policy | None = None
) -> str | None:
    """Why grading ``journal`` against ``scenario`` and ``policy`` (what ``warroom grade``
    was given) would not be its record, or ``None`` when they are what it was played under.

    The records hold a grade against what was played: the scenario with the sha256 the
    journal's header holds, under the policy it names. A scenario file edited to soften a
    consequence, a policy file with a lower pass score under the same id, or another policy
    (even one inheriting the same certification) would each grade the same play differently;
    ``warroom grade`` may show such a grade, and does not record it.

    Raises:
        simulator.yamlio.LoadError: when ``scenario`` does not load.
        simulator.journal.JournalError: when ``scenario`` is not given and the header's is
            not in the library.
    """
    from assessments.policy import PACKAGED, journal_policy
    from simulator.library import journal_scenario

    h = journal.header
    if scenario is not None:
        given = journal_scenario(journal, scenario)
        if given.sha256 != h.scenario_sha256:
            return (
                f"{scenario} is not the scenario this journal was played on (sha256 "
                f"{given.sha256[:12]}…, the journal's {h.scenario_sha256[:12]}…); the records "
                "hold grades against what was played"
            )
    if policy is not None:
        if policy.id != h.policy:
            return (
                f"it was played under policy {h.policy}, not {policy.id}; the records hold "
                "grades under the policy in force"
            )
        if h.policy in PACKAGED and policy != journal_policy(journal):
            return (
                f"the policy given is not the packaged policy {h.policy} it was played under "
                "(a file with the same id and other rules); the records hold grades under the "
                "policy in force"
            )
    return None


def record_attempt(
    db_path: str | os.PathLike[str] | Location | None,
    assessment: Assessment,
    journal_path: str | Path | None,
    *,
    now: datetime | None = None,
    practice: bool = False,
    policy: Policy | None = None,
) -> ExerciseAttempt:
    """Store a graded exercise in the records.

    The journal's header says who acted (its driver decides what the attempt counts for: see
    ``assessments.certification``); recording the same journal twice under the same policy
    stores it once (the same bytes, or for a journal this programme sealed the same last
    seal: see ``assessments.records.Records.add_exercise``). A team game day's journal (driver
    ``team``) is stored as the team's attempt and one attempt per participant
    (``people_rows``), in one transaction.

    Args:
        db_path: The database (``None``: ``$WARROOM_DB``, else the user data directory).
        assessment: The exercise's grade.
        journal_path: The exercise's journal, when one was written.
        now: When it is recorded (default: the current time, UTC).
        practice: Record a journal the programme did not seal as practice only
            (``practice:DRIVER``) instead of refusing it.
        policy: The policy the participants of a team game day are graded under (default:
            the journal's).

    Returns:
        The stored attempt (a team game day's: the team's).

    Raises:
        assessments.records.RecordsError: when the journal cannot be read or was edited by
            hand, would earn credit but was not sealed by this programme (unsealed, sealed
            with another programme's key, or re-sealed after an edit), or the database cannot
            be used.
    """
    location = resolve_db_path(db_path)
    if journal_path is None:
        rows = [exercise_row(assessment, None)]
        refuse_bad_names("cannot record the attempt", rows)
    else:
        try:
            read = read_journal(journal_path)
        except JournalError as exc:
            raise RecordsError(f"cannot record the attempt: {exc}") from None
        if read.edited_line is not None:
            raise RecordsError(
                f"{journal_path}:{read.edited_line}: the journal was edited by hand; "
                "attempts from edited journals are not recorded"
            )
        seal = seal_of(read, location)
        driver = driver_for(read.path, read.header.driver, seal, practice)
        where = str(Path(journal_path).resolve())
        rows = [
            exercise_row(assessment, read, driver=driver, journal_path=where, seal=seal.last_seal)
        ]
        if plays_as_team(read):
            rows += _participants(read, policy, driver=driver, journal_path=where, seal=seal)
        refuse_bad_names(f"{journal_path}: not recorded", rows)
    when = now or datetime.now(UTC)
    with Records(location) as records, records.transaction():
        attempt = records.add_exercise(**rows[0], recorded_at=when)
        for row in rows[1:]:
            records.add_exercise(**row, recorded_at=when)
        return attempt


def _participants(
    journal: Journal,
    policy: Policy | None,
    *,
    driver: str,
    journal_path: str,
    seal: SealCheck,
) -> list[dict[str, Any]]:
    """``people_rows`` of ``journal``, its scenario and policy found as ``grade`` finds them.

    Raises:
        assessments.records.RecordsError: the journal's scenario or policy cannot be found.
    """
    from assessments.policy import journal_policy
    from simulator.library import journal_scenario
    from simulator.yamlio import LoadError

    try:
        in_force = policy or journal_policy(journal)
        scenario = journal_scenario(journal, None).scenario
    except (JournalError, LoadError) as exc:
        raise RecordsError(f"cannot record the participants: {exc}") from None
    return people_rows(
        journal,
        scenario=scenario,
        policy=in_force,
        driver=driver,
        journal_path=journal_path,
        seal=seal.last_seal,
    )


def refuse_bad_names(why: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Refuse attempts (``exercise_row``, ``people_rows``) that name someone the records would
    refuse (``simulator.text.normalise_name``: a control character, too long …), before any
    is recorded.

    Raises:
        assessments.records.RecordsError: ``WHY: the reason``.
    """
    for row in rows:
        try:
            normalise_name(str(row["trainee"]))
        except ValueError as exc:
            raise RecordsError(f"{why}: {exc}") from None


def plays_as_team(journal: JournalEvents) -> bool:
    """Whether ``journal`` is a team game day's (driver ``team``): recorded as the team's
    attempt and one per participant."""
    return journal.header.driver.split(":", 1)[0] == TEAM


def exercise_row(
    assessment: Assessment,
    journal: JournalEvents | None,
    *,
    driver: str = "unknown",
    journal_path: str | None = None,
    seal: str | None = None,
) -> dict[str, Any]:
    """``Records.add_exercise``'s arguments, but ``recorded_at``, for ``assessment``: the
    grade of ``journal`` (when one was written) as one trainee's attempt, or a team game
    day's own attempt (``plays_as_team``).

    Args:
        assessment: The exercise's grade.
        journal: Its journal, read back (its SHA-256 and what a cohort report needs).
        driver: What the attempt is recorded as (``driver_for``).
        journal_path: Where the journal is, as recorded (resolved).
        seal: The journal's last seal when this programme sealed it
            (``SealCheck.last_seal``).
    """
    row: dict[str, Any] = {
        "trainee": assessment.trainee,
        "scenario": assessment.scenario,
        "policy": assessment.policy,
        "score": assessment.score,
        "passed": assessment.passed,
        "criteria": [c.to_dict() for c in assessment.criteria],
        "seed": assessment.seed,
        "journal_path": journal_path,
        "journal_sha256": journal.sha256 if journal is not None else None,
        "driver": driver,
        "seal": seal,
        **grade_columns(assessment),
    }
    if journal is not None:
        row.update(session_columns(journal))
        if plays_as_team(journal):
            row["team"] = assessment.trainee
    return row


def people_rows(
    journal: JournalEvents,
    *,
    scenario: Scenario,
    policy: Policy,
    driver: str,
    journal_path: str | None,
    seal: str | None,
) -> list[dict[str, Any]]:
    """``Records.add_exercise``'s arguments, but ``recorded_at``, for each participant of a
    team game day (``assessments.team``): their seat, the roles they held, the criteria those
    roles own, their score and verdict. ``warroom grade --record`` and ``warroom import``
    record these beside the team's attempt (``exercise_row``).

    Args:
        journal: The team game day's journal, read back (metric samples are not needed).
        scenario: Its scenario.
        policy: The policy they are graded under.
        driver: What the attempts are recorded as (the team's: ``driver_for``).
        journal_path: Where the journal is, as recorded (resolved).
        seal: The journal's last seal when this programme sealed it.
    """
    from assessments.team import grade_people

    session = session_columns(journal)
    rows: list[dict[str, Any]] = []
    for person in grade_people(
        journal.events, scenario=scenario, policy=policy, seed=journal.header.seed
    ):
        graded = person.assessment
        rows.append(
            {
                "trainee": person.person,
                "scenario": scenario.id,
                "policy": policy.id,
                "score": person.score,
                "passed": person.passed,
                "criteria": [c.to_dict() for c in person.criteria],
                "seed": journal.header.seed,
                "journal_path": journal_path,
                "journal_sha256": journal.sha256,
                "driver": driver,
                "seal": seal,
                **session,
                "critical": [c.id for c in graded.critical_failures] if graded else [],
                "markers": dict(graded.markers) if graded else {},
                "outcomes": [[c.id, c.status, c.measured_s, c.limit_s] for c in person.criteria],
                "team": journal.header.trainee,
                "seat": person.seat,
                "roles": list(person.roles),
            }
        )
    return rows


CREDIT_REFUSED = (
    "only journals this programme sealed as they were played earn credit "
    "(docs/records.md); `warroom import --practice` records it as practice"
)
"""Why an unsealed or foreign journal is not recorded for credit."""


def seal_of(journal: Journal, location: Location) -> SealCheck:
    """Whether the programme of the records at ``location`` sealed ``journal`` (a programme
    with no key yet holds none of the keys a journal can name).

    Raises:
        assessments.records.RecordsError: when a key file is damaged.
    """
    if journal.header.sealed_by is None:
        return check_seal(journal, {})
    try:
        keys = load_keys(location).by_id
    except MissingKey:
        keys = {}  # a programme without a key sealed nothing: the journal is foreign
    return check_seal(journal, keys)


def driver_for(path: str | os.PathLike[str], driver: str, seal: SealCheck, practice: bool) -> str:
    """The driver a journal with ``seal`` is recorded under: its own when this programme sealed
    it or it earns no credit anyway, ``practice:DRIVER`` when ``practice`` and it is not.

    Raises:
        assessments.records.RecordsError: when it is not recorded (the message says why).
    """
    if seal.state == "broken":
        raise RecordsError(f"{path}: not recorded: {seal.message}")
    if seal.trusted or driver.split(":", 1)[0] not in CREDITED:
        return driver
    if practice:
        return f"practice:{driver}"
    raise RecordsError(f"{path}: not recorded for credit: {seal.message}; {CREDIT_REFUSED}")


def session_columns(journal: JournalEvents) -> dict[str, Any]:
    """What a cohort report needs of ``journal`` beside its grade (kept with the attempt)."""
    first = journal.events[0] if journal.events else None
    return {
        "title": str(first.title) if isinstance(first, ScenarioStarted) else None,
        "started_at": journal.header.started_at,
        "completed": journal.ended,
        "sealed_by": journal.header.sealed_by,
    }


def grade_columns(assessment: Assessment) -> dict[str, Any]:
    """What a cohort report needs of a grade beside its criteria (kept with the attempt)."""
    return {
        "critical": [c.id for c in assessment.critical_failures],
        "markers": dict(assessment.markers),
        "outcomes": [[c.id, c.status, c.measured_s, c.limit_s] for c in assessment.criteria],
    }


def sealing_key(db_path: str | os.PathLike[str] | Location | None) -> tuple[str, bytes]:
    """The key a session recorded for credit is sealed with: the programme's current key.

    Raises:
        assessments.records.RecordsError: when the records cannot be opened or the key is
            missing though the programme signed something (``assessments.keys``).
    """
    location = resolve_db_path(db_path)
    with Records(location) as records:
        keys = programme_key(location, signed=records.signed_count())
    return keys.current_id, keys.current


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
        counts = ", ".join(exercise_credits(e)) or (
            "nothing: not played to its end" if e.completed is False else "practice only"
        )
        seed = f"seed {e.seed}" if e.seed is not None else "seed ?"
        team = (
            f"  team {e.team}, {e.seat} seat holding {', '.join(e.roles) or '-'}"
            if e.person_in_team
            else ""
        )
        out.append(
            f"  {e.recorded_at.date().isoformat()}  {e.scenario}  policy {e.policy}  {seed}  "
            f"{percent(e.score)} {'passed' if e.passed else 'not passed'}  {e.driver}{team}  "
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
