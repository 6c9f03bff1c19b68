"""Journals the programme can trust: sealed with the programme's key as they are written,
checked by ``replay --verify``, and refused for credit when unsealed, foreign or forged."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assessments.autoplay import autopilot, headless_engine, play_to_end
from assessments.keys import load_keys
from assessments.policy import load_policy
from assessments.programme import sealing_key
from simulator.journal import JournalWriter, chain, check_seal, new_header, read_journal
from simulator.library import load_scenario
from tui.cli.parser import main


def _play(path: Path, seal: tuple[str, bytes] | None, trainee: str = "Ada") -> Path:
    loaded = load_scenario("api-outage")
    policy = load_policy("default")
    engine = headless_engine(loaded.scenario, policy, seed=3, trainee=trainee)
    header = new_header(
        loaded,
        seed=3,
        policy="default",
        severity_levels=policy.level_names,
        trainee=trainee,
        driver="tui",
        started_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    with JournalWriter(path, header, seal=seal) as writer:
        engine.subscribe(writer)
        play_to_end(engine, autopilot("expert", loaded.scenario, policy, seed=3))
    return path


def _reseal_by_hand(path: Path, *, keep_seal: bool) -> None:
    """What a forger can do without the key: edit, then redo the plain sha256 chain."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["trainee"] = "Mallory"
    if not keep_seal:
        header.pop("sealed_by")
    first = json.dumps(header, separators=(",", ":"), ensure_ascii=False)
    out = [first]
    digest = chain("", first)
    for line in lines[1:]:
        content = re.sub(r',"h":"[0-9a-f]{16}"(,"s":"[0-9a-f]{32}")?}$', "}", line)
        digest = chain(digest, content)
        seal = re.search(r',"s":"([0-9a-f]{32})"}$', line)
        kept = f',"s":"{seal.group(1)}"' if keep_seal and seal else ""
        out.append(content[:-1] + f',"h":"{digest}"{kept}}}')
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "records.db"


def test_a_sealed_journal_verifies_and_earns_credit(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = _play(tmp_path / "j.jsonl", sealing_key(db))
    read = read_journal(journal)
    assert read.edited_line is None
    assert check_seal(read, load_keys(db).by_id).trusted
    assert main(["replay", str(journal), "--verify", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "verified:" in out and "seal: sealed by this programme" in out
    assert main(["grade", str(journal), "--record", "--db", str(db), "--json"]) == 0


@pytest.mark.parametrize("keep_seal", [False, True], ids=["seal-dropped", "seal-kept"])
def test_a_forged_journal_resealed_by_hand_is_refused_for_credit(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], keep_seal: bool
) -> None:
    journal = _play(tmp_path / "j.jsonl", sealing_key(db))
    _reseal_by_hand(journal, keep_seal=keep_seal)
    read = read_journal(journal)
    assert read.edited_line is None  # the plain chain is intact: only the seal tells
    assert read.header.trainee == "Mallory"
    code = main(["replay", str(journal), "--verify", "--db", str(db)])
    out = capsys.readouterr().out
    if keep_seal:
        assert code == 1 and "FAILED: seal: line 2 does not match the programme's seal" in out
    else:
        assert code == 0 and "seal: not sealed by a programme" in out
    assert main(["grade", str(journal), "--record", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "not recorded" in err
    assert main(["trainee", "Mallory", "--db", str(db)]) == 1


def test_an_unsealed_or_foreign_journal_is_refused_for_credit_with_a_clear_message(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sealing_key(db)
    unsealed = _play(tmp_path / "u.jsonl", None)
    assert main(["grade", str(unsealed), "--record", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "not recorded for credit: not sealed by a programme" in err
    assert "only journals this programme sealed as they were played earn credit" in err
    other = tmp_path / "other" / "records.db"
    foreign = _play(tmp_path / "f.jsonl", sealing_key(other))
    assert main(["grade", str(foreign), "--record", "--db", str(db)]) == 1
    assert "which this programme does not hold" in capsys.readouterr().err


def test_a_tui_session_is_sealed_with_the_records_key_and_resumes_only_with_it(
    db: Path, tmp_path: Path
) -> None:
    from simulator import commands as cmd
    from tui.app import programme_seal
    from tui.headless.session import ResumeError, new_session, resume_session

    seal = programme_seal(db)
    assert seal is not None and seal == sealing_key(db)
    session = new_session("api-outage", trainee="Ada", journal_dir=tmp_path, paused=True, seal=seal)
    session.open(0.0)
    session.jump(70)
    assert session.submit(cmd.Acknowledge(alert="APIErrorRateHigh")).accepted
    session.jump(100)
    assert session.directory is not None
    journal_path = session.directory / "journal.jsonl"
    read = read_journal(journal_path)
    assert read.header.sealed_by == seal[0]
    assert check_seal(read, load_keys(db).by_id).trusted
    with pytest.raises(ResumeError, match="sealed with programme key"):
        resume_session(session.directory)
    resumed = resume_session(session.directory, seal=seal)
    resumed.toggle_pause(0.0)
    assert resumed.submit(cmd.Classify(severity="SEV-2")).accepted
    resumed.close()
    again = read_journal(journal_path)
    assert again.edited_line is None and check_seal(again, load_keys(db).by_id).trusted


def test_a_sealed_journal_cut_short_still_verifies_but_earns_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # every line carries the seal so far: cut at a line boundary, what is left is still this
    # programme's, and the grade "as if it ended there" leaves out whatever came after
    whole = _play(tmp_path / "whole" / "j.jsonl", sealing_key(db))
    lines = whole.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "cut" / "j.jsonl"
    cut.parent.mkdir()
    cut.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    read = read_journal(cut)
    assert not read.ended and check_seal(read, load_keys(db).by_id).trusted
    assert main(["replay", str(cut), "--verify", "--db", str(db)]) == 0
    assert "sealed by this programme" in capsys.readouterr().out

    assert main(["grade", str(cut), "--record", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["trainee", "Ada", "--db", str(db)]) == 0
    record = capsys.readouterr().out
    assert "(counts as: nothing: not played to its end)" in record
    assert "ic-exercise)" not in record and "[ ] ic-exercise" in record

    # the same session played to its end earns the credit
    assert main(["grade", str(whole), "--record", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["trainee", "Ada", "--db", str(db)]) == 0
    assert "(counts as: ic-exercise)" in capsys.readouterr().out


def test_grade_record_refuses_a_scenario_or_policy_other_than_the_one_played(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    journal = _play(tmp_path / "j.jsonl", sealing_key(db))
    scenario = Path("scenarios/api-outage.yaml").read_text(encoding="utf-8")
    doctored = tmp_path / "api-outage.yaml"
    doctored.write_text(scenario.replace("45%", "44%", 1), encoding="utf-8")
    policy = yaml.safe_load(Path("assessments/policies/default.yaml").read_text(encoding="utf-8"))
    policy["grading"]["pass_score"] = 0.3
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text(yaml.safe_dump(policy, sort_keys=False), encoding="utf-8")
    same = tmp_path / "same.yaml"
    same.write_text(scenario, encoding="utf-8")

    refused = {
        ("--scenario", str(doctored)): "is not the scenario this journal was played on",
        ("--policy", "agentos"): "it was played under policy default, not agentos",
        ("--policy", str(lenient)): "not the packaged policy default it was played under",
    }
    for (option, value), why in refused.items():
        assert main(["grade", str(journal), option, value]) == 0  # shown, as asked …
        capsys.readouterr()
        code = main(["grade", str(journal), option, value, "--record", "--db", str(db)])
        assert code == 1 and why in capsys.readouterr().err  # … and never recorded
    assert main(["trainee", "Ada", "--db", str(db)]) == 1

    # the very scenario and policy it was played under, named explicitly, are recorded
    argv = ["grade", str(journal), "--scenario", str(same), "--policy", "default"]
    assert main([*argv, "--record", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["trainee", "Ada", "--db", str(db)]) == 0
    assert "(counts as: ic-exercise)" in capsys.readouterr().out
