"""Every library scenario under every packaged policy: the expert's action script passes, the novice fails.

An expert script is written for one policy: `scenarios/scripts/ID.expert.yaml` plays the default
policy, `scenarios/scripts/ID.expert.POLICY.yaml` plays POLICY where the play differs (its levels,
deadlines, escalations, cadence, stability window). A policy without its own script falls back to
the default script, which must then pass under it too. Runs are headless, in virtual time.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from assessments.assessor import Assessment, grade
from assessments.autoplay import autopilot, headless_engine, play_to_end
from assessments.policy import Policy, list_policies, load_policy
from reports.text import render_table
from simulator import events as ev
from simulator.library import library_dir, library_paths, load_scenario, load_script
from simulator.runner import script_driver

SCRIPTS = library_dir() / "scripts"
IDS = [p.stem for p in library_paths()]
POLICIES = list_policies()


def expert_script(scenario_id: str, policy_id: str) -> Path:
    """The expert script for ``scenario_id`` under ``policy_id``: its own, else the default's."""
    own = SCRIPTS / f"{scenario_id}.expert.{policy_id}.yaml"
    return own if own.is_file() else SCRIPTS / f"{scenario_id}.expert.yaml"


@cache
def _policy(policy_id: str) -> Policy:
    return load_policy(policy_id)


def _play_script(
    scenario_id: str, policy: Policy, script: Path
) -> tuple[Assessment, list[ev.ActionRejected]]:
    scenario = load_scenario(scenario_id).scenario
    engine = headless_engine(scenario, policy, seed=1, trainee="script")
    events = play_to_end(engine, script_driver(load_script(script)))
    rejected = [e for e in events if isinstance(e, ev.ActionRejected)]
    return grade(events, scenario=scenario, policy=policy, trainee="script", seed=1), rejected


def _grade_novice(scenario_id: str, policy: Policy) -> Assessment:
    scenario = load_scenario(scenario_id).scenario
    engine = headless_engine(scenario, policy, seed=1, trainee="novice")
    driver = autopilot("novice", scenario, policy, seed=1)
    events = play_to_end(engine, driver)
    return grade(events, scenario=scenario, policy=policy, trainee="novice", seed=1)


def test_the_packaged_policies_are_the_three_the_library_is_played_under() -> None:
    assert set(POLICIES) >= {"default", "agentos", "nexus"}


def test_every_policy_script_belongs_to_a_library_scenario_and_a_packaged_policy() -> None:
    for path in sorted(SCRIPTS.glob("*.expert.*.yaml")):
        scenario_id, _, policy_id = path.name.removesuffix(".yaml").partition(".expert.")
        assert scenario_id in IDS, path.name
        assert policy_id in POLICIES and policy_id != "default", path.name


@pytest.mark.parametrize("policy_id", POLICIES)
@pytest.mark.parametrize("scenario_id", IDS)
def test_the_expert_script_passes_and_the_novice_fails(scenario_id: str, policy_id: str) -> None:
    policy = _policy(policy_id)
    script = expert_script(scenario_id, policy_id)
    expert, rejected = _play_script(scenario_id, policy, script)
    assert expert.passed and expert.failed() == [], (script.name, render_table(expert))
    assert rejected == [], f"{script.name}: a plausible play has no rejected action"
    novice = _grade_novice(scenario_id, policy)
    assert not novice.passed, (scenario_id, policy_id, render_table(novice))


@pytest.mark.parametrize(
    ("scenario_id", "policy_id"),
    [("api-outage", "nexus"), ("chain-halted", "agentos"), ("not-an-incident", "agentos")],
)
def test_warroom_run_takes_a_policy_script_and_expects_a_pass(
    scenario_id: str, policy_id: str
) -> None:
    script = expert_script(scenario_id, policy_id)
    assert script.name == f"{scenario_id}.expert.{policy_id}.yaml"
    argv = [sys.executable, "-m", "tui.cli", "run", scenario_id, "--actions", str(script)]
    argv += ["--policy", policy_id, "--expect", "pass", "--quiet"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
