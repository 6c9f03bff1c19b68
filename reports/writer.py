"""Write the report files: a session's debrief set, a certificate page, a cohort report.

``write_reports`` is what ``warroom report``, ``warroom run --report`` and the TUI (at the end
of a session) call. Files written into the output folder:

- ``debrief.html``: self-contained (inline CSS and SVG, no script, no network), prints to A4;
- ``debrief.md``: the same content for a wiki or a ticket;
- ``debrief.json``: the assessment and the timeline, machine-readable;
- ``postmortem.md``: the blameless postmortem template, prefilled, with prompts;
- ``certificate.html``: when the trainee holds a certificate (given, or found in the records);
- ``debrief-SEAT.html`` and ``debrief-SEAT.md``: for a team game day's journal, one debrief per
  participant, graded on the criteria the roles they held own (``assessments.team``).

The quiz breakdown goes into the debrief when a quiz result is given (the JSON of
``warroom quiz --answers FILE --json``), or else, with a records database, from the trainee's
latest recorded quiz attempt (per category only: the records keep no per-question answers).

This module writes files; it must not print, read the wall clock, or import the screen.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from assessments.intake import find_journals
from assessments.policy import Policy
from assessments.records import Location, Records
from assessments.team import grade_people, role_of
from reports.chart import timeline_chart
from reports.cohort import Skipped, aggregate, collect, from_records
from reports.render import render_report, to_json
from reports.views import (
    Session,
    certificate_view,
    debrief_view,
    load_session,
    postmortem_view,
    quiz_view,
)
from simulator.files import FileError, read_text, write_text
from simulator.protocol import ROLE_TABLE
from simulator.text import visible

__all__ = [
    "FORMATS",
    "ReportError",
    "cohort_data",
    "cohort_data_from_records",
    "is_team",
    "person_debrief_name",
    "person_sessions",
    "read_json_file",
    "render_debrief",
    "write_certificate",
    "write_cohort",
    "write_person_debriefs",
    "write_reports",
]

MAX_JSON_BYTES = 1024 * 1024
"""The largest quiz result or certificate file read for a report (1 MiB)."""

FORMATS: tuple[str, ...] = ("html", "md", "json", "postmortem")
"""What ``write_reports`` can write (all by default): the three debrief formats and the
postmortem draft."""


class ReportError(ValueError):
    """An input to a report is not usable (a bad quiz result or certificate file)."""


def read_json_file(path: str | os.PathLike[str], what: str) -> dict[str, Any]:
    """A JSON object from a file.

    Raises:
        ReportError: ``PATH:LINE:COL: error: …`` when it is not readable JSON or not an object.
    """
    shown = visible(os.fspath(path), multiline=False)
    try:
        text = read_text(path, limit=MAX_JSON_BYTES)
    except FileError as exc:
        raise ReportError(f"{shown}: error: cannot read the {what}: {exc.reason}") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise ReportError(f"{shown}: error: the {what} is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"{shown}:{exc.lineno}:{exc.colno}: error: {exc.msg}") from None
    except ValueError as exc:  # a number too long to convert
        raise ReportError(f"{shown}: error: not a {what}: {exc}") from None
    if not isinstance(data, dict):
        raise ReportError(f"{shown}: error: not a {what} (a JSON object was expected)")
    return data


def _latest_from_records(
    db: str | os.PathLike[str], trainee: str, policy: Policy
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The trainee's latest quiz attempt and latest unrevoked certificate under ``policy``."""
    from assessments.certification import same_programme
    from assessments.records import Records, RecordsError, resolve_db_path

    location = resolve_db_path(db)
    if not location.exists():
        return None, None
    try:
        with Records(location) as records:
            if records.trainee(trainee) is None:
                return None, None
            record = records.record(trainee)
    except RecordsError as exc:
        raise ReportError(f"{location}: error: {exc}") from None
    quizzes = [q for q in record.quizzes if same_programme(q.policy, policy)]
    quiz = None
    if quizzes:
        q = quizzes[-1]
        quiz = {
            "trainee": q.trainee,
            "correct": q.correct,
            "total": q.total,
            "passed": q.passed,
            "categories": q.categories,
        }
    certs = [c for c in record.certificates if not c.revoked and c.policy == policy.id]
    cert = json.loads(certs[-1].document) if certs else None
    return quiz, cert


def render_debrief(
    session: Session,
    fmt: str,
    *,
    quiz: Mapping[str, Any] | None = None,
    person: Mapping[str, Any] | None = None,
) -> str:
    """One debrief format (``html``, ``md`` or ``json``) or the ``postmortem`` draft, as text;
    ``person`` (``person_view``) makes it one participant's of a team game day."""
    if fmt == "postmortem":
        return render_report("postmortem.md", postmortem_view(session))
    data = debrief_view(session, quiz=quiz)
    if person is not None or fmt != "json":
        data["person"] = dict(person) if person is not None else None
    if fmt == "json":
        data.pop("chart")
        return to_json(data)
    if fmt == "html":
        data["chart"] = timeline_chart(session, data["criteria"])
        return render_report("debrief.html", data)
    if fmt == "md":
        return render_report("debrief.md", data)
    raise ReportError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")


_FILES = {
    "html": "debrief.html",
    "md": "debrief.md",
    "json": "debrief.json",
    "postmortem": "postmortem.md",
}


def _write(path: Path, text: str) -> Path:
    write_text(path, text)  # a regular file only, its folder made; FileError when it fails
    return path


def write_reports(
    journal_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    formats: Iterable[str] = FORMATS,
    policy: str | Policy | None = None,
    quiz: Mapping[str, Any] | str | os.PathLike[str] | None = None,
    certificate: Mapping[str, Any] | str | os.PathLike[str] | None = None,
    db: str | os.PathLike[str] | None = None,
    scenario: str | None = None,
) -> list[Path]:
    """Write a session's reports into ``out_dir``; returns the files written, in order.

    Args:
        journal_path: The session's journal.
        out_dir: The folder to write into (created when missing).
        formats: Any of ``FORMATS`` (default all).
        policy: Grade under this policy instead of the journal's (name, path or ``Policy``).
        quiz: A quiz result (dict, or the path of ``warroom quiz --json`` output).
        certificate: A certificate (dict, or the path of its JSON file): writes
            ``certificate.html``.
        db: A records database: the trainee's latest quiz attempt and certificate come from
            it unless ``quiz`` or ``certificate`` is given.
        scenario: The scenario the user names (``--scenario``), when the journal's is not in
            the library.

    Raises:
        simulator.journal.JournalError: the journal cannot be read.
        simulator.yamlio.LoadError: the scenario or policy does not load.
        ReportError: a bad format, quiz result or certificate.
        simulator.files.FileError: a report cannot be written (``PATH: error: cannot write:
            …``: the folder is a file, a report's name is a FIFO, the disk is full …).
    """
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ReportError(
            f"unknown report format {', '.join(map(repr, unknown))} "
            f"(choose from {', '.join(FORMATS)})"
        )
    session = load_session(journal_path, policy=policy, scenario=scenario)
    quiz_data = read_json_file(quiz, "quiz result") if isinstance(quiz, str | os.PathLike) else quiz
    cert_data = (
        read_json_file(certificate, "certificate")
        if isinstance(certificate, str | os.PathLike)
        else certificate
    )
    if db is not None and (quiz_data is None or cert_data is None):
        found_quiz, found_cert = _latest_from_records(
            db, session.journal.header.trainee, session.policy
        )
        quiz_data = quiz_data if quiz_data is not None else found_quiz
        cert_data = cert_data if cert_data is not None else found_cert
    quiz_model = None
    if quiz_data is not None:
        try:
            quiz_model = quiz_view(quiz_data, session.policy)
        except ValueError as exc:
            raise ReportError(
                f"{quiz if isinstance(quiz, str) else 'quiz'}: error: {exc}"
            ) from None
    out = Path(out_dir)
    written = [
        _write(out / _FILES[fmt], render_debrief(session, fmt, quiz=quiz_model)) for fmt in wanted
    ]
    if cert_data is not None:
        written.append(write_certificate(cert_data, out / "certificate.html"))
    if is_team(session):
        written += write_person_debriefs(session, out, formats=wanted)
    return written


PERSON_FORMATS: tuple[str, ...] = ("html", "md")
"""The formats of each participant's debrief."""


def is_team(session: Session) -> bool:
    """Whether the session is a team game day's (``warroom host``: driver ``team``)."""
    return session.journal.header.driver.split(":", 1)[0] == "team"


def person_debrief_name(seat: str, fmt: str) -> str:
    """The file of one participant's debrief: ``debrief-SEAT.html`` (a seat id is
    ``[a-z]+(-N)?``; a person's name never names a file)."""
    return f"debrief-{seat}.{fmt}"


def person_sessions(session: Session) -> list[tuple[Session, dict[str, Any]]]:
    """Each participant of a team game day as a session graded on the criteria their roles
    own (``assessments.team``), with what their debrief says of their part."""
    out: list[tuple[Session, dict[str, Any]]] = []
    team = session.journal.header.trainee
    for r in grade_people(
        session.journal.events,
        scenario=session.scenario,
        policy=session.policy,
        seed=session.journal.header.seed,
    ):
        base = r.assessment if r.criteria and r.assessment is not None else session.assessment
        applicable = [c for c in r.criteria if c.applicable]
        total = sum(c.weight for c in applicable)
        share = (
            sum(c.weight for c in r.criteria if c.passed) / total
            if total
            else session.assessment.share
        )
        markers = dict(base.markers)
        if markers and role_of(r.seat) != "ic":  # their own diagnostics, not the IC's
            markers.update(ran_personally=r.ran_personally, heads_down_s=r.heads_down_s)
        mine = replace(
            base,
            trainee=r.person,
            criteria=list(r.criteria),
            score=r.score,
            passed=r.passed,
            share=share,
            markers=markers,
        )
        titles = {c.id: c.title for c in base.criteria}
        roles = ", ".join(held_title(x) for x in r.roles)
        owns = "; ".join(titles.get(c, c) for c in r.owns)
        note = (
            f"You sat in the {r.seat} seat as {roles}: you are graded on the criteria "
            f"{'those roles own' if len(r.roles) > 1 else 'that role owns'} ({owns}), measured "
            "on your own actions in the context the rest of the team set."
            if r.criteria
            else f"You sat in the {r.seat} seat as {roles}, which owns no criterion: you "
            f"share the team's result ({team})."
        )
        person = {
            "person": r.person,
            "seat": r.seat,
            "roles": list(r.roles),
            "held": [held_title(x) for x in r.roles],
            "owns": list(r.owns),
            "team": team,
            "note": note,
            "actions": len(r.actions),
            "refused": len(r.refused),
        }
        out.append((Session(session.journal, mine, session.scenario, session.policy), person))
    return out


def write_person_debriefs(
    session: Session, out_dir: str | os.PathLike[str], *, formats: Iterable[str] = PERSON_FORMATS
) -> list[Path]:
    """Write one debrief per participant of a team game day (``debrief-SEAT.html`` and
    ``.md``, through the debrief templates) into ``out_dir``; returns the files written."""
    wanted = [f for f in formats if f in PERSON_FORMATS]
    out = Path(out_dir)
    written: list[Path] = []
    for mine, person in person_sessions(session):
        for fmt in wanted:
            text = render_debrief(mine, fmt, person=person)
            written.append(_write(out / person_debrief_name(person["seat"], fmt), text))
    return written


def write_certificate(document: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """A certificate's printable HTML page.

    Raises:
        ReportError: when ``document`` is not a warroom certificate.
        simulator.files.FileError: the page cannot be written.
    """
    try:
        data = certificate_view(document)
    except ValueError as exc:
        raise ReportError(str(exc)) from None
    return _write(Path(path), render_report("certificate.html", data))


def cohort_data(
    inputs: Sequence[str | os.PathLike[str]],
    *,
    policy: Policy | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Read, grade and aggregate the journals in ``inputs`` (files or folders)."""
    paths = find_journals(inputs)
    sessions, skipped = collect(paths, policy=policy, progress=progress)
    data = aggregate(sessions, skipped)
    data["journals"] = [asdict(s)["path"] for s in sessions]
    return data


def cohort_data_from_records(location: Location, *, policy: str | None = None) -> dict[str, Any]:
    """Aggregate the exercise attempts already graded into the records at ``location``.

    Raises:
        assessments.records.RecordsError: when the records cannot be used.
    """
    with Records(location) as records:
        sessions = from_records(records, policy)
        bad = records.bad_rows
    skipped = [Skipped(f"{location}: row {b.row}", f"{location}: {b}") for b in bad]
    data = aggregate(sessions, skipped)
    data["journals"] = [s.path for s in sessions]
    return data


def write_cohort(
    data: Mapping[str, Any],
    out_dir: str | os.PathLike[str],
    *,
    formats: Iterable[str] = ("html", "md", "json"),
) -> list[Path]:
    """Write the cohort report (``cohort.html``, ``cohort.md``, ``cohort.json``)."""
    out = Path(out_dir)
    written: list[Path] = []
    for fmt in dict.fromkeys(formats):
        if fmt == "json":
            written.append(_write(out / "cohort.json", to_json(dict(data))))
        elif fmt in ("html", "md"):
            written.append(_write(out / f"cohort.{fmt}", render_report(f"cohort.{fmt}", data)))
        else:
            raise ReportError(f"unknown cohort format {fmt!r} (choose from html, md, json)")
    return written


def held_title(role: str) -> str:
    """A team role in words (``Incident Commander``), or as written when it is not one."""
    row = ROLE_TABLE.get(role)  # type: ignore[call-overload]
    return row.title if row is not None else role
