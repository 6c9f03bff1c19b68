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
from simulator.yamlio import LoadError, load


def _script(tmp_path: Path, step: str, *, scenario: str | None = None) -> Path:
    path = tmp_path / "script.yaml"
    head = f"scenario: {scenario}\n" if scenario else ""
    path.write_text(f"{head}actions:\n  - {step}\n", encoding="utf-8")
    return path


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
