"""Browser seats, the part that needs no Textual: where ``warroom host --web`` listens, where the
browser seat's process reaches the host, and the command that textual-serve runs for each page.

Each browser page gets its own process on the host machine (``tui.screens.web_seat``), started
by textual-serve; it asks for the participant's join code and name and then joins the host like
a terminal seat does: over TLS, pinning the host's own certificate by the fingerprint it is
handed on its command line, so the code never reaches anything but this host. The command holds
the host's address, port and fingerprint, never a code. Must not import Textual or Rich.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass

from tui.link.host import is_loopback
from tui.link.remote import parse_address

SEAT_MODULE = "tui.screens.web_seat"
"""The module textual-serve runs for each browser page (``python -m``)."""

PLAINTEXT_FLAG = "--plaintext-for-tests"
"""The browser seat process's flag to join a plaintext host (tests on loopback only)."""


def web_address(text: str, listen_host: str) -> tuple[str, int]:
    """``--web PORT`` (on the ``--listen`` address) or ``--web ADDR:PORT`` as ``(host, port)``.

    Raises:
        ValueError: neither a port (0 to 65535) nor ``ADDR:PORT``.
    """
    if text.isdigit():
        if not 0 <= int(text) < 65536:
            raise ValueError(f"{text!r} is not a port")
        return listen_host, int(text)
    return parse_address(text, any_port=True)


def dial_host(listen_host: str) -> str:
    """Where a process on the host machine reaches a server listening on ``listen_host``: the
    loopback address for a wildcard, the address itself otherwise."""
    if listen_host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if listen_host == "::":
        return "::1"
    return listen_host


@dataclass(frozen=True)
class SeatTarget:
    """The host a browser seat's process joins."""

    host: str
    """The address the process dials (on the host machine)."""
    port: int
    """The host's seats port."""
    pin: str | None
    """The host certificate's fingerprint (``SHA256:…``); ``None`` only for plaintext."""

    def __post_init__(self) -> None:
        if self.pin is None and not is_loopback(self.host):
            raise ValueError(
                f"plaintext seats are only for tests on the loopback interface, not {self.host}"
            )

    def argv(self) -> list[str]:
        """The arguments of ``python -m tui.screens.web_seat`` that join this host."""
        args = ["--host", self.host, "--port", str(self.port)]
        return [*args, "--pin", self.pin] if self.pin is not None else [*args, PLAINTEXT_FLAG]

    def command(self, python: str = sys.executable) -> str:
        """The shell command textual-serve runs for each browser page (quoted for the shell)."""
        return shlex.join([python, "-m", SEAT_MODULE, *self.argv()])
