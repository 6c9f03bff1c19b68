"""The cache of validated files (``simulator.modelcache``): a hit is the very instance a
validation gives, a miss validates, and nothing in the cache folder is trusted."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from assessments.policy import PACKAGED, Policy, check_policy, policy_path
from assessments.quiz import QuestionBank, bank_path, check_bank
from simulator import modelcache, yamlio
from simulator.library import library_paths, load_scenario
from simulator.model import Scenario

Checks = Callable[[Any], Iterable[tuple[Any, str]]]

FILES: list[tuple[Path, type[BaseModel], Checks]] = [
    *((p, Scenario, Scenario.check_references) for p in library_paths()),
    *((policy_path(n), Policy, check_policy) for n in PACKAGED),
    (bank_path(), QuestionBank, check_bank),
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("WARROOM_CACHE", str(folder))
    return folder / "models"


def no_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any validation fail the test: a hit must not parse or validate."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("validated on a cache hit")

    monkeypatch.setattr(yamlio, "parse_yaml", refuse)
    monkeypatch.setattr(yamlio, "validate", refuse)


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json"))


@pytest.mark.parametrize(("path", "model", "checks"), FILES, ids=lambda v: getattr(v, "name", ""))
def test_a_hit_is_the_instance_validation_gives(
    cache: Path, monkeypatch: pytest.MonkeyPatch, path: Path, model: type[BaseModel], checks: Checks
) -> None:
    fresh = yamlio.load(path, model, checks=checks)
    first, sha = modelcache.load(path, model, checks=checks)
    assert len(entries(cache)) == 1
    no_validation(monkeypatch)
    again, sha_again = modelcache.load(path, model, checks=checks)
    assert again == fresh == first
    assert again.model_dump() == fresh.model_dump()
    assert again.model_fields_set == fresh.model_fields_set
    assert again.__pydantic_private__ == fresh.__pydantic_private__
    assert sha == sha_again == hashlib.sha256(path.read_bytes()).hexdigest()


def test_changed_bytes_are_validated_again(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    text = library_paths()[0].read_text()
    path.write_text(text)
    first = load_scenario(str(path)).scenario
    path.write_text(text.replace(f"title: {first.title}", "title: Another title", 1))
    second = load_scenario(str(path)).scenario
    assert second.title == "Another title"
    assert len(entries(cache)) == 2


def test_an_invalid_file_is_never_cached_and_fails_the_same_way_each_time(
    cache: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(library_paths()[0].read_text().replace("difficulty:", "dificulty:", 1))
    problems = []
    for _ in range(2):
        with pytest.raises(yamlio.LoadError) as caught:
            load_scenario(str(path))
        problems.append([str(p) for p in caught.value.problems])
    assert problems[0] == problems[1]
    assert any("dificulty" in p for p in problems[0])
    assert not entries(cache)


def test_a_file_that_cannot_be_read_is_reported_as_the_loader_reports_it(
    cache: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(yamlio.LoadError) as caught:
        modelcache.load(missing, Scenario)
    assert str(caught.value.problems[0]).startswith(f"{missing}:")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"id: x\n" + b"#" * 2000)
    with pytest.raises(yamlio.LoadError, match="limit"):
        modelcache.load(big, Scenario, max_bytes=1000)


def _doctor(entry: Path, change: Callable[[dict[str, Any]], object]) -> None:
    data = json.loads(entry.read_bytes())
    change(data)
    entry.write_text(json.dumps(data))


def _model_body(data: dict[str, Any]) -> list[Any]:
    body: list[Any] = data["value"]["m"]
    return body


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda e: e.write_bytes(b"{not json"), id="not-json"),
        pytest.param(lambda e: e.write_bytes(e.read_bytes()[:100]), id="truncated"),
        pytest.param(lambda e: e.write_bytes(b"[]"), id="not-an-object"),
        pytest.param(lambda e: _doctor(e, lambda d: d.update(key="0" * 64)), id="another-key"),
        pytest.param(
            lambda e: _doctor(e, lambda d: _model_body(d).__setitem__(0, "os.system")),
            id="a-class-the-model-does-not-hold",
        ),
        pytest.param(
            lambda e: _doctor(
                e, lambda d: _model_body(d).__setitem__(0, "assessments.policy.Policy")
            ),
            id="a-model-class-of-another-file",
        ),
        pytest.param(
            lambda e: _doctor(e, lambda d: _model_body(d)[1].update(surprise=1)),
            id="a-field-the-model-does-not-have",
        ),
        pytest.param(
            lambda e: _doctor(e, lambda d: _model_body(d)[1].pop("title")),
            id="a-field-missing",
        ),
        pytest.param(
            lambda e: _doctor(e, lambda d: _model_body(d)[1].update(title={"x": 1})),
            id="an-unknown-tag",
        ),
        pytest.param(lambda e: e.write_bytes(b"[" * 100_000), id="deep-nesting"),
        pytest.param(
            lambda e: _doctor(e, lambda d: _model_body(d)[1].update(title={"d": [[[1], 2]]})),
            id="an-unhashable-key",
        ),
        pytest.param(
            lambda e: _doctor(e, lambda d: _model_body(d).__setitem__(2, [[1]])),
            id="an-unhashable-field-name",
        ),
    ],
)
def test_a_spoiled_entry_is_a_miss_and_is_written_again(
    cache: Path, spoil: Callable[[Path], object]
) -> None:
    path = library_paths()[0]
    expected = load_scenario(str(path)).scenario
    (entry,) = entries(cache)
    spoil(entry)
    assert load_scenario(str(path)).scenario == expected
    (rewritten,) = entries(cache)
    assert json.loads(rewritten.read_bytes())["value"]["m"][0] == "simulator.model.Scenario"


def test_an_entry_that_is_not_a_regular_file_is_not_read(cache: Path) -> None:
    path = library_paths()[0]
    expected = load_scenario(str(path)).scenario
    (entry,) = entries(cache)
    entry.unlink()
    os.mkfifo(entry)  # would hang a reader that opened it blocking
    assert load_scenario(str(path)).scenario == expected


def test_the_folder_and_entries_are_owner_only(cache: Path) -> None:
    load_scenario(str(library_paths()[0]))
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    (entry,) = entries(cache)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert not list(cache.glob(".*.tmp"))


def test_only_the_most_recent_entries_are_kept(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(modelcache, "KEEP", 3)
    text = library_paths()[0].read_text()
    for i in range(5):
        path = tmp_path / f"s{i}.yaml"
        path.write_text(f"{text}\n# copy {i}\n")
        load_scenario(str(path))
    assert len(entries(cache)) == 3


def test_the_key_follows_the_code() -> None:
    """Another version of the models or the checks reads no entry written by this one."""
    assert modelcache.code_fingerprint("simulator") == modelcache.code_fingerprint()
    assert modelcache.code_fingerprint("assessments") != modelcache.code_fingerprint()


def test_a_warm_console_start_parses_no_yaml_and_builds_no_validator(tmp_path: Path) -> None:
    """What the console's first frame waits on: with the scenario and the policy validated
    before, opening them imports no YAML and builds none of pydantic's validators."""
    code = (
        "import sys\n"
        "from tui.headless.session import new_session\n"
        "from simulator.model import Scenario\n"
        "from assessments.policy import Policy\n"
        "s = new_session('api-outage', trainee='Ada', journal_dir=sys.argv[1])\n"
        "print(s.scenario.id, 'yaml' in sys.modules, Scenario.__pydantic_complete__,"
        " Policy.__pydantic_complete__)\n"
    )
    env = {**os.environ, "WARROOM_CACHE": str(tmp_path / "cache")}

    def run() -> str:
        out = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / "sessions")],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return out.stdout.split("\n")[-2]

    assert run() == "api-outage True True True"  # cold: parsed and validated
    assert run() == "api-outage False False False"
