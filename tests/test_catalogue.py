"""The library's catalogue: what the lobby and ``warroom list`` show, kept in one cache file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assessments.policy import PACKAGED, load_policy
from simulator.library import library, library_paths
from tui.cli.listing import library_rows
from tui.headless.catalogue import (
    CATALOGUE_VERSION,
    cache_file,
    cached_level,
    catalogue,
    fingerprint,
    severity_text,
)


def test_the_catalogue_lists_what_the_library_loads_with_the_same_facts(tmp_path: Path) -> None:
    cache = tmp_path / "catalogue.json"
    catalogue(cache=cache)
    fast = {e.id: e for e in catalogue(cache=cache).entries}  # read back from the cache
    assert len(fast) == len(library_paths())
    for item in library():
        s = item.scenario
        e = fast[s.id]
        assert (e.title, e.difficulty, e.duration) == (s.title, s.difficulty, s.duration)
        assert (e.severity, e.declare, dict(e.overrides)) == (
            s.expected.severity,
            s.expected.declare,
            dict(s.expected.overrides),
        )
        assert e.objectives == tuple(s.objectives) and e.summary == s.summary
        for name in PACKAGED:
            level = load_policy(name).level_for(s.expected.severity, s.expected.overrides)
            assert cached_level(e, name) == level.name


def test_a_cache_is_written_reused_and_a_corrupt_one_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "catalogue.json"
    first = catalogue(cache=cache)
    data = json.loads(cache.read_text())
    assert data["version"] == CATALOGUE_VERSION and data["key"] == fingerprint(library_paths())
    assert catalogue(cache=cache) == first
    data["entries"][0] = [[[]]]
    cache.write_text(json.dumps(data))
    assert catalogue(cache=cache) == first
    cache.write_text("[]" * 10)
    assert catalogue(cache=cache) == first
    assert json.loads(cache.read_text())["key"] == data["key"]


def test_a_policy_file_in_the_working_directory_is_read_not_the_cached_levels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = catalogue(cache=tmp_path / "catalogue.json").entries[0]
    assert cached_level(entry, "default") is not None
    monkeypatch.chdir(tmp_path)
    (tmp_path / "default").write_text("not the packaged policy")
    assert cached_level(entry, "default") is None


def test_the_lobby_imports_no_model_yaml_or_engine_while_the_cache_is_current(
    tmp_path: Path,
) -> None:
    code = (
        "import sys\nfrom tui.app import make_app\n"
        "from tui.screens.lobby import LobbyDefaults, LobbyScreen\n"
        "LobbyScreen(LobbyDefaults())\n"
        "print('', sorted(m for m in ('pydantic', 'yaml', 'simpy', 'jinja2') if m in sys.modules))"
    )
    env = {**os.environ, "WARROOM_CACHE": str(tmp_path)}

    def loaded() -> str:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        return out.stdout.splitlines()[-1].strip()

    assert loaded() != "[]"  # a cold cache: every scenario is loaded and checked
    assert loaded() == "[]"


def test_warroom_list_and_the_lobby_read_one_cache_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_CACHE", str(tmp_path))
    rows, problems = library_rows()  # warroom list, with a cold cache
    assert problems == [] and cache_file() == tmp_path / "catalogue.json"
    # One catalogue file; ``models`` holds each file validated (``simulator.modelcache``).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue.json", "models"]

    def no_loading(spec: str) -> None:
        raise AssertionError(f"{spec} loaded again although nothing changed")

    monkeypatch.setattr("simulator.library.load_scenario", no_loading)
    lobby = catalogue(cache=cache_file())  # what the lobby reads
    assert [e.id for e in lobby.entries] == [r[0] for r in rows]
    assert [severity_text(e, e.levels["default"]) for e in lobby.entries] == [r[3] for r in rows]
