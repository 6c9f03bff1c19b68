"""The rows of ``warroom list``, from the library's catalogue (``tui.headless.catalogue``).

Listing the library needs each scenario's id, title, difficulty, expected severity under the
default policy and duration: the catalogue keeps them, with the lobby's, in one cache file under
one rule (see that module). A library file that does not load is reported, never listed.

This module must not import Textual or Rich, nor anything beyond the standard library and
``platformdirs`` while the catalogue's cache is current.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assessments.policy import Policy
    from simulator.yamlio import LoadError

Row = tuple[str, str, str, str, str]
"""One scenario: id, title, difficulty, severity (under the default policy), duration."""

HEADING: Row = ("ID", "TITLE", "DIFFICULTY", "SEVERITY", "DURATION")

POLICY = "default"
"""The policy whose levels the severity column shows."""


def library_rows(
    paths: Sequence[Path] | None = None, *, cache_file: Path | None = None
) -> tuple[list[Row], list[LoadError]]:
    """The rows of the library (``paths``, default every library file), in order, and the
    problems of the files that do not load.

    Args:
        paths: The scenario files to list (default: the library).
        cache_file: Where the catalogue is kept (default: ``catalogue.cache_file()``).
    """
    from simulator.durations import format_duration
    from tui.headless import catalogue as cat

    found = cat.catalogue(paths, cache=cache_file if cache_file is not None else cat.cache_file())
    policy: Policy | None = None
    rows: list[Row] = []
    for e in found.entries:
        level = cat.cached_level(e, POLICY)
        if level is None:
            from assessments.policy import load_policy

            policy = policy or load_policy(POLICY)
            level = policy.level_for(e.severity, e.overrides).name
        sev = cat.severity_text(e, level)
        rows.append((e.id, e.title, e.difficulty, sev, format_duration(e.duration)))
    return rows, list(found.problems)
