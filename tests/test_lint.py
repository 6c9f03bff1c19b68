"""`warroom lint`: each check fires on a small scenario made bad on purpose, at the right line,
and none fires on the library; exit codes and the JSON form are what scripts rely on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assessments.lint import CHECKS, FileReport, Finding, lint_file
from assessments.policy import Policy, load_policy, policy_path
from simulator.library import library_paths
from tui.cli.parser import main

FINDING = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<level>error|warning): "
    r"\[(?P<check>[a-z-]+)\] (?P<msg>.+)$"
)

# A small scenario that lints clean: one root cause, an alert, a responder with the skills, a
# diagnostic that finds the cause, a red herring, the fix and a wrong call with a consequence.
GOOD = """\
format: 1
id: tiny-outage
title: Tiny outage
summary: Half the API requests fail.
difficulty: beginner
objectives:
  - Classify a partial outage
start: 2026-01-30T14:00:00Z
duration: 45m
expected:
  severity: high
  rationale: More than 10% of users are affected; the service is not completely down.
services:
  - id: api
    name: API
    metrics:
      - {id: error_rate, name: Error rate, unit: "%", baseline: 1.0, noise: 0.1, max: 100}
faults:
  - id: broken
    title: The API is broken
    root_cause: true
    at: 1m
    effects:
      - {metric: api.error_rate, to: 40, ramp: 20s}
  - id: restart-outage
    title: Every pod restarting at once
    duration: 2m
    effects:
      - {metric: api.error_rate, to: 100}
alerts:
  - id: ErrorsHigh
    metric: api.error_rate
    op: ">"
    threshold: 10
    for: 30s
    summary: "ErrorsHigh - errors at {value:.0f}%"
injects:
  - id: support-tickets
    from: Customer Support
    channel: support
    at: 3m
    text: Customers report errors.
responders:
  - {id: bob, name: Bob, role: SRE, skills: [api, database], rotation: primary}
diagnostics:
  - id: check-logs
    title: Check the API logs
    skill: api
    duration: 1m
    outputs:
      - when: {fault: broken}
        reveals: [broken]
        text: The API is broken.
      - text: All quiet.
  - id: check-db
    title: Check the database
    skill: database
    duration: 1m
    red_herring: true
    outputs:
      - text: The database is fine.
mitigations:
  - id: fix
    label: Fix the API
    strategy: rollback
    duration: 2m
    clears: [broken]
  - id: restart-all
    label: Restart every pod at once
    strategy: restart
    duration: 1m
    starts: [restart-outage]
debrief:
  root_cause: It broke.
  resolution: Fixed it.
  notes:
    - Half the requests failing is SEV-2.
"""


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("default")


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line of the ``nth`` line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth]


def lint_text(tmp_path: Path, text: str, policy, seeds=(1,)) -> FileReport:  # type: ignore[no-untyped-def]
    return lint_file(str(write(tmp_path, text)), policy, seeds=seeds)


def only(report: FileReport, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check == check]


# --------------------------------------------------------------------------- the baseline


def test_the_small_good_scenario_lints_clean(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    report = lint_text(tmp_path, GOOD, policy, seeds=(1, 2))
    assert report.findings == [], [str(f) for f in report.findings]


# --------------------------------------------------------------------------- content checks


def test_a_file_that_does_not_validate_is_reported_as_invalid_at_its_line(
    tmp_path: Path,
    policy: Policy,
) -> None:
    text = GOOD.replace("difficulty: beginner", "difficulty: hard")
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "invalid")
    assert finding.level == "error"
    assert finding.line == line_of(text, "difficulty: hard")


def test_no_learning_objective_is_an_error_at_the_objectives(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace("objectives:\n  - Classify a partial outage\n", "objectives: []\n")
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "no-learning-objective")
    assert finding.line == line_of(text, "objectives: []")


def test_no_red_herring_is_an_error(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace("    red_herring: true\n", "")
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "no-red-herring")
    assert finding.level == "error"
    assert (finding.line, finding.col) == (line_of(text, "diagnostics:"), 1)


def test_no_debrief_notes_and_no_wrong_mitigation_are_warnings(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace("  notes:\n    - Half the requests failing is SEV-2.\n", "")
    text = text.replace("    starts: [restart-outage]\n", "    clears: [broken]\n")
    report = lint_text(tmp_path, text, policy)
    assert [f.level for f in only(report, "no-debrief-notes")] == ["warning"]
    assert [f.level for f in only(report, "no-wrong-mitigation")] == ["warning"]


def test_an_unquoted_value_with_a_hash_is_cut_by_yaml(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace("from: Customer Support", "from: Tessellate (Discord #validators)")
    text = text.replace("title: Check the database", "title: Check the database and #dba-oncall")
    report = lint_text(tmp_path, text, policy)
    found = only(report, "cut-by-comment")
    assert [(f.level, f.line) for f in found] == [
        ("error", line_of(text, "from: Tessellate")),
        ("error", line_of(text, "title: Check the database")),
    ]
    assert "'Tessellate (Discord'" in found[0].message
    quoted = GOOD.replace("from: Customer Support", 'from: "Tessellate (Discord #validators)"')
    assert only(lint_text(tmp_path, quoted, policy), "cut-by-comment") == []


def test_a_comment_after_a_sender_is_a_warning_and_after_other_values_fine(
    tmp_path: Path,
    policy: Policy,
) -> None:
    text = GOOD.replace("from: Customer Support", "from: Customer Support  # the queue")
    text = text.replace("    at: 3m\n", "    at: 3m  # after the alert\n")
    [finding] = only(lint_text(tmp_path, text, policy), "cut-by-comment")
    assert finding.level == "warning"
    assert finding.line == line_of(text, "from: Customer Support")


# --------------------------------------------------------------------------- injects and alerts


def test_an_inject_whose_condition_can_never_hold_is_an_error_at_the_inject(
    tmp_path: Path,
    policy: Policy,
) -> None:
    text = GOOD.replace(
        "    at: 3m\n    text: Customers report errors.",
        "    when: {all: [{fault: broken}, {after: 2h}]}\n    text: Customers report errors.",
    )
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "inject-undeliverable")
    assert finding.level == "error"
    assert finding.line == line_of(text, "  - id: support-tickets")
    assert "after 2h is past 45m" in finding.message
    assert only(report, "inject-not-delivered") == []


def test_a_not_taken_deadline_after_the_end_never_delivers(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace(
        "    at: 3m\n",
        "    when: {action: notify, with: {stakeholder: cto}, taken: false, by: 1h}\n",
    )
    [finding] = only(lint_text(tmp_path, text, policy), "inject-undeliverable")
    assert "by 1h is past 45m" in finding.message


def test_an_inject_no_play_delivers_is_a_warning(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace("    at: 3m\n", "    when: {action: page, with: {target: security}}\n")
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "inject-not-delivered")
    assert finding.level == "warning"
    assert "not delivered in any lint play" in finding.message
    assert finding.line == line_of(text, "  - id: support-tickets")


def test_a_fault_whose_condition_can_never_hold_never_starts(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    overload = (
        "  - id: overload\n    title: Overload\n"
        "    when: {metric: api.error_rate, op: '>', value: 150}\n"
        "    duration: 2m\n    effects:\n      - {metric: api.error_rate, by: 5}\n"
    )
    text = GOOD.replace("alerts:\n", overload + "alerts:\n")
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "fault-never-starts")
    assert finding.line == line_of(text, "  - id: overload")
    assert "stays within 0..100" in finding.message


def test_an_alert_beyond_the_metrics_reach_never_fires(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace(
        "alerts:\n",
        "alerts:\n  - {id: ErrorsAbsurd, metric: api.error_rate, op: '>', threshold: 200, summary: x}\n",
    )
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "alert-never-fires")
    assert finding.level == "error"
    assert finding.line == line_of(text, "ErrorsAbsurd")
    assert only(report, "alert-not-fired") == []


def test_an_alert_that_no_play_fires_is_a_warning(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace(
        "alerts:\n",
        "alerts:\n  - {id: ErrorsVanished, metric: api.error_rate, op: '<', threshold: 0.2, summary: x}\n",
    )
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "alert-not-fired")
    assert finding.level == "warning"
    assert finding.line == line_of(text, "ErrorsVanished")


def test_a_chain_halted_alert_shorter_than_the_block_time_flaps(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    chain = "chain: {block_time: 6s, validator_count: 4}\nservices:\n"
    text = GOOD.replace("services:\n", chain, 1).replace(
        "alerts:\n",
        "alerts:\n  - {id: ChainHalted, metric: chain.since_last_block, op: '>', threshold: 3, summary: x}\n",
    )
    report = lint_text(tmp_path, text, policy)
    flaps = only(report, "alert-flaps")
    assert flaps and flaps[0].level == "error"
    assert flaps[0].line == line_of(text, "id: ChainHalted")
    assert "normal block time is 6s" in flaps[0].message
    assert any("started firing" in f.message for f in flaps), "the plays confirm it"


def test_a_chain_halted_alert_below_the_slowest_block_is_a_warning(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    chain = "chain: {block_time: 6s, validator_count: 4}\nservices:\n"
    text = GOOD.replace("services:\n", chain, 1).replace(
        "alerts:\n",
        "alerts:\n  - {id: ChainHalted, metric: chain.since_last_block, op: '>', threshold: 30, summary: x}\n",
    )
    text = text.replace(
        "      - {metric: api.error_rate, to: 40, ramp: 20s}",
        "      - {metric: api.error_rate, to: 40, ramp: 20s}\n      - {metric: chain.block_time, times: 7.5}",
    )
    flaps = only(lint_text(tmp_path, text, policy), "alert-flaps")
    assert [f.level for f in flaps if "45s apart" in f.message] == ["warning"]


# --------------------------------------------------------------------------- faults, mitigations


def test_a_root_cause_no_mitigation_clears_is_an_error_at_the_fault(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace("    clears: [broken]\n", "    starts: [restart-outage]\n")
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "fault-not-cleared")
    assert finding.level == "error"
    assert finding.line == line_of(text, "  - id: broken")


def test_a_mitigation_that_changes_nothing_is_a_warning_unless_acknowledged(
    tmp_path: Path,
    policy: Policy,
) -> None:
    idle = "  - id: scale-db\n    label: Add a replica\n    strategy: scale_up\n"
    text = GOOD.replace("mitigations:\n", "mitigations:\n" + idle)
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "mitigation-no-effect")
    assert finding.level == "warning"
    assert finding.line == line_of(text, "  - id: scale-db")
    ignored = GOOD.replace(
        "mitigations:\n",
        "mitigations:\n  # lint-ignore: mitigation-no-effect - a wasted call, on purpose\n" + idle,
    )
    report = lint_text(tmp_path, ignored, policy)
    assert only(report, "mitigation-no-effect") == []
    assert [f.check for f in report.suppressed] == ["mitigation-no-effect"]


def test_a_mitigation_that_clears_only_a_fault_that_never_starts_clears_nothing(
    tmp_path: Path,
    policy: Policy,
) -> None:
    ghost = "  - id: ghost\n    title: Never happens\n    effects:\n      - {metric: api.error_rate, by: 1}\n"
    fix = (
        "  - id: exorcise\n    label: Clear the ghost\n    strategy: restart\n    clears: [ghost]\n"
    )
    text = GOOD.replace("alerts:\n", ghost + "alerts:\n").replace(
        "mitigations:\n", "mitigations:\n" + fix
    )
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "mitigation-clears-nothing")
    assert finding.line == line_of(text, "clears: [ghost]")


def test_a_diagnostic_nobody_has_the_skill_for_is_an_error_at_its_skill(
    tmp_path: Path,
    policy: Policy,
) -> None:
    text = GOOD.replace("    skill: database\n", "    skill: dba\n")
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "diagnostic-unrunnable")
    assert finding.line == line_of(text, "skill: dba")
    assert finding.col == 12


# --------------------------------------------------------------------------- plays and policy


def test_an_expected_severity_below_the_policys_user_impact_threshold_is_an_error(
    tmp_path: Path,
    policy: Policy,
) -> None:
    text = GOOD.replace("  severity: high", "  severity: medium")
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "severity-contradicts-policy")
    assert finding.line == line_of(text, "  severity: medium")
    assert "User Impact: > 10% of users affected" in finding.message
    assert "SEV-2" in finding.message


def test_a_share_of_users_metric_stands_for_users_affected_instead_of_the_error_rate(
    tmp_path: Path,
    policy: Policy,
) -> None:
    # 40% of requests fail, but retries absorb them and only 4% of users notice: a scenario that
    # measures its users says so, and SEV-3 no longer contradicts the policy.
    users = '      - {id: users_affected, name: Users affected, unit: "%", baseline: 0.5}\n'
    text = GOOD.replace("  severity: high", "  severity: medium")
    text = text.replace("noise: 0.1, max: 100}\n", "noise: 0.1, max: 100}\n" + users, 1)
    text = text.replace(
        "      - {metric: api.error_rate, to: 40, ramp: 20s}\n",
        "      - {metric: api.error_rate, to: 40, ramp: 20s}\n"
        "      - {metric: api.users_affected, to: 4}\n",
        1,
    )
    assert only(lint_text(tmp_path, text, policy), "severity-contradicts-policy") == []
    # And when that share crosses the policy's 10%, it is what the finding names.
    report = lint_text(
        tmp_path, text.replace("api.users_affected, to: 4}", "api.users_affected, to: 15}"), policy
    )
    [finding] = only(report, "severity-contradicts-policy")
    assert "api.users_affected is 15%" in finding.message


def test_an_expert_who_cannot_finish_in_time_fails_the_scenario(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace(
        "    strategy: rollback\n    duration: 2m\n", "    strategy: rollback\n    duration: 40m\n"
    )
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "expert-fails")
    assert finding.level == "error"
    assert finding.line == line_of(text, "expected:")
    assert "resolution_declared" in finding.message


def test_a_novice_who_passes_under_a_lenient_policy_is_an_error(tmp_path: Path) -> None:
    lenient = policy_path("default").read_text(encoding="utf-8")
    lenient = lenient.replace("  pass_score: 0.8\n", "  pass_score: 0.05\n", 1)
    lenient = lenient.replace("id: default\n", "id: lenient\n", 1)
    path = write(tmp_path, lenient, "lenient.yaml")
    report = lint_text(tmp_path, GOOD, load_policy(str(path)))
    [finding] = only(report, "novice-passes")
    assert "policy lenient" in finding.message


def test_a_declared_difficulty_the_measures_contradict_is_a_warning(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace("difficulty: beginner", "difficulty: advanced")
    report = lint_text(tmp_path, text, policy)
    [finding] = only(report, "difficulty-mismatch")
    assert finding.level == "warning"
    assert finding.line == line_of(text, "difficulty: advanced")
    assert report.measures["level"] == "beginner"


# --------------------------------------------------------------------------- the command


def test_lint_exits_1_on_errors_and_lists_errors_before_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace("    red_herring: true\n", "").replace(
        "  notes:\n    - Half the requests failing is SEV-2.\n", ""
    )
    path = write(tmp_path, text)
    assert main(["lint", "--seeds", "1", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    found = [m for m in map(FINDING.match, out) if m]
    assert [m["level"] for m in found] == ["error", "warning"]
    assert all(m["path"] == str(path) for m in found)
    assert out[-1].startswith("1 scenario linted under policy default: 1 error, 1 warning")


def test_lint_exits_0_with_only_warnings_and_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace("  notes:\n    - Half the requests failing is SEV-2.\n", "")
    path = write(tmp_path, text)
    assert main(["lint", "--seeds", "1", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == 0 and data["warnings"] == 1
    [report] = data["files"]
    assert report["warnings"][0]["check"] == "no-debrief-notes"
    assert report["warnings"][0]["line"] == line_of(text, "debrief:")


def test_lint_reports_an_unknown_id_and_a_bad_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "no-such-scenario"]) == 1
    assert "no scenario 'no-such-scenario' in the library" in capsys.readouterr().out
    assert main(["lint", "--policy", "nope", "api-outage"]) == 2


# --------------------------------------------------------------------------- the library


@pytest.fixture(scope="module")
def library_reports(policy) -> list[FileReport]:  # type: ignore[no-untyped-def]
    return [lint_file(str(p), policy) for p in library_paths()]


def test_the_library_lints_clean_under_the_default_policy(
    library_reports: list[FileReport],
) -> None:
    findings = [str(f) for r in library_reports for f in r.findings]
    assert findings == []


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_no_check_fires_on_the_library(check: str, library_reports: list[FileReport]) -> None:
    assert [str(f) for r in library_reports for f in r.findings if f.check == check] == []


def test_every_suppressed_finding_in_the_library_says_why(
    library_reports: list[FileReport],
) -> None:
    for report in library_reports:
        lines = Path(report.path).read_text(encoding="utf-8").splitlines()
        for f in report.suppressed:
            comment = next(
                line for line in (lines[f.line - 1], lines[f.line - 2]) if "lint-ignore" in line
            )
            reason = comment.split(f.check, 1)[1].strip(" -")
            assert len(reason) > 10, f"{f}: say why it is acknowledged"


def test_the_readme_example_scenario_lints_clean(tmp_path: Path, policy) -> None:  # type: ignore[no-untyped-def]
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Writing a scenario", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    report = lint_text(tmp_path, example, policy, seeds=(1, 2))
    assert report.scenario == "provider-deploys"
    assert [str(f) for f in report.findings] == []
