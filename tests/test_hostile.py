"""Every input is hostile (issue 12): files, journals, scenario text and names.

Each section guards one numbered item of the issue: a file that is not a regular file (a
FIFO, a device) is refused at once; a path inside a journal header is never followed; a bad
journal is one located error line, never a traceback (a seeded mutation corpus through
``grade``, ``replay --verify`` and ``report``); control characters never reach a terminal or a
report; scenarios and names that would exhaust the machine are refused when they are read.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from simulator.files import FileError, read_bytes
from simulator.journal import Header, JournalError, JournalWriter, read_journal
from tui.cli.parser import main

ROOT = Path(__file__).parent.parent
LIBRARY = ROOT / "scenarios"
LOCATED = re.compile(r"^(?P<path>.+?):(?P<line>\d+): error: (?P<msg>.+)$")
"""A journal problem as the command line prints it."""


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """Each test fails after 60 s instead of hanging on a FIFO (SIGALRM interrupts the read)."""

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("hung: a FIFO or a device was read")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    yield path


def _run(*argv: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """``warroom ARGV`` in a fresh process (a hang fails the test instead of stopping it)."""
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )


def _reseal(source: Path, dest: Path, **changes: object) -> Path:
    """The same session written again with header fields changed (a journal that verifies)."""
    journal = read_journal(source)
    data = {**journal.header.to_dict(), **changes}
    lines = [json.dumps(data, separators=(",", ":"), ensure_ascii=False)]
    header = Header.from_dict(json.loads(lines[0]))
    with JournalWriter(dest, header) as writer:
        for event in journal.events:
            writer(event)
    return dest


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real journal of ``api-outage`` (expert autopilot), whole."""
    folder = tmp_path_factory.mktemp("played")
    journal = folder / "journal.jsonl"
    assert (
        main(["run", "api-outage", "--autopilot", "expert", "--journal", str(journal), "--quiet"])
        == 0
    )
    return journal


@pytest.fixture(scope="module")
def short(played: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 4 minutes of ``played`` (a journal that stops early: quick to replay)."""
    lines = played.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [lines[0]] + [line for line in lines[1:] if json.loads(line)["t"] <= 240]
    path = tmp_path_factory.mktemp("short") / "journal.jsonl"
    path.write_text("".join(kept), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- 1. files


def test_a_fifo_is_refused_at_once_not_read(fifo: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FileError) as info:
        read_bytes(fifo, limit=1024)
    assert str(info.value) == f"{fifo}: error: is a FIFO (named pipe), not a regular file"
    assert time.monotonic() - started < 1


def test_a_device_is_refused_without_reading_it() -> None:
    with pytest.raises(FileError, match=r"^/dev/zero: error: is a device, not a regular file$"):
        read_bytes("/dev/zero", limit=1024)


def test_a_file_is_refused_over_its_limit_and_read_within_it(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(FileError, match=r"file is 2048 bytes; the limit is 1 KiB$"):
        read_bytes(path, limit=1024)
    assert read_bytes(path, limit=2048) == b"x" * 2048
    with pytest.raises(FileError, match="is a directory, not a file"):
        read_bytes(tmp_path, limit=1024)
    with pytest.raises(FileError, match="no such file"):
        read_bytes(tmp_path / "missing", limit=1024)


def test_validate_and_run_refuse_a_fifo_and_dev_zero_as_the_scenario_at_once(fifo: Path) -> None:
    done = _run("validate", str(fifo), "/dev/zero", timeout=20)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{fifo}:1:1: error: is a FIFO (named pipe), not a regular file",
        "/dev/zero:1:1: error: is a device, not a regular file",
    ]
    done = _run("run", str(fifo), "--autopilot", "expert", timeout=20)
    assert done.returncode == 1
    assert done.stderr.strip() == f"{fifo}:1:1: error: is a FIFO (named pipe), not a regular file"


@pytest.mark.parametrize("command", ["grade", "replay"])
def test_a_fifo_or_a_device_as_the_journal_is_one_error_line(
    command: str, fifo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (str(fifo), "/dev/zero"):
        assert main([command, path]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"{path}: error: is a ")


def test_a_fifo_as_a_certificate_or_a_quiz_result_is_an_error(
    fifo: Path, short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--certificate", str(fifo), "--out", str(tmp_path / "c")]) == 1
    assert "is a FIFO" in capsys.readouterr().err
    assert main(["report", str(short), "--quiz", str(fifo), "--out", str(tmp_path / "q")]) == 1
    assert "is a FIFO" in capsys.readouterr().err


# --------------------------------------------------------------------------- 2. journal paths


_FOLLOW = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
from tui.cli.parser import main
for journal in sys.argv[2:]:
    for argv in (["grade", journal], ["replay", journal, "--verify"],
                 ["report", journal, "--out", sys.argv[1], "--format", "md"]):
        print("@@", argv[0], main(argv), file=sys.stderr, flush=True)
"""


def test_a_path_in_a_journal_header_is_never_followed(
    played: Path, fifo: Path, tmp_path: Path
) -> None:
    """``scenario_path`` pointing at a FIFO or ``/dev/zero``: the library's api-outage is used.

    Before, ``/dev/zero`` made grade allocate until the kernel killed it and a FIFO hung it;
    the check runs in a child with 2 GiB of address space and a time limit.
    """
    journals = [
        str(_reseal(played, tmp_path / f"{n}.jsonl", scenario_path=where))
        for n, where in enumerate((str(fifo), "/dev/zero"))
    ]
    done = subprocess.run(
        [sys.executable, "-c", _FOLLOW, str(tmp_path / "out"), *journals],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = [line for line in done.stderr.splitlines() if line.startswith("@@ ")]
    assert results == ["@@ grade 0", "@@ replay 0", "@@ report 0"] * 2, done.stderr
    assert "Traceback" not in done.stderr


def test_a_scenario_not_in_the_library_needs_scenario_and_is_graded_with_it(
    played: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (LIBRARY / "api-outage.yaml").read_text(encoding="utf-8")
    mine = tmp_path / "my-outage.yaml"
    mine.write_text(source.replace("id: api-outage", "id: my-outage", 1), encoding="utf-8")
    journal = tmp_path / "j.jsonl"
    argv = ["run", str(mine), "--autopilot", "expert", "--journal", str(journal), "--quiet"]
    assert main(argv) == 0
    capsys.readouterr()
    for command in (["grade"], ["replay", "--verify"], ["report", "--out", str(tmp_path / "o")]):
        assert main([command[0], str(journal), *command[1:]]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1, err
        assert err[0].startswith(f"{journal}:1: error: scenario 'my-outage'")
        assert "pass --scenario PATH" in err[0]
        assert main([command[0], str(journal), *command[1:], "--scenario", str(mine)]) == 0
        capsys.readouterr()


def test_a_header_naming_an_unknown_policy_is_one_error_line(
    played: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = _reseal(played, tmp_path / "j.jsonl", policy="/dev/zero")
    assert main(["grade", str(journal)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{journal}:1: error: policy '/dev/zero' is not one of the packaged")
    assert "pass --policy" in err
    assert main(["grade", str(journal), "--policy", "default"]) == 0


# --------------------------------------------------------------------------- 3. bad journals


def _line(lines: list[str], rng: random.Random, kind: str | None = None) -> int:
    """A random line index after the header (of an event ``kind`` when given)."""
    choices = [
        i for i in range(1, len(lines) - 1) if kind is None or f'"kind":"{kind}"' in lines[i]
    ]
    return rng.choice(choices)


def _set(line: str, key: str, value: object) -> str:
    data = json.loads(line)
    data[key] = value
    return json.dumps(data, separators=(",", ":"))


Mutation = Callable[[list[str], random.Random], list[str]]


def _replace(kind: str | None, change: Callable[[str, random.Random], str]) -> Mutation:
    def mutate(lines: list[str], rng: random.Random) -> list[str]:
        out = list(lines)
        i = _line(out, rng, kind)
        out[i] = change(out[i], rng)
        return out

    return mutate


INVALID: dict[str, Mutation] = {
    "a middle line is []": _replace(None, lambda s, r: "[]"),
    "a middle line is a number": _replace(None, lambda s, r: "12"),
    "a middle line is null": _replace(None, lambda s, r: "null"),
    "a middle line is cut": _replace(None, lambda s, r: s[: r.randrange(1, len(s) - 1)]),
    "a middle line is empty": _replace(None, lambda s, r: ""),
    "nested 5,000 arrays deep": _replace(None, lambda s, r: "[" * 5000 + "]" * 5000),
    "nested 5,000 objects deep": _replace(None, lambda s, r: '{"a":' * 5000 + "1" + "}" * 5000),
    "an unknown kind": _replace(None, lambda s, r: _set(s, "kind", "explosion")),
    "a kind that is a list": _replace(None, lambda s, r: _set(s, "kind", ["metrics"])),
    "t is text": _replace(None, lambda s, r: _set(s, "t", "soon")),
    "t is huge": _replace(None, lambda s, r: _set(s, "t", 10**300)),
    "t is negative": _replace(None, lambda s, r: _set(s, "t", -5)),
    "t has 5,000 digits": _replace(None, lambda s, r: s.replace('"t":', '"t":' + "9" * 5000, 1)),
    "t is 1e999": _replace(None, lambda s, r: s.replace('"t":', '"t":1e999,"x":', 1)),
    "t is NaN": _replace(None, lambda s, r: s.replace('"t":', '"t":NaN,"x":', 1)),
    "t goes back": _replace("alert_firing", lambda s, r: _set(s, "t", 0.0)),
    "metrics values is 1.5": _replace("metrics", lambda s, r: _set(s, "values", 1.5)),
    "metrics values is a list": _replace("metrics", lambda s, r: _set(s, "values", [1, 2])),
    "a metric value is text": _replace(
        "metrics", lambda s, r: _set(s, "values", {"api.error_rate": "high"})
    ),
    "a metric value is huge": _replace(
        "metrics", lambda s, r: _set(s, "values", {"api.error_rate": 10**400})
    ),
    "an action with a bad field": _replace(
        "action", lambda s, r: _set(s, "command", {"do": "acknowledge", "alrt": "X"})
    ),
    "an action with an unknown do": _replace(
        "action", lambda s, r: _set(s, "command", {"do": "launch_missiles"})
    ),
    "an action's command is a list": _replace("action", lambda s, r: _set(s, "command", [])),
    "an action's field is a mapping": _replace(
        "action", lambda s, r: _set(s, "command", {"do": "acknowledge", "alert": {"a": 1}})
    ),
    "a message text is a number": _replace("message", lambda s, r: _set(s, "text", 7)),
    "a message without text": _replace(
        "message", lambda s, r: json.dumps({k: v for k, v in json.loads(s).items() if k != "text"})
    ),
    "fired is text": _replace("alert_resolved", lambda s, r: _set(s, "fired", "yes")),
    "reveals is a number": _replace("diagnostic_result", lambda s, r: _set(s, "reveals", 3)),
    "eta is 1e300": _replace("diagnostic_started", lambda s, r: _set(s, "eta", 1e300)),
    "header is []": lambda lines, r: ["[]\n", *lines[1:]],
    "header seed is text": lambda lines, r: [_set(lines[0], "seed", "7") + "\n", *lines[1:]],
    "header seed is 1e300": lambda lines, r: [_set(lines[0], "seed", 1e300) + "\n", *lines[1:]],
    "header seed is huge": lambda lines, r: [_set(lines[0], "seed", 10**80) + "\n", *lines[1:]],
    "header levels is a number": lambda lines, r: [
        _set(lines[0], "severity_levels", 4) + "\n",
        *lines[1:],
    ],
    "header trainee is 100,000 characters": lambda lines, r: [
        _set(lines[0], "trainee", "A" * 100_000) + "\n",
        *lines[1:],
    ],
    "header scenario is a path": lambda lines, r: [
        _set(lines[0], "scenario", "../../etc/passwd") + "\n",
        *lines[1:],
    ],
    "header policy is unknown": lambda lines, r: [
        _set(lines[0], "policy", "no-such-policy") + "\n",
        *lines[1:],
    ],
    "header extra is a list": lambda lines, r: [_set(lines[0], "extra", []) + "\n", *lines[1:]],
}
"""Mutations after which a journal cannot be graded: each must give one located error line."""

TOLERATED: dict[str, Mutation] = {
    "metric values at the ends of the float range": _replace(
        "metrics",
        lambda s, r: _set(s, "values", {"api.error_rate": 1.7e308, "api.latency_p99": -1.7e308}),
    ),
    "a line deleted": lambda lines, r: [x for i, x in enumerate(lines) if i != _line(lines, r)],
    "the last line cut": lambda lines, r: [*lines[:-1], lines[-1][: len(lines[-1]) // 2]],
    "a line duplicated": lambda lines, r: (lambda i: [*lines[: i + 1], *lines[i:]])(
        _line(lines, r)
    ),
}
"""Mutations that leave a readable journal (edited, truncated or short): never a traceback."""


def _commands(journal: Path, out: Path) -> list[list[str]]:
    return [
        ["grade", str(journal)],
        ["replay", str(journal), "--verify"],
        ["report", str(journal), "--out", str(out), "--format", "md,json"],
    ]


@pytest.mark.parametrize("name", sorted(INVALID))
def test_a_mutated_journal_is_one_located_error_line_for_grade_replay_and_report(
    name: str, played: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(f"issue-12 {name}")
    lines = played.read_text(encoding="utf-8").splitlines(keepends=True)
    mutated = INVALID[name]([line.rstrip("\n") for line in lines], rng)
    journal = tmp_path / "j.jsonl"
    journal.write_text("\n".join(mutated) + "\n", encoding="utf-8")
    for argv in _commands(journal, tmp_path / "out"):
        code = main(argv)  # an exception escaping here fails the test
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 1, (name, argv, err)
        assert len(err) == 1, (name, argv, err)
        found = LOCATED.match(err[0])
        assert found is not None and found.group("path") == str(journal), (name, argv, err)
        assert len(err[0]) < 600


@pytest.mark.parametrize("name", sorted(TOLERATED))
def test_a_journal_edited_or_cut_short_never_gives_a_traceback(
    name: str, short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(f"issue-12 {name}")
    lines = [line.rstrip("\n") for line in short.read_text(encoding="utf-8").splitlines()]
    mutated = TOLERATED[name](lines, rng)
    journal = tmp_path / "j.jsonl"
    cut = name == "the last line cut"
    journal.write_text("\n".join(mutated) + ("" if cut else "\n"), encoding="utf-8")
    for argv in _commands(journal, tmp_path / "out"):
        code = main(argv)
        captured = capsys.readouterr()
        assert code in (0, 1), (name, argv)
        assert "Traceback" not in captured.err


def test_a_seeded_corpus_of_random_byte_edits_never_gives_a_traceback(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Random truncations, byte flips and type swaps anywhere, 60 journals, fast."""
    rng = random.Random(12)
    raw = short.read_bytes()
    swaps = [b"[]", b"{}", b"null", b"true", b'"x"', b"1e999", b"-1", b"9" * 400, b"[" * 3000]
    for n in range(60):
        data = bytearray(raw)
        how = n % 3
        if how == 0:
            data = data[: rng.randrange(1, len(data))]
        elif how == 1:
            at = rng.randrange(len(data))
            data[at] = rng.choice(b'{}[]":,0a\\\n\x00\xff')
        else:
            at = rng.randrange(len(data))
            data[at:at] = rng.choice(swaps)
        journal = tmp_path / f"j{n}.jsonl"
        journal.write_bytes(bytes(data))
        for argv in (["grade", str(journal)], ["replay", str(journal)]):
            code = main(argv)
            err = capsys.readouterr().err.strip().splitlines()
            assert code in (0, 1)
            if code == 1:
                assert len(err) == 1 and err[0].startswith(str(journal)), err


def test_grade_record_refuses_a_hand_edited_journal_in_one_line(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = short.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if '"kind":"action"' in line)
    lines[i] = lines[i].replace("APIErrorRateHigh", "APIErrorRateHigh ")
    journal = tmp_path / "j.jsonl"
    journal.write_text("".join(lines), encoding="utf-8")
    db = tmp_path / "records.db"
    assert main(["grade", str(journal), "--record", "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "edited by hand" in err[0]


def test_journal_errors_carry_their_path_and_line(tmp_path: Path, short: Path) -> None:
    lines = short.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = "[]\n"
    journal = tmp_path / "j.jsonl"
    journal.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(JournalError) as info:
        read_journal(journal)
    assert (info.value.path, info.value.line) == (str(journal), 4)
    assert str(info.value) == f"{journal}:4: error: an event is a JSON object, not a list"


# --------------------------------------------------------------------------- 4. control characters

RAW = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
"""A raw control byte (C0 but tab and newline, DEL, a UTF-8 encoded C1) in output or a file."""

TITLE = "Outage \\e]0;pwned\\a\\e[2J \\x9b31m \\0 end"
"""A scenario title (YAML double-quoted escapes): retitles a terminal, clears it, NUL, CSI."""


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """api-outage with a hostile title, played by a script whose trainee and text are hostile."""
    folder = tmp_path_factory.mktemp("hostile")
    source = (LIBRARY / "api-outage.yaml").read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[at] = f'title: "{TITLE}"\n'
    scenario = folder / "pwned.yaml"
    scenario.write_text("".join(lines).replace("id: api-outage", "id: pwned", 1), encoding="utf-8")
    script = folder / "script.yaml"
    script.write_text(
        'trainee: "Ada \\e]0;x\\a"\n'
        "actions:\n"
        "  - {at: 1m10s, do: acknowledge, alert: APIErrorRateHigh,"
        ' rationale: "why \\e[31mred\\e[0m \\u009b2J"}\n'
        '  - {at: 2m, do: note, text: "line one\\rline \\e]8;;http://x\\e\\\\ two\\0"}\n'
        "  - {at: 3m, do: classify, severity: SEV-2}\n",
        encoding="utf-8",
    )
    return scenario, script, str(folder)


def test_no_control_character_reaches_the_terminal_from_run_replay_or_grade(
    hostile_run: tuple[Path, Path, str], capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    scenario, script, folder = hostile_run
    journal = Path(folder) / "journal.jsonl"
    argv = ["run", str(scenario), "--actions", str(script), "--journal", str(journal)]
    assert main(argv) == 0
    out = capfdbinary.readouterr().out
    assert b"\\x1b]0;pwned\\x07\\x1b[2J" in out and b"Ada \\x1b]0;x\\x07" in out
    assert RAW.search(out) is None, RAW.search(out)
    for argv in (
        ["replay", str(journal), "--scenario", str(scenario)],
        ["grade", str(journal), "--scenario", str(scenario)],
        ["grade", str(journal), "--scenario", str(scenario), "--json"],
        ["run", str(scenario), "--actions", str(script), "--json"],
    ):
        assert main(argv) == 0, argv
        captured = capfdbinary.readouterr()
        assert RAW.search(captured.out) is None, (argv, RAW.search(captured.out))
        assert RAW.search(captured.err) is None, argv


def test_no_control_character_reaches_a_report(
    hostile_run: tuple[Path, Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, script, _ = hostile_run
    out = tmp_path / "reports"
    assert main(["run", str(scenario), "--actions", str(script), "--report", str(out)]) == 0
    certificate = tmp_path / "cert.json"
    certificate.write_text(
        json.dumps(
            {
                "warroom_certificate": 1,
                "title": "Incident Commander \u001b]0;t\u0007",
                "trainee": "Ada \u001b]0;x\u0007\u0000",
                "policy": "default",
                "stage": "certified",
                "issued": "2026-12-01",
                "expires": "2027-12-01",
                "code": "X\u009b2J",
                "criteria": [{"requirement": "quiz \u001b[2J", "met": "yes\u0007"}],
            }
        ),
        encoding="utf-8",
    )
    journal = out / "journal.jsonl"
    assert (
        main(
            [
                "report",
                str(journal),
                "--scenario",
                str(scenario),
                "--out",
                str(out),
                "--certificate",
                str(certificate),
            ]
        )
        == 0
    )
    library_journal = tmp_path / "library.jsonl"
    argv = ["run", "api-outage", "--actions", str(script), "--journal", str(library_journal)]
    assert main([*argv, "--quiet"]) == 0
    cohort = tmp_path / "cohort"
    assert main(["report", "--cohort", str(library_journal), "--out", str(cohort)]) == 0
    capsys.readouterr()
    files = sorted(p for p in [*out.iterdir(), *cohort.iterdir()] if p.name != "journal.jsonl")
    names = {p.name for p in files}
    assert {"debrief.html", "debrief.md", "debrief.json", "postmortem.md"} <= names
    assert {"certificate.html", "cohort.html", "cohort.md"} <= names
    for path in files:
        raw = path.read_bytes()
        assert RAW.search(raw) is None, (path.name, RAW.search(raw))
    debrief = (out / "debrief.md").read_text(encoding="utf-8")
    assert "\\x1b]0;pwned\\x07" in debrief and "Ada \\x1b]0;x\\x07" in debrief
    assert "Ada \\x1b]0;x\\x07\\x00" in (out / "certificate.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- 5. bounds


def _variant(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    text = (LIBRARY / "api-outage.yaml").read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "variant.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            [("duration: 90m", "duration: 400d"), ("sample_every: 5s", "sample_every: 1s")],
            ":22:11: error: duration: a scenario lasts at most 72h, not 400d",
        ),
        (
            [("duration: 90m", "duration: 48h"), ("sample_every: 5s", "sample_every: 1s")],
            ":23:15: error: sample_every: 48h sampled every 1s is 172,800 samples; a run takes "
            "at most 50,000 (sample less often or shorten the scenario)",
        ),
        (
            [("{value:.0f}%", "{value:.200000000f}%")],
            ":95:14: error: alerts[0].summary: placeholder {value:.200000000f} has more than 10 "
            "decimals",
        ),
        (
            [("{value:.0f}%", "{value:>100000}%")],
            ":95:14: error: alerts[0].summary: placeholder {value:>100000} is wider than 40 "
            "characters",
        ),
        (
            [("  notes:\n", '  notes:\n    - "' + "n" * 2001 + '"\n')],
            ":{notes}:7: error: debrief.notes[0]: String should have at most 2000 characters, got "
            f"'{'n' * 40}…'",
        ),
    ],
    ids=["400 days", "172,800 samples", "precision", "width", "a long note"],
)
def test_a_scenario_that_would_exhaust_the_machine_is_refused_where_it_says_so(
    changes: list[tuple[str, str]],
    expected: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _variant(tmp_path, *changes)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    # The debrief's notes are near the end of the file: their line follows the scenario's text.
    notes = (LIBRARY / "api-outage.yaml").read_text(encoding="utf-8").splitlines().index("  notes:")
    assert out == [f"{path}{expected.replace('{notes}', str(notes + 2))}"]


def test_every_library_scenario_is_within_the_bounds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *map(str, sorted(LIBRARY.glob("*.yaml")))]) == 0


def test_a_trainee_name_over_the_limit_is_one_clear_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["run", "api-outage", "--autopilot", "expert", "--trainee", "A" * 100_000])
    assert raised.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        "warroom run: error: argument --trainee: a trainee name is at most 80 characters "
        "(this one has 100000)"
    )
