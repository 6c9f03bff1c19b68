"""The warroom Textual app and its one factory, ``make_app``, used by the CLI and the tests.

With no scenario the app opens the lobby; with one it opens the Incident Commander console
directly. The app only routes between screens: the lobby asks for an exercise with a
``StartExercise`` message, the console says it is done with ``ExerciseClosed``. ``make_app``
takes typed arguments; turning a command line into them is ``tui.cli.play``'s job, so this module
must not import ``argparse`` or ``tui.cli``. The reports the screens write come from ``reports``
(tui is above it); this module itself does not use them. What only the console, the quiz or the
record need (the engine, the models, the policies) is imported when they open, so that the
lobby's first frame waits on Textual and the library's catalogue alone.
"""

from __future__ import annotations

import gc
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding
from textual.theme import Theme

from tui.screens.messages import ExerciseClosed, OpenQuiz, OpenRecord, StartExercise

if TYPE_CHECKING:
    from tui.headless.session import Session
    from tui.screens.lobby import LobbyDefaults

HIGH_CONTRAST = Theme(
    name="warroom-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    warning="#FFB000",
    error="#FF5555",
    success="#55FF55",
    accent="#00FFFF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    dark=True,
    text_alpha=1.0,
)
"""Pure black and white with saturated state colours (every state also has a word or icon)."""


class WarroomApp(App[int]):
    """Lobby → console → summary, and back to the lobby."""

    TITLE = "warroom"
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+p", "command_palette", "Palette", key_display="^p", priority=True),
    ]
    """Shown among the other bindings (the Footers do not dock a separate palette key)."""

    def __init__(
        self,
        *,
        session: Session | None,
        defaults: LobbyDefaults | None = None,
        seed: int = 1,
        journal_dir: Path | None = None,
        paused: bool = False,
        facilitating: bool = False,
        quiz_seed: int | None = None,
        db_path: Path | None = None,
    ) -> None:
        """Open ``session`` in the console, or the lobby when there is none.

        Args:
            session: The session to play straight away, if any.
            defaults: The lobby's starting values (none: the lobby's own; a console alone has
                no lobby).
            seed: Seed for sessions started from the lobby.
            journal_dir: Where journals go (default: the user data dir).
            paused: Start sessions with the clock stopped.
            facilitating: Open ``session`` with the facilitator console on top.
            quiz_seed: Draw quizzes with this seed (default: a fresh one each time).
            db_path: The records database (default ``$WARROOM_DB`` or the user data dir).
        """
        super().__init__()
        self.facilitating = facilitating
        self.quiz_seed = quiz_seed
        self.db_path = db_path
        self.initial = session
        self.defaults = defaults
        self.seed = seed
        self.journal_dir = journal_dir
        self.start_paused = paused
        self.has_lobby = session is None

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        wanted = os.environ.get("WARROOM_THEME")
        if wanted in ("high-contrast", HIGH_CONTRAST.name):
            self.theme = HIGH_CONTRAST.name
        elif wanted and wanted in self.available_themes:
            self.theme = wanted
        if self.initial is not None:
            from tui.screens.console import ConsoleScreen

            self.push_screen(ConsoleScreen(self.initial, facilitating=self.facilitating))
        else:
            from tui.screens.lobby import LobbyDefaults, LobbyScreen

            self.push_screen(LobbyScreen(self.defaults or LobbyDefaults()))
        self.call_after_refresh(self._started)

    def _started(self) -> None:
        """After the first frame: what start-up built is kept out of the collector's passes
        (``gc.freeze``), and collection (off while starting, see ``tui.cli.play``) is back on."""
        gc.freeze()
        gc.enable()

    def on_start_exercise(self, message: StartExercise) -> None:
        from simulator.yamlio import LoadError
        from tui.headless.session import new_session
        from tui.screens.console import ConsoleScreen

        try:
            session = new_session(
                message.scenario,
                trainee=message.trainee,
                seed=self.seed,
                speed=message.speed,
                policy=message.policy,
                journal_dir=self.journal_dir,
                paused=self.start_paused,
                driver="tui:facilitator" if message.facilitating else "tui",
                seal=programme_seal(self.db_path),
            )
        except LoadError as exc:
            self.notify("\n".join(str(p) for p in exc.problems), severity="error", timeout=10)
            return
        except (KeyError, FileNotFoundError) as exc:
            self.notify(str(exc).strip("'\""), severity="error", timeout=10)
            return
        self.push_screen(ConsoleScreen(session, facilitating=message.facilitating))

    def on_open_quiz(self, message: OpenQuiz) -> None:
        from assessments.policy import load_policy
        from assessments.quiz import draw_quiz, load_bank
        from simulator.yamlio import LoadError
        from tui.screens.quiz import QuizScreen, records_writer

        try:
            policy = load_policy(message.policy)
            seed = self.quiz_seed if self.quiz_seed is not None else secrets.randbelow(2**31)
            quiz = draw_quiz(load_bank(), policy, seed)
        except (LoadError, KeyError, FileNotFoundError, ValueError) as exc:
            self.notify(str(exc).strip("'\""), severity="error", timeout=10)
            return
        record = records_writer(self.db_path, policy, message.trainee)
        self.push_screen(QuizScreen(quiz, policy, message.trainee, record=record))

    def on_open_record(self, message: OpenRecord) -> None:
        from assessments.policy import load_policy
        from simulator.yamlio import LoadError
        from tui.screens.record import RecordScreen

        try:
            policy = load_policy(message.policy)
        except (LoadError, KeyError, FileNotFoundError) as exc:
            self.notify(str(exc).strip("'\""), severity="error", timeout=10)
            return
        self.push_screen(RecordScreen(message.trainee, policy, self.db_path))

    def on_exercise_closed(self, message: ExerciseClosed) -> None:
        if self.has_lobby:
            self.pop_screen()
        else:
            self.exit(0)


def make_app(
    scenario: str | None = None,
    *,
    trainee: str | None = None,
    seed: int = 1,
    speed: float | None = None,
    policy: str | None = None,
    journal_dir: Path | str | None = None,
    paused: bool = False,
    facilitating: bool = False,
    resume: Path | str | None = None,
    quiz_seed: int | None = None,
    db_path: Path | str | None = None,
) -> WarroomApp:
    """Build the app: the lobby, or the console for ``scenario``.

    Args:
        scenario: A library id or a scenario file; ``None`` opens the lobby. With ``resume``:
            the scenario file, when the session's is not in the library.
        trainee: The trainee's name (the lobby asks when not given).
        seed: The run's seed.
        speed: Sim seconds per wall-clock second (default 1x; a resumed session keeps the
            speed it was playing at).
        policy: Policy name (``default``, ``agentos``, ``nexus``) or path (default
            ``default``; a resumed session keeps the packaged policy its journal names).
        journal_dir: Where journals go (default: ``<user data dir>/warroom/sessions``).
        paused: Open exercises with the clock stopped (tests, facilitator briefings).
        facilitating: Open ``scenario`` as a game day with the facilitator console on top.
        resume: A stopped session's journal (or directory) to continue instead.
        quiz_seed: Draw quizzes with this seed (default: a fresh one each time).
        db_path: The records database (default ``$WARROOM_DB`` or the user data dir).

    Raises:
        simulator.yamlio.LoadError: the scenario or policy file is invalid.
        KeyError: no such packaged policy.
        FileNotFoundError: no such policy file.
    """
    folder = Path(journal_dir) if journal_dir is not None else None
    pace = 1.0 if speed is None else speed
    name = policy or "default"
    session = None
    if resume is not None:
        from tui.headless.session import resume_session

        session = resume_session(
            resume, speed=speed, scenario=scenario, policy=policy, seal=programme_seal(db_path)
        )
    elif scenario is None:
        if policy is not None or Path(name).exists():  # the packaged default needs no check
            from assessments.policy import load_policy

            load_policy(name)
    else:
        from tui.headless.session import new_session

        session = new_session(
            scenario,
            trainee=trainee,
            seed=seed,
            speed=pace,
            policy=name,
            journal_dir=folder,
            paused=paused,
            driver="tui:facilitator" if facilitating else "tui",
            seal=programme_seal(db_path),
        )
    defaults = None
    if session is None:  # the console alone needs no lobby (nor its module)
        from tui.screens.lobby import LobbyDefaults

        defaults = LobbyDefaults(trainee=trainee, policy=name, speed=pace)
    return WarroomApp(
        session=session,
        defaults=defaults,
        seed=seed,
        journal_dir=folder,
        paused=paused,
        facilitating=facilitating,
        quiz_seed=quiz_seed,
        db_path=Path(db_path) if db_path is not None else None,
    )


def programme_seal(db_path: Path | str | None) -> tuple[str, bytes] | None:
    """The programme key a session's journal is sealed with (the records' current key), or
    ``None`` when the records cannot be used: the journal is then unsealed, and recording it
    says it earns no credit."""
    from assessments.programme import sealing_key
    from assessments.records import RecordsError

    try:
        return sealing_key(db_path)
    except RecordsError:
        return None
