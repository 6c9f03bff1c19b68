"""Every Textual message of the warroom TUI, in one place.

Messages go up: from the bridge to the console screen, from widgets to their screen, from
screens to the app. They carry plain, immutable data (engine events are frozen dataclasses;
views are frozen too), never the engine or SimPy objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from simulator.events import Event
    from tui.headless.views import ConsoleView


class SimUpdated(Message, bubble=False):
    """The bridge's one message: what happened in the last slice and the view after it.

    It is for the console screen alone, so it does not bubble to the app.
    """

    def __init__(self, events: tuple[Event, ...], view: ConsoleView) -> None:
        self.events = events
        """Engine events since the last message, in order."""
        self.view = view
        """The console's view after them."""
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        """A clock-only update (no events) is superseded by any newer update behind it."""
        return isinstance(message, SimUpdated) and not self.events


class StartExercise(Message):
    """The lobby asks the app to start a scenario."""

    def __init__(
        self, scenario: str, trainee: str, policy: str, speed: float, facilitating: bool = False
    ) -> None:
        self.scenario = scenario
        """Library id or path."""
        self.trainee = trainee
        """The trainee's name."""
        self.policy = policy
        """Policy name."""
        self.speed = speed
        """Sim seconds per wall-clock second."""
        self.facilitating = facilitating
        """Start as facilitator (a game day on this screen)."""
        super().__init__()


class ExerciseClosed(Message):
    """The console is done (summary read): back to the lobby, or quit when there is none."""


class AlertPicked(Message):
    """An alert row was clicked: acknowledge it."""

    def __init__(self, alert: str) -> None:
        self.alert = alert
        """Alert id."""
        super().__init__()


class ChecklistPicked(Message):
    """A first-action item was clicked: open its dialog."""

    def __init__(self, item: str) -> None:
        self.item = item
        """First-action id (``acknowledge``, ``severity``, ``channel``, ``ic``, ``status_page``)."""
        super().__init__()


class FeedUpdated(Message, bubble=False):
    """A remote session's link delivered something: the facilitator console re-reads its feed."""

    def __init__(self, news: bool) -> None:
        self.news = news
        """Whether anything but metric samples and the clock changed."""
        super().__init__()


class OpenQuiz(Message):
    """The lobby asks for the certification quiz."""

    def __init__(self, trainee: str, policy: str) -> None:
        self.trainee = trainee
        """Who takes it."""
        self.policy = policy
        """Policy name (its certification rules draw the quiz)."""
        super().__init__()


class OpenRecord(Message):
    """The lobby asks for a trainee's record."""

    def __init__(self, trainee: str, policy: str) -> None:
        self.trainee = trainee
        """Whose record."""
        self.policy = policy
        """The policy whose certification rules apply."""
        super().__init__()
