"""One live exercise as the TUI runs it: scenario, policy, engine, pacer, journal, live score.

``Session`` puts together what a ``warroom play`` needs and owns its lifetime: it writes the
journal (header ``driver="tui"``, one flushed line per event, so a killed session keeps what
the trainee did), subscribes the live assessor, and
paces the engine from wall-clock readings the caller passes in. It also answers the dialogs'
questions (the channel name the convention gives, the update template's context).

No Textual here: the bridge (``tui.screens.bridge``) turns what happens into messages. This module
must not import ``reports``.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assessments.assessor import Assessment, LiveAssessor
from assessments.policy import Level, Policy, journal_policy, load_policy
from simulator.commands import Command
from simulator.engine import Engine, Outcome
from simulator.events import ActionRejected, Event, dumps
from simulator.journal import JOURNAL_NAME, Header, Journal, JournalWriter, new_header
from simulator.library import LoadedScenario, load_scenario
from simulator.pacer import MAX_SPEED, Pacer, next_speed
from simulator.snapshot import Snapshot
from tui.headless.facilitation import Pace, pace_of
from tui.headless.guide import UpdateContext
from tui.headless.views import ConsoleView, build_view

JUMP = 60.0
"""How far the jump-ahead key moves sim time."""


def journal_dir_default() -> Path:
    """Where TUI sessions keep their journals: ``<user data dir>/warroom/sessions``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("warroom")) / "sessions"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "trainee"


class Session:
    """A scenario played live by one trainee under one policy."""

    def __init__(
        self,
        loaded: LoadedScenario,
        policy: Policy,
        *,
        policy_name: str,
        trainee: str,
        seed: int,
        speed: float,
        journal_dir: Path | None,
        paused: bool = False,
        driver: str = "tui",
        seal: tuple[str, bytes] | None = None,
    ) -> None:
        """Prepare the session; nothing runs and no file is written until ``open``.

        Args:
            loaded: The scenario and where it came from.
            policy: The policy in force.
            policy_name: How the policy was named (recorded in the journal header).
            trainee: The trainee's name.
            seed: The run's seed.
            speed: Sim seconds per wall-clock second.
            journal_dir: Folder for the journal (default: the user data dir).
            paused: Open with the clock stopped.
            driver: The journal's driver: ``tui``, or ``tui:facilitator`` for a game day.
            seal: The programme key (id, key) that seals the journal as it is written, for
                credit; handed in by the layer that knows the records.
        """
        self.seal = seal
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.policy = policy
        self.policy_name = policy_name
        self.trainee = trainee
        self.seed = seed
        self.journal_dir = journal_dir
        self.start_paused = paused
        self.driver = driver
        self.resumed_from: float | None = None
        """Sim time a resumed session picked up at (``None`` for a new one)."""
        self.expected_level: Level = policy.level_for(
            self.scenario.expected.severity, self.scenario.expected.overrides
        )
        self.engine = Engine(
            self.scenario, seed=seed, severity_levels=policy.level_names, trainee=trainee
        )
        self.pacer = Pacer(self.engine, speed=min(max(speed, 0.1), MAX_SPEED))
        self.rejected = 0
        """Trainee actions the engine refused so far."""
        self.engine.subscribe(self._count_rejections)
        self.events: list[Event] = []
        """Every event so far (the facilitator console and the link read them)."""
        self.engine.subscribe(self.events.append)
        self.journal_path: Path | None = None
        self.header: Header | None = None
        """The journal's header, once open."""
        self._writer: JournalWriter | None = None
        self.assessor = LiveAssessor.attach(self.engine, policy)
        """Grades the session as it goes (the console's live score, the summary)."""

    def _count_rejections(self, event: Event) -> None:
        if isinstance(event, ActionRejected) and event.by == "trainee":
            self.rejected += 1

    # ------------------------------------------------------------------ lifetime

    def open(self, wall: float) -> None:
        """Write the journal header, start the exercise and (unless paused) the clock."""
        if self.resumed_from is not None:
            return  # replayed and journalling already; the clock waits for the trainee
        if self._writer is None:
            self.journal_path = self._journal_path()
            self.header = self._header()
            self._writer = JournalWriter(self.journal_path, self.header, seal=self.seal)
            self.header = self._writer.header
            self.engine.subscribe(self._writer)
        if self.start_paused:
            self.engine.run_until(0.0)  # what is due at T+0 (the first sample) has happened
        else:
            self.pacer.start(wall)

    def close(self) -> None:
        """Close the journal (idempotent)."""
        if self._writer is not None:
            self._writer.close()

    def _header(self) -> Header:
        return new_header(
            self.loaded,
            seed=self.seed,
            policy=self.policy_name,
            severity_levels=self.policy.level_names,
            trainee=self.trainee,
            driver=self.driver,
            started_at=datetime.now(UTC),
            extra={"speed": self.pacer.speed},
        )

    def _journal_path(self) -> Path:
        """``<sessions>/<scenario>-<stamp>-<trainee>/journal.jsonl`` in a new directory."""
        folder = self.journal_dir if self.journal_dir is not None else journal_dir_default()
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        base = f"{self.scenario.id}-{stamp}-{_slug(self.trainee)}"
        directory = folder / base
        n = 2
        while directory.exists():
            directory = folder / f"{base}-{n}"
            n += 1
        directory.mkdir(parents=True, mode=0o700)
        return directory / JOURNAL_NAME

    @property
    def directory(self) -> Path | None:
        """The session's directory (journal, link socket, reports), once open."""
        return self.journal_path.parent if self.journal_path is not None else None

    # ------------------------------------------------------------------ pacing

    def tick(self, wall: float) -> None:
        """Advance the sim for the wall time elapsed since the last tick."""
        self.pacer.tick(wall)

    def toggle_pause(self, wall: float, *, by: str = "trainee") -> bool:
        """Pause or resume (journalled as pressed ``by``); returns whether it is now paused."""
        if self.engine.ended:
            return self.pacer.paused
        if self.pacer.paused:
            self.pacer.resume(wall, by=by)
        else:
            self.pacer.pause(wall, by=by)
        return self.pacer.paused

    def step_speed(self, direction: int, wall: float, *, by: str = "trainee") -> float:
        """Move one step up (``+1``) or down (``-1``) the speed ladder; returns the speed."""
        speed = self.pacer.speed
        new = next_speed(speed, direction)
        if new != speed and not self.engine.ended:
            self.pacer.set_speed(new, wall, by=by)
        return self.pacer.speed

    def jump(self, seconds: float = JUMP, *, by: str = "trainee") -> None:
        """Fast-forward the sim (paused or not; journalled as pressed ``by``)."""
        self.pacer.jump(seconds, by=by)

    def submit(self, command: Command) -> Outcome:
        """Submit a trainee action to the engine (the only way the TUI acts)."""
        return self.engine.submit(command)

    # ------------------------------------------------------------------ look-ups

    @property
    def paused(self) -> bool:
        """Whether sim time is stopped."""
        return self.pacer.paused

    def snapshot(self) -> Snapshot:
        """The exercise now, frozen (the engine's read model)."""
        return self.engine.snapshot()

    def view(self) -> ConsoleView:
        """What the console shows now."""
        snapshot = self.snapshot()
        severity = snapshot.severity
        cls = None
        if severity is not None and severity in self.policy.level_names:
            cls = self.policy.level(severity).class_
        return build_view(
            snapshot,
            self.scenario,
            speed=self.pacer.speed,
            paused=self.pacer.paused,
            severity_class=cls,
            policy=self.policy,
        )

    def moment(self, t: float | None = None) -> datetime:
        """The in-world time at sim time ``t`` (default now)."""
        return self.scenario.start + timedelta(seconds=self.engine.now if t is None else t)

    def channel_suggestion(self) -> str:
        """The channel name the convention gives, for the incident's start (else now)."""
        snapshot = self.snapshot()
        start = snapshot.incident_start
        moment = self.moment(start if start is not None else snapshot.t)
        return self.policy.rules.channel.name_for(moment).lower()

    def current_level(self) -> Level | None:
        """The level the trainee chose, if any."""
        return self.level_of(self.snapshot())

    def level_of(self, snapshot: Snapshot) -> Level | None:
        """The level the trainee chose by the time of ``snapshot``, if any."""
        severity = snapshot.severity
        return self.policy.level(severity) if severity in self.policy.level_names else None

    def update_context(self) -> UpdateContext:
        """What the update templates can be filled with now."""
        snapshot = self.snapshot()
        level = self.level_of(snapshot)
        cadence = self.policy.updates_for(level) if level is not None else None
        now = self.moment(snapshot.t)
        next_update = None
        if cadence is not None and cadence.every is not None:
            next_update = (now + timedelta(seconds=cadence.every)).strftime("%H:%M UTC")
        start = snapshot.incident_start
        minutes = round((snapshot.t - start) / 60) if start is not None else 0
        service = self.scenario.services[0].name if self.scenario.services else self.scenario.title
        return UpdateContext(
            hhmm=now.strftime("%H:%M"),
            description=snapshot.title or self.scenario.title,
            service=service,
            next_update=next_update,
            duration_min=max(0, minutes),
        )

    def assessment(self, *, final: bool = False) -> Assessment:
        """The grade now; ``final``: as if the session ended now (no ``pending``)."""
        return self.assessor.assessment(None if final else self.engine.now)

    def own_assessment(self) -> Assessment | None:
        """The grade now as the trainee's own console shows it: by the rules of the level
        they classified, giving nothing away (``assessments.assessor.as_classified``);
        ``None`` before they classify."""
        return self.assessor.as_classified(self.engine.now)


class ResumeError(Exception):
    """A journal that cannot be continued (ended, changed scenario, does not replay)."""


def find_journal(path: str | Path) -> Path:
    """The journal of a session: ``path`` itself, or ``journal.jsonl`` in a session directory."""
    p = Path(path)
    return p / JOURNAL_NAME if p.is_dir() else p


def last_speed(journal: Journal) -> float:
    """The speed a journalled session was last playing at: its latest ``set_pace``, else the
    speed it started at (the header's ``speed``), else 1x."""
    started = journal.header.extra.get("speed", 1.0)
    start = Pace(False, float(started) if isinstance(started, int | float) else 1.0)
    return pace_of(journal.events, start).speed


def resume_session(
    path: str | Path,
    *,
    speed: float | None = None,
    scenario: str | None = None,
    policy: str | None = None,
    seal: tuple[str, bytes] | None = None,
) -> Session:
    """Rebuild a stopped session from its journal, ready to continue where it stopped.

    A sealed journal is resumed only with the key that sealed it (``seal``).

    The journal's commands are replayed on a fresh engine up to its last event; the replay
    must reproduce every recorded line (determinism makes that so unless the journal or the
    scenario changed). The journal is then rewritten with the same lines (dropping a line cut
    off by a crash) and carries on. The clock starts paused, at ``speed`` or else at the speed
    the session was last playing at. The scenario is the library's with the header's id and
    sha256, or the file the user names (``scenario``); the policy is the header's packaged one
    or the one the user names (``policy``): a path in the header is never followed.

    Raises:
        ResumeError: the exercise already ended, the scenario file changed, or the journal
            does not replay.
        simulator.journal.JournalError: the journal cannot be read.
        simulator.yamlio.LoadError: the scenario no longer loads.
    """
    from simulator.journal import read_journal
    from simulator.library import journal_scenario
    from simulator.runner import journal_steps

    journal_path = find_journal(path)
    journal = read_journal(journal_path)
    h = journal.header
    if journal.ended:
        raise ResumeError(
            f"{journal_path}: the exercise already ended; `warroom grade` or `warroom report` it"
        )
    if journal.edited_line is not None:
        raise ResumeError(f"{journal_path}:{journal.edited_line}: the line was edited by hand")
    loaded = journal_scenario(journal, scenario)
    if loaded.sha256 != h.scenario_sha256:
        raise ResumeError(
            f"{journal_path}: scenario {loaded.path} changed since the session started; "
            "it cannot continue in the same state"
        )
    session = Session(
        loaded,
        load_policy(policy) if policy is not None else journal_policy(journal),
        policy_name=h.policy,
        trainee=h.trainee,
        seed=h.seed,
        speed=last_speed(journal) if speed is None else speed,
        journal_dir=journal_path.parent.parent,
        paused=True,
        driver=h.driver,
        seal=seal if h.sealed_by is not None else None,
    )
    engine = session.engine
    produced: list[str] = []
    engine.subscribe(lambda e: produced.append(dumps(e)))
    temporary = journal_path.with_name(journal_path.name + ".resume")
    if h.sealed_by is not None and (seal is None or seal[0] != h.sealed_by):
        raise ResumeError(
            f"{journal_path}: sealed with programme key {h.sealed_by}; resume it where that "
            "key is (the records that sealed it, --db)"
        )
    writer = JournalWriter(temporary, h, seal=seal if h.sealed_by is not None else None)
    engine.subscribe(writer)
    last = journal.events[-1].t if journal.events else 0.0
    engine.start()
    for step in journal_steps(journal):
        engine.run_until(step.at)
        engine.submit(
            step.command,
            by=step.by,
            person=step.person,
            seat=step.seat,
            approved_by=step.approved_by,
        )
    engine.run_until(last)
    if produced[: len(journal.lines)] != journal.lines:
        writer.close()
        temporary.unlink(missing_ok=True)
        pairs = zip(journal.lines, produced, strict=False)
        first = next((i for i, (a, b) in enumerate(pairs) if a != b), len(produced))
        raise ResumeError(f"{journal_path}:{first + 2}: the journal does not replay from here")
    os.replace(temporary, journal_path)
    session.journal_path = journal_path
    session.header = h
    session._writer = writer
    session.resumed_from = engine.now
    return session


def branch_session(
    parent: str | Path,
    at: float,
    *,
    speed: float | None = None,
    seal: tuple[str, bytes] | None = None,
) -> Session:
    """Restart a journal's exercise from sim time ``at`` into a branch journal (sealed with
    ``seal``, the programme's key, when given: the team host's, which replayed it).

    The parent's actions up to ``at`` are replayed on a fresh engine (same scenario, seed and
    policy) up to ``at``; the replay must reproduce the parent's event lines exactly. The branch
    lives in a new session directory beside the parent's, and its header's ``parent`` names the
    parent (its session directory and journal file, SHA-256 of its bytes, and ``at``). The clock
    starts paused.

    Raises:
        ResumeError: ``at`` is past the parent's last event, the scenario file changed, the
            journal was edited, or it does not replay.
        simulator.journal.JournalError: the journal cannot be read.
    """
    import dataclasses
    import hashlib
    import shutil

    from simulator.journal import read_journal
    from simulator.library import journal_scenario
    from simulator.runner import journal_steps

    journal_path = find_journal(parent)
    journal = read_journal(journal_path)
    h = journal.header
    last = journal.events[-1].t if journal.events else 0.0
    if at > last:
        raise ResumeError(f"{journal_path}: the exercise never reached T+{at:g}s (last {last:g}s)")
    if journal.edited_line is not None:
        raise ResumeError(f"{journal_path}:{journal.edited_line}: the line was edited by hand")
    loaded = journal_scenario(journal, None)
    if loaded.sha256 != h.scenario_sha256:
        raise ResumeError(f"{journal_path}: scenario {loaded.path} changed since the session")
    session = Session(
        loaded,
        journal_policy(journal),
        policy_name=h.policy,
        trainee=h.trainee,
        seed=h.seed,
        speed=last_speed(journal) if speed is None else speed,
        journal_dir=journal_path.parent.parent,
        paused=True,
        driver=h.driver,
        seal=seal,
    )
    digest = hashlib.sha256(journal_path.read_bytes()).hexdigest()
    parent_of = {
        "journal": f"{journal_path.parent.name}/{journal_path.name}",
        "sha256": digest,
        "at": at,
    }
    session.journal_path = session._journal_path()
    header = session._header()
    session.header = dataclasses.replace(header, extra={**header.extra, "parent": parent_of})
    writer = JournalWriter(session.journal_path, session.header, seal=seal)
    session.header = writer.header
    engine = session.engine
    produced: list[str] = []
    engine.subscribe(lambda e: produced.append(dumps(e)))
    engine.subscribe(writer)
    engine.start()
    for step in journal_steps(journal):
        if step.at > at:
            break
        engine.run_until(step.at)
        engine.submit(
            step.command,
            by=step.by,
            person=step.person,
            seat=step.seat,
            approved_by=step.approved_by,
        )
    engine.run_until(at)
    if produced != journal.lines[: len(produced)]:
        writer.close()
        shutil.rmtree(session.journal_path.parent, ignore_errors=True)
        pairs = zip(journal.lines, produced, strict=False)
        first = next((i for i, (a, b) in enumerate(pairs) if a != b), len(produced))
        raise ResumeError(f"{journal_path}:{first + 2}: the journal does not replay from here")
    session._writer = writer
    session.resumed_from = engine.now
    return session


def new_session(
    scenario: str,
    *,
    trainee: str | None = None,
    seed: int = 1,
    speed: float = 1.0,
    policy: str = "default",
    journal_dir: Path | str | None = None,
    paused: bool = False,
    driver: str = "tui",
    seal: tuple[str, bytes] | None = None,
) -> Session:
    """Load a scenario (library id or path) and a policy, and prepare a session.

    Raises:
        simulator.yamlio.LoadError: the scenario or policy file is invalid.
        KeyError: no such packaged policy.
        FileNotFoundError: no such policy file.
    """
    loaded = load_scenario(scenario)
    return Session(
        loaded,
        load_policy(policy),
        policy_name=policy,
        trainee=trainee or "trainee",
        seed=seed,
        speed=speed,
        journal_dir=Path(journal_dir) if journal_dir is not None else None,
        paused=paused,
        driver=driver,
        seal=seal,
    )
