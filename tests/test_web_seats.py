"""Browser seats end to end: a team game day with an IC, a scribe and an observer joined over TLS
on loopback and a communications lead in headless Chromium (Playwright drives the system's
Chromium; nothing is downloaded), through ``warroom host --web``'s server and the browser seat
process it starts. The browser seat types its join code and name into the page, joins as comms
and posts a status-page update that the host journals with that person and seat; the exercise
plays to the end, and a second game day rewinds to T+10m and plays another ending. Every journal
verifies with ``warroom replay --verify``.

Skipped without Chromium, except under ``CI=true`` where they fail (``.ci/run`` installs it).
The browser seat's screenshot is written to ``$WARROOM_SCREENSHOTS`` when set (to be looked at).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from simulator import commands as cmd
from simulator.events import ActionAccepted
from simulator.journal import read_journal
from simulator.library import load_script
from tui.cli.parser import main
from tui.headless.session import new_session
from tui.headless.team import TeamHost, play_seat
from tui.link.host import TeamServer
from tui.link.remote import RemoteSeat
from tui.link.seats import SeatTable, parse_roles
from tui.link.tls import fingerprint as fingerprint_of
from tui.link.tls import host_identity, server_context
from tui.link.web import SeatTarget, dial_host, web_address
from tui.screens.web import SeatWebServer, page_cap

ROOT = Path(__file__).resolve().parent.parent
EXPERT = ROOT / "scenarios" / "scripts" / "api-outage.expert.yaml"
COMMS = {"post_update", "notify"}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UPDATE = (
    "{do: post_update, audience: status_page, status: investigating, "
    'text: "[b]API errors[/b]: we are investigating"}'
)


@pytest.fixture(scope="module")
def chromium() -> str:
    """The system's Chromium: skipped without it, except under ``CI=true`` (a failure)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required under CI=true (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    return found


def test_web_address_takes_a_port_or_an_address() -> None:
    assert web_address("8080", "0.0.0.0") == ("0.0.0.0", 8080)
    assert web_address("127.0.0.1:0", "0.0.0.0") == ("127.0.0.1", 0)
    with pytest.raises(ValueError):
        web_address("nope", "0.0.0.0")
    target = SeatTarget("127.0.0.1", 7433, "SHA256:AB")
    command = target.command("/usr/bin/python3")
    assert command == (
        "/usr/bin/python3 -m tui.screens.web_seat --host 127.0.0.1 --port 7433 --pin SHA256:AB"
    )
    with pytest.raises(ValueError, match="loopback"):
        SeatTarget("10.0.0.1", 7433, None)
    assert [dial_host(h) for h in ("0.0.0.0", "::", "10.0.0.5")] == ["127.0.0.1", "::1", "10.0.0.5"]


def test_warroom_host_web_prints_the_address_and_serves_the_page_over_https(
    tmp_path: Path,
) -> None:
    import ssl
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}
    host = subprocess.Popen(
        [
            *(sys.executable, "-m", "tui.cli", "host", "api-outage"),
            *("--listen", "127.0.0.1:0", "--web", "127.0.0.1:0", "--roles", "comms,observer"),
            *("--headless", "--sessions", str(tmp_path / "s")),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert host.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("the clock starts"):
            line = host.stdout.readline()
            assert line, host.stderr.read() if host.stderr else ""
            lines.append(line.rstrip("\n"))
        fingerprint = lines[1].split(": ", 1)[1]
        codes = [line.split("--code ", 1)[1] for line in lines if "warroom join" in line]
        browser = next(line for line in lines if line.lstrip().startswith("browser"))
        assert len(codes) == 2 and "warroom join" not in browser
        url = browser.split("open ", 1)[1].split()[0]
        assert url.startswith("https://127.0.0.1:") and url.endswith("/")
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE
        with urllib.request.urlopen(url, context=insecure, timeout=10) as response:
            page = response.read().decode("utf-8")
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        der = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("127.0.0.1", port)))
        assert fingerprint_of(der) == fingerprint  # the page is served with the host's certificate
        assert "warroom · browser seat" in page and url.replace("https", "wss") + "ws" in page
        assert "fonts.googleapis.com" not in page
        assert not any(code in page for code in codes)
        for path in ("static/", "download/x"):
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(url + path, context=insecure, timeout=10)
        foreign = urllib.request.Request(url + "ws", headers={"Origin": "https://evil.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(foreign, context=insecure, timeout=10)
        assert refused.value.code == 403  # another site's page cannot open a seat process
    finally:
        host.terminate()
        host.communicate(timeout=30)


def _scripts(*, postmortem: bool) -> dict[str, cmd.ActionScript]:
    expert = load_script(EXPERT)
    ic = [
        a
        for a in expert.actions
        if a.action.do not in COMMS and (postmortem or a.action.do != "schedule_postmortem")
    ]
    notes = [
        cmd.TimedAction.model_validate({"at": at, "do": "note", "text": text})
        for at, text in ((100, "alert acked by IC"), (400, "restart chosen [/]"))
    ]
    return {"ic": cmd.ActionScript(actions=ic), "scribe": cmd.ActionScript(actions=notes)}


async def _browser_joins_and_posts(
    page: Any, url: str, code: str, name: str, table: SeatTable, host: TeamHost
) -> None:
    """In the page: the code and the name, then the status-page update, as a person types."""
    await page.goto(url)
    await page.wait_for_selector("body.-first-byte", timeout=60_000)
    await asyncio.sleep(1.0)  # the join screen takes its first frame
    await page.locator(".xterm-helper-textarea").focus()
    await page.keyboard.type(code, delay=15)
    await page.keyboard.press("Enter")
    await page.keyboard.type(name, delay=15)
    await page.keyboard.press("Enter")
    async with asyncio.timeout(30):
        while not table.seats["comms"].connected:
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # the seat screen takes the focus
    await page.keyboard.type(UPDATE, delay=5)
    await page.keyboard.press("Enter")
    async with asyncio.timeout(30):
        while not any(
            isinstance(e, ActionAccepted) and e.seat == "comms" for e in host.session.events
        ):
            await asyncio.sleep(0.05)


async def _game_day(
    tmp_path: Path, chromium: str, *, rewind_at: float | None = None, speed: float = 60.0
) -> tuple[TeamHost, Path, Path]:
    from playwright.async_api import async_playwright

    identity = host_identity(tmp_path / "host")
    session = new_session(
        "api-outage",
        trainee="blue team",
        seed=1,
        speed=speed,
        journal_dir=tmp_path / "sessions",
        driver="team",
        paused=True,
    )
    table = SeatTable(parse_roles("ic,comms,scribe,observer"))
    if session.header is None:
        session.open(time.monotonic())
    assert session.header is not None
    server = TeamServer(
        session.header,
        table,
        lambda c, s: (False, "not yet"),
        host="127.0.0.1",
        port=0,
        tls=server_context(identity),
    )
    host = TeamHost(session, server)
    web = SeatWebServer(
        "127.0.0.1", 0, tls=server_context(identity), max_pages=page_cap(len(table.seats))
    )
    await web.start()
    scripts = _scripts(postmortem=rewind_at is None)
    names = {"ic": "Ada [/]", "scribe": "Linus", "observer": "Obs"}
    started = asyncio.Event()
    rewound = False
    keep = os.environ.get("WARROOM_SCREENSHOTS")
    shots = Path(keep) if keep else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    screenshot = shots / ("browser-seat-rewind.png" if rewind_at else "browser-seat.png")
    posted = shots / "browser-seat-posted.png"

    def on_tick(h: TeamHost) -> None:
        nonlocal rewound
        if rewind_at is not None and not rewound and h.session.engine.now >= rewind_at + 120:
            rewound = True
            branch = h.rewind(rewind_at)
            branch.pacer.set_speed(1200.0, time.monotonic(), by="facilitator")

    async def terminal(ident: str) -> None:
        await started.wait()
        remote = RemoteSeat(
            "127.0.0.1",
            server.port,
            table.seats[ident].code,
            name=names[ident],
            known_hosts=tmp_path / "known_hosts",
        )
        try:
            if ident in scripts:
                await play_seat(remote, scripts[ident])
            else:
                async for _ in remote.messages():
                    pass
        finally:
            await remote.close()

    async def browser() -> None:
        await started.wait()
        async with async_playwright() as pw:
            chrome = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                context = await chrome.new_context(
                    ignore_https_errors=True, viewport={"width": 1100, "height": 700}
                )
                page = await context.new_page()
                try:
                    await _browser_joins_and_posts(
                        page,
                        web.url("127.0.0.1"),
                        table.seats["comms"].code,
                        "Grace [i]",
                        table,
                        host,
                    )
                except BaseException:
                    await page.screenshot(path=str(shots / "browser-seat-failed.png"))
                    raise
                await asyncio.sleep(0.5)  # the update comes back in the seat's log
                await page.screenshot(path=str(posted))
                async with asyncio.timeout(120):
                    while not (host.session.engine.ended and (rewind_at is None or rewound)):
                        await asyncio.sleep(0.1)
                await asyncio.sleep(0.5)  # the seat screen shows the end
                await page.screenshot(path=str(screenshot))
            finally:
                await chrome.close()

    def on_started(h: TeamHost) -> None:
        web.open_seats(SeatTarget("127.0.0.1", h.server.port, identity.fingerprint))
        started.set()

    tasks = [asyncio.create_task(terminal(i)) for i in ("ic", "scribe", "observer")]
    tasks.append(asyncio.create_task(browser()))
    run = asyncio.create_task(host.run(started=on_started, on_tick=on_tick))
    try:
        # a seat that fails (the browser above all) stops the game day rather than leaving the
        # host waiting for it
        done, _ = await asyncio.wait(
            [run, *tasks], timeout=300, return_when=asyncio.FIRST_EXCEPTION
        )
        for task in done:
            if task.exception() is not None:
                raise AssertionError("a seat failed") from task.exception()
        journal = await asyncio.wait_for(run, 300)
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
    finally:
        for task in [run, *tasks]:
            task.cancel()
        await asyncio.gather(run, *tasks, return_exceptions=True)
        await web.close()
    return host, journal, screenshot


def _browser_update(path: Path) -> ActionAccepted:
    journal = read_journal(path)
    found = [e for e in journal.events if isinstance(e, ActionAccepted) and e.seat == "comms"]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.slow
def test_a_browser_seat_joins_as_comms_and_its_status_page_update_is_journalled(
    tmp_path: Path, chromium: str
) -> None:
    _, path, screenshot = asyncio.run(_game_day(tmp_path, chromium))
    journal = read_journal(path)
    assert journal.ended and journal.events[-1].to_dict()["reason"] == "completed"
    update = _browser_update(path)
    assert update.person == "Grace [i]" and update.seat == "comms"
    assert update.command["audience"] == "status_page"
    assert update.command["text"] == "[b]API errors[/b]: we are investigating"
    people = {(e.person, e.seat) for e in journal.events if isinstance(e, ActionAccepted)}
    assert ("Ada [/]", "ic") in people and ("Linus", "scribe") in people
    assert main(["replay", str(path), "--verify"]) == 0
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_a_rewind_to_t10m_moves_the_browser_seat_to_another_ending(
    tmp_path: Path, chromium: str
) -> None:
    # 30x until the rewind, so the browser's update lands well before T+10m on a busy machine
    host, path, _ = asyncio.run(_game_day(tmp_path, chromium, rewind_at=600.0, speed=30.0))
    assert len(host.branches) == 1 and path == host.branches[0]
    branch = read_journal(path)
    parent_info = branch.header.extra["parent"]
    assert parent_info["at"] == 600.0
    parent = tmp_path / "sessions" / parent_info["journal"]
    assert branch.ended and branch.events[-1].to_dict()["reason"] == "time"
    update = _browser_update(path)  # played before T+10m: replayed into the branch
    assert update.person == "Grace [i]" and update.t < 600.0
    assert main(["replay", str(parent), "--verify"]) == 0
    assert main(["replay", str(path), "--verify"]) == 0
