"""Text from scenarios, journals and people, made safe to show, and the limits on names.

``visible`` is applied where text is shown (the transcript and everything the command line
prints, every report): control characters and terminal escape sequences are written out
visibly (``\\x1b``, ``\\x07``, ``\\x9b`` …) so they can never retitle a terminal, clear a
screen or hide a line; ``\\n`` and ``\\t`` are kept where the context allows several lines.
``check_name`` is the one rule for a name a person gives (``--trainee``, a journal's trainee):
at most ``MAX_NAME`` characters, not empty, no control characters.

This module must not know about scenarios, journals or the screen, and must not import Rich
or Textual.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_NAME", "check_name", "normalise_name", "visible", "visible_json"]

MAX_NAME = 80
"""Longest name a person may give (a trainee, a responder seat), in characters."""

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
"""C0 and C1 controls (with DEL and the Unicode line and paragraph separators), but not
``\\t`` or ``\\n``."""
_CONTROLS_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Every control, ``\\t`` and ``\\n`` included."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str, *, multiline: bool = True) -> str:
    """``text`` with every control character written out visibly.

    ESC, BEL, NUL, CR, DEL, the C1 controls (``\\x9b`` is a CSI on some terminals) and the
    Unicode line separators become ``\\x1b``, ``\\x07`` …, so an escape sequence is shown as
    characters and never acted on.

    Args:
        text: Text from data (a scenario, a journal, a person).
        multiline: Keep ``\\n`` and ``\\t`` (``False``: show them as ``\\x0a``, ``\\x09`` too,
            for a value that must stay on one line).
    """
    pattern = _CONTROLS if multiline else _CONTROLS_ONE_LINE
    return pattern.sub(_escape, text)


_JSON_RAW = re.compile(r"[\x7f-\x9f\u2028\u2029]")
"""Controls that ``json.dumps(..., ensure_ascii=False)`` leaves raw (it escapes C0 itself)."""


def visible_json(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, the C1 controls and
    the Unicode line separators escaped as ``\\u009b`` …: the same data, nothing a terminal
    acts on. They can only occur inside strings, where ``\\uXXXX`` is the JSON escape."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def normalise_name(text: str, what: str = "a trainee name") -> str:
    """A person's name as stored and compared: NFC, whitespace runs collapsed, trimmed.

    The one rule for names people type (``--trainee``, the lobby, the records).

    Raises:
        ValueError: when it is empty, longer than ``MAX_NAME`` characters, or holds a control
            or unassigned character; the message says which and what the limit is.
    """
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name:
        raise ValueError(f"{what} cannot be empty")
    if len(name) > MAX_NAME:
        raise ValueError(f"{what} is at most {MAX_NAME} characters (this one has {len(name)})")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise ValueError(f"{what} cannot contain control or unassigned characters")
    return name


def check_name(text: str, what: str = "a trainee name") -> str:
    """A name a person gave, checked by ``normalise_name``'s rule: returns it unchanged.

    Raises:
        ValueError: as ``normalise_name``.
    """
    normalise_name(text, what)
    return text
