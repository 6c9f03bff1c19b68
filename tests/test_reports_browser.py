"""The reports in a real browser: headless Chromium renders, checks and prints them.

Skipped when Chromium is not installed (CI does not install it). The screenshots are written
to ``$WARROOM_SCREENSHOTS`` when set, to be looked at (see docs/reports.md); the tests check
that the browser renders the page without network access and that the two colour schemes give
different pictures (the page follows ``prefers-color-scheme``); that axe-core finds no
accessibility violation in the debrief and the cohort page, light and dark (axe-core comes from
``$WARROOM_AXE`` — a path to ``axe.min.js`` — or from npm into a temporary folder; skipped when
neither is to be had); and that the page prints (a PDF of A4 pages) with every heading kept
with what follows it, as Chromium computes the print style sheet.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reports import cohort_data, write_cohort, write_reports
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


def chromium_args(profile: str) -> list[str]:
    assert CHROMIUM is not None
    return [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]


def dump_dom(page: Path, *, dark: bool = False) -> str:
    """The page's DOM after its scripts have run (ten seconds of virtual time), offline."""
    with tempfile.TemporaryDirectory() as profile:
        args = [
            *chromium_args(profile),
            "--virtual-time-budget=10000",
            *(["--force-dark-mode"] if dark else []),
            "--dump-dom",
            page.resolve().as_uri(),
        ]
        done = subprocess.run(args, capture_output=True, text=True, timeout=180, check=True)
    return done.stdout


def probe(page: Path, out: Path, script: str) -> Path:
    """A copy of ``page`` that runs ``script`` once loaded; it leaves JSON in ``#probe``."""
    html = page.read_text(encoding="utf-8")
    tail = f"<script>{script}</script>"
    out.write_text(html.replace("</body>", tail + "</body>"), encoding="utf-8")
    return out


def probed(page: Path, *, dark: bool = False) -> object:
    found = re.search(r'<pre id="probe">(.*?)</pre>', dump_dom(page, dark=dark), flags=re.S)
    assert found, "the probe did not report"
    return json.loads(
        found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


REPORT = """
function report(value) {
  var pre = document.createElement('pre'); pre.id = 'probe';
  pre.textContent = JSON.stringify(value);
  document.documentElement.appendChild(pre);
}
"""


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """axe-core's browser script: ``$WARROOM_AXE``, or npm into a temporary folder."""
    given = os.environ.get("WARROOM_AXE")
    if given:
        return Path(given).read_text(encoding="utf-8")
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("axe-core: no $WARROOM_AXE and no npm")
    folder = tmp_path_factory.mktemp("axe")
    try:
        subprocess.run(
            [
                npm,
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(folder),
                "axe-core@4",
            ],
            capture_output=True,
            timeout=180,
            check=True,
        )
    except (subprocess.SubprocessError, OSError):
        pytest.skip("axe-core could not be installed (offline?)")
    return (folder / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A novice's debrief and a cohort page of two sessions."""
    folder = tmp_path_factory.mktemp("pages")
    for who in ("novice", "expert"):
        journal = folder / who / "journal.jsonl"
        journal.parent.mkdir()
        argv = ["run", "api-outage", "--autopilot", who, "--quiet", "--journal", str(journal)]
        assert main(argv) == 0
    write_reports(folder / "novice" / "journal.jsonl", folder / "novice", formats=["html"])
    written = write_cohort(cohort_data([folder / "novice", folder / "expert"]), folder / "cohort")
    yield {
        "debrief": folder / "novice" / "debrief.html",
        "cohort": next(p for p in written if p.suffix == ".html"),
    }


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("name", ["debrief", "cohort"])
def test_axe_finds_no_accessibility_violation(
    pages: dict[str, Path], axe_source: str, tmp_path: Path, name: str, dark: bool
) -> None:
    script = (
        axe_source
        + REPORT
        + """
axe.run(document, {resultTypes: ['violations']}).then(function (r) {
  report(r.violations.map(function (v) {
    return {id: v.id, help: v.help, nodes: v.nodes.map(function (n) { return n.target.join(' '); })};
  }));
});
"""
    )
    page = probe(pages[name], tmp_path / f"{name}.html", script)
    assert probed(page, dark=dark) == []


def test_the_debrief_prints_on_a4_with_every_heading_kept_with_what_follows(
    pages: dict[str, Path], tmp_path: Path
) -> None:
    pdf = tmp_path / "debrief.pdf"
    with tempfile.TemporaryDirectory() as profile:
        args = [
            *chromium_args(profile),
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            pages["debrief"].resolve().as_uri(),
        ]
        subprocess.run(args, capture_output=True, timeout=180, check=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 2
    # What Chromium computes from the print style sheet, applied on screen to be read back: a
    # heading never breaks after itself, and each h3 sits with its list in a block that does
    # not break inside (so "Went well" is never left at the foot of a page).
    html = pages["debrief"].read_text(encoding="utf-8").replace("@media print", "@media all")
    as_printed = tmp_path / "as-printed.html"
    as_printed.write_text(html, encoding="utf-8")
    script = (
        REPORT
        + """
var out = [];
document.querySelectorAll('h1, h2, h3').forEach(function (h) {
  var style = getComputedStyle(h);
  if (style.breakAfter !== 'avoid') out.push(h.textContent + ': break-after ' + style.breakAfter);
  if (h.tagName === 'H3') {
    var keep = h.parentElement;
    if (getComputedStyle(keep).breakInside !== 'avoid' || !h.nextElementSibling)
      out.push(h.textContent + ': not kept with what follows');
  }
});
report(out);
"""
    )
    assert probed(probe(as_printed, tmp_path / "probe.html", script)) == []
