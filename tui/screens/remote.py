"""``warroom facilitate --attach``: the facilitator console of a session played in another
terminal, over the session's link.

The playing console serves its events on ``<session dir>/link.sock`` (``tui.link.common``); this app
is a facilitator seat: it reads the stream into a ``RemoteFeed`` and shows it with the same
``FacilitatorScreen`` as the local console, and its commands go back over the link. A dropped
link reconnects and catches up (the status line says so meanwhile).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from assessments.assessor import Assessment
from assessments.policy import Policy, load_policy
from simulator import commands as cmd
from simulator import events as ev
from simulator import protocol as p
from simulator.library import load_scenario
from simulator.model import Scenario
from simulator.text import visible
from tui.headless.facilitation import Pace, ended_reason, live_assessment, pace_of
from tui.link.client import LinkClient
from tui.link.common import LinkError, LiveSession
from tui.screens.facilitator import FacilitatorScreen
from tui.screens.footer import KeyFooter
from tui.screens.messages import FeedUpdated


class RemoteFeed:
    """A session played elsewhere, as its link reports it."""

    def __init__(
        self,
        client: LinkClient,
        scenario: Scenario,
        policy: Policy,
        trainee: str,
        seed: int,
        *,
        speed: float = 1.0,
    ) -> None:
        """Read through ``client``; the scenario and policy were loaded from the header."""
        self.start_pace = Pace(False, speed)
        self.client = client
        self.scenario = scenario
        self.policy = policy
        self.trainee = trainee
        self.seed = seed
        self._events: list[ev.Event] = []
        self.state = "attached"

    @property
    def events(self) -> Sequence[ev.Event]:
        """Every event received so far."""
        return self._events

    @property
    def now(self) -> float:
        """The sim time of the latest event (the playing session samples every few seconds)."""
        return self._events[-1].t if self._events else 0.0

    @property
    def pace(self) -> Pace:
        """The latest pace the journal recorded."""
        return pace_of(self._events, self.start_pace)

    @property
    def link_state(self) -> str:
        """``attached``, ``reconnecting …``, ``lost`` or ``ended``."""
        return self.state

    def receive(self, event: ev.Event) -> bool:
        """Take one event; returns whether it is news (not a metric sample)."""
        self._events.append(event)
        return not isinstance(event, ev.MetricsSampled)

    def assessment(self, *, ended: bool) -> Assessment:
        """Grade the events received so far."""
        return live_assessment(
            self.scenario,
            self.policy,
            self._events,
            trainee=self.trainee,
            seed=self.seed,
            now=self.now,
            ended=ended,
        )

    async def send(self, command: cmd.Command) -> tuple[bool, str | None]:
        """Send a facilitator command over the link."""
        try:
            outcome = await self.client.send(command)
        except LinkError as exc:
            return False, str(exc)
        return outcome.accepted, outcome.reason


class SessionPicker(Screen[Path]):
    """Choose among the sessions playing on this machine."""

    BINDINGS: ClassVar[list[Any]] = [Binding("escape,q", "app.quit", "Quit")]
    DEFAULT_CSS = """
    SessionPicker #picker-title { width: 100%; background: $panel; text-style: bold; padding: 0 1; }
    SessionPicker OptionList { height: 1fr; }
    """

    def __init__(self, sessions: Sequence[LiveSession]) -> None:
        """Offer ``sessions``."""
        super().__init__()
        self.sessions = list(sessions)

    def compose(self) -> ComposeResult:
        yield Label("Attach to a session playing on this machine", id="picker-title")
        yield OptionList(
            *(
                Option(
                    Text(  # names are data: "Ada [/]" is shown, never parsed as markup
                        visible(
                            f"{s.scenario} · {s.trainee} · started {s.header.started_at} · "
                            f"{s.events_total} events · {s.directory.name}",
                            multiline=False,
                        )
                    ),
                    id=str(i),
                )
                for i, s in enumerate(self.sessions)
            ),
            id="sessions",
        )
        yield KeyFooter(rows=1, narrow_rows=1)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.sessions[int(event.option.id or 0)].directory)


class AttachedApp(App[int]):
    """The facilitator console of a session played in another terminal."""

    TITLE = "warroom · facilitator"

    def __init__(self, target: Path | None, sessions: Sequence[LiveSession] = ()) -> None:
        """Attach to the session directory ``target``, or offer ``sessions`` to choose from."""
        super().__init__()
        self.target = target
        self.sessions = list(sessions)
        self.feed: RemoteFeed | None = None
        self.client: LinkClient | None = None

    def on_mount(self) -> None:
        if self.target is not None:
            self._attach_to(self.target)
        else:
            self.push_screen(SessionPicker(self.sessions), self._picked)

    def _picked(self, directory: Path | None) -> None:
        self._attach_to(directory)

    @work(exclusive=True, group="link")
    async def _attach_to(self, directory: Path | None) -> None:
        if directory is None:
            self.exit(1)
            return
        client = LinkClient(directory, "facilitator")
        self.client = client
        try:
            welcome = await client.connect()
            header = welcome.header()
            loaded = load_scenario(header.scenario_path)
            policy = load_policy(header.policy)
        except Exception as exc:  # nothing to show: say why and leave
            self.exit(1, message=f"warroom: error: cannot attach to {directory}: {exc}")
            return
        if loaded.sha256 != header.scenario_sha256:
            self.notify(
                "The scenario file differs from the one being played; states may be off.",
                severity="warning",
                timeout=10,
            )
        speed = header.extra.get("speed", 1.0)
        feed = RemoteFeed(
            client,
            loaded.scenario,
            policy,
            header.trainee,
            header.seed,
            speed=float(speed) if isinstance(speed, int | float) else 1.0,
        )
        self.feed = feed
        screen = FacilitatorScreen(feed, standalone=True)
        await self.push_screen(screen)
        first = True
        try:
            async for message in client.messages():
                news = False
                if isinstance(message, p.EventMessage):
                    news = feed.receive(ev.event_from_dict(message.event))
                elif isinstance(message, p.Welcome):
                    if not first:
                        feed.state = f"attached (reconnected ×{client.reconnects})"
                        news = True
                    first = False
                elif isinstance(message, p.Ended):
                    feed.state = "ended"
                    news = True
                screen.post_message(FeedUpdated(news))
        except LinkError as exc:
            feed.state = "lost"
            screen.post_message(FeedUpdated(True))
            self.notify(
                f"The link to the session was lost: {exc}",
                severity="error",
                timeout=30,
                markup=False,
            )
            return
        if ended_reason(feed.events) is not None:
            feed.state = "ended"
            screen.post_message(FeedUpdated(True))

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.close()


def run_attached(target: Path | None, sessions: Sequence[LiveSession]) -> int:
    """Run the attached facilitator console (``warroom facilitate --attach [SESSION]``).

    Args:
        target: The session's directory, or ``None`` to choose among ``sessions`` first.
        sessions: The live sessions to choose from (empty when ``target`` is given).
    """
    app = AttachedApp(target, sessions)
    code = app.run()
    return code if isinstance(code, int) else 0
