"""The scenario library and scenario/action-script loading.

A SCENARIO argument is a library id (``api-outage``) or a path to a YAML file. Library
scenarios ship inside the ``scenarios`` package so an installed copy finds them. Loading goes
through ``simulator.yamlio`` so every problem is reported as ``PATH:LINE:COL: error: …``.
``in_library`` is the one rule for whether a file is the library's own (a journal then names it
by id, so it is found again wherever warroom is installed).

Finding the library costs no more than the standard library (``warroom list`` reads only the
paths when its cache is current): the models and the YAML loader are imported by the functions
that load. A journal's scenario is found by its library id and sha256 (``journal_scenario``),
never by a path written in the journal; every scenario a journal names is parsed once per file
content (the one scenario cache). This module must not run scenarios or know about policies or
the screen.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import scenarios

if TYPE_CHECKING:
    from simulator.commands import ActionScript
    from simulator.journal import Header, JournalEvents
    from simulator.model import Scenario
    from simulator.yamlio import Document


def library_dir() -> Path:
    """The folder of the shipped scenarios."""
    return Path(scenarios.__file__).parent


def library_paths() -> list[Path]:
    """Every scenario file of the library, sorted by id."""
    return sorted(library_dir().glob("*.yaml"))


def schema_path() -> Path:
    """The committed JSON Schema of the scenario format."""
    return library_dir() / "scenario.schema.json"


def scenario_schema() -> dict[str, object]:
    """The JSON Schema of the scenario format, as committed under ``scenarios/``."""
    from simulator.model import Scenario

    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "warroom scenario"
    return schema


def schema_text() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"


def resolve(spec: str) -> Path:
    """The file a SCENARIO argument names: a library id, or else a path.

    Raises:
        simulator.yamlio.LoadError: when it is neither.
    """
    candidate = library_dir() / f"{spec}.yaml"
    if os.sep not in spec and "/" not in spec and not spec.endswith((".yaml", ".yml")):
        if candidate.is_file():
            return candidate
        if not Path(spec).exists():
            import difflib

            from simulator.yamlio import LoadError, Problem

            ids = [p.stem for p in library_paths()]
            close = difflib.get_close_matches(spec, ids, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            message = f"no scenario {spec!r} in the library ({hint}`warroom list` shows them all)"
            raise LoadError([Problem(spec, 1, 1, message)])
    return Path(spec)


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where it came from."""

    scenario: Scenario
    path: Path
    sha256: str
    spec: str
    """The argument it was loaded from (library id or path)."""


def in_library(path: Path) -> bool:
    """Whether ``path`` is one of the library's own scenario files."""
    try:
        return path.resolve().parent == library_dir().resolve()
    except OSError:
        return False


def load_scenario(spec: str) -> LoadedScenario:
    """Load and cross-check a scenario by library id or path.

    Raises:
        simulator.yamlio.LoadError: with every problem, located.
    """
    from simulator import modelcache
    from simulator.model import Scenario

    path = resolve(spec)
    scenario, sha256 = modelcache.load(path, Scenario, checks=Scenario.check_references)
    return LoadedScenario(scenario, path, sha256, spec)


@functools.lru_cache(maxsize=32)
def _cached(path: str, sha256: str) -> LoadedScenario:
    return load_scenario(path)


def clear_cache() -> None:
    """Forget the scenarios parsed for journals (a benchmark times the first journal)."""
    _cached.cache_clear()


def _load_cached(path: Path, spec: str) -> LoadedScenario:
    """``load_scenario``, parsed once per file content (cohort reports grade many journals)."""
    from simulator.files import FileError, read_bytes
    from simulator.yamlio import MAX_BYTES

    try:
        raw = read_bytes(path, limit=MAX_BYTES)
    except FileError:
        return load_scenario(spec)  # says why, located
    loaded = _cached(str(path), hashlib.sha256(raw).hexdigest())
    return LoadedScenario(loaded.scenario, loaded.path, loaded.sha256, spec)


def journal_scenario(journal: JournalEvents, scenario: str | None = None) -> LoadedScenario:
    """The scenario a journal was played on; a path in its header is never followed.

    Without ``scenario`` it is the library scenario with the header's id: when its sha256 is
    the header's, or when the journal was played from the library (its ``scenario_path`` is
    the id) and the library file changed since (callers compare ``sha256`` and say so). A
    scenario played from a file elsewhere is found only when the user names it.

    Args:
        journal: The journal read back.
        scenario: A library id or path the user gave (``--scenario``): used as it is.

    Raises:
        JournalError: ``JOURNAL:1: error: …`` when the header's scenario is not in the library
            and no ``scenario`` is given.
        LoadError: the scenario does not load.
    """
    return header_scenario(journal.header, scenario, source=str(journal.path))


def header_scenario(h: Header, scenario: str | None = None, *, source: str) -> LoadedScenario:
    """The scenario a journal header names, by the rule of ``journal_scenario``.

    A header from a journal or from a link peer is data: its ``scenario_path`` is never read.

    Args:
        h: The header.
        scenario: A library id or path the user gave: used as it is.
        source: Where the header came from, for the error (a journal's path, a session).

    Raises:
        JournalError: ``SOURCE:1: error: …`` when the header's scenario is not in the library
            and no ``scenario`` is given.
        LoadError: the scenario does not load.
    """
    from simulator.journal import JournalError

    if scenario is not None:
        return _load_cached(resolve(scenario), scenario)
    path = library_dir() / f"{h.scenario}.yaml"
    if _LIBRARY_ID.fullmatch(h.scenario) and path.is_file():
        loaded = _load_cached(path, h.scenario)
        if loaded.sha256 == h.scenario_sha256 or h.scenario_path == h.scenario:
            return loaded
    raise JournalError(
        f"scenario {h.scenario!r} (sha256 {h.scenario_sha256[:12]}…) is not in the library; "
        "pass --scenario PATH to name the file it was played from",
        path=source,
        line=1,
    )


_LIBRARY_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def load_script(
    path: str | os.PathLike[str], scenario: LoadedScenario | None = None
) -> ActionScript:
    """Load an action script; given the ``scenario`` it is to be played on, also check it
    against that scenario the way ``warroom validate SCRIPT --scenario`` does
    (``check_script_for``), so that no script is played that validate would refuse.

    Raises:
        simulator.yamlio.LoadError: with every problem, located.
    """
    from simulator.commands import ActionScript
    from simulator.yamlio import read_yaml, validate

    doc = read_yaml(path)
    script = validate(doc, ActionScript)
    if scenario is not None:
        check_script_for(doc, script, path, scenario)
    return script


def is_script(data: object) -> bool:
    """Whether parsed YAML has the shape of an action script rather than a scenario."""
    return isinstance(data, dict) and "actions" in data and "faults" not in data


def script_scenario(script_path: str | os.PathLike[str], spec: str) -> str:
    """What a script's ``scenario:`` names: a library id as is, a path relative to the script."""
    if os.sep in spec or "/" in spec or spec.endswith((".yaml", ".yml")):
        return str(Path(script_path).parent / spec)
    return spec


def validate_file(path: str | os.PathLike[str], scenario: str | None = None) -> str:
    """Validate a scenario file or an action script (told apart by shape); return which.

    An action script's references are checked against ``scenario`` (a library id or path), else
    against the scenario its ``scenario:`` key names; with neither only its shape is checked.

    Raises:
        simulator.yamlio.LoadError: with every problem, located.
    """
    from simulator.commands import ActionScript
    from simulator.model import Scenario
    from simulator.yamlio import LoadError, read_yaml, validate

    doc = read_yaml(path)
    if not is_script(doc.data):
        s = validate(doc, Scenario)
        problems = [doc.problem(loc, message) for loc, message in s.check_references()]
        if problems:
            raise LoadError(problems)
        return "scenario"
    script = validate(doc, ActionScript)
    spec = scenario or (script_scenario(path, script.scenario) if script.scenario else None)
    if spec is None:
        return "script"
    try:
        target = load_scenario(spec).scenario
    except LoadError as exc:
        if scenario is None:
            first = exc.problems[0]
            raise LoadError(
                [doc.problem(("scenario",), f"the script's scenario does not load: {first}")]
            ) from None
        raise
    check_references(doc, script, target)
    return "script"


def check_references(doc: Document, script: ActionScript, target: Scenario) -> None:
    """Every reference of ``script`` (read from ``doc``) names something in ``target``, and no
    step comes after its end (``simulator.references.check_script``): the one check of a
    script against a scenario, for ``warroom validate`` and for every command that plays one.

    Raises:
        simulator.yamlio.LoadError: one located problem per bad reference.
    """
    from simulator.references import check_script
    from simulator.yamlio import LoadError

    problems = [doc.problem(loc, message) for loc, message in check_script(script, target)]
    if problems:
        raise LoadError(problems)


def check_script_for(
    doc: Document,
    script: ActionScript,
    script_path: str | os.PathLike[str],
    loaded: LoadedScenario,
) -> None:
    """Refuse to play ``script`` (read from ``doc`` at ``script_path``) on ``loaded``: when its
    ``scenario:`` names another scenario (every step would be rejected, and the grade would
    say the trainee did nothing), else when any of its references names nothing in ``loaded``
    (``check_references``, as ``warroom validate`` reports them).

    Raises:
        simulator.yamlio.LoadError: ``SCRIPT:LINE:COL: error: …`` at each problem.
    """
    from simulator.yamlio import LoadError

    if script.scenario is not None:
        spec = script_scenario(script_path, script.scenario)
        try:
            named = load_scenario(spec)
        except LoadError:
            named = None
        if named is None or (
            named.sha256 != loaded.sha256 and named.scenario.id != loaded.scenario.id
        ):
            raise LoadError(
                [
                    doc.problem(
                        ("scenario",),
                        f"this script is for {script.scenario!r}, not {loaded.scenario.id!r}: "
                        f"play it with that scenario, or give {loaded.scenario.id!r} a script "
                        "of its own",
                    )
                ]
            )
    check_references(doc, script, loaded.scenario)


def library() -> list[LoadedScenario]:
    """Every library scenario that loads (a broken one is skipped; ``validate`` reports it)."""
    from simulator.yamlio import LoadError

    out: list[LoadedScenario] = []
    for p in library_paths():
        try:
            out.append(load_scenario(str(p)))
        except LoadError:
            continue
    return out


__all__ = [
    "LoadedScenario",
    "check_references",
    "check_script_for",
    "clear_cache",
    "in_library",
    "is_script",
    "journal_scenario",
    "library",
    "load_scenario",
    "load_script",
    "resolve",
    "script_scenario",
    "validate_file",
]
