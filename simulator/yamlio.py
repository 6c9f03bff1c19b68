"""Safe YAML loading with precise ``PATH:LINE:COL: error: MESSAGE`` problems.

Every command that reads a YAML file (scenarios, action scripts, policies, quiz banks) goes
through this module: it reads the bytes through ``simulator.files`` (a regular file only,
bounded by a size limit), parses them with PyYAML's
safe loader (libyaml when available), builds plain Python data while remembering where every key
and value came from, validates the data against a pydantic model and turns every failure into a
``Problem`` with a line, a column and the field path (``injects[2].when.after``). A broken file
gives all its problems at once, as ``LoadError``; never a traceback.

It must not know anything about scenarios, policies or any other model (callers pass the model
and their cross-reference checks in), must never construct arbitrary Python objects (no unsafe
loader, no python tags), and must not import Textual or Rich.

Why one module of about 900 lines: the composer that records every node's location and the
validation that maps a pydantic error back to one are two halves of the same location map
(``Document``, ``_Node``, ``_Walk``); split apart, that map would become a public interface
that only this loader has a use for.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import os
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, RootModel, Tag, ValidationError
from pydantic_core.core_schema import ErrorType
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

from simulator.files import MAX_YAML_BYTES, FileError, read_bytes, size_text
from simulator.text import visible

try:
    from yaml import CSafeLoader as _DefaultLoader
except ImportError:  # pragma: no cover - only without libyaml
    from yaml import SafeLoader as _DefaultLoader  # type: ignore[assignment]

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "Document",
    "LoadError",
    "Loc",
    "Problem",
    "load",
    "load_with_document",
    "parse_yaml",
    "read_yaml",
    "validate",
]

Loc = tuple[str | int, ...]
"""A location in the data: mapping keys and list indexes, as pydantic reports them."""

M = TypeVar("M", bound=BaseModel)

MAX_BYTES = MAX_YAML_BYTES
"""The largest file read, in bytes (1 MiB): far beyond any hand-written scenario."""
MAX_DEPTH = 100
"""The deepest nesting of lists and mappings accepted."""
MAX_ALIAS_NODES = 100_000
"""How many nodes aliases may add to the document once expanded (billion-laughs guard)."""
MAX_NUMBER_CHARS = 1000
"""The longest number accepted; longer ones are junk and slow to convert."""
CLIP = 40
"""Echoed input values are clipped to this many characters."""
MAX_MESSAGE = 400
"""No message is longer than this."""

_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = _DefaultLoader
"""The safe loader in use: libyaml's when available. Never an unsafe loader."""

_YAML = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT, _TIMESTAMP, _MERGE, _SEQ, _MAP = (
    _YAML + t for t in ("str", "null", "bool", "int", "float", "timestamp", "merge", "seq", "map")
)
_SCALAR_TAGS = frozenset({_STR, _NULL, _BOOL, _INT, _FLOAT, _TIMESTAMP})
_PYDANTIC_ERROR_TYPES = frozenset(get_args(ErrorType))
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def _clip(text: str, limit: int = CLIP) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _show(value: object) -> str:
    """Describe an input value for a message, never echoing more than ``CLIP`` characters."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(_clip(value))
    if isinstance(value, int) and value.bit_length() > 10_000:
        return "a number with thousands of digits"
    if isinstance(value, int | float):
        return _clip(repr(value))
    if isinstance(value, datetime):
        return f"timestamp {value.isoformat()}"
    if isinstance(value, date):
        return f"date {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, at a line and column."""

    path: str
    """The file path as the user gave it."""
    line: int
    """1-based line."""
    col: int
    """1-based column."""
    message: str
    """One line; starts with the field path when there is one (``injects[2].when.after: …``)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "line", max(1, self.line))
        object.__setattr__(self, "col", max(1, self.col))
        if "\n" in self.message or "\r" in self.message:
            object.__setattr__(self, "message", " ".join(self.message.splitlines()))

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: error: {self.message}"
        return visible(text, multiline=False)


class LoadError(Exception):
    """A file could not be loaded; ``problems`` says every reason found, in file order."""

    problems: list[Problem]
    """At least one problem, sorted by position and without duplicates."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        unique = sorted(dict.fromkeys(problems), key=lambda p: (p.path, p.line, p.col))
        if not unique:
            raise ValueError("a LoadError needs at least one problem")
        self.problems = unique
        super().__init__("\n".join(str(p) for p in unique))

    def __reduce__(self) -> tuple[type[LoadError], tuple[list[Problem]]]:
        return (type(self), (self.problems,))


def _fail(path: str, message: str, line: int = 1, col: int = 1) -> LoadError:
    return LoadError([Problem(path, line, col, message)])


# --------------------------------------------------------------------------- documents


@dataclass(eq=False, slots=True)
class _Node:
    """Where a value came from, and where its children came from."""

    line: int
    col: int
    items: list[_Node] | None = None
    """Children of a list."""
    entries: dict[str, tuple[int, int, _Node]] | None = None
    """Children of a mapping: key -> (key line, key column, value node)."""
    text: str = ""
    """The scalar as written (used when a scalar is a mapping key)."""
    tag: str = ""


def _format_path(parts: Sequence[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif len(part) <= CLIP and _IDENT.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{_show(part)}]"
    return out


def _prefixed(path: str, message: str) -> str:
    return _clip(f"{path}: {message}" if path else message, MAX_MESSAGE)


@dataclass
class Document:
    """A parsed YAML file: plain data plus where each key and value was written."""

    path: str
    """The file path as the user gave it."""
    data: Any
    """Plain Python data: dict, list, str, int, float, bool, None, date, datetime."""
    sha256: str
    """Hex SHA-256 of the raw bytes."""
    _root: _Node | None = field(default=None, repr=False, compare=False)

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int, str]:
        """Return ``(line, col, field_path)`` of the value at ``loc``.

        A segment of ``loc`` that is not a key of the current mapping (or an index of the
        current list) is skipped: pydantic puts union tags and validator names into its locations.

        Args:
            loc: Keys and indexes from the top of the document.
            key: Point at the key of the last mapping entry rather than at its value.
        """
        node = self._root
        if node is None:
            return 1, 1, _format_path([s for s in loc if not isinstance(s, bool)])
        parts: list[str | int] = []
        key_at: tuple[int, int] | None = None
        for seg in loc:
            if node.entries is not None:
                entry = node.entries.get(seg if isinstance(seg, str) else str(seg))
                if entry is None:
                    continue
                key_at = entry[0], entry[1]
                node = entry[2]
                parts.append(seg if isinstance(seg, str) else str(seg))
            elif (
                node.items is not None
                and isinstance(seg, int)
                and not isinstance(seg, bool)
                and 0 <= seg < len(node.items)
            ):
                key_at = None
                node = node.items[seg]
                parts.append(seg)
        line, col = key_at if key and key_at is not None else (node.line, node.col)
        return line, col, _format_path(parts)

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        """A problem at ``loc``, its message prefixed with the field path."""
        line, col, path = self.position(loc, key=key)
        return Problem(self.path, line, col, _prefixed(path, message))


# --------------------------------------------------------------------------- reading


def read_yaml(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> Document:
    """Read and parse a YAML file; the size limit is checked before reading it all.

    Raises:
        LoadError: the file is missing, unreadable, too large, or not valid YAML.
    """
    name = os.fspath(path)
    try:
        raw = read_bytes(name, limit=max_bytes)
    except FileError as exc:
        raise _fail(name, exc.reason) from None
    return parse_yaml(raw, name, max_bytes=max_bytes)


def parse_yaml(raw: bytes, path: str, *, max_bytes: int = MAX_BYTES) -> Document:
    """Parse YAML bytes into a ``Document`` whose top level is a mapping.

    Args:
        raw: The file's bytes.
        path: The path to show in problems.
        max_bytes: Refuse anything larger.

    Raises:
        LoadError: with every problem found (a syntax error stops the parse, so it comes last).
    """
    if len(raw) > max_bytes:
        raise _fail(path, f"file is {len(raw)} bytes; the limit is {size_text(max_bytes)}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(path, "file is UTF-16 encoded; save it as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = _byte_position(raw, nul)
        raise _fail(path, "binary file, not YAML (it contains NUL bytes)", line, col)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        message = f"not valid UTF-8 at byte {exc.start} (0x{raw[exc.start]:02x}); save it as UTF-8"
        raise _fail(path, message, line, col) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _fail(path, "file is empty")
    root, data, problems = _Composer(text, path).compose()
    if root is None and not problems:
        raise _fail(path, "file has no content, only comments")
    if root is not None and not isinstance(data, dict):
        what = "an empty document" if data is None else _show(data)
        problems.append(
            Problem(
                path,
                root.line,
                root.col,
                f"the top level must be a mapping (key: value), got {what}",
            )
        )
    if problems:
        raise LoadError(problems)
    return Document(path, data, hashlib.sha256(raw).hexdigest(), root)


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    start = raw.rfind(b"\n", 0, offset) + 1
    before = raw[start:offset].decode("utf-8", "replace").removeprefix("\ufeff")
    return raw.count(b"\n", 0, offset) + 1, len(before) + 1


def _text_position(text: str, offset: int) -> tuple[int, int]:
    head = text[:offset]
    breaks = list(_BREAK.finditer(head))
    return len(breaks) + 1, offset - (breaks[-1].end() if breaks else 0) + 1


class _Fatal(Exception):
    """Composition cannot go on; the problem is already recorded."""


@dataclass(eq=False, slots=True)
class _Frame:
    node: _Node
    value: Any
    anchor: str | None
    size: int = 1
    key: str | None = None
    key_at: tuple[int, int] = (0, 0)
    has_key: bool = False
    skip_key: bool = False
    merge: bool = False
    merges: list[tuple[_Node, dict[str, Any]]] = field(default_factory=list)


class _Composer:
    """Builds plain data and a ``_Node`` tree from parser events, without recursion.

    PyYAML's own composer recurses (libyaml's segfaults on very deep nesting) and expands
    nothing, so the checks for depth, alias expansion and duplicate keys are done here.
    """

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.problems: list[Problem] = []
        self.constructor = SafeConstructor()
        self.anchors: dict[str, tuple[_Node, Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Frame] = []
        self.alias_nodes = 0
        self.documents = 0
        self.root: tuple[_Node, Any] | None = None

    def problem(self, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, col, _clip(message, MAX_MESSAGE)))

    def fatal(self, line: int, col: int, message: str) -> _Fatal:
        self.problem(line, col, message)
        return _Fatal()

    def compose(self) -> tuple[_Node | None, Any, list[Problem]]:
        loader = None
        try:
            loader = _LOADER(self.text)
            for event in iter(loader.get_event, None):
                self.event(event, loader)
        except _Fatal:
            pass
        except yaml.MarkedYAMLError as exc:
            self.syntax_error(exc)
        except yaml.reader.ReaderError as exc:
            self.reader_error(exc, byte_offsets=not issubclass(_LOADER, yaml.reader.Reader))
        except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
            self.problem(1, 1, f"YAML error: {exc}")
        finally:
            if loader is not None:
                loader.dispose()
        if self.root is None:
            return None, None, self.problems
        return self.root[0], self.root[1], self.problems

    # ----------------------------------------------------------------- errors from PyYAML

    def syntax_error(self, exc: yaml.MarkedYAMLError) -> None:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = exc.problem or "invalid YAML"
        lines = self.text.splitlines()
        row = lines[line - 1] if 0 < line <= len(lines) else ""
        at_tab = col <= len(row) and row[col - 1] == "\t"
        if at_tab or "tab character" in problem:
            tab = col - 1 if at_tab else row.find("\t")
            if tab >= 0:
                col = tab + 1
                if not row[:tab].strip(" \t"):
                    self.problem(line, col, "tab character used for indentation; use spaces")
                else:
                    self.problem(line, col, "tab character not allowed here; use spaces")
                return
        message = f"YAML syntax error: {problem}"
        ctx = exc.context_mark
        if exc.context and ctx is not None and (ctx.line, ctx.column) != (line - 1, col - 1):
            message += f" ({exc.context} started at line {ctx.line + 1}, column {ctx.column + 1})"
        self.problem(line, col, message)

    def reader_error(self, exc: yaml.reader.ReaderError, *, byte_offsets: bool) -> None:
        if byte_offsets:
            line, col = _byte_position(self.text.encode("utf-8"), exc.position)
        else:
            line, col = _text_position(self.text, exc.position)
        char = exc.character
        what = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        self.problem(line, col, f"control character {what} is not allowed in YAML")

    # ----------------------------------------------------------------- events

    def event(self, event: yaml.Event, loader: Any) -> None:
        mark = event.start_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        if isinstance(event, yaml.ScalarEvent):
            node, value = self.scalar(event, loader, line, col)
            if event.anchor is not None:
                self.anchors[event.anchor] = (node, value, 1)
            self.add(node, value, 1, line, col)
        elif isinstance(event, yaml.AliasEvent):
            self.alias(event.anchor or "", line, col)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            if len(self.stack) >= MAX_DEPTH:
                raise self.fatal(line, col, f"nesting is deeper than {MAX_DEPTH} levels")
            is_map = isinstance(event, yaml.MappingStartEvent)
            tag = event.tag
            if tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ):
                self.problem(line, col, f"unsupported YAML tag {_tag_name(tag)!r}")
            node = _Node(line, col, entries={}) if is_map else _Node(line, col, items=[])
            self.stack.append(_Frame(node, {} if is_map else [], event.anchor))
            if event.anchor is not None:
                self.open_anchors.add(event.anchor)
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            frame = self.stack.pop()
            value = self.merged(frame) if frame.merges else frame.value
            if frame.anchor is not None:
                self.open_anchors.discard(frame.anchor)
                self.anchors[frame.anchor] = (frame.node, value, frame.size)
            self.add(frame.node, value, frame.size, frame.node.line, frame.node.col)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fatal(
                    line, col, "a second YAML document ('---') in the file; only one is allowed"
                )

    def scalar(
        self, event: yaml.ScalarEvent, loader: Any, line: int, col: int
    ) -> tuple[_Node, Any]:
        text = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(ScalarNode, text, event.implicit)
        node = _Node(line, col, text=text, tag=tag)
        if tag == _MERGE:
            return node, text
        if tag not in _SCALAR_TAGS:
            self.problem(line, col, f"unsupported YAML tag {_tag_name(tag)!r}")
            return node, None
        if tag in (_INT, _FLOAT) and len(text) > MAX_NUMBER_CHARS:
            self.problem(
                line, col, f"number is {len(text)} characters long; quote it if it is text"
            )
            return node, None
        if tag == _STR:
            if event.style == '"' and not _encodable(text):
                self.problem(line, col, "invalid Unicode escape (a lone surrogate)")
                return node, None
            return node, text
        try:
            return node, SafeConstructor.yaml_constructors[tag](
                self.constructor, ScalarNode(tag, text)
            )
        except Exception as exc:  # PyYAML raises anything from a bad !!int, !!bool or date
            if event.tag not in (None, "!"):
                self.problem(line, col, f"invalid {_tag_name(tag)} value {_show(text)}")
            else:
                why = f" ({_clip(str(exc), 60)})" if isinstance(exc, ValueError) else ""
                what = "date" if tag == _TIMESTAMP else "number"
                self.problem(
                    line, col, f"invalid {what} {_show(text)}{why}; quote it if it is text"
                )
            return node, None

    def alias(self, anchor: str, line: int, col: int) -> None:
        if anchor in self.open_anchors:
            self.problem(
                line, col, f"alias *{_clip(anchor)} is inside its own anchor (recursive data)"
            )
            self.add(_Node(line, col, text="", tag=_NULL), None, 1, line, col)
            return
        target = self.anchors.get(anchor)
        if target is None:
            self.problem(line, col, f"undefined alias *{_clip(anchor)}")
            self.add(_Node(line, col, text="", tag=_NULL), None, 1, line, col)
            return
        node, value, size = target
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise self.fatal(
                line,
                col,
                f"aliases expand to more than {MAX_ALIAS_NODES} nodes "
                "(a 'billion laughs' document?); reuse fewer or smaller anchors",
            )
        self.add(node, value, size, line, col)

    def add(self, node: _Node, value: Any, size: int, line: int, col: int) -> None:
        if not self.stack:
            self.root = (node, value)
            return
        frame = self.stack[-1]
        frame.size += size
        if frame.node.items is not None:
            frame.node.items.append(node)
            frame.value.append(value)
            return
        assert frame.node.entries is not None
        if not frame.has_key:
            frame.has_key = True
            frame.key_at = (line, col)
            frame.skip_key = frame.merge = False
            if node.items is not None or node.entries is not None:
                kind = "list" if node.items is not None else "mapping"
                self.problem(line, col, f"a {kind} cannot be a mapping key; use a plain value")
                frame.skip_key = True
            elif node.tag == _MERGE:
                frame.merge = True
            else:
                frame.key = node.text
            return
        frame.has_key = False
        if frame.skip_key:
            return
        if frame.merge:
            self.merge_source(frame, node, value, line, col)
            return
        key = frame.key
        assert key is not None
        first = frame.node.entries.get(key)
        if first is not None:
            self.problem(
                *frame.key_at, f"duplicate key {_show(key)} (first defined at line {first[0]})"
            )
            return
        frame.node.entries[key] = (*frame.key_at, node)
        frame.value[key] = value

    def merge_source(self, frame: _Frame, node: _Node, value: Any, line: int, col: int) -> None:
        sources: list[tuple[_Node, Any]] = (
            list(zip(node.items, value, strict=True)) if node.items is not None else [(node, value)]
        )
        for source, source_value in sources:
            if source.entries is None or not isinstance(source_value, dict):
                self.problem(
                    source.line, source.col, "'<<' merges a mapping or a list of mappings only"
                )
                continue
            frame.merges.append((source, source_value))

    def merged(self, frame: _Frame) -> dict[str, Any]:
        assert frame.node.entries is not None
        entries: dict[str, tuple[int, int, _Node]] = {}
        value: dict[str, Any] = {}
        for source, source_value in frame.merges:
            assert source.entries is not None
            for key, entry in source.entries.items():
                if key not in entries and key not in frame.node.entries:
                    entries[key] = entry
                    value[key] = source_value[key]
        entries.update(frame.node.entries)
        value.update(frame.value)
        frame.node.entries = entries
        return value


def _tag_name(tag: str) -> str:
    return _clip("!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --------------------------------------------------------------------------- validation


def validate(doc: Document, model: type[M], *, context: dict[str, Any] | None = None) -> M:
    """Validate a document against a pydantic model.

    Raises:
        LoadError: with a located problem for every validation error.
    """
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    raise LoadError(_validation_problems(doc, model, errors))


def load(
    path: str | os.PathLike[str],
    model: type[M],
    *,
    checks: Callable[[M], Iterable[tuple[Loc, str]]] | None = None,
    max_bytes: int = MAX_BYTES,
) -> M:
    """Read, parse and validate a YAML file, then run the model's cross-reference checks.

    Args:
        path: The file.
        model: The pydantic model of the whole file.
        checks: Returns ``(loc, message)`` for each semantic problem of a valid instance; the
            loc uses the keys as written in the file.
        max_bytes: The size limit.

    Raises:
        LoadError: with every problem found.
    """
    return load_with_document(path, model, checks=checks, max_bytes=max_bytes)[0]


def load_with_document(
    path: str | os.PathLike[str],
    model: type[M],
    *,
    checks: Callable[[M], Iterable[tuple[Loc, str]]] | None = None,
    max_bytes: int = MAX_BYTES,
) -> tuple[M, Document]:
    """Like ``load``, also returning the ``Document`` (for its ``sha256`` and positions)."""
    doc = read_yaml(path, max_bytes=max_bytes)
    instance = validate(doc, model)
    if checks is not None:
        problems = [doc.problem(loc, message) for loc, message in checks(instance)]
        if problems:
            raise LoadError(problems)
    return instance, doc


@dataclass
class _Walk:
    """Where a pydantic error location leads in the model's types and in the data."""

    data_loc: Loc
    types: list[tuple[Any, frozenset[str]]]
    choices: list[tuple[Loc, str]]
    """Union members chosen on the way: (location of the union, member label)."""


def _validation_problems(
    doc: Document, model: type[BaseModel], errors: Sequence[Any]
) -> list[Problem]:
    walks = [_walk(model, tuple(err["loc"])) for err in errors]
    dropped = _ruled_out_members(errors, walks)
    problems: list[Problem] = []
    unknown: dict[tuple[int, int], tuple[int, str, set[str]]] = {}
    for i, (err, walk) in enumerate(zip(errors, walks, strict=True)):
        if i in dropped:
            continue
        if err["type"] == "extra_forbidden" and err["loc"]:
            # A smart union reports an unknown key once per member: say it once, and give a
            # hint only when the members agree on it.
            line, col, prefix, hint = _unknown_key(doc, model, tuple(err["loc"]))
            seen = unknown.get((line, col))
            if seen is None:
                unknown[(line, col)] = (len(problems), prefix, set() if hint is None else {hint})
                problems.append(Problem(doc.path, line, col, ""))
            elif hint is not None:
                seen[2].add(hint)
            continue
        problems.append(_problem_for(doc, err, walk))
    for (line, col), (index, prefix, hints) in unknown.items():
        message = prefix + (f" (did you mean {next(iter(hints))!r}?)" if len(hints) == 1 else "")
        problems[index] = Problem(doc.path, line, col, message)
    return problems


def _unknown_key(
    doc: Document, model: type[BaseModel], loc: Loc
) -> tuple[int, int, str, str | None]:
    """Where an unknown key is, its message without a hint, and the hint."""
    name = str(loc[-1])
    parent = _walk(model, loc[:-1])
    line, col, _ = doc.position((*parent.data_loc, name), key=True)
    _, _, path = doc.position(parent.data_loc)
    if not _IDENT.fullmatch(name) and any(ch in name for ch in " )]}"):
        # ``{text: Lagos (4 of 6 locations)}`` without quotes: the comma split the value.
        message = (
            f"unknown key {_show(name)}: inside {{…}} a comma ends the value, so quote a value "
            'that contains one ("…, …")'
        )
        return line, col, _prefixed(path, message), None
    hint = _did_you_mean(name, parent.types)
    return line, col, _prefixed(path, f"unknown key {_show(name)}"), hint


def _ruled_out_members(errors: Sequence[Any], walks: Sequence[_Walk]) -> set[int]:
    """Errors of union members whose tag field (a ``Literal``) did not match, when another did."""
    members: dict[Loc, set[str]] = {}
    ruled_out: dict[Loc, set[str]] = {}
    for err, walk in zip(errors, walks, strict=True):
        loc = tuple(err["loc"])
        for prefix, label in walk.choices:
            members.setdefault(prefix, set()).add(label)
            if err["type"] == "literal_error" and len(loc) == len(prefix) + 2:
                ruled_out.setdefault(prefix, set()).add(label)
    dropped: set[int] = set()
    for i, walk in enumerate(walks):
        for prefix, label in walk.choices:
            out = ruled_out.get(prefix, set())
            if label in out and members[prefix] - out:
                dropped.add(i)
    return dropped


def _problem_for(doc: Document, err: Mapping[str, Any], walk: _Walk) -> Problem:
    kind: str = err["type"]
    loc = walk.data_loc
    value = err.get("input")
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    raw_loc = tuple(err["loc"])
    if kind == "missing":
        name = raw_loc[-1] if raw_loc else "?"
        return doc.problem(loc, f"missing required field {_show(str(name))}")
    discriminator = str(ctx.get("discriminator", "")).strip("'")
    if kind in ("union_tag_invalid", "union_tag_not_found") and _IDENT.fullmatch(discriminator):
        if kind == "union_tag_not_found":
            return doc.problem(loc, f"missing required field {discriminator!r}")
        tags = re.findall(r"'((?:[^'\\]|\\.)*)'", str(ctx.get("expected_tags", "")))
        message = (
            f"expected one of {_clip(', '.join(map(repr, tags)), 200)}, got {_show(ctx.get('tag'))}"
        )
        close = difflib.get_close_matches(str(ctx.get("tag")), tags, n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
        return doc.problem((*loc, discriminator), message)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return doc.problem(loc, f"expected a mapping (key: value), got {_describe(value)}")
    if kind in ("list_type", "tuple_type", "set_type", "frozen_set_type"):
        return doc.problem(loc, f"expected a list, got {_describe(value)}")
    message = str(err.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if isinstance(value, str) and len(value) > CLIP:
        message = message.replace(repr(value), repr(_clip(value))).replace(value, _clip(value))
    if kind == "literal_error":
        message = _clip(message, 200)
    scalar = not isinstance(value, Mapping | list | tuple)
    own = kind in ("value_error", "assertion_error") or kind not in _PYDANTIC_ERROR_TYPES
    if not own and (scalar or kind.endswith("_type")) and " got " not in message:
        message += f", got {_describe(value)}"
        if kind == "string_type" and isinstance(value, bool | int | float | date):
            message += "; quote it if you meant text"
    return doc.problem(loc, message)


def _describe(value: object) -> str:
    shown = _show(value)
    return "an empty value (null)" if shown == "null" else shown


def _did_you_mean(name: str, candidates: list[tuple[Any, frozenset[str]]]) -> str | None:
    """The closest field name, when the model at that place is known and the answer is one."""
    models = [tp for tp, _ in _leaves(candidates) if _is_model(tp)]
    best: set[str] = set()
    for model in models:
        names = [f.alias or n for n, f in model.model_fields.items()]
        close = difflib.get_close_matches(name, names, n=1)
        if close:
            best.add(close[0])
    return best.pop() if len(best) == 1 else None


# --------------------------------------------------------------------------- model walking


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _leaves(types_: list[tuple[Any, frozenset[str]]]) -> list[tuple[Any, frozenset[str]]]:
    """Unwrap ``Annotated``, ``Optional``, unions and root models into the possible types."""
    out: list[tuple[Any, frozenset[str]]] = []
    todo = list(reversed(types_))
    seen: set[int] = set()
    while todo:
        tp, labels = todo.pop()
        origin = get_origin(tp)
        if origin is Annotated:
            args = get_args(tp)
            tags = frozenset(m.tag for m in args[1:] if isinstance(m, Tag))
            todo.append((args[0], labels | tags))
        elif origin is Union or origin is types.UnionType:
            todo.extend((a, labels) for a in reversed(get_args(tp)) if a is not type(None))
        elif _is_model(tp) and issubclass(tp, RootModel):
            todo.append((tp.model_fields["root"].annotation, labels | {tp.__name__}))
        elif id(tp) not in seen:
            seen.add(id(tp))
            out.append((tp, labels))
    return out


def _matches_label(tp: Any, labels: frozenset[str], seg: str) -> bool:
    if seg in labels or getattr(tp, "__name__", None) == seg or str(tp) == seg:
        return True
    if _is_model(tp):
        for name in tp.model_fields:
            for lit in _literals(_field_type(tp, name)):
                if lit == seg or getattr(lit, "value", None) == seg:
                    return True
    return False


def _literals(tp: Any) -> list[Any]:
    out: list[Any] = []
    for leaf, _ in _leaves([(tp, frozenset())]):
        if get_origin(leaf) is Literal:
            out.extend(get_args(leaf))
    return out


@functools.cache
def _type_hints(model: type[BaseModel]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(model, include_extras=True)
    except Exception:  # an annotation that cannot be evaluated here: keep pydantic's view
        return {}


def _field_type(model: type[BaseModel], name: str) -> Any:
    """A field's type, with forward references (recursive models) resolved."""
    annotation = model.model_fields[name].annotation
    if "ForwardRef(" in repr(annotation):
        return _type_hints(model).get(name, annotation)
    return annotation


def _field(model: type[BaseModel], seg: str) -> Any:
    if seg in model.model_fields:
        return _field_type(model, seg)
    for name, info in model.model_fields.items():
        if seg in (info.alias, info.validation_alias):
            return _field_type(model, name)
    return None


_ANY = object()


def _step(tp: Any, seg: str | int) -> Any:
    """The type found at ``seg`` inside ``tp``, or None when ``seg`` is not data there."""
    if tp is Any or tp is object or tp is _ANY:
        return _ANY
    if _is_model(tp):
        return _field(tp, seg) if isinstance(seg, str) else None
    origin = get_origin(tp) or tp
    args = get_args(tp)
    if not isinstance(origin, type):
        return None
    if issubclass(origin, tuple):
        if not isinstance(seg, int):
            return None
        if not args:
            return _ANY
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0]
        return args[seg] if 0 <= seg < len(args) else None
    if issubclass(origin, Mapping):
        return args[1] if len(args) == 2 else _ANY
    if issubclass(origin, Sequence | Set) and not issubclass(origin, str | bytes):
        if not isinstance(seg, int):
            return None
        return args[0] if args else _ANY
    return None


def _walk(model: type[BaseModel], loc: Loc) -> _Walk:
    """Follow a pydantic error location through the model, separating data from union labels."""
    current: list[tuple[Any, frozenset[str]]] = [(model, frozenset())]
    data: list[str | int] = []
    choices: list[tuple[Loc, str]] = []
    for i, seg in enumerate(loc):
        leaves = _leaves(current)
        if len(leaves) >= 2 and isinstance(seg, str):
            narrowed = [leaf for leaf in leaves if _matches_label(leaf[0], leaf[1], seg)]
            current = narrowed or leaves
            choices.append((loc[:i], seg))
            continue
        following = [(n, frozenset[str]()) for tp, _ in leaves if (n := _step(tp, seg)) is not None]
        if following:
            data.append(seg)
            current = following
    return _Walk(tuple(data), current, choices)
