"""TLS for network seats: the host's own key and self-signed certificate, made on first use,
its fingerprint, and the seats' pins (trust on first use, like SSH's ``known_hosts``).

The host's identity lives in ``<data dir>/host/`` (key 0600, directory 0700); a seat's pins in
``<data dir>/known_hosts`` (one ``HOST:PORT SHA256:…`` line each). A seat checks the pin right
after the handshake and before it sends its join code, so a code never reaches a host it does
not trust. No Textual; no network I/O here beyond building ``ssl`` contexts.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from simulator.files import FileError, read_text
from tui.link.common import LinkError, private_dir

CERT_NAME = "host-cert.pem"
"""The host's certificate in its identity directory."""

KEY_NAME = "host-key.pem"
"""The host's private key in its identity directory (0600)."""

KNOWN_HOSTS = "known_hosts"
"""The seats' pinned certificates in the user data directory."""


class CertificateChanged(LinkError):
    """The host's certificate is not the one this seat pinned: refused, like SSH does."""


@dataclass(frozen=True)
class Identity:
    """The host's TLS identity."""

    cert: Path
    key: Path
    fingerprint: str
    """``SHA256:`` and the certificate's DER digest as colon-separated hex."""


def fingerprint(der: bytes) -> str:
    """``SHA256:AB:CD:…`` for a DER certificate."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return "SHA256:" + ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def host_identity(directory: Path) -> Identity:
    """The host's key and certificate in ``directory``, made there on first use.

    Raises:
        LinkError: the directory cannot be made private, or the files cannot be written.
    """
    private_dir(directory)
    cert, key = directory / CERT_NAME, directory / KEY_NAME
    if not (cert.is_file() and key.is_file()):
        _make_identity(cert, key)
    try:
        pem = read_text(cert, limit=64 * 1024)
    except FileError as exc:
        raise LinkError(str(exc)) from None
    return Identity(cert, key, fingerprint(ssl.PEM_cert_to_DER_cert(pem)))


def _make_identity(cert_path: Path, key_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "warroom host")])
    now = datetime.datetime.now(datetime.UTC)
    alt = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.DNSName(socket.gethostname() or "localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(alt, critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key_pem)
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    except OSError as exc:
        raise LinkError(f"cannot write the host's certificate: {exc.strerror or exc}") from None


def server_context(identity: Identity) -> ssl.SSLContext:
    """The host's TLS context (TLS 1.2 at least)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(identity.cert, identity.key)
    return context


def client_context() -> ssl.SSLContext:
    """A seat's TLS context: the host's certificate is self-signed, so it is not checked
    against a CA; the seat checks its pin (``KnownHosts.check``) before saying anything."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class KnownHosts:
    """The certificates a seat has pinned, one ``HOST:PORT FINGERPRINT`` line each."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, str]:
        try:
            text = read_text(self.path, limit=1024 * 1024)
        except FileError:
            return {}
        pins: dict[str, str] = {}
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 2:
                pins[parts[0]] = parts[1]
        return pins

    def check(self, address: str, seen: str) -> bool:
        """Pin ``seen`` for ``address`` on first use; ``True`` when it was new.

        Raises:
            CertificateChanged: another certificate was pinned for this address.
        """
        pins = self._read()
        pinned = pins.get(address)
        if pinned == seen:
            return False
        if pinned is not None:
            raise CertificateChanged(
                f"the host at {address} presents another certificate than the one pinned on "
                f"first use.\n  pinned: {pinned}\n  now:    {seen}\n"
                "Someone may be intercepting the connection, or the host made a new key. Check "
                f"the fingerprint the host printed; if it changed on purpose, remove the line "
                f"for {address} from {self.path}."
            )
        private_dir(self.path.parent)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(f"{address} {seen}\n")
        return True
