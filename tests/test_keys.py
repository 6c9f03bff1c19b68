"""The programme's keys: ids, rotation that keeps old certificates verifiable, a missing key that
is an error with a way back (never a silent new key), and ``verify`` without the records."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from assessments.certificates import verify
from assessments.keys import (
    MissingKey,
    key_id,
    key_path,
    keys_folder,
    load_key,
    load_keys,
    programme_key,
    replace_lost_key,
    rotate,
)
from tests.test_cli_programme import TODAY, Cli, _certificate
from tests.test_cli_programme import cli as cli


def test_a_key_id_names_the_key_without_revealing_it() -> None:
    key = bytes(range(32))
    assert key_id(key) == key_id(bytes(range(32)))
    assert len(key_id(key)) == 12 and key.hex()[:12] != key_id(key)
    assert key_id(bytes(32)) != key_id(key)


def test_rotation_keeps_earlier_keys_for_verification(tmp_path: Path) -> None:
    db = tmp_path / "records.db"
    first = load_key(db, create=True)
    old, new = rotate(db)
    assert old == key_id(first) and new != old
    keys = load_keys(db)
    assert keys.current_id == new and set(keys.by_id) == {old, new}
    assert keys.by_id[old] == first
    if os.name == "posix":
        assert stat.S_IMODE(os.stat(keys_folder(db)).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(keys_folder(db) / f"{old}.key").st_mode) == 0o600
        assert stat.S_IMODE(os.stat(key_path(db)).st_mode) == 0o600


def test_no_first_key_is_made_for_a_programme_that_signed_something(tmp_path: Path) -> None:
    db = tmp_path / "records.db"
    with pytest.raises(MissingKey, match=r"restore records\.key .* from your backup"):
        programme_key(db, signed=3)
    assert not key_path(db).exists()
    assert programme_key(db, signed=0).current == load_key(db)


def test_a_key_that_went_missing_after_a_rotation_is_not_recreated(tmp_path: Path) -> None:
    db = tmp_path / "records.db"
    load_key(db, create=True)
    rotate(db)
    key_path(db).unlink()
    with pytest.raises(MissingKey, match="earlier keys are in"):
        load_key(db, create=True)
    replace_lost_key(db)
    with pytest.raises(Exception, match="warroom key rotate"):
        replace_lost_key(db)


def test_certificates_name_their_key_and_still_verify_after_rotation(
    cli: Cli, tmp_path: Path
) -> None:
    path = _certificate(cli, tmp_path)
    doc = json.loads(path.read_text())
    assert doc["key_id"] == key_id(load_key(tmp_path / "records.db"))
    rotated = cli("key", "rotate")
    assert rotated.code == 0 and "rotated: the current key is now" in rotated.out
    result = cli("verify", str(path))
    assert result.code == 0, result
    assert result.out.startswith(f"{path}: valid until 2027-03-02")
    listing = cli("key", "list").out.splitlines()
    assert len(listing) == 2 and sum("current" in line for line in listing) == 1


def test_deleting_the_key_makes_certify_fail_with_a_way_back(cli: Cli, tmp_path: Path) -> None:
    path = _certificate(cli, tmp_path)
    backup = (tmp_path / "records.key").read_bytes()
    (tmp_path / "records.key").unlink()
    with cli.records() as r:
        from tests.test_cli_programme import ready

        ready(r, "Bea")
    result = cli("certify", "Bea")
    assert result.code == 1
    assert "the programme's key is missing" in result.err
    assert "from your backup" in result.err and "warroom key replace-lost" in result.err
    assert not (tmp_path / "records.key").exists()
    (tmp_path / "records.key").write_bytes(backup)
    assert cli("verify", str(path)).code == 0


def test_a_certificate_signed_with_a_lost_key_says_which_key(cli: Cli, tmp_path: Path) -> None:
    path = _certificate(cli, tmp_path)
    (tmp_path / "records.key").unlink()
    assert cli("key", "replace-lost").code == 0
    result = cli("verify", str(path))
    assert result.code == 1
    assert "altered or issued by another programme" in result.out
    assert "restore records.key or records.keys/ from the backup" in result.out


def test_verify_without_the_records_cannot_check_revocation_and_exits_3(
    cli: Cli, tmp_path: Path
) -> None:
    path = _certificate(cli, tmp_path)
    assert cli("revoke", "Ada", "--reason", "left").code == 0
    (tmp_path / "records.db").unlink()
    result = cli("verify", str(path))
    assert result.code == 3
    assert "revocation cannot be checked: no records database" in result.out
    assert verify(path, load_keys(tmp_path / "records.db"), today=TODAY).revocation_checked is False
