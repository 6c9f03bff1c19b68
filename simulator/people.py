"""Which responder a typed name means: the one rule the engine and the assessor share; and
the names of the rotations, stakeholders and escalation targets the policies use.

A trainee names a person by responder id or by display name, in any case, with or without a
leading ``@`` (``bob``, ``Bob Smith``, ``@bob``). This module only matches names against the
scenario's responders; it must not know about the engine's state or the grading.
"""

from __future__ import annotations

from collections.abc import Iterable

from simulator.model import Responder

ROTATION_LABELS: dict[str, str] = {
    "primary": "Primary on-call",
    "secondary": "Secondary on-call",
    "ic_rotation": "IC rotation",
    "management": "Management",
    "security": "Security",
}
"""The rotations a page can go to."""

STAKEHOLDER_LABELS: dict[str, str] = {
    "support": "Customer Support",
    "eng_lead": "Engineering lead",
    "team_lead": "Team lead",
    "cto": "CTO",
    "ceo": "CEO",
}
"""The stakeholders of the notification matrix."""

ESCALATION_LABELS: dict[str, str] = {
    **ROTATION_LABELS,
    "eng_lead": "Engineering lead",
    "team_lead": "Team lead",
    "vp_engineering": "VP Engineering",
    "cto": "CTO",
    "ceo": "CEO",
}
"""Whom an escalation can go to, besides a named responder."""


def person_key(name: str) -> str:
    """How a typed name is compared: trimmed, lower case, without a leading ``@``."""
    return name.strip().lower().lstrip("@")


def find_responder(name: str, responders: Iterable[Responder]) -> Responder | None:
    """The first of ``responders`` whose id or display name ``name`` is, else ``None``.

    Args:
        name: What was typed: an id or a display name, in any case, ``@`` allowed.
        responders: The scenario's responders, in the scenario's order.
    """
    key = person_key(name)
    return next((r for r in responders if key in (r.id, r.name.lower())), None)
