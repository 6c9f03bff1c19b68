"""Shared test helpers: tiny scenarios built in code, an event recorder, the test tiers, and
the records backends (an SQLite file, a throwaway PostgreSQL server).

Every test gets one tier marker from where it lives (``pytest -m unit`` runs the fast tier
alone): ``snapshot`` for the SVG snapshot tests (those that use ``snap_compare``), ``pilot``
for the other tests under ``tests/tui``, ``unit`` for everything else. ``slow`` is set by hand
on the whole play-throughs.
"""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.engine import Engine
from simulator.events import Event
from simulator.model import Scenario
from tests.postgres import Cluster, Unavailable, start_cluster

LEVELS = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")

TUI_TESTS = Path(__file__).parent / "tui"


@pytest.fixture(scope="session", autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The suite's caches (the catalogue, validated models) go in a folder of its own, never in
    the user's cache folder; a test that sets ``WARROOM_CACHE`` itself still wins."""
    if os.environ.get("WARROOM_CACHE"):
        yield
        return
    os.environ["WARROOM_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    try:
        yield
    finally:
        os.environ.pop("WARROOM_CACHE", None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier: ``snapshot``, ``pilot`` or ``unit``."""
    for item in items:
        if "snap_compare" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.snapshot)
        elif TUI_TESTS in item.path.parents:
            item.add_marker(pytest.mark.pilot)
        else:
            item.add_marker(pytest.mark.unit)


BASE: dict[str, Any] = {
    "id": "tiny",
    "title": "Tiny incident",
    "summary": "A small scenario for tests.",
    "difficulty": "beginner",
    "objectives": ["Test the engine"],
    "start": "2026-01-30T14:00:00Z",
    "duration": "30m",
    "sample_every": "5s",
    "expected": {"severity": "high", "rationale": "Tests."},
    "services": [
        {
            "id": "api",
            "name": "API",
            "metrics": [
                {
                    "id": "error_rate",
                    "name": "Error rate",
                    "unit": "%",
                    "baseline": 1.0,
                    "max": 100,
                },
            ],
        }
    ],
    "faults": [
        {
            "id": "broken",
            "title": "Something broke",
            "root_cause": True,
            "at": "1m",
            "effects": [{"metric": "api.error_rate", "to": 50}],
        }
    ],
    "alerts": [
        {
            "id": "ErrorsHigh",
            "metric": "api.error_rate",
            "op": ">",
            "threshold": 10,
            "for": "30s",
            "summary": "errors at {value:.0f}%",
        }
    ],
    "debrief": {"root_cause": "It broke.", "resolution": "Fixed it."},
}


def scenario(**changes: Any) -> Scenario:
    """The base scenario with top-level keys replaced (``None`` removes a key)."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    s = Scenario.model_validate(data)
    problems = s.check_references()
    assert not problems, problems
    return s


class Recorder:
    """Collects events from an engine."""

    def __init__(self, engine: Engine) -> None:
        self.events: list[Event] = []
        engine.subscribe(self.events.append)

    def kinds(self, *exclude: str) -> list[str]:
        return [e.kind for e in self.events if e.kind not in exclude]

    def of(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.kind == kind]

    def first(self, kind: str) -> Any:
        found = self.of(kind)
        assert found, f"no {kind} event"
        return found[0]


def make(s: Scenario | None = None, seed: int = 1) -> tuple[Engine, Recorder]:
    engine = Engine(s or scenario(), seed=seed, severity_levels=LEVELS)
    return engine, Recorder(engine)


@pytest.fixture
def tiny() -> Scenario:
    return scenario()


# --------------------------------------------------------------------------- records backends


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for the session (``tests/postgres.py``).

    Without one the PostgreSQL tests skip, saying why; under ``CI=true`` they fail instead, so
    CI can never silently not test PostgreSQL.
    """
    try:
        cluster = start_cluster()
    except Unavailable as exc:
        reason = str(exc)
    else:
        reason = ""
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}", pytrace=False)
    if reason:
        pytest.skip(f"no PostgreSQL server for the tests: {reason}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgresql_url(postgresql_server: Cluster) -> Iterator[str]:
    """A new, empty schema on the session's server (its own ``search_path``), dropped after
    the test: to warroom, an empty database (a schema costs a millisecond, a database 0.3 s)."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgresql_server.url(), autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {name}")
    yield f"{postgresql_server.url()}&options=-csearch_path%3D{name}"
    with psycopg.connect(postgresql_server.url(), autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def records_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's records are: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "records.db")
    url: str = request.getfixturevalue("postgresql_url")
    return url
