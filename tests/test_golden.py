"""Golden runs: each library scenario played with its expert action script gives a committed transcript.

The transcript is what `warroom run ID --actions scenarios/scripts/ID.expert.yaml --seed 1`
prints, followed by the count and SHA-256 of every event line (metric samples included), so a
change anywhere in the event stream shows up here. After an intended change, regenerate with
`WARROOM_UPDATE_GOLDEN=1 pytest tests/test_golden.py` and read the diff before committing.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

from assessments.policy import load_policy
from simulator.engine import Engine
from simulator.events import Event, dumps
from simulator.library import library_dir, library_paths, load_scenario, load_script
from simulator.runner import run, script_driver
from simulator.transcript import transcript

GOLDEN = Path(__file__).parent / "golden"
IDS = [p.stem for p in library_paths()]


def golden_run(scenario_id: str) -> str:
    loaded = load_scenario(scenario_id)
    script = load_script(library_dir() / "scripts" / f"{scenario_id}.expert.yaml")
    policy = load_policy("default")
    engine = Engine(loaded.scenario, seed=1, severity_levels=policy.level_names)
    events: list[Event] = []
    engine.subscribe(events.append)
    run(engine, script_driver(script))
    lines = [dumps(e) for e in events]
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return transcript(events, loaded.scenario.start) + f"# {len(lines)} events, sha256 {digest}\n"


def test_every_library_scenario_has_an_expert_script_and_a_golden_transcript() -> None:
    for scenario_id in IDS:
        assert (library_dir() / "scripts" / f"{scenario_id}.expert.yaml").is_file(), scenario_id
        assert (GOLDEN / f"{scenario_id}.expert.txt").is_file() or os.environ.get(
            "WARROOM_UPDATE_GOLDEN"
        )


@pytest.mark.parametrize("scenario_id", IDS)
def test_the_expert_script_replays_to_its_golden_transcript(scenario_id: str) -> None:
    got = golden_run(scenario_id)
    path = GOLDEN / f"{scenario_id}.expert.txt"
    if os.environ.get("WARROOM_UPDATE_GOLDEN"):
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")
    assert "IC ✗" not in got, "the expert script has a rejected action"
    if load_scenario(scenario_id).scenario.expected.declare:
        assert "END         resolved and postmortem scheduled" in got
    else:
        # Not an incident: the expert acknowledges and classifies, and never declares.
        assert "IC          classify" in got
        assert "IC          declare" not in got
        assert "IC          create channel" not in got
        assert re.search(r"END         (time is up|ended by the facilitator)", got)
