"""The records' errors: what a caller catches when the records cannot be used as asked.

This module must not import a database driver.
"""

from __future__ import annotations

__all__ = ["RecordsError", "UnknownTrainee"]


class RecordsError(Exception):
    """The records cannot be used as asked; the message says why and what to do."""


class UnknownTrainee(RecordsError, LookupError):
    """No trainee has that name."""
