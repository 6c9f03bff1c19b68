"""A browser seat: the process textual-serve starts for each page that ``warroom host --web``
serves. It asks for the participant's join code and name (``JoinScreen``), joins the host with
them (TLS, the host's own certificate pinned by the fingerprint on this process's command line)
and then shows the same seat screen as ``warroom join`` in a terminal (``tui.screens.seat``),
with the seat's rejoin code (its session token). A reloaded page is a new process: the person
types their rejoin code instead of the spent join code, and the host reopens their seat.

A wrong code is the host's to refuse and to rate-limit, exactly as for a terminal seat: the
screen shows the host's answer and lets the participant try again. The code is typed into the
page (it travels in the page's encrypted websocket), never put in a URL, never printed.
Everything shown from the host is text (``rich.text.Text`` through ``simulator.text.visible``).

Run by textual-serve as ``python -m tui.screens.web_seat --host H --port P --pin SHA256:…``
(``tui.link.web.SeatTarget.command``).
"""

from __future__ import annotations

import argparse
import sys
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label

from simulator import protocol as p
from simulator.text import check_name, visible
from tui.link.common import LinkError
from tui.link.remote import RemoteSeat
from tui.link.seats import is_token
from tui.link.web import PLAINTEXT_FLAG, SeatTarget
from tui.screens.seat import SeatApp


class JoinScreen(Screen[bool]):
    """Asks for the join code and the name, and joins; dismissed with ``True`` once the host
    welcomed the seat (``False`` when the participant leaves)."""

    DEFAULT_CSS = """
    JoinScreen { align: center middle; }
    #join-box { width: 64; height: auto; border: round $primary; padding: 1 2; }
    #join-title { text-style: bold; margin-bottom: 1; }
    #join-box Input { margin-bottom: 1; }
    #join-problem { color: $error; height: auto; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("ctrl+q", "leave", "leave")
    ]

    def __init__(self, seat: RemoteSeat) -> None:
        """Join through ``seat`` (its code and name are set from what is typed)."""
        super().__init__()
        self.seat = seat

    def compose(self) -> ComposeResult:
        with Vertical(id="join-box"):
            yield Label(Text("warroom · join the team game day"), id="join-title")
            yield Label(
                Text(
                    "Your join code (the facilitator gives you one), or your rejoin code to "
                    "take your seat again:"
                )
            )
            yield Input(placeholder="K7QX-M2PD-9TRA", id="join-code", max_length=64)
            yield Label(Text("Your name (as the debrief will show it):"))
            yield Input(placeholder="Ada Lovelace", id="join-name", max_length=p.MAX_NAME)
            yield Button("Join", id="join-go", variant="primary")
            yield Label(Text(""), id="join-problem")

    def on_mount(self) -> None:
        self.query_one("#join-code", Input).focus()

    def problem(self, text: str) -> None:
        """Show why joining did not work (as text)."""
        self.query_one("#join-problem", Label).update(Text(visible(text)))

    @on(Input.Submitted, "#join-code")
    def _next(self) -> None:
        self.query_one("#join-name", Input).focus()

    @on(Input.Submitted, "#join-name")
    @on(Button.Pressed, "#join-go")
    def _go(self) -> None:
        code = self.query_one("#join-code", Input).value.strip().upper()
        name_text = self.query_one("#join-name", Input).value.strip()
        if not code:
            self.problem("type the join code first")
            self.query_one("#join-code", Input).focus()
            return
        try:
            name = check_name(name_text, "a name") if name_text else None
        except ValueError as exc:
            self.problem(str(exc))
            return
        if is_token(code):  # a rejoin code: the seat's session token, and its person
            self.seat.token, self.seat.code, self.seat.name = code, "", None
        else:
            self.seat.token, self.seat.code, self.seat.name = None, code, name
        self.query_one("#join-go", Button).disabled = True
        self.problem("joining…")
        self._join()

    @work(exclusive=True, group="join")
    async def _join(self) -> None:
        try:
            await self.seat.connect()
        except (LinkError, ValueError) as exc:
            self.problem(str(exc))
            self.query_one("#join-go", Button).disabled = False
            self.query_one("#join-code", Input).focus()
            return
        self.dismiss(True)

    def action_leave(self) -> None:
        self.dismiss(False)


class WebSeatApp(SeatApp):
    """A browser seat: the join screen, then the seat."""

    TITLE = "warroom · browser seat"
    ENABLE_COMMAND_PALETTE = False
    """The page drives a process on the host machine: nothing beyond the seat (no screenshots
    delivered, no themes)."""

    def __init__(self, target: SeatTarget) -> None:
        """Join the host at ``target`` once the participant gave a code."""
        super().__init__(
            RemoteSeat(
                target.host,
                target.port,
                "",
                known_hosts=None,
                pin=target.pin,
                plaintext_for_tests=target.pin is None,
            )
        )

    @on(events.Mount)
    def _ask_for_the_code(self, event: events.Mount) -> None:
        event.prevent_default()  # SeatApp.on_mount follows the exercise: once joined, not before
        self.push_screen(JoinScreen(self.seat), self._joined)

    def _joined(self, joined: bool | None) -> None:
        if joined:
            super().on_mount()
        else:
            self.exit(0)


def main(argv: list[str] | None = None) -> int:
    """Run one browser seat (textual-serve's command for each page)."""
    parser = argparse.ArgumentParser(prog="python -m tui.screens.web_seat")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pin", default=None, metavar="FINGERPRINT")
    parser.add_argument(PLAINTEXT_FLAG, action="store_true")
    args = parser.parse_args(argv)
    if (args.pin is None) != args.plaintext_for_tests:
        parser.error(f"give either --pin FINGERPRINT or {PLAINTEXT_FLAG}")
    try:
        target = SeatTarget(args.host, args.port, args.pin)
    except ValueError as exc:
        parser.error(str(exc))
    return WebSeatApp(target).run() or 0


if __name__ == "__main__":
    sys.exit(main())
