"""Live grading: the grade of a running session, as of any moment.

``LiveAssessor`` subscribes to an engine, keeps its events (no metric samples) and regrades on
demand with ``now`` so that criteria still in reach are pending. This module must not drive
the engine or the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar, cast

from assessments.assessor.grade import as_classified, grade
from assessments.assessor.results import Assessment
from assessments.policy import Policy
from simulator import events as ev
from simulator.model import Scenario

if TYPE_CHECKING:
    from simulator.engine import Engine

T = TypeVar("T")


class LiveAssessor:
    """The grade of a running session. Subscribe it to an engine before the engine starts.

    ``engine.subscribe(live)`` (or ``LiveAssessor.attach(engine, policy)``), then call
    ``live.assessment(engine.now)`` whenever the screen wants the current grade. Metric
    samples are dropped on arrival (grading never reads them), so regrading an hour of play
    stays well under a millisecond; the last result is reused while nothing has changed.
    """

    def __init__(self, *, scenario: Scenario, policy: Policy, trainee: str, seed: int) -> None:
        """Prepare to grade one session.

        Args:
            scenario: The scenario being played.
            policy: The policy in force.
            trainee: The trainee's name.
            seed: The run's seed.
        """
        self.scenario = scenario
        self.policy = policy
        self.trainee = trainee
        self.seed = seed
        self._events: list[ev.Event] = []
        self._last: dict[str, tuple[tuple[int, float | None], object]] = {}
        """Each view's last result, by (events seen, ``now``): reused while nothing changed."""

    @classmethod
    def attach(cls, engine: Engine, policy: Policy) -> LiveAssessor:
        """A live assessor for ``engine``'s session, already subscribed to it."""
        live = cls(
            scenario=engine.scenario, policy=policy, trainee=engine.trainee, seed=engine.seed
        )
        engine.subscribe(live)
        return live

    def __call__(self, event: ev.Event) -> None:
        """Receive one engine event."""
        if event.kind != "metrics":
            self._events.append(event)

    @property
    def events(self) -> Sequence[ev.Event]:
        """The events kept so far (no metric samples)."""
        return self._events

    def assessment(self, now: float | None = None) -> Assessment:
        """The grade as of sim time ``now`` (``None``: as if the session ended now)."""
        return self._graded(grade, now)

    def as_classified(self, now: float) -> Assessment | None:
        """The grade as the trainee's own console shows it at sim time ``now``: by the rules of
        the level they classified (``assessor.grade.as_classified``); ``None`` before they
        classify."""
        return self._graded(as_classified, now)

    def _graded(self, grader: Callable[..., T], now: float | None) -> T:
        """``grader``'s result for the events so far at ``now``, reused while nothing changed."""
        key = (len(self._events), now)
        last = self._last.get(grader.__name__)
        if last is not None and last[0] == key:
            return cast(T, last[1])
        result = grader(
            self._events,
            scenario=self.scenario,
            policy=self.policy,
            trainee=self.trainee,
            seed=self.seed,
            now=now,
        )
        self._last[grader.__name__] = (key, result)
        return result
