"""The rows of ``warroom list``, cached by the content of everything that decides them.

Listing the library needs each scenario's id, title, difficulty, expected severity under the
default policy and duration; finding them by loading and validating every scenario costs about a
second (pydantic, the models, fifteen files). The rows are therefore kept in the user's cache
directory under one key: a SHA-256 over the bytes of every library file, of every module and
policy file of ``simulator`` and ``assessments`` (the loader, the models, the checks, the
policies) and of this module. When the key matches, the rows are read back and nothing else is
imported; when anything changed, every scenario is loaded and checked again. A library file that
does not load is reported, never listed, and the rows are not cached while one is broken (nor
while a file named ``default`` in the working directory stands in for the packaged policy).

This module must not import Textual or Rich, nor anything beyond the standard library and
``platformdirs`` until the cache is found stale.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.yamlio import LoadError

Row = tuple[str, str, str, str, str]
"""One scenario: id, title, difficulty, severity (under the default policy), duration."""

HEADING: Row = ("ID", "TITLE", "DIFFICULTY", "SEVERITY", "DURATION")

POLICY = "default"
"""The policy whose levels the severity column shows."""

CACHE_NAME = "list.json"
"""The cache file, in ``platformdirs.user_cache_dir("warroom")``."""

MAX_CACHE_BYTES = 1024 * 1024
"""A cache file larger than this is not read (fifteen rows take about 2 KiB)."""

_FORMAT = 1
"""Bumped when the cache file's shape changes."""


def library_rows(
    paths: Sequence[Path] | None = None, *, cache_file: Path | None = None
) -> tuple[list[Row], list[LoadError]]:
    """The rows of the library (``paths``, default every library file), in order, and the
    problems of the files that do not load.

    Args:
        paths: The scenario files to list (default: the library).
        cache_file: Where the rows are kept (default: ``list.json`` in the user cache dir).
    """
    from simulator.library import library_paths

    files = list(paths) if paths is not None else library_paths()
    if Path(POLICY).exists():  # load_policy reads a file of that name in the working directory
        return _load_rows(files)
    cache = cache_file if cache_file is not None else _default_cache_file()
    key = fingerprint(files)
    rows = _read_cache(cache, key)
    if rows is not None:
        return rows, []
    rows, problems = _load_rows(files)
    if not problems:
        _write_cache(cache, key, rows)
    return rows, problems


def fingerprint(files: Iterable[Path]) -> str:
    """A SHA-256 over ``files`` and every source that decides their rows (names and bytes)."""
    import assessments
    import simulator

    digest = hashlib.sha256(f"warroom list {_FORMAT}\n".encode())
    sources: list[Path] = [Path(__file__)]
    for package in (simulator, assessments):
        root = Path(str(package.__file__)).parent
        sources += sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml"))
    for path in [*files, *sources]:
        data = path.read_bytes()
        digest.update(f"{path.name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _load_rows(files: Sequence[Path]) -> tuple[list[Row], list[LoadError]]:
    from assessments.policy import load_policy
    from simulator.durations import format_duration
    from simulator.library import load_scenario
    from simulator.yamlio import LoadError

    policy = load_policy(POLICY)
    rows: list[Row] = []
    problems: list[LoadError] = []
    for path in files:
        try:
            s = load_scenario(str(path)).scenario
        except LoadError as exc:
            problems.append(exc)
            continue
        level = policy.level_for(s.expected.severity, s.expected.overrides).name
        sev = (
            f"{level} ({s.expected.severity})"
            if s.expected.declare
            else f"not an incident ({level})"
        )
        rows.append((s.id, s.title, s.difficulty, sev, format_duration(s.duration)))
    return rows, problems


def _default_cache_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("warroom")) / CACHE_NAME


def _read_cache(path: Path, key: str) -> list[Row] | None:
    """The cached rows when ``path`` is a small regular file holding them under ``key``."""
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if not (stat.S_ISREG(st.st_mode) and st.st_size <= MAX_CACHE_BYTES):
                return None
            data = json.loads(f.read(MAX_CACHE_BYTES + 1))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    rows = data.get("rows")
    if not isinstance(rows, list):
        return None
    out: list[Row] = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 5 and all(isinstance(c, str) for c in row)):
            return None
        out.append((row[0], row[1], row[2], row[3], row[4]))
    return out


def _write_cache(path: Path, key: str, rows: list[Row]) -> None:
    """Keep ``rows`` under ``key``; a cache that cannot be written is simply not kept."""
    import tempfile

    text = json.dumps({"key": key, "rows": rows}, ensure_ascii=False)
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".list-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
