"""An expert plays api-outage from the first page to the postmortem, through the console only.

Key presses open every form and choose every option; the composer's text is typed into its
TextArea. Sim time moves only with the console's jump key (``j``, one minute), so the run is
deterministic. At the end the engine state, the live assessor and the journal are checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from assessments.assessor import grade_journal
from simulator.engine import Engine
from simulator.journal import read_journal
from simulator.runner import verify
from tests.tui.conftest import SIZE, console, console_app, open_dialog, pick, press, submit
from tui.screens.dialogs.closing import PostmortemDialog, ResolveDialog
from tui.screens.dialogs.incident import (
    AcknowledgeDialog,
    ChannelDialog,
    DeclareDialog,
    SeverityDialog,
)
from tui.screens.dialogs.investigation import DiagnosticsDialog, MitigationDialog
from tui.screens.dialogs.people import NotifyDialog, PageDialog, RoleDialog
from tui.screens.dialogs.updates import UpdateDialog
from tui.screens.summary import SummaryScreen

pytestmark = pytest.mark.slow


async def jump_to(pilot: Pilot[Any], minute: int) -> None:
    """Press the jump key until sim time reaches ``minute`` minutes."""
    engine = console(pilot.app).session.engine  # type: ignore[arg-type]
    while engine.now < minute * 60:
        await press(pilot, "j")
    assert engine.now == minute * 60


async def post(pilot: Pilot[Any], audience: str | None, status: str | None, text: str) -> None:
    """Post an update: pick audience and status, write the text, submit."""
    await open_dialog(pilot, "u", UpdateDialog)
    if audience:
        await pick(pilot, "#audience", audience)
    if status:
        await pick(pilot, "#status", status)
    area = pilot.app.screen.query_one("#text", TextArea)
    area.focus()
    area.load_text(text)
    await submit(pilot)


async def test_an_expert_plays_api_outage_to_the_end_through_the_console(
    journal_dir: Path,
) -> None:
    app = console_app(journal_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = console(app)
        session = screen.session
        engine = session.engine

        # T+02:00: APIErrorRateHigh fired at T+01:05 (15:15:05).
        await jump_to(pilot, 2)
        await open_dialog(pilot, "a", AcknowledgeDialog)  # the one firing alert
        await submit(pilot)
        await open_dialog(pilot, "s", SeverityDialog)
        await pick(pilot, "#severity", "SEV-2")
        await submit(pilot)
        await open_dialog(pilot, "d", DeclareDialog)  # title prefilled
        await submit(pilot)
        await open_dialog(pilot, "c", ChannelDialog)  # name prefilled by convention
        await submit(pilot)
        await open_dialog(pilot, "r", RoleDialog)  # role IC preselected
        await pick(pilot, "#person", "me (")
        await submit(pilot)
        await open_dialog(pilot, "r", RoleDialog)
        await pick(pilot, "#role", "Scribe")
        await pick(pilot, "#person", "Carol")
        await submit(pilot)
        await open_dialog(pilot, "p", PageDialog)
        await pick(pilot, "#target", "Primary")
        await submit(pilot)
        await open_dialog(pilot, "p", PageDialog)
        await pick(pilot, "#target", "Dana")
        await submit(pilot)
        await open_dialog(pilot, "i", DiagnosticsDialog)
        await pick(pilot, "#diagnostic", "API error")
        await pick(pilot, "#who", "Bob")
        await submit(pilot)
        for stakeholder in ("Customer", "Engineering", "CTO", "CEO"):
            await open_dialog(pilot, "n", NotifyDialog)
            await pick(pilot, "#stakeholder", stakeholder)
            await submit(pilot)
        await post(
            pilot,
            "Status",
            None,
            "We are currently investigating issues with VirtEngine API.\n"
            "Users may see errors when verifying identities and deploying.\n"
            "We will provide updates as more information becomes available.",
        )
        await post(
            pilot,
            None,
            None,
            "[15:16] INVESTIGATING - API errors at ~45%\n\n"
            "Impact: ~45% of API requests failing\nCurrent Status: checking logs\n"
            "Actions: @bob API logs, @dana paged\nNext Update: 15:31 UTC",
        )
        await post(
            pilot,
            "Stakeholders",
            None,
            "SEV-2: about 45% of API requests fail. Next update within the hour.",
        )

        # T+05:00: Bob's logs are back: connection refused to ml-inference.
        await jump_to(pilot, 5)
        assert engine.state.root_cause_found_at is not None
        await open_dialog(pilot, "m", MitigationDialog)
        await pick(pilot, "#mitigation", "Restart the ML")
        await submit(pilot)
        await post(pilot, "Status", "Identified", "The cause is known: a scoring service.")
        await post(pilot, "Incident", "Identified", "IDENTIFIED: restarting ml-inference.")

        # T+09:00: the restart finished at T+08:00; the error rate is falling.
        await jump_to(pilot, 9)
        assert "restart-ml-inference" in engine.state.mitigations_applied
        await post(pilot, "Incident", "Monitoring", "MONITORING: inference back, watching.")
        await post(pilot, "Status", "Monitoring", "A fix has been implemented; monitoring.")
        await jump_to(pilot, 20)
        await post(pilot, "Incident", "Monitoring", "MONITORING: stable for 10 minutes.")

        # T+27:00: stable for the whole window.
        await jump_to(pilot, 27)
        await post(pilot, "Incident", "Resolved", "RESOLVED: error rate at baseline.")
        await post(pilot, "Status", "Resolved", "The issue has been resolved.")
        await post(pilot, "Stakeholders", "Resolved", "Resolved after 26 minutes.")
        await open_dialog(pilot, "R", ResolveDialog)
        await submit(pilot)
        await open_dialog(pilot, "P", PostmortemDialog)  # 48 hours preselected
        await submit(pilot)
        await pilot.pause()

        assert engine.ended == "completed"
        assert isinstance(app.screen, SummaryScreen)
        st = engine.state
        assert st.channel == "#incident-2026-01-30-1515"
        assert st.roles["ic"] == "me"
        assert st.severity == "SEV-2"
        assert set(st.mitigations_applied) == {"restart-ml-inference"}
        assert st.resolved_at == 27 * 60
        assert session.rejected == 0
        assessment = session.assessment(final=True)
        failed = [(c.id, c.detail) for c in assessment.criteria if c.status == "failed"]
        assert assessment.passed, failed
        assert screen.summary is not None and screen.summary.passed

    # The journal is closed, says who drove it, grades the same and replays byte for byte.
    assert session.journal_path is not None
    journal = read_journal(session.journal_path)
    assert journal.header.driver == "tui"
    assert journal.header.trainee == "Ada"
    assert journal.ended
    assert grade_journal(journal).passed
    fresh = Engine(
        session.scenario, seed=1, severity_levels=session.policy.level_names, trainee="Ada"
    )
    assert verify(journal, fresh).identical
