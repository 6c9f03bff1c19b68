"""The command line as users and scripts call it: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.library import library_paths, schema_path, schema_text
from tui.cli import listing
from tui.cli.parser import main

ERROR_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.+)$")


def warroom(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli.parser", *args], capture_output=True, text=True, timeout=120
    )


def test_list_shows_every_library_scenario_with_its_severity_under_the_default_policy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"api-outage\s+API outage .*beginner\s+SEV-2 \(high\)\s+1h30m", out)
    assert f"{len(library_paths())} scenarios" in out


def _library_copy(folder: Path, count: int = 2) -> list[Path]:
    folder.mkdir()
    copies = [folder / p.name for p in library_paths()[:count]]
    for source, copy in zip(library_paths(), copies, strict=False):
        copy.write_bytes(source.read_bytes())
    return copies


def test_list_reads_its_rows_back_from_the_cache_while_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _library_copy(tmp_path / "library")
    cache = tmp_path / "cache" / "list.json"
    rows, problems = listing.library_rows(files, cache_file=cache)
    assert problems == [] and [r[0] for r in rows] == [p.stem for p in files]
    assert cache.is_file()

    def no_loading(spec: str) -> None:
        raise AssertionError(f"{spec} loaded again although nothing changed")

    monkeypatch.setattr("simulator.library.load_scenario", no_loading)
    assert listing.library_rows(files, cache_file=cache) == (rows, [])


def test_list_loads_again_when_a_library_file_changed(tmp_path: Path) -> None:
    files = _library_copy(tmp_path / "library")
    cache = tmp_path / "list.json"
    listing.library_rows(files, cache_file=cache)
    text = files[0].read_text()
    files[0].write_text(text.replace("title: ", "title: Renamed - ", 1))
    rows, problems = listing.library_rows(files, cache_file=cache)
    assert problems == [] and rows[0][1].startswith("Renamed - ")


def test_list_reports_a_library_file_that_does_not_load_and_caches_nothing(
    tmp_path: Path,
) -> None:
    files = _library_copy(tmp_path / "library")
    cache = tmp_path / "list.json"
    files[1].write_text(files[1].read_text().replace("difficulty:", "dificulty:", 1))
    rows, problems = listing.library_rows(files, cache_file=cache)
    assert [r[0] for r in rows] == [files[0].stem]
    assert [str(p) for exc in problems for p in exc.problems if "dificulty" in str(p)]
    assert not cache.exists()


@pytest.mark.parametrize("content", [b"not json", b'{"key": 1}', b"[]", b"\xff" * 10])
def test_a_damaged_list_cache_is_ignored_and_rewritten(tmp_path: Path, content: bytes) -> None:
    files = _library_copy(tmp_path / "library", count=1)
    cache = tmp_path / "list.json"
    expected, _ = listing.library_rows(files, cache_file=cache)
    cache.write_bytes(content)
    assert listing.library_rows(files, cache_file=cache) == (expected, [])
    assert cache.read_bytes() != content


def test_help_and_a_warm_list_build_no_model(tmp_path: Path) -> None:
    """Nor start an event loop's machinery: ``asyncio`` alone cost ``--help`` 64 ms."""
    code = (
        "import sys\nfrom tui.cli.parser import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "heavy = ('pydantic', 'yaml', 'simpy', 'asyncio', 'ssl', 'jinja2', 'psycopg')\n"
        "print('', sorted(m for m in heavy if m in sys.modules))"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("WARROOM_CACHE", None)  # the catalogue's cache goes in the user cache directory

    def loaded(*argv: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, check=True
        )
        return out.stdout.splitlines()[-1].strip()

    assert loaded("--help") == "[]"
    assert loaded("list") != "[]"  # a cold cache: every scenario is loaded and checked
    assert loaded("list") == "[]"


def test_every_library_scenario_validates(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(p) for p in library_paths()]
    assert main(["validate", *paths]) == 0
    assert f"ok: {len(paths)} scenario" in capsys.readouterr().out


def test_validate_reports_each_problem_as_path_line_col_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = Path(library_paths()[0]).read_text()
    text = text.replace("difficulty: beginner", "dificulty: beginner", 1)
    text = text.replace("for: 1m", "for: soon", 1)
    bad.write_text(text)
    result = warroom("validate", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = [m for m in map(ERROR_LINE.match, result.stdout.splitlines()) if m]
    messages = [m["msg"] for m in lines]
    assert all(m["path"] == str(bad) for m in lines)
    assert any("dificulty" in m and "did you mean 'difficulty'" in m for m in messages), messages
    assert any(m.startswith("alerts[0].for:") for m in messages), messages


def test_validate_reports_a_dangling_reference_where_it_is(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    lines = Path(library_paths()[0]).read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if "clears: [ml-inference-refusing" in line)
    lines[index] = lines[index].replace("ml-inference-refusing", "ml-inference-refused", 1)
    bad.write_text("\n".join(lines) + "\n")
    result = warroom("validate", str(bad))
    assert result.returncode == 1
    match = ERROR_LINE.match(result.stdout.splitlines()[0])
    assert match and int(match["line"]) == index + 1
    assert (
        "unknown fault 'ml-inference-refused' (did you mean 'ml-inference-refusing'?)"
        in match["msg"]
    )


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_validate_of_something_that_is_not_a_file_is_a_clear_error(
    tmp_path: Path, kind: str
) -> None:
    target = tmp_path / ("nope.yaml" if kind == "missing" else "dir")
    if kind == "directory":
        target.mkdir()
    result = warroom("validate", str(target))
    assert result.returncode == 1
    assert ERROR_LINE.match(result.stdout.strip()), result.stdout
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2() -> None:
    assert warroom("run", "api-outage").returncode == 2  # neither --actions nor --autopilot
    assert warroom("run", "api-outage", "--autopilot", "guru").returncode == 2
    assert warroom("frobnicate").returncode == 2


def test_an_unknown_scenario_id_is_an_error_that_lists_the_library() -> None:
    result = warroom("run", "api-outgae", "--autopilot", "expert")
    assert result.returncode == 1
    assert "no scenario 'api-outgae' in the library" in result.stderr
    assert "api-outage" in result.stderr


def test_the_committed_json_schema_matches_the_models() -> None:
    assert schema_path().read_text() == schema_text(), (
        "run: warroom schema > scenarios/scenario.schema.json"
    )


def test_schema_prints_the_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "injects" in schema["properties"] and schema["additionalProperties"] is False


def test_run_with_the_expert_autopilot_prints_a_transcript_and_replay_verifies_it(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "run.jsonl"
    result = warroom(
        "run", "api-outage", "--autopilot", "expert", "--journal", str(journal), "--seed", "5"
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"T\+01:05\s+15:15:05\s+ALERT\s+APIErrorRateHigh FIRING", result.stdout)
    assert "exercise ended (completed)" in result.stdout
    verified = warroom("replay", str(journal), "--verify")
    assert verified.returncode == 0, verified.stdout
    assert "verified" in verified.stdout


def test_a_journal_edited_by_hand_fails_verification(tmp_path: Path) -> None:
    journal = tmp_path / "run.jsonl"
    assert (
        warroom(
            "run", "api-outage", "--autopilot", "novice", "--journal", str(journal), "--quiet"
        ).returncode
        == 0
    )
    lines = journal.read_text().splitlines()
    i = next(i for i, line in enumerate(lines) if '"kind":"action"' in line)
    lines[i] = lines[i].replace(
        '"do":"acknowledge"', '"do":"acknowledge","rationale":"I was quick"'
    )
    journal.write_text("\n".join(lines) + "\n")
    result = warroom("replay", str(journal), "--verify")
    assert result.returncode == 1
    assert f"FAILED at line {i + 1}" in result.stdout


def test_run_with_an_action_script_plays_it(tmp_path: Path) -> None:
    script = tmp_path / "actions.yaml"
    script.write_text(
        "trainee: Ada\n"
        "actions:\n"
        "  - {at: 1m05s, do: acknowledge, alert: APIErrorRateHigh, rationale: first page}\n"
        "  - {at: 90s, do: classify, severity: SEV-2}\n"
        "  - {at: 2m, do: page, target: dana}\n"
    )
    result = warroom("run", "api-outage", "--actions", str(script))
    assert result.returncode == 0, result.stderr
    assert re.search(r"T\+01:05 .* IC\s+acknowledge APIErrorRateHigh", result.stdout)
    assert 'rationale: "first page"' in result.stdout


def test_a_broken_action_script_is_reported_with_its_location(tmp_path: Path) -> None:
    script = tmp_path / "actions.yaml"
    script.write_text(
        "actions:\n  - at: 1m\n    do: acknowledge\n    alrt: X\n  - at: later\n    do: resolve\n"
    )
    result = warroom("run", "api-outage", "--actions", str(script))
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert any(
        re.match(
            rf"{re.escape(str(script))}:4:5: error: actions\[0\]: unknown key .alrt. \(did you mean .alert.\?\)",
            e,
        )
        for e in errors
    ), errors
    assert any(
        re.match(rf"{re.escape(str(script))}:5:9: error: actions\[1\]\.at:", e) for e in errors
    ), errors


def test_an_action_script_can_carry_facilitator_commands_for_a_rehearsal(tmp_path: Path) -> None:
    script = tmp_path / "rehearsal.yaml"
    script.write_text(
        "actions:\n"
        "  - {at: 2m, do: fire_inject, inject: ml-network-policy}\n"
        "  - {at: 3m, do: adhoc_inject, sender: VP Engineering, channel: dm, text: Status?}\n"
        "  - {at: 4m, do: end_exercise}\n"
    )
    result = warroom("run", "api-outage", "--actions", str(script))
    assert result.returncode == 0, result.stderr
    assert re.search(r"T\+02:00 .* FACILITATOR\s+fire inject ml-network-policy", result.stdout)
    assert "Dana (ML platform) (facilitator): Heads-up" in result.stdout
    assert "VP Engineering (facilitator): Status?" in result.stdout
    assert "exercise ended (facilitator) at sim 4m" in result.stdout


def test_attaching_to_no_session_says_so_without_opening_a_screen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["facilitate", "--attach", str(tmp_path / "gone")]) == 1
    assert (
        capsys.readouterr().err == f"warroom: error: {tmp_path / 'gone'}: not a session directory\n"
    )
    assert main(["facilitate", "--attach", "--sessions", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith(
        f"warroom: error: no session is playing on this machine (looked in {tmp_path}); "
    )


# --------------------------------------------------------------------------- small courtesies


def test_version_prints_the_installed_version() -> None:
    done = warroom("--version")
    assert done.returncode == 0 and re.fullmatch(r"warroom \S+\n", done.stdout)


def test_a_mistyped_scenario_id_gets_a_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "api-outag", "--autopilot", "expert"]) == 1
    assert "did you mean 'api-outage'?" in capsys.readouterr().err


def test_run_expect_fails_the_job_when_the_verdict_differs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Scenario CI: the novice must fail and the expert pass; a surprise exits 1."""
    assert main(["run", "api-outage", "--autopilot", "novice", "--quiet", "--expect", "fail"]) == 0
    assert main(["run", "api-outage", "--autopilot", "novice", "--quiet", "--expect", "pass"]) == 1
    assert "expected the exercise to pass, and it did not pass" in capsys.readouterr().err


def test_run_report_creates_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder"
    assert (
        main(["run", "api-outage", "--autopilot", "expert", "--quiet", "--report", str(out)]) == 0
    )
    assert (out / "journal.jsonl").is_file() and (out / "debrief.html").is_file()


def test_report_writes_beside_the_journal_by_default(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    assert (
        main(["run", "api-outage", "--autopilot", "expert", "--quiet", "--journal", str(journal)])
        == 0
    )
    assert main(["report", str(journal)]) == 0
    assert (tmp_path / "debrief.html").is_file()


def test_list_fits_the_terminal_and_points_at_play(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli.common import table

    rows = [("ID", "TITLE"), ("a", "x" * 100)]
    table(rows, sys.stdout, fit=40)
    out = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in out) <= 40 and out[1].endswith("…")
    assert main(["list"]) == 0
    assert "warroom play ID" in capsys.readouterr().out


def test_run_refuses_a_script_written_for_another_scenario(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every step would be rejected and the grade would say the trainee did nothing."""
    script = str(Path(__file__).parent.parent / "scenarios/scripts/chain-halted.expert.yaml")
    assert main(["run", "api-outage", "--actions", script]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"{script}:4:11: error: scenario: this script is for 'chain-halted', not 'api-outage': "
        "play it with that scenario, or give 'api-outage' a script of its own"
    ]


def test_validate_checks_a_scripts_levels_against_the_policy_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    scripts = Path(__file__).parent.parent / "scenarios/scripts"
    default, agentos = (
        scripts / "api-outage.expert.yaml",
        scripts / "api-outage.expert.agentos.yaml",
    )
    assert main(["validate", "--policy", "agentos", str(agentos)]) == 0
    capsys.readouterr()
    assert main(["validate", "--policy", "agentos", str(default), str(agentos)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [
        f"{default}:13:15: error: actions[1].severity: 'SEV-2' is not a level of the agentos "
        "policy (P0, P1, P2, P3, P4); a script is a play under one policy"
    ]
    assert main(["validate", str(default), str(agentos)]) == 0  # without --policy: shape only
