"""The Metrics panel follows the engine's newest samples for the whole exercise.

Guards against a freeze seen in play: once a panel's history was full (six minutes of
samples), new samples no longer repainted it, so the values stopped at about T+07 while the
clock and the alerts went on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import SIZE, advance_to, console, console_app
from tui.headless.views import format_value
from tui.screens.widgets import MetricPanel


@pytest.mark.parametrize("scenario", ["api-outage", "validator-dropout"])
async def test_every_metric_panel_shows_the_engines_newest_sample_until_the_end(
    journal_dir: Path, scenario: str
) -> None:
    app = console_app(journal_dir, scenario)
    async with app.run_test(size=SIZE) as pilot:
        screen = console(pilot.app)  # type: ignore[arg-type]
        engine = screen.session.engine
        panels = list(screen.query(MetricPanel))
        assert panels
        end = screen.session.scenario.duration
        t = 0.0
        checked = 0
        while t < end and not engine.ended:
            t = min(end, t + 97.0)
            await advance_to(pilot, t)
            for panel in panels:
                newest = engine.values.get(panel.spec.id)
                if newest is None:
                    continue
                shown = format_value(newest, panel.spec.unit)
                assert _painted(panel).rstrip().endswith(shown), (panel.spec.id, engine.now)
                checked += 1
        assert engine.now > 30 * 60 and checked > 100


def _painted(panel: MetricPanel) -> str:
    """The panel's first line as last painted (what the trainee sees, not what it would draw)."""
    return panel.render_line(0).text
