"""Action scripts are checked once, by one rule, whichever command reads them.

``warroom validate SCRIPT --scenario ID`` and ``warroom run ID --actions SCRIPT`` must refuse
the same scripts with the same ``PATH:LINE:COL: error:`` lines: a script that names an alert,
a diagnostic, a mitigation, a stakeholder or an escalation target the scenario does not have,
or a step after the scenario's end, is never played (its grade would say the trainee did not
do what the script meant to do). ``warroom join --actions`` checks a script that names its
scenario before it takes a seat.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.commands import ActionScript
from simulator.library import load_scenario, load_script
from simulator.yamlio import LoadError, load
from tui.cli.parser import main

BAD_STEPS = {
    "mitigation": (
        "{at: 3m, do: apply_mitigation, mitigation: reboot-the-world}",
        "actions[0].mitigation: unknown mitigation 'reboot-the-world'",
    ),
    "alert": (
        "{at: 1m, do: acknowledge, alert: NoSuchAlert}",
        "actions[0].alert: unknown alert 'NoSuchAlert'",
    ),
    "diagnostic": (
        "{at: 2m, do: delegate, diagnostic: check-nothing, responder: bob}",
        "actions[0].diagnostic: unknown diagnostic 'check-nothing'",
    ),
    "stakeholder": (
        "{at: 2m, do: notify, stakeholder: cfo}",
        "actions[0].stakeholder: no stakeholder 'cfo'",
    ),
    "escalation target": (
        "{at: 2m, do: escalate, to: VP Engineering}",
        "actions[0].to: 'VP Engineering' names no responder or escalation target",
    ),
    "step after the end": (
        "{at: 3h, do: note, text: too late}",
        "actions[0].at: is after the end of the scenario (api-outage lasts 1h30m)",
    ),
}


def _script(tmp_path: Path, step: str, *, scenario: str | None = None) -> Path:
    path = tmp_path / "script.yaml"
    head = f"scenario: {scenario}\n" if scenario else ""
    path.write_text(f"{head}actions:\n  - {step}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("what", sorted(BAD_STEPS))
def test_run_refuses_before_playing_every_script_validate_refuses_with_the_same_lines(
    what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    step, message = BAD_STEPS[what]
    script = _script(tmp_path, step)
    journal = tmp_path / "journal.jsonl"

    assert main(["validate", str(script), "--scenario", "api-outage"]) == 1
    validated = capsys.readouterr().out.splitlines()
    assert main(["run", "api-outage", "--actions", str(script), "--journal", str(journal)]) == 1
    ran = capsys.readouterr()

    assert ran.out == ""  # nothing played: no transcript, no grade
    assert not journal.exists()
    assert ran.err.splitlines() == validated
    assert validated[0].startswith(f"{script}:2:") and f"error: {message}" in validated[0]


def test_run_refuses_a_script_whose_scenario_key_names_a_scenario_that_does_not_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script(tmp_path, "{at: 1m, do: resolve}", scenario="./missing.yaml")
    assert main(["run", "api-outage", "--actions", str(script), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{script}:1:11: error: scenario: this script is for './missing.yaml', not "
        "'api-outage': play it with that scenario, or give 'api-outage' a script of its own"
    ]


def test_run_refuses_a_severity_the_policy_in_force_does_not_have_as_validate_policy_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script(tmp_path, "{at: 2m, do: classify, severity: P1}")
    assert main(["validate", str(script), "--policy", "default"]) == 1
    validated = capsys.readouterr().out.splitlines()
    assert main(["run", "api-outage", "--actions", str(script), "--quiet"]) == 1
    assert capsys.readouterr().err.splitlines() == validated
    assert validated == [
        f"{script}:2:38: error: actions[0].severity: 'P1' is not a level of the default policy "
        "(SEV-1, SEV-2, SEV-3, SEV-4); a script is a play under one policy"
    ]


def test_a_script_checked_against_its_scenario_loads_when_every_reference_is_known(
    tmp_path: Path,
) -> None:
    script = _script(tmp_path, "{at: 1m, do: acknowledge, alert: APIErrorRateHigh}")
    loaded = load_scenario("api-outage")
    assert [a.action.do for a in load_script(script, loaded).actions] == ["acknowledge"]
    with pytest.raises(LoadError):
        load_script(_script(tmp_path, BAD_STEPS["alert"][0]), loaded)


def test_join_refuses_a_script_with_a_bad_reference_before_it_takes_a_seat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    step, message = BAD_STEPS["mitigation"]
    script = _script(tmp_path, step, scenario="api-outage")
    argv = ["join", "127.0.0.1:9", "--code", "ABCD", "--actions", str(script)]
    assert main([*argv, "--plaintext-for-tests"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{script}:3:48: error: {message}"]  # no attempt to reach the host


def test_a_step_without_at_says_at_is_required_where_the_step_is(tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text("actions:\n  - {do: acknowledge, alert: APIErrorRateHigh}\n")
    with pytest.raises(LoadError) as raised:
        load(script, ActionScript)
    assert [str(p) for p in raised.value.problems] == [
        f"{script}:2:5: error: actions[0]: missing required field 'at'"
    ]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("{at: .nan, do: resolve}", "actions[0].at: a duration must be a finite number, not NaN"),
        ("{at: .inf, do: resolve}", "actions[0].at: a duration must be at most"),
    ],
)
def test_a_non_finite_time_in_a_script_is_a_located_error(
    step: str, message: str, tmp_path: Path
) -> None:
    script = _script(tmp_path, step)
    with pytest.raises(LoadError) as raised:
        load(script, ActionScript)
    assert str(raised.value.problems[0]).startswith(f"{script}:2:10: error: ")
    assert message in str(raised.value.problems[0])


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_a_facilitator_command_refuses_a_non_finite_number(value: str) -> None:
    from pydantic import ValidationError

    from simulator.commands import parse_command

    with pytest.raises(ValidationError, match="finite number"):
        parse_command({"do": "set_pace", "speed": float(value.replace(".", "", 1))})
    with pytest.raises(ValidationError, match="finite number"):
        parse_command(json.loads('{"do": "jump_ahead", "seconds": NaN}'))
