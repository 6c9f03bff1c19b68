"""Build each IC dialog from the session's current state.

The console asks ``Forms`` for a dialog when a key is pressed; tests ask it for the same
dialogs and show them on a bare app. Dialogs are given plain data only (views, policy levels,
scenario entries): this is where the engine's state is read for them, never in a dialog.
"""

from __future__ import annotations

from simulator.durations import format_clock, format_duration
from tui.headless import guide
from tui.headless.session import Session
from tui.screens import dialogs


class Forms:
    """The IC's dialogs, filled in from one session."""

    def __init__(self, session: Session) -> None:
        """Read from ``session`` whenever a dialog is asked for."""
        self.session = session

    def acknowledge(self, alert: str | None = None) -> dialogs.AcknowledgeDialog:
        """Acknowledge a firing alert (``alert`` preselected when it is firing)."""
        return dialogs.AcknowledgeDialog(self.session.view().alerts, preselect=alert)

    def severity(self) -> dialogs.SeverityDialog:
        """The policy's levels beside its decision tree."""
        policy = self.session.policy
        return dialogs.SeverityDialog(
            policy.levels,
            guide.DECISION_TREES.get(policy.id),
            self.session.engine.state.severity,
        )

    def declare(self) -> dialogs.DeclareDialog:
        """Declare, with the declaration template filled with what is known."""
        session = self.session
        st = session.engine.state
        ic = st.roles.get("ic")
        preview = guide.declaration(
            severity=st.severity,
            service=session.update_context().service,
            channel=st.channel,
            ic=session.trainee if ic == "me" else ic,
        )
        return dialogs.DeclareDialog(st.title or session.scenario.title, preview)

    def channel(self) -> dialogs.ChannelDialog:
        """The channel, prefilled by the policy's naming convention."""
        rule = self.session.policy.rules.channel
        return dialogs.ChannelDialog(
            self.session.channel_suggestion(), rule.convention, rule.pattern
        )

    def role(self) -> dialogs.RoleDialog:
        """Assign a role to ``me`` or a responder."""
        view = self.session.view()
        return dialogs.RoleDialog(self.session.trainee, view.responders, view.roles)

    def handoff(self) -> dialogs.HandoffDialog:
        """Hand the IC role over."""
        view = self.session.view()
        return dialogs.HandoffDialog(
            self.session.trainee, view.responders, dict(view.roles).get("ic")
        )

    def page(self) -> dialogs.PageDialog:
        """Page a rotation or a responder."""
        session = self.session
        return dialogs.PageDialog(
            session.view().responders,
            tuple(session.engine.state.paged.items()),
            session.current_level(),
        )

    def escalate(self) -> dialogs.EscalateDialog:
        """Escalate, with the policy's triggers beside."""
        session = self.session
        return dialogs.EscalateDialog(
            session.view().responders, session.policy.rules.escalation_triggers
        )

    def notify(self) -> dialogs.NotifyDialog:
        """Notify a stakeholder, with the level's matrix beside."""
        notified = tuple((k, v[-1]) for k, v in self.session.engine.state.notified.items())
        return dialogs.NotifyDialog(self.session.current_level(), notified)

    def update(self, audience: str = "incident") -> dialogs.UpdateDialog:
        """Post an update; the status starts where the incident stands."""
        session = self.session
        st = session.engine.state
        level = session.current_level()
        cadence = None
        if level is not None:
            rule = session.policy.updates_for(level)
            every = rule.says if rule is not None else "at milestones"
            cadence = (
                f"{level.name}: incident channel {every}; "
                f"stakeholders {level.stakeholder_updates.says}."
            )
            last = [t for t, aud, _ in st.updates if aud == "incident"]
            if last:
                cadence += f" Last channel update {format_clock(last[-1])}."
        if st.resolved_at is not None:
            status = "resolved"
        elif st.mitigations_applied:
            status = "monitoring"
        elif st.mitigations_running or st.root_cause_found_at is not None:
            status = "identified"
        else:
            status = "investigating"
        return dialogs.UpdateDialog(
            session.update_context(),
            has_channel=st.channel is not None,
            cadence=cadence,
            audience=audience,
            status=status,
        )

    def diagnose(self) -> dialogs.DiagnosticsDialog:
        """Delegate a diagnostic, or run it yourself."""
        session = self.session
        return dialogs.DiagnosticsDialog(
            session.scenario.diagnostics, session.view().responders, session.trainee
        )

    def mitigate(self) -> dialogs.MitigationDialog:
        """Choose a mitigation."""
        st = self.session.engine.state
        return dialogs.MitigationDialog(
            self.session.scenario.mitigations, st.mitigations_running, st.mitigations_applied
        )

    def resolve(self) -> dialogs.ResolveDialog:
        """Resolve, after the resolution checklist."""
        engine = self.session.engine
        view = self.session.view()
        firing = [a.id for a in view.alerts if a.state in ("firing", "acknowledged")]
        cleared = [a.resolved_at for a in engine.alerts.values() if a.resolved_at is not None]
        facts = [
            ("Fix applied", ", ".join(view.mitigations_applied) or "no mitigation completed yet"),
            ("Alerts firing", ", ".join(firing) or "none"),
        ]
        if cleared and not firing:
            last = max(cleared)
            facts.append(
                (
                    "Stable for",
                    f"{format_duration(round(engine.now - last))} "
                    f"(last alert cleared {format_clock(last)})",
                )
            )
        return dialogs.ResolveDialog(facts, self.session.policy.rules.stability.says)

    def postmortem(self) -> dialogs.PostmortemDialog:
        """Schedule the postmortem, with the policy's deadline."""
        return dialogs.PostmortemDialog(self.session.policy.rules.postmortem.says)

    def note(self) -> dialogs.NoteDialog:
        """A timeline note."""
        return dialogs.NoteDialog()
