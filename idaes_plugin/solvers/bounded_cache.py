"""A least-recently-used cache bounded in entries and in total size (the NL reader's models
and the CasADi IPOPT solvers built for them)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


def get_recent(cache: OrderedDict, key: Hashable) -> Any | None:
    """The value stored under ``key`` (now the most recently used), or None."""
    if key not in cache:
        return None
    cache.move_to_end(key)
    return cache[key][0]


def put_bounded(cache: OrderedDict, key: Hashable, value: Any, size: float, max_items: int,
                max_size: float) -> None:
    """Store ``value`` (of ``size``) as the most recent entry, then drop the least recently
    used ones until at most ``max_items`` entries of total size at most ``max_size`` are
    left (an entry larger than ``max_size`` is not kept)."""
    cache[key] = (value, size)
    while len(cache) > max_items or sum(s for _, s in cache.values()) > max_size:
        cache.popitem(last=False)
