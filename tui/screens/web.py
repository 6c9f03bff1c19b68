"""``warroom host --web``: the browser seats' web server, textual-serve's ``Server`` run inside
the host's event loop (aiohttp's ``AppRunner``) rather than by its blocking ``serve()``.

Each page's websocket starts one browser seat process (``tui.screens.web_seat``) with the
command ``tui.link.web.SeatTarget.command`` wrote: the host's address, port and certificate
fingerprint, never a code. What this adds to textual-serve: HTTPS with the host's own
certificate (a code typed into the page is encrypted like a terminal seat's), the page's links
made from the address the participant used, no font fetched from a third party (textual-serve's
page links one; the page uses its own fonts), a cap on the pages open at once (each one is a
process on the host machine), seats opened only from this server's own pages (the websocket's
``Origin``), no download route and no directory listing, and no banner on the host's terminal
(textual-serve's ``serve()`` and its start-up hook are not used).
"""

from __future__ import annotations

import re
import ssl
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server

from tui.link.web import SeatTarget

TITLE = "warroom · browser seat"
"""The page's title."""

_EXTERNAL_FONTS = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>\s*")

_HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


class SeatWebServer(Server):
    """Serves browser seats for one exercise."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: ssl.SSLContext | None,
        max_pages: int,
    ) -> None:
        """Prepare the server; nothing listens until ``start``, no page opens a seat until
        ``open_seats``.

        Args:
            host: Address to listen on.
            port: Port (0: any free one; ``port`` says which after ``start``).
            tls: The host's TLS context (HTTPS); ``None`` serves plain HTTP, for tests.
            max_pages: Pages (seat processes) open at once at most; more are refused.
        """
        super().__init__("", host=host, port=port, title=TITLE)
        self.tls = tls
        self.max_pages = max_pages
        self.pages = 0
        """Pages open now (each runs a seat process)."""
        self._runner: web.AppRunner | None = None

    def url(self, shown_host: str) -> str:
        """The address participants open, with ``shown_host`` for the machine."""
        scheme = "https" if self.tls is not None else "http"
        host = f"[{shown_host}]" if ":" in shown_host else shown_host
        return f"{scheme}://{host}:{self.port}/"

    def open_seats(self, target: SeatTarget) -> None:
        """From now on, each page opens a seat process that joins ``target``."""
        self.command = target.command()

    async def start(self) -> None:
        """Listen.

        Raises:
            OSError: the address cannot be used.
        """
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FunctionLoader(self._template))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, self.host, self.port, ssl_context=self.tls)
        await site.start()
        bound = runner.addresses
        if bound:
            self.port = int(bound[0][1])

    def _template(self, name: str) -> str | None:
        """textual-serve's page template, without its link to a third party's fonts."""
        path = Path(self.templates_path) / name
        if name != "app_index.html" or not path.is_file():
            return None
        return _EXTERNAL_FONTS.sub("", path.read_text(encoding="utf-8"))

    async def close(self) -> None:
        """Close every page (their seat processes quit) and stop listening (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page, its links made from the address the participant used."""
        if not _HOST_HEADER.match(request.host):
            raise web.HTTPBadRequest(text="bad Host header")
        self.public_url = f"{request.scheme}://{request.host}"
        response: web.StreamResponse = await super().handle_index(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One page's seat process, within the cap, for this server's own pages only (another
        site's page in the participant's browser cannot open one)."""
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            raise web.HTTPForbidden(text="this page is not the seat's")
        if not self.command:
            raise web.HTTPServiceUnavailable(text="the exercise is not open yet")
        if self.pages >= self.max_pages:
            raise web.HTTPServiceUnavailable(text="too many browser seats are open")
        self.pages += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.pages -= 1


def page_cap(seats: int) -> int:
    """Pages open at once at most for ``seats`` seats: two each (a reload, a second tab)."""
    return max(4, 2 * seats)
