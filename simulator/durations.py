"""Durations as authors write them: ``90s``, ``1m30s``, ``2h``, ``1h15m``, ``7d``, ``2w`` or seconds.

One grammar for every length of time warroom reads: a number of seconds, or whole-number-or-
decimal parts in weeks, days, hours, minutes and seconds, each unit once, largest first. Two
bounds: a ``Duration`` (anything inside an exercise, its deadlines and commands) is at most
400 days; a ``Period`` (what a policy states for a programme: a certification's validity, a
postmortem's deadline) is at most two years and is written back in days (``365d``, ``2d``).

This module parses and formats durations and provides the pydantic ``Duration`` and ``Period``
types used by every model that holds one (built when first imported, so that parsing and
formatting import no pydantic: the lobby's first frame and ``warroom list`` format durations).
It must not know anything about scenarios, policies or the engine.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Annotated, Any

_PART = re.compile(r"(\d+(?:\.\d+)?)(w|d|h|m|s)")
_WHOLE = re.compile(r"^(?:\d+(?:\.\d+)?[wdhms])+$")
_ORDER = {"w": 0, "d": 1, "h": 2, "m": 3, "s": 4}
_UNIT = {"w": 7 * 86400.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}

#: The longest duration anything may last: 400 days (a certification is valid a year).
MAX_SECONDS = 400 * 24 * 3600.0

#: The longest period a policy may state: two years.
MAX_PERIOD_SECONDS = 2 * 366 * 86400.0

_PERIOD_HINT = "for longer periods write days or weeks, such as 14d, 2w or 365d"


def parse_duration(value: object) -> float:
    """Return ``value`` as seconds, at most ``MAX_SECONDS``.

    Args:
        value: ``90``, ``90.5``, ``"90s"``, ``"1m30s"``, ``"2h"``, ``"1h15m"`` or ``"2w"``.

    Raises:
        ValueError: with a message that says what a duration looks like.
    """
    seconds = _seconds(value)
    if seconds > MAX_SECONDS:
        raise ValueError(f"a duration must be at most {format_duration(MAX_SECONDS)}")
    return seconds


def parse_period(value: object) -> float:
    """Return a long period as seconds, at most two years: ``365d``, ``2w``, ``1d12h``, ``48h``.

    Raises:
        ValueError: with a message that says what a period looks like.
    """
    try:
        seconds = _seconds(value)
    except ValueError as exc:
        raise ValueError(f"{exc}; {_PERIOD_HINT}") from None
    if seconds > MAX_PERIOD_SECONDS:
        raise ValueError("a period must be at most two years (732d)")
    return seconds


def _seconds(value: object) -> float:
    """``value`` as seconds, with no upper bound."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 90s, 1m30s or 2h, got a boolean")
    if isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:  # an int too large for a float: far beyond any limit
            seconds = math.inf
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            seconds = float(text)
        elif _WHOLE.match(text):
            parts = _PART.findall(text)
            units = [unit for _, unit in parts]
            if len(set(units)) != len(units) or units != sorted(units, key=_ORDER.__getitem__):
                raise ValueError(
                    f"units must appear once each, largest first (like 1h15m30s), got {_clip(value)!r}"
                )
            seconds = sum(float(n) * _UNIT[u] for n, u in parts)
        else:
            raise ValueError(f"expected a duration such as 90s, 1m30s or 2h, got {_clip(value)!r}")
    else:
        raise ValueError(
            f"expected a duration such as 90s, 1m30s or 2h, got {type(value).__name__}"
        )
    if math.isnan(seconds):
        raise ValueError("a duration must be a finite number, not NaN")
    if seconds < 0:
        raise ValueError("a duration must be zero or more")
    return seconds


def format_duration(seconds: float) -> str:
    """Format seconds the way authors write them: ``1m30s``, ``48h``, ``45s``, ``0s``, ``365d``.

    Days are used from a week up; below that hours read better (``48h``, as the runbooks say).
    """
    if seconds < 0:
        return "-" + format_duration(-seconds)
    whole = int(seconds)
    frac = seconds - whole
    d, whole = divmod(whole, 86400) if whole >= 7 * 86400 else (0, whole)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    out = f"{d}d" if d else ""
    if h:
        out += f"{h}h"
    if m:
        out += f"{m}m"
    if s or frac or not out:
        out += f"{s + frac:g}s" if frac else f"{s}s"
    return out


def format_period(seconds: float) -> str:
    """Format a period the way policies write it: ``365d``, ``2d``, ``1d12h``, ``48h``, ``30m``."""
    days, rest = divmod(seconds, 86400.0)
    if days and not rest:
        return f"{int(days)}d"
    if days >= 7:
        return f"{int(days)}d{format_duration(rest)}"
    return format_duration(seconds)


def format_clock(seconds: float) -> str:
    """Format sim time as ``T+mm:ss`` (``T+h:mm:ss`` past an hour)."""
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"T+{h}:{m:02d}:{s:02d}" if h else f"T+{m:02d}:{s:02d}"


def parse_moment(text: str) -> float:
    """A moment of an exercise as people write it: ``12m``, ``T+12m``, ``T+12:00``, ``1:02:03``
    or seconds (``format_clock`` reads back).

    Raises:
        ValueError: with a message that says what a moment looks like.
    """
    body = text.strip()
    if body[:2].upper() == "T+":
        body = body[2:].strip()
    clock = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", body)
    if clock is not None:
        h, m, s = (int(x) if x else 0 for x in clock.groups())
        if (m >= 60 and clock.group(1)) or s >= 60:
            raise ValueError(
                f"{text.strip()!r} is not a moment: write it like 12m, T+12m or T+12:00"
            )
        return parse_duration(h * 3600 + m * 60 + s)
    try:
        return parse_duration(body)
    except ValueError:
        raise ValueError(
            f"{text.strip()!r} is not a moment: write it like 12m, T+12m or T+12:00"
        ) from None


def _clip(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def _validate(value: Any) -> float:
    return parse_duration(value)


if TYPE_CHECKING:
    Duration = float
    """A duration in seconds, written as ``90s``, ``1m30s``, ``2h`` or a number of seconds."""

    Period = float
    """A period in seconds that may run to two years, written as ``48h``, ``14d``, ``2w`` or
    ``365d``."""


def __getattr__(name: str) -> Any:
    """``Duration`` and ``Period``, the pydantic types, built on first import."""
    if name not in ("Duration", "Period"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

    duration = Annotated[
        float,
        BeforeValidator(_validate),
        PlainSerializer(format_duration, return_type=str),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "pattern": r"^\s*(\d+(\.\d+)?|(\d+(\.\d+)?[dhms])+)\s*$"},
                    {"type": "number", "minimum": 0},
                ],
                "description": "Seconds, or a duration such as 90s, 1m30s, 2h, 7d.",
            }
        ),
    ]
    period = Annotated[
        float,
        BeforeValidator(parse_period),
        PlainSerializer(format_period, return_type=str),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "pattern": r"^\s*(\d+(\.\d+)?|(\d+(\.\d+)?[wdhms])+)\s*$"},
                    {"type": "number", "minimum": 0},
                ],
                "description": "Seconds, or a period such as 48h, 14d, 2w, 365d.",
            }
        ),
    ]
    globals().update(Duration=duration, Period=period)
    return globals()[name]
