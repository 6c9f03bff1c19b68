"""Every IC form keeps itself open with a message when something is missing or malformed, and
submits nothing; what the engine refuses is shown with its reason and changes nothing.

The forms are built by ``Forms`` from a real session (as the console builds them) and shown on
a bare app; the last test goes through the console to check what a refusal looks like there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from simulator import commands as cmd
from simulator import events as ev
from simulator.library import load_scenario
from tests.tui.conftest import (
    SIZE,
    DialogHost,
    advance_to,
    console,
    console_app,
    forms_at,
    open_dialog,
    pick,
)
from tests.tui.textual_private import footer_keys, screen_lines
from tui.screens.dialogs.base import ActionDialog
from tui.screens.dialogs.incident import AcknowledgeDialog
from tui.screens.dialogs.investigation import DiagnosticsDialog
from tui.screens.dialogs.updates import UpdateDialog
from tui.screens.forms import Forms
from tui.screens.messages import SimUpdated
from tui.screens.widgets import Timeline

Build = Callable[[Forms], ActionDialog[Any]]
Prepare = Callable[[Pilot[Any], Any], Awaitable[None]]


async def nothing(pilot: Pilot[Any], dialog: Any) -> None:
    """Leave the form as it opened."""


async def clear_input(pilot: Pilot[Any], dialog: Any) -> None:
    dialog.query_one("#form Input", Input).value = ""


async def bad_channel(pilot: Pilot[Any], dialog: Any) -> None:
    dialog.query_one("#name", Input).value = "Incident 15:15"


async def diagnostic_only(pilot: Pilot[Any], dialog: Any) -> None:
    await pick(pilot, "#diagnostic", "API error")


async def blank_select(pilot: Pilot[Any], dialog: Any) -> None:
    dialog.query_one("#within", Select).clear()


async def empty_text(pilot: Pilot[Any], dialog: Any) -> None:
    dialog.query_one("#text", TextArea).load_text("   ")


CASES: list[tuple[str, Build, Prepare, str]] = [
    ("acknowledge-nothing-firing", Forms.acknowledge, nothing, "No alert is firing"),
    ("severity-no-level", Forms.severity, nothing, "Pick a severity level"),
    ("declare-empty-title", Forms.declare, clear_input, "Give the incident a title"),
    ("channel-empty", Forms.channel, clear_input, "Type a channel name"),
    ("channel-malformed", Forms.channel, bad_channel, "starts with #"),
    ("role-no-person", Forms.role, nothing, "Pick who takes the role"),
    ("page-no-target", Forms.page, nothing, "Pick whom to page"),
    ("escalate-no-target", Forms.escalate, nothing, "Pick whom to escalate to"),
    ("notify-no-stakeholder", Forms.notify, nothing, "Pick a stakeholder"),
    ("update-template-blanks", Forms.update, nothing, "Fill in the template"),
    ("update-empty", Forms.update, empty_text, "Write the update"),
    ("diagnose-no-diagnostic", Forms.diagnose, nothing, "Pick a diagnostic"),
    ("diagnose-no-responder", Forms.diagnose, diagnostic_only, "Pick a responder"),
    ("mitigate-no-mitigation", Forms.mitigate, nothing, "Pick a mitigation"),
    ("handoff-no-person", Forms.handoff, nothing, "Pick the new IC"),
    ("postmortem-no-time", Forms.postmortem, blank_select, "Pick when"),
    ("note-empty", Forms.note, nothing, "Write the note first"),
]


@pytest.mark.parametrize(
    ("build", "prepare", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_a_form_with_missing_or_bad_input_stays_open_and_says_why(
    journal_dir: Path, build: Build, prepare: Prepare, message: str
) -> None:
    dialog = build(forms_at(journal_dir, 0))
    app = DialogHost(dialog)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await prepare(pilot, dialog)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        error = dialog.query_one("#error")
        assert error.has_class("-shown")
        assert message in str(error.render())
        assert app.results == []


async def test_acknowledge_asks_which_alert_when_two_are_firing(journal_dir: Path) -> None:
    dialog = forms_at(journal_dir, 150).acknowledge()  # APIErrorRateHigh and APILatencyHigh
    app = DialogHost(dialog)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Pick the firing alert" in str(dialog.query_one("#error").render())
        await pick(pilot, "#alert", "APILatencyHigh")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [cmd.Acknowledge(alert="APILatencyHigh")]


async def test_escape_cancels_a_form_without_acting(journal_dir: Path) -> None:
    dialog = forms_at(journal_dir, 0).note()
    app = DialogHost(dialog)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog.query_one("#text", Input).value = "written, then abandoned"
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_running_a_diagnostic_yourself_warns_that_the_ic_goes_heads_down(
    journal_dir: Path,
) -> None:
    dialog = forms_at(journal_dir, 120).diagnose()
    app = DialogHost(dialog)
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "#diagnostic", "deployments")
        await pick(pilot, "#who", "run it myself")
        assert "heads-down" in str(dialog.query_one("#who-warning").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [cmd.RunDiagnostic(diagnostic="check-deployments")]


async def test_the_update_composer_follows_the_chosen_audience_and_status(
    journal_dir: Path,
) -> None:
    dialog = forms_at(journal_dir, 120, cmd.Classify(severity="SEV-2")).update()
    app = DialogHost(dialog)
    async with app.run_test(size=SIZE) as pilot:
        area = dialog.query_one("#text", TextArea)
        assert area.text.startswith("[15:16] INVESTIGATING - API outage")
        assert area.text.endswith("Next Update: 15:31 UTC")
        await pick(pilot, "#audience", "Status page")
        assert area.text.startswith("We are currently investigating issues with VirtEngine API.")
        await pick(pilot, "#status", "Resolved")
        assert "Duration: 1 minutes" in area.text


async def test_the_channel_form_says_whether_a_name_follows_the_convention(
    journal_dir: Path,
) -> None:
    dialog = forms_at(journal_dir, 120).channel()
    app = DialogHost(dialog)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        hint = dialog.query_one("#convention")
        assert dialog.query_one("#name", Input).value == "#incident-2026-01-30-1515"
        assert "✔ follows #incident-YYYY-MM-DD-HHMM" in str(hint.render())
        dialog.query_one("#name", Input).value = "#api-outage"
        await pilot.pause()
        assert "⚠ does not follow" in str(hint.render())


async def test_what_the_engine_refuses_is_shown_with_its_reason_and_changes_nothing(
    journal_dir: Path,
) -> None:
    seen: list[Message] = []
    app = console_app(journal_dir)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        session = console(app).session
        await advance_to(pilot, 120)
        dialog = await open_dialog(pilot, "u", UpdateDialog)  # no channel yet
        dialog.query_one("#text", TextArea).load_text("INVESTIGATING: API errors at 45%.")
        await pilot.press("ctrl+s")
        await pilot.pause()

        reason = "there is no incident channel yet: create it first"
        assert app.screen is console(app)
        assert session.engine.state.updates == []
        assert session.rejected == 1
        notices = {id(m): m for m in seen if isinstance(m, Notify)}.values()
        assert any(reason in n.notification.message for n in notices)
        updates = [m for m in seen if isinstance(m, SimUpdated)]
        rejected = [e for m in updates for e in m.events if isinstance(e, ev.ActionRejected)]
        assert [e.reason for e in rejected] == [reason]
        timeline = console(app).query_one(Timeline)
        assert any(f"rejected: {reason}" in line for line in timeline.plain)


# --------------------------------------------------------------------------- the policy in force

POLICY_TEXT: dict[str, dict[str, list[str]]] = {
    # Written from the policy files: default (training module), AgentOS and NEXUS runbooks.
    "default": {
        "acknowledge": ["within 2m", "Time to acknowledge alert: < 2 minutes"],
        "channel": ["within 5m", "Time to create incident channel: < 5 minutes"],
        "role": ["SEV-1 5m, SEV-2 10m", "optional at SEV-3"],
        "severity": ["Is service completely down?", "Severity Decision Tree"],
        "postmortem": ["within 48h at SEV-2"],
    },
    "agentos": {
        "acknowledge": ["within 15m, P1's response time"],
        "channel": ["within 15m, P1's response time"],
        "role": ["P0 5m, P1 15m", "optional at P2, P3"],
        "severity": ["Is this affecting production?", "Phase 2: Triage"],
        "postmortem": ["within 48h at P1", "P1 | 48 hours | 1 week"],
    },
    "nexus": {
        "acknowledge": ["within 5m", "Detection & Triage (0-5 minutes)"],
        "channel": ["within 5m"],
        "role": ["P0 5m, P1 5m"],
        "severity": ["P1 · High"],
        "postmortem": ["within 48h at P1", "Step 5: Post-Mortem (Within 48 hours)"],
    },
}
"""What each dialog must say under each policy (api-outage is SEV-2 / P1 / P1)."""

POSTMORTEM_CHOICES = {
    "default": [172800.0],
    "agentos": [86400.0, 172800.0, 604800.0, 1209600.0],
    "nexus": [172800.0],
}
"""The postmortem deadlines each policy sets, in seconds (default and NEXUS: 48 hours at every
declared level; AgentOS: P0 24 h, P1 48 h, P2 1 week, P3 2 weeks)."""


def _plain(renderable: Any) -> str:
    from rich.console import Console

    out = Console(width=200, record=True, color_system=None)
    with out.capture() as captured:
        out.print(renderable)
    return " ".join(captured.get().split())


@pytest.mark.parametrize("policy", ["default", "agentos", "nexus"])
async def test_every_dialog_states_the_policy_in_force(journal_dir: Path, policy: str) -> None:
    from tui.headless.session import new_session

    session = new_session(
        "api-outage", trainee="Ada", journal_dir=journal_dir, paused=True, policy=policy
    )
    session.open(0.0)
    session.jump(120)
    level = session.policy.level_for("high")
    assert session.submit(cmd.Classify(severity=level.name)).accepted
    forms = Forms(session)
    for name, wanted in POLICY_TEXT[policy].items():
        dialog = getattr(forms, name)()
        text = _plain(dialog.help())
        for words in wanted:
            assert words in text, (policy, name, text)
        app = DialogHost(dialog)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            if name == "postmortem":
                assert [s for _, s in dialog.choices] == POSTMORTEM_CHOICES[policy]
                await pilot.press("ctrl+s")
                await pilot.pause()
                [submitted] = app.results
                assert submitted.within == session.policy.playbook(level.name).postmortem_within_s
    assert "10 minutes" not in _plain(forms.role().help()) or policy == "default"


async def test_the_channel_dialog_renames_a_channel_that_exists(journal_dir: Path) -> None:
    forms = forms_at(journal_dir, 120, cmd.CreateChannel(name="#api-errors"))
    dialog = forms.channel()
    assert dialog.existing == "#api-errors"
    app = DialogHost(dialog)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [cmd.RenameChannel(name="#incident-2026-01-30-1515")]
    assert forms.session.submit(app.results[0]).accepted
    ticked = {i.id: i.done_at for i in forms.session.view().checklist}
    assert ticked["channel"] == 120


async def test_the_console_stays_in_sight_and_keeps_moving_while_a_dialog_is_open(
    journal_dir: Path,
) -> None:
    """Issue 14 item 3: a dialog used to blank the console while the graded clock ran."""
    app = console_app(journal_dir)
    async with app.run_test(size=SIZE) as pilot:
        await advance_to(pilot, 120)
        await open_dialog(pilot, "u", UpdateDialog)
        await advance_to(pilot, 185)
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        assert "T+03:05" in shown  # the status bar's clock, behind the dialog
        assert "FIRING" in shown  # the alerts
        assert "Metrics" in shown
        assert "Post an update" in shown


async def test_an_alert_that_fires_while_the_acknowledge_dialog_is_open_is_offered_at_once(
    journal_dir: Path,
) -> None:
    """Opened before anything fired, the dialog said "nothing is firing unacknowledged" and kept
    saying it after APIErrorRateHigh fired (T+01:05), while the console beside it said FIRING."""
    app = console_app(journal_dir)
    async with app.run_test(size=SIZE) as pilot:
        await advance_to(pilot, 30)
        dialog = await open_dialog(pilot, "a", AcknowledgeDialog)
        select = dialog.query_one("#alert", Select)
        assert select.is_blank() and str(select.prompt) == "nothing is firing unacknowledged"
        await advance_to(pilot, 90)
        await pilot.pause()
        assert select.value == "APIErrorRateHigh"  # the one firing alert, picked for the IC
        assert "FIRING" in "\n".join(screen_lines(app))
        session = console(app).session
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ActionDialog)
    acknowledged = [
        e.command["alert"]
        for e in session.events
        if isinstance(e, ev.ActionAccepted) and e.command["do"] == "acknowledge"
    ]
    assert acknowledged == ["APIErrorRateHigh"]


async def test_at_80x24_every_console_key_is_in_the_footer_and_on_screen(
    journal_dir: Path,
) -> None:
    """Issue 14 item 5: at 80x24 the footer lost ``n Notify`` and ``space Pause``."""
    app = console_app(journal_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await advance_to(pilot, 60)
        keys = footer_keys(app.screen)
        shown = {k.key_display or k.key for k in keys}
        for wanted in ("n", "space", "v", "q", "j", "R", "P"):
            assert any(wanted in s for s in shown), (wanted, shown)
        for k in keys:
            assert k.region.right <= 80 and k.region.width > 0, (k.key, k.region)
        await pilot.press("v")
        assert "-view-team" in app.screen.classes


async def test_the_timeline_is_laid_out_again_when_v_brings_it_back(journal_dir: Path) -> None:
    """What arrived while the timeline was hidden was wrapped at its minimum width."""
    app = console_app(journal_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await advance_to(pilot, 60)
        await pilot.press("v", "v")
        await advance_to(pilot, 300)
        await pilot.press("v")
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        assert "Customer Support: We're getting" in shown or "Bob (SRE)" in shown, shown


async def test_a_diagnostic_with_choices_is_offered_once_per_choice_and_sends_the_choice() -> None:
    scenario = load_scenario("ddos-rate-limit-lockout").scenario
    dialog = DiagnosticsDialog(scenario.diagnostics, [], "ada")
    app = DialogHost(dialog)
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "#diagnostic", "source ASN")  # a choice of Analyse edge traffic
        await pick(pilot, "#who", "run it myself")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [cmd.RunDiagnostic(diagnostic="analyse-traffic", choice="by-asn")]
