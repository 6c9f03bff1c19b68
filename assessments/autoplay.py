"""Headless plays under the policy in force: the engine, the autopilot and the play itself.

``warroom run`` and ``warroom lint`` (and the tests and benches) play scenarios without a
screen the same way: an engine that knows the policy's severity levels, a driver (an action
script, or an autopilot that follows the playbook of the level the scenario calls for under
the policy), and ``simulator.runner.run`` to the end, keeping every event. This module must
not grade, write files or print.
"""

from __future__ import annotations

from assessments.policy import Policy
from simulator import events as ev
from simulator.autopilot import Autopilot, Profile
from simulator.engine import Engine
from simulator.model import Scenario
from simulator.runner import Driver, run

__all__ = ["autopilot", "headless_engine", "play_to_end"]


def headless_engine(scenario: Scenario, policy: Policy, *, seed: int, trainee: str) -> Engine:
    """An engine for ``scenario`` that accepts the severity levels of ``policy``."""
    return Engine(scenario, seed=seed, severity_levels=policy.level_names, trainee=trainee)


def autopilot(profile: Profile, scenario: Scenario, policy: Policy, *, seed: int) -> Autopilot:
    """An autopilot trainee playing ``scenario`` by the playbook of the level it calls for."""
    level = policy.level_for(scenario.expected.severity, scenario.expected.overrides)
    return Autopilot(profile, scenario, policy.playbook(level.name), seed=seed)


def play_to_end(engine: Engine, driver: Driver) -> list[ev.Event]:
    """Play ``engine``'s scenario to its end with ``driver`` acting; every event, in order.

    Subscribe anything else (a journal writer, a transcript printer) before calling.
    """
    events: list[ev.Event] = []
    engine.subscribe(events.append)
    run(engine, driver)
    return events
