"""Session state as plain data and the deep merge the daemon applies (a port of Java's StateMerge).

Merge rules, key by key: a None value deletes the key; a dict merges into a dict already there; anything
else (a scalar, a list, a dict where there was none) replaces it. Lists are never merged element by element.
Equality is strict about types, as it is for the daemon: ``True``, ``1`` and ``1.0`` are three values.
"""
from __future__ import annotations

import math
from typing import Any, Dict, Mapping, Optional

MAX_DEPTH = 32


def normalize(value: Optional[Mapping[str, Any]], what: str) -> Optional[Dict[str, Any]]:
    """A deep copy made of dict, list, str, int, float, bool and None (None kept: it means delete in a patch).

    Raises ValueError naming where a bad value is (non-string key, non-finite number, other types, depth)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must be a dict, got {type(value).__name__}")
    return _norm_map(value, what, 0)


def _norm_map(m: Mapping[Any, Any], path: str, depth: int) -> Dict[str, Any]:
    if depth > MAX_DEPTH:
        raise ValueError(f"{path} is nested more than {MAX_DEPTH} levels deep")
    out: Dict[str, Any] = {}
    for k, v in m.items():
        if not isinstance(k, str):
            raise ValueError(f"{path} has the key {k!r} of type {type(k).__name__}; keys must be strings")
        out[k] = _norm_value(v, f"{path}.{k}", depth + 1)
    return out


def _norm_value(v: Any, path: str, depth: int) -> Any:
    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise ValueError(f"{path} is {v}; numbers must be finite")
        return float(v)
    if isinstance(v, Mapping):
        return _norm_map(v, path, depth)
    if depth > MAX_DEPTH:
        raise ValueError(f"{path} is nested more than {MAX_DEPTH} levels deep")
    if isinstance(v, (list, tuple)):
        return [_norm_value(o, f"{path}[{i}]", depth + 1) for i, o in enumerate(v)]
    raise ValueError(f"{path} is a {type(v).__name__}; state and event data take strings, numbers, booleans, "
                     "lists and dicts (convert other values yourself)")


def same(a: Any, b: Any) -> bool:
    """Equality as the daemon sees it after JSON: types must match (bool is not int, int is not float)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def copy_without_nulls(v: Any) -> Any:
    """A deep copy in which dicts hold no None values (a state never stores a deleted key)."""
    if isinstance(v, dict):
        return {k: copy_without_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [copy_without_nulls(x) if isinstance(x, (dict, list)) else x for x in v]
    return v


def apply(target: Dict[str, Any], patch: Mapping[str, Any]) -> bool:
    """Applies ``patch`` to ``target`` in place; True if anything changed."""
    changed = False
    for key, value in patch.items():
        if value is None:
            if key in target:
                del target[key]
                changed = True
            continue
        existing = target.get(key)
        if isinstance(value, dict) and isinstance(existing, dict):
            changed |= apply(existing, value)
            continue
        copy = copy_without_nulls(value)
        if key not in target or not same(existing, copy):
            target[key] = copy
            changed = True
    return changed


def merged(base: Mapping[str, Any], patch: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    out = copy_without_nulls(dict(base))
    if patch:
        apply(out, patch)
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Dict[str, Any]:
    """The smallest merge patch turning ``before`` into ``after``: ``merged(before, diff(before, after)) == after``."""
    patch: Dict[str, Any] = {}
    for key, now in after.items():
        if key not in before:
            patch[key] = copy_without_nulls(now)
            continue
        was = before[key]
        if isinstance(was, dict) and isinstance(now, dict):
            sub = diff(was, now)
            if sub:
                patch[key] = sub
        elif not same(was, now):
            patch[key] = copy_without_nulls(now)
    for key in before:
        if key not in after:
            patch[key] = None
    return patch
