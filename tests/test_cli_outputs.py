"""Every file or folder a command line names for output follows one rule (``simulator.files``).

The path must be a regular file or not exist yet (a folder, or nothing yet, for a folder
option); anything else (a folder where a file goes, a FIFO, a device such as ``/dev/full``, a
path under a file) is refused before any work as a usage error, exit 2, in one line:
``warroom: error: OPTION PATH: cannot write: …``. Nothing ever waits on a FIFO. A write that
fails later (a full disk) is one ``PATH: error: cannot write: …`` line, exit 1. Never a
traceback.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from simulator import files
from simulator.files import FileError, check_output_file, make_folder, write_bytes, write_text
from tui.cli.parser import main

RUN = ["run", "api-outage", "--autopilot", "expert", "--quiet"]

FILE_OPTIONS = {
    "run --journal": [*RUN, "--journal"],
    "run --junit": [*RUN, "--junit"],
    "lint --junit": ["lint", "api-outage", "--seeds", "1", "--junit"],
    "export --out": ["export", "--csv", "--out"],
}
"""Commands with an output FILE option, the option last (the path follows)."""

FOLDER_OPTIONS = {
    "run --report": [*RUN, "--report"],
    "report --out": ["report", "journal.jsonl", "--out"],
    "host --sessions": ["host", "api-outage", "--listen", "127.0.0.1:0", "--headless", "--sessions"],
    "host --report": ["host", "api-outage", "--listen", "127.0.0.1:0", "--headless", "--report"],
    "play --sessions": ["play", "api-outage", "--sessions"],
}  # fmt: skip
"""Commands with an output folder option, the option last."""


@pytest.fixture(autouse=True)
def deadline() -> Iterator[None]:
    """Fail, rather than hang the suite, when something opens a FIFO and waits for a reader."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("the command waited on its output path")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(30)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, str]:
    """One path of each kind that can hold neither an output file nor an output folder."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("x")
    os.mkfifo(tmp_path / "fifo")
    return {
        "folder": str(tmp_path / "folder"),
        "file": str(tmp_path / "file.txt"),
        "fifo": str(tmp_path / "fifo"),
        "under a file": str(tmp_path / "file.txt" / "out"),
    }


FILE_REFUSALS = {
    "folder": "is a directory, not a file",
    "fifo": "is a FIFO (named pipe), not a regular file",
    "device": "is a device, not a regular file",
    "under a file": "{dir} is not a folder",
}
FOLDER_REFUSALS = {
    "file": "is a file, not a folder",
    "fifo": "is a FIFO (named pipe), not a folder",
    "device": "is a device, not a folder",
    "under a file": "{dir} is not a folder",
}


def _path(kind: str, paths: dict[str, str]) -> str:
    return "/dev/full" if kind == "device" else paths[kind]


def _reason(template: str, path: str) -> str:
    return template.format(dir=os.path.dirname(path))


@pytest.mark.parametrize("kind", sorted(FILE_REFUSALS))
@pytest.mark.parametrize("command", sorted(FILE_OPTIONS))
def test_an_output_file_option_refuses_anything_but_a_regular_file_at_once(
    command: str,
    kind: str,
    paths: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "records.db"))
    path = _path(kind, paths)
    argv = FILE_OPTIONS[command]
    assert main([*argv, path]) == 2
    err = capsys.readouterr().err.splitlines()
    option = argv[-1]
    assert err == [
        f"warroom: error: {option} {path}: cannot write: {_reason(FILE_REFUSALS[kind], path)}"
    ]


@pytest.mark.parametrize("kind", sorted(FOLDER_REFUSALS))
@pytest.mark.parametrize("command", sorted(FOLDER_OPTIONS))
def test_an_output_folder_option_refuses_anything_but_a_folder_at_once(
    command: str,
    kind: str,
    paths: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = "/dev/null" if kind == "device" else paths[kind]
    argv = FOLDER_OPTIONS[command]
    assert main([*argv, path]) == 2
    err = capsys.readouterr().err.splitlines()
    prefix = "warroom report" if command.startswith("report") else "warroom"
    reason = _reason(FOLDER_REFUSALS[kind], path)
    assert err == [f"{prefix}: error: {argv[-1]} {path}: cannot write: {reason}"]


def test_run_report_into_a_folder_holding_a_fifo_named_like_a_report_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "debrief.md")
    assert main([*RUN, "--report", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{out / 'debrief.md'}: error: cannot write: is a FIFO (named pipe), not a regular file"
    ]


def test_a_journal_that_fails_to_write_mid_run_is_one_error_line_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from simulator.journal import JournalWriter

    write = JournalWriter._write
    lines = 0

    def fill_up(self: JournalWriter, line: str) -> None:
        nonlocal lines
        lines += 1
        if lines > 20:
            raise OSError(errno.ENOSPC, "No space left on device")
        write(self, line)

    monkeypatch.setattr(JournalWriter, "_write", fill_up)
    journal = tmp_path / "journal.jsonl"
    assert main([*RUN, "--journal", str(journal)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{journal}: error: cannot write: no space left on device"]


# --------------------------------------------------------------------------- simulator.files


def test_write_text_makes_the_folder_and_replaces_a_regular_file(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    write_text(target, "a long first version\n")
    write_text(target, "short\n")
    assert target.read_text() == "short\n"
    with pytest.raises(FileError, match="exists already"):
        write_text(target, "again\n", exclusive=True)


def test_a_fifo_that_appears_after_the_check_is_refused_on_the_descriptor_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    monkeypatch.setattr(files, "check_output_file", lambda path: None)  # the race: too late
    with pytest.raises(FileError) as nobody_reads:
        write_text(fifo, "x")
    assert nobody_reads.value.reason == "cannot write: is a FIFO (named pipe), not a regular file"
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with pytest.raises(FileError) as read_by_someone:
            write_text(fifo, "x")
        assert read_by_someone.value.reason == nobody_reads.value.reason
        assert os.read(reader, 1) == b""  # nothing was written into the pipe
    finally:
        os.close(reader)


def test_a_write_that_fails_is_a_file_error_naming_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    target = tmp_path / "out.txt"
    with pytest.raises(FileError) as raised:
        write_bytes(target, b"data")
    assert str(raised.value) == f"{target}: error: cannot write: no space left on device"


def test_a_device_is_refused_without_opening_it() -> None:
    with pytest.raises(FileError, match="is a device, not a regular file"):
        write_bytes("/dev/full", b"x")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    check_output_file("/nonexistent-folder-of-warroom/x.txt")  # made when written: fine


def test_make_folder_keeps_a_folder_and_refuses_a_file(tmp_path: Path) -> None:
    make_folder(tmp_path / "new" / "deeper")
    make_folder(tmp_path / "new")
    assert (tmp_path / "new" / "deeper").is_dir()
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileError, match="is a file, not a folder"):
        make_folder(tmp_path / "file")
