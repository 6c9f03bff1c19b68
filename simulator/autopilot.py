"""Built-in trainee profiles that play any scenario through the ordinary command path.

``expert`` does the right things on time: it acknowledges, classifies as the scenario expects,
runs the incident by the policy's playbook, delegates the diagnostics that find the cause,
applies the mitigation that clears it, waits out the stability window and schedules the
postmortem. ``novice`` makes the mistakes facilitators see in first exercises: it is late, picks
the wrong severity, names the channel wrongly, debugs by itself, tries a wrong mitigation,
forgets updates and declares resolution the moment the graphs look green.

An autopilot only reacts to events and plans commands at later sim times; the runner submits
them between slices, so a journal of an autopilot run replays like any other. Its own random
generator is derived from the run's seed and never touches the engine's.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal

from simulator import commands as cmd
from simulator import events as ev
from simulator.engine import Engine
from simulator.model import (
    Condition,
    Diagnostic,
    FaultIs,
    Mitigation,
    Requirement,
    Scenario,
    Since,
    walk_condition,
)
from simulator.playbook import Escalation, Playbook

Profile = Literal["expert", "novice"]
PROFILES: tuple[Profile, ...] = ("expert", "novice")

Plan = Callable[[Engine], cmd.Command | None]
"""Called at the planned time; returns a command to submit, or ``None`` to skip."""


class Autopilot:
    """A simulated trainee. Use as a runner driver: ``run(engine, Autopilot(...))``."""

    max_step = 1.0

    def __init__(
        self, profile: Profile, scenario: Scenario, playbook: Playbook, *, seed: int
    ) -> None:
        """Prepare a profile for one scenario under one policy level.

        Args:
            profile: ``expert`` or ``novice``.
            scenario: The scenario being played.
            playbook: What the policy in force requires at the scenario's level.
            seed: The run's seed; the autopilot derives its own generator from it.
        """
        self.profile = profile
        self.scenario = scenario
        self.playbook = playbook
        self.rng = random.Random(f"autopilot:{profile}:{seed}")
        self._heap: list[tuple[float, int, Plan]] = []
        self._seq = itertools.count()
        self._engine: Engine | None = None
        self._t0: float | None = None
        self._firing: set[str] = set()
        self._impact = ""
        self._revealed: set[str] = set()
        self._active_root: set[str] = set()
        self._cleared_root: set[str] = set()
        self._mitigating: set[str] = set()
        self._recovered_at: float | None = None
        self._resolving = False
        self._delegated: set[str] = set()
        self._root = {f.id for f in scenario.faults if f.root_cause}

    # ------------------------------------------------------------------ driver protocol

    def attach(self, engine: Engine) -> None:
        self._engine = engine
        engine.subscribe(self._on_event)

    def next_time(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def act(self, engine: Engine) -> None:
        while self._heap and self._heap[0][0] <= engine.now:
            _, _, plan = heapq.heappop(self._heap)
            command = plan(engine)
            if command is not None:
                engine.submit(command)

    # ------------------------------------------------------------------ planning

    def _at(self, t: float, plan: Plan) -> None:
        now = self._engine.now if self._engine else 0.0
        when = float(math.ceil(max(t, now + 1.0)))
        heapq.heappush(self._heap, (when, next(self._seq), plan))

    def _do(self, t: float, command: cmd.Command) -> None:
        self._at(t, lambda _e: command)

    def _jitter(self, base: float, spread: float = 0.2) -> float:
        return base * self.rng.uniform(1.0 - spread, 1.0 + spread)

    @property
    def expert(self) -> bool:
        return self.profile == "expert"

    # ------------------------------------------------------------------ reactions

    def _on_event(self, e: ev.Event) -> None:
        if isinstance(e, ev.AlertFiring):
            self._firing.add(e.alert)
            self._impact = self._impact or e.summary
            self._plan_ack(e)
            if self._t0 is None:
                self._t0 = e.t
                self._take_command(e.t)
        elif isinstance(e, ev.AlertResolved):
            self._firing.discard(e.alert)
            self._check_recovery(e.t)
        elif isinstance(e, ev.FaultStarted):
            if e.fault in self._root:
                self._active_root.add(e.fault)
                self._cleared_root.discard(e.fault)
                self._recovered_at = None
                if self._t0 is not None and e.fault not in self._revealed:
                    self._investigate(e.t, e.fault)
        elif isinstance(e, ev.FaultCleared):
            if e.fault in self._active_root:
                self._active_root.discard(e.fault)
                self._cleared_root.add(e.fault)
            self._check_recovery(e.t)
        elif isinstance(e, ev.DiagnosticResult):
            new = [f for f in e.reveals if f in self._root and f not in self._revealed]
            self._revealed.update(new)
            for fault in new:
                self._mitigate(e.t, fault)
        elif isinstance(e, ev.ResponderJoined):
            self._pending_delegations(e.t)
        elif isinstance(e, ev.MitigationFinished):
            self._mitigating.discard(e.mitigation)
            if e.cleared and self.expert:
                self._do(
                    e.t + 20,
                    cmd.PostUpdate(
                        audience="incident",
                        status="monitoring",
                        text=(
                            f"MONITORING - {self.scenario.title}. Mitigation complete; watching metrics "
                            "for the stability window before resolving."
                        ),
                    ),
                )
                if self.playbook.status_page_within_s is not None:
                    self._do(
                        e.t + 40,
                        cmd.PostUpdate(
                            audience="status_page",
                            status="monitoring",
                            text=(
                                "A fix has been implemented. We are monitoring the results and expect "
                                "service to be fully restored shortly."
                            ),
                        ),
                    )
            self._check_recovery(e.t)

    def _plan_ack(self, e: ev.AlertFiring) -> None:
        delay = self._jitter(35) if self.expert else self._jitter(200, 0.1)

        def ack(engine: Engine) -> cmd.Command | None:
            if engine.alert_state(e.alert) == "firing":
                return cmd.Acknowledge(alert=e.alert)
            return None

        self._at(e.t + delay, ack)

    # ------------------------------------------------------------------ the first minutes

    def _take_command(self, t0: float) -> None:
        pb, s = self.playbook, self.scenario
        expert = self.expert
        level = pb.level if expert else _wrong_level(pb)
        rationale = s.expected.rationale if expert else "Seems bad but probably not the worst."
        self._do(t0 + (60 if expert else 330), cmd.Classify(severity=level, rationale=rationale))
        declare = pb.declare and s.expected.declare
        if not declare and expert:
            self._confirm_not_incident(t0)
            return
        self._do(t0 + (75 if expert else 360), cmd.Declare(title=s.title))
        channel_at = t0 + (100 if expert else 420)
        self._do(
            channel_at,
            cmd.CreateChannel(name=self._channel_name(t0) if expert else f"#{s.id}"[:80]),
        )
        if expert:
            if pb.ic_required:
                self._do(
                    t0 + 110, cmd.AssignRole(role="ic", person="me", rationale="Taking command.")
                )
            helpers = [r.id for r in s.responders if r.available]
            for i, role in enumerate(pb.roles):
                if i < len(helpers):
                    self._do(t0 + 115 + i * 5, cmd.AssignRole(role=role, person=helpers[i]))
            for i, target in enumerate(pb.page):
                self._do(t0 + 125 + i * 3, cmd.Page(target=target))
            for i, responder in enumerate(s.expected.page):
                self._do(
                    t0 + 140 + i * 3, cmd.Page(target=responder, rationale="Subject-matter expert.")
                )
            if pb.status_page_within_s is not None:
                due = min(t0 + pb.status_page_within_s - 30, t0 + 170)
                self._do(
                    max(due, t0 + 150),
                    cmd.PostUpdate(
                        audience="status_page",
                        status="investigating",
                        text=(
                            f"We are currently investigating issues with {s.title}. "
                            "We will provide updates as more information becomes available."
                        ),
                    ),
                )
            for i, n in enumerate(pb.notify):
                due = max(t0 + 160 + i * 4, min(t0 + n.within_s - 60, t0 + 300))
                self._do(due, cmd.Notify(stakeholder=n.stakeholder))
            for target in s.expected.escalate_to:
                self._do(
                    t0 + 200,
                    cmd.Escalate(
                        to=target, reason="Per the escalation matrix for this incident type."
                    ),
                )
            self._plan_update(t0 + 180, first=True)
            if pb.stakeholder_cadence_s is not None:
                self._plan_stakeholder_update(t0 + 240)
            self._plan_escalation_check(t0)
        else:
            self._do(t0 + 840, cmd.AssignRole(role="ic", person="me"))
            self._do(t0 + 450, cmd.Page(target="primary"))
            self._do(
                t0 + 1300,
                cmd.PostUpdate(
                    audience="incident", status="investigating", text="Still looking into it."
                ),
            )
            self._do(t0 + 2400, cmd.Notify(stakeholder="eng_lead"))
        for fault in sorted(self._active_root):
            self._investigate(t0 + (150 if expert else 480), fault)

    def _confirm_not_incident(self, t0: float) -> None:
        for i, d in enumerate(self.scenario.diagnostics[:1]):
            self._delegate_or_run(t0 + 90 + i * 10, d)
        self._do(t0 + 300, cmd.Note(text="Known issue / planned work: no incident declared."))

    def _channel_name(self, t0: float) -> str:
        moment = self.scenario.start + timedelta(seconds=t0)
        return moment.strftime(self.playbook.channel_format).lower()

    def _plan_update(self, t: float, *, first: bool = False) -> None:
        cadence = self.playbook.update_cadence_s

        def post(engine: Engine) -> cmd.Command | None:
            if engine.state.resolved_at is not None or self._resolving:
                return None
            if cadence is not None:
                self._plan_update(engine.now + max(60.0, cadence - 90))
            status = self._status()
            return cmd.PostUpdate(
                audience="incident", status=status, text=self._update_text(engine, status)
            )

        if first or cadence is not None:
            self._at(t, post)

    def _plan_stakeholder_update(self, t: float) -> None:
        cadence = self.playbook.stakeholder_cadence_s
        assert cadence is not None

        def post(engine: Engine) -> cmd.Command | None:
            if engine.state.resolved_at is not None or self._resolving:
                return None
            self._plan_stakeholder_update(engine.now + max(60.0, cadence - 120))
            status = self._status()
            return cmd.PostUpdate(
                audience="stakeholders", status=status, text=self._update_text(engine, status)
            )

        self._at(t, post)

    def _status(self) -> Any:
        if self._cleared_root and not self._active_root:
            return "monitoring"
        return "identified" if self._revealed else "investigating"

    def _update_text(self, engine: Engine, status: str) -> str:
        clock = engine.clock()[:5]
        known = {
            "investigating": "Cause under investigation; diagnostics delegated.",
            "identified": "Cause identified; mitigation in progress.",
            "monitoring": "Mitigation applied; watching for stability.",
        }.get(status, "")
        return (
            f"[{clock}] {status.upper()} - {self.scenario.title}\n"
            f"Impact: {self._impact}\n"
            f"Current status: {known}\n"
            "Next update: on the cadence for this severity."
        )

    def _plan_escalation_check(self, t0: float) -> None:
        """Every timed escalation rule of the level, checked a minute before it falls due."""
        reasons = {
            "root_cause_not_found": "No root cause within the escalation window.",
            "not_resolved": "Still unresolved: per the escalation matrix.",
            "impact_ongoing": "Customer impact continues: per the escalation rules.",
        }
        for rule in self.playbook.escalations:

            def check(engine: Engine, rule: Escalation = rule) -> cmd.Command | None:
                st = engine.state
                if st.resolved_at is not None:
                    return None
                if rule.target == "ic_rotation" and "ic" in st.roles:
                    return None
                if any(to == rule.target for _, to in st.escalations):
                    return None
                if rule.condition == "root_cause_not_found" and st.root_cause_found_at is not None:
                    return None
                if rule.condition == "impact_ongoing" and not self._impact_on(engine):
                    return None
                return cmd.Escalate(to=rule.target, reason=reasons.get(rule.condition))

            self._at(t0 + max(rule.after_s - 60, 0.0), check)

    def _impact_on(self, engine: Engine) -> bool:
        """Whether a root cause is active or an alert on the incident's impact is firing."""
        roots = {f.id for f in self.scenario.faults if f.root_cause}
        if roots & set(engine.active_faults()):
            return True
        noise = {a.id for a in self.scenario.alerts if a.unrelated}
        return any(
            engine.alert_state(a.id) in ("firing", "acknowledged")
            for a in self.scenario.alerts
            if a.id not in noise
        )

    # ------------------------------------------------------------------ investigation

    def _revealing(self, fault: str) -> list[Diagnostic]:
        return [
            d for d in self.scenario.diagnostics if any(fault in o.reveals for o in d.all_outputs())
        ]

    def _investigate(self, t: float, fault: str) -> None:
        diagnostics = self._revealing(fault)
        if not self.expert:
            herrings = [d for d in self.scenario.diagnostics if d.red_herring]
            for d in herrings[:1]:
                self._do(t, cmd.RunDiagnostic(diagnostic=d.id, choice=self._choice_for(d)))
                t += d.duration * 1.2 + 30
            wrong = self._wrong_mitigation()
            if wrong is not None:
                self._do(
                    t + 60,
                    cmd.ApplyMitigation(mitigation=wrong.id, rationale="Restarting usually helps."),
                )
            for d in diagnostics[:1]:
                self._do(t + 120, cmd.RunDiagnostic(diagnostic=d.id, choice=self._choice_for(d)))
            return
        for d in diagnostics[:1]:
            self._delegate_or_run(t, d)

    def _delegate_or_run(self, t: float, d: Diagnostic) -> None:
        def plan(engine: Engine) -> cmd.Command | None:
            if d.id in self._delegated:
                return None
            who = self._responder_for(engine, d)
            if who is None:
                return None
            self._delegated.add(d.id)
            return cmd.Delegate(
                choice=self._choice_for(d),
                diagnostic=d.id,
                responder=who,
                rationale="Delegating so I can keep coordinating.",
            )

        self._at(t, plan)

    def _choice_for(self, d: Diagnostic) -> str | None:
        """The expert's choice reveals a cause or finds something; the novice takes the first."""
        if not d.choices:
            return None
        if self.expert:
            for choice in d.choices:
                if any(o.reveals or o.finds for o in choice.outputs):
                    return choice.id
        return d.choices[0].id

    def _pending_delegations(self, t: float) -> None:
        for fault in sorted(self._active_root - self._revealed):
            for d in self._revealing(fault)[:1]:
                if self.expert and d.id not in self._delegated:
                    self._delegate_or_run(t + 20, d)

    def _responder_for(self, engine: Engine, d: Diagnostic) -> str | None:
        best: tuple[int, str] | None = None
        for rid, r in engine.responders.items():
            if not r.joined or engine.now < r.busy_until:
                continue
            rank = 0 if d.skill is None or d.skill in r.responder.skills else 1
            if best is None or rank < best[0]:
                best = (rank, rid)
        if best is None or best[0] == 1:
            on_the_way = [
                r
                for r in engine.responders.values()
                if d.skill in r.responder.skills
                and not r.joined
                and r.responder.id in engine.state.paged
            ]
            if on_the_way:
                return None  # wait for them: delegation is retried when they join
            skilled = [
                r
                for r in engine.responders.values()
                if d.skill in r.responder.skills
                and not r.joined
                and r.responder.id not in engine.state.paged
            ]
            if skilled:
                self._do(
                    engine.now + 1,
                    cmd.Page(
                        target=skilled[0].responder.id, rationale=f"Need {d.skill} expertise."
                    ),
                )
                return None
        return best[1] if best else None

    def _wrong_mitigation(self) -> Mitigation | None:
        for m in self.scenario.mitigations:
            if not any(f in self._root for f in m.clears):
                return m
        return None

    def _mitigate(self, t: float, fault: str) -> None:
        # A precondition's side effect is avoided by meeting it first; any other is a wrong call.
        # A case that would start a fault is avoided by clearing the fault its `when` waits on.
        options = [
            m
            for m in self.scenario.mitigations
            if fault in m.clears and not m.starts and not any(c.starts for c in m.cases)
        ] or [m for m in self.scenario.mitigations if fault in m.clears and not m.starts]
        if not options:
            return
        best = min(options, key=lambda m: (m.duration, m.id))
        if best.id in self._mitigating:
            return
        self._mitigating.add(best.id)
        delay = 45 if self.expert else 120
        apply = cmd.ApplyMitigation(mitigation=best.id, rationale=f"Diagnosis points at: {fault}.")

        def when_ready(engine: Engine) -> cmd.Command | None:
            # The expert meets a precondition first (pages the person, gets the finding);
            # the novice just tries.
            ready = best.offered is None or engine.holds(best.offered)
            harmful = [c for c in best.cases if c.starts and engine.holds(c.when)]
            if self.expert and (not ready or engine.unmet(best.requires) or harmful):
                if best.requires is not None:
                    self._meet(engine, best.requires)
                for case in harmful:
                    self._defuse(engine, case.when)
                if engine.now < engine.end_time - 30:
                    self._at(engine.now + 20, when_ready)
                return None
            return apply

        self._at(t + delay, when_ready)
        if self.expert:
            self._at(
                t + delay + 15,
                lambda e: cmd.PostUpdate(
                    audience="incident",
                    status="identified",
                    text=self._update_text(e, "identified"),
                ),
            )

    def _defuse(self, engine: Engine, when: Condition) -> None:
        """Work towards a harmful case no longer holding: clear each active fault it waits on
        with a mitigation that starts nothing (meeting that one's precondition first)."""
        state = engine.state
        for _, cond in walk_condition(when, ()):
            if not isinstance(cond, FaultIs) or not cond.active:
                continue
            if cond.fault not in engine.active_faults():
                continue
            fix = next(
                (
                    m
                    for m in self.scenario.mitigations
                    if cond.fault in m.clears
                    and not m.starts
                    and not any(c.starts for c in m.cases)
                ),
                None,
            )
            if fix is None or fix.id in state.mitigations_running:
                continue
            if fix.offered is not None and not engine.holds(fix.offered):
                continue
            if engine.unmet(fix.requires):
                if fix.requires is not None:
                    self._meet(engine, fix.requires)
                continue
            if fix.id not in self._mitigating:
                self._mitigating.add(fix.id)
                self._do(
                    engine.now + 1,
                    cmd.ApplyMitigation(
                        mitigation=fix.id, rationale=f"Make it safe first: clear {cond.fault}."
                    ),
                )

    def _meet(self, engine: Engine, req: Requirement) -> None:
        """Work towards a precondition: page whoever it needs, delegate what finds what it needs."""
        wanted = [r for r in engine.responders.values() if r.responder.id == req.responder]
        if req.skill is not None and not any(
            r.joined and req.skill in r.responder.skills for r in engine.responders.values()
        ):
            wanted += [r for r in engine.responders.values() if req.skill in r.responder.skills][:1]
        for r in wanted:
            if not r.joined and r.responder.id not in engine.state.paged:
                self._do(
                    engine.now + 1,
                    cmd.Page(target=r.responder.id, rationale="Only they can carry out the fix."),
                )
        if req.when is not None:
            for _, cond in walk_condition(req.when, ()):
                if not isinstance(cond, Since) or not cond.since.startswith("mitigation:"):
                    continue
                name = cond.since.partition(":")[2]
                state = engine.state
                if name in state.mitigations_applied or name in state.mitigations_running:
                    continue
                if name not in self._mitigating:
                    self._mitigating.add(name)
                    self._do(
                        engine.now + 1,
                        cmd.ApplyMitigation(mitigation=name, rationale="A safeguard first."),
                    )
        for finding in req.known:
            if finding in engine.findings:
                continue
            for d in self.scenario.diagnostics:
                if any(finding in (*o.finds, *o.reveals) for o in d.all_outputs()):
                    if d.id not in self._delegated:
                        self._delegate_or_run(engine.now + 2, d)
                    break

    # ------------------------------------------------------------------ resolution

    def _check_recovery(self, t: float) -> None:
        if self._t0 is None or self._resolving:
            return
        if self._active_root or not self._cleared_root or self._firing:
            self._recovered_at = None
            return
        if self._recovered_at is not None:
            return
        self._recovered_at = t
        stamp = t
        wait = self.playbook.stability_window_s + 60 if self.expert else 30

        def resolve_if_stable(engine: Engine) -> cmd.Command | None:
            if self._recovered_at != stamp or self._active_root or self._firing:
                return None
            self._resolve(engine)
            return None

        self._at(t + wait, resolve_if_stable)

    def _resolve(self, engine: Engine) -> None:
        self._resolving = True
        now = engine.now
        if not self.expert:
            self._do(now, cmd.Resolve())
            return
        duration = int((now - (self._t0 or 0)) // 60)
        self._do(
            now,
            cmd.PostUpdate(
                audience="incident",
                status="resolved",
                text=(
                    f"[{engine.clock()[:5]}] RESOLVED - {self.scenario.title}. Metrics stable for the "
                    "stability window. Postmortem to follow."
                ),
            ),
        )
        if self.playbook.status_page_within_s is not None:
            self._do(
                now + 1,
                cmd.PostUpdate(
                    audience="status_page",
                    status="resolved",
                    text=(
                        f"The issue affecting {self.scenario.title} has been resolved. Duration: {duration} minutes. "
                        "A detailed post-incident review will be published within 5 business days."
                    ),
                ),
            )
        if self.playbook.stakeholder_cadence_s is not None or self.playbook.notify:
            self._do(
                now + 2,
                cmd.PostUpdate(
                    audience="stakeholders",
                    status="resolved",
                    text=(
                        f"Resolved: {self.scenario.title} after {duration} minutes. Postmortem scheduled."
                    ),
                ),
            )
        self._do(now + 3, cmd.Resolve(rationale="Recovered and stable for the stability window."))
        self._do(
            now + 4,
            cmd.SchedulePostmortem(within=min(24 * 3600.0, self.playbook.postmortem_within_s)),
        )


def _wrong_level(pb: Playbook) -> str:
    """One level less severe than the right one (or more severe at the bottom of the scale)."""
    i = pb.levels.index(pb.level) if pb.level in pb.levels else 0
    return pb.levels[i + 1] if i + 1 < len(pb.levels) else pb.levels[max(0, i - 1)]
