"""The library as the lobby lists it: each scenario's id, title, difficulty, expected severity,
duration, summary and objectives, without validating every file before the first frame.

``catalogue`` reads each library file with libyaml (no line tracking, no pydantic) and keeps the
entries in a cache file keyed by each file's path, size and modification time. The full scenario
is loaded and validated (``simulator.library.load_scenario``) when it is started. This module
must not run scenarios, know about policies or the screen, or trust its cache file: a missing,
corrupt or foreign cache is ignored and rewritten.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simulator.library import library_paths

CATALOGUE_VERSION = 1
"""Bumped when ``CatalogueEntry`` changes, so an older cache file is read as empty."""

MAX_CACHE_BYTES = 1024 * 1024
"""A scenario or cache file larger than this is not read here."""


@dataclass(frozen=True)
class CatalogueEntry:
    """What the lobby shows of one library scenario, read from its YAML without validating.

    The full scenario is loaded (and validated) when it is started; a file that reads here but
    does not validate is refused then, with ``warroom validate``'s message.
    """

    id: str
    title: str
    difficulty: str
    severity: str
    """The expected severity class (``high`` …), before any policy maps it to a level."""
    declare: bool
    """Whether the scenario is an incident to declare at all."""
    duration: float
    """Seconds."""
    summary: str
    source: str
    objectives: tuple[str, ...]
    spec: str
    """What to start it by (its path)."""
    overrides: Mapping[str, str] = field(default_factory=dict)
    """Per-policy levels the scenario states outright."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the catalogue cache)."""
        return {
            "id": self.id,
            "title": self.title,
            "difficulty": self.difficulty,
            "severity": self.severity,
            "declare": self.declare,
            "duration": self.duration,
            "summary": self.summary,
            "source": self.source,
            "objectives": list(self.objectives),
            "spec": self.spec,
            "overrides": dict(self.overrides),
        }


def catalogue(cache: Path | None = None) -> list[CatalogueEntry]:
    """The library as the lobby lists it, in a fraction of ``library()``'s time.

    libyaml reads each file (no line tracking, no pydantic), where validating the whole library
    costs a quarter of a second before the lobby's first frame. With ``cache`` (a JSON file),
    entries are kept by each file's path, size and modification time, so an unchanged library
    is read from one small file; a missing, corrupt or foreign cache is ignored and rewritten.
    A scenario file that is not a regular file, is over the size limit, or lacks a field is
    left out, as ``library()`` leaves out what does not load.
    """
    import yaml

    known = _read_cache(cache)
    out: list[CatalogueEntry] = []
    fresh: dict[str, dict[str, object]] = {}
    for p in library_paths():
        try:
            info = p.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
                continue
            key = f"{p}|{info.st_size}|{info.st_mode}|{info.st_mtime_ns}"
            raw = known.get(key)
            entry = _entry(raw) if raw is not None else None
            if entry is None:
                entry = _read_entry(p)
            out.append(entry)
            fresh[key] = entry.to_dict()
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError):
            continue
    if cache is not None and fresh != known:
        _write_cache(cache, fresh)
    return out


def _read_entry(p: Path) -> CatalogueEntry:
    import yaml

    from simulator.durations import parse_duration

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(p.read_bytes(), Loader=loader)
    expected = data["expected"]
    return CatalogueEntry(
        id=str(data["id"]),
        title=str(data["title"]),
        difficulty=str(data["difficulty"]),
        severity=str(expected["severity"]),
        declare=bool(expected.get("declare", True)),
        duration=parse_duration(data["duration"]),
        summary=str(data.get("summary", "")),
        source=str(data.get("source", "")),
        objectives=tuple(str(o) for o in data.get("objectives", ())),
        spec=str(p),
        overrides={str(k): str(v) for k, v in (expected.get("overrides") or {}).items()},
    )


def _entry(raw: object) -> CatalogueEntry | None:
    """A cached entry, or ``None`` when it is not one (the file is then read again)."""
    if not isinstance(raw, dict):
        return None
    try:
        objectives = raw["objectives"]
        overrides = raw["overrides"]
        if not isinstance(objectives, list) or not isinstance(overrides, dict):
            return None
        entry = CatalogueEntry(
            id=raw["id"],
            title=raw["title"],
            difficulty=raw["difficulty"],
            severity=raw["severity"],
            declare=raw["declare"],
            duration=float(raw["duration"]),
            summary=raw["summary"],
            source=raw["source"],
            objectives=tuple(objectives),
            spec=raw["spec"],
            overrides=dict(overrides),
        )
    except (KeyError, TypeError, ValueError):
        return None
    texts = [entry.id, entry.title, entry.difficulty, entry.severity, entry.summary]
    texts += [
        entry.source,
        entry.spec,
        *entry.objectives,
        *entry.overrides,
        *entry.overrides.values(),
    ]
    if not all(isinstance(t, str) for t in texts) or not isinstance(entry.declare, bool):
        return None
    return entry


def _read_cache(cache: Path | None) -> dict[str, dict[str, object]]:
    if cache is None:
        return {}
    try:
        info = cache.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
            return {}
        data = json.loads(cache.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CATALOGUE_VERSION:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_cache(cache: Path, entries: dict[str, dict[str, object]]) -> None:
    """Best effort: a cache that cannot be written only costs the next start its speed."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        part = cache.with_name(cache.name + ".part")
        part.write_text(json.dumps({"version": CATALOGUE_VERSION, "entries": entries}))
        part.replace(cache)
    except OSError:
        pass
