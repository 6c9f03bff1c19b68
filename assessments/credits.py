"""The kinds of practical credit a programme owner records by hand (``warroom credit``).

Data only: the records store credits of these kinds (``assessments.records``) and the command
line offers them as choices. This module must stay cheap to import (``warroom --help`` lists the
kinds) and import nothing but ``typing``.
"""

from __future__ import annotations

from typing import Literal, get_args

RecordedKind = Literal[
    "shadow-shift", "mock-incident", "ic-exercise", "real-incident", "gameday", "procedure-review"
]
"""Practical credits recorded by hand. ``refresher-quiz`` is not among them: it is earned by
passing a quiz (``Records.add_quiz``)."""
CREDIT_KINDS: tuple[RecordedKind, ...] = get_args(RecordedKind)
"""The kinds ``Records.add_credit`` accepts, in the order the training module lists them."""
