"""Validated files kept between runs: a scenario or a policy validated once opens without YAML
or pydantic's validators the next time.

Validating a scenario and a policy costs the console's first frame about a tenth of a second:
parsing the YAML, building pydantic's validators for some eighty model classes, validating.
``load`` does that once per file content and code: it keeps the validated model in
``$WARROOM_CACHE/models`` (else the user's cache folder), as JSON, under a key made of the
file's SHA-256, the model, the checks run on it and a SHA-256 over every source of
``simulator`` and of the package that defines the model and its checks (the loader, the
models, the checks and the packaged policies: ``assessments`` for a policy). The next ``load`` of the same bytes under the same code builds the same instances
with ``model_construct``: no parsing, no validation, and the validators are never built.

The cache is not trusted. An entry is read only when it is a regular file owned by this user
and no larger than ``MAX_ENTRY_BYTES``; it names the key it was written under; the JSON holds
plain values and models named by class, and a class is only ever looked up among the model's
own field types (never imported by name). Anything else (corrupt, foreign, a class the code no
longer has, a field it no longer has) is a miss: the file is validated again and the entry
rewritten. The folder is created owner-only and entries are written owner-only, atomically.
What cannot be written as JSON (a value of another type) is simply not cached.

At import this module needs only the light part of the standard library and the file reader (the catalogue takes
``cache_dir`` and ``code_fingerprint`` from it before anything else is loaded); msgspec and
pydantic come with the first ``load``, and ``simulator.yamlio`` only when the cache misses.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from simulator.files import MAX_YAML_BYTES, FileError, read_bytes

if TYPE_CHECKING:
    from pydantic import BaseModel

    from simulator.yamlio import Loc

__all__ = [
    "MAX_ENTRY_BYTES",
    "cache_dir",
    "code_fingerprint",
    "load",
    "models_dir",
    "read_cache_file",
]

M = TypeVar("M", bound="BaseModel")

CACHE_VERSION = 1
"""Bumped when an entry's shape changes, so an older one is a miss."""

MAX_ENTRY_BYTES = 16 * 1024 * 1024
"""An entry larger than this is not read (the largest library scenario takes about 60 KiB)."""

KEEP = 64
"""Entries kept; the least recently written go when there are more."""


class _Miss(Exception):
    """The entry does not decode into the model: it is stale, corrupt or foreign."""


class _Uncacheable(Exception):
    """The instance holds a value this module does not write."""


def cache_dir() -> Path:
    """Where warroom keeps its caches: ``$WARROOM_CACHE``, else the user's cache folder."""
    folder = os.environ.get("WARROOM_CACHE")
    if folder:
        return Path(folder)
    import platformdirs

    return Path(platformdirs.user_cache_dir("warroom"))


def models_dir() -> Path:
    """The folder of validated models."""
    return cache_dir() / "models"


def code_fingerprint(*packages: str) -> str:
    """A SHA-256 over the name and bytes of every ``.py`` and ``.yaml`` file of ``simulator``
    and of each of ``packages`` (imported already): the code that decides whether a file
    validates and what it validates into, and the packaged policies."""
    names = sorted({"simulator", *packages})
    return hashlib.sha256("\0".join(map(_package_digest, names)).encode()).hexdigest()


@functools.cache
def _package_digest(name: str) -> str:
    """A SHA-256 over one package's sources, read once per process however many keys use it."""
    import sys

    root = Path(str(sys.modules[name].__file__)).parent
    digest = hashlib.sha256(b"warroom code\n")
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml")):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(root.parent)}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def load(
    path: str | os.PathLike[str],
    model: type[M],
    *,
    checks: Callable[[M], Iterable[tuple[Loc, str]]] | None = None,
    max_bytes: int = MAX_YAML_BYTES,
) -> tuple[M, str]:
    """``simulator.yamlio.load``, from the cache when these bytes validated before; also the
    file's SHA-256.

    Args:
        path: The file.
        model: The pydantic model of the whole file.
        checks: The model's cross-reference checks (part of the key: an entry is only written
            once they passed).
        max_bytes: The size limit.

    Raises:
        simulator.yamlio.LoadError: with every problem found.
    """
    name = os.fspath(path)
    try:
        raw = read_bytes(name, limit=max_bytes)
    except FileError:
        raw = None
    if raw is None:  # missing, not a regular file, too large: the loader says so, located
        from simulator.yamlio import load_with_document

        instance, doc = load_with_document(name, model, checks=checks, max_bytes=max_bytes)
        return instance, doc.sha256
    sha256 = hashlib.sha256(raw).hexdigest()
    key = _key(model, checks, sha256)
    entry = models_dir() / f"{model.__name__}-{key[:40]}.json"
    found = _read(entry, model, key)
    if found is not None:
        return found, sha256
    from simulator.yamlio import LoadError, parse_yaml, validate

    doc = parse_yaml(raw, name, max_bytes=max_bytes)
    instance = validate(doc, model)
    if checks is not None:
        problems = [doc.problem(loc, message) for loc, message in checks(instance)]
        if problems:
            raise LoadError(problems)
    _write(entry, key, instance)
    return instance, sha256


def _key(model: type[BaseModel], checks: Callable[..., object] | None, sha256: str) -> str:
    check = "" if checks is None else f"{checks.__module__}.{checks.__qualname__}"
    code = code_fingerprint(*_packages(model, checks))
    text = f"{CACHE_VERSION}\0{code}\0{_name(model)}\0{check}\0{sha256}"
    return hashlib.sha256(text.encode()).hexdigest()


def _packages(*where: object) -> list[str]:
    """The top-level packages that define the model and its checks."""
    return sorted({str(getattr(w, "__module__", "simulator")).split(".")[0] for w in where if w})


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# --------------------------------------------------------------------------- reading


def read_cache_file(path: Path, limit: int) -> bytes | None:
    """A cache file's bytes, or ``None`` unless it is a regular file of this user's, at most
    ``limit`` bytes. It is opened without blocking: a FIFO in its place cannot hang a start."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not (
                stat.S_ISREG(info.st_mode) and info.st_size <= limit and info.st_uid == os.geteuid()
            ):
                return None
            data = f.read(limit + 1)
    except OSError:
        return None
    return data if len(data) <= limit else None


def _read(entry: Path, model: type[M], key: str) -> M | None:
    """The instance an entry holds, or ``None`` when there is no usable entry."""
    import msgspec

    raw = read_cache_file(entry, MAX_ENTRY_BYTES)
    if raw is None:
        return None
    try:
        data = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    try:
        value = _decode(data.get("value"), _models_of(model))
    except (_Miss, RecursionError, TypeError, ValueError):  # a tampered entry: a miss
        return None
    return value if isinstance(value, model) else None


def _decode(raw: Any, models: dict[str, type[BaseModel]]) -> Any:
    """Rebuild a value written by ``_encode``; a model's class must be one of ``models``."""
    if raw is None or type(raw) in (bool, int, float, str):
        return raw
    if isinstance(raw, list):
        return [_decode(v, models) for v in raw]
    if not isinstance(raw, dict) or len(raw) != 1:
        raise _Miss
    ((tag, body),) = raw.items()
    if tag == "m":
        return _model(body, models)
    if tag == "t" and isinstance(body, list):
        return tuple(_decode(v, models) for v in body)
    if tag == "fs" and isinstance(body, list):
        return frozenset(_decode(v, models) for v in body)
    if tag == "d" and isinstance(body, list):
        out: dict[Any, Any] = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise _Miss
            out[_decode(pair[0], models)] = _decode(pair[1], models)
        return out
    if tag == "dt" and isinstance(body, str):
        from datetime import datetime

        try:
            return datetime.fromisoformat(body)
        except ValueError:
            raise _Miss from None
    if tag == "f" and body in ("inf", "-inf", "nan"):
        return float(body)
    raise _Miss


def _model(body: Any, models: dict[str, type[BaseModel]]) -> BaseModel:
    if not (isinstance(body, list) and len(body) == 4):
        raise _Miss
    name, fields, fields_set, private = body
    cls = models.get(name) if isinstance(name, str) else None
    if cls is None or not isinstance(fields, dict) or not isinstance(fields_set, list):
        raise _Miss
    known = cls.model_fields
    if set(fields) != set(known) or not set(fields_set) <= set(known):
        raise _Miss
    values = {k: _decode(v, models) for k, v in fields.items()}
    try:
        instance = cls.model_construct(_fields_set=set(fields_set), **values)
    except TypeError:  # unhashable keys in a set of fields, say
        raise _Miss from None
    slots = instance.__pydantic_private__
    if private is None:
        if slots:
            raise _Miss
        return instance
    if not (isinstance(private, dict) and slots is not None and set(private) == set(slots)):
        raise _Miss
    for k, v in private.items():
        slots[k] = _decode(v, models)
    return instance


@functools.cache
def _models_of(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model class ``model``'s fields may hold, at any depth, and ``model``, by
    ``module.qualname``: the only classes an entry may name (a private attribute's value too)."""
    from pydantic import BaseModel

    found: dict[str, type[BaseModel]] = {}
    stack: list[Any] = [model]
    seen: set[int] = set()
    while stack:
        hint = stack.pop()
        if id(hint) in seen:
            continue
        seen.add(id(hint))
        while typing.get_origin(hint) is typing.Annotated:
            hint = typing.get_args(hint)[0]
        if isinstance(hint, type) and issubclass(hint, BaseModel):
            found[_name(hint)] = hint
            stack.extend(info.annotation for info in hint.model_fields.values())
        elif isinstance(hint, types.UnionType) or typing.get_origin(hint) is not None:
            stack.extend(typing.get_args(hint))
    return found


# --------------------------------------------------------------------------- writing


def _encode(value: Any) -> Any:
    from datetime import datetime

    from pydantic import BaseModel

    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return (
            value
            if value == value and value not in (float("inf"), float("-inf"))
            else {"f": repr(value)}
        )
    if isinstance(value, BaseModel):
        cls = type(value)
        private = value.__pydantic_private__
        return {
            "m": [
                _name(cls),
                {k: _encode(getattr(value, k)) for k in cls.model_fields},
                sorted(value.model_fields_set),
                None if private is None else {k: _encode(v) for k, v in private.items()},
            ]
        }
    if kind is tuple:
        return {"t": [_encode(v) for v in value]}
    if kind is list:
        return [_encode(v) for v in value]
    if kind is frozenset:
        return {"fs": [_encode(v) for v in value]}
    if kind is dict:
        return {"d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if kind is datetime:
        return {"dt": value.isoformat()}
    raise _Uncacheable(kind.__name__)


def _write(entry: Path, key: str, instance: BaseModel) -> None:
    """Keep ``instance`` under ``key``; a value that cannot be written, or a folder that cannot
    be, leaves nothing behind."""
    import msgspec

    try:
        data = msgspec.json.encode(
            {"version": CACHE_VERSION, "key": key, "value": _encode(instance)}
        )
    except (_Uncacheable, RecursionError):
        return
    if len(data) > MAX_ENTRY_BYTES:
        return
    import tempfile

    folder = entry.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")  # owner-only
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(folder)
    except OSError:
        return


def _prune(folder: Path) -> None:
    """Keep the ``KEEP`` most recently written entries."""
    entries: list[tuple[float, Path]] = []
    for path in folder.glob("*.json"):
        with contextlib.suppress(OSError):
            entries.append((path.stat().st_mtime, path))
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()
