"""Build each IC dialog from the session's current state.

The console asks ``Forms`` for a dialog when a key is pressed; tests ask it for the same
dialogs and show them on a bare app. Dialogs are given plain data only (views, policy levels,
scenario entries): this is where the session's snapshot of the engine (its frozen read model)
is read for them, never in a dialog, and never the engine's own state.
"""

from __future__ import annotations

from simulator.durations import format_clock, format_duration
from tui.headless import guide, rules
from tui.headless.session import Session
from tui.screens.dialogs.closing import NoteDialog, PostmortemDialog, ResolveDialog
from tui.screens.dialogs.incident import (
    AcknowledgeDialog,
    ChannelDialog,
    DeclareDialog,
    RenameChannelDialog,
    SeverityDialog,
)
from tui.screens.dialogs.investigation import DiagnosticsDialog, MitigationDialog
from tui.screens.dialogs.people import (
    EscalateDialog,
    HandoffDialog,
    NotifyDialog,
    PageDialog,
    RoleDialog,
)
from tui.screens.dialogs.updates import UpdateDialog


class Forms:
    """The IC's dialogs, filled in from one session."""

    def __init__(self, session: Session) -> None:
        """Read from ``session`` whenever a dialog is asked for."""
        self.session = session

    def acknowledge(self, alert: str | None = None) -> AcknowledgeDialog:
        """Acknowledge a firing alert (``alert`` preselected when it is firing)."""
        session = self.session
        rule = rules.acknowledge_rule(session.policy, session.current_level())
        return AcknowledgeDialog(session.view().alerts, rule, preselect=alert)

    def severity(self) -> SeverityDialog:
        """The policy's levels beside its decision tree."""
        policy = self.session.policy
        tree = policy.decision_tree
        return SeverityDialog(
            policy.levels,
            f"{tree.text}\n\n({tree.source})" if tree is not None else None,
            self.session.snapshot().severity,
        )

    def declare(self) -> DeclareDialog:
        """Declare, with the declaration template filled with what is known."""
        session = self.session
        st = session.snapshot()
        ic = st.role("ic")
        preview = guide.declaration(
            severity=st.severity,
            service=session.update_context().service,
            channel=st.channel,
            ic=session.trainee if ic == "me" else ic,
            levels=[lv.name for lv in session.policy.levels if lv.declare.incident],
            convention=session.policy.rules.channel.convention,
        )
        return DeclareDialog(st.title or session.scenario.title, preview)

    def channel(self) -> ChannelDialog:
        """The channel, prefilled by the policy's naming convention (renamed once it exists)."""
        session = self.session
        rule = session.policy.rules.channel
        existing = session.snapshot().channel
        dialog = ChannelDialog if existing is None else RenameChannelDialog
        return dialog(
            session.channel_suggestion(),
            rule.convention,
            rule.pattern,
            rule=rules.channel_rule(session.policy, session.current_level()),
            existing=existing,
        )

    def role(self) -> RoleDialog:
        """Assign a role to ``me`` or a responder."""
        view = self.session.view()
        rule = rules.ic_rule(self.session.policy)
        return RoleDialog(self.session.trainee, view.responders, view.roles, rule)

    def handoff(self) -> HandoffDialog:
        """Hand the IC role over."""
        view = self.session.view()
        return HandoffDialog(self.session.trainee, view.responders, dict(view.roles).get("ic"))

    def page(self) -> PageDialog:
        """Page a rotation or a responder."""
        session = self.session
        return PageDialog(
            session.view().responders,
            session.snapshot().paged,
            session.current_level(),
        )

    def escalate(self) -> EscalateDialog:
        """Escalate, with the policy's triggers beside."""
        session = self.session
        return EscalateDialog(session.view().responders, session.policy.rules.escalation_triggers)

    def notify(self) -> NotifyDialog:
        """Notify a stakeholder, with the level's matrix beside."""
        notified = tuple((k, v[-1]) for k, v in self.session.snapshot().notified)
        extra = [(x.id, f"{x.name}, {x.role}") for x in self.session.scenario.stakeholders]
        return NotifyDialog(self.session.current_level(), notified, extra)

    def update(self, audience: str = "incident") -> UpdateDialog:
        """Post an update; the status starts where the incident stands."""
        session = self.session
        st = session.snapshot()
        level = session.level_of(st)
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
        return UpdateDialog(
            session.update_context(),
            has_channel=st.channel is not None,
            cadence=cadence,
            audience=audience,
            status=status,
        )

    def diagnose(self) -> DiagnosticsDialog:
        """Delegate a diagnostic, or run it yourself."""
        session = self.session
        return DiagnosticsDialog(
            session.scenario.diagnostics, session.view().responders, session.trainee
        )

    def mitigate(self) -> MitigationDialog:
        """Choose a mitigation."""
        st = self.session.snapshot()
        return MitigationDialog(
            self.session.scenario.mitigations,
            (m for m, _ in st.mitigations_running),
            (m for m, _ in st.mitigations_applied),
        )

    def resolve(self) -> ResolveDialog:
        """Resolve, after the resolution checklist."""
        st = self.session.snapshot()
        view = self.session.view()
        firing = [a.id for a in view.alerts if a.state in ("firing", "acknowledged")]
        cleared = [a.resolved_at for a in st.alerts if a.resolved_at is not None]
        facts = [
            ("Fix applied", ", ".join(view.mitigations_applied) or "no mitigation completed yet"),
            ("Alerts firing", ", ".join(firing) or "none"),
        ]
        if cleared and not firing:
            last = max(cleared)
            facts.append(
                (
                    "Stable for",
                    f"{format_duration(round(st.t - last))} "
                    f"(last alert cleared {format_clock(last)})",
                )
            )
        return ResolveDialog(facts, self.session.policy.rules.stability.says)

    def postmortem(self) -> PostmortemDialog:
        """Schedule the postmortem, with the policy's deadline."""
        session = self.session
        policy, level = session.policy, session.current_level()
        default = rules.postmortem_deadline(policy, level) if level is not None else None
        return PostmortemDialog(
            rules.postmortem_rule(policy, level), rules.postmortem_choices(policy), default
        )

    def note(self) -> NoteDialog:
        """A timeline note."""
        return NoteDialog()
