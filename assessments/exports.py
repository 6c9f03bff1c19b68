"""Exports for the tools a programme already has: CSV, xAPI statements, JUnit XML.

- ``roster_csv``: the roster and every attempt as one CSV table (a ``record`` column says
  which: ``roster``, ``exercise`` or ``quiz``), for a spreadsheet;
- ``xapi_statements``: one xAPI 1.0.3 statement per exercise attempt and per quiz attempt
  (actor, verb ``passed``/``failed``, the scenario or quiz as the activity, ``result`` with the
  scaled score, success, completion and the criteria as extensions), for a learning record
  store or an LMS; statement ids are derived from the records, so exporting twice sends the
  same statements (an LRS ignores one it already holds);
- ``junit_xml``: test suites of test cases as JUnit XML, for scenario CI (``warroom lint
  --junit`` and ``warroom run --junit`` build the cases).

This module builds text from data it is given; it must not print, read files, build SQL or
import the TUI.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from assessments.assessor import Assessment
from assessments.certification import CertificationStatus
from assessments.lint import CHECKS, FileReport
from assessments.records import ExerciseAttempt, QuizAttempt, TraineeRecord

__all__ = [
    "CSV_COLUMNS",
    "EXTENSION",
    "TestCase",
    "TestSuite",
    "assessment_suite",
    "junit_xml",
    "lint_suites",
    "roster_csv",
    "xapi_statements",
]

CSV_COLUMNS = (
    "record",
    "trainee",
    "status",
    "expires",
    "missing",
    "policy",
    "scenario",
    "seed",
    "driver",
    "score",
    "passed",
    "at",
)
"""The CSV's header row."""

EXTENSION = "https://warroom.dev/xapi/"
"""The IRI every warroom xAPI extension and activity id starts with."""
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, EXTENSION)
_VERBS = {
    True: ("http://adlnet.gov/expapi/verbs/passed", "passed"),
    False: ("http://adlnet.gov/expapi/verbs/failed", "failed"),
}
_SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------- CSV


def roster_csv(records: Sequence[TraineeRecord], statuses: Sequence[CertificationStatus]) -> str:
    """The roster (one ``roster`` row per trainee) and every attempt, as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in statuses:
        writer.writerow(
            [
                "roster",
                s.trainee,
                s.state,
                s.certificate.expires.isoformat() if s.certificate else "",
                "" if s.ready else "; ".join(s.gaps),
                s.policy,
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    for record in records:
        for e in record.exercises:
            writer.writerow(
                [
                    "exercise",
                    e.trainee,
                    "",
                    "",
                    "",
                    e.policy,
                    e.scenario,
                    "" if e.seed is None else e.seed,
                    e.driver,
                    f"{e.score:.4f}",
                    "yes" if e.passed else "no",
                    _stamp(e.recorded_at),
                ]
            )
        for q in record.quizzes:
            writer.writerow(
                [
                    "quiz",
                    q.trainee,
                    "",
                    "",
                    "",
                    q.policy,
                    "",
                    q.seed,
                    "refresher" if q.refresher else "",
                    f"{q.score:.4f}",
                    "yes" if q.passed else "no",
                    _stamp(q.taken_at),
                ]
            )
    return out.getvalue()


# --------------------------------------------------------------------------- xAPI


def _actor(name: str) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "name": name,
        "account": {"homePage": EXTENSION, "name": name},
    }


def _verb(passed: bool) -> dict[str, Any]:
    iri, word = _VERBS[passed]
    return {"id": iri, "display": {"en-US": word}}


def exercise_statement(e: ExerciseAttempt) -> dict[str, Any]:
    """The xAPI statement of one exercise attempt."""
    key = e.journal_sha256 or f"exercise-{e.id}-{_stamp(e.recorded_at)}"
    return {
        "id": str(uuid.uuid5(_NAMESPACE, f"exercise:{key}:{e.policy}")),
        "actor": _actor(e.trainee),
        "verb": _verb(e.passed),
        "object": {
            "objectType": "Activity",
            "id": f"{EXTENSION}scenario/{e.scenario}",
            "definition": {
                "name": {"en-US": e.title or e.scenario},
                "type": _SIMULATION,
            },
        },
        "result": {
            "score": {"scaled": round(e.score, 4), "min": 0, "max": 1, "raw": round(e.score, 4)},
            "success": e.passed,
            "completion": e.completed if e.completed is not None else True,
            "extensions": {
                f"{EXTENSION}criteria": e.criteria,
                f"{EXTENSION}policy": e.policy,
                f"{EXTENSION}driver": e.driver,
                **({f"{EXTENSION}seed": e.seed} if e.seed is not None else {}),
            },
        },
        "context": {
            "platform": "warroom",
            "extensions": {f"{EXTENSION}sealed-by": e.sealed_by},
        },
        "timestamp": _stamp(e.recorded_at),
    }


def quiz_statement(q: QuizAttempt) -> dict[str, Any]:
    """The xAPI statement of one quiz attempt."""
    return {
        "id": str(uuid.uuid5(_NAMESPACE, f"quiz:{q.id}:{q.trainee}:{_stamp(q.taken_at)}")),
        "actor": _actor(q.trainee),
        "verb": _verb(q.passed),
        "object": {
            "objectType": "Activity",
            "id": f"{EXTENSION}quiz/{q.policy}",
            "definition": {
                "name": {"en-US": f"Certification quiz ({q.policy})"},
                "type": _ASSESSMENT,
            },
        },
        "result": {
            "score": {"scaled": round(q.score, 4), "min": 0, "max": q.total, "raw": q.correct},
            "success": q.passed,
            "completion": True,
            "extensions": {
                f"{EXTENSION}categories": q.categories,
                f"{EXTENSION}policy": q.policy,
                f"{EXTENSION}seed": q.seed,
                f"{EXTENSION}refresher": q.refresher,
            },
        },
        "context": {"platform": "warroom"},
        "timestamp": _stamp(q.taken_at),
    }


def xapi_statements(records: Iterable[TraineeRecord]) -> Iterator[str]:
    """One JSON line per exercise attempt and per quiz attempt, oldest first per trainee."""
    for record in records:
        for e in record.exercises:
            yield json.dumps(exercise_statement(e), ensure_ascii=False, sort_keys=True)
        for q in record.quizzes:
            yield json.dumps(quiz_statement(q), ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------- JUnit


@dataclass(frozen=True)
class TestCase:
    """One JUnit test case."""

    __test__ = False  # not a pytest class

    classname: str
    """What it belongs to (a scenario)."""
    name: str
    """What it checks (a lint check, a criterion)."""
    failure: str | None = None
    """Why it failed; ``None`` when it passed."""
    skipped: str | None = None
    """Why it did not apply."""
    output: str = ""
    """Anything worth keeping (warnings, details), as ``system-out``."""
    time: float = 0.0
    """Seconds."""


@dataclass(frozen=True)
class TestSuite:
    """A JUnit test suite."""

    __test__ = False

    name: str
    """The suite (a scenario)."""
    cases: Sequence[TestCase]
    """Its cases."""


def junit_xml(suites: Sequence[TestSuite], name: str = "warroom") -> str:
    """The JUnit XML document of ``suites``."""
    root = ET.Element("testsuites", name=name)
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for suite in suites:
        failures = sum(1 for c in suite.cases if c.failure is not None)
        skipped = sum(1 for c in suite.cases if c.skipped is not None and c.failure is None)
        el = ET.SubElement(
            root,
            "testsuite",
            name=suite.name,
            tests=str(len(suite.cases)),
            failures=str(failures),
            errors="0",
            skipped=str(skipped),
            time=f"{sum(c.time for c in suite.cases):.3f}",
        )
        totals["tests"] += len(suite.cases)
        totals["failures"] += failures
        totals["skipped"] += skipped
        for case in suite.cases:
            tc = ET.SubElement(
                el, "testcase", classname=case.classname, name=case.name, time=f"{case.time:.3f}"
            )
            if case.failure is not None:
                failure = ET.SubElement(tc, "failure", message=_xml_text(case.failure))
                failure.text = _xml_text(case.failure)
            elif case.skipped is not None:
                ET.SubElement(tc, "skipped", message=_xml_text(case.skipped))
            if case.output:
                ET.SubElement(tc, "system-out").text = _xml_text(case.output)
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold: other control characters shown as ``\\xNN``."""
    return "".join(
        c if c in "\t\n\r" or (c >= " " and c not in "\ufffe\uffff") else f"\\x{ord(c):02x}"
        for c in text
    )


def assessment_suite(assessment: Assessment) -> TestSuite:
    """A graded exercise as a suite: one case per criterion (``warroom run --junit``).

    A failed criterion is a failure, one that does not apply (or was still pending) is
    skipped; the details go into the case's output.
    """
    cases: list[TestCase] = []
    for c in assessment.criteria:
        measured = f"measured {c.measured_s:g} s" if c.measured_s is not None else "not measured"
        limit = f", limit {c.limit_s:g} s" if c.limit_s is not None else ""
        detail = f"{c.title}: {measured}{limit}" + (f"; {c.detail}" if c.detail else "")
        cases.append(
            TestCase(
                classname=f"{assessment.scenario}.{assessment.policy}",
                name=c.id,
                failure=detail if c.status == "failed" else None,
                skipped=detail if c.status in ("not_applicable", "pending") else None,
                output=detail,
            )
        )
    verdict = "passed" if assessment.passed else "not passed"
    return TestSuite(
        f"{assessment.scenario} ({assessment.trainee}, {verdict}, {assessment.score:.0%})", cases
    )


def lint_suites(reports: Sequence[FileReport]) -> list[TestSuite]:
    """Lint results as suites: one per scenario, one case per check (``warroom lint --junit``).

    A check with an error finding fails; warnings and suppressed findings go into the case's
    output (they do not fail ``warroom lint`` either).
    """
    suites: list[TestSuite] = []
    for report in reports:
        name = report.scenario or report.path
        cases: list[TestCase] = []
        for check in CHECKS:
            errors = [str(f) for f in report.errors if f.check == check]
            warnings = [str(f) for f in report.warnings if f.check == check]
            quiet = [f"suppressed: {f}" for f in report.suppressed if f.check == check]
            cases.append(
                TestCase(
                    classname=name,
                    name=check,
                    failure="\n".join(errors) if errors else None,
                    output="\n".join([*warnings, *quiet]),
                )
            )
        suites.append(TestSuite(name, cases))
    return suites
