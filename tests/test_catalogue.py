"""The lobby's catalogue: the library's ids, titles and severities without validating every file."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.catalogue import catalogue
from simulator.library import library


def test_the_catalogue_lists_what_the_library_loads_with_the_same_facts() -> None:
    fast = {e.id: e for e in catalogue()}
    for item in library():
        s = item.scenario
        e = fast[s.id]
        assert (e.title, e.difficulty, e.duration) == (s.title, s.difficulty, s.duration)
        assert (e.severity, e.declare, dict(e.overrides)) == (
            s.expected.severity,
            s.expected.declare,
            dict(s.expected.overrides),
        )
        assert e.objectives == tuple(s.objectives)


def test_a_cache_is_written_reused_and_a_corrupt_one_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "catalogue.json"
    first = catalogue(cache)
    assert json.loads(cache.read_text())["version"] == 1
    assert catalogue(cache) == first
    cache.write_text('{"version": 1, "entries": {"x": [[[]]]}}')
    assert catalogue(cache) == first
    cache.write_text("[]" * 10)
    assert catalogue(cache) == first
