"""The debrief in a real browser: headless Chromium renders it at A4 width, light and dark.

Skipped when Chromium is not installed (CI does not install it). The screenshots are written
to ``$WARROOM_SCREENSHOTS`` when set, to be looked at (see docs/reports.md); the test checks
that the browser renders the page without network access and that the two colour schemes give
different pictures (the page follows ``prefers-color-scheme``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from reports import write_reports
from tui.cli.parser import main

CHROMIUM = next(
    (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p),
    None,
)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


def screenshot(page: Path, out: Path, *, dark: bool, width: int = 794, height: int = 2400) -> None:
    """Render ``page`` with headless Chromium into ``out`` (PNG), offline."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        args = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={out}",
            f"--window-size={width},{height}",
            *(["--force-dark-mode"] if dark else []),
            page.resolve().as_uri(),
        ]
        subprocess.run(args, capture_output=True, timeout=180, check=True)


def test_the_debrief_renders_in_chromium_in_light_and_dark(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    assert (
        main(["run", "api-outage", "--autopilot", "novice", "--quiet", "--journal", str(journal)])
        == 0
    )
    write_reports(journal, tmp_path, formats=["html"])
    keep = os.environ.get("WARROOM_SCREENSHOTS")
    folder = Path(keep) if keep else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    light, dark = folder / "debrief-light.png", folder / "debrief-dark.png"
    screenshot(tmp_path / "debrief.html", light, dark=False)
    screenshot(tmp_path / "debrief.html", dark, dark=True)
    for png in (light, dark):
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(data[16:20], "big") == 794  # A4 width at 96 dpi
    assert light.read_bytes() != dark.read_bytes()
