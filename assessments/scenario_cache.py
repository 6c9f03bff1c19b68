"""The one scenario cache: a scenario file parsed once per content, however many journals name it.

Grading a cohort (or re-rendering reports) loads the same few scenarios for hundreds of
journals; ``cached_scenario`` keys the parsed scenario by the file's path and the sha256 of its
bytes, so an edited file is parsed again and an unchanged one never is. The assessor and the
reports both load through it. This module must not grade or render anything.
"""

from __future__ import annotations

import functools
import hashlib
import stat

from simulator.library import LoadedScenario, load_scenario, resolve
from simulator.yamlio import MAX_BYTES

__all__ = ["cached_scenario", "clear_scenario_cache"]


@functools.lru_cache(maxsize=32)
def _parsed(path: str, sha256: str) -> LoadedScenario:
    return load_scenario(path)


def cached_scenario(spec: str) -> LoadedScenario:
    """``simulator.library.load_scenario``, cached by the file's content (sha256).

    Args:
        spec: A library id or a path, as a journal's header names it.

    Raises:
        simulator.yamlio.LoadError: when the scenario does not load.
    """
    path = resolve(spec)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return load_scenario(spec)  # the loader says what is wrong with it
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return load_scenario(spec)
    loaded = _parsed(str(path), digest)
    return LoadedScenario(loaded.scenario, loaded.path, loaded.sha256, spec)


def clear_scenario_cache() -> None:
    """Forget every parsed scenario (benchmarks time a cold start with it)."""
    _parsed.cache_clear()
