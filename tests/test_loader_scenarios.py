"""Broken copies of the library scenarios load as located problems, never as a crash.

Each example takes a scenario of ``scenarios/``, breaks it the ways an author's editor does (a
line deleted or duplicated, a value or a whole block replaced with junk, a tab, a file cut
short) and loads it the way ``warroom validate`` does: the only outcomes allowed are a scenario
or a ``LoadError``.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from simulator.model import Scenario
from simulator.yamlio import LoadError, load

LIBRARY = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))
TEXTS = {path.name: path.read_text(encoding="utf-8") for path in LIBRARY}
"""Read once, so that every example starts from the same text."""

JUNK = [
    "", "junk", "-1", "0", "1e999", "9" * 60, "[", "{a: 1}", "[1, 2]", "null", "~", "true",
    "2026-13-45", "2026-01-30", "*nowhere", "&a", "'", '"', "!!python/name:os.system",
    "SEV-9", "90 minutes", "1h1h", "-5m", "x" * 300, "\t", "é", "{metric: x}", "- a",
]  # fmt: skip


@cache
def node_spans(name: str) -> list[tuple[int, int]]:
    """Character spans of every scalar, list and mapping of a library file."""
    text = TEXTS[name]
    spans: list[tuple[int, int]] = []
    starts: list[int] = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if event.start_mark is None or event.end_mark is None:
            continue
        if isinstance(event, yaml.ScalarEvent):
            spans.append((event.start_mark.index, event.end_mark.index))
        elif isinstance(event, yaml.CollectionStartEvent):
            starts.append(event.start_mark.index)
        elif isinstance(event, yaml.CollectionEndEvent):
            spans.append((starts.pop(), event.end_mark.index))
    return spans


@st.composite
def broken_scenarios(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(TEXTS)))
    text = TEXTS[name]
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True)
        how = draw(st.sampled_from(["delete", "duplicate", "junk", "tab", "truncate"]))
        if how == "delete" and lines:
            del lines[draw(st.integers(0, len(lines) - 1))]
            text = "".join(lines)
        elif how == "duplicate" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            text = "".join(lines)
        elif how == "junk":
            spans = node_spans(name) if text == TEXTS[name] else []
            if spans:
                start, end = draw(st.sampled_from(spans))
            else:
                start = draw(st.integers(0, len(text)))
                end = min(len(text), start + draw(st.integers(0, 10)))
            text = text[:start] + draw(st.sampled_from(JUNK)) + text[end:]
        elif how == "tab" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + "\t" + lines[i][at:]
            text = "".join(lines)
        else:
            text = text[: draw(st.integers(0, len(text)))]
    return name, text.encode("utf-8")


def test_the_library_has_scenarios_and_they_all_load() -> None:
    assert LIBRARY
    for path in LIBRARY:
        load(path, Scenario, checks=Scenario.check_references)


@pytest.mark.skipif(not LIBRARY, reason="no library scenarios yet")
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_scenarios())
@example(("effects.yaml", b"faults:\n  - id: f\n    title: t\n    effects: [5, null, [1]]\n"))
def test_a_broken_library_scenario_loads_or_raises_only_load_error(case: tuple[str, bytes]) -> None:
    name, raw = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(raw)
        try:
            load(path, Scenario, checks=Scenario.check_references)
        except LoadError as err:
            assert err.problems
            for problem in err.problems:
                assert problem.path == str(path)
                assert problem.line >= 1 and problem.col >= 1
                assert "\n" not in problem.message


NON_FINITE = [
    ("threshold: 5", "threshold: .nan", "alerts[0].threshold"),
    ("threshold: 1500", "threshold: .inf", "alerts[1].threshold"),
    ("baseline: 0.4,", "baseline: -.inf,", "services[0].metrics[0].baseline"),
    ("{metric: api.error_rate, to: 45,", "{metric: api.error_rate, to: .NaN,", "faults[0].effects[1].to"),
]  # fmt: skip


@pytest.mark.parametrize(("written", "broken", "field"), NON_FINITE)
def test_a_number_that_is_not_finite_is_a_located_error(
    written: str, broken: str, field: str, tmp_path: Path
) -> None:
    """A NaN threshold never fires and a NaN metric reads as 0 in the engine: refused."""
    text = TEXTS["api-outage.yaml"]
    assert text.count(written) == 1
    path = tmp_path / "api-outage.yaml"
    path.write_text(text.replace(written, broken), encoding="utf-8")
    line = text[: text.index(written)].count("\n") + 1
    with pytest.raises(LoadError) as raised:
        load(path, Scenario, checks=Scenario.check_references)
    problems = [str(p) for p in raised.value.problems]
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{line}:")
    assert f"error: {field}: Input should be a finite number, got " in problems[0]


def test_a_policy_number_that_is_not_finite_is_a_located_error(tmp_path: Path) -> None:
    from assessments.policy import load_policy, policy_path

    text = policy_path("default").read_text(encoding="utf-8")
    assert text.count("pass_mark: 0.8") == 1
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace("pass_mark: 0.8", "pass_mark: .nan"), encoding="utf-8")
    with pytest.raises(LoadError) as raised:
        load_policy(str(path))
    assert [p.message for p in raised.value.problems] == [
        "certification.quiz.pass_mark: Input should be a finite number, got nan"
    ]
