"""The one base model of every file format warroom reads: scenarios, policies, quiz banks.

``Strict`` forbids unknown keys (a typo is an error, not a silently ignored field), freezes
instances, takes field docstrings as descriptions (the JSON Schema and editors show them) and
accepts a field by its name or its alias (``for`` / ``for_``). This module must not know any
file format.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Strict"]


class Strict(BaseModel):
    """A strict, frozen model whose field docstrings are its descriptions."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, populate_by_name=True
    )
