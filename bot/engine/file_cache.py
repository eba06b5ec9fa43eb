"""What reading one file produced, remembered by its content, so a reload skips unchanged files.

Reading a flow file (YAML with positions, then the model) is nine tenths of `load_flows` and
depends only on the file's bytes and its country folder: the model is frozen, and the checks
that need other files run afterwards on every load. The bot reloads the whole folder after
`/reload` or a published change, and a proposal is checked on a copy of the folder, where
every other file is the same: those files are not read again.

The key is the content (a digest of the bytes) and the country code, never the path or the
modification time: a copy of a folder hits, an edited file misses even within the same second.
A hit from another path is re-homed (the problems and `Flow.file` name the file being loaded).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from .problems import Problem

MAX_ENTRIES = 4096  # about four sets of 1,000 flows; the oldest entry goes first

_entries: OrderedDict[tuple[str, str, bytes], tuple[Any, str, tuple[Problem, ...]]] = (
    OrderedDict())


def key(kind: str, code: str, raw: bytes) -> tuple[str, str, bytes]:
    """The cache key of one file: its kind (flow or country), country folder and content."""
    return (kind, code, hashlib.blake2b(raw, digest_size=20).digest())


def get(cache_key: tuple[str, str, bytes], path: str) -> tuple[Any, list[Problem]] | None:
    """The result and problems remembered for this content, re-homed to `path`; or None."""
    found = _entries.get(cache_key)
    if found is None:
        return None
    _entries.move_to_end(cache_key)
    result, first_path, problems = found
    if first_path == path:
        return result, list(problems)
    return _rehome(result, path), [replace(p, file=path) for p in problems]


def put(cache_key: tuple[str, str, bytes], path: str, result: Any,
        problems: list[Problem]) -> None:
    """Remember what reading this content produced (the model is frozen: safe to share)."""
    _entries[cache_key] = (result, path, tuple(problems))
    _entries.move_to_end(cache_key)
    while len(_entries) > MAX_ENTRIES:
        _entries.popitem(last=False)


def clear() -> None:
    """Forget everything (tests that change what parsing depends on call this)."""
    _entries.clear()


def _rehome(result: Any, path: str) -> Any:
    """The same parsed flow or country, naming the file it was loaded from this time."""
    flow = getattr(result, "flow", None)
    if flow is not None:
        return replace(result, flow=replace(flow, file=path))
    if getattr(result, "file", path) != path:  # a Country
        return replace(result, file=path)
    return result
