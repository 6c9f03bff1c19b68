"""``RemoteSeat``: a team seat on the network (protocol version 2): TLS with the host's
certificate pinned on first use, a join code on the first connection and the seat's session
token on every reconnect, catching up without losing or repeating an event.

Asyncio only; must not import Textual.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from simulator import commands as cmd
from simulator import protocol as p
from tui.link.client import LinkClient
from tui.link.common import LinkError
from tui.link.tls import CertificateChanged, KnownHosts, client_context, fingerprint


def parse_address(text: str, *, any_port: bool = False) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:7000`` for IPv6) as ``(host, port)``.

    Args:
        text: The address.
        any_port: Accept port 0 (listen on any free port).

    Raises:
        ValueError: not ``HOST:PORT`` with a port from 1 (or 0) to 65535.
    """
    host, sep, port = text.rpartition(":")
    lowest = 0 if any_port else 1
    if not sep or not host or not port.isdigit() or not lowest <= int(port) < 65536:
        raise ValueError(f"{text!r} is not HOST:PORT")
    return host.strip("[]"), int(port)


class RemoteSeat(LinkClient):
    """A seat joined to a team game day over the network."""

    def __init__(
        self,
        host: str,
        port: int,
        code: str,
        *,
        name: str | None = None,
        known_hosts: Path | None,
        pin: str | None = None,
        plaintext_for_tests: bool = False,
        reconnect_within: float = 10.0,
        timeout: float = 5.0,
        token: str | None = None,
    ) -> None:
        """Prepare the seat; nothing connects until ``connect``, ``messages`` or ``send``.

        Args:
            host: The host's address.
            port: The host's port.
            code: The seat's join code (spent on the first connection); unused with ``token``.
            name: The person's name (the seat's id when not given).
            known_hosts: The pinned certificates (``None`` with ``pin`` or for plaintext).
            pin: The host certificate's fingerprint, known beforehand (a browser seat's process
                on the host machine is handed it): any other certificate is refused.
            plaintext_for_tests: Connect without TLS (the host must allow it, on loopback).
            reconnect_within: Seconds to keep trying after a drop.
            timeout: Seconds to wait for a connection, a ``welcome`` or an outcome.
            token: The seat's session token (its rejoin code), to reopen a seat this person
                joined before (a reloaded page, a restarted ``warroom join --token``).
        """
        super().__init__(
            f"{host}:{port}", "observer", reconnect_within=reconnect_within, timeout=timeout
        )
        self.version = p.NETWORK_VERSION
        self.host = host
        self.port = port
        self.code = code
        self.name = name
        self.token = token
        """The session token to say ``hello`` with before any ``welcome`` (a rejoin)."""
        self.known_hosts = known_hosts
        self.pin = pin
        self.plaintext = plaintext_for_tests
        self.fingerprint: str | None = None
        """The host certificate's fingerprint, once connected over TLS."""
        self.pinned_now = False
        """Whether the first connection pinned the certificate (trust on first use)."""
        self.holdings: list[p.SeatHolding] = []
        """Who holds what, as the host last said (``roles``)."""
        self.requests: dict[int, p.Request] = {}
        """The requests held for the IC's approval this seat was told of, by number, as last
        said (``state`` says which are still pending)."""
        if not plaintext_for_tests and known_hosts is None and pin is None:
            raise LinkError("a network seat needs somewhere to pin the host's certificate")

    async def dial(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Open TLS and check the host's certificate against its pin before saying anything."""
        if self.plaintext:
            return await asyncio.open_connection(
                self.host, self.port, limit=p.MAX_SERVER_LINE_BYTES + 1
            )
        reader, writer = await asyncio.open_connection(
            self.host,
            self.port,
            ssl=client_context(),
            server_hostname=self.host,
            limit=p.MAX_SERVER_LINE_BYTES + 1,
        )
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        if not der:
            writer.close()
            raise LinkError(f"{self.where} presented no certificate")
        seen = fingerprint(der)
        try:
            if self.pin is not None:
                if seen != self.pin:
                    raise CertificateChanged(
                        f"the host at {self.where} presents another certificate than the "
                        f"host's own.\n  expected: {self.pin}\n  now:      {seen}"
                    )
            else:
                assert self.known_hosts is not None
                if KnownHosts(self.known_hosts).check(self.where, seen):
                    self.pinned_now = True
        except LinkError:
            writer.transport.abort()
            raise
        self.fingerprint = seen
        return reader, writer

    def hello(self) -> p.Hello:
        """The join code the first time, the seat's token after that (or from the start, to
        rejoin)."""
        welcome = self.welcome
        token = welcome.token if welcome is not None and welcome.token is not None else self.token
        if token is not None:
            return p.Hello(
                v=p.NETWORK_VERSION,
                token=token,
                since=self.events_received,
                branch=self.branches,
            )
        return p.Hello(
            v=p.NETWORK_VERSION, code=self.code, name=self.name, since=self.events_received
        )

    @property
    def rejoin_code(self) -> str | None:
        """The seat's session token, once welcomed: what the person types to take their seat
        again from a new page or terminal."""
        welcome = self.welcome
        return welcome.token if welcome is not None else None

    @property
    def granted(self) -> p.Role | None:
        """The role the host granted, once welcomed."""
        return self.welcome.role if self.welcome is not None else None

    @property
    def held_roles(self) -> list[p.Role]:
        """The roles this seat holds now: its own, and those the IC handed its person."""
        welcome = self.welcome
        if welcome is None:
            return []
        mine = next((h for h in self.holdings if h.seat == welcome.seat), None)
        return list(mine.roles) if mine is not None else [welcome.role]

    @property
    def pending_requests(self) -> list[p.Request]:
        """The requests still waiting for a decision, oldest first."""
        return [r for _, r in sorted(self.requests.items()) if r.state == "pending"]

    def on_team_message(self, message: p.Roles | p.Request) -> None:
        """Keep who holds what and the requests' states."""
        if isinstance(message, p.Roles):
            self.holdings = list(message.seats)
        else:
            self.requests[message.request] = message

    def authorize(self, data: dict[str, object]) -> tuple[cmd.Command, bool]:
        """A typed command checked against the rows of the roles this seat holds, and whether
        it waits for the IC's approval (the host checks again).

        Raises:
            simulator.protocol.Refused: the seat's roles may not send it, or it is invalid.
        """
        return p.authorize_held(self.held_roles or ["observer"], data)

    async def decide(self, request: int, approve: bool, reason: str | None = None) -> p.Outcome:
        """Approve or deny a held request (the IC's seat).

        Raises:
            LinkError: no outcome in time, or the link dropped.
        """
        verb = "approve" if approve else "deny"
        return await self.exchange(
            lambda ident: p.Decision(
                v=p.NETWORK_VERSION, id=ident, request=request, approve=approve, reason=reason
            ),
            f"{verb} request {request}",
        )


def seat_begin(welcome: p.Welcome) -> datetime:
    """The exercise's clock at T+0 for a seat: what the host sent, else the library's scenario.

    A path in the host's header is never followed: it names a file on the host's machine.

    Raises:
        JournalError: an older host sent no start and its scenario is not in this library.
        LoadError: the library's scenario does not load.
    """
    from simulator.library import header_scenario

    begin = welcome.begin()
    if begin is not None:
        return begin
    return header_scenario(welcome.header(), source="the host's session").scenario.start
