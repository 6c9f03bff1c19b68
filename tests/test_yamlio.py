"""Tests for ``simulator.yamlio``: safe YAML loading with ``PATH:LINE:COL: error: MESSAGE`` problems."""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from simulator import yamlio
from simulator.durations import Duration
from simulator.yamlio import (
    MAX_MESSAGE,
    Document,
    LoadError,
    Loc,
    Problem,
    load,
    load_with_document,
    parse_yaml,
    read_yaml,
    validate,
)

# --------------------------------------------------------------------------- a small model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class MetricEffect(_Strict):
    kind: Literal["metric"]
    metric: str
    to: float


class AlertEffect(_Strict):
    kind: Literal["alert"]
    alert: str


class PageEffect(_Strict):
    kind: Literal["page"]
    target: str


def _positive(value: int) -> int:
    if value <= 0:
        raise ValueError("must be positive")
    return value


class When(_Strict):
    after: Duration
    for_: Duration = Field(default=0.0, alias="for")
    repeat: Annotated[int, AfterValidator(_positive)] = 1


Effect = Annotated[MetricEffect | AlertEffect | PageEffect, Field(discriminator="kind")]


class Inject(_Strict):
    id: str
    when: When
    effects: list[Effect] = []
    target: MetricEffect | AlertEffect | None = None
    """A smart (undiscriminated) union."""
    level: Literal["SEV-1", "SEV-2", "SEV-3", "SEV-4"] = "SEV-3"
    labels: dict[str, str] = {}


class Drill(_Strict):
    title: str
    start: date | None = None
    count: int = 0
    injects: list[Inject] = []
    alerts: list[str] = []

    def check_references(self) -> list[tuple[Loc, str]]:
        known = set(self.alerts)
        out: list[tuple[Loc, str]] = []
        for i, inject in enumerate(self.injects):
            for j, effect in enumerate(inject.effects):
                if isinstance(effect, AlertEffect) and effect.alert not in known:
                    out.append(
                        (("injects", i, "effects", j, "alert"), f"unknown alert {effect.alert!r}")
                    )
        return out


VALID = b"""\
# A drill used by the tests.
title: Database failover
start: 2026-01-30
count: 3
alerts: [DBDown]
injects:
  - id: first
    when:
      after: 90s
      for: 1m30s
    effects:
      - kind: metric
        metric: db.up
        to: 0
      - {kind: alert, alert: DBDown}
    target: {kind: alert, alert: DBDown}
    level: SEV-2
    labels:
      team: storage
  - id: second
    when: {after: 2h}
"""


def errors(raw: bytes | str, model: type[BaseModel] | None = Drill) -> list[str]:
    """The problems of a document as ``LINE:COL: MESSAGE`` strings (path left out)."""
    data = raw.encode() if isinstance(raw, str) else raw
    with pytest.raises(LoadError) as info:
        doc = parse_yaml(data, "t.yaml")
        if model is not None:
            validate(doc, model)
    return [f"{p.line}:{p.col}: {p.message}" for p in info.value.problems]


@pytest.fixture(params=["libyaml", "pure"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with libyaml's safe loader and with PyYAML's pure-Python one."""
    if request.param == "pure":
        monkeypatch.setattr(yamlio, "_LOADER", yaml.SafeLoader)
    yield request.param


# --------------------------------------------------------------------------- the basics


def test_a_valid_document_loads_into_plain_data_and_the_model(loader: str) -> None:
    doc = parse_yaml(VALID, "drill.yaml")
    assert doc.data["start"] == date(2026, 1, 30)
    assert doc.data["injects"][0]["when"] == {"after": "90s", "for": "1m30s"}
    drill = validate(doc, Drill)
    assert drill.injects[0].when.after == 90
    assert drill.injects[0].when.for_ == 90
    assert drill.injects[1].when.after == 7200


def test_the_safe_libyaml_loader_is_used_when_available() -> None:
    assert yaml.__with_libyaml__
    assert yamlio._LOADER is yaml.CSafeLoader


def test_a_problem_prints_as_path_line_col_error_message() -> None:
    problem = Problem("s.yaml", 3, 7, "title: missing")
    assert str(problem) == "s.yaml:3:7: error: title: missing"


def test_a_problem_is_always_one_line_at_a_position_of_at_least_one() -> None:
    problem = Problem("s.yaml", 0, -4, "first\nsecond")
    assert (problem.line, problem.col) == (1, 1)
    assert str(problem) == "s.yaml:1:1: error: first second"


def test_a_load_error_sorts_and_deduplicates_its_problems() -> None:
    a = Problem("s.yaml", 9, 1, "late")
    b = Problem("s.yaml", 2, 5, "early")
    c = Problem("s.yaml", 2, 3, "earlier")
    err = LoadError([a, b, a, c, b])
    assert err.problems == [c, b, a]
    assert str(err) == "\n".join(str(p) for p in (c, b, a))
    assert pickle.loads(pickle.dumps(err)).problems == err.problems


def test_a_load_error_needs_at_least_one_problem() -> None:
    with pytest.raises(ValueError):
        LoadError([])


def test_the_module_imports_neither_textual_nor_rich() -> None:
    code = (
        "import sys, simulator.yamlio; sys.exit('textual' in sys.modules or 'rich' in sys.modules)"
    )
    root = Path(__file__).parent.parent
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


# --------------------------------------------------------------------------- positions


def test_position_finds_values_and_keys_with_a_field_path() -> None:
    doc = parse_yaml(VALID, "d.yaml")
    assert doc.position(("injects", 0, "when", "after")) == (9, 14, "injects[0].when.after")
    assert doc.position(("injects", 0, "when", "after"), key=True) == (
        9,
        7,
        "injects[0].when.after",
    )
    assert doc.position(("injects", 0, "effects", 1, "alert")) == (
        15,
        30,
        "injects[0].effects[1].alert",
    )
    assert doc.position(("title",)) == (2, 8, "title")
    assert doc.position(()) == (2, 1, "")


def test_position_skips_segments_that_are_not_in_the_data() -> None:
    doc = parse_yaml(VALID, "d.yaml")
    tagged = ("injects", 0, "effects", 0, "MetricEffect", "to")
    assert doc.position(tagged) == (14, 13, "injects[0].effects[0].to")
    validator = ("injects", 0, "when", "function-after[_positive(), int]", "after")
    assert doc.position(validator) == (9, 14, "injects[0].when.after")
    assert doc.position(("injects", 7, "nope")) == (7, 3, "injects")
    assert doc.position(("count", "x", 3)) == (4, 8, "count")


def test_field_paths_quote_keys_that_are_not_identifiers() -> None:
    doc = parse_yaml(b'labels:\n  "a b": {x.y: 1}\n', "d.yaml")
    assert doc.position(("labels", "a b", "x.y"))[2] == "labels['a b']['x.y']"


def test_a_problem_from_a_document_starts_with_the_field_path() -> None:
    doc = parse_yaml(VALID, "d.yaml")
    assert str(doc.problem(("count",), "too many")) == "d.yaml:4:8: error: count: too many"
    assert str(doc.problem((), "bad")) == "d.yaml:2:1: error: bad"


def test_a_document_made_by_hand_still_answers_positions() -> None:
    doc = Document("x.yaml", {"a": [1]}, "0" * 64)
    assert doc.position(("a", 0)) == (1, 1, "a[0]")


# --------------------------------------------------------------------------- YAML-level errors


def test_a_syntax_error_is_reported_at_its_mark(loader: str) -> None:
    (problem,) = errors("title: x\nnested:\n  a: 1\n b: 2\n", None)
    assert problem.startswith("4:2: YAML syntax error: ")


def test_an_unclosed_quote_says_where_it_started(loader: str) -> None:
    (problem,) = errors("title: x\ntext: 'unclosed\ncount: 2\n", None)
    assert "YAML syntax error" in problem
    assert "started at line 2, column 7" in problem


def test_a_tab_used_for_indentation_is_named(loader: str) -> None:
    assert errors("title: x\nwhen:\n\tafter: 1s\n", None) == [
        "3:1: tab character used for indentation; use spaces"
    ]
    assert errors("when:\n  after: 1s\n\tfor: 2s\n", None) == [
        "3:1: tab character used for indentation; use spaces"
    ]


def test_a_duplicate_key_names_the_first_definition(loader: str) -> None:
    assert errors("# c\n\ntitle: a\ncount: 1\ntitle: b\n") == [
        "5:1: duplicate key 'title' (first defined at line 3)"
    ]


def test_problems_found_before_a_syntax_error_are_kept(loader: str) -> None:
    found = errors("a: 1\na: 2\nb: [1,\n", None)
    assert found[0] == "2:1: duplicate key 'a' (first defined at line 1)"
    assert "YAML syntax error" in found[1]


def test_an_empty_file_is_reported() -> None:
    assert errors(b"", None) == ["1:1: file is empty"]
    assert errors(b"\n  \n", None) == ["1:1: file is empty"]


def test_a_file_of_only_comments_is_reported(loader: str) -> None:
    assert errors("# nothing\n\n# here\n", None) == ["1:1: file has no content, only comments"]


@pytest.mark.parametrize(
    ("text", "what"),
    [("- a\n- b\n", "a list"), ("just text\n", "'just text'"), ("---\n", "an empty document")],
)
def test_a_top_level_that_is_not_a_mapping_is_reported(text: str, what: str) -> None:
    (problem,) = errors(text, None)
    assert problem.endswith(f"the top level must be a mapping (key: value), got {what}")


def test_invalid_utf8_gives_the_byte_offset() -> None:
    assert errors(b"title: ok\ncount: \xe9t\xe9\n", None) == [
        "2:8: not valid UTF-8 at byte 17 (0xe9); save it as UTF-8"
    ]


def test_positions_of_byte_level_problems_ignore_a_byte_order_mark() -> None:
    assert errors(b"\xef\xbb\xbfa: \xff\n", None) == [
        "1:4: not valid UTF-8 at byte 6 (0xff); save it as UTF-8"
    ]


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    assert parse_yaml(b"\xef\xbb\xbftitle: x\n", "d").data == {"title": "x"}


def test_a_utf16_file_is_named() -> None:
    assert errors("title: x\n".encode("utf-16"), None) == [
        "1:1: file is UTF-16 encoded; save it as UTF-8"
    ]


def test_nul_bytes_mean_a_binary_file() -> None:
    assert errors(b"title: x\ncount: 1\x00\x01\x02", None) == [
        "2:9: binary file, not YAML (it contains NUL bytes)"
    ]


def test_a_control_character_is_located(loader: str) -> None:
    assert errors("title: x\ntext: 'caf\u00e9\x07'\n", None) == [
        "2:12: control character U+0007 is not allowed in YAML"
    ]


def test_a_second_document_is_refused(loader: str) -> None:
    assert errors("title: a\n---\ntitle: b\n", None) == [
        "2:1: a second YAML document ('---') in the file; only one is allowed"
    ]


def test_a_document_over_the_size_limit_is_refused() -> None:
    with pytest.raises(LoadError) as info:
        parse_yaml(b"a: " + b"x" * 2000, "big.yaml", max_bytes=1024)
    assert str(info.value) == "big.yaml:1:1: error: file is 2003 bytes; the limit is 1 KiB"


# --------------------------------------------------------------------------- tags, keys, aliases


def test_non_string_keys_become_the_text_written(loader: str) -> None:
    doc = parse_yaml(b"1: a\nnull: b\n~: c\ntrue: d\n2026-01-30: e\n1.5: f\n", "d")
    assert doc.data == {"1": "a", "null": "b", "~": "c", "true": "d", "2026-01-30": "e", "1.5": "f"}


def test_a_list_or_mapping_as_a_key_is_a_problem(loader: str) -> None:
    assert errors("? [a, b]\n: 1\n? {a: 1}\n: 2\nc: 3\n", None) == [
        "1:3: a list cannot be a mapping key; use a plain value",
        "3:3: a mapping cannot be a mapping key; use a plain value",
    ]


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object/apply:os.system ['true']", "!!python/object/apply:os.system"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!!set {a, b}", "!!set"),
        ("!!omap [a: 1]", "!!omap"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!Ref other", "!Ref"),
    ],
)
def test_unsafe_or_unusual_tags_are_refused(loader: str, value: str, tag: str) -> None:
    assert errors(f"title: x\nother: {value}\n", None) == [f"2:8: unsupported YAML tag {tag!r}"]


def test_dates_stay_dates_as_the_safe_loader_makes_them(loader: str) -> None:
    doc = parse_yaml(b"d: 2026-01-30\nt: 2026-01-30T15:15:00Z\ns: '2026-01-30'\n", "d")
    assert doc.data["d"] == date(2026, 1, 30)
    assert isinstance(doc.data["t"], datetime)
    assert doc.data["s"] == "2026-01-30"


def test_an_impossible_date_is_a_problem_not_a_crash(loader: str) -> None:
    assert errors("title: x\nstart: 2026-02-30\n", None) == [
        "2:8: invalid date '2026-02-30' (day is out of range for month); quote it if it is text"
    ]


def test_a_bad_explicitly_tagged_scalar_is_a_problem(loader: str) -> None:
    assert errors("a: !!int nine\nb: !!bool maybe\nc: !!float x\n", None) == [
        "1:4: invalid !!int value 'nine'",
        "2:4: invalid !!bool value 'maybe'",
        "3:4: invalid !!float value 'x'",
    ]


def test_an_absurdly_long_number_is_refused_before_converting_it(loader: str) -> None:
    sexagesimal = "1" + ":30" * 100_000  # YAML 1.1 base 60: slow to convert if allowed
    assert errors(f"title: x\ncount: {sexagesimal}\n", None) == [
        "2:8: number is 300001 characters long; quote it if it is text"
    ]


def test_anchors_aliases_and_merge_keys_used_normally_work(loader: str) -> None:
    text = """\
title: Reuse
base: &when {after: 1m, for: 30s}
injects:
  - id: a
    when: *when
  - id: b
    when:
      <<: *when
      after: 2m
"""
    doc = parse_yaml(text.encode(), "d")
    assert doc.data["injects"][0]["when"] == {"after": "1m", "for": "30s"}
    assert doc.data["injects"][1]["when"] == {"after": "2m", "for": "30s"}
    assert doc.position(("injects", 1, "when", "after"))[:2] == (9, 14)
    assert doc.position(("injects", 1, "when", "for"))[:2] == (2, 30)


def test_a_billion_laughs_document_is_refused_quickly(loader: str) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    (problem,) = errors("\n".join(lines) + "\n", None)
    assert "aliases expand to more than 100000 nodes" in problem


def test_a_recursive_alias_is_refused(loader: str) -> None:
    assert errors("title: x\nloop: &a [1, *a]\n", None) == [
        "2:14: alias *a is inside its own anchor (recursive data)"
    ]


def test_an_undefined_alias_is_reported(loader: str) -> None:
    assert errors("title: *nothing\n", None) == ["1:8: undefined alias *nothing"]


DEEP_DOCUMENTS = [b"a: " + b"[" * 100_000 + b"]" * 100_000, b"- " * 50_000 + b"x"]


def test_deep_nesting_is_refused_without_crashing(loader: str) -> None:
    """Deep nesting is one located problem on line 1, whichever libyaml is present.

    Newer libyaml builds (PyYAML 6.0.4's wheels) stop at their own depth limit ("exceeded
    maximum nesting depth") before the loader's own check ("nesting is deeper than 100
    levels") is reached; the user's contract is the same either way.
    """
    for raw in DEEP_DOCUMENTS:
        problems = errors(raw, None)
        assert len(problems) == 1, problems
        line, col, message = problems[0].split(":", 2)
        assert line == "1" and int(col) > 1
        assert "nesting" in message


def test_deep_nesting_through_the_command_line_is_one_error_line_in_bounded_time_and_memory(
    tmp_path: Path,
) -> None:
    """``warroom validate`` exits 1 with ``PATH:LINE:COL: error:`` and no traceback, in 512 MiB."""
    limit = 512 * 1024 * 1024
    code = (
        "import resource, sys;"
        f"resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}));"
        "from tui.cli.parser import main; sys.exit(main(sys.argv[1:]))"
    )
    for n, raw in enumerate(DEEP_DOCUMENTS):
        path = tmp_path / f"deep{n}.yaml"
        path.write_bytes(raw)
        done = subprocess.run(
            [sys.executable, "-c", code, "validate", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        lines = [ln for ln in (done.stdout + done.stderr).splitlines() if ": error: " in ln]
        assert len(lines) == 1
        assert lines[0].startswith(f"{path}:1:")
        assert "nesting" in lines[0]


# --------------------------------------------------------------------------- validation


def test_a_wrong_type_names_the_field_and_what_was_given() -> None:
    assert errors("title: [a, b]\ncount: lots\n") == [
        "1:8: title: Input should be a valid string, got a list",
        "2:8: count: Input should be a valid integer, unable to parse string as an integer, "
        "got 'lots'",
    ]


def test_a_number_where_text_is_expected_suggests_quotes() -> None:
    assert errors("title: 1.10\n") == [
        "1:8: title: Input should be a valid string, got 1.1; quote it if you meant text"
    ]


def test_a_missing_field_points_at_the_mapping_that_lacks_it() -> None:
    assert errors("# no title\ncount: 1\ninjects:\n  - id: a\n") == [
        "2:1: missing required field 'title'",
        "4:5: injects[0]: missing required field 'when'",
    ]


def test_an_unknown_key_points_at_the_key_and_suggests_the_field() -> None:
    text = "titel: x\ninjects:\n  - id: a\n    when: {after: 1s, fro: 2s, zzz: 1}\n"
    assert errors(text) == [
        "1:1: missing required field 'title'",
        "1:1: unknown key 'titel' (did you mean 'title'?)",
        "4:23: injects[0].when: unknown key 'fro' (did you mean 'for'?)",
        "4:32: injects[0].when: unknown key 'zzz'",
    ]


def test_an_unknown_key_inside_a_union_member_gets_that_members_hint() -> None:
    text = """\
title: x
injects:
  - id: a
    when: {after: 1s}
    effects:
      - {kind: page, targte: bob}
      - {kind: metric, metric: m, to: 1, metrc: n}
    target: {kind: alert, alret: X}
"""
    assert errors(text) == [
        "6:9: injects[0].effects[0]: missing required field 'target'",
        "6:22: injects[0].effects[0]: unknown key 'targte' (did you mean 'target'?)",
        "7:42: injects[0].effects[1]: unknown key 'metrc' (did you mean 'metric'?)",
        "8:13: injects[0].target: missing required field 'alert'",
        "8:27: injects[0].target: unknown key 'alret' (did you mean 'alert'?)",
    ]


def test_an_ambiguous_hint_is_left_out() -> None:
    class A(_Strict):
        kind: Literal["a"] = "a"
        colour: str = ""

    class B(_Strict):
        kind: Literal["b"] = "b"
        color: str = ""

    class Top(_Strict):
        item: A | B

    found = errors("item: {colr: red}\n", Top)
    assert found == ["1:8: item: unknown key 'colr'"]


def test_a_bad_discriminator_value_lists_the_choices() -> None:
    text = (
        "title: x\ninjects:\n  - id: a\n    when: {after: 1s}\n    effects:\n      - {kind: alrt}\n"
    )
    assert errors(text) == [
        "6:16: injects[0].effects[0].kind: expected one of 'metric', 'alert', 'page', "
        "got 'alrt' (did you mean 'alert'?)"
    ]


def test_a_missing_discriminator_is_a_missing_field() -> None:
    text = "title: x\ninjects:\n  - id: a\n    when: {after: 1s}\n    effects:\n      - {to: 1}\n"
    assert errors(text) == ["6:9: injects[0].effects[0]: missing required field 'kind'"]


def test_a_bad_duration_gives_the_validators_message() -> None:
    text = "title: x\ninjects:\n  - id: a\n    when:\n      after: soon\n"
    assert errors(text) == [
        "5:14: injects[0].when.after: expected a duration such as 90s, 1m30s or 2h, got 'soon'"
    ]


def test_a_huge_integer_duration_is_a_problem_not_a_crash() -> None:
    text = f"title: x\ninjects:\n  - id: a\n    when:\n      after: {10**400}\n"
    (problem,) = errors(text)
    assert problem.startswith("5:14: injects[0].when.after: a duration must be at most ")


def test_a_validator_error_loses_its_prefix() -> None:
    text = "title: x\ninjects:\n  - id: a\n    when: {after: 1s, repeat: -2}\n"
    assert errors(text) == ["4:31: injects[0].when.repeat: must be positive"]


def test_a_literal_error_keeps_pydantics_choices() -> None:
    text = "title: x\ninjects:\n  - id: a\n    when: {after: 1s}\n    level: SEV-9\n"
    assert errors(text) == [
        "5:12: injects[0].level: Input should be 'SEV-1', 'SEV-2', 'SEV-3' or 'SEV-4', got 'SEV-9'"
    ]


def test_a_huge_value_is_never_echoed_in_full() -> None:
    huge = "x" * 5000
    found = errors(f"title: x\ncount: {huge}\ninjects:\n  - id: a\n    when: {{after: {huge}}}\n")
    assert found == [
        f"2:8: count: Input should be a valid integer, unable to parse string as an integer, "
        f"got '{'x' * 40}…'",
        f"5:19: injects[0].when.after: expected a duration such as 90s, 1m30s or 2h, "
        f"got '{'x' * 40}…'",
    ]


def test_a_huge_unknown_key_is_clipped_too() -> None:
    (problem,) = errors("title: x\n? " + "k" * 10_000 + "\n: 1\n")
    assert problem == f"2:3: unknown key '{'k' * 40}…'"
    assert len(problem) < MAX_MESSAGE


def test_every_problem_of_a_broken_file_is_reported_in_order() -> None:
    text = """\
titel: x
count: many
injects:
  - id: a
    when: {after: later}
    level: SEV-0
  - when: {after: 1s}
"""
    found = errors(text)
    assert [line.split(":")[0] for line in found] == ["1", "1", "2", "5", "6", "7"]


def test_validate_passes_the_context_to_validators() -> None:
    from pydantic import ValidationInfo, field_validator

    class WithContext(_Strict):
        title: str

        @field_validator("title")
        @classmethod
        def _known(cls, value: str, info: ValidationInfo) -> str:
            if value not in (info.context or {}).get("titles", ()):
                raise ValueError(f"unknown title {value!r}")
            return value

    doc = parse_yaml(b"title: a\n", "d")
    assert validate(doc, WithContext, context={"titles": {"a"}}).title == "a"
    with pytest.raises(LoadError, match=r"d:1:8: error: title: unknown title 'a'"):
        validate(doc, WithContext, context={"titles": set()})


# --------------------------------------------------------------------------- files


def write(tmp_path: Path, raw: bytes, name: str = "drill.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def test_load_returns_the_model_and_load_with_document_the_hash(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    drill = load(path, Drill, checks=Drill.check_references)
    assert drill.title == "Database failover"
    same, doc = load_with_document(str(path), Drill, checks=Drill.check_references)
    assert same == drill
    assert doc.path == str(path)
    assert doc.sha256 == hashlib.sha256(VALID).hexdigest()


def test_load_reports_cross_reference_problems_at_their_location(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace(b"alert: DBDown}", b"alert: DBDwn}"))
    with pytest.raises(LoadError) as info:
        load(path, Drill, checks=Drill.check_references)
    assert str(info.value) == (
        f"{path}:15:30: error: injects[0].effects[1].alert: unknown alert 'DBDwn'"
    )


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(LoadError) as info:
        read_yaml(missing)
    assert str(info.value) == f"{missing}:1:1: error: no such file"
    with pytest.raises(LoadError, match="no such file"):
        read_yaml(tmp_path / "nope.yaml" / "deeper.yaml")


def test_a_directory_is_reported(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r":1:1: error: is a directory, not a file$"):
        read_yaml(tmp_path)


def test_a_path_with_a_nul_character_is_a_problem() -> None:
    with pytest.raises(LoadError, match="cannot read the file"):
        read_yaml("bad\x00name.yaml")


def test_an_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, VALID)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(builtins, "open", refuse)
    with pytest.raises(LoadError) as info:
        read_yaml(path)
    assert str(info.value) == f"{path}:1:1: error: permission denied"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything")
def test_a_file_without_read_permission_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    path.chmod(0)
    with pytest.raises(LoadError, match="permission denied"):
        read_yaml(path)


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, b"a: " + b"x" * 5000)

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file must not be opened")

    monkeypatch.setattr(builtins, "open", never)
    with pytest.raises(LoadError) as info:
        read_yaml(path, max_bytes=4096)
    assert str(info.value) == f"{path}:1:1: error: file is 5003 bytes; the limit is 4 KiB"
    path_1m = write(tmp_path, b"#" * (1024 * 1024 + 1), "big.yaml")
    with pytest.raises(LoadError, match=r"file is 1048577 bytes; the limit is 1 MiB"):
        read_yaml(path_1m)


def test_a_file_is_read_at_most_one_byte_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, b"title: x\n")
    sizes: list[int] = []
    real_open = builtins.open

    class Growing(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            sizes.append(-1 if size is None else size)
            return b"#" * (size if size is not None and size >= 0 else 10**7)

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if os.fspath(file) == str(path):
            return Growing()
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    with pytest.raises(LoadError, match=r"file is larger than the limit of 100 bytes"):
        read_yaml(path, max_bytes=100)
    assert sizes == [101]


# --------------------------------------------------------------------------- property tests


SEEDS = [
    VALID,
    b"title: x\nbase: &b {after: 1s}\ninjects:\n  - {id: a, when: *b}\n  - id: b\n"
    b"    when:\n      <<: *b\n      repeat: 2\n",
    b'title: "q\\u00e9"\ncount: 0x1F\nalerts: [a, b, "c"]\nstart: 2026-01-30\n',
]
JUNK = st.sampled_from(
    [b"\t", b":", b": ", b"-", b"- ", b"&a ", b"*a", b"\n", b"{", b"}", b"[", b"]", b"'", b'"',
     b"!!", b"!!python/object:os.system ", b"  ", b"<<: ", b"\xff", b"\x00", b"\x07", b"#",
     b"---\n", b"? ", b"|\n", b">-\n", b"%YAML 1.1\n", b"\xc3", b"2026-02-30", b"1:2:3",
     b"\xef\xbb\xbf", b"~", b"\r"]
)  # fmt: skip


@st.composite
def mutated_documents(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        at = draw(st.integers(0, len(raw)))
        chunk = draw(JUNK | st.binary(min_size=1, max_size=6))
        if op == "insert":
            raw[at:at] = chunk
        elif op == "delete":
            del raw[at : at + draw(st.integers(1, 12))]
        else:
            raw[at : at + len(chunk)] = chunk
    return bytes(raw)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.dates()
    | st.sampled_from(["90s", "1m30s", "soon", "metric", "alert", "page", "SEV-2", "DBDown"])
)
keys = st.sampled_from(["id", "when", "after", "for", "kind", "to", "alert", "metric", "", "x y"])
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3),
    max_leaves=8,
)
injects = st.fixed_dictionaries(
    {},
    optional={
        "id": scalars,
        "when": st.fixed_dictionaries({}, optional={"after": scalars, "for": scalars}) | values,
        "effects": st.lists(values, max_size=2),
        "target": values,
        "level": scalars,
    },
)
structures = st.fixed_dictionaries(
    {},
    optional={
        "title": scalars,
        "count": scalars,
        "start": scalars,
        "alerts": values,
        "titel": values,
        "injects": st.lists(injects, max_size=2) | values,
    },
)


def assert_only_clean_problems(raw: bytes) -> None:
    try:
        doc = parse_yaml(raw, "fuzz.yaml")
        drill = validate(doc, Drill)
        for loc, message in drill.check_references():
            doc.problem(loc, message)
    except LoadError as err:
        assert err.problems
        assert len(str(err).splitlines()) == len(err.problems)
        for problem in err.problems:
            assert problem.line >= 1 and problem.col >= 1
            assert str(problem).startswith("fuzz.yaml:")
            assert len(problem.message) <= MAX_MESSAGE + 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_mutated_documents_raise_only_load_errors(raw: bytes) -> None:
    assert_only_clean_problems(raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structures)
def test_random_structures_raise_only_load_errors(data: dict[str, Any]) -> None:
    assert_only_clean_problems(yaml.safe_dump(data, allow_unicode=True).encode("utf-8"))


@settings(max_examples=60, deadline=None)
@given(mutated_documents())
def test_mutated_documents_raise_only_load_errors_with_the_pure_loader(raw: bytes) -> None:
    saved = yamlio._LOADER
    yamlio._LOADER = yaml.SafeLoader
    try:
        assert_only_clean_problems(raw)
    finally:
        yamlio._LOADER = saved
