"""``warroom resume`` restores the whole console, not only the engine.

Guards against a resumed session (after kill -9) opening on an empty timeline, an empty live
score and empty metric charts while its journal held everything.
"""

from __future__ import annotations

from pathlib import Path

from simulator import commands as cmd
from tests.tui.conftest import SIZE, console
from tui.app import make_app
from tui.headless.session import new_session
from tui.screens.widgets import MetricPanel, ScorePanel, Timeline


async def test_a_resumed_session_shows_its_timeline_score_and_metric_history(
    tmp_path: Path,
) -> None:
    before = new_session("api-outage", trainee="Ada", journal_dir=tmp_path, paused=True, speed=10)
    before.open(0.0)
    before.step_speed(+1, 0.0)
    sped_up = before.pacer.speed
    assert sped_up > 10
    before.jump(70)
    for command in (
        cmd.Acknowledge(alert="APIErrorRateHigh"),
        cmd.Classify(severity="SEV-2"),
        cmd.CreateChannel(name="#incident-2026-01-30-1515"),
    ):
        assert before.submit(command).accepted
    before.jump(230)  # T+05:00; the process then dies without closing the session
    assert before.directory is not None
    app = make_app(resume=before.directory, journal_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = console(app)
        assert screen.session.engine.now == 300
        assert screen.session.paused and screen.session.pacer.speed == sped_up
        timeline = "\n".join(screen.query_one(Timeline).plain)
        assert "APIErrorRateHigh" in timeline and "#incident-2026-01-30-1515" in timeline
        score = str(screen.query_one(ScorePanel).render())
        assert "✓ First alert acknowledged" in score
        for panel in screen.query(MetricPanel):
            assert panel.latest == screen.session.engine.values[panel.spec.id]
