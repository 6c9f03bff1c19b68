"""Upgrading scenario files to the current format, as text, keeping every comment and layout.

Format 2 only adds to format 1 (preconditions, findings, conditional consequences, new condition
predicates), so a format-1 file becomes format 2 by saying so: ``migrate_text`` rewrites the
top-level ``format: 1`` line to ``format: 2`` (or adds ``format: 2`` before the first top-level
key when the file has none) and leaves every other byte alone. ``warroom migrate FILE...`` calls
it after checking the file loads. This module works on text only: it must not load, validate or
write files.
"""

from __future__ import annotations

import re

from simulator.model import FORMAT_VERSION

__all__ = ["MigrationError", "declared_format", "migrate_text"]

_FORMAT_LINE = re.compile(r"^format:[ \t]*(['\"]?)(\d+)\1[ \t]*(#.*)?$", re.MULTILINE)
_TOP_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*:", re.MULTILINE)


class MigrationError(ValueError):
    """The text cannot be upgraded (a format this code does not know)."""


def declared_format(text: str) -> int:
    """The format a scenario's text declares at top level (1 when it declares none)."""
    found = _FORMAT_LINE.search(text)
    return int(found.group(2)) if found else 1


def migrate_text(text: str) -> str:
    """``text`` upgraded to the current format (unchanged when it already is).

    Raises:
        MigrationError: for a format newer than this code's.
    """
    version = declared_format(text)
    if version > FORMAT_VERSION:
        raise MigrationError(
            f"format {version} is newer than this warroom's ({FORMAT_VERSION}): upgrade warroom"
        )
    if version == FORMAT_VERSION:
        return text
    found = _FORMAT_LINE.search(text)
    if found is not None:
        comment = f"  {found.group(3)}" if found.group(3) else ""
        return text[: found.start()] + f"format: {FORMAT_VERSION}{comment}" + text[found.end() :]
    first = _TOP_KEY.search(text)
    at = first.start() if first is not None else len(text)
    return text[:at] + f"format: {FORMAT_VERSION}\n" + text[at:]
