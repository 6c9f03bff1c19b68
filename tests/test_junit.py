"""JUnit XML from ``warroom lint --junit`` and ``warroom run --junit``, read by a real JUnit
consumer (junitparser), as a CI server would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Skipped

from assessments.lint import CHECKS
from tui.cli.parser import main


def test_run_junit_has_one_case_per_criterion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ci" / "run.xml"
    code = main(["run", "api-outage", "--autopilot", "novice", "--junit", str(out), "--json"])
    assessment = json.loads(capsys.readouterr().out)
    assert code == 0
    xml = JUnitXml.fromfile(str(out))
    (suite,) = list(xml)
    cases = {case.name: case for case in suite}
    assert list(cases) == [c["id"] for c in assessment["criteria"]]
    for c in assessment["criteria"]:
        results = cases[c["id"]].result
        if c["status"] == "failed":
            assert any(isinstance(r, Failure) for r in results)
        elif c["status"] in ("not_applicable", "pending"):
            assert any(isinstance(r, Skipped) for r in results)
        else:
            assert cases[c["id"]].is_passed
    failed = sum(c["status"] == "failed" for c in assessment["criteria"])
    assert suite.failures == failed and suite.tests == len(assessment["criteria"])


def test_lint_junit_has_one_case_per_scenario_and_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lint.xml"
    code = main(["lint", "api-outage", "--seeds", "1", "--junit", str(out), "--json"])
    report = json.loads(capsys.readouterr().out)
    xml = JUnitXml.fromfile(str(out))
    suites = list(xml)
    assert [s.name for s in suites] == ["api-outage"]
    names = [case.name for case in suites[0]]
    assert names == list(CHECKS)
    errors = {f["check"] for f in report["files"][0]["errors"]}
    failing = {case.name for case in suites[0] if not case.is_passed}
    assert failing == errors
    assert code == (1 if errors else 0)


def test_a_junit_file_that_cannot_be_written_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").mkdir()
    code = main(["run", "api-outage", "--autopilot", "expert", "--junit", str(tmp_path / "taken")])
    assert code == 2
    assert "cannot write" in capsys.readouterr().err
