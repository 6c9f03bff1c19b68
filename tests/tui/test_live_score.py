"""The trainee's live score, played through the keys: it judges by the level they classify and
gives no answer away (``assessments.assessor.as_classified``); the facilitator's grade does not
change."""

from __future__ import annotations

from pathlib import Path

from tests.tui.conftest import SIZE, advance_to, console, console_app, open_dialog, pick, press
from tui.screens.dialogs.incident import SeverityDialog
from tui.screens.widgets import ScorePanel


def _panel(app: object) -> tuple[str, str]:
    panel = console(app).query_one(ScorePanel)  # type: ignore[arg-type]
    return str(panel.border_title), str(panel.render())


async def test_not_an_incident_shows_no_answer_before_or_after_a_wrong_classification(
    journal_dir: Path,
) -> None:
    app = console_app(journal_dir, "not-an-incident")
    async with app.run_test(size=SIZE) as pilot:
        await advance_to(pilot, 240)
        title, text = _panel(app)
        # the grade itself says nine criteria do not apply (it is not an incident) …
        truth = console(app).session.assessment()
        assert [c.status for c in truth.criteria].count("not_applicable") == 9
        # … the trainee's console says only that nothing is classified yet
        assert title == "Live score" and "severity not classified yet" in text
        assert "not applicable" not in text and "still due" not in text

        await open_dialog(pilot, "s", SeverityDialog)
        await pick(pilot, "#severity", "SEV-2")
        await press(pilot, "ctrl+s")
        await advance_to(pilot, 300)
        title, text = _panel(app)
        assert title == "Live score · as SEV-2"
        assert "not applicable" not in text
        # SEV-2's rules from default.yaml, as if it were one
        assert "→ the CTO (within 30m)" in text and "→ the primary on-call" in text


async def test_api_outage_never_names_the_engineer_the_scenario_wants_paged(
    journal_dir: Path,
) -> None:
    app = console_app(journal_dir, "api-outage")
    async with app.run_test(size=SIZE) as pilot:
        await advance_to(pilot, 100)
        await open_dialog(pilot, "s", SeverityDialog)
        await pick(pilot, "#severity", "SEV-2")
        await press(pilot, "ctrl+s")
        await advance_to(pilot, 200)
        waiting = [w for c in console(app).session.assessment().criteria for w in c.waiting]
        assert "Dana (ML platform engineer)" in waiting  # the grade waits on her
        title, text = _panel(app)
        assert title == "Live score · as SEV-2" and "Dana" not in text
        assert "→ the CEO (within 1h)" in text
