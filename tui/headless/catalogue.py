"""The scenario library as the lobby and ``warroom list`` show it, kept in one cache file.

Each library scenario's id, title, difficulty, expected severity class (and the level each
packaged policy gives it), duration, summary, source and objectives. Finding them means loading
and validating every scenario and the packaged policies (pydantic, the models: about a second),
so ``catalogue`` keeps them in one file (``catalogue.json`` in ``$WARROOM_CACHE``, else the
user's cache folder) under one key: a SHA-256 over the bytes of every library file, of every
module and policy file of ``simulator`` and ``assessments`` (the loader, the models, the checks,
the policies) and of this module. When the key matches, the entries are read back and nothing
else is imported; when anything changed, every scenario is loaded and checked again. A library
file that does not load is reported, never listed, and nothing is cached while one is broken
(nor while a file named like a packaged policy in the working directory stands in for it, as
``load_policy`` would read that file).

This module must not import Textual or Rich, nor anything beyond the standard library,
``platformdirs`` and ``simulator.modelcache`` (the cache folder, the code's fingerprint) until
the cache is found stale; it must not trust its cache file: a missing,
corrupt, oversized or foreign one is ignored and rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.modelcache import cache_dir, code_fingerprint, read_cache_file

if TYPE_CHECKING:
    from simulator.yamlio import LoadError

CATALOGUE_VERSION = 2
"""Bumped when the cache file's shape changes, so an older one is read as stale."""

CACHE_NAME = "catalogue.json"
"""The cache file's name, in ``cache_dir()``."""

MAX_CACHE_BYTES = 1024 * 1024
"""A cache file larger than this is not read (fifteen scenarios take about 30 KiB)."""


@dataclass(frozen=True)
class CatalogueEntry:
    """What the lobby and ``warroom list`` show of one library scenario (it validated)."""

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
    levels: Mapping[str, str] = field(default_factory=dict)
    """Packaged policy name → the level it gives this scenario (``level_for``)."""


@dataclass(frozen=True)
class Catalogue:
    """The library's entries, in file order, and the problems of the files that do not load."""

    entries: tuple[CatalogueEntry, ...]
    problems: tuple[LoadError, ...]
    policies: tuple[str, ...]
    """The packaged policies' names (``assessments.policy.PACKAGED``)."""


def cache_file() -> Path:
    """The catalogue's cache file."""
    return cache_dir() / CACHE_NAME


def catalogue(paths: Sequence[Path] | None = None, *, cache: Path | None = None) -> Catalogue:
    """The library (``paths``, default every library file) as the lobby and the list show it.

    Args:
        paths: The scenario files (default: the library).
        cache: Where the entries are kept between runs (``None``: not kept).
    """
    from simulator.library import library_paths

    files = list(paths) if paths is not None else library_paths()
    key = fingerprint(files) if cache is not None else ""
    if cache is not None:
        found = _read_cache(cache, key, files)
        if found is not None:
            return found
    found, complete = _load(files)
    if cache is not None and complete and not found.problems:
        _write_cache(cache, key, found)
    return found


def cached_level(entry: CatalogueEntry, policy: str) -> str | None:
    """The level ``policy`` gives ``entry`` when it is a packaged policy's name and nothing in
    the working directory stands in for it; ``None`` when the policy must be loaded to tell."""
    if policy in entry.levels and not Path(policy).exists():
        return entry.levels[policy]
    return None


def severity_text(entry: CatalogueEntry, level: str) -> str:
    """``SEV-2 (high)``, or ``not an incident (SEV-4)`` for a scenario not to declare."""
    return f"{level} ({entry.severity})" if entry.declare else f"not an incident ({level})"


def fingerprint(files: Iterable[Path]) -> str:
    """A SHA-256 over ``files``, this module and every source that decides their entries (the
    code of ``simulator`` and ``assessments`` and the packaged policies: ``code_fingerprint``)."""
    import assessments  # noqa: F401 - its sources are fingerprinted

    digest = hashlib.sha256(f"warroom catalogue {CATALOGUE_VERSION}\n".encode())
    digest.update(f"{code_fingerprint('assessments')}\n".encode())
    for path in [Path(__file__), *files]:
        data = path.read_bytes()
        digest.update(f"{path.name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _load(files: Sequence[Path]) -> tuple[Catalogue, bool]:
    """Every file loaded and validated; whether every packaged policy's levels are in it."""
    from assessments.policy import PACKAGED, load_policy
    from simulator.library import load_scenario
    from simulator.yamlio import LoadError

    policies = {name: load_policy(name) for name in PACKAGED if not Path(name).exists()}
    entries: list[CatalogueEntry] = []
    problems: list[LoadError] = []
    for path in files:
        try:
            s = load_scenario(str(path)).scenario
        except LoadError as exc:
            problems.append(exc)
            continue
        expected = s.expected
        entries.append(
            CatalogueEntry(
                id=s.id,
                title=s.title,
                difficulty=s.difficulty,
                severity=expected.severity,
                declare=expected.declare,
                duration=s.duration,
                summary=s.summary,
                source=s.source,
                objectives=tuple(s.objectives),
                spec=str(path),
                overrides=dict(expected.overrides),
                levels={
                    name: p.level_for(expected.severity, expected.overrides).name
                    for name, p in policies.items()
                    if p.id == name  # the lobby names a cached level's policy by its name
                },
            )
        )
    return Catalogue(tuple(entries), tuple(problems), PACKAGED), len(policies) == len(PACKAGED)


def _to_json(entry: CatalogueEntry) -> dict[str, object]:
    return {
        "file": Path(entry.spec).name,
        "id": entry.id,
        "title": entry.title,
        "difficulty": entry.difficulty,
        "severity": entry.severity,
        "declare": entry.declare,
        "duration": entry.duration,
        "summary": entry.summary,
        "source": entry.source,
        "objectives": list(entry.objectives),
        "overrides": dict(entry.overrides),
        "levels": dict(entry.levels),
    }


def _from_json(raw: object, path: Path) -> CatalogueEntry | None:
    """A cached entry for ``path``, or ``None`` when it is not one."""
    if not isinstance(raw, dict) or raw.get("file") != path.name:
        return None
    texts = [raw.get(k) for k in ("id", "title", "difficulty", "severity", "summary", "source")]
    objectives, overrides, levels = raw.get("objectives"), raw.get("overrides"), raw.get("levels")
    duration, declare = raw.get("duration"), raw.get("declare")
    if not (
        all(isinstance(t, str) for t in texts)
        and isinstance(objectives, list)
        and all(isinstance(o, str) for o in objectives)
        and isinstance(overrides, dict)
        and isinstance(levels, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in overrides.items())
        and all(isinstance(k, str) and isinstance(v, str) for k, v in levels.items())
        and isinstance(duration, int | float)
        and not isinstance(duration, bool)
        and isinstance(declare, bool)
    ):
        return None
    return CatalogueEntry(
        id=str(texts[0]),
        title=str(texts[1]),
        difficulty=str(texts[2]),
        severity=str(texts[3]),
        declare=declare,
        duration=float(duration),
        summary=str(texts[4]),
        source=str(texts[5]),
        objectives=tuple(objectives),
        spec=str(path),
        overrides=dict(overrides),
        levels=dict(levels),
    )


def _read_cache(path: Path, key: str, files: Sequence[Path]) -> Catalogue | None:
    """The cached catalogue when ``path`` is a small regular file of this user's holding one for
    ``files`` under ``key``."""
    raw = read_cache_file(path, MAX_CACHE_BYTES)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("version") != CATALOGUE_VERSION:
        return None
    raw_entries, policies = data.get("entries"), data.get("policies")
    if (
        data.get("key") != key
        or not isinstance(raw_entries, list)
        or len(raw_entries) != len(files)
    ):
        return None
    if not isinstance(policies, list) or not all(isinstance(p, str) for p in policies):
        return None
    entries = [_from_json(raw, p) for raw, p in zip(raw_entries, files, strict=True)]
    if any(e is None for e in entries):
        return None
    return Catalogue(tuple(e for e in entries if e is not None), (), tuple(policies))


def _write_cache(path: Path, key: str, found: Catalogue) -> None:
    """Keep ``found`` under ``key``; a cache that cannot be written only costs the next start
    its speed."""
    import tempfile

    text = json.dumps(
        {
            "version": CATALOGUE_VERSION,
            "key": key,
            "policies": list(found.policies),
            "entries": [_to_json(e) for e in found.entries],
        },
        ensure_ascii=False,
    )
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".catalogue-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
