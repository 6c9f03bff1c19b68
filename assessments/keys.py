"""The programme's keys: what signs certificates and seals journals, with ids, rotation and backup.

A programme's secret keys are kept beside its records database, owner-only: the current key in
``records.key`` (32 random bytes, mode 0600, beside ``records.db``) and every earlier key in the
folder ``records.keys/`` (mode 0700; one ``KEYID.key`` file each, 0600). A key's id is derived
from the key itself (the first 12 hex digits of a SHA-256 of it), so a certificate or a journal
names the key that signed it without revealing it, and a key file cannot be mislabelled.

- ``load_keys`` reads them all (``Keys``: the current one and every id → key), for verifying;
- ``programme_key`` gives the key to sign with, making the first one only for a programme that
  has signed nothing yet: a key that goes missing after certificates were issued is an error
  that says how to restore it, never a silent new key (which would make every earlier
  certificate read as forged);
- ``rotate`` makes a new current key and keeps the old one for verification;
- ``replace_lost_key`` starts again when a key is lost for good (old certificates then no longer
  verify, and the caller says so).

This module must not decide what is signed (``assessments.certificates`` signs certificates,
``simulator.journal`` seals journals with the key it is handed), print, or import the TUI.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from assessments.records import RecordsError

__all__ = [
    "KEY_BYTES",
    "Keys",
    "MissingKey",
    "key_id",
    "key_path",
    "keys_folder",
    "load_key",
    "load_keys",
    "programme_key",
    "replace_lost_key",
    "rotate",
]

KEY_BYTES = 32
"""Length of a key."""
_ID_DIGITS = 12


class MissingKey(RecordsError):
    """The programme's key is not where the records say it should be."""


def key_id(key: bytes) -> str:
    """The id of ``key``: 12 hex digits of a SHA-256 of it (names a key, does not reveal it)."""
    return hashlib.sha256(b"warroom key id\n" + key).hexdigest()[:_ID_DIGITS]


def key_path(db_path: str | os.PathLike[str]) -> Path:
    """The current key beside a database: ``records.db`` → ``records.key``."""
    return Path(db_path).with_suffix(".key")


def keys_folder(db_path: str | os.PathLike[str]) -> Path:
    """The folder of earlier keys beside a database: ``records.db`` → ``records.keys/``."""
    return Path(db_path).with_suffix(".keys")


@dataclass(frozen=True)
class Keys:
    """Every key of a programme: the current one, and every key by id (the current included)."""

    current_id: str
    """The id of the key that signs now."""
    by_id: Mapping[str, bytes]
    """Every key the programme holds, by id."""

    @property
    def current(self) -> bytes:
        """The key that signs now."""
        return self.by_id[self.current_id]


def _read_key(path: Path) -> bytes:
    try:
        key = path.read_bytes()
    except OSError as exc:
        raise RecordsError(f"{path}: cannot read the key: {exc.strerror or exc}") from None
    if len(key) != KEY_BYTES:
        raise RecordsError(f"{path}: not a certificate key ({len(key)} bytes, not {KEY_BYTES})")
    return key


def load_key(db_path: str | os.PathLike[str], *, create: bool = False) -> bytes:
    """The current key of the records at ``db_path``.

    Args:
        db_path: The database the key belongs to.
        create: Make the first key (32 random bytes, file mode 0600) when there is none and the
            programme never had one (no earlier keys). Two processes creating it at once end up
            with the same key. Callers that hold the records use ``programme_key``, which also
            refuses when the records hold certificates.

    Raises:
        MissingKey: when there is no key (and ``create`` is false, or earlier keys show one
            went missing).
        assessments.records.RecordsError: when the file is not a key.
    """
    path = key_path(db_path)
    if create and not path.exists():
        if _retired(db_path):
            raise _missing(path, "earlier keys are in " + str(keys_folder(db_path)))
        _create_key(path)
    if not path.exists():
        raise MissingKey(
            f"{path}: no certificate key; certificates are verified with the key beside the "
            "records database that issued them (give that database with --db)"
        )
    return _read_key(path)


def load_keys(db_path: str | os.PathLike[str]) -> Keys:
    """Every key of the records at ``db_path``, for verifying certificates and journals.

    Raises:
        MissingKey: when there is no current key.
        assessments.records.RecordsError: when a key file is not a key.
    """
    current = load_key(db_path)
    by_id = dict(_retired(db_path))
    current_id = key_id(current)
    by_id[current_id] = current
    return Keys(current_id, by_id)


def programme_key(db_path: str | os.PathLike[str], *, signed: int) -> Keys:
    """The keys to sign with, making the first key only for a programme that signed nothing.

    Args:
        db_path: The records database.
        signed: How many certificates and sealed journals the records hold.

    Raises:
        MissingKey: when the key is missing but the records hold what it signed (the message
            says how to restore it).
    """
    path = key_path(db_path)
    if not path.exists():
        if signed:
            raise _missing(path, f"the records hold {signed} item(s) it signed")
        load_key(db_path, create=True)
    return load_keys(db_path)


def _missing(path: Path, evidence: str) -> MissingKey:
    return MissingKey(
        f"{path}: the programme's key is missing ({evidence}); restore {path.name} (and "
        f"{path.with_suffix('.keys').name}/) from your backup, mode 0600 (docs/records.md). "
        "If it is lost for good, `warroom key replace-lost` starts a new key; certificates "
        "signed with the lost key then no longer verify and need to be issued again"
    )


def rotate(db_path: str | os.PathLike[str]) -> tuple[str, str]:
    """Make a new current key; the old one moves to ``records.keys/`` and still verifies.

    Returns:
        ``(old id, new id)``.

    Raises:
        MissingKey: when there is no current key to rotate.
    """
    old = load_key(db_path)
    old_id = key_id(old)
    folder = keys_folder(db_path)
    _private_folder(folder)
    kept = folder / f"{old_id}.key"
    if not kept.exists():
        _write_new(kept, old)
    new = secrets.token_bytes(KEY_BYTES)
    path = key_path(db_path)
    tmp = _write_tmp(path, new)
    os.replace(tmp, path)
    return old_id, key_id(new)


def replace_lost_key(db_path: str | os.PathLike[str]) -> str:
    """Make a new current key when the old one is lost for good; returns its id.

    Raises:
        assessments.records.RecordsError: when a current key exists (rotate it instead).
    """
    path = key_path(db_path)
    if path.exists():
        raise RecordsError(f"{path}: the key is there; use `warroom key rotate` to replace it")
    _create_key(path)
    return key_id(_read_key(path))


def _retired(db_path: str | os.PathLike[str]) -> dict[str, bytes]:
    folder = keys_folder(db_path)
    if not folder.is_dir():
        return {}
    out: dict[str, bytes] = {}
    for f in sorted(folder.glob("*.key")):
        key = _read_key(f)
        out[key_id(key)] = key
    return out


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if hasattr(os, "chmod"):
        os.chmod(folder, 0o700)


def _write_tmp(path: Path, key: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    return tmp


def _write_new(path: Path, key: bytes) -> None:
    tmp = _write_tmp(path, key)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:  # pragma: no cover - file systems without hard links
        if not path.exists():
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _create_key(path: Path) -> None:
    _write_new(path, secrets.token_bytes(KEY_BYTES))
