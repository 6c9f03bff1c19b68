"""Certificates: issued when the rules are met, signed, verified, and the key that signs them.

A certificate is tamper-evident: a small JSON file whose ``code`` is HMAC-SHA256, keyed with a
secret kept beside the database (``records.key`` next to ``records.db``; 32 random bytes, mode
0600, created on first issue), over the canonical JSON of every other field. ``verify`` detects
any edit, then checks revocation and expiry. ``certify`` issues one when
``assessments.certification`` says the trainee's record meets the policy's rules (valid for the
policy's ``validity.period`` from the issue date).

This module must not decide who meets the rules (``assessments.certification`` does), print,
read the clock except as ``verify``'s fallback for ``today``, or import the TUI, Textual or Rich.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from assessments.certification import CertificationStatus, Stage, status
from assessments.policy import Policy
from assessments.records import Records, RecordsError

__all__ = [
    "ALTERED",
    "Certificate",
    "CertifyResult",
    "Verification",
    "canonical",
    "certify",
    "key_path",
    "load_key",
    "sign",
    "verify",
]

FORMAT = 1
"""Certificate file format version."""
KEY_BYTES = 32
"""Length of the signing key."""
MAX_CERTIFICATE_BYTES = 64 * 1024
"""Certificates larger than this are refused unread."""
TITLE = "Incident Response Certification"
"""What the certificate certifies ("Issued Incident Response Certification")."""


# --------------------------------------------------------------------------- issuing


@dataclass(frozen=True)
class Certificate:
    """An issued certificate, as its file holds it."""

    trainee: str
    """The trainee's name."""
    policy: str
    """The policy id it was issued under."""
    issued: date
    """Issue date."""
    expires: date
    """The day it expires (no longer valid from that day)."""
    stage: Stage
    """``initial`` or ``recertification``."""
    criteria: tuple[dict[str, Any], ...]
    """The rules met: ``{id, requirement, met, evidence}``."""
    code: str
    """HMAC-SHA256 of the canonical JSON of every other field, hex."""

    def body(self) -> dict[str, Any]:
        """Every field but the code: what the code signs."""
        return _body(
            self.trainee, self.policy, self.issued, self.expires, self.stage, self.criteria
        )

    def document(self) -> dict[str, Any]:
        """The file's content."""
        return {**self.body(), "code": self.code}

    def to_json(self) -> str:
        """The file's text."""
        return json.dumps(self.document(), indent=2, ensure_ascii=False) + "\n"


def _body(
    trainee: str,
    policy: str,
    issued: date,
    expires: date,
    stage: Stage,
    criteria: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    return {
        "warroom_certificate": FORMAT,
        "title": TITLE,
        "trainee": trainee,
        "policy": policy,
        "stage": stage,
        "issued": issued.isoformat(),
        "expires": expires.isoformat(),
        "criteria": [dict(c) for c in criteria],
    }


def canonical(body: Mapping[str, Any]) -> bytes:
    """The bytes a code is computed over: sorted keys, no spaces, UTF-8."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(body: Mapping[str, Any], key: bytes) -> str:
    """HMAC-SHA256 of ``body``'s canonical JSON, hex."""
    return hmac.new(key, canonical(body), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CertifyResult:
    """The outcome of ``certify``: a certificate, or the status that says what is missing."""

    status: CertificationStatus
    """The trainee's status before issuing."""
    certificate: Certificate | None
    """The new certificate; ``None`` when the rules are not met."""


def certify(
    records: Records, trainee: str, policy: Policy, *, today: date, key: bytes
) -> CertifyResult:
    """Issue a certificate when ``trainee`` meets ``policy``'s rules on ``today``.

    The status is read and the certificate recorded in one transaction, so two terminals
    certifying the same trainee at once issue one certificate.

    Raises:
        assessments.records.UnknownTrainee: when there is no such trainee.
    """
    with records.transaction():
        now = status(records, trainee, policy, today)
        if not now.ready:
            return CertifyResult(now, None)
        period = policy.certification_rules.validity.period
        expires = today + timedelta(days=int(period // 86400))
        criteria = tuple(
            {"id": r.id, "requirement": r.says, "met": r.progress, "evidence": list(r.evidence)}
            for r in now.requirements
            if not r.gate
        )
        body = _body(now.trainee, policy.id, today, expires, now.stage, criteria)
        cert = Certificate(
            now.trainee, policy.id, today, expires, now.stage, criteria, sign(body, key)
        )
        records.add_certificate(
            now.trainee,
            policy=policy.id,
            issued=today,
            expires=expires,
            code=cert.code,
            document=cert.to_json(),
        )
    return CertifyResult(now, cert)


# --------------------------------------------------------------------------- verification


Verdict = Literal["valid", "expired", "revoked", "altered", "unreadable"]
"""What ``verify`` found."""

ALTERED = "signature does not match: the certificate was altered or issued by another programme"
"""The message for a certificate whose code does not match its content."""


@dataclass(frozen=True)
class Verification:
    """The result of checking a certificate file."""

    verdict: Verdict
    """``valid``, ``expired``, ``revoked``, ``altered`` or ``unreadable``."""
    message: str
    """One line for people: ``valid until 2027-03-01 …``, ``expired on …``, ``revoked …``."""
    certificate: Certificate | None = None
    """The certificate, when its code matches."""

    @property
    def ok(self) -> bool:
        """Whether the certificate is valid."""
        return self.verdict == "valid"


_FIELDS: dict[str, type | tuple[type, ...]] = {
    "warroom_certificate": int,
    "title": str,
    "trainee": str,
    "policy": str,
    "stage": str,
    "issued": str,
    "expires": str,
    "criteria": list,
    "code": str,
}


def verify(
    cert_path: str | os.PathLike[str],
    key: bytes,
    *,
    today: date | None = None,
    records: Records | None = None,
) -> Verification:
    """Check a certificate file: its code, then revocation (when ``records`` is given), then
    expiry on ``today`` (default: the system date).
    """
    try:
        doc = _read_certificate(Path(cert_path))
    except ValueError as exc:
        return Verification("unreadable", f"not a warroom certificate: {exc}")
    body = {k: v for k, v in doc.items() if k != "code"}
    if not hmac.compare_digest(sign(body, key), str(doc["code"])):
        return Verification("altered", ALTERED)
    try:
        cert = Certificate(
            doc["trainee"],
            doc["policy"],
            date.fromisoformat(doc["issued"]),
            date.fromisoformat(doc["expires"]),
            doc["stage"],
            tuple(doc["criteria"]),
            doc["code"],
        )
    except ValueError as exc:  # pragma: no cover - only a certificate signed with bad dates
        return Verification("unreadable", f"not a warroom certificate: {exc}")
    who = f"{cert.trainee}, {TITLE} under policy {cert.policy}, issued {cert.issued.isoformat()}"
    if records is not None:
        held = records.certificate(cert.code)
        if held is not None and held.revoked:
            when = f" on {held.revoked_at.date().isoformat()}" if held.revoked_at else ""
            why = f" ({held.revoked_reason})" if held.revoked_reason else ""
            return Verification("revoked", f"revoked{when}{why}: {who}", cert)
    day = today or date.today()
    if day >= cert.expires:
        return Verification("expired", f"expired on {cert.expires.isoformat()}: {who}", cert)
    left = (cert.expires - day).days
    return Verification(
        "valid",
        f"valid until {cert.expires.isoformat()} ({left} day{'' if left == 1 else 's'} left): {who}",
        cert,
    )


def _read_certificate(path: Path) -> dict[str, Any]:
    from simulator.files import FileError, read_text

    try:
        text = read_text(path, limit=MAX_CERTIFICATE_BYTES)
    except FileError as exc:
        raise ValueError(exc.reason) from None
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(doc, dict):
        raise ValueError("not a JSON object")
    for name, kind in _FIELDS.items():
        if name not in doc:
            raise ValueError(f"no {name!r} field")
        if not isinstance(doc[name], kind) or isinstance(doc[name], bool):
            raise ValueError(f"the {name!r} field has the wrong type")
    return doc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the field {key!r} appears twice")
        out[key] = value
    return out


# --------------------------------------------------------------------------- the key


def key_path(db_path: str | os.PathLike[str]) -> Path:
    """The signing key beside a database: ``records.db`` → ``records.key``."""
    return Path(db_path).with_suffix(".key")


def load_key(db_path: str | os.PathLike[str], *, create: bool = False) -> bytes:
    """The signing key of the records at ``db_path``.

    Args:
        db_path: The database the key belongs to.
        create: Make the key (32 random bytes, file mode 0600) when there is none yet. Two
            processes creating it at once end up with the same key.

    Raises:
        assessments.records.RecordsError: when there is no key (and ``create`` is false) or the
            file is not a key.
    """
    path = key_path(db_path)
    if create and not path.exists():
        _create_key(path)
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        raise RecordsError(
            f"{path}: no certificate key; certificates are verified with the key beside the "
            "records database that issued them (give that database with --db)"
        ) from None
    except OSError as exc:
        raise RecordsError(f"{path}: cannot read the certificate key: {exc.strerror}") from None
    if len(key) != KEY_BYTES:
        raise RecordsError(f"{path}: not a certificate key ({len(key)} bytes, not {KEY_BYTES})")
    return key


def _create_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        os.write(fd, secrets.token_bytes(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:  # pragma: no cover - file systems without hard links
        if not path.exists():
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
